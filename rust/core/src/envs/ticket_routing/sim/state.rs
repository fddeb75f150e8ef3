//! Checking a state handed in from outside (`set_state`) before the desk
//! adopts it.

use super::super::config::{NAME, N_PRIORITIES, N_TIERS};
use super::super::rates::DAY;
use super::{Desk, Sim};
use crate::error::EnvError;

impl Desk {
    /// Replaces the state after checking it fits this desk (refused
    /// without any change otherwise), then rebuilds the caches.
    pub fn set_state(&mut self, state: Sim) -> Result<(), EnvError> {
        self.check_values(&state)?;
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

    /// Refuses times and amounts no episode of this desk can reach (NaN,
    /// infinities, negatives, beyond the horizon), naming the key.
    fn check_values(&self, s: &Sim) -> Result<(), EnvError> {
        let horizon = self.rates.horizon;
        let bad = |key: &str, value: f64, expected: &str| {
            Err(EnvError::state(
                NAME,
                format!("{key} = {value}; expected {expected}"),
            ))
        };
        if !(0.0..=horizon).contains(&s.now) {
            return bad("now", s.now, &format!("a time in [0, {horizon}] minutes"));
        }
        let arrival_ok = (s.now..=horizon).contains(&s.next_arrival)
            || (s.ended && s.next_arrival == f64::INFINITY);
        if !arrival_ok {
            return bad(
                "next_arrival",
                s.next_arrival,
                &format!("a time in [now, {horizon}] minutes (or inf once ended)"),
            );
        }
        if !(s.open_weight.is_finite() && s.open_weight >= -1e-6) {
            return bad("open_weight", s.open_weight, "a finite number >= 0");
        }
        if s.pending.len() > self.p.max_backlog + 1 {
            return bad(
                "pending",
                s.pending.len() as f64,
                &format!(
                    "at most max_backlog + 1 = {} tickets",
                    self.p.max_backlog + 1
                ),
            );
        }
        if let Some(row) = s.trace_next {
            let rows = self.p.arrival_trace.len();
            if rows == 0 || row as usize > rows {
                return bad(
                    "trace_next",
                    f64::from(row),
                    &format!("a row of arrival_trace in [0, {rows}] (None without a trace)"),
                );
            }
            let minute = self.trace_minute(row as usize);
            if !s.ended && s.next_arrival != minute {
                return bad(
                    "next_arrival",
                    s.next_arrival,
                    &format!("{minute}, the minute of arrival_trace row trace_next = {row}"),
                );
            }
        }
        let held = s.pending.iter().filter(|t| t.held).count();
        if held != s.held as usize {
            return bad(
                "held",
                f64::from(s.held),
                &format!("{held}, the held backlog tickets"),
            );
        }
        let tickets = s
            .pending
            .iter()
            .chain(s.current.iter())
            .chain(s.engineers.iter().flat_map(|e| e.queue.iter()));
        for t in tickets {
            let fields = [
                ("work", t.work, t.work.is_finite() && t.work > 0.0),
                ("weight", t.weight, t.weight.is_finite() && t.weight >= 0.0),
                ("arrival", t.arrival, (0.0..=s.now).contains(&t.arrival)),
                (
                    "deadline",
                    t.deadline,
                    t.deadline.is_finite() && t.deadline >= t.arrival,
                ),
                (
                    "pickup",
                    t.pickup,
                    t.pickup == -1.0 || (0.0..=s.now).contains(&t.pickup),
                ),
                ("tau", t.tau, t.tau.is_finite() && t.tau >= 0.0),
            ];
            if let Some((key, v, _)) = fields.iter().find(|f| !f.2) {
                return bad(
                    &format!("ticket {}: {key}", t.id),
                    *v,
                    "a finite value within the episode",
                );
            }
        }
        for (i, e) in s.engineers.iter().enumerate() {
            let fields = [
                ("completion", e.completion, e.completion >= s.now),
                ("next_change", e.next_change, e.next_change >= s.now),
                (
                    "remaining",
                    e.remaining,
                    e.remaining.is_finite() && e.remaining >= 0.0,
                ),
                ("fatigue", e.fatigue, (0.0..=1.0).contains(&e.fatigue)),
                (
                    "shift_start",
                    e.shift_start,
                    (0.0..=DAY).contains(&e.shift_start),
                ),
                (
                    "shift_end",
                    e.shift_end,
                    (0.0..=DAY).contains(&e.shift_end) && e.shift_end >= e.shift_start,
                ),
                ("updated", e.updated, (0.0..=s.now).contains(&e.updated)),
                ("last_assign", e.last_assign, e.last_assign <= s.now),
            ];
            if let Some((key, v, _)) = fields.iter().find(|f| !f.2) {
                return bad(
                    &format!("engineers[{i}].{key}"),
                    *v,
                    "a value this desk can reach",
                );
            }
            if e.skill.iter().any(|x| !(*x > 0.0 && *x <= 1.0)) && e.present {
                return Err(EnvError::state(
                    NAME,
                    format!(
                        "engineers[{i}].skill = {:?}; expected values in (0, 1]",
                        e.skill
                    ),
                ));
            }
        }
        Ok(())
    }
}
