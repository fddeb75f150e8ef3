//! GridWorld maps: parsing ASCII text, the built-in layouts, and the maze
//! generator.

use serde::{Deserialize, Serialize};

use crate::error::EnvError;
use crate::rng::Rng;

const NAME: &str = "GridWorld";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    Floor,
    Wall,
    Goal,
    Lava,
}

/// A parsed map: cells row-major, and the cells an episode may start on.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub height: usize,
    pub width: usize,
    pub cells: Vec<Cell>,
    pub starts: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    #[default]
    OpenRoom,
    FourRooms,
    Maze,
}

pub const OPEN_ROOM: &str = "\
#######
#S....#
#.....#
#.....#
#.....#
#....G#
#######";

/// Sutton, Precup & Singh (1999)'s four rooms.
pub const FOUR_ROOMS: &str = "\
#############
#S....#.....#
#.....#.....#
#...........#
#.....#.....#
#.....#.....#
##.####.....#
#.....###.###
#.....#.....#
#.....#.....#
#...........#
#.....#....G#
#############";

/// Most rows and columns of a map.
pub const MAX_MAP_SIDE: usize = 256;

impl Map {
    /// Parses `#` wall, `.` or space floor, `S` start, `G` goal, `L` lava.
    /// With `random_start`, every floor cell is a start and `S` is optional.
    pub fn parse(text: &str, random_start: bool) -> Result<Map, EnvError> {
        let rows: Vec<&str> = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .collect();
        let bad = |value: String, expected: &str| EnvError::config(NAME, "map", value, expected);
        if rows.is_empty() {
            return Err(bad(
                "an empty text".into(),
                "at least one row of map characters",
            ));
        }
        let width = rows[0].chars().count();
        // Bounded before anything is sized by it (observation, frame).
        if rows.len() > MAX_MAP_SIDE || width > MAX_MAP_SIDE {
            return Err(bad(
                format!("{} rows of {width} columns", rows.len()),
                &format!("at most {MAX_MAP_SIDE} rows and columns"),
            ));
        }
        let mut cells = Vec::with_capacity(rows.len() * width);
        let mut starts = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            if row.chars().count() != width {
                return Err(bad(
                    format!("row {r} {row:?} of length {}", row.chars().count()),
                    &format!("every row as long as the first ({width})"),
                ));
            }
            for (c, ch) in row.chars().enumerate() {
                let cell = match ch {
                    '#' => Cell::Wall,
                    '.' | ' ' => Cell::Floor,
                    'S' => {
                        starts.push(r * width + c);
                        Cell::Floor
                    }
                    'G' => Cell::Goal,
                    'L' => Cell::Lava,
                    other => {
                        return Err(bad(
                            format!("character {other:?} at row {r}, column {c}"),
                            "one of '#' wall, '.' floor, 'S' start, 'G' goal, 'L' lava",
                        ))
                    }
                };
                cells.push(cell);
            }
        }
        if !cells.contains(&Cell::Goal) {
            return Err(bad("a map with no goal".into(), "at least one 'G'"));
        }
        if random_start {
            starts = (0..cells.len())
                .filter(|&i| cells[i] == Cell::Floor)
                .collect();
        }
        if starts.is_empty() {
            return Err(bad(
                "a map with no start".into(),
                "at least one 'S' (or random_start=True and a floor cell)",
            ));
        }
        Ok(Map {
            height: rows.len(),
            width,
            cells,
            starts,
        })
    }

    #[inline]
    pub fn at(&self, r: usize, c: usize) -> Cell {
        self.cells[r * self.width + c]
    }

    pub fn to_text(&self, agent: Option<usize>) -> String {
        let mut s = String::with_capacity((self.width + 1) * self.height);
        for r in 0..self.height {
            for c in 0..self.width {
                let i = r * self.width + c;
                s.push(if agent == Some(i) {
                    'A'
                } else {
                    match self.cells[i] {
                        Cell::Wall => '#',
                        Cell::Floor => '.',
                        Cell::Goal => 'G',
                        Cell::Lava => 'L',
                    }
                });
            }
            s.push('\n');
        }
        s
    }
}

/// A perfect maze by recursive backtracking from (1, 1); start top-left, goal
/// bottom-right. `size` is the side length including the outer walls (odd).
pub fn generate_maze(size: usize, seed: u64) -> Result<String, EnvError> {
    if size < 5 || size.is_multiple_of(2) || size > 201 {
        return Err(EnvError::config(
            NAME,
            "maze_size",
            size,
            "an odd integer in [5, 201]",
        ));
    }
    let mut rng = Rng::new(seed);
    let mut grid = vec![vec!['#'; size]; size];
    let mut stack = vec![(1usize, 1usize)];
    grid[1][1] = '.';
    while let Some(&(r, c)) = stack.last() {
        let mut options = [(0usize, 0usize); 4];
        let mut k = 0;
        for (dr, dc) in [(-2i64, 0i64), (0, 2), (2, 0), (0, -2)] {
            let (nr, nc) = (r as i64 + dr, c as i64 + dc);
            if nr > 0 && nc > 0 && (nr as usize) < size - 1 && (nc as usize) < size - 1 {
                let (nr, nc) = (nr as usize, nc as usize);
                if grid[nr][nc] == '#' {
                    options[k] = (nr, nc);
                    k += 1;
                }
            }
        }
        if k == 0 {
            stack.pop();
            continue;
        }
        let (nr, nc) = options[rng.below(k as u64) as usize];
        grid[(r + nr) / 2][(c + nc) / 2] = '.';
        grid[nr][nc] = '.';
        stack.push((nr, nc));
    }
    grid[1][1] = 'S';
    grid[size - 2][size - 2] = 'G';
    Ok(grid
        .into_iter()
        .map(|row| row.into_iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reports_ragged_rows_and_unknown_chars() {
        let e = Map::parse("#G#\n#S", false).unwrap_err().to_string();
        assert!(e.contains("row 1"), "{e}");
        let e = Map::parse("#G#\n#X#", false).unwrap_err().to_string();
        assert!(e.contains("'X'") && e.contains("column 1"), "{e}");
        assert!(Map::parse("#S#", false).is_err());
        assert!(Map::parse("#G#", false).is_err());
        assert_eq!(Map::parse("#G.#", true).unwrap().starts, vec![2]);
    }

    #[test]
    fn maze_is_seeded_and_connected() {
        let a = generate_maze(11, 1).unwrap();
        assert_eq!(a, generate_maze(11, 1).unwrap());
        assert_ne!(a, generate_maze(11, 2).unwrap());
        let map = Map::parse(&a, false).unwrap();
        // Flood fill from the start reaches the goal.
        let mut seen = vec![false; map.cells.len()];
        let mut todo = vec![map.starts[0]];
        while let Some(i) = todo.pop() {
            if seen[i] || map.cells[i] == Cell::Wall {
                continue;
            }
            seen[i] = true;
            todo.extend([i - 1, i + 1, i - map.width, i + map.width]);
        }
        let goal = map.cells.iter().position(|&c| c == Cell::Goal).unwrap();
        assert!(seen[goal]);
        assert!(generate_maze(10, 0).is_err());
    }
}
