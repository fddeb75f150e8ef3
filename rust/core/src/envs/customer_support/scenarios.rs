//! Named conversations: a fixed customer (industry, inquiry, mood, urgency,
//! tier, lifetime value, patience). With a seed they replay exactly, so the
//! same conversation can be shown to every policy (`ferrogym evaluate`).

use serde::{Deserialize, Serialize};

use super::config::{Industry, Inquiry};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// BFSI: a customer reports card fraud, angry and in a hurry.
    FraudReport,
    /// BFSI: a wealthy customer asks about an investment product.
    InvestmentQuestion,
    /// BFSI: a failed transfer, routine but urgent.
    FailedTransfer,
    /// Retail: a defective product to return; the customer is annoyed.
    DefectiveReturn,
    /// Retail: a shopper asks whether a discount applies.
    DiscountInquiry,
    /// Tech: an enterprise developer stuck on an API integration.
    ApiIntegration,
    /// Tech: a furious customer during a service outage.
    OutageComplaint,
}

/// The scenarios' names as `scenario=` takes them (serde's snake_case; a test checks).
pub const NAMES: [&str; 7] = [
    "fraud_report",
    "investment_question",
    "failed_transfer",
    "defective_return",
    "discount_inquiry",
    "api_integration",
    "outage_complaint",
];

pub const ALL: [Scenario; 7] = [
    Scenario::FraudReport,
    Scenario::InvestmentQuestion,
    Scenario::FailedTransfer,
    Scenario::DefectiveReturn,
    Scenario::DiscountInquiry,
    Scenario::ApiIntegration,
    Scenario::OutageComplaint,
];

/// The fixed starting customer of a scenario.
pub struct Opening {
    pub industry: Industry,
    pub inquiry: Inquiry,
    pub sentiment: f64,
    pub urgency: f64,
    /// 0 standard, 1 premium, 2 VIP.
    pub tier: u8,
    pub ltv: f64,
    pub patience: f64,
}

pub fn opening(s: Scenario) -> Opening {
    use Industry::*;
    use Inquiry::*;
    let o = |industry, inquiry, sentiment, urgency, tier, ltv, patience| Opening {
        industry,
        inquiry,
        sentiment,
        urgency,
        tier,
        ltv,
        patience,
    };
    match s {
        Scenario::FraudReport => o(Bfsi, Complaint, -0.75, 0.95, 1, 20_000.0, 0.8),
        Scenario::InvestmentQuestion => o(Bfsi, Sales, 0.3, 0.2, 2, 250_000.0, 1.0),
        Scenario::FailedTransfer => o(Bfsi, Transactional, -0.2, 0.8, 0, 3_000.0, 0.7),
        Scenario::DefectiveReturn => o(Retail, Complaint, -0.5, 0.5, 0, 400.0, 0.8),
        Scenario::DiscountInquiry => o(Retail, Sales, 0.2, 0.3, 0, 800.0, 0.9),
        Scenario::ApiIntegration => o(Tech, Technical, -0.1, 0.7, 2, 60_000.0, 0.9),
        Scenario::OutageComplaint => o(Tech, Complaint, -0.85, 0.9, 1, 15_000.0, 0.6),
    }
}
