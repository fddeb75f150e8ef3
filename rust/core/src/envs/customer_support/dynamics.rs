//! The conversation: hidden state, how a customer is drawn, and what one
//! strategy does to sentiment, issue progress and patience.
//!
//! Randomness comes from the conversation's own generator, in a fixed order
//! per turn: progress factor, sentiment noise, queue arrival, queue service,
//! then the three observation noises.

use serde::{Deserialize, Serialize};

use super::config::{CustomerSupportConfig, ESCALATE, N_INDUSTRIES, N_INQUIRIES, UPSELL};
use super::presets::{
    BASE_PROGRESS, BASE_SENTIMENT, CALMING, INDUSTRIES, LTV_MAX, NEEDS_CALM, TIER_VALUE,
};
use super::scenarios;
use crate::rng::Rng;

pub const N_COMPONENTS: usize = 6;
/// Largest lifetime value a restored state may hold (drawn values stay far
/// below it; the observation saturates at `LTV_MAX`).
pub const MAX_STATE_LTV: f64 = 1e9;
/// Largest starting patience a restored state may hold (config `patience`
/// is at most 10, a scenario's factor at most a few).
pub const MAX_PATIENCE: f64 = 100.0;
pub const COMPONENT_NAMES: [&str; N_COMPONENTS] = [
    "turn",
    "resolution",
    "abandonment",
    "escalation",
    "upsell",
    "upset_upsell",
];

/// How a conversation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    Abandoned,
    Escalated,
    TurnLimit,
}

/// What the agent sees of the hidden quantities (noisy), kept so that the
/// observation is a pure function of the state.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Seen {
    pub sentiment: f64,
    pub change: f64,
    pub progress: f64,
    pub patience: f64,
}

/// Everything that changes over a conversation, generator included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub rng: Rng,
    pub industry: u8,
    pub inquiry: u8,
    pub urgency: f64,
    /// 0 standard, 1 premium, 2 VIP.
    pub tier: u8,
    pub ltv: f64,
    /// True sentiment in [-1, 1] (hidden).
    pub sentiment: f64,
    /// True issue progress in [0, 1] (hidden); resolved at 1.
    pub progress: f64,
    /// Patience left (hidden); the customer gives up at 0.
    pub patience: f64,
    /// Patience at the start, to normalise the observation.
    pub patience_start: f64,
    pub turn: u32,
    pub last_action: Option<u8>,
    /// Consecutive repeats of the last strategy (0: it was new).
    pub repeats: u32,
    /// Conversations waiting for a human.
    pub queue: u32,
    /// An upsell was pitched while the customer was not upset.
    pub pitched: bool,
    pub seen: Seen,
    pub ended: Option<Outcome>,
    /// Reward components of the last turn.
    pub last: [f64; N_COMPONENTS],
}

impl Conversation {
    pub fn new(rng: Rng) -> Self {
        Conversation {
            rng,
            industry: 0,
            inquiry: 0,
            urgency: 0.0,
            tier: 0,
            ltv: 0.0,
            sentiment: 0.0,
            progress: 0.0,
            patience: 1.0,
            patience_start: 1.0,
            turn: 0,
            last_action: None,
            repeats: 0,
            queue: 0,
            pitched: false,
            seen: Seen::default(),
            ended: None,
            last: [0.0; N_COMPONENTS],
        }
    }

    /// Lifetime value on a log scale, in [0, 1].
    pub fn ltv_norm(&self) -> f64 {
        ((1.0 + self.ltv).ln() / (1.0 + LTV_MAX).ln()).clamp(0.0, 1.0)
    }

    /// What resolving this customer is worth: tier and lifetime value.
    pub fn value(&self) -> f64 {
        1.0 + TIER_VALUE[self.tier as usize] + self.ltv_norm()
    }

    pub fn queue_full(&self, p: &CustomerSupportConfig) -> bool {
        self.queue >= p.escalation_capacity
    }

    /// Starts a new conversation: a drawn (or the scenario's) customer.
    pub fn start(&mut self, p: &CustomerSupportConfig) {
        let rng = &mut self.rng;
        if let Some(s) = p.scenario {
            let o = scenarios::opening(s);
            self.industry = o.industry as u8;
            self.inquiry = o.inquiry as u8;
            self.sentiment = o.sentiment;
            self.urgency = o.urgency;
            self.tier = o.tier;
            self.ltv = o.ltv;
            self.patience_start = o.patience * p.patience;
        } else {
            let industry = p.industries[rng.below(p.industries.len() as u64) as usize] as usize;
            let prof = &INDUSTRIES[industry];
            let mut mix = [0.0; N_INQUIRIES];
            for q in &p.inquiries {
                mix[*q as usize] = prof.inquiry_mix[*q as usize];
            }
            let inquiry = rng.categorical(&mix);
            self.industry = industry as u8;
            self.inquiry = inquiry as u8;
            self.sentiment = if rng.bernoulli(p.upset_share) {
                rng.uniform_range(-0.9, -0.4)
            } else {
                rng.uniform_range(-0.2, 0.6)
            };
            let complaint = if inquiry == 1 { 0.2 } else { 0.0 };
            self.urgency = (rng.uniform() + complaint).min(1.0);
            self.tier = rng.categorical(&prof.tier_probs) as u8;
            self.ltv =
                prof.ltv_median * (1.0 + 2.0 * f64::from(self.tier)) * (0.8 * rng.normal()).exp();
            self.patience_start = p.patience * rng.uniform_range(0.6, 1.0);
        }
        self.patience = self.patience_start;
        self.progress = 0.0;
        self.turn = 0;
        self.last_action = None;
        self.repeats = 0;
        self.queue = self.rng.below(u64::from(p.escalation_capacity) + 1) as u32;
        self.pitched = false;
        self.ended = None;
        self.last = [0.0; N_COMPONENTS];
        self.observe(p, false);
    }

    /// Draws the noisy view of the hidden quantities; `change` is that of
    /// the observed sentiment since the last turn (0 at the start).
    fn observe(&mut self, p: &CustomerSupportConfig, continuing: bool) {
        let previous = self.seen.sentiment;
        let rng = &mut self.rng;
        let s = (self.sentiment + p.sentiment_noise * rng.normal()).clamp(-1.0, 1.0);
        let prog = (self.progress + 0.05 * rng.normal()).clamp(0.0, 1.0);
        let pat = (self.patience / self.patience_start + 0.05 * rng.normal()).clamp(0.0, 1.0);
        self.seen = Seen {
            sentiment: s,
            change: if continuing {
                (s - previous).clamp(-1.0, 1.0)
            } else {
                0.0
            },
            progress: prog,
            patience: pat,
        };
    }

    /// One turn with strategy `a`; returns (terminated, truncated). The
    /// reward components are left in `self.last`.
    pub fn turn(&mut self, p: &CustomerSupportConfig, a: usize) -> (bool, bool) {
        let mut c = [0.0; N_COMPONENTS];
        c[0] = 0.0 - p.turn_cost;
        self.turn += 1;
        self.repeats = match self.last_action {
            Some(l) if usize::from(l) == a => self.repeats + 1,
            _ => 0,
        };
        self.last_action = Some(a as u8);
        let value = self.value();
        if a == ESCALATE {
            c[3] = 0.0
                - p.escalation_cost
                    * (1.0 + f64::from(self.queue) / f64::from(p.escalation_capacity));
            self.queue += 1;
            self.ended = Some(Outcome::Escalated);
            self.last = c;
            self.observe(p, true);
            return (true, false);
        }
        let (i, k) = (self.industry as usize, self.inquiry as usize);
        let s = self.sentiment;
        let reps = self.repeats.min(5) as i32;
        // Substantive help barely lands while the customer is upset.
        let calm = if NEEDS_CALM[a] {
            0.1 + 0.9 / (1.0 + (-10.0 * (s + 0.25)).exp())
        } else {
            1.0
        };
        let factor = 0.8 + 0.4 * self.rng.uniform();
        let gain = BASE_PROGRESS[k][a]
            * INDUSTRIES[i].progress_mult[a]
            * calm
            * 0.9f64.powi(reps)
            * factor;
        let upset = (-s).max(0.0);
        let mut ds = BASE_SENTIMENT[a] + CALMING[a] * upset * 0.5f64.powi(reps) + 0.6 * gain
            - 0.06 * f64::from(reps)
            + 0.04 * self.rng.normal();
        if NEEDS_CALM[a] && s < -0.3 {
            ds -= 0.05; // being lectured while angry
        }
        if a == UPSELL {
            if s < -0.2 {
                c[5] = 0.0 - p.upset_upsell_penalty;
                ds -= 0.15;
                self.patience -= 0.1 * self.patience_start;
            } else {
                self.pitched = true;
            }
        }
        let before = self.sentiment;
        self.sentiment = (s + ds).clamp(-1.0, 1.0);
        self.progress = (self.progress + gain).min(1.0);
        let decay = 0.05 * (1.0 + 0.8 * self.urgency) * (1.0 + upset);
        // Absolute units: a less patient customer (`patience` < 1) gives up
        // in fewer turns.
        self.patience -= decay;
        if self.sentiment > before {
            self.patience += 0.2 * (self.sentiment - before);
        }
        self.patience = self.patience.min(self.patience_start);
        if self.rng.bernoulli(p.escalation_arrival) {
            self.queue = (self.queue + 1).min(p.escalation_capacity);
        }
        if self.rng.bernoulli(p.escalation_service) {
            self.queue = self.queue.saturating_sub(1);
        }
        self.queue = self.queue.min(p.escalation_capacity);
        let (mut terminated, mut truncated) = (false, false);
        if self.progress >= 1.0 {
            let satisfaction = (self.sentiment + 1.0) / 2.0;
            c[1] = value * (0.5 + 0.5 * satisfaction);
            if self.pitched && self.sentiment >= 0.0 {
                c[4] = p.upsell_revenue * (1.0 + self.ltv_norm());
            }
            self.ended = Some(Outcome::Resolved);
            terminated = true;
        } else if self.patience <= 0.0 {
            self.patience = 0.0;
            c[2] = 0.0 - p.abandon_penalty * value;
            self.ended = Some(Outcome::Abandoned);
            terminated = true;
        } else if self.turn >= p.max_turns {
            self.ended = Some(Outcome::TurnLimit);
            truncated = true;
        }
        self.last = c;
        self.observe(p, true);
        (terminated, truncated)
    }

    /// Checks a state from Python before it replaces the current one.
    /// Every value inside the range the dynamics keep it in, or a message
    /// naming the key (`set_state` refuses such a state before using it).
    pub fn check(&self, p: &CustomerSupportConfig) -> Result<(), String> {
        let range = |key: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "`{key}` = {v}; expected a finite number in [{lo}, {hi}]"
                ))
            }
        };
        let at_most = |key: &str, v: u64, hi: u64| {
            if v <= hi {
                Ok(())
            } else {
                Err(format!("`{key}` = {v}; expected an integer in [0, {hi}]"))
            }
        };
        at_most("industry", self.industry.into(), N_INDUSTRIES as u64 - 1)?;
        at_most("inquiry", self.inquiry.into(), N_INQUIRIES as u64 - 1)?;
        at_most("tier", self.tier.into(), 2)?;
        if let Some(a) = self.last_action {
            at_most(
                "last_action",
                a.into(),
                super::config::N_STRATEGIES as u64 - 1,
            )?;
        }
        range("urgency", self.urgency, 0.0, 1.0)?;
        range("ltv", self.ltv, 0.0, MAX_STATE_LTV)?;
        range("sentiment", self.sentiment, -1.0, 1.0)?;
        range("progress", self.progress, 0.0, 1.0)?;
        range(
            "patience_start",
            self.patience_start,
            f64::MIN_POSITIVE,
            MAX_PATIENCE,
        )?;
        range("patience", self.patience, 0.0, self.patience_start)?;
        at_most("turn", self.turn.into(), p.max_turns.into())?;
        at_most("repeats", self.repeats.into(), self.turn.into())?;
        at_most("queue", self.queue.into(), p.escalation_capacity.into())?;
        range("seen.sentiment", self.seen.sentiment, -1.0, 1.0)?;
        range("seen.change", self.seen.change, -1.0, 1.0)?;
        range("seen.progress", self.seen.progress, 0.0, 1.0)?;
        range("seen.patience", self.seen.patience, 0.0, 1.0)?;
        for (name, v) in COMPONENT_NAMES.iter().zip(self.last) {
            if !v.is_finite() {
                return Err(format!(
                    "`last` ({name}) = {v}; expected a finite reward component"
                ));
            }
        }
        Ok(())
    }
}
