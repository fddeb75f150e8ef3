//! Template: a new Rust env in one file. Copy this file, rename `Corridor`,
//! and follow docs/new_rust_env.md (one `bind_env!` line, two `add_class`
//! lines, two stub lines, a thin Python module and one ENVS row).
//!
//! The env: an agent in a corridor of `length` cells starts at a random cell
//! and walks left (0) or right (1); reaching the right end terminates the
//! episode with reward +1, every other step costs `step_cost`.

use serde::{Deserialize, Serialize};

use crate::env::{check_discrete, Env, Step};
use crate::error::{check_in, EnvError, MAX_REWARD_SCALE};
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, Space};

/// Longest corridor.
pub const MAX_LENGTH: u32 = 1024;

/// Constructor arguments (Python keyword arguments); unknown names are errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorridorConfig {
    /// Number of cells, in [2, `MAX_LENGTH` = 1024] (default 8).
    pub length: Option<u32>,
    /// Cost of every step that does not reach the end, in [-1e6, 1e6]
    /// (`MAX_REWARD_SCALE`; default 0.01).
    pub step_cost: Option<f64>,
}

/// Everything that changes over an episode, generator included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorridorState {
    pub pos: u32,
    pub rng: Rng,
}

#[derive(Debug, Clone)]
pub struct Corridor {
    length: u32,
    step_cost: f64,
    pos: u32,
    rng: Rng,
}

impl Env for Corridor {
    type Config = CorridorConfig;
    type State = CorridorState;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = "Corridor";

    fn new(config: &CorridorConfig) -> Result<Self, EnvError> {
        // Every field gets an upper bound: the frame is sized by `length`.
        let length = config.length.unwrap_or(8);
        if !(2..=MAX_LENGTH).contains(&length) {
            return Err(EnvError::config(
                Self::NAME,
                "length",
                length,
                format!("an integer in [2, {MAX_LENGTH}]"),
            ));
        }
        let step_cost = config.step_cost.unwrap_or(0.01);
        check_in(
            Self::NAME,
            "step_cost",
            step_cost,
            -MAX_REWARD_SCALE,
            MAX_REWARD_SCALE,
        )?;
        Ok(Corridor {
            length,
            step_cost,
            pos: 0,
            rng: Rng::new(0),
        })
    }

    // Spaces are declared here once; Python derives gymnasium spaces from them.
    fn observation_space(&self) -> Space {
        Space::uniform_box(0.0, (self.length - 1) as f64, &[1], DType::F32)
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    fn reset(&mut self, obs: &mut [f32]) {
        // Any cell but the goal.
        self.pos = self.rng.below(u64::from(self.length - 1)) as u32;
        obs[0] = self.pos as f32;
    }

    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        if action == 1 {
            self.pos = (self.pos + 1).min(self.length - 1);
        } else {
            self.pos = self.pos.saturating_sub(1);
        }
        obs[0] = self.pos as f32;
        let terminated = self.pos == self.length - 1;
        let reward = if terminated { 1.0 } else { -self.step_cost };
        Step {
            reward,
            terminated,
            truncated: false,
        }
    }

    #[inline]
    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        check_discrete(Self::NAME, action, 2)
    }

    fn state(&self) -> CorridorState {
        CorridorState {
            pos: self.pos,
            rng: self.rng.clone(),
        }
    }

    fn set_state(&mut self, state: CorridorState) -> Result<(), EnvError> {
        if state.pos >= self.length {
            return Err(EnvError::state(
                Self::NAME,
                format!(
                    "pos {} outside a corridor of length {}",
                    state.pos, self.length
                ),
            ));
        }
        self.pos = state.pos;
        self.rng = state.rng;
        Ok(())
    }

    fn render_ansi(&self) -> String {
        (0..self.length)
            .map(|i| {
                if i == self.pos {
                    'A'
                } else if i == self.length - 1 {
                    'G'
                } else {
                    '.'
                }
            })
            .chain(std::iter::once('\n'))
            .collect()
    }

    fn render_rgb(&self) -> Frame {
        const CELL: f64 = 16.0;
        let mut f = Frame::new(
            self.length as usize * CELL as usize,
            CELL as usize,
            [255, 255, 255],
        );
        let goal = f64::from(self.length - 1) * CELL;
        f.fill_rect(goal, 0.0, goal + CELL, CELL, [0, 160, 0]);
        let x = f64::from(self.pos) * CELL;
        f.fill_rect(x + 2.0, 2.0, x + CELL - 2.0, CELL - 2.0, [200, 40, 40]);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walking_right_reaches_the_goal() {
        let mut e = Corridor::new(&CorridorConfig::default()).unwrap();
        e.seed(1);
        let mut o = [0f32; 1];
        e.reset(&mut o);
        let mut s = Step::default();
        for _ in 0..8 {
            s = e.step(1, &mut o);
            if s.terminated {
                break;
            }
        }
        assert!(s.terminated);
        assert_eq!(s.reward, 1.0);
        assert_eq!(o[0], 7.0);
    }

    #[test]
    fn rejects_bad_config_action_and_state() {
        let bad = CorridorConfig {
            length: Some(1),
            ..Default::default()
        };
        assert!(Corridor::new(&bad).is_err());
        let e = Corridor::new(&CorridorConfig::default()).unwrap();
        assert!(e.check_action(2).is_err());
        let mut e2 = e.clone();
        assert!(e2
            .set_state(CorridorState {
                pos: 99,
                rng: Rng::new(0)
            })
            .is_err());
    }
}
