use super::*;
use crate::envs::ticket_routing::{Scenario, TicketRouting, TicketRoutingConfig};
use crate::rng::Rng;
use crate::Env;

fn make(cfg: &MultiTeamRoutingConfig, seed: u64) -> (MultiTeamRouting, Vec<f32>) {
    let mut env = MultiTeamRouting::new(cfg).unwrap();
    env.seed(seed);
    let mut obs = vec![0f32; env.n_teams() * env.obs_len()];
    env.reset(&mut obs);
    (env, obs)
}

fn masks(env: &MultiTeamRouting) -> Vec<Vec<bool>> {
    let a = env.n_actions();
    let mut m = vec![false; a * env.n_teams()];
    env.action_masks(&mut m);
    m.chunks(a).map(<[bool]>::to_vec).collect()
}

/// A valid action per dispatcher, drawn from `rng` among the mask's.
fn random_actions(env: &MultiTeamRouting, rng: &mut Rng) -> Vec<i64> {
    masks(env)
        .iter()
        .map(|row| {
            let valid: Vec<usize> = (0..row.len()).filter(|&i| row[i]).collect();
            valid[rng.below(valid.len() as u64) as usize] as i64
        })
        .collect()
}

fn mirrored(n: usize) -> MultiTeamRoutingConfig {
    MultiTeamRoutingConfig {
        n_teams: Some(n),
        ..Default::default()
    }
}

#[test]
fn one_team_reproduces_ticket_routing() {
    // The shared clock with one team must be TicketRouting's event loop:
    // same observations, rewards and flags for the same seed and actions.
    for scenario in [
        Scenario::Balanced,
        Scenario::Specialists,
        Scenario::Understaffed,
    ] {
        for (seed, auto) in [(3u64, false), (11, true)] {
            let team = TicketRoutingConfig {
                scenario,
                auto_assign_single: Some(auto),
                episode_days: Some(2),
                ..Default::default()
            };
            let cfg = MultiTeamRoutingConfig {
                teams: vec![team.clone()],
                ..Default::default()
            };
            let (mut multi, mut mobs) = make(&cfg, seed);
            let mut single = TicketRouting::new(&team).unwrap();
            single.seed(seed);
            let mut sobs = vec![0f32; single.obs_len()];
            single.reset(&mut sobs);
            assert_eq!(mobs, sobs);
            let mut rng = Rng::new(seed);
            let mut reward = [0.0];
            for n in 0.. {
                let a = random_actions(&multi, &mut rng);
                multi.check_actions(&a).unwrap();
                let truncated = multi.step(&a, &mut mobs, &mut reward);
                let s = single.step(a[0], &mut sobs);
                assert_eq!(mobs, sobs, "{scenario:?} step {n}");
                assert_eq!(reward[0], s.reward, "{scenario:?} step {n}");
                assert_eq!(truncated, s.truncated, "{scenario:?} step {n}");
                if truncated {
                    assert!(n > 30, "{scenario:?} seed {seed} auto {auto}: {n} steps");
                    break;
                }
            }
            assert_eq!(multi.state().teams[0], single.state());
        }
    }
}

#[test]
fn same_seed_same_trajectory() {
    let cfg = MultiTeamRoutingConfig {
        scenario: MultiScenario::TwoDesks,
        ..Default::default()
    };
    let run = |seed: u64| {
        let (mut env, mut obs) = make(&cfg, seed);
        let mut rng = Rng::new(99);
        let mut rewards = vec![0.0; 2];
        let mut trace = Vec::new();
        loop {
            let a = random_actions(&env, &mut rng);
            let done = env.step(&a, &mut obs, &mut rewards);
            trace.push((obs.clone(), rewards.clone()));
            if done {
                return trace;
            }
        }
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

/// Steps with the first valid engineer until dispatcher 0 decides while
/// dispatcher 1 has nothing to do and an empty backlog.
fn until_handover_possible(env: &mut MultiTeamRouting, obs: &mut [f32]) {
    let mut rewards = vec![0.0; env.n_teams()];
    for _ in 0..10_000 {
        let t1 = env.team(1).sim();
        let cap = env.team(1).params().cap;
        if env.deciding(0)
            && !env.deciding(1)
            && t1.pending.is_empty()
            && t1.engineers.iter().any(|e| e.eligible(cap))
        {
            return;
        }
        let a: Vec<i64> = masks(env)
            .iter()
            .map(|row| row.iter().position(|&v| v).unwrap() as i64)
            .collect();
        assert!(!env.step(&a, obs, &mut rewards));
    }
    panic!("no moment to hand over found");
}

#[test]
fn handover_makes_the_ticket_the_receiving_teams_next_decision_at_the_same_time() {
    let (mut env, mut obs) = make(&mirrored(2), 4);
    until_handover_possible(&mut env, &mut obs);
    let ticket = env.team(0).sim().current.clone().unwrap();
    let now = env.team(0).sim().now;
    let hand_to_1 = env.max_engineers() as i64;
    assert!(masks(&env)[0][hand_to_1 as usize]);
    let mut rewards = vec![0.0; 2];
    env.check_actions(&[hand_to_1, NOOP]).unwrap();
    env.step(&[hand_to_1, NOOP], &mut obs, &mut rewards);
    let got = env.team(1).sim().current.clone().expect("team 1 decides");
    assert_eq!(env.team(1).sim().now, now);
    assert_eq!(
        (got.kind, got.priority, got.arrival),
        (ticket.kind, ticket.priority, ticket.arrival)
    );
    assert_eq!(got.work, ticket.work + env.params().handover_work_minutes);
    let mut info = vec![0.0; 19];
    env.info_values(0, &mut info);
    assert_eq!(info[N_COMPONENTS - 1], -env.params().handover_penalty);
    assert_eq!(info[N_COMPONENTS + 5], 1.0, "one handover out of team 0");
    env.info_values(1, &mut info);
    assert_eq!(info[N_COMPONENTS + 6], 1.0, "one handover into team 1");
    // Its weight moved with it: team 0 no longer pays for it.
    let w0: f64 = open_tickets(env.team(0).sim()).map(|t| t.weight).sum();
    assert!((env.team(0).sim().open_weight - w0).abs() < 1e-9);
    let w1: f64 = open_tickets(env.team(1).sim()).map(|t| t.weight).sum();
    assert!((env.team(1).sim().open_weight - w1).abs() < 1e-9);
}

#[test]
fn masks_forbid_handovers_over_the_limit_and_back_to_a_team_that_had_the_ticket() {
    for max_handovers in [1, 2] {
        let cfg = MultiTeamRoutingConfig {
            n_teams: Some(3),
            max_handovers: Some(max_handovers),
            ..Default::default()
        };
        let (mut env, mut obs) = make(&cfg, 4);
        until_handover_possible(&mut env, &mut obs);
        let m = env.max_engineers();
        let mut rewards = vec![0.0; 3];
        env.step(&[m as i64, NOOP, NOOP], &mut obs, &mut rewards);
        assert!(env.deciding(1));
        // Dispatcher 1's handover actions: to team 0 (m), to team 2 (m + 1).
        let row = &masks(&env)[1];
        assert!(!row[m], "back to team 0 is ping-pong");
        assert_eq!(row[m + 1], max_handovers == 2);
        let err = env.check_actions(&[NOOP, m as i64, NOOP]).unwrap_err();
        assert!(err.to_string().contains("dispatcher_1"), "{err}");
        assert!(err.to_string().contains("no ping-pong"), "{err}");
        if max_handovers == 1 {
            let err = env.check_actions(&[NOOP, m as i64 + 1, NOOP]).unwrap_err();
            assert!(err.to_string().contains("max_handovers = 1"), "{err}");
        }
    }
}

#[test]
fn idle_dispatchers_may_only_send_the_noop_and_bad_actions_name_the_agent() {
    let (mut env, mut obs) = make(&mirrored(2), 4);
    until_handover_possible(&mut env, &mut obs);
    assert_eq!(masks(&env)[1].iter().filter(|&&v| v).count(), 1);
    assert!(masks(&env)[1][NOOP as usize]);
    let e = env.check_actions(&[0, 1]).unwrap_err().to_string();
    assert!(e.contains("dispatcher_1") && e.contains("no ticket"), "{e}");
    let e = env.check_actions(&[99, 0]).unwrap_err().to_string();
    assert!(
        e.contains("dispatcher_0") && e.contains("out of range"),
        "{e}"
    );
    let e = env.check_actions(&[0]).unwrap_err().to_string();
    assert!(e.contains("one per dispatcher"), "{e}");
}

#[test]
fn fallback_turns_forbidden_actions_into_penalised_valid_ones() {
    let cfg = MultiTeamRoutingConfig {
        invalid_action: Some(InvalidActionMode::Fallback),
        max_handovers: Some(0),
        ..mirrored(2)
    };
    let (mut env, mut obs) = make(&cfg, 4);
    until_handover_possible(&mut env, &mut obs);
    let m = env.max_engineers() as i64;
    env.check_actions(&[m, 3]).unwrap();
    let mut rewards = vec![0.0; 2];
    env.step(&[m, 3], &mut obs, &mut rewards);
    let mut info = vec![0.0; 19];
    env.info_values(0, &mut info);
    assert!(info[4] < 0.0, "the forbidden handover is penalised");
    assert_eq!(info[N_COMPONENTS + 5], 0.0, "and not done");
    env.info_values(1, &mut info);
    assert_eq!(info[4], 0.0, "an idle dispatcher's action is ignored");
}

#[test]
fn state_round_trips_and_bad_state_is_refused() {
    let (mut env, mut obs) = make(&mirrored(2), 8);
    until_handover_possible(&mut env, &mut obs);
    let m = env.max_engineers() as i64;
    let mut rewards = vec![0.0; 2];
    env.step(&[m, NOOP], &mut obs, &mut rewards);
    let saved = env.state();
    let mut rng = Rng::new(1);
    let mut a_run = Vec::new();
    for _ in 0..30 {
        let a = random_actions(&env, &mut rng);
        env.step(&a, &mut obs, &mut rewards);
        a_run.push((obs.clone(), rewards.clone()));
    }
    env.set_state(saved.clone()).unwrap();
    let mut rng = Rng::new(1);
    for want in &a_run {
        let a = random_actions(&env, &mut rng);
        env.step(&a, &mut obs, &mut rewards);
        assert_eq!(&(obs.clone(), rewards.clone()), want);
    }
    let mut bad = saved.clone();
    bad.transfers.clear();
    assert!(env.set_state(bad).is_err());
    let mut bad = saved;
    bad.teams.pop();
    assert!(env.set_state(bad).is_err());
}

#[test]
fn bad_config_names_the_field() {
    let e = MultiTeamRouting::new(&mirrored(0)).unwrap_err().to_string();
    assert!(e.contains("n_teams"), "{e}");
    let cfg = MultiTeamRoutingConfig {
        teams: vec![
            TicketRoutingConfig::default(),
            TicketRoutingConfig {
                episode_days: Some(2),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let e = MultiTeamRouting::new(&cfg).unwrap_err().to_string();
    assert!(e.contains("teams[1].episode_days"), "{e}");
    let cfg = MultiTeamRoutingConfig {
        common: TicketRoutingConfig {
            cap: Some(0),
            ..Default::default()
        },
        ..Default::default()
    };
    let e = MultiTeamRouting::new(&cfg).unwrap_err().to_string();
    assert!(e.contains("teams[0].cap"), "{e}");
    let cfg = MultiTeamRoutingConfig {
        handover_penalty: Some(f64::NAN),
        ..Default::default()
    };
    assert!(MultiTeamRouting::new(&cfg).is_err());
}

#[test]
fn obs_fits_the_declared_space() {
    let cfg = MultiTeamRoutingConfig {
        scenario: MultiScenario::TwoDesks,
        ..Default::default()
    };
    let (mut env, mut obs) = make(&cfg, 2);
    let Space::Box { low, high, .. } = env.observation_space() else {
        panic!()
    };
    let d = env.obs_len();
    assert_eq!(low.len(), d);
    let mut rng = Rng::new(3);
    let mut rewards = vec![0.0; 2];
    loop {
        for row in obs.chunks(d) {
            for (i, o) in row.iter().enumerate() {
                assert!(
                    f64::from(*o) >= low[i] && f64::from(*o) <= high[i],
                    "obs[{i}] = {o}"
                );
            }
        }
        let a = random_actions(&env, &mut rng);
        if env.step(&a, &mut obs, &mut rewards) {
            break;
        }
    }
}

#[test]
fn a_backlog_blow_up_in_one_team_ends_every_team_at_that_time() {
    let cfg = MultiTeamRoutingConfig {
        teams: vec![
            TicketRoutingConfig {
                n_engineers: Some(1),
                cap: Some(1),
                soft_cap: Some(1),
                max_backlog: Some(3),
                ..Default::default()
            },
            TicketRoutingConfig::default(),
        ],
        ..Default::default()
    };
    let (mut env, mut obs) = make(&cfg, 1);
    let mut rng = Rng::new(2);
    let mut rewards = vec![0.0; 2];
    while !env.step(&random_actions(&env, &mut rng), &mut obs, &mut rewards) {}
    let (a, b) = (env.team(0).sim(), env.team(1).sim());
    assert!(a.overflow && !b.overflow);
    assert!(a.ended && b.ended);
    assert_eq!(a.now, b.now);
    assert!(a.now < 1440.0);
}
