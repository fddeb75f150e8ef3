//! Pure-Rust floor of the batched step: the same executor the Python batch
//! calls, without Python. Compare with benches/ (pytest-benchmark) to see what
//! the FFI and array allocation cost.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ferrogym_core::envs::cartpole::CartPole;
use ferrogym_core::envs::grid_world::GridWorld;
use ferrogym_core::envs::inventory_control::InventoryControl;
use ferrogym_core::envs::ticket_routing::{
    InvalidActionMode, Scenario, TicketRouting, TicketRoutingConfig,
};
use ferrogym_core::{AutoresetMode, Batch, BatchStep, Env};

fn bench_batch<E: Env<Action = i64, Obs = f32>>(
    c: &mut Criterion,
    name: &str,
    cfg: E::Config,
    n_actions: i64,
    sizes: &[usize],
) {
    let mut group = c.benchmark_group(name);
    for &n in sizes {
        for &threads in &[1usize, 2] {
            let mut batch =
                Batch::<E>::new(&cfg, n, AutoresetMode::NextStep, Some(500), threads, 1024)
                    .unwrap();
            for i in 0..n {
                batch.seed(i, i as u64);
            }
            let ol = batch.obs_len();
            let mut obs = vec![0f32; n * ol];
            batch.reset(None, &mut obs);
            let actions: Vec<i64> = (0..n as i64).map(|i| i % n_actions).collect();
            let (mut rew, mut term, mut trunc) = (vec![0f64; n], vec![false; n], vec![false; n]);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_function(BenchmarkId::new(format!("threads{threads}"), n), |b| {
                b.iter(|| {
                    batch
                        .step(
                            black_box(&actions),
                            BatchStep {
                                obs: &mut obs,
                                rewards: &mut rew,
                                terminated: &mut term,
                                truncated: &mut trunc,
                            },
                        )
                        .unwrap();
                })
            });
        }
    }
    group.finish();
}

fn cartpole(c: &mut Criterion) {
    bench_batch::<CartPole>(c, "cartpole_batch", Default::default(), 2, &[256, 4096]);
}

fn grid_world(c: &mut Criterion) {
    bench_batch::<GridWorld>(c, "grid_world_batch", Default::default(), 4, &[256, 4096]);
}

fn ticket_routing(c: &mut Criterion) {
    let cfg = TicketRoutingConfig {
        scenario: Scenario::Specialists,
        invalid_action: Some(InvalidActionMode::Fallback),
        ..Default::default()
    };
    bench_batch::<TicketRouting>(c, "ticket_routing_batch", cfg, 12, &[1024]);
}

fn inventory_control(c: &mut Criterion) {
    bench_batch::<InventoryControl>(
        c,
        "inventory_control_batch",
        Default::default(),
        11,
        &[256, 4096],
    );
}

criterion_group!(
    benches,
    cartpole,
    grid_world,
    ticket_routing,
    inventory_control
);
criterion_main!(benches);
