//! Checking a state handed in from outside (`set_state`) before the desk
//! adopts it.

use super::super::config::{NAME, N_PRIORITIES, N_TIERS};
use super::{Desk, Sim};
use crate::error::EnvError;

impl Desk {
    /// Replaces the state after checking it fits this desk (refused
    /// without any change otherwise), then rebuilds the caches.
    pub fn set_state(&mut self, state: Sim) -> Result<(), EnvError> {
        let k = self.p.n_types();
        if state.engineers.len() != self.p.max_engineers {
            return Err(EnvError::state(
                NAME,
                format!(
                    "{} engineer slots; this env has {}",
                    state.engineers.len(),
                    self.p.max_engineers
                ),
            ));
        }
        let tickets = state
            .pending
            .iter()
            .chain(state.current.iter())
            .chain(state.engineers.iter().flat_map(|e| e.queue.iter()));
        for t in tickets {
            if t.kind as usize >= k
                || t.priority as usize >= N_PRIORITIES
                || t.tier as usize >= N_TIERS
            {
                return Err(EnvError::state(
                    NAME,
                    format!("ticket {} has an unknown type, priority or tier", t.id),
                ));
            }
        }
        // The simulation never exceeds `cap` (<= 64); processor sharing's
        // finish times sort a queue in a buffer of that size.
        if let Some(e) = state.engineers.iter().find(|e| e.queue.len() > self.p.cap) {
            return Err(EnvError::state(
                NAME,
                format!(
                    "an engineer holds {} tickets; cap is {}",
                    e.queue.len(),
                    self.p.cap
                ),
            ));
        }
        if state.engineers.iter().any(|e| e.skill.len() != k) {
            return Err(EnvError::state(
                NAME,
                format!("skill rows must have {k} entries"),
            ));
        }
        self.sim = state;
        self.tables_from_team = false;
        self.refresh_caches(true);
        Ok(())
    }
}
