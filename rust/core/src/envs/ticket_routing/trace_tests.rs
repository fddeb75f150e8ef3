//! Trace replay (`arrival_trace`): the rows arrive exactly, unknown work is
//! the same for every policy, bad traces are refused by row, the position
//! is part of the state, and a planner's branch does not read the trace.

use super::config::MAX_TRACE_TICKETS;
use super::*;

fn make(cfg: &TicketRoutingConfig, seed: u64) -> (TicketRouting, Vec<f32>) {
    let mut env = TicketRouting::new(cfg).unwrap();
    env.seed(seed);
    let mut obs = vec![0f32; env.obs_len()];
    env.reset(&mut obs);
    (env, obs)
}

/// The first (or last) valid slot.
fn pick(env: &TicketRouting, last: bool) -> i64 {
    let mut mask = vec![false; env.desk.n_actions()];
    env.action_mask(&mut mask);
    let found = if last {
        mask.iter().rposition(|&m| m)
    } else {
        mask.iter().position(|&m| m)
    };
    found.unwrap() as i64
}

/// Runs the episode to its end; returns the rewards of every step and
/// every ticket that arrived (each is a decision ticket once, or still
/// open at the end), by id.
fn episode(env: &mut TicketRouting, obs: &mut [f32], last: bool) -> (Vec<u64>, Vec<Ticket>) {
    let mut rewards = Vec::new();
    let mut seen: Vec<Ticket> = Vec::new();
    loop {
        seen.extend(env.desk.sim.current.clone());
        let s = env.step(pick(env, last), obs);
        rewards.push(s.reward.to_bits());
        if s.truncated {
            break;
        }
    }
    let sim = &env.desk.sim;
    let open = sim
        .pending
        .iter()
        .chain(sim.engineers.iter().flat_map(|e| e.queue.iter()));
    for t in open {
        if !seen.iter().any(|s| s.id == t.id) {
            seen.push(t.clone());
        }
    }
    seen.sort_by_key(|t| t.id);
    // Bookkeeping rebuilt with the caches (not state): a restored copy
    // numbers its SLA flags otherwise.
    for t in &mut seen {
        t.track = 0;
    }
    (rewards, seen)
}

fn rows(tickets: &[Ticket], known_work: bool) -> Vec<Vec<f64>> {
    tickets
        .iter()
        .map(|t| {
            let work = if known_work { t.work } else { f64::NAN };
            vec![
                t.arrival,
                f64::from(t.kind),
                f64::from(t.priority),
                f64::from(t.tier),
                work,
            ]
        })
        .collect()
}

fn traced(trace: Vec<Vec<f64>>) -> TicketRoutingConfig {
    TicketRoutingConfig {
        scenario: Scenario::Specialists,
        arrival_trace: Some(trace),
        ..Default::default()
    }
}

fn sampled_tickets(seed: u64) -> (Vec<u64>, Vec<Ticket>) {
    let cfg = TicketRoutingConfig {
        scenario: Scenario::Specialists,
        ..Default::default()
    };
    let (mut env, mut obs) = make(&cfg, seed);
    episode(&mut env, &mut obs, false)
}

#[test]
fn a_sampled_episode_replayed_as_its_trace_is_the_same_episode() {
    let (rewards, tickets) = sampled_tickets(5);
    assert!(tickets.len() > 30);
    // Another seed: the trace, not the seed, gives the tickets.
    let (mut env, mut obs) = make(&traced(rows(&tickets, true)), 99);
    let (replayed, arrived) = episode(&mut env, &mut obs, false);
    assert_eq!(replayed, rewards, "rewards step by step, bit for bit");
    assert_eq!(arrived, tickets);
    assert_eq!(env.desk.sim.trace_next, Some(tickets.len() as u32));
}

#[test]
fn unknown_work_depends_only_on_the_seed_and_the_row() {
    let (_, tickets) = sampled_tickets(6);
    let cfg = traced(rows(&tickets, false));
    let work = |seed: u64, last: bool| {
        let (mut env, mut obs) = make(&cfg, seed);
        let (_, seen) = episode(&mut env, &mut obs, last);
        let attrs: Vec<_> = seen
            .iter()
            .map(|t| (t.arrival.to_bits(), t.kind, t.priority, t.tier))
            .collect();
        let work: Vec<u64> = seen.iter().map(|t| t.work.to_bits()).collect();
        (attrs, work)
    };
    let (a_attrs, a_work) = work(3, false);
    let (b_attrs, b_work) = work(3, true);
    assert_eq!(a_attrs, b_attrs);
    assert_eq!(a_work, b_work, "two policies, one seed: the same work");
    assert_ne!(work(4, false).1, a_work, "another seed draws other work");
    let known: Vec<u64> = tickets.iter().map(|t| t.work.to_bits()).collect();
    assert_ne!(a_work, known);
}

#[test]
fn hostile_traces_are_refused_naming_the_row() {
    let ok = [0.0, 1.0, 2.0, 2.0, 30.0];
    let refused = |trace: Vec<Vec<f64>>, needle: &str| {
        let e = TicketRouting::new(&traced(trace)).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, EnvError::InvalidConfig { .. }), "{msg}");
        assert!(msg.contains(needle), "{needle:?} not in {msg}");
    };
    let with = |i: usize, v: f64| {
        let mut r = ok.to_vec();
        r[i] = v;
        vec![ok.to_vec(), r]
    };
    refused(
        vec![vec![60.0, 0.0, 0.0, 0.0, 1.0], ok.to_vec()],
        "arrival_trace[1]",
    );
    refused(with(0, f64::NAN), "arrival_trace[1]");
    refused(with(0, 1440.0), "inside the episode");
    refused(with(0, -1.0), "a minute in [0, 1440)");
    refused(with(1, 5.0), "a ticket type index in 0..5");
    refused(with(1, 0.5), "a ticket type index");
    refused(with(2, 4.0), "priority index");
    refused(with(3, -1.0), "tier index");
    refused(with(4, 0.0), "work_minutes");
    refused(with(4, f64::INFINITY), "work_minutes");
    refused(vec![vec![0.0, 1.0]], "5 values");
    let too_many = vec![ok.to_vec(); MAX_TRACE_TICKETS + 1];
    refused(too_many, &format!("at most {MAX_TRACE_TICKETS} rows"));
    // Negative and NaN work are "unknown", not errors; NaN resolves to -1.
    assert!(TicketRouting::new(&traced(with(4, -1.0))).is_ok());
    let nan = TicketRouting::new(&traced(with(4, f64::NAN))).unwrap();
    assert_eq!(nan.params().arrival_trace[1][4], -1.0);
}

#[test]
fn the_trace_position_is_state_and_checked() {
    let (_, tickets) = sampled_tickets(7);
    let cfg = traced(rows(&tickets, false));
    let (mut env, mut obs) = make(&cfg, 1);
    for _ in 0..10 {
        env.step(pick(&env, false), &mut obs);
    }
    let state = env.state();
    assert!(matches!(state.trace_next, Some(n) if n >= 10));
    let mut copy = TicketRouting::new(&cfg).unwrap();
    copy.set_state(state.clone()).unwrap();
    let (mut o1, mut o2) = (obs.clone(), obs.clone());
    assert_eq!(
        episode(&mut env, &mut o1, false),
        episode(&mut copy, &mut o2, false)
    );
    let bad = |s: Sim| copy.clone().set_state(s).unwrap_err().to_string();
    let mut past = state.clone();
    past.trace_next = Some(tickets.len() as u32 + 1);
    assert!(bad(past).contains("trace_next"));
    let mut moved = state.clone();
    moved.trace_next = moved.trace_next.map(|n| n - 1);
    assert!(bad(moved).contains("next_arrival"));
    let sampled = TicketRouting::new(&TicketRoutingConfig {
        scenario: Scenario::Specialists,
        ..Default::default()
    })
    .unwrap();
    assert!(sampled
        .clone()
        .set_state(state)
        .unwrap_err()
        .to_string()
        .contains("trace_next"));
}

#[test]
fn a_branch_does_not_read_the_rows_still_to_come() {
    let (_, tickets) = sampled_tickets(8);
    let cfg = traced(rows(&tickets, true));
    let (mut env, mut obs) = make(&cfg, 2);
    for _ in 0..15 {
        env.step(pick(&env, false), &mut obs);
    }
    let next = env.desk.sim.trace_next.unwrap() as usize;
    assert!(next < tickets.len());
    // The same past with another future: rows from `next` on changed.
    let mut other_rows = rows(&tickets, true);
    for r in &mut other_rows[next..] {
        r[1] = (r[1] + 1.0) % 5.0;
        r[4] *= 3.0;
    }
    let mut other = TicketRouting::new(&traced(other_rows)).unwrap();
    other.set_state(env.state()).unwrap();
    let branch = |e: &TicketRouting| {
        let mut b = e.clone();
        b.resample_future(3, 1);
        assert_eq!(b.desk.sim.trace_next, None);
        let mut o = vec![0f32; b.obs_len()];
        episode(&mut b, &mut o, false)
    };
    assert_eq!(branch(&env), branch(&other));
    // Unbranched, the two futures differ.
    let (mut o1, mut o2) = (obs.clone(), obs);
    assert_ne!(
        episode(&mut env, &mut o1, false).1,
        episode(&mut other, &mut o2, false).1
    );
}
