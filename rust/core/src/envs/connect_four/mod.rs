//! ConnectFour: the agent drops discs into a 6x7 board against a built-in
//! opponent (random, greedy or minimax), or, with `opponent = "none"`, each
//! step plays for the side to move (two-player mode: self-play and the
//! PettingZoo env in python/ferrogym/envs/connect_four_pz.py share these
//! rules).
//!
//! Rules and bitboard in `board.rs`, opponents in `opponent.rs`, pictures
//! in `view.rs`.

mod board;
mod opponent;
#[cfg(test)]
mod tests;
mod view;

use serde::{Deserialize, Serialize};

use crate::env::{check_discrete, Env, InvalidActionMode, Step};
use crate::error::EnvError;
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, Space};

pub use board::{has_four, Board, Outcome, Side, COLS, ROWS};
pub use opponent::{heuristic, Opponent};

pub(crate) const NAME: &str = "ConnectFour";
/// Deepest minimax search accepted (7^8 leaves before pruning).
pub const MAX_DEPTH: u32 = 8;

/// Who moves first in a game against a built-in opponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum First {
    #[default]
    Agent,
    Opponent,
    /// Drawn from the env's generator at every reset.
    Random,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectFourConfig {
    /// The built-in opponent, or `none` for two-player mode.
    pub opponent: Opponent,
    /// Plies the minimax opponent searches, its own move included (1-8).
    pub depth: u32,
    /// Who moves first (`agent` only in two-player mode).
    pub first: First,
    /// A full column: raise, or play the next column to its right that has
    /// room (cyclically), with no penalty.
    pub invalid_action: InvalidActionMode,
}

impl Default for ConnectFourConfig {
    fn default() -> Self {
        ConnectFourConfig {
            opponent: Opponent::Random,
            depth: 4,
            first: First::Agent,
            invalid_action: InvalidActionMode::Raise,
        }
    }
}

impl ConnectFourConfig {
    fn validate(&self) -> Result<(), EnvError> {
        if !(1..=MAX_DEPTH).contains(&self.depth) {
            return Err(EnvError::config(
                NAME,
                "depth",
                self.depth,
                format!("an integer in [1, {MAX_DEPTH}]"),
            ));
        }
        if self.opponent == Opponent::None && self.first != First::Agent {
            return Err(EnvError::config(
                NAME,
                "first",
                format!("{:?}", self.first).to_lowercase(),
                "\"agent\" with opponent=\"none\" (two-player mode: each step plays for the side to move)",
            ));
        }
        Ok(())
    }
}

/// Everything that changes over a game, generator included, as plain data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectFourState {
    /// Rows from the top: 0 empty, 1 the first mover's disc, 2 the second's.
    pub board: [[u8; COLS]; ROWS],
    /// The side the agent plays: 1 (moves first) or 2.
    pub agent: u8,
    /// The column of the last disc played, if any (for the pictures).
    pub last: Option<u8>,
    pub rng: Rng,
}

#[derive(Debug, Clone)]
pub struct ConnectFour {
    p: ConnectFourConfig,
    board: Board,
    /// The side the agent plays (0 moves first).
    agent: Side,
    last: Option<u8>,
    rng: Rng,
}

impl ConnectFour {
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Whose point of view the observation takes: the agent's, or in
    /// two-player mode the side to move.
    fn viewer(&self) -> Side {
        if self.p.opponent == Opponent::None {
            self.board.to_move()
        } else {
            self.agent
        }
    }

    /// Plane 0: the viewer's discs, plane 1: the other side's; rows from
    /// the top, as the board is drawn.
    fn write_obs(&self, obs: &mut [f32]) {
        let me = self.viewer();
        let (own, other) = obs.split_at_mut(ROWS * COLS);
        for r in 0..ROWS {
            for c in 0..COLS {
                let cell = self.board.cell(r, c);
                own[r * COLS + c] = f32::from(u8::from(cell == Some(me)));
                other[r * COLS + c] = f32::from(u8::from(cell == Some(1 - me)));
            }
        }
    }

    /// The column actually played for `action`: itself, or with the
    /// fallback the next column to its right with room.
    fn resolve(&self, action: i64) -> usize {
        let col = action as usize;
        (0..COLS)
            .map(|k| (col + k) % COLS)
            .find(|&c| self.board.can_play(c))
            .unwrap_or(col)
    }

    fn drop_disc(&mut self, col: usize) {
        self.board.play(col);
        self.last = Some(col as u8);
    }

    fn opponent_moves(&mut self) {
        let col = opponent::choose(&self.board, self.p.opponent, self.p.depth, &mut self.rng);
        self.drop_disc(col);
    }
}

impl Env for ConnectFour {
    type Config = ConnectFourConfig;
    type State = ConnectFourState;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = NAME;

    fn new(config: &ConnectFourConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(ConnectFour {
            p: config.clone(),
            board: Board::default(),
            agent: 0,
            last: None,
            rng: Rng::new(0),
        })
    }

    fn observation_space(&self) -> Space {
        Space::uniform_box(0.0, 1.0, &[2, ROWS, COLS], DType::F32)
    }

    fn action_space(&self) -> Space {
        Space::discrete(COLS as i64)
    }

    fn obs_len(&self) -> usize {
        2 * ROWS * COLS
    }

    fn seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    fn reset(&mut self, obs: &mut [f32]) {
        self.board = Board::default();
        self.last = None;
        self.agent = match self.p.first {
            First::Agent => 0,
            First::Opponent => 1,
            First::Random => self.rng.below(2) as Side,
        };
        if self.agent == 1 {
            self.opponent_moves();
        }
        self.write_obs(obs);
    }

    /// Plays the agent's disc, then the opponent's reply unless the game is
    /// over. Reward for the agent (in two-player mode, for the side that
    /// just moved): +1 win, -1 loss, 0 otherwise. Stepping a finished game
    /// changes nothing (reward 0, terminated).
    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        let ended = |reward: f64| Step {
            reward,
            terminated: true,
            truncated: false,
        };
        let s = if self.board.outcome().is_some() {
            ended(0.0)
        } else {
            let mover = self.board.to_move();
            self.drop_disc(self.resolve(action));
            match self.board.outcome() {
                Some(Outcome::Win(_)) => ended(1.0),
                Some(Outcome::Draw) => ended(0.0),
                None if self.p.opponent == Opponent::None => Step::default(),
                None => {
                    debug_assert_eq!(mover, self.agent);
                    self.opponent_moves();
                    match self.board.outcome() {
                        Some(Outcome::Win(_)) => ended(-1.0),
                        Some(Outcome::Draw) => ended(0.0),
                        None => Step::default(),
                    }
                }
            }
        };
        self.write_obs(obs);
        s
    }

    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        check_discrete(NAME, action, COLS as i64)?;
        let col = action as usize;
        if self.board.outcome().is_none()
            && !self.board.can_play(col)
            && self.p.invalid_action == InvalidActionMode::Raise
        {
            return Err(EnvError::InvalidAction {
                env: NAME,
                value: format!("{col} (column {col} is full)"),
                expected: "a column allowed by action_masks() (a column with room), \
                           or invalid_action=\"fallback\""
                    .into(),
            });
        }
        Ok(())
    }

    /// Columns with room; every column once the game is over (any action
    /// is then a no-op), so that masked samplers never see an empty mask.
    fn action_mask(&self, mask: &mut [bool]) {
        let over = self.board.outcome().is_some();
        for (c, m) in mask.iter_mut().enumerate() {
            *m = over || self.board.can_play(c);
        }
    }

    fn state(&self) -> ConnectFourState {
        ConnectFourState {
            board: self.board.to_grid(),
            agent: self.agent as u8 + 1,
            last: self.last,
            rng: self.rng.clone(),
        }
    }

    fn set_state(&mut self, state: ConnectFourState) -> Result<(), EnvError> {
        let bad = |reason: String| EnvError::state(NAME, reason);
        let board = Board::from_grid(&state.board).map_err(bad)?;
        if !(1..=2).contains(&state.agent) {
            return Err(bad(format!("agent is {}; expected 1 or 2", state.agent)));
        }
        let agent = Side::from(state.agent - 1);
        if self.p.opponent != Opponent::None
            && board.outcome().is_none()
            && board.to_move() != agent
        {
            return Err(bad(format!(
                "side {} is to move but the agent plays side {}; a state between steps \
                 has the agent to move (or the game over)",
                board.to_move() + 1,
                state.agent
            )));
        }
        if let Some(c) = state.last {
            if c as usize >= COLS || board.heights[c as usize] == 0 {
                return Err(bad(format!("last = {c}; expected a column holding a disc")));
            }
        }
        self.board = board;
        self.agent = agent;
        self.last = state.last;
        self.rng = state.rng;
        Ok(())
    }

    fn render_ansi(&self) -> String {
        view::ansi(self)
    }

    fn render_rgb(&self) -> Frame {
        view::rgb(self)
    }
}
