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
//! - Trace replay (`arrival_trace` set): row `j` arrives at its minute
//!   with its type, priority and tier, and its work when known; unknown
//!   work is `exp(ln(median[kind]) + sigma[kind] * z)` with `z` the first
//!   `normal()` of `Rng::new(Rng::new(e ^ TRACE_WORK_KEY).next_u64() ^ j)`,
//!   `e` the episode number (`resample_future`). The next arrival is row
//!   `j + 1`'s minute, the horizon after the last row; the arrivals and
//!   work streams are not drawn from. Rows at the same minute arrive one
//!   event each, in row order.
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
//! - Hold (`allow_hold`): action `max_engineers` puts the decision ticket
//!   back at the end of the backlog, marked held; the backlog head is taken
//!   among unheld tickets only, and a decision is due only while an unheld
//!   ticket waits. At every event time (after the interval is integrated and
//!   the clock set, before the events are applied; not at the horizon) every
//!   held mark is cleared.
//! - Truncation (horizon or overflow) charges each backlog ticket `weight *
//!   (backlog_end_minutes + mean_work[kind])` and, under FIFO, each queued
//!   ticket `weight *` the on-shift minutes of service left in its queue up
//!   to and including its own. With `allow_hold` the backlog charge is
//!   instead, ticket by ticket in backlog order, `weight * max(flat, F)`:
//!   `flat` the charge above, `F = load_i + work / skill_i[kind]` minimal
//!   over the present engineers (strict `<`, slot order), where `load_i`
//!   starts at the engineer's `busy` (as in the observation) and the
//!   chosen engineer's `load_i` becomes `F` (`sim/branch.rs`).
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

mod branch;
mod clock;
mod sharing;
mod sla;
mod state;
mod trace;

pub(crate) use sharing::MAX_OPEN;
pub(crate) use sla::SlaBook;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::config::{InvalidActionMode, Params, Service};
use super::rates::Rates;
use super::reward::{Acc, N_COMPONENTS};
use super::tables::{self, SkillTables};
use super::team::{build_team, Engineer, Resolved, Ticket};
use crate::rng::Rng;

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
    pub last: [f64; N_COMPONENTS],
    /// Tickets resolved this episode, in completion order.
    pub resolved: Vec<Resolved>,
    pub auto_assigned: u32,
    /// Backlog tickets held at the current time (`Ticket::held`).
    #[serde(default)]
    pub held: u32,
    /// Trace replay: the index of the next `arrival_trace` row to arrive
    /// (its length once all have); None when arrivals are drawn from the
    /// rates (no trace, or a planner's branch whose future was re-sampled).
    #[serde(default)]
    pub trace_next: Option<u32>,
}

/// The help desk: its state (`Sim`) and the caches derived from it, with
/// the event loop between decisions. A plain simulation: the env
/// (`TicketRouting`) holds one and reads it for the observation, reward,
/// mask and view; the multi-team env composes several on one clock.
#[derive(Debug, Clone)]
pub struct Desk {
    /// Fixed for the desk's life and shared by the clones of a batch, so the
    /// envs of a batch read one copy (it stays in cache across the batch).
    pub(super) p: Arc<Params>,
    pub(super) rates: Arc<Rates>,
    /// The team as configured, slot order, absent slots last; skills are
    /// regenerated into it at reset when `resample_skills`.
    pub(super) team: Vec<Engineer>,
    pub(super) sim: Sim,
    /// Caches derived from `sim` (not part of the state; `refresh_caches`).
    pub(super) tables: Arc<SkillTables>,
    /// The buffer `refresh_caches` computes the tables into.
    scratch_tables: SkillTables,
    /// `tables` are those of `team` in its own slot order, so a reset that
    /// copies the team unchanged (no resampling, no shuffling) keeps them
    /// instead of recomputing them (O(slots^2 * types), about every 60
    /// decisions). `set_state` clears it.
    tables_from_team: bool,
    /// Service minutes queued behind each slot's ticket in service, kept as
    /// tickets join and leave, so that the observation's queued work does not
    /// walk every queue.
    pub(super) queued: Vec<f64>,
    /// Weight of each slot's open tickets, kept as tickets join and leave
    /// (the observation's `queued_weight` without walking every queue).
    pub(super) queued_weight: Vec<f64>,
    /// Each slot's next event time (`Engineer::next_event`), contiguous, so
    /// that finding the next event and the engineers it concerns does not
    /// read every engineer record.
    pub(super) engineer_next: Vec<f64>,
    /// Open tickets and their SLA deadlines, for counting breaches.
    pub(super) sla: SlaBook,
}

impl Desk {
    /// A desk for validated `p`, before its first episode (ended).
    pub fn new(p: Params) -> Self {
        let rates = Rates::new(&p);
        let team = build_team(&p);
        // Computed before the batch clones this desk, so that the clones
        // share one copy (see `SkillTables`).
        let (mut tables, mut scratch_tables) = (Arc::default(), SkillTables::default());
        tables::refresh(&mut tables, &mut scratch_tables, &team, &rates);
        let sim = Sim {
            rng: Rng::new(0),
            arrivals: Rng::new(0),
            work: Rng::new(0),
            now: 0.0,
            next_arrival: f64::INFINITY,
            next_id: 0,
            pending: Vec::new(),
            current: None,
            engineers: team.clone(),
            open_weight: 0.0,
            acc: Acc::default(),
            ended: true,
            overflow: false,
            last: [0.0; N_COMPONENTS],
            resolved: Vec::new(),
            auto_assigned: 0,
            held: 0,
            trace_next: None,
        };
        Desk {
            p: Arc::new(p),
            rates: Arc::new(rates),
            team,
            sim,
            tables,
            scratch_tables,
            tables_from_team: true,
            queued: Vec::new(),
            queued_weight: Vec::new(),
            engineer_next: Vec::new(),
            sla: SlaBook::default(),
        }
    }

    pub fn params(&self) -> &Params {
        &self.p
    }

    /// The state (everything that changes during an episode).
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Seeds the master generator; the next `start_episode` splits from it.
    pub fn seed(&mut self, seed: u64) {
        self.sim.rng = Rng::new(seed);
    }

    /// Actions: one per engineer slot, then hold when `allow_hold`.
    pub fn n_actions(&self) -> usize {
        self.p.max_engineers + usize::from(self.p.allow_hold)
    }

    /// Whether `action` is the hold action.
    #[inline]
    pub fn is_hold(&self, action: usize) -> bool {
        self.p.allow_hold && action == self.p.max_engineers
    }

    /// Valid actions for the current decision (`n_actions()` of them): the
    /// eligible slots, and hold whenever it exists; all of them once the
    /// episode has ended (any action is accepted and ignored).
    pub fn action_mask(&self, mask: &mut [bool]) {
        if self.sim.current.is_none() {
            mask.fill(true);
            return;
        }
        let m = self.p.max_engineers;
        for (i, v) in mask.iter_mut().take(m).enumerate() {
            *v = self.valid(i);
        }
        if let Some(hold) = mask.get_mut(m) {
            *hold = true;
        }
    }

    /// Routes the decision ticket as `action` says: hold, or an engineer
    /// slot (with the fallback when configured, charging it); false
    /// (nothing done) without a decision.
    pub fn act(&mut self, action: usize) -> bool {
        if self.is_hold(action) {
            self.hold_current()
        } else {
            self.route_current(action)
        }
    }

    /// Whether slot `i` may take the decision ticket now.
    #[inline]
    pub fn valid(&self, i: usize) -> bool {
        self.sim.current.is_some() && self.sim.engineers[i].eligible(self.p.cap)
    }
}

impl Desk {
    /// Time of the next arrival after `t`, by inversion (see the header):
    /// one draw per arrival, and a walk over the hours it spans.
    pub fn draw_next_arrival(&mut self, mut t: f64) -> f64 {
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
    pub fn advance(&mut self) {
        // One clock's event loop, in the pieces a shared clock also uses (clock.rs).
        while !self.sim.ended && !self.offer() {
            let t = self.next_event_time();
            self.run_to(t);
        }
    }

    fn take_backlog_head(&mut self) -> Ticket {
        if self.sim.held > 0 {
            return self.take_unheld_head();
        }
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

    /// `take_backlog_head` among the tickets not held (there is one).
    fn take_unheld_head(&mut self) -> Ticket {
        let mut best: Option<usize> = None;
        for (i, t) in self.sim.pending.iter().enumerate() {
            if t.held {
                continue;
            }
            let better = best.is_none_or(|b| {
                let b = &self.sim.pending[b];
                (t.priority, t.arrival, t.id) < (b.priority, b.arrival, b.id)
            });
            if better {
                best = Some(i);
            }
        }
        let best = best.expect("an unheld backlog ticket");
        self.sim.pending.swap_remove(best)
    }

    /// Puts the decision ticket back in the backlog, held until the next
    /// event (the hold action); false without a decision.
    pub fn hold_current(&mut self) -> bool {
        let Some(mut ticket) = self.sim.current.take() else {
            return false;
        };
        ticket.held = true;
        self.sim.held += 1;
        self.sim.pending.push(ticket);
        true
    }

    /// An event happened: every held ticket may be offered again.
    #[inline]
    fn release_held(&mut self) {
        if self.sim.held > 0 {
            for t in self.sim.pending.iter_mut() {
                t.held = false;
            }
            self.sim.held = 0;
        }
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
    pub fn assign(&mut self, mut ticket: Ticket, i: usize) {
        let now = self.sim.now;
        let k = ticket.kind as usize;
        ticket.top2 = self.tables.top2[i * self.p.n_types() + k];
        let skill = self.tables.skill(self.sim.engineers.len(), i, k);
        self.queued_weight[i] += ticket.weight;
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
        // Exactly zero once the engineer is free (no rounding residue).
        self.queued_weight[i] = if self.sim.engineers[i].queue.is_empty() {
            0.0
        } else {
            self.queued_weight[i] - t.weight
        };
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
    pub fn busy_left(&self, i: usize) -> f64 {
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
        let (kind, priority, tier, work) = match self.sim.trace_next {
            None => {
                let r = &self.rates;
                let kind = self.sim.arrivals.categorical_cum(&r.type_cum);
                let priority = self.sim.arrivals.categorical_cum(&r.priority_cum[kind]);
                let tier = self.sim.arrivals.categorical_cum(&r.tier_cum);
                let work = (r.mu[kind] + self.p.work_sigma[kind] * self.sim.work.normal()).exp();
                (kind, priority, tier, work)
            }
            Some(row) => self.trace_ticket(row as usize),
        };
        let p = &self.p;
        let now = self.sim.now;
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
            held: false,
        };
        self.sim.next_id += 1;
        self.admit(ticket);
        self.sim.next_arrival = match self.sim.trace_next {
            None => self.draw_next_arrival(now),
            Some(row) => {
                self.sim.trace_next = Some(row + 1);
                self.trace_minute(row as usize + 1)
            }
        };
        if self.sim.pending.len() > self.p.max_backlog {
            self.sim.overflow = true;
            self.end();
        }
    }

    /// Puts a new ticket in the backlog (every ticket enters here, so that
    /// the open weight and the SLA bookkeeping stay right).
    pub fn admit(&mut self, mut ticket: Ticket) {
        self.sim.open_weight += ticket.weight;
        self.sla.track(&mut ticket, self.sim.now);
        self.sim.pending.push(ticket);
    }

    /// Recomputes the caches derived from the state: from the team (fixed
    /// during an episode) the skill tables when `team_changed`; `queued`
    /// from the queues; the SLA bookkeeping from the open tickets. Call
    /// after any change of `sim` made other than by the event loop (reset,
    /// set_state).
    pub fn refresh_caches(&mut self, team_changed: bool) {
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
        self.queued_weight.clear();
        self.queued_weight.extend(
            es.iter()
                .map(|e| e.queue.iter().map(|t| t.weight).sum::<f64>()),
        );
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
        self.sim.acc.end = self.open_work_cost();
        self.sim.ended = true;
        self.sim.current = None;
    }

    /// What the end of the episode charges now, in weighted minutes, for the
    /// work left open: the backlog (with `allow_hold`, placed on paper with
    /// the engineers who would finish it soonest, see `held_end_cost`; else
    /// a flat charge per ticket) and the queued tickets' remaining service.
    /// Reads the desk only; a planner's rollout cut short of the episode's end
    /// pays it too, so that leaving work open at the cut does not look free.
    pub fn open_work_cost(&self) -> f64 {
        let now = self.sim.now;
        let mut cost = 0.0;
        if self.p.allow_hold {
            cost += self.held_end_cost();
        } else {
            for t in &self.sim.pending {
                cost +=
                    t.weight * (self.p.backlog_end_minutes + self.rates.mean_work[t.kind as usize]);
            }
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
        cost
    }

    /// The slot an action is routed to: itself if valid, else (fallback
    /// mode) the next valid slot cyclically after it.
    pub fn route(&self, action: usize) -> (usize, bool) {
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
