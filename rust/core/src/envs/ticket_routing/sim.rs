//! The discrete-event simulation between two routing decisions.
//!
//! Exact definition (tests/reference/ticket_routing_ref.py follows it line by
//! line, so keep both in step). Time is in minutes from the episode start.
//!
//! - Arrival intensity per minute: `rate(t) = arrivals_per_day / 1440 *
//!   (hour_profile[h] / mean(hour_profile)) * weekday_factor[w]` with
//!   `d = floor(t / 1440)`, `h = floor((t - 1440 d) / 60)` and
//!   `w = (start_weekday + d) % 7`; `peak` is its maximum over the week.
//!   Next arrival after `t` (inversion; the intensity is constant per hour):
//!   `need = exponential(1)`, `g = floor(t / 60)`; while `t < horizon`: with
//!   `end = (g + 1) * 60` and `r` the intensity of episode hour `g` (day
//!   `g / 24`, hour `g % 24`), `mass = r * (end - t)`; if `need < mass` the
//!   arrival is at `t + need / r`; else `need -= mass`, `t = end`, `g += 1`.
//!   Past the horizon it returns `t` (no more arrivals).
//! - A new ticket draws, from the arrivals stream, `kind = categorical(
//!   type_probs)`, `priority = categorical(priority_probs[kind])`,
//!   `tier = categorical(tier_probs)`, then (after its own attributes) the time
//!   of the next arrival; from the work stream `work = exp(ln(median[kind]) +
//!   sigma[kind] * normal())` minutes at skill 1. An engineer serves it at
//!   speed `skill[kind]`, FIFO, only while on shift (work pauses off shift).
//!   (This is the default `service: fifo`; `processor_sharing` is below.)
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
//! - Truncation (horizon or overflow) charges each backlog ticket `weight *
//!   (backlog_end_minutes + mean_work[kind])` and, under FIFO, each queued
//!   ticket `weight *` the on-shift minutes of service left in its queue up
//!   to and including its own.
//! - `service: processor_sharing` (`sim/sharing.rs`), with `p =
//!   context_switch_penalty` and `s(m) = m * (1 + p * (m - 1))`: an engineer
//!   with n open tickets serves them all at once; ticket j (type `k_j`,
//!   `left_j` skill-1 minutes left) progresses at `rate_j = skill[k_j] /
//!   s(n)` per on-shift minute (nothing off shift). Pickup is the assignment
//!   time. Each ticket keeps `tau_j = left_j / skill[k_j]` (`work /
//!   skill[k]` at assignment), which falls by 1 / s(n) per on-shift minute
//!   for every ticket alike. At each of the engineer's events (assignment,
//!   completion, shift change) every `tau_j` is first brought up to date:
//!   if the engineer was on shift with tickets since `updated`, `tau_j =
//!   max(tau_j - (now - updated) / s(n), 0)` (the clamp only absorbs
//!   rounding); then `updated = now` and, on shift with tickets open,
//!   `completion = now + min_j tau_j * s(n)` at the new n (infinite
//!   otherwise). At a completion exactly one ticket completes: the one with
//!   that minimum `tau_j`, the lowest queue position on ties (found again
//!   from the `tau_j`, unchanged since); an exact tie left over completes at
//!   the same time in a zero-length step. Observation and truncation use
//!   the `tau_j` brought up to `now` as above (without changing the state),
//!   sorted ascending: the finish times with no new arrivals are `T_1 =
//!   tau_1 * s(n)` and `T_i = T_(i-1) + (tau_i - tau_(i-1)) * s(n - i +
//!   1)`. `busy` is `T_n` (0 when idle); `eta` is the finish time of a
//!   ticket with `tau = mean_work[k] / skill[k]` added to the set (the same
//!   recurrence over n + 1 tickets; a tie gives the same time in either
//!   order), then through the shift calendar as FIFO; truncation charges
//!   each queued ticket `weight * T_j`, summed by ascending `(tau_j, queue
//!   position)`, engineer by engineer. `remaining` and the `queued` cache
//!   are FIFO-only.

mod clock;
mod sharing;
mod sla;

pub(crate) use sharing::MAX_OPEN;
pub(crate) use sla::SlaBook;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::config::{InvalidActionMode, Params, Service, N_PRIORITIES};
use super::{tables, TicketRouting};
use crate::rng::Rng;

pub const DAY: f64 = 1440.0;

/// `x.floor()` for `0 <= x < 2^63`, exactly (truncation is flooring there).
/// Baseline x86-64 has no rounding instruction, so `f64::floor` is a library
/// call. The conversion goes through `i64`, not `u64`: x86-64 converts signed
/// integers in one instruction each way, unsigned ones in about ten.
#[inline]
pub fn floor_pos(x: f64) -> f64 {
    debug_assert!(x >= 0.0);
    x as i64 as f64
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
    /// Processor sharing: minutes of its engineer's undivided time it still
    /// needs (skill-1 work left over the skill), as of the engineer's
    /// `updated`; `work / skill` at assignment. Unused (0) under FIFO, where
    /// the engineer's `remaining` tracks the one ticket in service.
    #[serde(default)]
    pub tau: f64,
    /// Index of its entry in the team's open-ticket flags, set when it
    /// enters the team (bookkeeping for SLA breaches, rebuilt with the
    /// caches, so not part of the saved state).
    #[serde(skip)]
    pub track: u32,
}

/// One slot's engineer, laid out by when a decision touches it (a batch's
/// state is several MB, so each line read per decision costs a miss): the
/// first cache line holds what every decision reads for each present
/// engineer (eligibility, observation, load and fatigue), the second what
/// the interval integral (on-shift and over-soft minutes) and the
/// engineer's own events (completion, shift change, assignment) touch, the
/// third what FIFO never reads per decision (the skill row, which the
/// shared tables mirror; processor sharing's `updated`). With the KPI
/// minutes on the third line instead, integrating touched three lines per
/// on-shift engineer (cachegrind N=512: 60.2 against 57.9 D1 misses per
/// decision). `engineer_layout` in tests.rs pins the offsets, so that a
/// field added in the wrong place fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[repr(C, align(64))]
pub struct Engineer {
    /// Open tickets; the front is in service.
    pub queue: VecDeque<Ticket>,
    /// Completion time of the front ticket; infinite when idle or paused.
    pub completion: f64,
    pub last_assign: f64,
    pub fatigue: f64,
    pub present: bool,
    pub on_shift: bool,
    /// Next shift start or end (infinite for a 24 h shift).
    pub next_change: f64,
    /// Work (skill-1 minutes) left on the front ticket; exact while paused.
    pub remaining: f64,
    /// Daily shift in minutes, `[start, end)`.
    pub shift_start: f64,
    pub shift_end: f64,
    /// Day index of `next_change`.
    pub shift_day: u32,
    pub assigned: u32,
    pub busy_minutes: f64,
    pub shift_minutes: f64,
    pub over_soft_minutes: f64,
    /// Processor sharing: when the tickets' `left` were last brought up to
    /// date. Unused (0) under FIFO.
    #[serde(default)]
    pub updated: f64,
    pub skill: Vec<f64>,
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
            updated: 0.0,
        }
    }

    /// Time of this engineer's next event: completion or shift change.
    #[inline]
    pub fn next_event(&self) -> f64 {
        if self.present {
            self.completion.min(self.next_change)
        } else {
            self.completion
        }
    }

    #[inline]
    pub fn eligible(&self, cap: usize) -> bool {
        self.present && self.on_shift && self.queue.len() < cap
    }

    /// FIFO: each queued ticket with its own minutes of service left, in
    /// queue order: the front one's remaining time, the others' whole work.
    /// `skill(kind)` is this engineer's skill, which the caller reads from
    /// the shared tables (the engineer's own row is on a cold line and the
    /// heap: two misses per engineer at every truncation).
    pub fn service_left<'a>(
        &'a self,
        now: f64,
        skill: impl Fn(usize) -> f64 + 'a,
    ) -> impl Iterator<Item = (&'a Ticket, f64)> + 'a {
        self.queue.iter().enumerate().map(move |(j, t)| {
            let s = skill(t.kind as usize);
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

    /// Goes off or on shift (the calendar part of a shift change).
    #[inline]
    pub fn toggle_shift(&mut self) {
        if self.on_shift {
            self.on_shift = false;
            self.shift_day += 1;
            self.next_change = f64::from(self.shift_day) * DAY + self.shift_start;
        } else {
            self.on_shift = true;
            self.next_change = f64::from(self.shift_day) * DAY + self.shift_end;
        }
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
    /// Arrival intensity per minute, indexed `weekday * 24 + hour`.
    pub rate: Vec<f64>,
    /// Intensity over `peak` (the observation's `arrival_rate`), same index.
    pub share: Vec<f64>,
    pub mu: Vec<f64>,
    pub mean_work: Vec<f64>,
    pub horizon: f64,
    /// `load[n] = n / cap` for `n <= cap`.
    pub load: Vec<f32>,
    /// Running sums of `type_probs`, of each type's `priority_probs` and of
    /// `tier_probs` (`Rng::categorical_cum`).
    pub type_cum: Vec<f64>,
    pub priority_cum: Vec<Vec<f64>>,
    pub tier_cum: Vec<f64>,
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
        let load = (0..=p.cap)
            .map(|n| (n as f64 / p.cap as f64) as f32)
            .collect();
        Rates {
            load,
            type_cum: Rng::running_sums(&p.type_probs),
            priority_cum: p
                .priority_probs
                .iter()
                .map(|w| Rng::running_sums(w))
                .collect(),
            tier_cum: Rng::running_sums(&p.tier_probs),
            rate: table,
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
        // A slightly negative time of day (rounding in `t / DAY`) gives hour
        // 0 as flooring would. Conversions go through `i64` (see `floor_pos`).
        let h = (((t - d * DAY) / 60.0) as i64).clamp(0, 23) as usize;
        let w = (start_weekday as usize + d as i64 as usize) % 7;
        w * 24 + h
    }

    /// Intensity of episode hour `hour` (from the start of the episode).
    #[inline]
    fn hourly(&self, hour: u64, start_weekday: u32) -> f64 {
        let w = (u64::from(start_weekday) + hour / 24) % 7;
        self.rate[w as usize * 24 + (hour % 24) as usize]
    }

    /// `rate(t) / peak` (the intensity of the header's definition over its
    /// weekly peak), read from a table computed once.
    #[inline]
    pub fn rate_share(&self, t: f64, start_weekday: u32) -> f64 {
        self.share[Self::cell(t, start_weekday)]
    }

    /// `open / cap` as the observation's float32, from a table (no division
    /// per engineer and decision). `open <= cap`: the simulation never
    /// exceeds the cap and `set_state` refuses a state that does.
    #[inline]
    pub fn load_share(&self, open: usize) -> f32 {
        self.load[open]
    }
}

impl TicketRouting {
    /// Time of the next arrival after `t`, by inversion (see the header):
    /// one draw per arrival, and a walk over the hours it spans.
    pub(super) fn draw_next_arrival(&mut self, mut t: f64) -> f64 {
        let mut need = self.sim.arrivals.exponential(1.0);
        // `i64`, not `u64`: one instruction per conversion (see `floor_pos`).
        let mut hour = (t / 60.0) as i64;
        while t < self.rates.horizon {
            let end = (hour + 1) as f64 * 60.0;
            let rate = self.rates.hourly(hour as u64, self.p.start_weekday);
            let mass = rate * (end - t);
            if need < mass {
                return t + need / rate;
            }
            need -= mass;
            t = end;
            hour += 1;
        }
        t
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
        self.sla.count_until(t1, &mut self.sim.acc.breaches);
        let sim = &mut self.sim;
        sim.acc.wait += sim.open_weight * dt;
        let soft = self.p.soft_cap;
        // The two decay factors are computed at most once, and only when an
        // engineer needs them (exp dominates this loop otherwise).
        let (mut rise, mut decay) = (f64::NAN, f64::NAN);
        for &i in &self.tables.present {
            let e = &mut sim.engineers[i as usize];
            let load = e.queue.len();
            if load > soft {
                sim.acc.over += (load - soft) as i64 as f64 * dt;
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

    /// Gives `ticket` to engineer `i` (who is eligible) at the current time.
    pub(super) fn assign(&mut self, mut ticket: Ticket, i: usize) {
        let now = self.sim.now;
        let k = ticket.kind as usize;
        ticket.top2 = self.tables.top2[i * self.p.n_types() + k];
        let skill = self.tables.skill(self.sim.engineers.len(), i, k);
        let e = &mut self.sim.engineers[i];
        e.last_assign = now;
        e.assigned += 1;
        if self.p.service == Service::ProcessorSharing {
            self.ps_join(ticket, i);
            return;
        }
        let service = ticket.work / skill;
        if e.queue.is_empty() {
            ticket.pickup = now;
            e.remaining = ticket.work;
            e.completion = now + service;
        } else {
            self.queued[i] += service;
        }
        e.queue.push_back(ticket);
        self.engineer_next[i] = e.next_event();
    }

    fn complete(&mut self, i: usize) {
        if self.p.service == Service::ProcessorSharing {
            self.ps_complete(i);
            return;
        }
        let now = self.sim.now;
        let slots = self.sim.engineers.len();
        let e = &mut self.sim.engineers[i];
        let Some(t) = e.queue.pop_front() else {
            e.completion = f64::INFINITY;
            self.engineer_next[i] = e.next_event();
            return;
        };
        e.completion = f64::INFINITY;
        if let Some(next) = e.queue.front_mut() {
            next.pickup = now;
            e.remaining = next.work;
            let service = next.work / self.tables.skill(slots, i, next.kind as usize);
            e.completion = now + service;
            // Exactly zero once nothing waits (no rounding residue).
            self.queued[i] = if e.queue.len() > 1 {
                self.queued[i] - service
            } else {
                0.0
            };
        }
        self.engineer_next[i] = e.next_event();
        self.resolve(t, i);
    }

    /// Records `t` as resolved by slot `i` now: it stops counting as open.
    #[inline]
    fn resolve(&mut self, t: Ticket, i: usize) {
        let now = self.sim.now;
        self.sim.open_weight -= t.weight;
        self.sla.close(&t);
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

    /// FIFO: minutes of service left in slot `i`'s queue: the ticket in
    /// service (exact), plus the cached sum of the queued ones.
    pub(super) fn busy_left(&self, i: usize) -> f64 {
        let e = &self.sim.engineers[i];
        let Some(head) = e.queue.front() else {
            return 0.0;
        };
        let first = if e.on_shift {
            e.completion - self.sim.now
        } else {
            let slots = self.sim.engineers.len();
            e.remaining / self.tables.skill(slots, i, head.kind as usize)
        };
        first + self.queued[i]
    }

    fn change_shift(&mut self, i: usize) {
        if self.p.service == Service::ProcessorSharing {
            self.ps_change_shift(i);
            return;
        }
        let now = self.sim.now;
        let slots = self.sim.engineers.len();
        let e = &mut self.sim.engineers[i];
        if let Some(head) = e.queue.front() {
            let skill = self.tables.skill(slots, i, head.kind as usize);
            if e.on_shift {
                e.remaining = (e.completion - now) * skill;
                e.completion = f64::INFINITY;
            } else {
                e.completion = now + e.remaining / skill;
            }
        }
        e.toggle_shift();
        self.engineer_next[i] = e.next_event();
    }

    fn arrive(&mut self) {
        let p = &self.p;
        let now = self.sim.now;
        let r = &self.rates;
        let kind = self.sim.arrivals.categorical_cum(&r.type_cum);
        let priority = self.sim.arrivals.categorical_cum(&r.priority_cum[kind]);
        let tier = self.sim.arrivals.categorical_cum(&r.tier_cum);
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
            tau: 0.0,
            track: 0,
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
    /// the open weight and the SLA bookkeeping stay right).
    pub(super) fn admit(&mut self, mut ticket: Ticket) {
        self.sim.open_weight += ticket.weight;
        self.sla.track(&mut ticket, self.sim.now);
        self.sim.pending.push(ticket);
    }

    /// Recomputes the caches derived from the state: from the team (fixed
    /// during an episode) the skill tables when `team_changed`; `queued`
    /// from the queues; the SLA bookkeeping from the open tickets. Call
    /// after any change of `sim` made other than by the event loop (reset,
    /// set_state).
    pub(super) fn refresh_caches(&mut self, team_changed: bool) {
        if team_changed {
            tables::refresh(
                &mut self.tables,
                &mut self.scratch_tables,
                &self.sim.engineers,
                &self.rates,
            );
        }
        let es = &self.sim.engineers;
        self.queued.clear();
        // FIFO only (under processor sharing nothing waits behind a ticket).
        let fifo = self.p.service == Service::Fifo;
        let (tables, slots) = (&self.tables, es.len());
        self.queued.extend(es.iter().enumerate().map(|(i, e)| {
            if !fifo {
                return 0.0;
            }
            e.service_left(self.sim.now, |k| tables.skill(slots, i, k))
                .skip(1)
                .map(|(_, left)| left)
                .sum::<f64>()
        }));
        self.engineer_next.clear();
        self.engineer_next
            .extend(es.iter().map(Engineer::next_event));
        let sim = &mut self.sim;
        self.sla.clear();
        let queued = sim.engineers.iter_mut().flat_map(|e| e.queue.iter_mut());
        for t in sim
            .pending
            .iter_mut()
            .chain(sim.current.iter_mut())
            .chain(queued)
        {
            self.sla.track(t, sim.now);
        }
    }

    /// Ends the episode, charging the work left open (so that parking tickets
    /// at the horizon does not pay).
    fn end(&mut self) {
        let now = self.sim.now;
        let mut cost = 0.0;
        for t in &self.sim.pending {
            cost += t.weight * (self.p.backlog_end_minutes + self.rates.mean_work[t.kind as usize]);
        }
        if self.p.service == Service::ProcessorSharing {
            cost += self.ps_end_cost();
        } else {
            let (tables, slots) = (&self.tables, self.sim.engineers.len());
            for (i, e) in self.sim.engineers.iter().enumerate() {
                let mut cum = 0.0;
                for (t, left) in e.service_left(now, |k| tables.skill(slots, i, k)) {
                    cum += left;
                    cost += t.weight * cum;
                }
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
