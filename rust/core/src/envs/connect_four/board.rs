//! The rules of Connect Four on a 6x7 bitboard.
//!
//! Bit `col * 7 + row` (row 0 at the bottom) holds a disc; each column has a
//! seventh, always-empty sentinel bit, so that the shifts which test for four
//! in a row never wrap from one column into the next. Both sides' boards and
//! the column heights are kept, so a move is two `|=` and a win test is four
//! shift-and pairs.

use serde::{Deserialize, Serialize};

pub const ROWS: usize = 6;
pub const COLS: usize = 7;
/// Bits per column in the bitboard: `ROWS` cells and a sentinel.
const STRIDE: usize = ROWS + 1;
/// Shifts to the next cell of a line: vertical, horizontal and both diagonals.
pub const DIRECTIONS: [usize; 4] = [1, STRIDE, STRIDE - 1, STRIDE + 1];

/// The first mover's discs are side 0, the second mover's side 1.
pub type Side = usize;

#[inline]
pub const fn bit(col: usize, row: usize) -> u64 {
    1u64 << (col * STRIDE + row)
}

/// Whether `discs` holds four in a row in any direction.
#[inline]
pub fn has_four(discs: u64) -> bool {
    DIRECTIONS.iter().any(|&s| {
        let pairs = discs & (discs >> s);
        pairs & (pairs >> (2 * s)) != 0
    })
}

/// The 69 lines of four cells on the board, as bit masks.
pub const LINES: [u64; 69] = lines();
/// Per direction of `DIRECTIONS`, the cells where a line of four in that
/// direction starts (its lowest bit: each step adds the shift).
pub const LINE_STARTS: [u64; 4] = line_starts();

const fn line_starts() -> [u64; 4] {
    let mut out = [0u64; 4];
    let mut k = 0;
    while k < LINES.len() {
        let line = LINES[k];
        let start = line & line.wrapping_neg();
        let second = (line & !start).trailing_zeros() - start.trailing_zeros();
        let mut d = 0;
        while d < 4 {
            if DIRECTIONS[d] as u32 == second {
                out[d] |= start;
            }
            d += 1;
        }
        k += 1;
    }
    out
}

const fn lines() -> [u64; 69] {
    let mut out = [0u64; 69];
    let mut k = 0;
    // (dc, dr) steps: horizontal, vertical, diagonal up, diagonal down.
    let steps: [(i32, i32); 4] = [(1, 0), (0, 1), (1, 1), (1, -1)];
    let mut d = 0;
    while d < 4 {
        let (dc, dr) = steps[d];
        let mut c = 0;
        while c < COLS as i32 {
            let mut r = 0;
            while r < ROWS as i32 {
                let (ec, er) = (c + 3 * dc, r + 3 * dr);
                if ec >= 0 && ec < COLS as i32 && er >= 0 && er < ROWS as i32 {
                    let mut m = 0u64;
                    let mut i = 0;
                    while i < 4 {
                        m |= bit((c + i * dc) as usize, (r + i * dr) as usize);
                        i += 1;
                    }
                    out[k] = m;
                    k += 1;
                }
                r += 1;
            }
            c += 1;
        }
        d += 1;
    }
    assert!(k == 69);
    out
}

/// How a game ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Win(Side),
    Draw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Board {
    /// Discs of side 0 (first mover) and side 1.
    pub discs: [u64; 2],
    /// Discs in each column.
    pub heights: [u8; COLS],
    /// Discs on the board; the side to move is `moves % 2`.
    pub moves: u8,
}

impl Board {
    pub fn to_move(&self) -> Side {
        usize::from(self.moves % 2)
    }

    pub fn can_play(&self, col: usize) -> bool {
        (self.heights[col] as usize) < ROWS
    }

    pub fn is_full(&self) -> bool {
        self.moves as usize == ROWS * COLS
    }

    /// Drops a disc of the side to move into `col` (which must have room).
    #[inline]
    pub fn play(&mut self, col: usize) {
        let side = self.to_move();
        self.discs[side] |= bit(col, self.heights[col] as usize);
        self.heights[col] += 1;
        self.moves += 1;
    }

    /// Takes back the last disc played into `col` (search only).
    #[inline]
    pub fn undo(&mut self, col: usize) {
        self.moves -= 1;
        self.heights[col] -= 1;
        let side = self.to_move();
        self.discs[side] &= !bit(col, self.heights[col] as usize);
    }

    /// Whether the side to move would complete four by playing `col`.
    #[inline]
    pub fn wins_with(&self, col: usize) -> bool {
        let side = self.to_move();
        has_four(self.discs[side] | bit(col, self.heights[col] as usize))
    }

    /// Whether the other side would complete four by playing `col` now.
    #[inline]
    pub fn loses_to(&self, col: usize) -> bool {
        let other = 1 - self.to_move();
        has_four(self.discs[other] | bit(col, self.heights[col] as usize))
    }

    /// The game's result, if it is over.
    pub fn outcome(&self) -> Option<Outcome> {
        for side in 0..2 {
            if has_four(self.discs[side]) {
                return Some(Outcome::Win(side));
            }
        }
        self.is_full().then_some(Outcome::Draw)
    }

    /// The disc at (`row` from the top, `col`): `Some(side)` or `None`.
    pub fn cell(&self, row_from_top: usize, col: usize) -> Option<Side> {
        let b = bit(col, ROWS - 1 - row_from_top);
        (0..2).find(|&s| self.discs[s] & b != 0)
    }

    /// The board as rows from the top, 0 empty, 1 the first mover's disc,
    /// 2 the second mover's (PettingZoo's and most texts' convention).
    pub fn to_grid(&self) -> [[u8; COLS]; ROWS] {
        let mut g = [[0u8; COLS]; ROWS];
        for (r, row) in g.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = self.cell(r, c).map_or(0, |s| s as u8 + 1);
            }
        }
        g
    }

    /// Rebuilds a board from `to_grid`'s form, checking that it is a
    /// position real play can reach: values 0-2, no disc above a hole, the
    /// first mover with as many discs as the second or one more, and and
    /// no move after a four in a row.
    pub fn from_grid(grid: &[[u8; COLS]; ROWS]) -> Result<Board, String> {
        let mut b = Board::default();
        for c in 0..COLS {
            let mut hole = false;
            for (r, row) in grid.iter().enumerate().rev() {
                match row[c] {
                    0 => hole = true,
                    v @ (1 | 2) => {
                        if hole {
                            return Err(format!(
                                "column {c} has a disc in row {r} (from the top) above an empty cell"
                            ));
                        }
                        b.discs[usize::from(v - 1)] |= bit(c, ROWS - 1 - r);
                        b.heights[c] += 1;
                        b.moves += 1;
                    }
                    v => {
                        return Err(format!(
                            "cell (row {r}, column {c}) is {v}; expected 0 (empty), 1 or 2"
                        ))
                    }
                }
            }
        }
        let (first, second) = (b.discs[0].count_ones(), b.discs[1].count_ones());
        if first != second && first != second + 1 {
            return Err(format!(
                "the first mover has {first} discs and the second {second}; \
                 expected as many or one more for the first mover"
            ));
        }
        // The game stops at the first four: the winner made the last move.
        if has_four(b.discs[0]) && (has_four(b.discs[1]) || first != second + 1) {
            return Err("the first mover has four in a row but the game went on".into());
        }
        if has_four(b.discs[1]) && first != second {
            return Err("the second mover has four in a row but the game went on".into());
        }
        Ok(b)
    }

    /// Columns with room, as a bit set (bit `c` for column `c`).
    #[inline]
    pub fn legal(&self) -> u8 {
        let mut m = 0u8;
        for c in 0..COLS {
            if self.can_play(c) {
                m |= 1 << c;
            }
        }
        m
    }
}
