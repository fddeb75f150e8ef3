//! The one trait every ferrogym environment implements.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::EnvError;
use crate::render::Frame;
use crate::space::{ObsField, Space};

/// Named float values an env reports in the step `info` under one key, e.g.
/// `info["reward_components"] = {"wait": -0.1, "sla": 0.0}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InfoGroup {
    pub key: &'static str,
    pub names: &'static [&'static str],
}

/// A table of named float columns (e.g. one row per resolved ticket).
pub type Table = Vec<(&'static str, Vec<f64>)>;

/// What one transition returns besides the observation, which is written into
/// a caller-owned slice. Time limits are not the env's business: the executor
/// (or Gymnasium's `TimeLimit`) adds them; `truncated` here is for envs with a
/// horizon of their own (a simulated day that ends).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Step {
    pub reward: f64,
    pub terminated: bool,
    pub truncated: bool,
}

/// An environment: dynamics only. Spaces are declared here once; the Python
/// layer derives its `gymnasium.spaces` from them.
///
/// Contract:
/// - `reset` and `step` write exactly `obs_len()` elements into `obs` and do
///   not allocate.
/// - The environment owns its random generator; `seed` replaces it. The same
///   seed and actions give the same observations, rewards and flags.
/// - `step` is only called with actions that `check_action` accepted.
pub trait Env: Sized + Send + Clone {
    /// Constructor arguments, deserialised from Python keyword arguments.
    type Config: Serialize + DeserializeOwned + Default + Clone + Send + Sync;
    /// Everything that changes over an episode, generator included.
    type State: Serialize + DeserializeOwned;
    /// Element type of the observation array.
    type Obs: Copy + Default + Send + Sync + 'static;
    /// One action (an integer for Discrete spaces).
    type Action: Copy + Send + Sync + std::fmt::Debug + 'static;

    /// Name used in error messages, e.g. "CartPole".
    const NAME: &'static str;

    /// Builds an env from a config, validating every field.
    fn new(config: &Self::Config) -> Result<Self, EnvError>;

    fn observation_space(&self) -> Space;
    fn action_space(&self) -> Space;

    /// Number of `Obs` elements in one observation.
    fn obs_len(&self) -> usize {
        self.observation_space().flat_len()
    }

    /// Replaces the generator with one built from `seed`.
    fn seed(&mut self, seed: u64);

    fn reset(&mut self, obs: &mut [Self::Obs]);

    fn step(&mut self, action: Self::Action, obs: &mut [Self::Obs]) -> Step;

    /// Hints the CPU to load the memory the next `step` will touch, beyond
    /// the env value itself (its heap buffers). The batch calls it one env
    /// ahead, so that envs whose state is larger than a few cache lines do not
    /// wait on memory; nothing by default.
    fn prefetch(&self) {}

    /// Accepts or rejects an action before any state changes.
    fn check_action(&self, action: Self::Action) -> Result<(), EnvError>;

    /// Valid actions now (all true unless the env restricts them).
    fn action_mask(&self, mask: &mut [bool]) {
        mask.fill(true);
    }

    fn state(&self) -> Self::State;

    /// Replaces the config from the next reset on, keeping the generator
    /// (a curriculum moves difficulty knobs per sub-env of a batch this way).
    /// The spaces must stay the same. Envs that cannot change their config
    /// after construction keep this default, which refuses.
    fn reconfigure(&mut self, _config: &Self::Config) -> Result<(), EnvError> {
        Err(EnvError::config(
            Self::NAME,
            "config",
            "a new config",
            "none: this env does not support changing its config after construction",
        ))
    }

    fn set_state(&mut self, state: Self::State) -> Result<(), EnvError>;

    /// Named lists the env's Python layer needs (action names, scenario
    /// names...), so each list has one home, here; none by default.
    fn names() -> &'static [(&'static str, &'static [&'static str])] {
        &[]
    }

    /// Groups of named floats for the step `info`; none by default, and the
    /// bindings then skip the info work entirely.
    fn info_groups(&self) -> &'static [InfoGroup] {
        &[]
    }

    /// Values of every group's names after the last step (or reset), in
    /// order, concatenated over the groups.
    fn info_values(&self, _out: &mut [f64]) {}

    /// The observation slice by slice; empty when an env does not describe it.
    fn obs_layout(&self) -> Vec<ObsField> {
        Vec::new()
    }

    /// The config with every default resolved, when the env has defaults
    /// that depend on other fields (presets); `None` otherwise.
    fn effective_config(&self) -> Option<Self::Config> {
        None
    }

    /// Named tables describing the episode so far, for analysis (KPIs).
    fn episode_log(&self) -> Vec<(&'static str, Table)> {
        Vec::new()
    }

    /// A text picture of the current state (`render_mode="ansi"`).
    fn render_ansi(&self) -> String;

    /// An RGB picture of the current state (`render_mode="rgb_array"`).
    fn render_rgb(&self) -> Frame;
}

/// What a masked env does with an action its mask forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidActionMode {
    /// Raise `InvalidAction` (masking algorithms never send one).
    #[default]
    Raise,
    /// Play a valid action instead (each env documents which, and any
    /// penalty), for algorithms without action masking (PPO, A2C, DQN).
    Fallback,
}

/// Discrete-action check shared by every env with a `Discrete(n)` space.
#[inline]
pub fn check_discrete(env: &'static str, action: i64, n: i64) -> Result<(), EnvError> {
    if (0..n).contains(&action) {
        Ok(())
    } else {
        Err(EnvError::InvalidAction {
            env,
            value: action.to_string(),
            expected: Space::discrete(n).describe(),
        })
    }
}
