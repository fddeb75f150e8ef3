//! The observation: declared once as a layout (names, shapes, bounds), and
//! written from the simulation state by one pure function of it.

use super::config::{Params, Service, N_PRIORITIES, N_TIERS, PRIORITY_NAMES, TIER_NAMES};
use super::rates::{floor_pos, DAY};
use super::sim::{Desk, MAX_OPEN};
use super::team::finish_time_on;
use crate::space::ObsField;

/// Durations are shown as `x / (x + SCALE)`: 0 at 0, 0.5 at four hours,
/// approaching 1, so that long waits stay distinguishable.
const SCALE_MINUTES: f64 = 240.0;
/// Backlog counts are shown as `n / (n + BACKLOG_HALF)`.
const BACKLOG_HALF: f64 = 5.0;
/// Ticket age over its SLA target is clipped here.
const AGE_CLIP: f64 = 2.0;

/// Queued weight is shown as `w / (w + WEIGHT_HALF)`: 0.5 at one critical
/// ticket of weight 8.
const WEIGHT_HALF: f64 = 8.0;

pub const ENGINEER_FEATURES: [&str; 12] = [
    "present",
    "on_shift",
    "load",
    "busy",
    "skill",
    "eta",
    "idle",
    "fatigue",
    "eligible",
    "shift_starts_in",
    "shift_ends_in",
    "queued_weight",
];

pub fn layout(p: &Params) -> Vec<ObsField> {
    let types: Vec<&str> = p.ticket_types.iter().map(String::as_str).collect();
    vec![
        ObsField::new("ticket_type", &[types.len()], 0.0, 1.0, &types, "one-hot type of the ticket to route"),
        ObsField::new("ticket_priority", &[N_PRIORITIES], 0.0, 1.0, &PRIORITY_NAMES, "one-hot priority"),
        ObsField::new("ticket_tier", &[N_TIERS], 0.0, 1.0, &TIER_NAMES, "one-hot customer tier"),
        ObsField::new(
            "ticket_age",
            &[1],
            0.0,
            AGE_CLIP,
            &["age_over_sla"],
            "time since arrival divided by the priority's SLA target, clipped at 2",
        ),
        ObsField::new(
            "time",
            &[4],
            -1.0,
            1.0,
            &["day_sin", "day_cos", "week_sin", "week_cos"],
            "time of day and of week as angles",
        ),
        ObsField::new(
            "backlog",
            &[N_PRIORITIES],
            0.0,
            1.0,
            &PRIORITY_NAMES,
            "tickets waiting unassigned per priority (besides this one), n / (n + 5)",
        ),
        ObsField::new(
            "context",
            &[3],
            0.0,
            1.0,
            &["arrival_rate", "at_capacity", "progress"],
            "arrival intensity / its weekly peak; share of engineers at cap; elapsed share of the episode",
        ),
        ObsField::new(
            "backlog_type",
            &[types.len()],
            0.0,
            1.0,
            &types,
            "tickets waiting unassigned per type (besides this one, held ones included), n / (n + 5)",
        ),
        ObsField::new(
            "clock",
            &[2],
            0.0,
            1.0,
            &["day_fraction", "week_fraction"],
            "time of day / 24 h and of week / 7 days (Monday 0:00 = 0)",
        ),
        ObsField::new(
            "engineers",
            &[p.max_engineers, ENGINEER_FEATURES.len()],
            0.0,
            1.0,
            &ENGINEER_FEATURES,
            "one row per slot (absent slots are zero): present, on shift, open tickets / cap, \
             queued work b/(b+240) in minutes, skill for this ticket's type, expected completion if \
             assigned e/(e+240) in minutes (shift calendar; every present engineer, also off shift \
             or at cap), minutes since last assignment i/(i+240), fatigue, eligible now (on shift \
             and below cap), minutes until the next shift start s/(s+240) (0 on shift), minutes \
             until the current or next shift end s/(s+240) (1 for a 24 h shift), weight of the open \
             tickets w/(w+8)",
        ),
    ]
}

/// Values in the observation for `p` (the layout's total size).
pub fn len(p: &Params) -> usize {
    p.n_types()
        + N_PRIORITIES
        + N_TIERS
        + 1
        + 4
        + N_PRIORITIES
        + 3
        + p.max_engineers * ENGINEER_FEATURES.len()
        + p.n_types()
        + 2
}

#[inline]
fn squash(minutes: f64) -> f64 {
    minutes / (minutes + SCALE_MINUTES)
}

/// `(sin, cos)` of `turns` whole turns, `0 <= turns < 2`, within 2e-9 of the
/// exact values: reduced to the nearest quarter turn, then Taylor series to
/// the 9th/10th power on `[-pi/4, pi/4]`. The observation stores float32
/// (resolution 6e-8), and four libm calls were a tenth of a decision.
#[inline]
fn sin_cos_turns(turns: f64) -> (f64, f64) {
    let x = turns * 4.0;
    let q = floor_pos(x + 0.5);
    let y = (x - q) * std::f64::consts::FRAC_PI_2;
    let y2 = y * y;
    // Horner form with the coefficients 1/n! as constants (no division).
    let s = y + y
        * y2
        * (-1.0 / 6.0 + y2 * (1.0 / 120.0 + y2 * (-1.0 / 5040.0 + y2 * (1.0 / 362_880.0))));
    let c = 1.0
        + y2 * (-0.5
            + y2 * (1.0 / 24.0
                + y2 * (-1.0 / 720.0 + y2 * (1.0 / 40_320.0 - y2 * (1.0 / 3_628_800.0)))));
    match q as i64 & 3 {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// Writes the observation of `desk`'s current decision into `obs`.
pub fn write(desk: &Desk, obs: &mut [f32]) {
    desk.write_obs(obs);
}

impl Desk {
    fn write_obs(&self, obs: &mut [f32]) {
        let p = &self.p;
        let sim = &self.sim;
        let now = sim.now;
        let k = p.n_types();
        obs.fill(0.0);
        let mut o = 0;
        if let Some(t) = &sim.current {
            obs[t.kind as usize] = 1.0;
            obs[k + t.priority as usize] = 1.0;
            obs[k + N_PRIORITIES + t.tier as usize] = 1.0;
            let age = (now - t.arrival) / p.sla_minutes[t.priority as usize];
            obs[k + N_PRIORITIES + N_TIERS] = age.min(AGE_CLIP) as f32;
        }
        o += k + N_PRIORITIES + N_TIERS + 1;
        let day = floor_pos(now / DAY);
        let day_turns = (now - day * DAY) / DAY;
        let (day_sin, day_cos) = sin_cos_turns(day_turns);
        let week_minutes = f64::from(p.start_weekday) * DAY + now;
        let week = 7.0 * DAY;
        let week_turns = (week_minutes - floor_pos(week_minutes / week) * week) / week;
        let (week_sin, week_cos) = sin_cos_turns(week_turns);
        obs[o] = day_sin as f32;
        obs[o + 1] = day_cos as f32;
        obs[o + 2] = week_sin as f32;
        obs[o + 3] = week_cos as f32;
        o += 4;
        let mut backlog = [0u32; N_PRIORITIES];
        // After the context: per type, then the clock (the engineer rows stay last).
        let tail = o + N_PRIORITIES + 3;
        for t in &sim.pending {
            backlog[t.priority as usize] += 1;
            obs[tail + t.kind as usize] += 1.0;
        }
        for v in &mut obs[tail..tail + k] {
            let n = f64::from(*v);
            *v = (n / (n + BACKLOG_HALF)) as f32;
        }
        obs[tail + k] = day_turns as f32;
        obs[tail + k + 1] = week_turns as f32;
        for (i, n) in backlog.iter().enumerate() {
            let n = f64::from(*n);
            obs[o + i] = (n / (n + BACKLOG_HALF)) as f32;
        }
        o += N_PRIORITIES;
        let slots = &self.tables.present;
        let present = slots.len();
        let full = slots
            .iter()
            .filter(|&&i| sim.engineers[i as usize].queue.len() >= p.cap)
            .count();
        obs[o] = self.rates.rate_share(now, p.start_weekday) as f32;
        // Counts convert through i64, one instruction each (see `floor_pos`).
        obs[o + 1] = (full as i64 as f64 / present as i64 as f64) as f32;
        obs[o + 2] = (now / self.rates.horizon).min(1.0) as f32;
        o += 3 + k + 2;
        let m = sim.engineers.len();
        // This ticket type's skills and mean service times, one row each.
        let kind = sim.current.as_ref().map(|t| t.kind as usize);
        let (skills, eta_work) = match kind {
            Some(kind) => (
                &self.tables.skill_by_kind[kind * m..(kind + 1) * m],
                &self.tables.eta_work[kind * m..(kind + 1) * m],
            ),
            None => (&[][..], &[][..]),
        };
        // One loop per discipline (a const parameter), so that FIFO's has no
        // branch on it.
        if p.service == Service::ProcessorSharing {
            self.write_engineer_rows::<true>(obs, o, day, kind, skills, eta_work);
        } else {
            self.write_engineer_rows::<false>(obs, o, day, kind, skills, eta_work);
        }
    }

    /// The engineer rows; `SHARING`: processor sharing, whose `busy` and
    /// the new ticket's need both come from its finish-time recurrence
    /// (sim.rs), else FIFO's queued work.
    #[inline(always)]
    fn write_engineer_rows<const SHARING: bool>(
        &self,
        obs: &mut [f32],
        o: usize,
        day: f64,
        kind: Option<usize>,
        skills: &[f64],
        eta_work: &[f64],
    ) {
        let sim = &self.sim;
        let now = sim.now;
        let nf = ENGINEER_FEATURES.len();
        // Processor sharing's sort buffer, once for every engineer.
        let mut scratch = [0.0; MAX_OPEN];
        for &i in &self.tables.present {
            let i = i as usize;
            let e = &sim.engineers[i];
            let row = &mut obs[o + i * nf..o + (i + 1) * nf];
            let (busy, shared_need) = if SHARING {
                self.ps_busy_need(i, eta_work.get(i).copied().unwrap_or(0.0), &mut scratch)
            } else {
                (self.busy_left(i), 0.0)
            };
            row[0] = 1.0;
            row[1] = if e.on_shift { 1.0 } else { 0.0 };
            row[2] = self.rates.load_share(e.queue.len());
            row[3] = squash(busy) as f32;
            if kind.is_some() {
                row[4] = skills[i] as f32;
                let need = if SHARING {
                    shared_need
                } else {
                    busy + eta_work[i]
                };
                let eta = finish_time_on([e.shift_start, e.shift_end], now, day, need) - now;
                row[5] = squash(eta) as f32;
            }
            let idle = now - e.last_assign;
            row[6] = if idle.is_finite() {
                squash(idle) as f32
            } else {
                1.0
            };
            row[7] = e.fatigue as f32;
            row[8] = if e.eligible(self.p.cap) { 1.0 } else { 0.0 };
            let to_change = e.next_change - now;
            let (starts, ends) = if e.on_shift {
                (0.0, to_change)
            } else {
                (to_change, to_change + (e.shift_end - e.shift_start))
            };
            row[9] = squash(starts) as f32;
            // A 24 h shift never ends: infinite minutes show as 1.
            row[10] = if ends.is_finite() {
                squash(ends) as f32
            } else {
                1.0
            };
            let weight = self.queued_weight[i];
            row[11] = (weight / (weight + WEIGHT_HALF)) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sin_cos_turns;
    use std::f64::consts::TAU;
    #[test]
    fn sin_cos_turns_is_within_2e_9_of_libm() {
        let mut worst = 0.0f64;
        for i in 0..=200_000 {
            let turns = f64::from(i) / 100_000.0 * 0.999_999_9;
            let (s, c) = sin_cos_turns(turns);
            let a = TAU * turns;
            worst = worst.max((s - a.sin()).abs()).max((c - a.cos()).abs());
        }
        assert!(worst < 2e-9, "{worst}");
    }
}
