//! CustomerSupport configuration: every knob, its default and its validation.
//! The difficulty knobs (`upset_share`, `patience`, `sentiment_noise`,
//! `industries`, `inquiries`, `max_turns`) are what a curriculum moves.

use serde::{Deserialize, Serialize};

use super::scenarios::Scenario;
use super::NAME;
use crate::error::EnvError;

pub const N_INDUSTRIES: usize = 3;
pub const N_INQUIRIES: usize = 4;
pub const N_STRATEGIES: usize = 8;
pub const INDUSTRY_NAMES: [&str; N_INDUSTRIES] = ["bfsi", "retail", "tech"];
pub const INQUIRY_NAMES: [&str; N_INQUIRIES] = ["transactional", "complaint", "sales", "technical"];
pub const STRATEGY_NAMES: [&str; N_STRATEGIES] = [
    "empathetic",
    "technical",
    "escalate",
    "product_recommendation",
    "apologetic",
    "educational",
    "quick_resolution",
    "upsell",
];
pub const ESCALATE: usize = 2;
pub const UPSELL: usize = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    /// Banking and financial services.
    Bfsi,
    Retail,
    Tech,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inquiry {
    Transactional,
    Complaint,
    Sales,
    Technical,
}

pub use crate::env::InvalidActionMode;

/// Constructor arguments of CustomerSupport (`gym.make(..., **kwargs)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomerSupportConfig {
    /// Industries customers are drawn from (uniformly).
    pub industries: Vec<Industry>,
    /// Inquiry types allowed; each industry's mix is restricted to these.
    pub inquiries: Vec<Inquiry>,
    /// Share of customers who start upset (true sentiment in [-0.9, -0.4]).
    pub upset_share: f64,
    /// Multiplier of the customer's starting patience (1 = normal).
    pub patience: f64,
    /// Standard deviation of the noise on the observed sentiment.
    pub sentiment_noise: f64,
    /// Turn limit: the conversation is truncated after this many turns.
    pub max_turns: u32,
    /// Cost of every turn (so stalling never pays).
    pub turn_cost: f64,
    /// Penalty, times the customer's value, when the customer gives up.
    pub abandon_penalty: f64,
    /// Cost of handing the customer to a human (times 1 + queue load).
    pub escalation_cost: f64,
    /// Upsell revenue, times (1 + log-LTV), paid at resolution if the pitch
    /// was made to a customer who was not upset and who ends satisfied.
    pub upsell_revenue: f64,
    /// Penalty for pitching an upsell to an upset customer.
    pub upset_upsell_penalty: f64,
    /// Size of the human-escalation queue; `escalate` is masked when full.
    pub escalation_capacity: u32,
    /// Probability per turn that another conversation joins the queue.
    pub escalation_arrival: f64,
    /// Probability per turn that the queue serves one conversation.
    pub escalation_service: f64,
    /// A named conversation (fixed customer) instead of drawn customers.
    pub scenario: Option<Scenario>,
    /// What escalating into a full queue does: raise, or fall back to the
    /// next strategy (product recommendation).
    pub invalid_action: InvalidActionMode,
}

impl Default for CustomerSupportConfig {
    fn default() -> Self {
        CustomerSupportConfig {
            industries: vec![Industry::Bfsi, Industry::Retail, Industry::Tech],
            inquiries: vec![
                Inquiry::Transactional,
                Inquiry::Complaint,
                Inquiry::Sales,
                Inquiry::Technical,
            ],
            upset_share: 0.35,
            patience: 1.0,
            sentiment_noise: 0.15,
            max_turns: 20,
            turn_cost: 0.02,
            abandon_penalty: 1.0,
            escalation_cost: 0.4,
            upsell_revenue: 0.3,
            upset_upsell_penalty: 0.2,
            escalation_capacity: 5,
            escalation_arrival: 0.35,
            escalation_service: 0.3,
            scenario: None,
            invalid_action: InvalidActionMode::Raise,
        }
    }
}

fn in_range(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), EnvError> {
    crate::error::check_in(NAME, field, v, lo, hi)
}

fn no_duplicates<T: PartialEq + std::fmt::Debug>(field: &str, v: &[T]) -> Result<(), EnvError> {
    if v.is_empty() {
        return Err(EnvError::config(NAME, field, "[]", "at least one entry"));
    }
    for (i, a) in v.iter().enumerate() {
        if v[..i].contains(a) {
            return Err(EnvError::config(
                NAME,
                field,
                format!("{v:?}"),
                "a list without duplicates",
            ));
        }
    }
    Ok(())
}

impl CustomerSupportConfig {
    /// Checks every field; the env is built only from a config that passes.
    pub fn validate(&self) -> Result<(), EnvError> {
        no_duplicates("industries", &self.industries)?;
        no_duplicates("inquiries", &self.inquiries)?;
        in_range("upset_share", self.upset_share, 0.0, 1.0)?;
        in_range("patience", self.patience, 0.05, 10.0)?;
        in_range("sentiment_noise", self.sentiment_noise, 0.0, 2.0)?;
        if !(1..=1000).contains(&self.max_turns) {
            return Err(EnvError::config(
                NAME,
                "max_turns",
                self.max_turns,
                "an integer in [1, 1000]",
            ));
        }
        in_range("turn_cost", self.turn_cost, 0.0, 10.0)?;
        in_range("abandon_penalty", self.abandon_penalty, 0.0, 100.0)?;
        in_range("escalation_cost", self.escalation_cost, 0.0, 100.0)?;
        in_range("upsell_revenue", self.upsell_revenue, 0.0, 100.0)?;
        in_range(
            "upset_upsell_penalty",
            self.upset_upsell_penalty,
            0.0,
            100.0,
        )?;
        if !(1..=1000).contains(&self.escalation_capacity) {
            return Err(EnvError::config(
                NAME,
                "escalation_capacity",
                self.escalation_capacity,
                "an integer in [1, 1000]",
            ));
        }
        in_range("escalation_arrival", self.escalation_arrival, 0.0, 1.0)?;
        in_range("escalation_service", self.escalation_service, 0.0, 1.0)?;
        Ok(())
    }
}
