//! The discrete-event simulation between two routing decisions.
//!
//! Exact definition (tests/reference/ticket_routing_ref.py follows it line by
//! line, so keep both in step). Time is in minutes from the episode start.
//!
//! - Arrival intensity per minute: `rate(t) = arrivals_per_day / 1440 *
//!   (hour_profile[h] / mean(hour_profile)) * weekday_factor[w]` with
//!   `d = floor(t / 1440)`, `h = floor((t - 1440 d) / 60)` and
//!   `w = (start_weekday + d) % 7`; `peak` is its maximum over the week.
//!   Next arrival after `t` (thinning): repeat `t += exponential(peak)`; stop
//!   if `t >= horizon`; accept if `uniform() < rate(t) / peak`.
//! - A new ticket draws, from the arrivals stream, `kind = categorical(
//!   type_probs)`, `priority = categorical(priority_probs[kind])`,
//!   `tier = categorical(tier_probs)`, then (after its own attributes) the time
//!   of the next arrival; from the work stream `work = exp(ln(median[kind]) +
//!   sigma[kind] * normal())` minutes at skill 1. An engineer serves it at
//!   speed `skill[kind]`, FIFO, only while on shift (work pauses off shift).
//! - Loop: if a ticket waits and an engineer is eligible (present, on shift,
//!   fewer than `cap` open tickets), the backlog head (lowest priority index,
//!   then earliest arrival, then lowest id) becomes the decision (or is
//!   assigned at once when `auto_assign_single` and one engineer is
//!   eligible). Otherwise the clock moves to the earliest of: the horizon,
//!   each engineer's completion, each engineer's next shift change, the next
//!   arrival (strict `<` scan in that order, so the horizon wins ties). The
//!   interval is integrated (`integrate`), then the events at that exact time
//!   are applied: completions (engineer order), shift changes (engineer
//!   order), the arrival. A backlog longer than `max_backlog` ends the episode.

mod clock;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::config::{InvalidActionMode, Params, N_PRIORITIES};
use super::TicketRouting;
use crate::rng::Rng;

pub const DAY: f64 = 1440.0;

/// `x.floor()` for `0 <= x < 2^64`, exactly (truncation is flooring there).
/// Baseline x86-64 has no rounding instruction, so `f64::floor` is a library
/// call; this is a single conversion each way.
#[inline]
pub fn floor_pos(x: f64) -> f64 {
    debug_assert!(x >= 0.0);
    x as u64 as f64
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: u32,
    pub kind: u8,
    pub priority: u8,
    pub tier: u8,
    /// Minutes of work at skill 1 (hidden from the observation).
    pub work: f64,
    /// Priority weight times tier weight.
    pub weight: f64,
    pub arrival: f64,
    pub deadline: f64,
    /// Start of service, or -1 before.
    pub pickup: f64,
    /// The engineer it went to was among the two most skilled for its type.
    pub top2: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Engineer {
    pub present: bool,
    pub skill: Vec<f64>,
    /// Daily shift in minutes, `[start, end)`.
    pub shift_start: f64,
    pub shift_end: f64,
    pub on_shift: bool,
    /// Day index of `next_change`.
    pub shift_day: u32,
    /// Next shift start or end (infinite for a 24 h shift).
    pub next_change: f64,
    /// Open tickets; the front is in service.
    pub queue: VecDeque<Ticket>,
    /// Work (skill-1 minutes) left on the front ticket; exact while paused.
    pub remaining: f64,
    /// Completion time of the front ticket; infinite when idle or paused.
    pub completion: f64,
    pub fatigue: f64,
    pub last_assign: f64,
    pub busy_minutes: f64,
    pub shift_minutes: f64,
    pub over_soft_minutes: f64,
    pub assigned: u32,
}

impl Engineer {
    /// Becomes a copy of `src`, reusing this engineer's buffers (resets do
    /// not allocate).
    pub fn copy_from(&mut self, src: &Engineer) {
        let mut skill = std::mem::take(&mut self.skill);
        let mut queue = std::mem::take(&mut self.queue);
        skill.clone_from(&src.skill);
        queue.clone_from(&src.queue);
        *self = Engineer {
            skill,
            queue,
            ..*src
        };
    }

    pub fn absent(n_types: usize) -> Self {
        Engineer {
            present: false,
            skill: vec![0.0; n_types],
            shift_start: 0.0,
            shift_end: 0.0,
            on_shift: false,
            shift_day: 0,
            next_change: f64::INFINITY,
            queue: VecDeque::new(),
            remaining: 0.0,
            completion: f64::INFINITY,
            fatigue: 0.0,
            last_assign: f64::NEG_INFINITY,
            busy_minutes: 0.0,
            shift_minutes: 0.0,
            over_soft_minutes: 0.0,
            assigned: 0,
        }
    }

    #[inline]
    pub fn eligible(&self, cap: usize) -> bool {
        self.present && self.on_shift && self.queue.len() < cap
    }

    /// Each queued ticket with its own minutes of service left, in queue
    /// order: the front one's remaining time, the others' whole work.
    pub fn service_left(&self, now: f64) -> impl Iterator<Item = (&Ticket, f64)> + '_ {
        self.queue.iter().enumerate().map(move |(j, t)| {
            let s = self.skill[t.kind as usize];
            let left = if j > 0 {
                t.work / s
            } else if self.on_shift {
                self.completion - now
            } else {
                self.remaining / s
            };
            (t, left)
        })
    }

    /// Minutes of service left in the queue (actual work content).
    pub fn busy_left(&self, now: f64) -> f64 {
        let mut total = 0.0;
        for (_, left) in self.service_left(now) {
            total += left;
        }
        total
    }

    /// Sets the shift state at time 0 from the daily shift.
    pub fn start_shifts(&mut self) {
        self.shift_day = 0;
        if self.shift_start == 0.0 && self.shift_end == DAY {
            self.on_shift = true;
            self.next_change = f64::INFINITY;
        } else if self.shift_start == 0.0 {
            self.on_shift = true;
            self.next_change = self.shift_end;
        } else {
            self.on_shift = false;
            self.next_change = self.shift_start;
        }
    }
}

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

/// Everything that changes during an episode (the env's `State`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sim {
    /// Master generator; each reset splits the purpose streams from it.
    pub rng: Rng,
    pub arrivals: Rng,
    pub work: Rng,
    pub now: f64,
    pub next_arrival: f64,
    pub next_id: u32,
    pub pending: Vec<Ticket>,
    /// The ticket awaiting the agent's decision (None once the episode ended).
    pub current: Option<Ticket>,
    pub engineers: Vec<Engineer>,
    /// Sum of the weights of open tickets (pending and queued).
    pub open_weight: f64,
    pub acc: Acc,
    pub ended: bool,
    /// The episode ended because the backlog exceeded `max_backlog`.
    pub overflow: bool,
    /// Reward components of the last step (see `reward.rs`).
    pub last: [f64; super::reward::N_COMPONENTS],
    /// Tickets resolved this episode, in completion order.
    pub resolved: Vec<Resolved>,
    pub auto_assigned: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved {
    pub kind: u8,
    pub priority: u8,
    pub tier: u8,
    pub arrival: f64,
    pub pickup: f64,
    pub done: f64,
    pub deadline: f64,
    pub top2: bool,
    pub engineer: u16,
}

/// Arrival intensity table and its maximum, built once per env.
#[derive(Debug, Clone)]
pub struct Rates {
    pub peak: f64,
    /// Intensity over `peak` (the thinning acceptance probability), indexed
    /// `weekday * 24 + hour`.
    pub share: Vec<f64>,
    pub mu: Vec<f64>,
    pub mean_work: Vec<f64>,
    pub horizon: f64,
}

impl Rates {
    pub fn new(p: &Params) -> Self {
        let hp_mean = p.hour_profile.iter().sum::<f64>() / 24.0;
        let mut table = Vec::with_capacity(7 * 24);
        for w in 0..7 {
            for h in 0..24 {
                table.push(
                    p.arrivals_per_day / DAY * (p.hour_profile[h] / hp_mean) * p.weekday_factor[w],
                );
            }
        }
        let peak = table.iter().copied().fold(0.0, f64::max);
        let share = table.iter().map(|r| r / peak).collect();
        let mu = p.work_median_minutes.iter().map(|m| m.ln()).collect();
        let mean_work = p
            .work_median_minutes
            .iter()
            .zip(&p.work_sigma)
            .map(|(m, s)| m * (0.5 * s * s).exp())
            .collect();
        Rates {
            peak,
            share,
            mu,
            mean_work,
            horizon: f64::from(p.episode_days) * DAY,
        }
    }

    /// Index of the table cell holding time `t >= 0`.
    #[inline]
    fn cell(t: f64, start_weekday: u32) -> usize {
        let d = floor_pos(t / DAY);
        // `as usize` saturates, so a slightly negative time of day (rounding
        // in `t / DAY`) gives hour 0 as flooring would.
        let h = (((t - d * DAY) / 60.0) as usize).min(23);
        let w = (start_weekday as usize + d as usize) % 7;
        w * 24 + h
    }

    /// `rate(t) / peak` (the intensity of the header's definition over its
    /// weekly peak), read from a table computed once.
    #[inline]
    pub fn rate_share(&self, t: f64, start_weekday: u32) -> f64 {
        self.share[Self::cell(t, start_weekday)]
    }
}

impl TicketRouting {
    /// Time of the first accepted arrival after `t` (thinning).
    pub(super) fn draw_next_arrival(&mut self, mut t: f64) -> f64 {
        let peak = self.rates.peak;
        loop {
            t += self.sim.arrivals.exponential(peak);
            if t >= self.rates.horizon {
                return t;
            }
            if self.sim.arrivals.uniform() < self.rates.rate_share(t, self.p.start_weekday) {
                return t;
            }
        }
    }

    /// Runs events until a decision is due or the episode ends.
    pub(super) fn advance(&mut self) {
        // One clock's event loop, in the pieces a shared clock also uses (clock.rs).
        while !self.sim.ended && !self.offer() {
            let t = self.next_event_time();
            self.run_to(t);
        }
    }

    fn take_backlog_head(&mut self) -> Ticket {
        let pending = &self.sim.pending;
        let mut best = 0;
        for (i, t) in pending.iter().enumerate().skip(1) {
            let b = &pending[best];
            let key = (t.priority, t.arrival, t.id);
            if key.0 < b.priority
                || (key.0 == b.priority
                    && (key.1 < b.arrival || (key.1 == b.arrival && key.2 < b.id)))
            {
                best = i;
            }
        }
        self.sim.pending.swap_remove(best)
    }

    /// Adds the interval `[now, t1]` to the accumulators.
    fn integrate(&mut self, t1: f64) {
        let t0 = self.sim.now;
        let dt = t1 - t0;
        if dt <= 0.0 {
            return;
        }
        if t1 >= self.deadline_floor {
            self.count_breaches(t0, t1);
        }
        let sim = &mut self.sim;
        sim.acc.wait += sim.open_weight * dt;
        let soft = self.p.soft_cap;
        // The two decay factors are computed at most once, and only when an
        // engineer needs them (exp dominates this loop otherwise).
        let (mut rise, mut decay) = (f64::NAN, f64::NAN);
        for e in sim.engineers.iter_mut().filter(|e| e.present) {
            let load = e.queue.len();
            if load > soft {
                sim.acc.over += (load - soft) as f64 * dt;
                e.over_soft_minutes += dt;
                if rise.is_nan() {
                    rise = (-dt / self.p.fatigue_rise_minutes).exp();
                }
                e.fatigue = 1.0 - (1.0 - e.fatigue) * rise;
            } else if load == 0 && e.fatigue > 0.0 {
                if decay.is_nan() {
                    decay = (-dt / self.p.fatigue_recovery_minutes).exp();
                }
                e.fatigue *= decay;
            }
            if e.on_shift {
                e.shift_minutes += dt;
                if load > 0 {
                    e.busy_minutes += dt;
                }
            }
        }
    }

    /// Counts the open tickets whose SLA deadline falls in `(t0, t1]` and
    /// moves `deadline_floor` to the earliest deadline after `t1`.
    fn count_breaches(&mut self, t0: f64, t1: f64) {
        let sim = &mut self.sim;
        let mut floor = f64::INFINITY;
        let queued = sim
            .engineers
            .iter()
            .filter(|e| e.present)
            .flat_map(|e| e.queue.iter());
        for t in sim.pending.iter().chain(queued) {
            if t0 < t.deadline && t.deadline <= t1 {
                sim.acc.breaches[t.priority as usize] += 1;
            } else if t.deadline > t1 && t.deadline < floor {
                floor = t.deadline;
            }
        }
        self.deadline_floor = floor;
    }

    /// Gives `ticket` to engineer `i` (who is eligible) at the current time.
    pub(super) fn assign(&mut self, mut ticket: Ticket, i: usize) {
        let now = self.sim.now;
        let k = ticket.kind as usize;
        ticket.top2 = self.top2[i * self.p.n_types() + k];
        let e = &mut self.sim.engineers[i];
        e.last_assign = now;
        e.assigned += 1;
        if e.queue.is_empty() {
            ticket.pickup = now;
            e.remaining = ticket.work;
            e.completion = now + ticket.work / e.skill[k];
        }
        e.queue.push_back(ticket);
    }

    fn complete(&mut self, i: usize) {
        let now = self.sim.now;
        let e = &mut self.sim.engineers[i];
        let Some(t) = e.queue.pop_front() else {
            e.completion = f64::INFINITY;
            return;
        };
        e.completion = f64::INFINITY;
        if let Some(next) = e.queue.front_mut() {
            next.pickup = now;
            e.remaining = next.work;
            e.completion = now + next.work / e.skill[next.kind as usize];
        }
        self.sim.open_weight -= t.weight;
        self.sim.resolved.push(Resolved {
            kind: t.kind,
            priority: t.priority,
            tier: t.tier,
            arrival: t.arrival,
            pickup: t.pickup,
            done: now,
            deadline: t.deadline,
            top2: t.top2,
            engineer: i as u16,
        });
    }

    fn change_shift(&mut self, i: usize) {
        let now = self.sim.now;
        let e = &mut self.sim.engineers[i];
        if e.on_shift {
            e.on_shift = false;
            if let Some(head) = e.queue.front() {
                e.remaining = (e.completion - now) * e.skill[head.kind as usize];
                e.completion = f64::INFINITY;
            }
            e.shift_day += 1;
            e.next_change = f64::from(e.shift_day) * DAY + e.shift_start;
        } else {
            e.on_shift = true;
            if let Some(head) = e.queue.front() {
                e.completion = now + e.remaining / e.skill[head.kind as usize];
            }
            e.next_change = f64::from(e.shift_day) * DAY + e.shift_end;
        }
    }

    fn arrive(&mut self) {
        let p = &self.p;
        let now = self.sim.now;
        let kind = self.sim.arrivals.categorical(&p.type_probs);
        let priority = self.sim.arrivals.categorical(&p.priority_probs[kind]);
        let tier = self.sim.arrivals.categorical(&p.tier_probs);
        let work = (self.rates.mu[kind] + p.work_sigma[kind] * self.sim.work.normal()).exp();
        let weight = p.priority_weights[priority] * p.tier_weights[tier];
        let ticket = Ticket {
            id: self.sim.next_id,
            kind: kind as u8,
            priority: priority as u8,
            tier: tier as u8,
            work,
            weight,
            arrival: now,
            deadline: now + p.sla_minutes[priority],
            pickup: -1.0,
            top2: false,
        };
        self.sim.next_id += 1;
        self.admit(ticket);
        self.sim.next_arrival = self.draw_next_arrival(now);
        if self.sim.pending.len() > self.p.max_backlog {
            self.sim.overflow = true;
            self.end();
        }
    }

    /// Puts a new ticket in the backlog (every ticket enters here, so that
    /// the open weight and the deadline floor stay right).
    pub(super) fn admit(&mut self, ticket: Ticket) {
        self.sim.open_weight += ticket.weight;
        self.deadline_floor = self.deadline_floor.min(ticket.deadline);
        self.sim.pending.push(ticket);
    }

    /// Recomputes the caches derived from the state: `top2` from the skills
    /// (fixed during an episode) and `deadline_floor` (a scan at the next
    /// interval). Call after any change of `sim` made other than by the event
    /// loop (reset, set_state).
    pub(super) fn refresh_caches(&mut self) {
        let k = self.p.n_types();
        let es = &self.sim.engineers;
        self.top2.clear();
        for e in es {
            for (kind, &mine) in e.skill.iter().enumerate() {
                let better = es
                    .iter()
                    .filter(|o| o.present && o.skill[kind] > mine)
                    .count();
                self.top2.push(better < 2);
            }
        }
        debug_assert_eq!(self.top2.len(), es.len() * k);
        self.deadline_floor = f64::NEG_INFINITY;
    }

    /// Ends the episode, charging the work left open (so that parking tickets
    /// at the horizon does not pay).
    fn end(&mut self) {
        let now = self.sim.now;
        let mut cost = 0.0;
        for t in &self.sim.pending {
            cost += t.weight * (self.p.backlog_end_minutes + self.rates.mean_work[t.kind as usize]);
        }
        for e in &self.sim.engineers {
            let mut cum = 0.0;
            for (t, left) in e.service_left(now) {
                cum += left;
                cost += t.weight * cum;
            }
        }
        self.sim.acc.end = cost;
        self.sim.ended = true;
        self.sim.current = None;
    }

    /// The slot an action is routed to: itself if valid, else (fallback
    /// mode) the next valid slot cyclically after it.
    pub(super) fn route(&self, action: usize) -> (usize, bool) {
        let cap = self.p.cap;
        let engineers = &self.sim.engineers;
        if engineers[action].eligible(cap) || self.p.invalid_action == InvalidActionMode::Raise {
            return (action, false);
        }
        let m = engineers.len();
        for step in 1..m {
            let j = (action + step) % m;
            if engineers[j].eligible(cap) {
                return (j, true);
            }
        }
        (action, true)
    }
}
