//! Profiling harness for the TicketRouting batch (no Python, no criterion):
//! `cargo run --release -p ferrogym-core --example ticket_profile -- [steps] [num_envs] [threads]`
//! steps N (default 1024) sub-envs with random slots (fallback mode), as
//! benches/test_ticket_routing_bench.py does, and prints decisions/s. Run it
//! under `perf record` to see where a decision's time goes.

use std::time::Instant;

use ferrogym_core::envs::ticket_routing::{
    InvalidActionMode, Scenario, TicketRouting, TicketRoutingConfig,
};
use ferrogym_core::rng::Rng;
use ferrogym_core::{AutoresetMode, Batch, BatchStep};

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .map_or(2000, |s| s.parse().expect("steps"));
    let n: usize = std::env::args()
        .nth(2)
        .map_or(1024, |s| s.parse().expect("num_envs"));
    let threads: usize = std::env::args()
        .nth(3)
        .map_or(1, |s| s.parse().expect("threads"));
    let cfg = TicketRoutingConfig {
        scenario: Scenario::Specialists,
        invalid_action: Some(InvalidActionMode::Fallback),
        ..Default::default()
    };
    let mut batch =
        Batch::<TicketRouting>::new(&cfg, n, AutoresetMode::NextStep, None, threads, 128).unwrap();
    for i in 0..n {
        batch.seed(i, i as u64);
    }
    let ol = batch.obs_len();
    let mut obs = vec![0f32; n * ol];
    batch.reset(None, &mut obs);
    let m = batch.env(0).params().max_engineers as u64;
    let mut rng = Rng::new(7);
    let (mut rew, mut term, mut trunc) = (vec![0f64; n], vec![false; n], vec![false; n]);
    let mut actions = vec![0i64; n];
    let c0 = cpu_ns();
    let t0 = Instant::now();
    let mut sum = 0.0;
    for _ in 0..steps {
        for a in actions.iter_mut() {
            *a = rng.below(m) as i64;
        }
        batch
            .step(
                &actions,
                BatchStep {
                    obs: &mut obs,
                    rewards: &mut rew,
                    terminated: &mut term,
                    truncated: &mut trunc,
                },
            )
            .unwrap();
        sum += rew.iter().sum::<f64>();
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = (cpu_ns() - c0) as f64 * 1e-9;
    let decisions = (n * steps) as f64;
    // On a shared machine the wall clock includes time other processes ran;
    // the thread's CPU time is the figure to compare between runs (with one
    // thread; with more, the wall clock is the measure).
    println!(
        "N={n} threads={threads}: {:.0} ns/decision CPU of the calling thread ({:.2} M/s per core), \
         {:.0} ns wall ({:.2} M/s); reward sum {sum:.6}",
        cpu / decisions * 1e9,
        decisions / cpu / 1e6,
        secs / decisions * 1e9,
        decisions / secs / 1e6
    );
}

/// CPU time of this thread in ns (Linux schedstat; 0 elsewhere).
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
