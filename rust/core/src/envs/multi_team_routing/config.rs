//! MultiTeamTicketRouting configuration: the teams (each a TicketRouting
//! config) and the handover rules, with the scenario presets.

use serde::{Deserialize, Serialize};

use super::NAME;
use crate::envs::ticket_routing::{InvalidActionMode, Params, TicketRoutingConfig};
use crate::error::{check_in, EnvError, MAX_REWARD_SCALE};

/// Most teams one env may have (a ticket's visited teams are a bit set).
pub const MAX_TEAMS: usize = 32;
/// Most skill-1 minutes of work a handover may add (a week).
pub const MAX_HANDOVER_MINUTES: f64 = 10_080.0;

/// Built-in presets of the teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiScenario {
    /// `n_teams` (default 2) balanced TicketRouting teams; team k's skills
    /// are generated from `team_seed + k`.
    #[default]
    Mirrored,
    /// Two desks that each get every ticket type but are good at different
    /// ones: team 0 (billing desk) is fast on billing and feature requests,
    /// team 1 (technical desk) on technical, bug-report and integration
    /// tickets. Handing a ticket to the desk that is good at it pays.
    TwoDesks,
}

/// Constructor arguments (`MultiTeamTicketRouting(**kwargs)`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MultiTeamRoutingConfig {
    pub scenario: MultiScenario,
    /// Number of teams (Mirrored only; TwoDesks has 2). Default 2.
    pub n_teams: Option<usize>,
    /// TicketRouting settings applied to every team (its `scenario` is the
    /// `mirrored` teams' preset; give other teams' scenarios in `teams`).
    pub common: TicketRoutingConfig,
    /// One TicketRouting config per team (at most `MAX_TEAMS`), replacing
    /// the preset's teams (`common` fills the fields a team leaves unset);
    /// empty = the preset.
    pub teams: Vec<TicketRoutingConfig>,
    /// Times one ticket may be handed over (0 disables handover). Default 1.
    pub max_handovers: Option<u32>,
    /// Reward subtracted from the sending team per handover, in [0, 1e6].
    /// Default 0.02.
    pub handover_penalty: Option<f64>,
    /// Skill-1 minutes of work a handover adds to the ticket (the receiving
    /// engineer reads its history), in [0, 10080] (a week). Default 10.
    pub handover_work_minutes: Option<f64>,
    /// A forbidden action: raise, or fall back (an engineer slot to the next
    /// valid one, a forbidden handover to the first valid engineer, both with
    /// the team's `invalid_action_penalty`; a dispatcher without a decision
    /// has its action ignored). Overrides the teams' own setting. Default raise.
    pub invalid_action: Option<InvalidActionMode>,
}

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiParams {
    pub scenario: MultiScenario,
    pub teams: Vec<Params>,
    pub max_handovers: u32,
    pub handover_penalty: f64,
    pub handover_work_minutes: f64,
    pub invalid_action: InvalidActionMode,
}

fn err(field: &str, value: impl std::fmt::Debug, expected: &str) -> EnvError {
    EnvError::config(NAME, field, format!("{value:?}"), expected)
}

/// Team 0 of `TwoDesks`: billing and feature requests at full speed.
fn billing_desk() -> TicketRoutingConfig {
    TicketRoutingConfig {
        n_engineers: Some(6),
        max_engineers: Some(8),
        type_probs: Some(vec![0.25, 0.35, 0.2, 0.1, 0.1]),
        skills: Some(desk_skills(&[0.45, 1.0, 1.0, 0.4, 0.45])),
        ..Default::default()
    }
}

/// Team 1 of `TwoDesks`: technical, bug reports and integrations at full speed.
fn technical_desk() -> TicketRoutingConfig {
    TicketRoutingConfig {
        n_engineers: Some(6),
        max_engineers: Some(8),
        type_probs: Some(vec![0.35, 0.15, 0.1, 0.2, 0.2]),
        skills: Some(desk_skills(&[1.0, 0.45, 0.5, 1.0, 1.0])),
        ..Default::default()
    }
}

/// Six engineers with the desk's profile, a little spread so that slots differ.
fn desk_skills(profile: &[f64]) -> Vec<Vec<f64>> {
    (0..6)
        .map(|i| {
            profile
                .iter()
                .map(|s| (s * (1.0 - 0.04 * f64::from(i % 3))).min(1.0))
                .collect()
        })
        .collect()
}

impl MultiTeamRoutingConfig {
    /// The teams' configs: the preset's (or `teams`) with `common` applied.
    fn team_configs(&self) -> Result<Vec<TicketRoutingConfig>, EnvError> {
        if self.teams.len() > MAX_TEAMS {
            // Before a config is built per team.
            return Err(err(
                "teams",
                self.teams.len(),
                &format!("between 1 and {MAX_TEAMS} team configs"),
            ));
        }
        if !self.teams.is_empty() {
            if let Some(n) = self.n_teams {
                if n != self.teams.len() {
                    return Err(err(
                        "n_teams",
                        n,
                        &format!(
                            "{} (the number of `teams` given) or unset",
                            self.teams.len()
                        ),
                    ));
                }
            }
            return Ok(self
                .teams
                .iter()
                .map(|t| {
                    let mut c = self.common.overlay(t);
                    c.scenario = t.scenario;
                    c
                })
                .collect());
        }
        match self.scenario {
            MultiScenario::Mirrored => {
                let n = self.n_teams.unwrap_or(2);
                if !(1..=MAX_TEAMS).contains(&n) {
                    return Err(err(
                        "n_teams",
                        n,
                        &format!("an integer in [1, {MAX_TEAMS}]"),
                    ));
                }
                let base = self.common.team_seed.unwrap_or(0);
                Ok((0..n)
                    .map(|k| TicketRoutingConfig {
                        team_seed: Some(base.wrapping_add(k as u64)),
                        ..self.common.clone()
                    })
                    .collect())
            }
            MultiScenario::TwoDesks => {
                if self.n_teams.is_some_and(|n| n != 2) {
                    return Err(err(
                        "n_teams",
                        self.n_teams,
                        "2 or unset (scenario two_desks has two teams)",
                    ));
                }
                Ok([billing_desk(), technical_desk()]
                    .iter()
                    .map(|t| t.overlay(&self.common))
                    .collect())
            }
        }
    }

    pub fn resolve(&self) -> Result<MultiParams, EnvError> {
        let invalid_action = self.invalid_action.unwrap_or_default();
        let configs = self.team_configs()?;
        if !(1..=MAX_TEAMS).contains(&configs.len()) {
            return Err(err(
                "teams",
                configs.len(),
                &format!("between 1 and {MAX_TEAMS} team configs"),
            ));
        }
        let mut teams = Vec::with_capacity(configs.len());
        for (k, mut c) in configs.into_iter().enumerate() {
            c.invalid_action = Some(invalid_action);
            let p = c.resolve().map_err(|e| match e {
                EnvError::InvalidConfig {
                    field,
                    value,
                    expected,
                    ..
                } => EnvError::config(NAME, format!("teams[{k}].{field}"), value, expected),
                other => other,
            })?;
            if p.allow_hold {
                return Err(EnvError::config(
                    NAME,
                    format!("teams[{k}].allow_hold"),
                    "true",
                    "false (MultiTeamTicketRouting has no hold action)",
                ));
            }
            teams.push(p);
        }
        // One clock and interchangeable tickets: the teams must agree on
        // what a ticket and a day are, and on the observation's size.
        let first = &teams[0];
        for (k, p) in teams.iter().enumerate().skip(1) {
            let same = |field: &str, ok: bool, value: String, want: String| {
                if ok {
                    Ok(())
                } else {
                    Err(EnvError::config(
                        NAME,
                        format!("teams[{k}].{field}"),
                        value,
                        format!("{want} (team 0's; all teams share it)"),
                    ))
                }
            };
            same(
                "episode_days",
                p.episode_days == first.episode_days,
                p.episode_days.to_string(),
                first.episode_days.to_string(),
            )?;
            same(
                "start_weekday",
                p.start_weekday == first.start_weekday,
                p.start_weekday.to_string(),
                first.start_weekday.to_string(),
            )?;
            same(
                "ticket_types",
                p.ticket_types == first.ticket_types,
                format!("{:?}", p.ticket_types),
                format!("{:?}", first.ticket_types),
            )?;
            same(
                "max_engineers",
                p.max_engineers == first.max_engineers,
                p.max_engineers.to_string(),
                first.max_engineers.to_string(),
            )?;
        }
        let max_handovers = self.max_handovers.unwrap_or(1);
        if max_handovers as usize >= MAX_TEAMS {
            return Err(err(
                "max_handovers",
                max_handovers,
                &format!("an integer in [0, {}]", MAX_TEAMS - 1),
            ));
        }
        let handover_penalty = self.handover_penalty.unwrap_or(0.02);
        check_in(
            NAME,
            "handover_penalty",
            handover_penalty,
            0.0,
            MAX_REWARD_SCALE,
        )?;
        let handover_work_minutes = self.handover_work_minutes.unwrap_or(10.0);
        check_in(
            NAME,
            "handover_work_minutes",
            handover_work_minutes,
            0.0,
            MAX_HANDOVER_MINUTES,
        )?;
        Ok(MultiParams {
            scenario: self.scenario,
            teams,
            max_handovers,
            handover_penalty,
            handover_work_minutes,
            invalid_action,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_are_counted_before_a_config_is_built_per_team() {
        let cfg = MultiTeamRoutingConfig {
            teams: vec![TicketRoutingConfig::default(); MAX_TEAMS + 1],
            ..Default::default()
        };
        let e = cfg.resolve().unwrap_err().to_string();
        assert!(e.contains("`teams`"), "{e}");
        let slow = MultiTeamRoutingConfig {
            handover_work_minutes: Some(1e12),
            ..Default::default()
        };
        assert!(slow.resolve().is_err());
    }
}
