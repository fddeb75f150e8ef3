//! Helper threads for the batched step, which stay awake between steps.
//!
//! Why not a general-purpose pool such as rayon: its idle workers fall
//! asleep microseconds after running out of work, so a step of a few
//! hundred microseconds pays to wake them, and a caller outside the pool
//! waits for the last job on a sleeping latch (measured: ~40 µs lost on a
//! ~450 µs step, docs/howto/performance.md, "Threads"). Its pieces also go to
//! whichever thread asks first, so an env's state would move between the
//! cores' caches from step to step.
//!
//! Here a helper spins for a while after each round before it sleeps: for
//! [`MAX_SPIN`] after a gap between rounds shorter than that, and half as
//! long after each longer gap (down to [`MIN_SPIN`]), so a caller that steps
//! in a tight loop finds the helpers awake, and one that spends milliseconds
//! between steps (a policy on the CPU) does not lose a core to spinning.
//! Between checks a spinning thread yields its core to any other runnable
//! thread, so that with more threads than cores a spinner does not starve
//! the thread that has the work (without the yield, 4 threads on 2 cores
//! ran slower than one: docs/howto/performance.md, "Threads").
//! `run` gives every thread the same index each round, so the batch can
//! keep each env on one core.

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Longest a helper spins for the next round before sleeping.
pub const MAX_SPIN: Duration = Duration::from_micros(200);
/// Shortest spin, reached after rounds that kept finding the helper asleep.
pub const MIN_SPIN: Duration = Duration::from_micros(2);
/// Longest the caller spins for the helpers to finish before sleeping (the
/// wait is the tail of the round, normally well below this).
const CALLER_SPIN: Duration = Duration::from_millis(2);

type Job = dyn Fn(usize) + Sync;

/// The round's job with its lifetime erased. `run` does not return (nor
/// unwind) before every helper has finished with it, which is what makes
/// reading it from the helpers sound.
#[derive(Clone, Copy)]
struct JobRef(*const Job);

// SAFETY: the pointee is `Sync` and outlives every use (see `JobRef`).
unsafe impl Send for JobRef {}

struct Shared {
    /// Incremented to start a round.
    round: AtomicU64,
    job: Mutex<Option<JobRef>>,
    /// Helpers still working on the current round.
    running: AtomicUsize,
    /// Helpers sleeping (or about to) until the next round.
    sleepers: AtomicUsize,
    /// The caller is sleeping (or about to) until the round ends.
    caller_sleeping: AtomicBool,
    stop: AtomicBool,
    /// Guards the two condition variables' sleeps (holds no data).
    lock: Mutex<()>,
    next_round: Condvar,
    round_done: Condvar,
    /// The first panic of a helper in this round, resumed by the caller.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, ()> {
        // The guarded data is `()`: a poisoned lock has nothing to repair.
        self.lock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a round other than `seen`; None once stopping.
    fn wait_round(&self, seen: u64, spin: &mut Duration) -> Option<u64> {
        let start = Instant::now();
        loop {
            // Plain loads, no `pause`: in a KVM guest a `pause` loop makes
            // the host deschedule the vCPU (pause-loop exiting), after which
            // the helper slept through a quarter of the rounds (measured,
            // docs/howto/performance.md, "Threads").
            for _ in 0..256 {
                let round = self.round.load(SeqCst);
                if round != seen {
                    *spin = MAX_SPIN;
                    return Some(round);
                }
            }
            if self.stop.load(SeqCst) {
                return None;
            }
            if start.elapsed() >= *spin {
                break;
            }
            // With more threads than cores, a spinning thread would hold a
            // core that a working one needs.
            std::thread::yield_now();
        }
        let mut guard = self.lock();
        // Announced before reading `round`, while the caller increments
        // `round` before reading `sleepers`: one of the two sees the other.
        self.sleepers.fetch_add(1, SeqCst);
        let round = loop {
            let round = self.round.load(SeqCst);
            if round != seen || self.stop.load(SeqCst) {
                break round;
            }
            guard = self
                .next_round
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        };
        self.sleepers.fetch_sub(1, SeqCst);
        // A gap longer than the longest spin: spin less next time (a short
        // gap restores the full spin above).
        *spin = if start.elapsed() <= MAX_SPIN {
            MAX_SPIN
        } else {
            (*spin / 2).max(MIN_SPIN)
        };
        (!self.stop.load(SeqCst)).then_some(round)
    }

    fn helper_loop(&self, index: usize) {
        let mut seen = 0;
        let mut spin = MAX_SPIN;
        while let Some(round) = self.wait_round(seen, &mut spin) {
            seen = round;
            let job = *self.job.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(JobRef(job)) = job {
                // SAFETY: see `JobRef`: `run` is still waiting for us.
                let job = unsafe { &*job };
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| job(index))) {
                    let mut first = self.panic.lock().unwrap_or_else(PoisonError::into_inner);
                    first.get_or_insert(payload);
                }
            }
            if self.running.fetch_sub(1, SeqCst) == 1 && self.caller_sleeping.load(SeqCst) {
                let _guard = self.lock();
                self.round_done.notify_all();
            }
        }
    }

    /// The caller's wait for the helpers to finish the round.
    fn wait_done(&self) {
        let start = Instant::now();
        while start.elapsed() < CALLER_SPIN {
            for _ in 0..256 {
                if self.running.load(SeqCst) == 0 {
                    return;
                }
            }
            std::thread::yield_now();
        }
        let mut guard = self.lock();
        self.caller_sleeping.store(true, SeqCst);
        while self.running.load(SeqCst) != 0 {
            guard = self
                .round_done
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
        self.caller_sleeping.store(false, SeqCst);
    }
}

/// `threads - 1` helper threads; the caller of `run` is thread 0.
pub struct Workers {
    shared: Arc<Shared>,
    handles: Vec<JoinHandle<()>>,
    /// The process that started the helpers: a child made by `fork` (Python's
    /// multiprocessing) has none of them.
    pid: u32,
}

impl Workers {
    /// Starts `threads - 1` helpers (none for `threads <= 1`).
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            round: AtomicU64::new(0),
            job: Mutex::new(None),
            running: AtomicUsize::new(0),
            sleepers: AtomicUsize::new(0),
            caller_sleeping: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            lock: Mutex::new(()),
            next_round: Condvar::new(),
            round_done: Condvar::new(),
            panic: Mutex::new(None),
        });
        let mut workers = Workers {
            shared,
            handles: Vec::new(),
            pid: std::process::id(),
        };
        for index in 1..threads.max(1) {
            let shared = Arc::clone(&workers.shared);
            let handle = std::thread::Builder::new()
                .name(format!("ferrogym-{index}"))
                .spawn(move || shared.helper_loop(index))?;
            // Pushed as soon as started, so that an error stops the others.
            workers.handles.push(handle);
        }
        Ok(workers)
    }

    /// Number of threads taking part in a round, the caller included.
    pub fn threads(&self) -> usize {
        self.handles.len() + 1
    }

    /// Runs `job(0)` on the calling thread and `job(i)` on helper `i`, and
    /// returns once all have finished. A panic in any of them is resumed
    /// here, after every thread has finished.
    pub fn run<'a>(&self, job: &'a (dyn Fn(usize) + Sync + 'a)) {
        if self.handles.is_empty() {
            job(0);
            return;
        }
        if std::process::id() != self.pid {
            // Forked: the helpers stayed in the parent; do every share here.
            for index in 0..self.threads() {
                job(index);
            }
            return;
        }
        let shared = &*self.shared;
        // SAFETY: only the lifetime is erased (same layout); the helpers use
        // the reference only before `wait_done` below returns.
        let erased: &'static Job =
            unsafe { std::mem::transmute::<&'a (dyn Fn(usize) + Sync + 'a), &'static Job>(job) };
        *shared.job.lock().unwrap_or_else(PoisonError::into_inner) = Some(JobRef(erased));
        shared.running.store(self.handles.len(), SeqCst);
        shared.round.fetch_add(1, SeqCst);
        if shared.sleepers.load(SeqCst) > 0 {
            let _guard = shared.lock();
            shared.next_round.notify_all();
        }
        let mine = catch_unwind(AssertUnwindSafe(|| job(0)));
        shared.wait_done();
        *shared.job.lock().unwrap_or_else(PoisonError::into_inner) = None;
        if let Err(payload) = mine {
            resume_unwind(payload);
        }
        let theirs = shared
            .panic
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(payload) = theirs {
            resume_unwind(payload);
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        if std::process::id() != self.pid {
            // Forked: nothing to stop or join in this process.
            return;
        }
        self.shared.stop.store(true, SeqCst);
        {
            let _guard = self.shared.lock();
            self.shared.next_round.notify_all();
        }
        for handle in self.handles.drain(..) {
            // A helper's panics are caught per job; nothing to report here.
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn every_thread_runs_each_round_with_its_own_index() {
        let workers = Workers::new(3).unwrap();
        assert_eq!(workers.threads(), 3);
        let hits: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
        for round in 0..200 {
            workers.run(&|i| {
                hits[i].fetch_add(1, SeqCst);
            });
            // Everything of the round is done when `run` returns.
            assert!(hits.iter().all(|h| h.load(SeqCst) == round + 1));
            if round % 50 == 0 {
                // A gap longer than any spin: the helpers sleep and must be woken.
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    #[test]
    fn one_thread_runs_on_the_caller() {
        let workers = Workers::new(1).unwrap();
        let caller = std::thread::current().id();
        workers.run(&|i| {
            assert_eq!(i, 0);
            assert_eq!(std::thread::current().id(), caller);
        });
    }

    #[test]
    fn a_helper_panic_reaches_the_caller_and_the_workers_stay_usable() {
        let workers = Workers::new(2).unwrap();
        let out = catch_unwind(AssertUnwindSafe(|| {
            workers.run(&|i| assert!(i != 1, "helper failed"));
        }));
        let payload = out.unwrap_err();
        // A panic message without arguments is a `&str` payload.
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"helper failed"));
        let n = AtomicUsize::new(0);
        workers.run(&|_| {
            n.fetch_add(1, SeqCst);
        });
        assert_eq!(n.load(SeqCst), 2);
    }

    #[test]
    fn a_caller_panic_waits_for_the_helpers() {
        let workers = Workers::new(2).unwrap();
        let done = AtomicUsize::new(0);
        let out = catch_unwind(AssertUnwindSafe(|| {
            workers.run(&|i| {
                if i == 0 {
                    panic!("caller failed");
                }
                std::thread::sleep(Duration::from_millis(20));
                done.fetch_add(1, SeqCst);
            });
        }));
        assert!(out.is_err());
        assert_eq!(
            done.load(SeqCst),
            1,
            "the helper finished before run unwound"
        );
    }
}
