//! Trace replay: arrivals read from `arrival_trace` instead of drawn from
//! the rates (see the header of `sim.rs`).

use super::Desk;
use crate::rng::Rng;

/// Mixed into the episode number for the work of trace rows whose work is
/// unknown, so that it shares no stream with a planner's branches.
pub(crate) const TRACE_WORK_KEY: u64 = 0x7472_6163_655f_776b; // "trace_wk"

impl Desk {
    /// The episode's number: the master generator's next output, which no
    /// draw changes during an episode (each reset splits the purpose
    /// streams from it first), so it identifies the episode.
    pub(super) fn episode_number(&self) -> u64 {
        self.sim.rng.clone().next_u64()
    }

    /// Minute of trace row `row`; the horizon past the last row (no more
    /// arrivals, as the sampled arrivals return past the horizon).
    #[inline]
    pub(super) fn trace_minute(&self, row: usize) -> f64 {
        self.p
            .arrival_trace
            .get(row)
            .map_or(self.rates.horizon, |r| r[0])
    }

    /// Type, priority, tier and skill-1 work of trace row `row` (validated
    /// indices); unknown work is drawn from a generator seeded by the
    /// episode and the row alone: every policy replaying the episode gets
    /// the same work, whatever it did before.
    pub(super) fn trace_ticket(&self, row: usize) -> (usize, usize, usize, f64) {
        let r = &self.p.arrival_trace[row];
        let (kind, priority, tier) = (r[1] as usize, r[2] as usize, r[3] as usize);
        let work = if r[4] > 0.0 {
            r[4]
        } else {
            let key = Rng::new(self.episode_number() ^ TRACE_WORK_KEY).next_u64() ^ row as u64;
            let z = Rng::new(key).normal();
            (self.rates.mu[kind] + self.p.work_sigma[kind] * z).exp()
        };
        (kind, priority, tier, work)
    }

    /// The trace position and first arrival of a new episode (trace mode).
    pub(super) fn start_trace(&mut self) {
        self.sim.trace_next = Some(0);
        self.sim.next_arrival = self.trace_minute(0);
    }
}
