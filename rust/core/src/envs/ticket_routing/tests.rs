use std::sync::Arc;

use super::rates::DAY;
use super::tables::{self, SkillTables};
use super::*;

fn make(cfg: TicketRoutingConfig, seed: u64) -> (TicketRouting, Vec<f32>) {
    let mut env = TicketRouting::new(&cfg).unwrap();
    env.seed(seed);
    let mut obs = vec![0f32; env.obs_len()];
    env.reset(&mut obs);
    (env, obs)
}

fn first_valid(env: &TicketRouting) -> i64 {
    let mut mask = vec![false; env.desk.p.max_engineers];
    env.action_mask(&mut mask);
    mask.iter().position(|&m| m).unwrap() as i64
}

/// Runs a whole episode with the first valid action; returns (steps, return).
fn run(env: &mut TicketRouting, obs: &mut [f32]) -> (usize, f64, Vec<f32>) {
    let mut total = 0.0;
    let mut n = 0;
    loop {
        let s = env.step(first_valid(env), obs);
        total += s.reward;
        n += 1;
        assert!(!s.terminated);
        if s.truncated {
            return (n, total, obs.to_vec());
        }
    }
}

#[test]
fn obs_len_matches_layout_and_space() {
    let (env, obs) = make(TicketRoutingConfig::default(), 1);
    let layout_len: usize = env.obs_layout().iter().map(|f| f.len()).sum();
    assert_eq!(env.obs_len(), layout_len);
    assert_eq!(env.observation_space().flat_len(), obs.len());
    let Space::Box { low, high, .. } = env.observation_space() else {
        panic!()
    };
    for (i, o) in obs.iter().enumerate() {
        assert!(
            f64::from(*o) >= low[i] && f64::from(*o) <= high[i],
            "obs[{i}] = {o}"
        );
    }
}

#[test]
fn same_seed_same_trajectory_and_different_seed_differs() {
    for scenario in [
        Scenario::Balanced,
        Scenario::Specialists,
        Scenario::Understaffed,
    ] {
        let cfg = TicketRoutingConfig {
            scenario,
            ..Default::default()
        };
        let (mut a, mut oa) = make(cfg.clone(), 7);
        let (mut b, mut ob) = make(cfg.clone(), 7);
        let (c, oc) = make(cfg, 8);
        assert_eq!(oa, ob);
        assert_ne!(oa, oc);
        drop(c);
        assert_eq!(run(&mut a, &mut oa), run(&mut b, &mut ob));
    }
}

#[test]
fn a_day_has_about_sixty_decisions_and_ends_truncated() {
    let (mut env, mut obs) = make(TicketRoutingConfig::default(), 3);
    let (steps, ret, _) = run(&mut env, &mut obs);
    assert!((30..=100).contains(&steps), "{steps} decisions");
    assert!(ret < 0.0);
    assert!(env.desk.sim.ended);
    assert_eq!(env.desk.sim.now, DAY);
    // Every ticket is resolved, queued or in the backlog.
    let queued: usize = env.desk.sim.engineers.iter().map(|e| e.queue.len()).sum();
    assert_eq!(
        env.desk.sim.resolved.len() + queued + env.desk.sim.pending.len(),
        env.desk.sim.next_id as usize
    );
}

#[test]
fn return_is_minus_weighted_open_time_plus_penalties() {
    // With SLA, burnout and end costs off, the return is exactly minus the
    // weighted time tickets were open, which the resolved log recomputes.
    let cfg = TicketRoutingConfig {
        sla_penalty: Some(vec![0.0; 4]),
        burnout_weight: Some(0.0),
        wait_weight: Some(60.0),
        arrivals_per_day: Some(30.0),
        ..Default::default()
    };
    let (mut env, mut obs) = make(cfg, 5);
    let mut total = 0.0;
    let end_cost;
    loop {
        let s = env.step(first_valid(&env), &mut obs);
        total += s.reward;
        if s.truncated {
            end_cost = env.desk.sim.last[3];
            break;
        }
    }
    let p = &env.desk.p;
    let mut open = 0.0;
    for t in &env.desk.sim.resolved {
        open += p.priority_weights[t.priority as usize] * (t.done - t.arrival);
    }
    let unresolved = env
        .desk
        .sim
        .pending
        .iter()
        .chain(env.desk.sim.engineers.iter().flat_map(|e| e.queue.iter()));
    for t in unresolved {
        open += t.weight * (DAY - t.arrival);
    }
    assert!(
        ((total - end_cost) + open).abs() < 1e-6 * open,
        "{total} {end_cost} {open}"
    );
}

#[test]
fn mask_allows_only_present_on_shift_engineers_below_cap() {
    let (mut env, mut obs) = make(TicketRoutingConfig::default(), 11);
    for _ in 0..40 {
        let mut mask = vec![false; env.desk.p.max_engineers];
        env.action_mask(&mut mask);
        for (i, m) in mask.iter().enumerate() {
            let e = &env.desk.sim.engineers[i];
            assert_eq!(
                *m,
                e.present && e.on_shift && e.queue.len() < env.desk.p.cap
            );
            assert_eq!(env.check_action(i as i64).is_ok(), *m);
        }
        assert!(mask[8..].iter().all(|m| !m), "absent slots are masked");
        if env.step(first_valid(&env), &mut obs).truncated {
            break;
        }
    }
    assert!(env.check_action(12).is_err());
    assert!(env.check_action(-1).is_err());
}

#[test]
fn fallback_reroutes_invalid_action_with_penalty() {
    let cfg = TicketRoutingConfig {
        invalid_action: Some(InvalidActionMode::Fallback),
        ..Default::default()
    };
    let (mut env, mut obs) = make(cfg, 2);
    assert!(env.check_action(11).is_ok());
    env.step(11, &mut obs);
    assert_eq!(env.desk.sim.last[4], -env.desk.p.invalid_action_penalty);
    assert_eq!(
        env.desk
            .sim
            .engineers
            .iter()
            .map(|e| e.assigned)
            .sum::<u32>(),
        1
    );
}

#[test]
fn work_pauses_off_shift_and_resumes() {
    // One engineer on 8:00-9:00 and 90-minute tickets: each ticket needs
    // exactly 90 on-shift minutes between pickup and completion, so every
    // one spans two shifts.
    let cfg = TicketRoutingConfig {
        n_engineers: Some(1),
        max_engineers: Some(1),
        shifts: Some(vec![vec![8.0, 9.0]]),
        skills: Some(vec![vec![1.0; 5]]),
        episode_days: Some(7),
        work_median_minutes: Some(vec![90.0; 5]),
        work_sigma: Some(vec![0.0; 5]),
        arrivals_per_day: Some(0.5),
        ..Default::default()
    };
    let (mut env, mut obs) = make(cfg, 0);
    while !env.step(0, &mut obs).truncated {}
    assert!(!env.desk.sim.resolved.is_empty());
    for t in &env.desk.sim.resolved {
        let mut on_shift = 0.0;
        for d in 0..7 {
            let (s, e) = (f64::from(d) * DAY + 480.0, f64::from(d) * DAY + 540.0);
            on_shift += (e.min(t.done) - s.max(t.pickup)).max(0.0);
        }
        assert!((on_shift - 90.0).abs() < 1e-9, "{on_shift} {t:?}");
        assert!(t.done - t.pickup > DAY - 60.0);
    }
}

#[test]
fn finish_time_follows_the_shift_calendar() {
    let shift = [480.0, 960.0];
    assert_eq!(team::finish_time_on(shift, 0.0, 0.0, 60.0), 540.0);
    assert_eq!(
        team::finish_time_on(shift, 900.0, 0.0, 120.0),
        DAY + 480.0 + 60.0
    );
    assert_eq!(team::finish_time_on(shift, 1000.0, 0.0, 10.0), DAY + 490.0);
    assert_eq!(
        team::finish_time_on(shift, DAY + 1000.0, 1.0, 10.0),
        2.0 * DAY + 490.0
    );
}

#[test]
fn same_tickets_whatever_the_policy() {
    // Common random numbers: arrival times, attributes and work content do
    // not depend on the actions.
    let cfg = TicketRoutingConfig {
        scenario: Scenario::Specialists,
        ..Default::default()
    };
    let tickets = |pick_last: bool| {
        let (mut env, mut obs) = make(cfg.clone(), 21);
        loop {
            let mut mask = vec![false; env.desk.p.max_engineers];
            env.action_mask(&mut mask);
            let a = if pick_last {
                mask.iter().rposition(|&m| m)
            } else {
                mask.iter().position(|&m| m)
            };
            if env.step(a.unwrap() as i64, &mut obs).truncated {
                break;
            }
        }
        let sim = &env.desk.sim;
        let mut all: Vec<(u32, u64, u8, u8)> = sim
            .resolved
            .iter()
            .map(|r| (0, r.arrival.to_bits(), r.kind, r.priority))
            .chain(
                sim.pending
                    .iter()
                    .chain(sim.engineers.iter().flat_map(|e| e.queue.iter()))
                    .map(|t| (0, t.arrival.to_bits(), t.kind, t.priority)),
            )
            .collect();
        all.sort();
        all
    };
    let (a, b) = (tickets(false), tickets(true));
    assert!(a.len() > 30);
    assert_eq!(a, b);
}

#[test]
fn state_roundtrip_continues_identically() {
    let (mut env, mut obs) = make(
        TicketRoutingConfig {
            scenario: Scenario::Understaffed,
            ..Default::default()
        },
        4,
    );
    for _ in 0..10 {
        env.step(first_valid(&env), &mut obs);
    }
    let state = env.state();
    let (a, _, oa) = run(&mut env.clone(), &mut obs.clone());
    let mut other = TicketRouting::new(&TicketRoutingConfig {
        scenario: Scenario::Understaffed,
        ..Default::default()
    })
    .unwrap();
    other.set_state(state).unwrap();
    let (b, _, ob) = run(&mut other, &mut obs);
    assert_eq!((a, oa), (b, ob));
}

#[test]
fn shuffle_slots_moves_engineers_reproducibly() {
    let cfg = TicketRoutingConfig {
        shuffle_slots: Some(true),
        ..Default::default()
    };
    let (a, _) = make(cfg.clone(), 1);
    let (b, _) = make(cfg, 1);
    let present = |e: &TicketRouting| {
        e.desk
            .sim
            .engineers
            .iter()
            .map(|x| x.present)
            .collect::<Vec<_>>()
    };
    assert_eq!(present(&a), present(&b));
    assert_eq!(present(&a).iter().filter(|p| **p).count(), 8);
    assert_ne!(present(&a), [vec![true; 8], vec![false; 4]].concat());
}

#[test]
fn invalid_configs_are_rejected_by_field() {
    let bad = |cfg: TicketRoutingConfig| TicketRouting::new(&cfg).unwrap_err().to_string();
    assert!(bad(TicketRoutingConfig {
        arrivals_per_day: Some(-1.0),
        ..Default::default()
    })
    .contains("arrivals_per_day"));
    assert!(bad(TicketRoutingConfig {
        type_probs: Some(vec![0.5, 0.5, 0.5, 0.0, 0.0]),
        ..Default::default()
    })
    .contains("summing to 1"));
    assert!(bad(TicketRoutingConfig {
        skills: Some(vec![vec![1.0; 3]; 8]),
        ..Default::default()
    })
    .contains("8 x 5"));
    assert!(bad(TicketRoutingConfig {
        max_engineers: Some(4),
        ..Default::default()
    })
    .contains("max_engineers"));
    assert!(bad(TicketRoutingConfig {
        shifts: Some(vec![vec![9.0, 8.0]; 8]),
        ..Default::default()
    })
    .contains("shifts[0]"));
    assert!(bad(TicketRoutingConfig {
        soft_cap: Some(9),
        ..Default::default()
    })
    .contains("soft_cap"));
}

#[test]
fn understaffed_builds_a_backlog() {
    let run_backlog = |scenario| {
        let (mut env, mut obs) = make(
            TicketRoutingConfig {
                scenario,
                ..Default::default()
            },
            9,
        );
        run(&mut env, &mut obs);
        let open: usize = env
            .desk
            .sim
            .engineers
            .iter()
            .map(|e| e.queue.len())
            .sum::<usize>()
            + env.desk.sim.pending.len();
        open
    };
    assert!(run_backlog(Scenario::Understaffed) > run_backlog(Scenario::Balanced));
}

#[test]
fn clones_share_the_skill_tables_until_their_skills_differ() {
    let cfg = TicketRoutingConfig {
        scenario: Scenario::Specialists,
        ..Default::default()
    };
    let env = TicketRouting::new(&cfg).unwrap();
    let mut obs = vec![0f32; env.obs_len()];
    let (mut a, mut b) = (env.clone(), env);
    a.seed(1);
    b.seed(2);
    a.reset(&mut obs);
    b.reset(&mut obs);
    assert!(
        Arc::ptr_eq(&a.desk.tables, &b.desk.tables),
        "one team: one copy"
    );
    // Other skills (resampled per episode): its own, correct, tables.
    let cfg = TicketRoutingConfig {
        resample_skills: Some(true),
        ..cfg
    };
    let env = TicketRouting::new(&cfg).unwrap();
    let (mut a, mut b) = (env.clone(), env);
    a.seed(1);
    b.seed(2);
    a.reset(&mut obs);
    b.reset(&mut obs);
    assert!(!Arc::ptr_eq(&a.desk.tables, &b.desk.tables));
    for env in [&a, &b] {
        assert_eq!(*env.desk.tables, fresh_tables(env));
    }
}

fn fresh_tables(env: &TicketRouting) -> SkillTables {
    let mut fresh = SkillTables::default();
    tables::refresh(
        &mut Arc::new(SkillTables::default()),
        &mut fresh,
        &env.desk.sim.engineers,
        &env.desk.rates,
    );
    fresh
}

#[test]
fn a_reset_after_set_state_restores_the_team_tables() {
    // Resets of a fixed team keep the tables; a state with another team
    // must not leave its tables behind for the next episode.
    let cfg = TicketRoutingConfig {
        scenario: Scenario::Specialists,
        ..Default::default()
    };
    let mut env = TicketRouting::new(&cfg).unwrap();
    let mut obs = vec![0f32; env.obs_len()];
    env.reset(&mut obs);
    let team = fresh_tables(&env);
    let mut state = env.state();
    state.engineers[0].skill[0] = 0.01;
    state.engineers[1].present = false;
    state.engineers[2].shift_start = 60.0;
    env.set_state(state).unwrap();
    assert_eq!(*env.desk.tables, fresh_tables(&env));
    assert_ne!(*env.desk.tables, team);
    env.reset(&mut obs);
    assert_eq!(*env.desk.tables, team);
    env.reset(&mut obs);
    assert_eq!(*env.desk.tables, team);
}

#[test]
fn engineer_layout() {
    // What each decision reads for every present engineer fills line 0;
    // the integral and the engineer's own events touch line 1; line 2 is
    // not read per decision under FIFO (see `Engineer`).
    use std::mem::{align_of, offset_of, size_of};
    assert_eq!(align_of::<Engineer>(), 64);
    assert_eq!(size_of::<Engineer>(), 192);
    let line = |offset: usize| offset / 64;
    for hot in [
        offset_of!(Engineer, queue),
        offset_of!(Engineer, queue) + size_of::<std::collections::VecDeque<Ticket>>() - 1,
        offset_of!(Engineer, completion),
        offset_of!(Engineer, last_assign),
        offset_of!(Engineer, fatigue),
        offset_of!(Engineer, present),
        offset_of!(Engineer, on_shift),
    ] {
        assert_eq!(line(hot), 0);
    }
    for warm in [
        offset_of!(Engineer, next_change),
        offset_of!(Engineer, remaining),
        offset_of!(Engineer, shift_start),
        offset_of!(Engineer, shift_end),
        offset_of!(Engineer, shift_day),
        offset_of!(Engineer, assigned),
        offset_of!(Engineer, busy_minutes),
        offset_of!(Engineer, shift_minutes),
        offset_of!(Engineer, over_soft_minutes),
    ] {
        assert_eq!(line(warm), 1);
    }
    for cold in [offset_of!(Engineer, updated), offset_of!(Engineer, skill)] {
        assert_eq!(line(cold), 2);
    }
}

fn hold_env(scenario: Scenario, cap: usize) -> (TicketRouting, Vec<f32>) {
    let cfg = TicketRoutingConfig {
        scenario,
        cap: Some(cap),
        soft_cap: Some(cap.min(3)),
        allow_hold: Some(true),
        ..Default::default()
    };
    make(cfg, 5)
}

#[test]
fn holding_every_ticket_still_moves_the_clock_to_the_horizon() {
    // A policy that always holds: each ticket is offered at most once per
    // instant, so the clock advances and the episode ends (horizon or
    // backlog overflow) in a bounded number of steps, whatever the cap.
    for cap in [1, 2, 5] {
        for scenario in [Scenario::SpecialistsPull, Scenario::Understaffed] {
            let (mut env, mut obs) = hold_env(scenario, cap);
            let hold = env.desk.p.max_engineers as i64;
            let mut seen_at_now = std::collections::HashSet::new();
            let mut now = env.desk.sim.now;
            let mut steps = 0;
            loop {
                let id = env.desk.sim.current.as_ref().unwrap().id;
                if env.desk.sim.now > now {
                    now = env.desk.sim.now;
                    seen_at_now.clear();
                }
                assert!(seen_at_now.insert(id), "ticket {id} offered twice at {now}");
                env.check_action(hold).unwrap();
                steps += 1;
                if env.step(hold, &mut obs).truncated {
                    break;
                }
                assert!(steps < 100_000, "cap {cap}: no end");
            }
            assert!(env.desk.sim.ended);
            // Nothing was ever assigned.
            assert!(env.desk.sim.engineers.iter().all(|e| e.assigned == 0));
        }
    }
}

#[test]
fn hold_leaves_the_ticket_in_the_backlog_until_the_next_event() {
    let (mut env, mut obs) = hold_env(Scenario::SpecialistsPull, 2);
    let hold = env.desk.p.max_engineers as i64;
    let t = env.desk.sim.current.clone().unwrap();
    let now = env.desk.sim.now;
    env.step(hold, &mut obs);
    let sim = &env.desk.sim;
    let back = sim.pending.iter().find(|p| p.id == t.id);
    let offered_again = sim.current.as_ref().is_some_and(|c| c.id == t.id);
    assert!(back.is_some() || offered_again);
    if offered_again {
        assert!(sim.now > now, "a held ticket is offered again only later");
    }
    // The same ticket, routed after the next event, keeps its arrival.
    let mut mask = vec![false; env.desk.n_actions()];
    env.action_mask(&mut mask);
    assert!(
        mask[hold as usize],
        "hold is always allowed with a decision"
    );
}

#[test]
fn hold_without_allow_hold_is_an_invalid_action() {
    let (env, _) = make(TicketRoutingConfig::default(), 0);
    let m = env.desk.p.max_engineers as i64;
    let err = env.check_action(m).unwrap_err().to_string();
    assert!(err.contains("allow_hold"), "{err}");
    assert_eq!(env.action_space(), Space::discrete(m));
}

#[test]
fn a_cap_below_one_is_a_config_error_naming_cap() {
    let cfg = TicketRoutingConfig {
        scenario: Scenario::SpecialistsPull,
        cap: Some(0),
        ..Default::default()
    };
    let err = TicketRouting::new(&cfg).unwrap_err().to_string();
    assert!(err.contains("cap"), "{err}");
}

#[test]
fn a_held_ticket_at_the_end_pays_at_least_its_best_engineer_now() {
    // A one-day episode where every ticket is held: the end charge of each
    // backlog ticket is at least weight * (its work at the best skill).
    let (mut env, mut obs) = hold_env(Scenario::SpecialistsPull, 2);
    let hold = env.desk.p.max_engineers as i64;
    let end = loop {
        if env.step(hold, &mut obs).truncated {
            break -env.desk.sim.last[3] / env.desk.p.wait_weight * 60.0;
        }
    };
    let best_skill = |k: usize| {
        env.desk
            .sim
            .engineers
            .iter()
            .filter(|e| e.present)
            .map(|e| e.skill[k])
            .fold(0.0, f64::max)
    };
    let floor: f64 = env
        .desk
        .sim
        .pending
        .iter()
        .map(|t| t.weight * (t.work / best_skill(t.kind as usize)))
        .sum();
    assert!(!env.desk.sim.pending.is_empty());
    assert!(end >= floor * (1.0 - 1e-12), "{end} < {floor}");
}

#[test]
fn branches_with_the_same_sample_see_the_same_future() {
    let (mut env, mut obs) = hold_env(Scenario::SpecialistsPull, 2);
    for _ in 0..20 {
        let mut mask = vec![false; env.desk.n_actions()];
        env.action_mask(&mut mask);
        let a = mask.iter().position(|&m| m).unwrap() as i64;
        env.step(a, &mut obs);
    }
    let run = |mut b: TicketRouting, first: i64| {
        let mut obs = vec![0f32; b.obs_len()];
        let mut total = 0.0;
        let mut a = first;
        loop {
            let s = b.step(a, &mut obs);
            total += s.reward;
            if s.truncated {
                return (total, b.desk.sim.next_id);
            }
            let mut mask = vec![false; b.desk.n_actions()];
            b.action_mask(&mut mask);
            a = mask.iter().position(|&m| m).unwrap() as i64;
        }
    };
    let hold = env.desk.p.max_engineers as i64;
    let branch = |sample: u64| {
        let mut b = env.clone();
        b.resample_future(7, sample);
        b
    };
    // The decision ticket's observation does not change (only hidden state).
    let mut o1 = vec![0f32; env.obs_len()];
    obs::write(&branch(0).desk, &mut o1);
    assert_eq!(o1, obs);
    // Same sample: the same arrivals whatever the action (common random numbers).
    let (_, arrivals_hold) = run(branch(0), hold);
    let mut mask = vec![false; env.desk.n_actions()];
    env.action_mask(&mut mask);
    let first = mask.iter().position(|&m| m).unwrap() as i64;
    let (_, arrivals_route) = run(branch(0), first);
    assert_eq!(arrivals_hold, arrivals_route);
    assert_eq!(run(branch(0), first), run(branch(0), first));
    assert_ne!(run(branch(0), first), run(branch(1), first));
    // The original's hidden work is not what the branch uses.
    let t = env.desk.sim.current.clone().unwrap();
    assert_ne!(branch(0).desk.sim.current.unwrap().work, t.work);
}

#[test]
fn engineer_rows_are_the_last_observation_field() {
    // Readers of the observation (the planner's base rules) find the engineer
    // block as the last `max_engineers * ENGINEER_FEATURES` values.
    let (env, _) = make(TicketRoutingConfig::default(), 0);
    let layout = env.obs_layout();
    assert_eq!(layout.last().unwrap().name, "engineers");
    let rows = env.desk.p.max_engineers * ENGINEER_FEATURES.len();
    let before: usize = layout[..layout.len() - 1]
        .iter()
        .map(|f| f.shape.iter().product::<usize>())
        .sum();
    assert_eq!(before + rows, env.obs_len());
}

#[test]
fn scenario_names_are_the_serde_names_in_order() {
    use serde::de::{value::Error, Deserialize, IntoDeserializer};
    assert_eq!(config::SCENARIOS.len(), config::SCENARIO_NAMES.len());
    for (name, s) in config::SCENARIO_NAMES.iter().zip(config::SCENARIOS) {
        let parsed = Scenario::deserialize(IntoDeserializer::<Error>::into_deserializer(*name));
        assert_eq!(parsed, Ok(s), "{name}");
    }
}
