//! The event loop in pieces, for a clock that several teams share (the
//! multi-team env, `envs::multi_team_routing`, composes one `Desk` per team
//! with them).
//!
//! `advance()` is `loop { if ended || offer() { break } let t =
//! next_event_time(); run_to(t) }`: a multi-team clock runs `offer` on every
//! team, then moves every team to the earliest `next_event_time` among them.
//! With one team that is exactly `advance()`, which the multi-team test
//! `one_team_reproduces_ticket_routing` checks trajectory by trajectory.

use super::super::config::Service;
use super::super::rates::{floor_pos, DAY};
use super::super::reward::{self, Acc, N_COMPONENTS};
use super::super::team::{finish_time_on, generate_skills, Ticket};
use super::{Desk, MAX_OPEN};

impl Desk {
    /// Everything `reset` does before the first `advance()`: new purpose
    /// streams from the master generator, the team, the clock at 0, the first
    /// arrival drawn.
    pub fn start_episode(&mut self) {
        let sim = &mut self.sim;
        sim.arrivals = sim.rng.split();
        sim.work = sim.rng.split();
        let mut skills = sim.rng.split();
        let mut layout = sim.rng.split();
        if self.p.resample_skills && self.p.skills.is_empty() {
            generate_skills(&self.p, &mut skills, &mut self.team);
        }
        // Slot s holds team member perm[s] (Fisher-Yates with `below`).
        let m = self.p.max_engineers;
        for (slot, e) in sim.engineers.iter_mut().enumerate() {
            e.copy_from(&self.team[slot]);
        }
        if self.p.shuffle_slots {
            for i in (1..m).rev() {
                let j = layout.below(i as u64 + 1) as usize;
                sim.engineers.swap(i, j);
            }
        }
        for e in sim.engineers.iter_mut() {
            e.queue.reserve(self.p.cap);
            if e.present {
                e.start_shifts();
            }
        }
        sim.now = 0.0;
        sim.next_id = 0;
        sim.pending.clear();
        sim.pending.reserve(self.p.max_backlog + 1);
        sim.current = None;
        sim.open_weight = 0.0;
        sim.acc = Acc::default();
        sim.ended = false;
        sim.overflow = false;
        sim.last = [0.0; N_COMPONENTS];
        sim.resolved.clear();
        let expected = if self.p.replays_trace() {
            self.p.arrival_trace.len()
        } else {
            2 * (self.p.arrivals_per_day * f64::from(self.p.episode_days)) as usize
        };
        sim.resolved.reserve(expected);
        self.sla.clear();
        self.sla.reserve(expected);
        sim.auto_assigned = 0;
        sim.held = 0;
        // The engineers are a copy of `team` in its slot order unless
        // resampled or shuffled: then the tables of `team` still hold.
        let as_team = !self.p.resample_skills && !self.p.shuffle_slots;
        self.refresh_caches(!(as_team && self.tables_from_team));
        self.tables_from_team = as_team;
        if self.p.replays_trace() {
            self.start_trace();
        } else {
            self.sim.trace_next = None;
            self.sim.next_arrival = self.draw_next_arrival(0.0);
        }
    }

    /// Offers the backlog to the team at the current time: auto-assigns
    /// while that applies, and returns true once a ticket awaits a decision
    /// (`sim.current`), false when nothing can be routed now.
    #[inline]
    pub fn offer(&mut self) -> bool {
        if self.sim.current.is_some() {
            return true;
        }
        let cap = self.p.cap;
        while !self.sim.ended && self.sim.pending.len() > self.sim.held as usize {
            let mut n_eligible = 0;
            let mut only = 0;
            for &i in &self.tables.present {
                if self.sim.engineers[i as usize].eligible(cap) {
                    n_eligible += 1;
                    only = i as usize;
                }
            }
            if n_eligible == 0 {
                return false;
            }
            let ticket = self.take_backlog_head();
            if self.p.auto_assign_single && n_eligible == 1 {
                self.sim.auto_assigned += 1;
                self.assign(ticket, only);
                continue;
            }
            self.sim.current = Some(ticket);
            return true;
        }
        false
    }

    /// Time of the team's next event (the horizon at the latest), with the
    /// minimum as the strict-`<` scan of the header (ties do not matter for a time).
    #[inline]
    pub fn next_event_time(&self) -> f64 {
        let mut t_next = self.rates.horizon;
        for &t in &self.engineer_next {
            if t < t_next {
                t_next = t;
            }
        }
        if self.sim.next_arrival < t_next {
            t_next = self.sim.next_arrival;
        }
        t_next
    }

    /// Moves the clock to `t` (no later than `next_event_time()`), charging
    /// the interval, then applies the team's events at `t`; at the horizon
    /// the episode ends. Nothing happens once the episode has ended.
    #[inline]
    pub fn run_to(&mut self, t: f64) {
        if self.sim.ended {
            return;
        }
        self.integrate(t);
        self.sim.now = t;
        if t >= self.rates.horizon {
            self.end();
            return;
        }
        // Held tickets come back at every event (every `t` here is one:
        // completion, shift change or arrival); the clock has moved or an
        // event fired, so holding cannot stall it.
        self.release_held();
        // Completions in engineer order, then shift changes in engineer
        // order, as one pass: each event touches only its own engineer
        // (and completions the open weight and log, still in engineer
        // order), so only an engineer's own two events must stay ordered.
        for i in 0..self.sim.engineers.len() {
            if self.engineer_next[i] != t {
                continue;
            }
            if self.sim.engineers[i].completion == t {
                self.complete(i);
            }
            let e = &self.sim.engineers[i];
            if e.present && e.next_change == t {
                self.change_shift(i);
            }
        }
        if self.sim.next_arrival == t {
            self.arrive();
        }
    }

    /// Ends the episode now (another team's backlog blew up), charging the
    /// work left open as at the horizon.
    pub fn end_now(&mut self) {
        if !self.sim.ended {
            self.end();
        }
    }

    /// Routes the decision ticket to `action` (with the fallback when
    /// configured, charging it); false (nothing done) without a decision.
    pub fn route_current(&mut self, action: usize) -> bool {
        let Some(ticket) = self.sim.current.take() else {
            return false;
        };
        let (slot, rerouted) = self.route(action);
        if rerouted {
            self.sim.acc.invalid += 1;
        }
        self.assign(ticket, slot);
        true
    }

    /// Takes the decision ticket out of this team (handed to another one):
    /// its weight stops counting here.
    pub fn hand_out(&mut self) -> Option<Ticket> {
        let t = self.sim.current.take()?;
        self.sim.open_weight -= t.weight;
        self.sla.close(&t);
        Some(t)
    }

    /// Puts a ticket handed over by another team into the backlog at the
    /// current time; a backlog beyond `max_backlog` ends the episode as an
    /// arrival would.
    pub fn hand_in(&mut self, ticket: Ticket) {
        self.admit(ticket);
        if self.sim.pending.len() > self.p.max_backlog {
            self.sim.overflow = true;
            self.end();
        }
    }

    /// The reward components accrued since the last payment (as `step`
    /// computes them), recorded as the last step's and reset.
    /// Returns them with their total (the step reward).
    pub fn pay(&mut self) -> ([f64; N_COMPONENTS], f64) {
        let c = reward::components(&self.p, &self.sim.acc);
        self.sim.acc = Acc::default();
        self.sim.last = c;
        (c, reward::total(&c))
    }

    /// Adds the invalid-action penalty once to the next payment.
    pub fn charge_invalid(&mut self) {
        self.sim.acc.invalid += 1;
    }

    /// Expected finishing time, minutes from now, of a ticket of type `kind`
    /// with `extra` more skill-1 minutes of work, at the team's best eligible
    /// engineer (as the observation's `eta`); None if nobody is eligible.
    pub fn best_eta(&self, kind: usize, extra: f64) -> Option<f64> {
        let now = self.sim.now;
        let day = floor_pos(now / DAY);
        let work = self.rates.mean_work[kind] + extra;
        (0..self.sim.engineers.len())
            .filter(|&i| self.sim.engineers[i].eligible(self.p.cap))
            .map(|i| {
                let e = &self.sim.engineers[i];
                let need = match self.p.service {
                    Service::Fifo => self.busy_left(i) + work / e.skill[kind],
                    Service::ProcessorSharing => {
                        let mut scratch = [0.0; MAX_OPEN];
                        self.ps_busy_need(i, work / e.skill[kind], &mut scratch).1
                    }
                };
                finish_time_on([e.shift_start, e.shift_end], now, day, need) - now
            })
            .min_by(f64::total_cmp)
    }

    /// The team's best skill for type `kind` among present engineers.
    pub fn best_skill(&self, kind: usize) -> f64 {
        self.sim
            .engineers
            .iter()
            .filter(|e| e.present)
            .map(|e| e.skill[kind])
            .fold(0.0, f64::max)
    }
}
