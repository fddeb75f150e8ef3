//! One error type for the whole core. Every variant maps to one Python
//! exception class in the binding crate (`rust/python/src/error.rs`).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum EnvError {
    /// An action outside the action space (value, type or shape).
    #[error("{env}: invalid action {value}; expected {expected}")]
    InvalidAction {
        env: &'static str,
        value: String,
        expected: String,
    },
    /// A configuration value that cannot build an environment.
    #[error("{env}: invalid config `{field}` = {value}; expected {expected}")]
    InvalidConfig {
        env: &'static str,
        field: String,
        value: String,
        expected: String,
    },
    /// A state blob that does not decode or does not fit this environment.
    #[error("{env}: invalid state: {reason}")]
    InvalidState { env: &'static str, reason: String },
    /// `step` called where a reset is required first.
    #[error("{env}: {reason}")]
    ResetNeeded { env: &'static str, reason: String },
}

/// Largest magnitude of a reward, cost, penalty or bonus in any env's
/// config: far beyond any sensible scale, yet small enough that a few
/// thousand steps of it stay finite in float64 and exact in float32 sums.
pub const MAX_REWARD_SCALE: f64 = 1e6;

/// `v` finite and in `[lo, hi]`, or an `InvalidConfig` naming `field`.
pub fn check_in(env: &'static str, field: &str, v: f64, lo: f64, hi: f64) -> Result<(), EnvError> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        // `{:?}`: 1e300 as `1e300`, not as 301 digits.
        Err(EnvError::config(
            env,
            field,
            format!("{v:?}"),
            format!("a finite number in [{lo}, {hi}]"),
        ))
    }
}

impl EnvError {
    pub fn config(
        env: &'static str,
        field: impl Into<String>,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        EnvError::InvalidConfig {
            env,
            field: field.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    pub fn state(env: &'static str, reason: impl Into<String>) -> Self {
        EnvError::InvalidState {
            env,
            reason: reason.into(),
        }
    }
}
