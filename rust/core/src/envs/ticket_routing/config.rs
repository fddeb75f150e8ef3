//! TicketRouting configuration: the one declaration of every knob, its
//! default (through the scenario presets) and its validation.
//!
//! Every field but `scenario` is optional: `None` takes the value of the
//! selected scenario preset (`scenarios.rs`), `Some` overrides it. `Params` is
//! the resolved, validated form the simulator reads.

use serde::{Deserialize, Serialize};

use super::rates::DAY;
use super::scenarios;
use crate::error::{EnvError, MAX_REWARD_SCALE};

/// Most arrivals per day (at weekday factor 1): a very large help desk;
/// the episode's ticket tables are reserved from it.
pub const MAX_ARRIVALS_PER_DAY: f64 = 10_000.0;
/// Most engineers (and engineer slots) in a team.
pub const MAX_ENGINEERS: usize = 256;
/// Longest duration (time constants, work, SLAs), in minutes: about two years.
pub const MAX_MINUTES: f64 = 1e6;
/// Largest weekday arrival multiplier.
pub const MAX_WEEKDAY_FACTOR: f64 = 10.0;
/// Most rows of `arrival_trace`: the most tickets a sampled episode can
/// expect (`MAX_ARRIVALS_PER_DAY` over the longest episode, 28 days).
pub const MAX_TRACE_TICKETS: usize = 280_000;
/// Values of one `arrival_trace` row.
pub const TRACE_ROW: usize = 5;

pub(crate) const NAME: &str = "TicketRouting";

pub const N_PRIORITIES: usize = 4;
pub const N_TIERS: usize = 3;
pub const PRIORITY_NAMES: [&str; N_PRIORITIES] = ["critical", "high", "medium", "low"];
pub const TIER_NAMES: [&str; N_TIERS] = ["enterprise", "business", "standard"];

/// Built-in presets; other config fields override their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// A homogeneous team of generalists, office-hours arrivals.
    #[default]
    Balanced,
    /// Mostly specialists (one strong ticket type each), a morning peak hour.
    Specialists,
    /// Too few engineers for the load: backlog grows over the day.
    Understaffed,
    /// `specialists` with late binding: at most 2 open tickets per engineer
    /// and the hold action, so tickets wait in the shared backlog.
    SpecialistsPull,
    /// `specialists_pull` over a working week (Monday to Friday), the
    /// backlog and queues carried over each night.
    SpecialistsWeek,
}

/// Every scenario, in declaration order (the test that the names below are
/// the serde names reads it), and their config names (Python reads them
/// through `TicketRoutingCore.names()`).
#[cfg(test)]
pub const SCENARIOS: [Scenario; 5] = [
    Scenario::Balanced,
    Scenario::Specialists,
    Scenario::Understaffed,
    Scenario::SpecialistsPull,
    Scenario::SpecialistsWeek,
];
pub const SCENARIO_NAMES: [&str; 5] = [
    "balanced",
    "specialists",
    "understaffed",
    "specialists_pull",
    "specialists_week",
];

pub use crate::env::InvalidActionMode;

/// How an engineer works through their open tickets (`sim.rs` defines both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// One ticket at a time, in assignment order.
    #[default]
    Fifo,
    /// Every open ticket at once, at a share of the engineer's speed that
    /// shrinks with each extra ticket (`context_switch_penalty`).
    ProcessorSharing,
}

/// Declares the user config (`Option` fields), the resolved `Params` (plain
/// fields), the merge between them and the bounds of the scalar fields
/// (`name: type = [low, high]`, checked by `Params::check_bounds` before
/// anything is sized by the config), from one list of fields.
macro_rules! config_fields {
    ($( $(#[doc = $doc:literal])* $name:ident : $ty:ty $(= [$lo:expr, $hi:expr])? ),* $(,)?) => {
        /// Constructor arguments of TicketRouting (`gym.make(..., **kwargs)`).
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct TicketRoutingConfig {
            /// Preset supplying every field left unset.
            pub scenario: Scenario,
            $( $(#[doc = $doc])* pub $name: Option<$ty>, )*
        }

        /// Fully resolved configuration (preset + overrides).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct Params {
            pub scenario: Scenario,
            $( $(#[doc = $doc])* pub $name: $ty, )*
        }

        impl Params {
            /// `preset` with every field `cfg` sets replaced.
            pub fn merge(mut preset: Params, cfg: &TicketRoutingConfig) -> Params {
                preset.scenario = cfg.scenario;
                $( if let Some(v) = &cfg.$name { preset.$name = v.clone(); } )*
                preset
            }

            /// The config that resolves to exactly these params.
            pub fn to_config(&self) -> TicketRoutingConfig {
                TicketRoutingConfig {
                    scenario: self.scenario,
                    $( $name: Some(self.$name.clone()), )*
                }
            }
        }

        impl Params {
            /// Every bounded field inside its declared `[low, high]`.
            pub fn check_bounds(&self) -> Result<(), EnvError> {
                $( $( bounded(stringify!($name), self.$name, $lo, $hi)?; )? )*
                Ok(())
            }
        }

        impl TicketRoutingConfig {
            /// `self` with every field that `over` sets replaced (the
            /// scenario stays `self`'s): per-team settings over shared ones.
            pub fn overlay(&self, over: &TicketRoutingConfig) -> TicketRoutingConfig {
                let mut out = self.clone();
                $( if over.$name.is_some() { out.$name = over.$name.clone(); } )*
                out
            }
        }

        /// Names of the config fields, in declaration order.
        pub const FIELD_NAMES: &[&str] = &["scenario", $( stringify!($name), )*];
    };
}

config_fields! {
    /// Episode length in simulated days (1 = a day, 7 = a week).
    episode_days: u32 = [1, 28],
    /// Weekday of time 0: 0 = Monday ... 6 = Sunday.
    start_weekday: u32 = [0, 6],
    /// Mean arrivals per day at weekday factor 1, in (0, 10000].
    arrivals_per_day: f64 = [0.0, MAX_ARRIVALS_PER_DAY],
    /// 24 relative arrival intensities by hour of day, each in [0, 1e6] (normalised to mean 1).
    hour_profile: Vec<f64>,
    /// 7 arrival multipliers in [0, 10], Monday first.
    weekday_factor: Vec<f64>,
    /// Names of the ticket types (their number sets the type one-hot size).
    ticket_types: Vec<String>,
    /// Probability of each ticket type (sums to 1).
    type_probs: Vec<f64>,
    /// Per type, probabilities of critical/high/medium/low (each row sums to 1).
    priority_probs: Vec<Vec<f64>>,
    /// Probabilities of the enterprise/business/standard customer tiers.
    tier_probs: Vec<f64>,
    /// Per type, median work content in minutes for a skill-1 engineer, in (0, 1e6].
    work_median_minutes: Vec<f64>,
    /// Per type, sigma of the log of the work content (lognormal).
    work_sigma: Vec<f64>,
    /// Engineers in the team.
    n_engineers: usize = [1, MAX_ENGINEERS],
    /// Engineer slots in the observation and the action space (>= n_engineers).
    max_engineers: usize = [1, MAX_ENGINEERS],
    /// Per engineer, `[start_hour, end_hour]` of the daily shift, 0 <= start < end <= 24
    /// (unset with another `n_engineers`: the preset's shifts are reused in turn).
    shifts: Vec<Vec<f64>>,
    /// Explicit skill matrix (n_engineers x types, values in (0, 1]); empty = generated.
    skills: Vec<Vec<f64>>,
    /// Share of generated engineers that are specialists.
    specialist_share: f64 = [0.0, 1.0],
    /// `[low, high]` skill of a specialist outside their specialty (uniform).
    specialist_off_skill: Vec<f64>,
    /// `[low, high]` skill of a generalist on every type (uniform).
    generalist_skill: Vec<f64>,
    /// Seed of the generated team (fixed across episodes unless resample_skills).
    team_seed: u64,
    /// Draw a new skill matrix at every reset (from the episode's seed).
    resample_skills: bool,
    /// Shuffle engineers over slots at every reset.
    shuffle_slots: bool,
    /// Maximum open tickets per engineer (the action mask's capacity).
    cap: usize = [1, 64],
    /// Open tickets above which an engineer accrues burnout and fatigue.
    soft_cap: usize = [0, 64],
    /// Time constant (minutes, in (0, 1e6]) of fatigue growth while over the soft cap.
    fatigue_rise_minutes: f64 = [0.0, MAX_MINUTES],
    /// Time constant (minutes, in (0, 1e6]) of fatigue decay while idle.
    fatigue_recovery_minutes: f64 = [0.0, MAX_MINUTES],
    /// Resolution-time SLA per priority (critical, high, medium, low), minutes in (0, 1e6].
    sla_minutes: Vec<f64>,
    /// Weight of an open ticket per priority in the waiting cost, in [0, 1e6].
    priority_weights: Vec<f64>,
    /// Multiplier of that weight per customer tier, in [0, 1e6].
    tier_weights: Vec<f64>,
    /// Reward per weighted hour a ticket is open (subtracted).
    wait_weight: f64 = [0.0, MAX_REWARD_SCALE],
    /// Reward per SLA breach, per priority (subtracted), in [0, 1e6].
    sla_penalty: Vec<f64>,
    /// Reward per ticket-hour above the soft cap (subtracted).
    burnout_weight: f64 = [0.0, MAX_REWARD_SCALE],
    /// Extra wait (minutes) charged at truncation to a ticket still in the backlog.
    backlog_end_minutes: f64 = [0.0, MAX_MINUTES],
    /// Backlog size beyond which the episode is truncated (a blow-up).
    max_backlog: usize = [1, 100_000],
    /// Assign without a decision when exactly one engineer is valid.
    auto_assign_single: bool,
    /// What an action naming an unavailable engineer does: raise, or route to
    /// the next valid slot after it (cyclically) with `invalid_action_penalty`.
    invalid_action: InvalidActionMode,
    /// Reward added (subtracted) when the fallback reroutes an invalid action.
    invalid_action_penalty: f64 = [0.0, MAX_REWARD_SCALE],
    /// Service discipline of every engineer: "fifo" or "processor_sharing".
    service: Service,
    /// Processor sharing only: with n open tickets an engineer works at
    /// `1 / (1 + penalty * (n - 1))` of their speed, shared equally.
    context_switch_penalty: f64 = [0.0, 10.0],
    /// Add a hold action (the last index): the ticket stays in the backlog
    /// and is offered again after the next event.
    allow_hold: bool,
    /// Trace replay: the exact tickets, one row `[minute, type, priority,
    /// tier, work_minutes]` each (minute from the episode start, ascending,
    /// inside the episode; type, priority and tier as indices; skill-1 work,
    /// or < 0 / NaN when unknown: then drawn from the type's lognormal by
    /// the episode seed and the row alone). Arrivals come from it instead of
    /// the rates; [] = sample them. At most 280000 rows.
    arrival_trace: Vec<Vec<f64>>,
}

fn err(field: &str, value: impl std::fmt::Debug, expected: &str) -> EnvError {
    EnvError::config(NAME, field, format!("{value:?}"), expected)
}

/// A scalar field type with declared bounds.
trait Scalar: Copy + PartialOrd + std::fmt::Debug + std::fmt::Display {
    const WHAT: &'static str;
    fn finite(self) -> bool {
        true
    }
}

impl Scalar for u32 {
    const WHAT: &'static str = "an integer";
}

impl Scalar for usize {
    const WHAT: &'static str = "an integer";
}

impl Scalar for f64 {
    const WHAT: &'static str = "a finite number";
    fn finite(self) -> bool {
        self.is_finite()
    }
}

fn bounded<T: Scalar>(field: &str, v: T, lo: T, hi: T) -> Result<(), EnvError> {
    if v.finite() && lo <= v && v <= hi {
        Ok(())
    } else {
        Err(err(field, v, &format!("{} in [{lo}, {hi}]", T::WHAT)))
    }
}

fn positive(field: &str, v: f64) -> Result<(), EnvError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(err(field, v, "a finite number > 0"))
    }
}

fn vec_len(field: &str, v: &[f64], n: usize, what: &str) -> Result<(), EnvError> {
    if v.len() != n {
        return Err(err(field, v, &format!("{n} values ({what})")));
    }
    Ok(())
}

/// `n` values, each finite and in `[0, hi]`.
fn nonneg_vec(field: &str, v: &[f64], n: usize, what: &str, hi: f64) -> Result<(), EnvError> {
    vec_len(field, v, n, what)?;
    if v.iter().any(|x| !(x.is_finite() && (0.0..=hi).contains(x))) {
        return Err(err(field, v, &format!("finite numbers in [0, {hi}]")));
    }
    Ok(())
}

/// `n` values, each finite and in `(0, hi]`.
fn positive_vec(field: &str, v: &[f64], n: usize, what: &str, hi: f64) -> Result<(), EnvError> {
    vec_len(field, v, n, what)?;
    if v.iter().any(|x| !(x.is_finite() && *x > 0.0 && *x <= hi)) {
        return Err(err(field, v, &format!("finite numbers in (0, {hi}]")));
    }
    Ok(())
}

fn probs(field: &str, v: &[f64], n: usize, what: &str) -> Result<(), EnvError> {
    nonneg_vec(field, v, n, what, 1.0)?;
    let total: f64 = v.iter().sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(err(
            field,
            v,
            &format!("probabilities summing to 1 (they sum to {total})"),
        ));
    }
    Ok(())
}

fn skill_range(field: &str, v: &[f64]) -> Result<(), EnvError> {
    if v.len() != 2 || !(v[0] > 0.0 && v[0] <= v[1] && v[1] <= 1.0) {
        return Err(err(field, v, "[low, high] with 0 < low <= high <= 1"));
    }
    Ok(())
}

impl TicketRoutingConfig {
    /// Resolves the scenario preset and the overrides, then validates. The
    /// scalar bounds are checked before anything is sized by them (the
    /// shifts below by `n_engineers`).
    pub fn resolve(&self) -> Result<Params, EnvError> {
        let mut p = Params::merge(scenarios::preset(self.scenario), self);
        p.check_bounds()?;
        if self.shifts.is_none() && p.shifts.len() != p.n_engineers {
            // A team size without shifts: reuse the preset's shifts in turn.
            let preset = std::mem::take(&mut p.shifts);
            p.shifts = (0..p.n_engineers)
                .map(|i| preset[i % preset.len()].clone())
                .collect();
        }
        p.validate()?;
        // One spelling of "unknown work" in the resolved config: NaN is not
        // a number a typed config or JSON carries back.
        for row in &mut p.arrival_trace {
            if row[4].is_nan() {
                row[4] = -1.0;
            }
        }
        Ok(p)
    }
}

impl Params {
    pub fn n_types(&self) -> usize {
        self.ticket_types.len()
    }

    /// The declared bounds (`check_bounds`), then the rules between fields.
    pub fn validate(&self) -> Result<(), EnvError> {
        self.check_bounds()?;
        positive("arrivals_per_day", self.arrivals_per_day)?;
        nonneg_vec(
            "hour_profile",
            &self.hour_profile,
            24,
            "one per hour of day",
            1e6,
        )?;
        if self.hour_profile.iter().sum::<f64>() <= 0.0 {
            return Err(err(
                "hour_profile",
                &self.hour_profile,
                "at least one positive value",
            ));
        }
        nonneg_vec(
            "weekday_factor",
            &self.weekday_factor,
            7,
            "one per weekday, Monday first",
            MAX_WEEKDAY_FACTOR,
        )?;
        if self.weekday_factor.iter().sum::<f64>() <= 0.0 {
            return Err(err(
                "weekday_factor",
                &self.weekday_factor,
                "at least one positive value",
            ));
        }
        let k = self.n_types();
        if !(1..=32).contains(&k) {
            return Err(err(
                "ticket_types",
                &self.ticket_types,
                "between 1 and 32 names",
            ));
        }
        probs("type_probs", &self.type_probs, k, "one per ticket type")?;
        if self.priority_probs.len() != k {
            return Err(err(
                "priority_probs",
                &self.priority_probs,
                &format!("{k} rows (one per ticket type) of 4 probabilities"),
            ));
        }
        for (i, row) in self.priority_probs.iter().enumerate() {
            probs(
                &format!("priority_probs[{i}]"),
                row,
                N_PRIORITIES,
                "critical, high, medium, low",
            )?;
        }
        probs(
            "tier_probs",
            &self.tier_probs,
            N_TIERS,
            "enterprise, business, standard",
        )?;
        positive_vec(
            "work_median_minutes",
            &self.work_median_minutes,
            k,
            "one per ticket type",
            MAX_MINUTES,
        )?;
        nonneg_vec(
            "work_sigma",
            &self.work_sigma,
            k,
            "one per ticket type",
            3.0,
        )?;
        if self.max_engineers < self.n_engineers {
            return Err(err(
                "max_engineers",
                self.max_engineers,
                &format!(
                    "an integer in [n_engineers = {}, {MAX_ENGINEERS}]",
                    self.n_engineers
                ),
            ));
        }
        if self.shifts.len() != self.n_engineers {
            return Err(err(
                "shifts",
                &self.shifts,
                &format!(
                    "{} rows [start_hour, end_hour], one per engineer",
                    self.n_engineers
                ),
            ));
        }
        for (i, s) in self.shifts.iter().enumerate() {
            if s.len() != 2 || !(s[0] >= 0.0 && s[0] < s[1] && s[1] <= 24.0) {
                return Err(err(
                    &format!("shifts[{i}]"),
                    s,
                    "[start_hour, end_hour] with 0 <= start < end <= 24",
                ));
            }
        }
        if !self.skills.is_empty() {
            if self.skills.len() != self.n_engineers || self.skills.iter().any(|r| r.len() != k) {
                return Err(err(
                    "skills",
                    &self.skills,
                    &format!(
                        "a {} x {k} matrix (engineers x ticket types), or [] to generate one",
                        self.n_engineers
                    ),
                ));
            }
            if self
                .skills
                .iter()
                .flatten()
                .any(|s| !(*s > 0.0 && *s <= 1.0))
            {
                return Err(err("skills", &self.skills, "values in (0, 1]"));
            }
        }
        skill_range("specialist_off_skill", &self.specialist_off_skill)?;
        skill_range("generalist_skill", &self.generalist_skill)?;
        if self.soft_cap > self.cap {
            return Err(err(
                "soft_cap",
                self.soft_cap,
                &format!("an integer in [0, cap = {}]", self.cap),
            ));
        }
        positive("fatigue_rise_minutes", self.fatigue_rise_minutes)?;
        positive("fatigue_recovery_minutes", self.fatigue_recovery_minutes)?;
        positive_vec(
            "sla_minutes",
            &self.sla_minutes,
            N_PRIORITIES,
            "critical, high, medium, low",
            MAX_MINUTES,
        )?;
        nonneg_vec(
            "priority_weights",
            &self.priority_weights,
            N_PRIORITIES,
            "critical, high, medium, low",
            MAX_REWARD_SCALE,
        )?;
        nonneg_vec(
            "tier_weights",
            &self.tier_weights,
            N_TIERS,
            "enterprise, business, standard",
            MAX_REWARD_SCALE,
        )?;
        nonneg_vec(
            "sla_penalty",
            &self.sla_penalty,
            N_PRIORITIES,
            "critical, high, medium, low",
            MAX_REWARD_SCALE,
        )?;
        self.check_trace()
    }

    /// `arrival_trace`: its length first (before anything is sized by it),
    /// then row by row, naming the row.
    fn check_trace(&self) -> Result<(), EnvError> {
        let trace = &self.arrival_trace;
        if trace.len() > MAX_TRACE_TICKETS {
            return Err(err(
                "arrival_trace",
                format_args!("{} rows", trace.len()),
                &format!("at most {MAX_TRACE_TICKETS} rows"),
            ));
        }
        let horizon = f64::from(self.episode_days) * DAY;
        let k = self.n_types();
        let index = |x: f64, n: usize| x >= 0.0 && x < n as f64 && x.fract() == 0.0;
        let mut last = 0.0;
        for (i, row) in trace.iter().enumerate() {
            let field = format!("arrival_trace[{i}]");
            if row.len() != TRACE_ROW {
                return Err(err(
                    &field,
                    row,
                    "[minute, type, priority, tier, work_minutes] (5 values)",
                ));
            }
            let minute = row[0];
            if !(minute.is_finite() && (0.0..horizon).contains(&minute)) {
                return Err(err(
                    &field,
                    row,
                    &format!(
                        "a minute in [0, {horizon}) (inside the episode of episode_days = {})",
                        self.episode_days
                    ),
                ));
            }
            if minute < last {
                return Err(err(
                    &field,
                    row,
                    &format!("rows sorted by minute (the row before is at minute {last})"),
                ));
            }
            last = minute;
            let checks = [
                (row[1], k, "a ticket type index"),
                (row[2], N_PRIORITIES, "a priority index (0 = critical)"),
                (row[3], N_TIERS, "a tier index (0 = enterprise)"),
            ];
            if let Some((_, n, what)) = checks.iter().find(|c| !index(c.0, c.1)) {
                return Err(err(&field, row, &format!("{what} in 0..{n}")));
            }
            let work = row[4];
            let known = work.is_finite() && work > 0.0 && work <= MAX_MINUTES;
            let unknown = work.is_nan() || (work.is_finite() && work < 0.0);
            if !(known || unknown) {
                return Err(err(
                    &field,
                    row,
                    &format!("work_minutes in (0, {MAX_MINUTES}], or < 0 or NaN for unknown"),
                ));
            }
        }
        Ok(())
    }

    /// Whether arrivals come from `arrival_trace` rather than the rates.
    #[inline]
    pub fn replays_trace(&self) -> bool {
        !self.arrival_trace.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(cfg: TicketRoutingConfig, field: &str) {
        match cfg.resolve() {
            Err(EnvError::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected `{field}` refused, got {other:?}"),
        }
    }

    #[test]
    fn sizes_are_bounded_before_anything_is_sized_by_them() {
        // Without the bound first, the shifts alone would be usize::MAX rows.
        refused(
            TicketRoutingConfig {
                n_engineers: Some(usize::MAX),
                ..Default::default()
            },
            "n_engineers",
        );
        refused(
            TicketRoutingConfig {
                arrivals_per_day: Some(1e12),
                ..Default::default()
            },
            "arrivals_per_day",
        );
        refused(
            TicketRoutingConfig {
                weekday_factor: Some(vec![1e300; 7]),
                ..Default::default()
            },
            "weekday_factor",
        );
    }

    #[test]
    fn the_top_of_every_declared_range_resolves() {
        let cfg = TicketRoutingConfig {
            arrivals_per_day: Some(MAX_ARRIVALS_PER_DAY),
            n_engineers: Some(MAX_ENGINEERS),
            max_engineers: Some(MAX_ENGINEERS),
            episode_days: Some(28),
            ..Default::default()
        };
        assert_eq!(cfg.resolve().unwrap().shifts.len(), MAX_ENGINEERS);
    }
}
