//! Industry presets and strategy effect tables: the numbers that make one
//! strategy right for a banking complaint and wrong for a retail sale.
//!
//! Strategy order everywhere: empathetic, technical, escalate, product
//! recommendation, apologetic, educational, quick resolution, upsell.

use super::config::{N_INDUSTRIES, N_INQUIRIES, N_STRATEGIES};

/// What an industry's customers look like.
pub struct IndustryProfile {
    /// Relative frequency of transactional, complaint, sales, technical.
    pub inquiry_mix: [f64; N_INQUIRIES],
    /// Probability of the standard, premium and VIP tiers.
    pub tier_probs: [f64; 3],
    /// Median customer lifetime value (currency units) at the standard tier.
    pub ltv_median: f64,
    /// Multiplier of each strategy's progress in this industry.
    pub progress_mult: [f64; N_STRATEGIES],
}

pub const INDUSTRIES: [IndustryProfile; N_INDUSTRIES] = [
    // BFSI: complaints and transactions dominate; compliance makes quick
    // fixes and pitches weaker, explanations and empathy stronger.
    IndustryProfile {
        inquiry_mix: [0.35, 0.30, 0.15, 0.20],
        tier_probs: [0.6, 0.3, 0.1],
        ltv_median: 5_000.0,
        progress_mult: [1.2, 0.9, 0.0, 0.8, 1.1, 1.25, 0.8, 0.8],
    },
    // Retail: returns and discounts; quick fixes and product talk work.
    IndustryProfile {
        inquiry_mix: [0.30, 0.30, 0.30, 0.10],
        tier_probs: [0.75, 0.2, 0.05],
        ltv_median: 500.0,
        progress_mult: [1.0, 0.7, 0.0, 1.2, 1.2, 0.8, 1.3, 1.2],
    },
    // Tech: integration and outage problems; technical depth pays.
    IndustryProfile {
        inquiry_mix: [0.15, 0.20, 0.20, 0.45],
        tier_probs: [0.5, 0.35, 0.15],
        ltv_median: 2_000.0,
        progress_mult: [0.9, 1.3, 0.0, 1.0, 0.9, 1.1, 0.9, 1.0],
    },
];

/// Issue progress per turn of each strategy for a calm customer, by inquiry.
pub const BASE_PROGRESS: [[f64; N_STRATEGIES]; N_INQUIRIES] = [
    // transactional
    [0.03, 0.10, 0.0, 0.05, 0.02, 0.12, 0.30, 0.02],
    // complaint
    [0.08, 0.08, 0.0, 0.03, 0.12, 0.05, 0.22, 0.0],
    // sales
    [0.03, 0.05, 0.0, 0.30, 0.0, 0.15, 0.10, 0.15],
    // technical
    [0.03, 0.28, 0.0, 0.02, 0.02, 0.18, 0.10, 0.0],
];

/// Change of true sentiment per turn, before calming, progress and repeat effects.
pub const BASE_SENTIMENT: [f64; N_STRATEGIES] = [0.08, 0.0, 0.0, 0.02, 0.06, 0.03, 0.04, -0.05];

/// Extra sentiment gain per unit of upset (minus sentiment) for strategies
/// that calm: empathy and apologies work best on angry customers.
pub const CALMING: [f64; N_STRATEGIES] = [0.22, 0.0, 0.0, 0.0, 0.18, 0.0, 0.0, 0.0];

/// Strategies whose progress needs a calm customer (the others are emotional).
pub const NEEDS_CALM: [bool; N_STRATEGIES] = [false, true, false, true, false, true, true, true];

/// Tier weights of the resolution reward (standard, premium, VIP).
pub const TIER_VALUE: [f64; 3] = [0.0, 0.5, 1.0];

/// Lifetime value at which the log-scaled observation reaches 1.
pub const LTV_MAX: f64 = 1_000_000.0;
