//! InventoryControl: a store reviews its stock every day and orders from a
//! supplier who delivers after a lead time, facing random demand (Poisson
//! or negative binomial, optionally with a weekly cycle). Costs: holding
//! stock, running short (backorders or lost sales) and ordering (a fixed
//! cost per order plus a cost per unit). The classical operations-research
//! inventory problem with lead times (Scarf's (s, S) setting), batched in
//! Rust.
//!
//! One day (one `step`):
//! 1. the orders due today arrive; units that do not fit under `capacity`
//!    are turned away (paid for, never stocked: `overflow`);
//! 2. the action's order is placed; it arrives `lead_time` days later (plus
//!    a uniform draw in `[0, lead_time_jitter]` when that is set), at the
//!    start of that day, before its demand;
//! 3. the day's demand is drawn; stock serves outstanding backorders first,
//!    then today's demand; what is unmet is backordered or lost (`shortage`);
//! 4. costs: holding per unit on hand at the end of the day, shortage per
//!    unit backordered at the end of the day (or per unit lost today), and
//!    the order's fixed + per-unit cost.
//!
//! Every random draw is one `Rng::uniform` (demand by inverse CDF, lead time
//! by `Rng::below`), so tests/reference/inventory_control_ref.py reproduces
//! trajectories exactly.

use serde::{Deserialize, Serialize};

use crate::env::{check_discrete, Env, InfoGroup, Step};
use crate::error::EnvError;
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, ObsField, Space};

pub const NAME: &str = "InventoryControl";
/// Days of demand history in the observation (most recent first).
pub const HISTORY: usize = 7;
/// Longest supported `lead_time + lead_time_jitter` (the pipeline's length).
pub const MAX_PIPELINE: u32 = 60;
/// Inverse-CDF demand draws stop here (far beyond any allowed mean).
const MAX_DEMAND: u32 = 100_000;

pub const COMPONENT_NAMES: [&str; 3] = ["holding", "shortage", "ordering"];
pub const FLOW_NAMES: [&str; 6] = ["demand", "sold", "unmet", "arrived", "overflow", "ordered"];
const INFO: &[InfoGroup] = &[
    InfoGroup {
        key: "reward_components",
        names: &COMPONENT_NAMES,
    },
    InfoGroup {
        key: "flows",
        names: &FLOW_NAMES,
    },
];
const WEEKDAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandModel {
    /// Poisson with the day's mean.
    #[default]
    Poisson,
    /// Negative binomial with the day's mean `m` and shape `k`
    /// (`demand_dispersion`): variance `m + m^2 / k`, burstier than Poisson.
    NegativeBinomial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortage {
    /// Unmet demand waits for stock; `shortage_cost` per unit per day.
    #[default]
    Backorder,
    /// Unmet demand is lost; `shortage_cost` per unit once.
    LostSales,
}

/// Constructor arguments of InventoryControl (`gym.make(..., **kwargs)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InventoryControlConfig {
    /// Days per episode; the env truncates itself after the last one.
    pub horizon: u32,
    pub demand_model: DemandModel,
    /// Mean daily demand (before the weekly cycle).
    pub demand_mean: f64,
    /// Negative binomial shape `k` (smaller = burstier); unused for Poisson.
    pub demand_dispersion: f64,
    /// Amplitude of the weekly cycle: day `d`'s mean is
    /// `demand_mean * (1 + seasonality * sin(2 pi (d mod 7) / 7))`.
    pub seasonality: f64,
    /// Days from ordering to delivery (at least 1: today's order is on the
    /// shelf tomorrow at the earliest).
    pub lead_time: u32,
    /// Extra delay drawn uniformly in `[0, lead_time_jitter]` per order.
    pub lead_time_jitter: u32,
    pub shortage: Shortage,
    /// Per unit on hand at the end of a day. This and the three costs
    /// below are finite numbers in [0, 1e6] (`MAX_REWARD_SCALE`).
    pub holding_cost: f64,
    /// Per unit backordered at the end of a day, or per unit of lost sales.
    pub shortage_cost: f64,
    /// Per order of at least one unit.
    pub order_fixed_cost: f64,
    /// Per unit ordered.
    pub order_unit_cost: f64,
    /// Most units on hand; deliveries beyond it are turned away.
    pub capacity: u32,
    /// Largest order; the action picks one of `0, order_step, ..., max_order`.
    pub max_order: u32,
    pub order_step: u32,
    /// Stock at the start of an episode; `None`: uniform in `[0, capacity / 2]`.
    pub initial_stock: Option<u32>,
}

impl Default for InventoryControlConfig {
    fn default() -> Self {
        InventoryControlConfig {
            horizon: 91,
            demand_model: DemandModel::Poisson,
            demand_mean: 4.0,
            demand_dispersion: 2.0,
            seasonality: 0.0,
            lead_time: 2,
            lead_time_jitter: 0,
            shortage: Shortage::Backorder,
            holding_cost: 0.1,
            shortage_cost: 1.0,
            order_fixed_cost: 2.0,
            order_unit_cost: 0.5,
            capacity: 60,
            max_order: 20,
            order_step: 2,
            initial_stock: None,
        }
    }
}

fn check(
    ok: bool,
    field: &str,
    value: impl std::fmt::Display,
    expected: &str,
) -> Result<(), EnvError> {
    if ok {
        Ok(())
    } else {
        Err(EnvError::config(NAME, field, value, expected))
    }
}

/// A cost as a reward component: negated, and a zero cost is +0.0 (not -0.0).
fn cost(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        -x
    }
}

fn check_cost(field: &str, v: f64) -> Result<(), EnvError> {
    crate::error::check_in(NAME, field, v, 0.0, crate::error::MAX_REWARD_SCALE)
}

impl InventoryControlConfig {
    pub fn validate(&self) -> Result<(), EnvError> {
        let c = self;
        check(
            (1..=100_000).contains(&c.horizon),
            "horizon",
            c.horizon,
            "an integer in [1, 100000]",
        )?;
        check(
            c.demand_mean.is_finite() && c.demand_mean > 0.0 && c.demand_mean <= 500.0,
            "demand_mean",
            c.demand_mean,
            "a number in (0, 500]",
        )?;
        check(
            c.demand_dispersion.is_finite()
                && c.demand_dispersion > 0.0
                && c.demand_dispersion <= 1e6,
            "demand_dispersion",
            c.demand_dispersion,
            "a number in (0, 1e6] (the negative binomial shape)",
        )?;
        check(
            (0.0..1.0).contains(&c.seasonality),
            "seasonality",
            c.seasonality,
            "a number in [0, 1) (the weekly amplitude)",
        )?;
        check(
            c.lead_time >= 1 && c.lead_time.saturating_add(c.lead_time_jitter) <= MAX_PIPELINE,
            "lead_time",
            c.lead_time,
            &format!("an integer >= 1 with lead_time + lead_time_jitter <= {MAX_PIPELINE}"),
        )?;
        check(
            c.lead_time.saturating_add(c.lead_time_jitter) <= MAX_PIPELINE,
            "lead_time_jitter",
            c.lead_time_jitter,
            &format!("an integer with lead_time + lead_time_jitter <= {MAX_PIPELINE}"),
        )?;
        check_cost("holding_cost", c.holding_cost)?;
        check_cost("shortage_cost", c.shortage_cost)?;
        check_cost("order_fixed_cost", c.order_fixed_cost)?;
        check_cost("order_unit_cost", c.order_unit_cost)?;
        check(
            (1..=1_000_000).contains(&c.capacity),
            "capacity",
            c.capacity,
            "an integer in [1, 1000000]",
        )?;
        check(
            (1..=c.capacity).contains(&c.max_order),
            "max_order",
            c.max_order,
            &format!("an integer in [1, capacity = {}]", c.capacity),
        )?;
        check(
            c.order_step >= 1
                && c.max_order.is_multiple_of(c.order_step)
                && c.max_order / c.order_step <= 1000,
            "order_step",
            c.order_step,
            &format!(
                "a divisor of max_order = {} giving at most 1001 order levels",
                c.max_order
            ),
        )?;
        if let Some(s) = c.initial_stock {
            check(
                s <= c.capacity,
                "initial_stock",
                s,
                &format!("None or an integer in [0, capacity = {}]", c.capacity),
            )?;
        }
        Ok(())
    }

    /// Number of order levels (the size of the Discrete action space).
    pub fn n_levels(&self) -> u32 {
        self.max_order / self.order_step + 1
    }

    /// Days-to-arrival slots in the pipeline.
    pub fn pipeline_len(&self) -> usize {
        (self.lead_time + self.lead_time_jitter) as usize
    }

    /// Mean demand on day `day` (weekly cycle included).
    pub fn mean_on(&self, day: i64) -> f64 {
        let dow = day.rem_euclid(7) as f64;
        self.demand_mean * (1.0 + self.seasonality * (std::f64::consts::TAU * dow / 7.0).sin())
    }
}

/// The demand model with each weekday's constants computed once (the draw
/// is on the step path; `exp` / `powf` per draw would dominate it).
#[derive(Debug, Clone)]
pub struct Demand {
    model: DemandModel,
    k: f64,
    /// Per weekday: mean, P(0), and the factor of P(j + 1) / P(j) that does
    /// not depend on j (`m` for Poisson, `m / (k + m)` for NB).
    days: [(f64, f64, f64); 7],
}

impl Demand {
    pub fn new(c: &InventoryControlConfig) -> Self {
        let k = c.demand_dispersion;
        let days = std::array::from_fn(|d| {
            let m = c.mean_on(d as i64);
            match c.demand_model {
                DemandModel::Poisson => (m, (-m).exp(), m),
                DemandModel::NegativeBinomial => (m, (k / (k + m)).powf(k), m / (k + m)),
            }
        });
        Demand {
            model: c.demand_model,
            k,
            days,
        }
    }

    /// One day's demand by inverse CDF (sequential search from 0) on one
    /// uniform draw.
    pub fn draw(&self, rng: &mut Rng, day: i64) -> u32 {
        let (m, mut p, factor) = self.days[day.rem_euclid(7) as usize];
        let u = rng.uniform();
        let mut cdf = p;
        let mut j = 0u32;
        while cdf <= u && j < MAX_DEMAND {
            // P(j + 1) / P(j): m / (j + 1) for Poisson, (j + k) / (j + 1) * m / (k + m) for NB.
            let jf = f64::from(j);
            p *= match self.model {
                DemandModel::Poisson => factor / (jf + 1.0),
                DemandModel::NegativeBinomial => (jf + self.k) / (jf + 1.0) * factor,
            };
            j += 1;
            cdf += p;
            if p == 0.0 && f64::from(j) > m {
                break; // the tail underflowed: rounding left cdf a hair below 1
            }
        }
        j
    }
}

/// Everything that changes over an episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryControlState {
    /// Days played in this episode (the next day to play).
    pub day: u32,
    pub on_hand: u32,
    pub backorders: u32,
    /// `pipeline[i]`: units arriving at the start of day `day + i`.
    pub pipeline: Vec<u32>,
    /// Demand of the last `HISTORY` days, most recent first.
    pub history: [u32; HISTORY],
    /// Reward components of the last day (each <= 0, summing to the reward).
    pub components: [f64; 3],
    /// Units of the last day, in `FLOW_NAMES` order.
    pub flows: [u32; 6],
    pub rng: Rng,
}

#[derive(Debug, Clone)]
pub struct InventoryControl {
    c: InventoryControlConfig,
    demand: Demand,
    /// sin, cos of each weekday's angle (computed once: trig per step costs
    /// as much as the rest of the observation).
    weekday: [[f32; 2]; 7],
    s: InventoryControlState,
}

impl InventoryControl {
    pub fn config(&self) -> &InventoryControlConfig {
        &self.c
    }

    pub fn state_ref(&self) -> &InventoryControlState {
        &self.s
    }

    fn layout(c: &InventoryControlConfig) -> Vec<ObsField> {
        vec![
            ObsField::new("on_hand", &[1], 0.0, 1.0, &[], "units on hand / capacity"),
            ObsField::new(
                "backorders",
                &[1],
                0.0,
                1.0,
                &[],
                "units backordered / capacity, clipped to 1 (0 with lost sales)",
            ),
            ObsField::new(
                "pipeline",
                &[c.pipeline_len()],
                0.0,
                1.0,
                &[],
                "units arriving in 1, 2, ... days / (max_order * (lead_time_jitter + 1))",
            ),
            ObsField::new(
                "recent_demand",
                &[HISTORY],
                0.0,
                1.0,
                &[],
                "demand of the last 7 days, most recent first / max_order, clipped to 1",
            ),
            ObsField::new(
                "day_of_week",
                &[2],
                -1.0,
                1.0,
                &["sin", "cos"],
                "the coming day's weekday on the unit circle",
            ),
            ObsField::new("time", &[1], 0.0, 1.0, &[], "days played / horizon"),
        ]
    }

    /// Divides pipeline quantities into [0, 1]: one slot receives at most
    /// one order per day over the jitter window.
    fn pipeline_scale(&self) -> f32 {
        (self.c.max_order * (self.c.lead_time_jitter + 1)) as f32
    }

    fn write_obs(&self, obs: &mut [f32]) {
        let (c, s) = (&self.c, &self.s);
        let cap = c.capacity as f32;
        obs[0] = s.on_hand as f32 / cap;
        obs[1] = (s.backorders as f32 / cap).min(1.0);
        let p = c.pipeline_len();
        let scale = self.pipeline_scale();
        for (o, q) in obs[2..2 + p].iter_mut().zip(&s.pipeline) {
            *o = *q as f32 / scale;
        }
        let h = 2 + p;
        for (o, d) in obs[h..h + HISTORY].iter_mut().zip(&s.history) {
            *o = (*d as f32 / c.max_order as f32).min(1.0);
        }
        obs[h + HISTORY..h + HISTORY + 2].copy_from_slice(&self.weekday[(s.day % 7) as usize]);
        obs[h + HISTORY + 2] = s.day as f32 / c.horizon as f32;
    }

    fn lead(&mut self) -> usize {
        let jitter = u64::from(self.c.lead_time_jitter);
        let extra = if jitter > 0 {
            self.s.rng.below(jitter + 1)
        } else {
            0
        };
        (u64::from(self.c.lead_time) + extra) as usize
    }
}

impl Env for InventoryControl {
    type Config = InventoryControlConfig;
    type State = InventoryControlState;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = NAME;

    fn new(config: &InventoryControlConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(InventoryControl {
            c: config.clone(),
            demand: Demand::new(config),
            weekday: std::array::from_fn(|d| {
                let angle = std::f64::consts::TAU * d as f64 / 7.0;
                [angle.sin() as f32, angle.cos() as f32]
            }),
            s: InventoryControlState {
                day: 0,
                on_hand: 0,
                backorders: 0,
                pipeline: vec![0; config.pipeline_len()],
                history: [0; HISTORY],
                components: [0.0; 3],
                flows: [0; 6],
                rng: Rng::new(0),
            },
        })
    }

    fn observation_space(&self) -> Space {
        Space::from_layout(&Self::layout(&self.c), DType::F32)
    }

    fn action_space(&self) -> Space {
        Space::discrete(i64::from(self.c.n_levels()))
    }

    fn obs_layout(&self) -> Vec<ObsField> {
        Self::layout(&self.c)
    }

    fn effective_config(&self) -> Option<InventoryControlConfig> {
        Some(self.c.clone())
    }

    fn seed(&mut self, seed: u64) {
        self.s.rng = Rng::new(seed);
    }

    /// Stock `initial_stock` (or uniform in `[0, capacity / 2]`), nothing on
    /// order, and a week of demand history drawn from the demand model.
    fn reset(&mut self, obs: &mut [f32]) {
        let s = &mut self.s;
        s.day = 0;
        s.on_hand = match self.c.initial_stock {
            Some(v) => v,
            None => s.rng.below(u64::from(self.c.capacity / 2) + 1) as u32,
        };
        s.backorders = 0;
        s.pipeline.fill(0);
        for (i, h) in s.history.iter_mut().enumerate() {
            *h = self.demand.draw(&mut s.rng, -(i as i64) - 1);
        }
        s.components = [0.0; 3];
        s.flows = [0; 6];
        self.write_obs(obs);
    }

    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        let c = &self.c;
        let ordered = action as u32 * c.order_step;
        // 1. Deliveries due today.
        let s = &mut self.s;
        let arrived = s.pipeline[0];
        s.pipeline.rotate_left(1);
        let last = s.pipeline.len() - 1;
        s.pipeline[last] = 0;
        let stocked = arrived.min(c.capacity - s.on_hand);
        s.on_hand += stocked;
        // 2. Today's order joins the pipeline (slot 0 = tomorrow).
        let lead = self.lead();
        let (c, s) = (&self.c, &mut self.s);
        s.pipeline[lead - 1] += ordered;
        // 3. Demand: backorders first, then today's customers.
        let demand = self.demand.draw(&mut s.rng, i64::from(s.day));
        let to_backorders = s.backorders.min(s.on_hand);
        s.backorders -= to_backorders;
        s.on_hand -= to_backorders;
        let sold_today = demand.min(s.on_hand);
        s.on_hand -= sold_today;
        let unmet = demand - sold_today;
        // 4. Costs.
        let short_units = match c.shortage {
            Shortage::Backorder => {
                s.backorders = s.backorders.saturating_add(unmet);
                s.backorders
            }
            Shortage::LostSales => unmet,
        };
        let fixed = if ordered > 0 { c.order_fixed_cost } else { 0.0 };
        s.components = [
            cost(c.holding_cost * f64::from(s.on_hand)),
            cost(c.shortage_cost * f64::from(short_units)),
            cost(fixed + c.order_unit_cost * f64::from(ordered)),
        ];
        s.flows = [
            demand,
            to_backorders + sold_today,
            unmet,
            arrived,
            arrived - stocked,
            ordered,
        ];
        s.history.rotate_right(1);
        s.history[0] = demand;
        s.day += 1;
        let truncated = s.day >= c.horizon;
        let reward = s.components.iter().sum();
        self.write_obs(obs);
        Step {
            reward,
            terminated: false,
            truncated,
        }
    }

    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        check_discrete(NAME, action, i64::from(self.c.n_levels()))
    }

    fn state(&self) -> InventoryControlState {
        self.s.clone()
    }

    fn set_state(&mut self, s: InventoryControlState) -> Result<(), EnvError> {
        let c = &self.c;
        let problem = if s.pipeline.len() != c.pipeline_len() {
            Some(format!(
                "pipeline has {} slots; this config needs lead_time + lead_time_jitter = {}",
                s.pipeline.len(),
                c.pipeline_len()
            ))
        } else if s.on_hand > c.capacity {
            Some(format!(
                "on_hand {} exceeds capacity {}",
                s.on_hand, c.capacity
            ))
        } else if s.day > c.horizon {
            Some(format!("day {} is past the horizon {}", s.day, c.horizon))
        } else if c.shortage == Shortage::LostSales && s.backorders > 0 {
            Some(format!(
                "backorders {} with shortage = lost_sales",
                s.backorders
            ))
        } else if let Some(k) = s
            .pipeline
            .iter()
            .position(|&q| q > c.max_order.saturating_mul(c.lead_time_jitter + 1))
        {
            // Each slot holds the orders due that day, at most one per day of jitter.
            Some(format!(
                "`pipeline[{k}]` = {}; expected at most max_order * (lead_time_jitter + 1) = {}",
                s.pipeline[k],
                c.max_order.saturating_mul(c.lead_time_jitter + 1)
            ))
        } else if s.components.iter().any(|v| !v.is_finite()) {
            Some(format!("components {:?} must be finite", s.components))
        } else {
            None
        };
        match problem {
            Some(reason) => Err(EnvError::state(NAME, reason)),
            None => {
                self.s = s;
                Ok(())
            }
        }
    }

    fn info_groups(&self) -> &'static [InfoGroup] {
        INFO
    }

    fn info_values(&self, out: &mut [f64]) {
        out[..3].copy_from_slice(&self.s.components);
        for (o, f) in out[3..9].iter_mut().zip(&self.s.flows) {
            *o = f64::from(*f);
        }
    }

    fn render_ansi(&self) -> String {
        let (c, s) = (&self.c, &self.s);
        let width = 40usize;
        let filled = (s.on_hand as usize * width).div_ceil(c.capacity as usize);
        let [holding, shortage, ordering] = s.components;
        let [demand, sold, unmet, arrived, overflow, ordered] = s.flows;
        format!(
            "day {}/{} ({})\n\
             on hand    {:>5} |{}{}| capacity {}\n\
             backorders {:>5}\n\
             pipeline   {:?} (arriving in 1, 2, ... days)\n\
             last day   demand {demand}, sold {sold}, unmet {unmet}, arrived {arrived}, overflow {overflow}, ordered {ordered}\n\
             costs      holding {holding:.2}, shortage {shortage:.2}, ordering {ordering:.2}\n",
            s.day,
            c.horizon,
            WEEKDAYS[(s.day % 7) as usize],
            s.on_hand,
            "#".repeat(filled),
            ".".repeat(width - filled),
            c.capacity,
            s.backorders,
            s.pipeline,
        )
    }

    /// Bars: stock (blue) against capacity with backorders (red) below the
    /// line, the pipeline by days to arrival (orange), the last week's
    /// demand (grey, oldest left).
    fn render_rgb(&self) -> Frame {
        let (c, s) = (&self.c, &self.s);
        let (w, h) = (480.0, 260.0);
        let mut f = Frame::new(480, 260, [245, 245, 240]);
        let ink = [40, 40, 40];
        let base = 200.0; // y of the zero line
        let top = 40.0;
        let scale = |units: f64, full: f64| (units / full).min(1.0) * (base - top);
        f.text(
            10.0,
            8.0,
            &format!(
                "DAY {}/{} {}",
                s.day,
                c.horizon,
                WEEKDAYS[(s.day % 7) as usize]
            ),
            3.0,
            ink,
        );
        f.fill_rect(0.0, base, w, base + 2.0, ink);
        // Stock and backorders.
        let cap = f64::from(c.capacity);
        f.stroke_rect(20.0, top, 80.0, base, 2.0, [150, 150, 150]);
        f.fill_rect(
            22.0,
            base - scale(f64::from(s.on_hand), cap),
            78.0,
            base,
            [60, 110, 200],
        );
        let back = scale(f64::from(s.backorders), cap).min(h - base - 30.0);
        f.fill_rect(22.0, base + 2.0, 78.0, base + 2.0 + back, [200, 60, 60]);
        let stock_top = base - scale(f64::from(s.on_hand), cap);
        f.text(22.0, stock_top - 14.0, &s.on_hand.to_string(), 2.0, ink);
        if s.backorders > 0 {
            f.text(
                84.0,
                base + 6.0,
                &format!("-{}", s.backorders),
                2.0,
                [200, 60, 60],
            );
        }
        f.text(20.0, h - 20.0, "STOCK", 2.0, ink);
        // Pipeline by days to arrival.
        let full = f64::from(self.pipeline_scale());
        let n = s.pipeline.len().max(1) as f64;
        let (x0, x1) = (110.0, 290.0);
        let bw = (x1 - x0) / n;
        for (i, q) in s.pipeline.iter().enumerate() {
            let x = x0 + bw * i as f64;
            let top = base - scale(f64::from(*q), full);
            f.fill_rect(x + 1.0, top, x + bw - 1.0, base, [230, 140, 40]);
            if *q > 0 {
                f.text(x + 2.0, top - 14.0, &q.to_string(), 2.0, ink);
            }
            // Days to arrival under each slot.
            f.text(
                x + 2.0,
                base + 6.0,
                &(i + 1).to_string(),
                2.0,
                [120, 120, 120],
            );
        }
        f.text(x0, h - 20.0, "PIPELINE", 2.0, ink);
        // Recent demand, oldest on the left.
        let (x0, x1) = (320.0, 460.0);
        let bw = (x1 - x0) / HISTORY as f64;
        for (i, d) in s.history.iter().rev().enumerate() {
            let x = x0 + bw * i as f64;
            let full = f64::from(c.max_order);
            f.fill_rect(
                x + 2.0,
                base - scale(f64::from(*d), full),
                x + bw - 2.0,
                base,
                [130, 130, 130],
            );
        }
        f.text(x0, h - 20.0, "DEMAND", 2.0, ink);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(config: InventoryControlConfig) -> (InventoryControl, Vec<f32>) {
        let mut e = InventoryControl::new(&config).unwrap();
        e.seed(3);
        let mut o = vec![0f32; e.obs_len()];
        e.reset(&mut o);
        (e, o)
    }

    /// No demand randomness matters here: start from a known state.
    fn with_state(e: &mut InventoryControl, on_hand: u32, backorders: u32, pipeline: &[u32]) {
        let mut s = e.state();
        s.on_hand = on_hand;
        s.backorders = backorders;
        s.pipeline = pipeline.to_vec();
        e.set_state(s).unwrap();
    }

    #[test]
    fn orders_arrive_after_the_lead_time() {
        let cfg = InventoryControlConfig {
            lead_time: 3,
            demand_mean: 1e-9, // no demand
            holding_cost: 0.0,
            ..Default::default()
        };
        let (mut e, mut o) = env(cfg);
        with_state(&mut e, 0, 0, &[0, 0, 0]);
        e.step(5, &mut o); // 10 units, arriving at the start of day 3
        assert_eq!(e.s.pipeline, vec![0, 0, 10]);
        e.step(0, &mut o);
        e.step(0, &mut o);
        assert_eq!(e.s.on_hand, 0);
        e.step(0, &mut o);
        assert_eq!(e.s.on_hand, 10);
        assert_eq!(e.s.flows[3], 10);
    }

    #[test]
    fn costs_match_a_hand_computed_day() {
        let cfg = InventoryControlConfig {
            lead_time: 1,
            holding_cost: 0.25,
            shortage_cost: 2.0,
            order_fixed_cost: 3.0,
            order_unit_cost: 0.5,
            ..Default::default()
        };
        let (mut e, mut o) = env(cfg);
        with_state(&mut e, 6, 2, &[4]);
        let mut probe = e.clone();
        let demand = probe.demand.draw(&mut probe.s.rng, 0);
        let step = e.step(3, &mut o); // order 6
                                      // 6 + 4 arrived = 10; 2 backorders served -> 8; demand served from 8.
        let on_hand = 8u32.saturating_sub(demand);
        let back = demand.saturating_sub(8);
        assert_eq!(e.s.on_hand, on_hand);
        assert_eq!(e.s.backorders, back);
        let expected = [
            -0.25 * f64::from(on_hand),
            -2.0 * f64::from(back),
            -(3.0 + 0.5 * 6.0),
        ];
        assert_eq!(e.s.components, expected);
        assert_eq!(step.reward, expected.iter().sum::<f64>());
    }

    #[test]
    fn lost_sales_are_charged_once_and_not_carried() {
        let cfg = InventoryControlConfig {
            shortage: Shortage::LostSales,
            demand_mean: 50.0,
            holding_cost: 0.0,
            ..Default::default()
        };
        let (mut e, mut o) = env(cfg);
        with_state(&mut e, 0, 0, &[0, 0]);
        let s = e.step(0, &mut o);
        assert_eq!(e.s.backorders, 0);
        assert_eq!(s.reward, -f64::from(e.s.flows[2]));
        assert!(e.s.flows[2] > 0);
    }

    #[test]
    fn deliveries_beyond_capacity_are_turned_away() {
        let cfg = InventoryControlConfig {
            capacity: 20,
            max_order: 20,
            demand_mean: 1e-9,
            ..Default::default()
        };
        let (mut e, mut o) = env(cfg);
        with_state(&mut e, 15, 0, &[12, 0]);
        e.step(0, &mut o);
        assert_eq!(e.s.on_hand, 20);
        assert_eq!(e.s.flows[4], 7);
    }

    #[test]
    fn demand_draws_have_the_model_mean_and_variance() {
        for (model, var) in [
            (DemandModel::Poisson, 6.0),
            (DemandModel::NegativeBinomial, 6.0 + 36.0 / 2.0),
        ] {
            let cfg = InventoryControlConfig {
                demand_model: model,
                demand_mean: 6.0,
                ..Default::default()
            };
            let demand = Demand::new(&cfg);
            let mut rng = Rng::new(1);
            let n = 200_000;
            let xs: Vec<f64> = (0..n)
                .map(|_| f64::from(demand.draw(&mut rng, 0)))
                .collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!((mean - 6.0).abs() < 0.05, "{model:?} mean {mean}");
            assert!(
                (v - var).abs() / var < 0.03,
                "{model:?} variance {v} vs {var}"
            );
        }
    }

    #[test]
    fn random_lead_times_stay_in_the_window_and_episode_truncates() {
        let cfg = InventoryControlConfig {
            lead_time: 2,
            lead_time_jitter: 3,
            horizon: 50,
            ..Default::default()
        };
        let (mut e, mut o) = env(cfg);
        assert_eq!(o.len(), 12 + 5);
        for day in 1..=50 {
            let s = e.step(1, &mut o);
            assert!(e.s.pipeline[0] == 0 || e.s.pipeline.iter().sum::<u32>() > 0);
            assert!(o.iter().all(|v| (-1.0..=1.0).contains(v)));
            assert_eq!(s.truncated, day == 50);
            assert!(!s.terminated);
        }
    }

    #[test]
    fn bad_config_and_state_are_refused() {
        let bad = [
            InventoryControlConfig {
                lead_time: 0,
                ..Default::default()
            },
            InventoryControlConfig {
                order_step: 3,
                ..Default::default()
            },
            InventoryControlConfig {
                demand_mean: f64::NAN,
                ..Default::default()
            },
            InventoryControlConfig {
                seasonality: 1.0,
                ..Default::default()
            },
            InventoryControlConfig {
                max_order: 100,
                ..Default::default()
            },
            InventoryControlConfig {
                initial_stock: Some(61),
                ..Default::default()
            },
            InventoryControlConfig {
                holding_cost: -1.0,
                ..Default::default()
            },
        ];
        for c in bad {
            assert!(InventoryControl::new(&c).is_err(), "{c:?}");
        }
        let (mut e, _) = env(InventoryControlConfig::default());
        let mut s = e.state();
        s.pipeline = vec![0; 5];
        assert!(e.set_state(s).is_err());
        assert!(e.check_action(11).is_err());
        assert!(e.check_action(10).is_ok());
    }
}
