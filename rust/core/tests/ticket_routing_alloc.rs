//! TicketRouting does not allocate once warmed up: steps and resets reuse
//! their buffers (a counting global allocator sees every allocation of this
//! test binary's thread).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ferrogym_core::envs::ticket_routing::{
    InvalidActionMode, Scenario, Service, TicketRouting, TicketRoutingConfig,
};
use ferrogym_core::{Env, Rng};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Runs `episodes` whole episodes with random slots; returns the steps taken.
fn episodes(env: &mut TicketRouting, obs: &mut [f32], rng: &mut Rng, episodes: usize) -> usize {
    let m = env.params().max_engineers as u64;
    let mut steps = 0;
    for _ in 0..episodes {
        env.reset(obs);
        loop {
            steps += 1;
            if env.step(rng.below(m) as i64, obs).truncated {
                break;
            }
        }
    }
    steps
}

#[test]
fn ticket_routing_steps_and_resets_do_not_allocate_once_warm() {
    let cases = [
        (Scenario::Balanced, Service::Fifo),
        (Scenario::Specialists, Service::Fifo),
        (Scenario::Understaffed, Service::Fifo),
        (Scenario::Understaffed, Service::ProcessorSharing),
    ];
    for (scenario, service) in cases {
        let cfg = TicketRoutingConfig {
            scenario,
            service: Some(service),
            invalid_action: Some(InvalidActionMode::Fallback),
            shuffle_slots: Some(true),
            resample_skills: Some(true),
            ..Default::default()
        };
        let mut env = TicketRouting::new(&cfg).unwrap();
        env.seed(3);
        let mut obs = vec![0f32; env.obs_len()];
        let mut rng = Rng::new(5);
        episodes(&mut env, &mut obs, &mut rng, 2);
        let before = allocations();
        let steps = episodes(&mut env, &mut obs, &mut rng, 5);
        assert!(steps > 100, "{scenario:?} {service:?}: only {steps} steps");
        assert_eq!(
            allocations() - before,
            0,
            "{scenario:?} {service:?}: allocations in {steps} steps"
        );
    }
}
