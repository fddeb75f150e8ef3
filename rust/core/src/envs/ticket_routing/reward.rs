//! Reward components. The reward is their sum, in this order; each is also
//! reported by name in `info["reward_components"]`. The simulation adds
//! to the accumulator (`Acc`) as time passes; a step pays it out here.

use serde::{Deserialize, Serialize};

use super::config::{Params, N_PRIORITIES};

pub const N_COMPONENTS: usize = 5;
pub const COMPONENT_NAMES: [&str; N_COMPONENTS] =
    ["wait", "sla", "burnout", "backlog_end", "invalid_action"];

/// Quantities summed since the last reward was paid.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Acc {
    /// Integral of the open tickets' weight over time (weighted minutes).
    pub wait: f64,
    /// Integral of open tickets above the soft cap (ticket-minutes).
    pub over: f64,
    pub breaches: [u32; N_PRIORITIES],
    /// Weighted minutes charged for work left at truncation.
    pub end: f64,
    pub invalid: u32,
}

/// Turns the accumulators since the last decision into reward components:
/// minus the weighted open hours, minus SLA breach penalties, minus the
/// ticket-hours above the soft cap, minus the weighted hours charged for work
/// left at truncation, minus the fallback penalty.
pub fn components(p: &Params, acc: &Acc) -> [f64; N_COMPONENTS] {
    let mut sla = 0.0;
    for (pen, n) in p.sla_penalty.iter().zip(acc.breaches) {
        sla += pen * f64::from(n);
    }
    // `0.0 - x` rather than `-x`: no negative zeros in the reported values.
    [
        0.0 - p.wait_weight * acc.wait / 60.0,
        0.0 - sla,
        0.0 - p.burnout_weight * acc.over / 60.0,
        0.0 - p.wait_weight * acc.end / 60.0,
        0.0 - p.invalid_action_penalty * f64::from(acc.invalid),
    ]
}

pub fn total(c: &[f64; N_COMPONENTS]) -> f64 {
    c[0] + c[1] + c[2] + c[3] + c[4]
}
