//! The arrival intensity and the per-type constants the simulation reads,
//! computed once per env from the params.

use super::config::Params;
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
    pub fn hourly(&self, hour: u64, start_weekday: u32) -> f64 {
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
