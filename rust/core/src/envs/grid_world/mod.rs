//! GridWorld: an agent walks a map of walls, lava and goals. Discrete(4)
//! actions (0 up, 1 right, 2 down, 3 left); with probability `slip` the move
//! goes to one of the two perpendicular directions instead.

mod map;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::env::{check_discrete, Env, Step};
use crate::error::{EnvError, MAX_REWARD_SCALE};
use crate::render::{Frame, Rgb};
use crate::rng::Rng;
use crate::space::{DType, Space};

pub use map::{generate_maze, Cell, Layout, Map, FOUR_ROOMS, OPEN_ROOM};

/// Image channels, in this order.
pub const CHANNELS: [&str; 4] = ["wall", "goal", "lava", "agent"];
const MOVES: [(isize, isize); 4] = [(-1, 0), (0, 1), (1, 0), (0, -1)];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObsMode {
    /// `[row, column]` of the agent, float32.
    #[default]
    Coords,
    /// Channels x height x width of 0/1 (wall, goal, lava, agent), float32.
    Image,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridWorldConfig {
    /// A built-in map, used unless `map` is given.
    pub layout: Layout,
    /// ASCII map text; overrides `layout`. At most `MAX_MAP_SIDE` (256)
    /// rows and columns.
    pub map: Option<String>,
    /// Side length (odd) of the `maze` layout, outer walls included.
    pub maze_size: usize,
    /// Seed of the `maze` layout (the maze is fixed for a given env).
    pub maze_seed: u64,
    /// Probability that a move goes sideways instead.
    pub slip: f64,
    /// Cost subtracted from the reward on every step. This and the two
    /// rewards below are finite numbers in [-1e6, 1e6] (`MAX_REWARD_SCALE`).
    pub step_cost: f64,
    pub goal_reward: f64,
    pub lava_reward: f64,
    /// Start on any floor cell instead of the `S` cells.
    pub random_start: bool,
    pub observation: ObsMode,
    /// Side of one cell in `rgb_array` frames, in pixels.
    pub cell_px: usize,
}

impl Default for GridWorldConfig {
    fn default() -> Self {
        GridWorldConfig {
            layout: Layout::OpenRoom,
            map: None,
            maze_size: 11,
            maze_seed: 0,
            slip: 0.0,
            step_cost: 0.01,
            goal_reward: 1.0,
            lava_reward: -1.0,
            random_start: false,
            observation: ObsMode::Coords,
            cell_px: 32,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridWorldState {
    /// Agent cell index, `row * width + column`.
    pub agent: usize,
    pub rng: Rng,
}

/// What never changes after construction, shared by every copy of an env
/// in a batch so that stepping reads one map instead of N.
#[derive(Debug)]
struct Shared {
    map: Map,
    /// Wall/goal/lava channels of the image observation, built once.
    static_image: Vec<f32>,
    cfg: GridWorldConfig,
}

#[derive(Debug, Clone)]
pub struct GridWorld {
    shared: Arc<Shared>,
    /// Agent cell index and its row and column, kept together so that a
    /// step needs no integer division.
    agent: usize,
    row: usize,
    col: usize,
    rng: Rng,
}

fn check_finite(field: &str, v: f64) -> Result<(), EnvError> {
    crate::error::check_in(
        GridWorld::NAME,
        field,
        v,
        -MAX_REWARD_SCALE,
        MAX_REWARD_SCALE,
    )
}

impl GridWorld {
    pub fn map(&self) -> &Map {
        &self.shared.map
    }

    /// Agent position as (row, column).
    pub fn agent(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    fn place(&mut self, cell: usize) {
        self.agent = cell;
        self.row = cell / self.shared.map.width;
        self.col = cell % self.shared.map.width;
    }

    #[inline]
    fn write_obs(&self, obs: &mut [f32]) {
        match self.shared.cfg.observation {
            ObsMode::Coords => {
                obs[0] = self.row as f32;
                obs[1] = self.col as f32;
            }
            ObsMode::Image => {
                let plane = self.shared.map.cells.len();
                obs[..3 * plane].copy_from_slice(&self.shared.static_image);
                obs[3 * plane..].fill(0.0);
                obs[3 * plane + self.agent] = 1.0;
            }
        }
    }
}

impl Env for GridWorld {
    type Config = GridWorldConfig;
    type State = GridWorldState;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = "GridWorld";

    fn new(cfg: &GridWorldConfig) -> Result<Self, EnvError> {
        if !(0.0..=1.0).contains(&cfg.slip) {
            return Err(EnvError::config(
                Self::NAME,
                "slip",
                cfg.slip,
                "a probability in [0, 1]",
            ));
        }
        check_finite("step_cost", cfg.step_cost)?;
        check_finite("goal_reward", cfg.goal_reward)?;
        check_finite("lava_reward", cfg.lava_reward)?;
        if !(1..=64).contains(&cfg.cell_px) {
            return Err(EnvError::config(
                Self::NAME,
                "cell_px",
                cfg.cell_px,
                "an integer in [1, 64]",
            ));
        }
        let text = match (&cfg.map, cfg.layout) {
            (Some(text), _) => text.clone(),
            (None, Layout::OpenRoom) => OPEN_ROOM.to_string(),
            (None, Layout::FourRooms) => FOUR_ROOMS.to_string(),
            (None, Layout::Maze) => generate_maze(cfg.maze_size, cfg.maze_seed)?,
        };
        let map = Map::parse(&text, cfg.random_start)?;
        let plane = map.cells.len();
        let mut static_image = vec![0.0f32; 3 * plane];
        for (i, cell) in map.cells.iter().enumerate() {
            match cell {
                Cell::Wall => static_image[i] = 1.0,
                Cell::Goal => static_image[plane + i] = 1.0,
                Cell::Lava => static_image[2 * plane + i] = 1.0,
                Cell::Floor => {}
            }
        }
        let start = map.starts[0];
        let mut env = GridWorld {
            shared: Arc::new(Shared {
                map,
                static_image,
                cfg: cfg.clone(),
            }),
            agent: 0,
            row: 0,
            col: 0,
            rng: Rng::new(0),
        };
        env.place(start);
        Ok(env)
    }

    fn observation_space(&self) -> Space {
        let (h, w) = (self.shared.map.height, self.shared.map.width);
        match self.shared.cfg.observation {
            ObsMode::Coords => Space::Box {
                low: vec![0.0, 0.0],
                high: vec![(h - 1) as f64, (w - 1) as f64],
                shape: vec![2],
                dtype: DType::F32,
            },
            ObsMode::Image => Space::uniform_box(0.0, 1.0, &[CHANNELS.len(), h, w], DType::F32),
        }
    }

    fn action_space(&self) -> Space {
        Space::discrete(4)
    }

    fn seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    fn reset(&mut self, obs: &mut [f32]) {
        let starts = &self.shared.map.starts;
        let start = if starts.len() == 1 {
            starts[0]
        } else {
            starts[self.rng.below(starts.len() as u64) as usize]
        };
        self.place(start);
        self.write_obs(obs);
    }

    #[inline]
    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        let mut dir = action as usize;
        if self.shared.cfg.slip > 0.0 {
            let u = self.rng.uniform();
            if u < self.shared.cfg.slip {
                // Perpendicular: one quarter turn left or right.
                dir = if u < self.shared.cfg.slip / 2.0 {
                    (dir + 1) % 4
                } else {
                    (dir + 3) % 4
                };
            }
        }
        let (dr, dc) = MOVES[dir];
        let (nr, nc) = (
            self.row.wrapping_add_signed(dr),
            self.col.wrapping_add_signed(dc),
        );
        // A negative coordinate wraps to a huge one, so one comparison each
        // covers both edges.
        if nr < self.shared.map.height && nc < self.shared.map.width {
            let target = nr * self.shared.map.width + nc;
            if self.shared.map.cells[target] != Cell::Wall {
                self.agent = target;
                self.row = nr;
                self.col = nc;
            }
        }
        let mut reward = -self.shared.cfg.step_cost;
        let terminated = match self.shared.map.cells[self.agent] {
            Cell::Goal => {
                reward += self.shared.cfg.goal_reward;
                true
            }
            Cell::Lava => {
                reward += self.shared.cfg.lava_reward;
                true
            }
            _ => false,
        };
        self.write_obs(obs);
        Step {
            reward,
            terminated,
            truncated: false,
        }
    }

    #[inline]
    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        check_discrete(Self::NAME, action, 4)
    }

    fn state(&self) -> GridWorldState {
        GridWorldState {
            agent: self.agent,
            rng: self.rng.clone(),
        }
    }

    fn set_state(&mut self, state: GridWorldState) -> Result<(), EnvError> {
        match self.shared.map.cells.get(state.agent) {
            None => Err(EnvError::state(
                Self::NAME,
                format!(
                    "agent cell {} is outside the {}x{} map",
                    state.agent, self.shared.map.height, self.shared.map.width
                ),
            )),
            Some(Cell::Wall) => Err(EnvError::state(
                Self::NAME,
                format!("agent cell {} is a wall", state.agent),
            )),
            Some(_) => {
                self.place(state.agent);
                self.rng = state.rng;
                Ok(())
            }
        }
    }

    fn render_ansi(&self) -> String {
        self.shared.map.to_text(Some(self.agent))
    }

    fn render_rgb(&self) -> Frame {
        const FLOOR: Rgb = [235, 235, 235];
        const WALL: Rgb = [60, 60, 60];
        const GOAL: Rgb = [40, 170, 70];
        const LAVA: Rgb = [220, 80, 30];
        const AGENT: Rgb = [30, 90, 220];
        let px = self.shared.cfg.cell_px;
        let (h, w) = (self.shared.map.height, self.shared.map.width);
        let mut f = Frame::new(w * px, h * px, FLOOR);
        for r in 0..h {
            for c in 0..w {
                let color = match self.shared.map.at(r, c) {
                    Cell::Wall => WALL,
                    Cell::Goal => GOAL,
                    Cell::Lava => LAVA,
                    Cell::Floor => continue,
                };
                let (x, y) = ((c * px) as f64, (r * px) as f64);
                f.fill_rect(x, y, x + px as f64, y + px as f64, color);
            }
        }
        let (r, c) = (self.row, self.col);
        let half = px as f64 / 2.0;
        f.fill_circle(
            (c * px) as f64 + half,
            (r * px) as f64 + half,
            half * 0.7,
            AGENT,
        );
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(cfg: GridWorldConfig) -> GridWorld {
        let mut g = GridWorld::new(&cfg).unwrap();
        g.seed(0);
        g
    }

    #[test]
    fn walks_to_goal_in_open_room() {
        let mut g = make(GridWorldConfig::default());
        let mut o = [0f32; 2];
        g.reset(&mut o);
        assert_eq!(o, [1.0, 1.0]);
        let mut total = 0.0;
        let mut last = Step::default();
        for a in [2, 2, 2, 2, 1, 1, 1, 1] {
            last = g.step(a, &mut o);
            total += last.reward;
        }
        assert!(last.terminated);
        assert_eq!(o, [5.0, 5.0]);
        assert!((total - (1.0 - 8.0 * 0.01)).abs() < 1e-12);
    }

    #[test]
    fn walls_block_and_lava_terminates() {
        let cfg = GridWorldConfig {
            map: Some("#####\n#SLG#\n#####".into()),
            ..Default::default()
        };
        let mut g = make(cfg);
        let mut o = [0f32; 2];
        g.reset(&mut o);
        g.step(0, &mut o);
        assert_eq!(o, [1.0, 1.0]);
        let s = g.step(1, &mut o);
        assert!(s.terminated);
        assert!((s.reward - (-1.01)).abs() < 1e-12);
    }

    #[test]
    fn slip_is_seeded() {
        let cfg = GridWorldConfig {
            slip: 0.5,
            layout: Layout::FourRooms,
            ..Default::default()
        };
        let run = |seed| {
            let mut g = make(cfg.clone());
            g.seed(seed);
            let mut o = [0f32; 2];
            g.reset(&mut o);
            (0..50)
                .map(|i| {
                    g.step(i % 4, &mut o);
                    o
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn image_observation_marks_agent() {
        let cfg = GridWorldConfig {
            observation: ObsMode::Image,
            ..Default::default()
        };
        let mut g = make(cfg);
        let mut o = vec![0f32; g.obs_len()];
        g.reset(&mut o);
        let plane = 49;
        assert_eq!(o.len(), 4 * plane);
        assert_eq!(o[3 * plane + 8], 1.0);
        assert_eq!(o[3 * plane..].iter().sum::<f32>(), 1.0);
        assert_eq!(o[0], 1.0);
    }

    #[test]
    fn rejects_bad_config_and_state() {
        let bad = |cfg: GridWorldConfig| GridWorld::new(&cfg).unwrap_err().to_string();
        assert!(bad(GridWorldConfig {
            slip: 1.5,
            ..Default::default()
        })
        .contains("slip"));
        assert!(bad(GridWorldConfig {
            step_cost: f64::NAN,
            ..Default::default()
        })
        .contains("step_cost"));
        let mut g = make(GridWorldConfig::default());
        assert!(g
            .set_state(GridWorldState {
                agent: 0,
                rng: Rng::new(0)
            })
            .is_err());
        assert!(g
            .set_state(GridWorldState {
                agent: 999,
                rng: Rng::new(0)
            })
            .is_err());
    }
}
