//! The help desk's people and tickets: the records the simulation moves
//! around (`sim.rs` runs them), and the team as configured.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::config::Params;
use super::rates::DAY;
use crate::rng::Rng;

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
    /// Held back by the router at the current time (hold action): not
    /// offered again until the next event (`Sim::held` counts these).
    #[serde(default)]
    pub held: bool,
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
/// shared tables mirror; processor sharing's `updated`). The KPI minutes
/// share the second line with the events because the interval integral
/// updates them for every on-shift engineer: on the third line, integrating
/// would touch all three lines of each one (measured: 4 % more L1 misses
/// per decision, docs/howto/performance.md). `engineer_layout` in tests.rs pins
/// the offsets, so that a field added in the wrong place fails.
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

/// Draws a skill matrix. First `offset = below(types)`; then per engineer
/// one uniform draw: below `specialist_share` the engineer is a specialist
/// in type `(offset + specialists so far) % types` (so specialties cover the
/// types in turn) with skill 1 there and `uniform_range(off_skill)` on every
/// other type (drawn type by type, the specialty's draw discarded);
/// otherwise a generalist with `uniform_range(generalist_skill)` per type.
pub fn generate_skills(p: &Params, rng: &mut Rng, team: &mut [Engineer]) {
    let k = p.n_types();
    let offset = rng.below(k as u64) as usize;
    let mut specialists = 0;
    for e in team.iter_mut().take(p.n_engineers) {
        if rng.uniform() < p.specialist_share {
            let main = (offset + specialists) % k;
            specialists += 1;
            let (lo, hi) = (p.specialist_off_skill[0], p.specialist_off_skill[1]);
            for s in e.skill.iter_mut() {
                *s = rng.uniform_range(lo, hi);
            }
            e.skill[main] = 1.0;
        } else {
            let (lo, hi) = (p.generalist_skill[0], p.generalist_skill[1]);
            for s in e.skill.iter_mut() {
                *s = rng.uniform_range(lo, hi);
            }
        }
    }
}

/// The team as configured, slot order, absent slots last (skills generated
/// from `team_seed` unless given).
pub fn build_team(p: &Params) -> Vec<Engineer> {
    let k = p.n_types();
    let mut team: Vec<Engineer> = (0..p.max_engineers).map(|_| Engineer::absent(k)).collect();
    for (i, e) in team.iter_mut().take(p.n_engineers).enumerate() {
        e.present = true;
        e.shift_start = p.shifts[i][0] * 60.0;
        e.shift_end = p.shifts[i][1] * 60.0;
        if !p.skills.is_empty() {
            e.skill.copy_from_slice(&p.skills[i]);
        }
    }
    if p.skills.is_empty() {
        generate_skills(p, &mut Rng::new(p.team_seed), &mut team);
    }
    team
}

/// Wall-clock time at which `need` minutes of on-shift work done from `now`
/// are finished, following the daily shift `[start, end)` (minutes). `day` is
/// `floor(now / DAY)`, which the observation computes once for every
/// engineer; later days are counted rather than divided out (for a shift
/// start within the day, `floor(((d + 1) * DAY + start) / DAY)` is `d + 1`).
pub fn finish_time_on(shift: [f64; 2], now: f64, mut day: f64, mut need: f64) -> f64 {
    if need <= 0.0 {
        return now;
    }
    let [shift_start, shift_end] = shift;
    if shift_start == 0.0 && shift_end == DAY {
        return now + need;
    }
    let mut t = now;
    loop {
        let start = day * DAY + shift_start;
        let end = day * DAY + shift_end;
        if t < start {
            t = start;
        }
        if t < end {
            let avail = end - t;
            if need <= avail {
                return t + need;
            }
            need -= avail;
        }
        day += 1.0;
        t = day * DAY + shift_start;
    }
}
