//! The observation: declared once as a layout (names, shapes, bounds), and
//! written from the simulation state by one pure function of it.

use std::f64::consts::TAU;

use super::config::{Params, N_PRIORITIES, N_TIERS, PRIORITY_NAMES, TIER_NAMES};
use super::sim::{floor_pos, Engineer, DAY};
use super::TicketRouting;
use crate::space::ObsField;

/// Durations are shown as `x / (x + SCALE)`: 0 at 0, 0.5 at four hours,
/// approaching 1, so that long waits stay distinguishable.
const SCALE_MINUTES: f64 = 240.0;
/// Backlog counts are shown as `n / (n + BACKLOG_HALF)`.
const BACKLOG_HALF: f64 = 5.0;
/// Ticket age over its SLA target is clipped here.
const AGE_CLIP: f64 = 2.0;

pub const ENGINEER_FEATURES: [&str; 8] = [
    "present", "on_shift", "load", "busy", "skill", "eta", "idle", "fatigue",
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
            "engineers",
            &[p.max_engineers, ENGINEER_FEATURES.len()],
            0.0,
            1.0,
            &ENGINEER_FEATURES,
            "one row per slot (absent slots are zero): present, on shift, open tickets / cap, \
             queued work b/(b+240) in minutes, skill for this ticket's type, expected completion if \
             assigned e/(e+240) in minutes (shift calendar), minutes since last assignment i/(i+240), \
             fatigue",
        ),
    ]
}

#[inline]
fn squash(minutes: f64) -> f64 {
    minutes / (minutes + SCALE_MINUTES)
}

/// Wall-clock time at which `need` minutes of on-shift work done from `now`
/// are finished, following the engineer's daily shift.
pub fn finish_time(e: &Engineer, now: f64, mut need: f64) -> f64 {
    if need <= 0.0 {
        return now;
    }
    if e.shift_start == 0.0 && e.shift_end == DAY {
        return now + need;
    }
    let mut t = now;
    loop {
        let d = floor_pos(t / DAY);
        let start = d * DAY + e.shift_start;
        let end = d * DAY + e.shift_end;
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
        t = (d + 1.0) * DAY + e.shift_start;
    }
}

impl TicketRouting {
    pub(super) fn write_obs(&self, obs: &mut [f32]) {
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
        let day_angle = TAU * (now - floor_pos(now / DAY) * DAY) / DAY;
        let week_minutes = f64::from(p.start_weekday) * DAY + now;
        let week_angle =
            TAU * (week_minutes - floor_pos(week_minutes / (7.0 * DAY)) * 7.0 * DAY) / (7.0 * DAY);
        obs[o] = day_angle.sin() as f32;
        obs[o + 1] = day_angle.cos() as f32;
        obs[o + 2] = week_angle.sin() as f32;
        obs[o + 3] = week_angle.cos() as f32;
        o += 4;
        let mut backlog = [0u32; N_PRIORITIES];
        for t in &sim.pending {
            backlog[t.priority as usize] += 1;
        }
        for (i, n) in backlog.iter().enumerate() {
            let n = f64::from(*n);
            obs[o + i] = (n / (n + BACKLOG_HALF)) as f32;
        }
        o += N_PRIORITIES;
        let present = sim.engineers.iter().filter(|e| e.present).count();
        let full = sim
            .engineers
            .iter()
            .filter(|e| e.present && e.queue.len() >= p.cap)
            .count();
        obs[o] = self.rates.rate_share(now, p.start_weekday) as f32;
        obs[o + 1] = (full as f64 / present as f64) as f32;
        obs[o + 2] = (now / self.rates.horizon).min(1.0) as f32;
        o += 3;
        let nf = ENGINEER_FEATURES.len();
        for (i, e) in sim.engineers.iter().enumerate() {
            if !e.present {
                continue;
            }
            let row = &mut obs[o + i * nf..o + (i + 1) * nf];
            let busy = e.busy_left(now);
            row[0] = 1.0;
            row[1] = if e.on_shift { 1.0 } else { 0.0 };
            row[2] = (e.queue.len() as f64 / p.cap as f64) as f32;
            row[3] = squash(busy) as f32;
            if let Some(t) = &sim.current {
                let kind = t.kind as usize;
                let skill = e.skill[kind];
                row[4] = skill as f32;
                let eta = finish_time(e, now, busy + self.rates.mean_work[kind] / skill) - now;
                row[5] = squash(eta) as f32;
            }
            let idle = now - e.last_assign;
            row[6] = if idle.is_finite() {
                squash(idle) as f32
            } else {
                1.0
            };
            row[7] = e.fatigue as f32;
        }
    }
}
