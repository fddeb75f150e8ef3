//! TicketRouting: route each incoming support ticket to an engineer.
//!
//! A continuous-time discrete-event simulation of a help desk, `Desk`
//! (`sim.rs`, its records in `team.rs`, its arrival and service constants in
//! `rates.rs`); the env holds one desk and reads it: one `step` is one
//! routing decision. The configuration and its scenario presets are in
//! `config.rs` / `scenarios.rs`, the observation in `obs.rs`, the reward and
//! its accumulator in `reward.rs`, the pictures in `view.rs`. Modules depend
//! downwards only: config <- rates, reward <- team <- tables <- sim <- obs,
//! view <- this env (and the multi-team env, which composes desks).
//!
//! Randomness: `seed` sets a master generator; every reset splits from it, in
//! this order, the arrivals stream, the work stream, the skills stream and the
//! layout stream. Tickets (arrival times, attributes, work content) depend
//! only on the first two, so every policy sees the same tickets for the same
//! seed (common random numbers).

mod config;
mod log;
mod obs;
mod planner;
mod rates;
mod reward;
mod scenarios;
mod sim;
mod tables;
mod team;
mod view;

use crate::env::{InfoGroup, Table};
use crate::error::EnvError;
use crate::prefetch::{prefetch_ptr, prefetch_slice};
use crate::render::Frame;
use crate::space::{DType, ObsField, Space};
use crate::Env;
use crate::Step;

pub(crate) use config::NAME;
pub use config::{
    InvalidActionMode, Params, Scenario, Service, TicketRoutingConfig, FIELD_NAMES, N_PRIORITIES,
    N_TIERS, PRIORITY_NAMES, TIER_NAMES,
};
pub use log::episode_tables;
pub use obs::ENGINEER_FEATURES;
pub use obs::{layout as obs_layout, len as obs_len, write as write_obs};
pub use planner::{BaseRule, CandidateCosts, Planner, PlannerConfig};
pub use reward::Acc;
pub use reward::{COMPONENT_NAMES, N_COMPONENTS};
pub use sim::{Desk, Sim};
pub use team::{Engineer, Resolved, Ticket};
pub use view::{ansi as view_ansi, PRIORITY_COLORS};

const INFO: &[InfoGroup] = &[
    InfoGroup {
        key: "reward_components",
        names: &COMPONENT_NAMES,
    },
    InfoGroup {
        key: "sim",
        names: &["minutes", "backlog", "backlog_overflow", "auto_assigned"],
    },
];

/// The env: a help desk (`Desk`) seen through the observation, reward,
/// mask and view.
#[derive(Debug, Clone)]
pub struct TicketRouting {
    desk: Desk,
}

impl TicketRouting {
    pub fn params(&self) -> &Params {
        self.desk.params()
    }

    pub fn sim(&self) -> &Sim {
        self.desk.sim()
    }

    /// The help desk this env reads.
    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    /// Re-samples the hidden future of this copy (`Desk::resample_future`),
    /// so that a planner can branch clones of the env under common random
    /// numbers without reading what the router cannot observe.
    pub fn resample_future(&mut self, decision: u64, sample: u64) {
        self.desk.resample_future(decision, sample);
    }
}

impl Env for TicketRouting {
    type Config = TicketRoutingConfig;
    type State = Sim;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = NAME;

    fn new(config: &TicketRoutingConfig) -> Result<Self, EnvError> {
        Ok(TicketRouting {
            desk: Desk::new(config.resolve()?),
        })
    }

    fn observation_space(&self) -> Space {
        Space::from_layout(&self.obs_layout(), DType::F32)
    }

    fn action_space(&self) -> Space {
        Space::discrete(self.desk.n_actions() as i64)
    }

    fn obs_len(&self) -> usize {
        obs::len(&self.desk.p)
    }

    fn seed(&mut self, seed: u64) {
        self.desk.seed(seed);
    }

    fn reset(&mut self, obs: &mut [f32]) {
        self.desk.start_episode();
        // Costs accrued before the first decision are paid with the first step.
        self.desk.advance();
        obs::write(&self.desk, obs);
    }

    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        if !self.desk.act(action as usize) {
            // Only reachable when the episode ended before its first
            // decision (no engineer ever available): nothing to route.
            self.desk.sim.last = [0.0; N_COMPONENTS];
            obs::write(&self.desk, obs);
            return Step {
                reward: 0.0,
                terminated: false,
                truncated: true,
            };
        }
        self.desk.advance();
        let (_, reward) = self.desk.pay();
        obs::write(&self.desk, obs);
        Step {
            reward,
            terminated: false,
            truncated: self.desk.sim.ended,
        }
    }

    fn prefetch(&self) {
        let sim = &self.desk.sim;
        // Only what decisions read: lines 0 and 1 of each present engineer
        // (see `Engineer`; line 1 at least for those on shift, which the
        // integral updates), not the absent ones nor line 2.
        let engineers = sim.engineers.as_ptr();
        for &i in &self.desk.tables.present {
            let e = engineers.wrapping_add(i as usize).cast::<u8>();
            prefetch_ptr(e);
            prefetch_ptr(e.wrapping_add(64));
        }
        prefetch_slice(&sim.pending);
        prefetch_slice(&self.desk.queued);
        prefetch_slice(&self.desk.queued_weight);
        prefetch_slice(&self.desk.engineer_next);
        // Where the next resolved ticket will be written.
        prefetch_ptr(sim.resolved.as_ptr().wrapping_add(sim.resolved.len()));
    }

    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        let m = self.desk.p.max_engineers as i64;
        if action == m && !self.desk.p.allow_hold {
            return Err(EnvError::InvalidAction {
                env: NAME,
                value: format!("{action} (hold)"),
                expected: format!(
                    "an action of Discrete({m}), an engineer slot: this env has no hold \
                     action (allow_hold=True adds it as action {m})"
                ),
            });
        }
        crate::env::check_discrete(NAME, action, self.desk.n_actions() as i64)?;
        // The mode first: it is shared by the batch (in cache), the state is not.
        if self.desk.p.invalid_action == InvalidActionMode::Fallback
            || self.desk.sim.current.is_none()
            || self.desk.is_hold(action as usize)
            || self.desk.valid(action as usize)
        {
            return Ok(());
        }
        let valid: Vec<usize> = (0..self.desk.p.max_engineers)
            .filter(|&i| self.desk.valid(i))
            .collect();
        let e = &self.desk.sim.engineers[action as usize];
        let why = if !e.present {
            "an empty slot"
        } else if !e.on_shift {
            "off shift"
        } else {
            "at capacity"
        };
        Err(EnvError::InvalidAction {
            env: NAME,
            value: format!("{action} (engineer slot {action} is {why})"),
            expected: format!(
                "a valid engineer slot, one of {valid:?} (see action_masks(); \
                 or invalid_action=\"fallback\")"
            ),
        })
    }

    fn action_mask(&self, mask: &mut [bool]) {
        self.desk.action_mask(mask);
    }

    fn state(&self) -> Sim {
        self.desk.sim.clone()
    }

    fn set_state(&mut self, state: Sim) -> Result<(), EnvError> {
        self.desk.set_state(state)
    }

    fn names() -> &'static [(&'static str, &'static [&'static str])] {
        &[("scenarios", &config::SCENARIO_NAMES)]
    }

    fn info_groups(&self) -> &'static [InfoGroup] {
        INFO
    }

    fn info_values(&self, out: &mut [f64]) {
        out[..N_COMPONENTS].copy_from_slice(&self.desk.sim.last);
        out[N_COMPONENTS] = self.desk.sim.now;
        out[N_COMPONENTS + 1] = self.desk.sim.pending.len() as i64 as f64;
        out[N_COMPONENTS + 2] = f64::from(u8::from(self.desk.sim.overflow));
        out[N_COMPONENTS + 3] = f64::from(self.desk.sim.auto_assigned);
    }

    fn obs_layout(&self) -> Vec<ObsField> {
        obs::layout(&self.desk.p)
    }

    fn effective_config(&self) -> Option<TicketRoutingConfig> {
        Some(self.desk.p.to_config())
    }

    fn episode_log(&self) -> Vec<(&'static str, Table)> {
        log::episode_tables(&self.desk)
    }

    fn render_ansi(&self) -> String {
        view::ansi(&self.desk)
    }

    fn render_rgb(&self) -> Frame {
        view::draw(&self.desk)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod trace_tests;
