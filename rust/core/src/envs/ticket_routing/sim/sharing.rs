//! Processor sharing with a context-switch penalty (`service:
//! processor_sharing`; the definition is in `sim.rs`'s header).
//!
//! Each ticket keeps `tau`, the minutes of its engineer's undivided time it
//! still needs (skill-1 work left over the skill): all of an engineer's
//! tickets progress at `rate_j = skill[k_j] / s(n)`, so every `tau` falls by
//! the same elapsed on-shift minutes over `s(n)` (one division per engineer
//! and event), and the first to finish is the lowest `tau`.
//!
//! Kept apart from the FIFO path: `assign`, `complete`, `change_shift` and
//! `end` branch here once per event, and the observation once per engineer.
//! Caches: `engineer_next` is updated with every `completion` change; the
//! SLA bookkeeping goes through `resolve` as FIFO's; `queued` stays 0.

use super::super::team::{Engineer, Ticket};
use super::Desk;

/// The most open tickets an engineer can hold (`cap <= 64`), plus one for
/// the ticket an ETA adds: the sort buffers live on the stack.
pub(crate) const MAX_OPEN: usize = 65;

/// `s(m) = m * (1 + p * (m - 1))`: how many times longer than alone a
/// ticket takes while `m` tickets share the engineer.
#[inline]
fn stretch(m: usize, p: f64) -> f64 {
    let m = m as f64;
    m * (1.0 + p * (m - 1.0))
}

impl Engineer {
    /// How far every open ticket's `tau` has fallen since `updated`: the
    /// elapsed on-shift minutes over `s(n)` (0 off shift or idle).
    #[inline]
    fn ps_progress(&self, now: f64, p: f64) -> f64 {
        let n = self.queue.len();
        if self.on_shift && n > 0 {
            (now - self.updated) / stretch(n, p)
        } else {
            0.0
        }
    }

    /// Brings every open ticket's `tau` up to `now`.
    fn ps_update(&mut self, now: f64, p: f64) {
        let d = self.ps_progress(now, p);
        if d > 0.0 {
            for t in self.queue.iter_mut() {
                t.tau = (t.tau - d).max(0.0);
            }
        }
        self.updated = now;
    }

    /// The ticket that finishes first (the lowest `tau`, lowest queue
    /// position on ties) and its minutes from `updated`: `tau * s(n)`.
    fn ps_first(&self, p: f64) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for (j, t) in self.queue.iter().enumerate() {
            if best.is_none_or(|(_, b)| t.tau < b) {
                best = Some((j, t.tau));
            }
        }
        best.map(|(j, tau)| (j, tau * stretch(self.queue.len(), p)))
    }

    /// Sets `completion` from up-to-date `tau`s (`updated == now`).
    fn ps_schedule(&mut self, p: f64) {
        self.completion = match self.ps_first(p) {
            Some((_, minutes)) if self.on_shift => self.updated + minutes,
            _ => f64::INFINITY,
        };
    }

    /// The same `tau`s sorted ascending (insertion as they are read: queues
    /// are short), for the observation.
    fn ps_sorted_taus(&self, now: f64, p: f64, out: &mut [f64; MAX_OPEN]) -> usize {
        let n = self.queue.len().min(MAX_OPEN - 1);
        let d = self.ps_progress(now, p);
        for (j, t) in self.queue.iter().take(n).enumerate() {
            let tau = (t.tau - d).max(0.0);
            let mut k = j;
            while k > 0 && out[k - 1] > tau {
                out[k] = out[k - 1];
                k -= 1;
            }
            out[k] = tau;
        }
        n
    }
}

/// PS finish times of sorted `taus` (no arrivals), through `f(j, T_j)`.
#[inline]
fn finish_times(taus: &[f64], p: f64, mut f: impl FnMut(usize, f64)) {
    let n = taus.len();
    let (mut t, mut prev) = (0.0, 0.0);
    for (j, &tau) in taus.iter().enumerate() {
        t += (tau - prev) * stretch(n - j, p);
        prev = tau;
        f(j, t);
    }
}

impl Desk {
    /// Processor sharing's `assign` after the common part: the ticket
    /// joins the set being served.
    pub(super) fn ps_join(&mut self, mut ticket: Ticket, i: usize) {
        let (now, p) = (self.sim.now, self.p.context_switch_penalty);
        let e = &mut self.sim.engineers[i];
        e.ps_update(now, p);
        ticket.pickup = now;
        ticket.tau = ticket.work / e.skill[ticket.kind as usize];
        e.queue.push_back(ticket);
        e.ps_schedule(p);
        self.engineer_next[i] = e.next_event();
    }

    /// Processor sharing's completion event: the ticket that set
    /// `completion` leaves, the others share the engineer again.
    pub(super) fn ps_complete(&mut self, i: usize) {
        let (now, p) = (self.sim.now, self.p.context_switch_penalty);
        let e = &mut self.sim.engineers[i];
        let done = e.ps_first(p).map(|(j, _)| j);
        e.ps_update(now, p);
        let t = done.and_then(|j| e.queue.remove(j));
        e.ps_schedule(p);
        self.engineer_next[i] = e.next_event();
        if let Some(mut t) = t {
            t.tau = 0.0;
            self.resolve(t, i);
        }
    }

    /// Processor sharing's shift change: progress up to now, then the new
    /// shift state's completion.
    pub(super) fn ps_change_shift(&mut self, i: usize) {
        let (now, p) = (self.sim.now, self.p.context_switch_penalty);
        let e = &mut self.sim.engineers[i];
        e.ps_update(now, p);
        e.toggle_shift();
        e.ps_schedule(p);
        self.engineer_next[i] = e.next_event();
    }

    /// The observation's on-shift minutes for slot `i`: `busy` (finish of
    /// the last open ticket) and, for a new ticket of `tau_new` own minutes,
    /// its finish time once added to the set. `scratch` is a sort buffer
    /// (one per observation rather than one per engineer).
    pub(crate) fn ps_busy_need(
        &self,
        i: usize,
        tau_new: f64,
        scratch: &mut [f64; MAX_OPEN],
    ) -> (f64, f64) {
        let p = self.p.context_switch_penalty;
        let n = self.sim.engineers[i].ps_sorted_taus(self.sim.now, p, scratch);
        let taus = &scratch[..n];
        let mut busy = 0.0;
        finish_times(taus, p, |_, t| busy = t);
        // The new ticket goes before the first tau not below its own (an
        // equal tau finishes at the same time in either order).
        let (mut t, mut prev, mut m) = (0.0, 0.0, n + 1);
        for &tau in taus.iter() {
            if tau >= tau_new {
                break;
            }
            t += (tau - prev) * stretch(m, p);
            prev = tau;
            m -= 1;
        }
        (busy, t + (tau_new - prev) * stretch(m, p))
    }

    /// Processor sharing's truncation charge: each queued ticket's weight
    /// times its finish time, engineer by engineer, by ascending
    /// `(tau, queue position)`.
    pub(super) fn ps_end_cost(&self) -> f64 {
        let (now, p) = (self.sim.now, self.p.context_switch_penalty);
        let mut cost = 0.0;
        let mut taus = [0.0; MAX_OPEN];
        let mut order = [(0.0, 0usize); MAX_OPEN];
        for e in &self.sim.engineers {
            // The `tau`s at `now` with their queue positions (`set_state`
            // refuses queues over `cap`, so this never truncates).
            let n = e.queue.len().min(MAX_OPEN - 1);
            let d = e.ps_progress(now, p);
            for (j, t) in e.queue.iter().take(n).enumerate() {
                order[j] = ((t.tau - d).max(0.0), j);
            }
            let order = &mut order[..n];
            order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for j in 0..n {
                taus[j] = order[j].0;
            }
            finish_times(&taus[..n], p, |r, t| {
                cost += e.queue[order[r].1].weight * t;
            });
        }
        cost
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::{Service, TicketRouting, TicketRoutingConfig};
    use super::super::Ticket;
    use super::Desk;
    use crate::Env;

    /// One engineer with skill 1 on every type, the given daily shift, and
    /// (practically) no arrivals: the tests hand tickets in themselves.
    fn solo(penalty: f64, shift: [f64; 2], days: u32) -> Desk {
        let cfg = TicketRoutingConfig {
            n_engineers: Some(1),
            max_engineers: Some(1),
            shifts: Some(vec![shift.to_vec()]),
            skills: Some(vec![vec![1.0; 5]]),
            episode_days: Some(days),
            arrivals_per_day: Some(1e-9),
            service: Some(Service::ProcessorSharing),
            context_switch_penalty: Some(penalty),
            ..Default::default()
        };
        let mut desk = Desk::new(cfg.resolve().unwrap());
        desk.seed(0);
        desk.start_episode();
        desk
    }

    /// Hands a ticket of `work` skill-1 minutes to the engineer now.
    fn give(env: &mut Desk, work: f64) {
        let id = env.sim.next_id;
        env.sim.next_id += 1;
        env.admit(Ticket {
            id,
            kind: 0,
            priority: 3,
            tier: 2,
            work,
            weight: 1.0,
            arrival: env.sim.now,
            deadline: 1e9,
            pickup: -1.0,
            top2: false,
            tau: 0.0,
            track: 0,
            held: false,
        });
        let t = env.sim.pending.pop().unwrap();
        env.assign(t, 0);
    }

    fn done_times(env: &Desk) -> Vec<f64> {
        env.sim.resolved.iter().map(|r| r.done).collect()
    }

    #[test]
    fn two_tickets_share_the_engineer_as_computed_by_hand() {
        // Works 30 and 60 at half speed each: the first is done at 60, the
        // second has 30 left and finishes alone at 90.
        let mut env = solo(0.0, [0.0, 24.0], 1);
        give(&mut env, 30.0);
        give(&mut env, 60.0);
        env.advance();
        assert_eq!(done_times(&env), [60.0, 90.0]);
        assert!(env.sim.resolved.iter().all(|r| r.pickup == 0.0));
        // Penalty 0.5: two tickets at 1 / (2 * 1.5) of the speed each.
        let mut env = solo(0.5, [0.0, 24.0], 1);
        give(&mut env, 30.0);
        give(&mut env, 60.0);
        env.advance();
        assert_eq!(done_times(&env), [90.0, 120.0]);
    }

    #[test]
    fn busy_and_eta_follow_the_finish_time_recurrence() {
        let mut env = solo(0.0, [0.0, 24.0], 1);
        give(&mut env, 30.0);
        give(&mut env, 60.0);
        // Finish at 60 and 90; a 45-minute ticket joining makes three:
        // 30 * 3 = 90, then 90 + 15 * 2 = 120 for it.
        let mut scratch = [0.0; super::MAX_OPEN];
        assert_eq!(env.ps_busy_need(0, 45.0, &mut scratch), (90.0, 120.0));
        // Shortest of all: it finishes first, at 3 * 10.
        assert_eq!(env.ps_busy_need(0, 10.0, &mut scratch), (90.0, 30.0));
        // The multi-team env's ETA of another team reads the same recurrence
        // (24 h shift: no calendar in between).
        let extra = 45.0 - env.rates.mean_work[0];
        let eta = env.best_eta(0, extra).unwrap();
        assert!((eta - 120.0).abs() < 1e-9, "{eta}");
    }

    #[test]
    fn nothing_progresses_off_shift() {
        // On shift 0:00-1:00 each day. Works 40 and 100 at half speed: at
        // 1:00 they have 10 and 70 left and keep them overnight; the first
        // is done 20 minutes into day 2, the second (60 left, alone) gets 40
        // minutes that day and finishes 20 minutes into day 3.
        let mut env = solo(0.0, [0.0, 1.0], 3);
        give(&mut env, 40.0);
        give(&mut env, 100.0);
        let t = env.next_event_time();
        assert_eq!(t, 60.0);
        env.run_to(t);
        let taus: Vec<f64> = env.sim.engineers[0].queue.iter().map(|t| t.tau).collect();
        assert_eq!(taus, [10.0, 70.0]);
        assert_eq!(env.sim.engineers[0].completion, f64::INFINITY);
        env.run_to(1000.0);
        let taus: Vec<f64> = env.sim.engineers[0].queue.iter().map(|t| t.tau).collect();
        assert_eq!(taus, [10.0, 70.0]);
        env.advance();
        assert_eq!(done_times(&env), [1460.0, 2900.0]);
    }

    #[test]
    fn truncation_charges_each_ticket_its_finish_time() {
        // Works 3000 and 6000 at half speed for a day: 2280 and 5280 left,
        // finishing 4560 and 4560 + 3000 = 7560 minutes later.
        let mut env = solo(0.0, [0.0, 24.0], 1);
        give(&mut env, 6000.0);
        give(&mut env, 3000.0);
        env.advance();
        assert!(env.sim.ended);
        assert_eq!(env.sim.acc.end, 4560.0 + 7560.0);
    }

    #[test]
    fn state_roundtrip_continues_identically() {
        let cfg = TicketRoutingConfig {
            service: Some(Service::ProcessorSharing),
            scenario: super::super::super::Scenario::Understaffed,
            ..Default::default()
        };
        let mut env = TicketRouting::new(&cfg).unwrap();
        env.seed(4);
        let mut obs = vec![0f32; env.obs_len()];
        env.reset(&mut obs);
        let mut mask = vec![false; env.desk.p.max_engineers];
        let mut run = |env: &mut TicketRouting, obs: &mut [f32], steps: usize| {
            let mut out = Vec::new();
            for _ in 0..steps {
                env.action_mask(&mut mask);
                let a = mask.iter().rposition(|&m| m).unwrap() as i64;
                let s = env.step(a, obs);
                out.push((s.reward, obs.to_vec()));
                if s.truncated {
                    break;
                }
            }
            out
        };
        run(&mut env, &mut obs, 15);
        assert!(env.desk.sim.engineers.iter().any(|e| e.queue.len() > 1));
        let state = env.state();
        let a = run(&mut env.clone(), &mut obs.clone(), 1000);
        let mut other = TicketRouting::new(&cfg).unwrap();
        other.set_state(state).unwrap();
        let b = run(&mut other, &mut obs, 1000);
        assert!(a.len() > 10);
        assert_eq!(a, b);
    }
}
