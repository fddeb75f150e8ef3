//! Built-in scenario presets: the defaults of every config field.

use super::config::{InvalidActionMode, Params, Scenario, Service};

/// Office-hours arrival profile: quiet nights, busy 8:00-18:00.
const OFFICE_HOURS: [f64; 24] = [
    0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, // 0-7
    1.6, 2.0, 2.2, 2.2, 1.8, 1.8, 2.0, 2.0, // 8-15
    1.8, 1.4, 0.8, 0.5, 0.4, 0.3, 0.2, 0.2, // 16-23
];

/// The same with a sharp 10:00-11:00 peak (an incident-prone release hour).
const PEAK_HOUR: [f64; 24] = [
    0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, // 0-7
    1.4, 1.8, 5.0, 2.6, 1.6, 1.6, 1.8, 1.8, // 8-15
    1.6, 1.2, 0.8, 0.5, 0.4, 0.3, 0.2, 0.2, // 16-23
];

fn rows(v: &[[f64; 4]]) -> Vec<Vec<f64>> {
    v.iter().map(|r| r.to_vec()).collect()
}

fn shifts(spec: &[(usize, f64, f64)]) -> Vec<Vec<f64>> {
    spec.iter()
        .flat_map(|&(n, s, e)| std::iter::repeat_n(vec![s, e], n))
        .collect()
}

fn balanced() -> Params {
    Params {
        scenario: Scenario::Balanced,
        episode_days: 1,
        start_weekday: 0,
        arrivals_per_day: 60.0,
        hour_profile: OFFICE_HOURS.to_vec(),
        weekday_factor: vec![1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.2],
        ticket_types: [
            "technical",
            "billing",
            "feature_request",
            "bug_report",
            "integration",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        type_probs: vec![0.3, 0.2, 0.15, 0.2, 0.15],
        priority_probs: rows(&[
            [0.10, 0.30, 0.40, 0.20],
            [0.05, 0.25, 0.50, 0.20],
            [0.00, 0.10, 0.40, 0.50],
            [0.15, 0.35, 0.35, 0.15],
            [0.10, 0.30, 0.40, 0.20],
        ]),
        tier_probs: vec![0.2, 0.5, 0.3],
        work_median_minutes: vec![40.0, 15.0, 20.0, 60.0, 50.0],
        work_sigma: vec![0.6, 0.5, 0.6, 0.7, 0.6],
        n_engineers: 8,
        max_engineers: 12,
        shifts: shifts(&[(3, 7.0, 15.0), (3, 9.0, 17.0), (2, 12.0, 20.0)]),
        skills: Vec::new(),
        specialist_share: 0.0,
        specialist_off_skill: vec![0.2, 0.5],
        generalist_skill: vec![0.7, 0.9],
        team_seed: 0,
        resample_skills: false,
        shuffle_slots: false,
        cap: 5,
        soft_cap: 3,
        fatigue_rise_minutes: 120.0,
        fatigue_recovery_minutes: 240.0,
        sla_minutes: vec![240.0, 480.0, 1440.0, 2880.0],
        priority_weights: vec![8.0, 4.0, 2.0, 1.0],
        tier_weights: vec![1.0, 1.0, 1.0],
        wait_weight: 0.01,
        sla_penalty: vec![1.0, 0.5, 0.2, 0.1],
        burnout_weight: 0.02,
        backlog_end_minutes: 240.0,
        max_backlog: 200,
        auto_assign_single: false,
        invalid_action: InvalidActionMode::Raise,
        invalid_action_penalty: 0.1,
        service: Service::Fifo,
        context_switch_penalty: 0.1,
        allow_hold: false,
        arrival_trace: Vec::new(),
    }
}

/// The preset a scenario starts from.
pub fn preset(scenario: Scenario) -> Params {
    let base = balanced();
    match scenario {
        Scenario::Balanced => base,
        Scenario::Specialists => specialists(base),
        Scenario::SpecialistsPull => Params {
            scenario,
            cap: 2,
            // At most 2 open tickets: the soft cap is never passed.
            soft_cap: 2,
            allow_hold: true,
            ..specialists(base)
        },
        Scenario::SpecialistsWeek => Params {
            scenario,
            episode_days: 5,
            start_weekday: 0,
            ..preset(Scenario::SpecialistsPull)
        },
        Scenario::Understaffed => Params {
            scenario,
            n_engineers: 5,
            shifts: shifts(&[(2, 7.0, 15.0), (2, 9.0, 17.0), (1, 12.0, 20.0)]),
            ..base
        },
    }
}

/// Mostly specialists, critical work in bug reports and integrations, a
/// 10:00 peak.
fn specialists(base: Params) -> Params {
    Params {
        scenario: Scenario::Specialists,
        hour_profile: PEAK_HOUR.to_vec(),
        // Critical work is concentrated in bug reports and integrations.
        priority_probs: rows(&[
            [0.08, 0.30, 0.42, 0.20],
            [0.02, 0.18, 0.55, 0.25],
            [0.00, 0.05, 0.35, 0.60],
            [0.25, 0.35, 0.30, 0.10],
            [0.20, 0.35, 0.30, 0.15],
        ]),
        specialist_share: 0.75,
        tier_weights: vec![1.5, 1.0, 0.75],
        ..base
    }
}
