//! What a planner needs to branch a desk: the end charge that keeps holding
//! from paying, and a future re-sampled for each branch.

use super::super::config::Service;
use super::{Desk, MAX_OPEN};
use crate::rng::Rng;

impl Desk {
    /// With `allow_hold`, the truncation charge of the backlog: each ticket
    /// (in backlog order) goes, on paper, to the present engineer who would
    /// finish it soonest, behind that engineer's open work and the tickets
    /// already put there on paper (on-shift minutes of service, as the
    /// queued tickets are charged: FIFO's queued work, processor sharing's
    /// last finish time, plus `work / skill` per ticket); the ticket pays
    /// `weight * max(that finish, backlog_end_minutes + mean_work[kind])`.
    /// So a ticket held to the end costs at least what routing it now to
    /// its best engineer would, and holding cannot dodge the end charge.
    pub(super) fn held_end_cost(&self) -> f64 {
        let slots = self.sim.engineers.len();
        let mut scratch = [0.0; MAX_OPEN];
        let mut load: Vec<(usize, f64)> = self
            .tables
            .present
            .iter()
            .map(|&i| {
                let i = i as usize;
                let busy = match self.p.service {
                    Service::Fifo => self.busy_left(i),
                    Service::ProcessorSharing => self.ps_busy_need(i, 0.0, &mut scratch).0,
                };
                (i, busy)
            })
            .collect();
        let mut cost = 0.0;
        for t in &self.sim.pending {
            let k = t.kind as usize;
            let mut best: Option<(usize, f64)> = None;
            for (j, &(i, busy)) in load.iter().enumerate() {
                let finish = busy + t.work / self.tables.skill(slots, i, k);
                if best.is_none_or(|(_, b)| finish < b) {
                    best = Some((j, finish));
                }
            }
            let flat = self.p.backlog_end_minutes + self.rates.mean_work[k];
            let finish = best.map_or(flat, |(j, finish)| {
                load[j].1 = finish;
                finish
            });
            cost += t.weight * finish.max(flat);
        }
        cost
    }

    /// Re-samples what the router cannot observe about the future, for one
    /// branch of a planner: fresh arrival and work streams seeded from
    /// `(episode, decision, sample)`, the next arrival drawn again from
    /// now, and the work of every ticket not yet assigned (the decision
    /// ticket, then the backlog in order) drawn again from its type's
    /// distribution. `episode` is a number drawn from a copy of the master
    /// generator (unchanged: it identifies the episode). Copies of one desk
    /// re-sampled with the same `(decision, sample)` see the same future
    /// whatever they do (common random numbers); the true work of the
    /// tickets in the backlog is not revealed to the branch.
    ///
    /// Under trace replay the branch stops reading the trace: its arrivals
    /// are drawn from the rates from now on (the rows still to come are
    /// the future the router cannot observe).
    pub fn resample_future(&mut self, decision: u64, sample: u64) {
        let episode = self.episode_number();
        self.sim.trace_next = None;
        let key = Rng::new(Rng::new(episode).next_u64() ^ decision).next_u64() ^ sample;
        let mut streams = Rng::new(key);
        self.sim.arrivals = streams.split();
        self.sim.work = streams.split();
        let sim = &mut self.sim;
        for t in sim.current.iter_mut().chain(sim.pending.iter_mut()) {
            let k = t.kind as usize;
            t.work = (self.rates.mu[k] + self.p.work_sigma[k] * sim.work.normal()).exp();
        }
        if !self.sim.ended {
            self.sim.next_arrival = self.draw_next_arrival(self.sim.now);
        }
    }
}
