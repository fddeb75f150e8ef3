//! One generic batched executor: N environments of one type over contiguous
//! buffers, with Gymnasium's autoreset modes and time limit.
//!
//! Every env is stepped by the same serial kernel (`step_slot`) whichever
//! thread runs it, and envs never share state, so results do not depend on
//! the number of threads.

use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::error::EnvError;
use crate::prefetch::prefetch_value;
use crate::workers::Workers;

/// Gymnasium's `gymnasium.vector.AutoresetMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AutoresetMode {
    /// The step after an episode ends resets that env (reward 0, flags off).
    NextStep,
    /// An env that ends is reset at once; its terminal observation is kept.
    SameStep,
    /// The caller resets ended envs itself (`reset` with a mask).
    Disabled,
}

/// Batches with fewer envs run without prefetch hints (they stay in cache
/// between steps: hints would only cost).
const PREFETCH_MIN_ENVS: usize = 64;
/// The smallest piece a thread takes in a parallel step.
const MIN_PIECE: usize = 16;
/// Most sub-envs in one batch (the buffers are sized by it).
pub const MAX_NUM_ENVS: usize = 1 << 20;
/// Most worker threads of one batch.
pub const MAX_THREADS: usize = 256;

#[derive(Clone)]
struct Slot<E> {
    env: E,
    elapsed: u32,
    /// The last step ended the episode and no reset has happened since.
    done: bool,
}

/// Output buffers of one batched step, all owned by the caller.
pub struct BatchStep<'a, O> {
    /// `n * obs_len` observations.
    pub obs: &'a mut [O],
    pub rewards: &'a mut [f64],
    pub terminated: &'a mut [bool],
    pub truncated: &'a mut [bool],
}

/// Settings that stay fixed for the life of a batch.
#[derive(Clone, Copy)]
struct Rules {
    mode: AutoresetMode,
    max_episode_steps: Option<u32>,
    obs_len: usize,
    /// Number of info values per env kept at a SAME_STEP reset (0: none).
    info_len: usize,
    /// Number of info values per env after each step (0: no info groups).
    step_info_len: usize,
    /// Hint the memory of the next envs (`PREFETCH_MIN_ENVS`).
    prefetch: bool,
}

pub struct Batch<E: Env> {
    slots: Vec<Slot<E>>,
    rules: Rules,
    /// Terminal observations of envs reset in the same step (SAME_STEP only).
    final_obs: Vec<E::Obs>,
    /// Their info values (SAME_STEP and envs with info groups only).
    final_info: Vec<f64>,
    /// Every env's info values after the last step, read while the env was
    /// in cache (gathering them afterwards costs a cache miss per env).
    infos: Vec<f64>,
    /// Helper threads (None with one thread).
    workers: Option<Workers>,
    /// A batch of fewer than `2 * grain` envs stays on the calling thread.
    grain: usize,
}

/// A borrowed slice of the batch and its outputs, which can be split in two.
struct Work<'a, E: Env> {
    /// Index in the batch of the first env.
    start: usize,
    slots: &'a mut [Slot<E>],
    actions: &'a [E::Action],
    obs: &'a mut [E::Obs],
    finals: &'a mut [E::Obs],
    final_info: &'a mut [f64],
    infos: &'a mut [f64],
    rewards: &'a mut [f64],
    terminated: &'a mut [bool],
    truncated: &'a mut [bool],
}

impl<'a, E: Env> Work<'a, E> {
    fn split(self, mid: usize, rules: &Rules) -> (Self, Self) {
        let ol = rules.obs_len;
        let fmid = if self.finals.is_empty() { 0 } else { mid * ol };
        let imid = if self.final_info.is_empty() {
            0
        } else {
            mid * rules.info_len
        };
        let (s0, s1) = self.slots.split_at_mut(mid);
        let (a0, a1) = self.actions.split_at(mid);
        let (o0, o1) = self.obs.split_at_mut(mid * ol);
        let (f0, f1) = self.finals.split_at_mut(fmid);
        let (i0, i1) = self.final_info.split_at_mut(imid);
        let (n0, n1) = self.infos.split_at_mut(mid * rules.step_info_len);
        let (r0, r1) = self.rewards.split_at_mut(mid);
        let (t0, t1) = self.terminated.split_at_mut(mid);
        let (u0, u1) = self.truncated.split_at_mut(mid);
        (
            Work {
                start: self.start,
                slots: s0,
                actions: a0,
                obs: o0,
                finals: f0,
                final_info: i0,
                infos: n0,
                rewards: r0,
                terminated: t0,
                truncated: u0,
            },
            Work {
                start: self.start + mid,
                slots: s1,
                actions: a1,
                obs: o1,
                finals: f1,
                final_info: i1,
                infos: n1,
                rewards: r1,
                terminated: t1,
                truncated: u1,
            },
        )
    }

    /// `parts` consecutive pieces of (nearly) equal length.
    fn split_even(self, parts: usize, rules: &Rules) -> Vec<Mutex<Option<Self>>> {
        let mut out = Vec::with_capacity(parts);
        let mut rest = self;
        for left in (1..=parts).rev() {
            let len = run_len(rest.slots.len(), left);
            if left == 1 || len >= rest.slots.len() {
                out.push(Mutex::new(Some(rest)));
                break;
            }
            let (head, tail) = rest.split(len, rules);
            out.push(Mutex::new(Some(head)));
            rest = tail;
        }
        out.resize_with(parts, || Mutex::new(None));
        out
    }

    /// Checks every action that will be used (not those of envs about to be
    /// autoreset); the error names the env by its index in the batch.
    fn check(&self, rules: &Rules) -> Result<(), (usize, EnvError)> {
        for (k, (slot, &a)) in self.slots.iter().zip(self.actions).enumerate() {
            let i = self.start + k;
            if slot.done {
                match rules.mode {
                    AutoresetMode::NextStep => continue,
                    AutoresetMode::Disabled => {
                        let reason = format!(
                            "sub-env {i} has ended and autoreset is DISABLED; call \
                             reset(options={{\"reset_mask\": mask}}) for it before stepping"
                        );
                        return Err((
                            i,
                            EnvError::ResetNeeded {
                                env: E::NAME,
                                reason,
                            },
                        ));
                    }
                    AutoresetMode::SameStep => {}
                }
            }
            slot.env.check_action(a).map_err(|e| {
                let e = match e {
                    EnvError::InvalidAction {
                        env,
                        value,
                        expected,
                    } => EnvError::InvalidAction {
                        env,
                        value: format!("{value} for sub-env {i}"),
                        expected,
                    },
                    other => other,
                };
                (i, e)
            })?;
        }
        Ok(())
    }

    fn run_serial(self, rules: &Rules) {
        let ol = rules.obs_len;
        let n = self.slots.len();
        let hint = rules.prefetch;
        for i in 0..n {
            // Memory ahead of its use: the env after next itself, then the
            // next env's heap buffers (the pointers to them are in the env,
            // loaded by the previous round's hint).
            if hint {
                if let Some(later) = self.slots.get(i + 2) {
                    prefetch_value(later);
                }
                if let Some(next) = self.slots.get(i + 1) {
                    next.env.prefetch();
                }
            }
            let slot = &mut self.slots[i];
            let obs = &mut self.obs[i * ol..(i + 1) * ol];
            let finals = if self.finals.is_empty() {
                &mut []
            } else {
                &mut self.finals[i * ol..(i + 1) * ol]
            };
            let il = rules.info_len;
            let info = if self.final_info.is_empty() {
                &mut []
            } else {
                &mut self.final_info[i * il..(i + 1) * il]
            };
            let sl = rules.step_info_len;
            let infos = &mut self.infos[i * sl..(i + 1) * sl];
            let (r, te, tr) = step_slot(slot, self.actions[i], obs, finals, info, infos, rules);
            self.rewards[i] = r;
            self.terminated[i] = te;
            self.truncated[i] = tr;
        }
    }
}

/// Cuts a piece off the front (or the back) of what is left of `region`:
/// half of it, at least `MIN_PIECE` envs, so that pieces shrink towards the
/// end of the step and the threads finish close together; None once empty.
fn take_piece<'a, E: Env>(
    region: &Mutex<Option<Work<'a, E>>>,
    rules: &Rules,
    back: bool,
) -> Option<Work<'a, E>> {
    let mut rest = region.lock().ok()?;
    let work = rest.take()?;
    let len = work.slots.len();
    let piece = len.div_ceil(2).max(MIN_PIECE);
    if len <= piece {
        return Some(work);
    }
    let (head, tail) = work.split(if back { len - piece } else { piece }, rules);
    let (piece, left) = if back { (tail, head) } else { (head, tail) };
    *rest = Some(left);
    Some(piece)
}

/// The serial kernel: one env, one step, with autoreset and time limit.
#[inline]
fn step_slot<E: Env>(
    slot: &mut Slot<E>,
    action: E::Action,
    obs: &mut [E::Obs],
    finals: &mut [E::Obs],
    final_info: &mut [f64],
    info: &mut [f64],
    rules: &Rules,
) -> (f64, bool, bool) {
    if slot.done && rules.mode == AutoresetMode::NextStep {
        slot.env.reset(obs);
        slot.elapsed = 0;
        slot.done = false;
        return (0.0, false, false);
    }
    let s = slot.env.step(action, obs);
    slot.elapsed = slot.elapsed.saturating_add(1);
    let truncated = s.truncated || rules.max_episode_steps.is_some_and(|m| slot.elapsed >= m);
    let done = s.terminated || truncated;
    if done && rules.mode == AutoresetMode::SameStep {
        finals.copy_from_slice(obs);
        if !final_info.is_empty() {
            slot.env.info_values(final_info);
        }
        slot.env.reset(obs);
        slot.elapsed = 0;
        slot.done = false;
    } else {
        slot.done = done;
        // (An env reset in this step reports no info, as in SyncVectorEnv.)
        if !info.is_empty() {
            slot.env.info_values(info);
        }
    }
    (s.reward, s.terminated, truncated)
}

impl<E: Env> Batch<E> {
    /// `threads`: 1 steps in the calling thread; more splits batches of at
    /// least `2 * grain` envs across `threads - 1` helper threads and the
    /// caller.
    pub fn new(
        config: &E::Config,
        num_envs: usize,
        mode: AutoresetMode,
        max_episode_steps: Option<u32>,
        threads: usize,
        grain: usize,
    ) -> Result<Self, EnvError> {
        // Bounded before anything is sized by them.
        if !(1..=MAX_NUM_ENVS).contains(&num_envs) {
            return Err(EnvError::config(
                E::NAME,
                "num_envs",
                num_envs,
                format!("an integer in [1, {MAX_NUM_ENVS}]"),
            ));
        }
        if max_episode_steps == Some(0) {
            return Err(EnvError::config(
                E::NAME,
                "max_episode_steps",
                0,
                "a positive integer or None",
            ));
        }
        if !(1..=MAX_THREADS).contains(&threads) {
            return Err(EnvError::config(
                E::NAME,
                "threads",
                threads,
                format!("an integer in [1, {MAX_THREADS}]"),
            ));
        }
        let env = E::new(config)?;
        let obs_len = env.obs_len();
        let step_info_len: usize = env.info_groups().iter().map(|g| g.names.len()).sum();
        let info_len = if mode == AutoresetMode::SameStep {
            step_info_len
        } else {
            0
        };
        let slots = vec![
            Slot {
                env,
                elapsed: 0,
                done: false,
            };
            num_envs
        ];
        let workers = if threads > 1 {
            let workers = Workers::new(threads)
                .map_err(|e| EnvError::config(E::NAME, "threads", threads, e.to_string()))?;
            Some(workers)
        } else {
            None
        };
        let final_obs = if mode == AutoresetMode::SameStep {
            vec![E::Obs::default(); num_envs * obs_len]
        } else {
            Vec::new()
        };
        let final_info = vec![0.0; num_envs * info_len];
        let infos = vec![0.0; num_envs * step_info_len];
        Ok(Batch {
            slots,
            rules: Rules {
                mode,
                max_episode_steps,
                obs_len,
                info_len,
                step_info_len,
                prefetch: num_envs >= PREFETCH_MIN_ENVS,
            },
            final_obs,
            final_info,
            infos,
            workers,
            grain: grain.max(1),
        })
    }

    pub fn num_envs(&self) -> usize {
        self.slots.len()
    }

    pub fn obs_len(&self) -> usize {
        self.rules.obs_len
    }

    pub fn mode(&self) -> AutoresetMode {
        self.rules.mode
    }

    /// Sub-env `i`, e.g. to read its spaces or state.
    pub fn env(&self, i: usize) -> &E {
        &self.slots[i].env
    }

    pub fn env_mut(&mut self, i: usize) -> &mut E {
        &mut self.slots[i].env
    }

    /// Seeds env `i` (its next reset starts from that seed).
    pub fn seed(&mut self, i: usize, seed: u64) {
        self.slots[i].env.seed(seed);
    }

    /// Resets the envs where `mask` is true (all when `None`), writing their
    /// rows of `obs`; other rows are left untouched.
    pub fn reset(&mut self, mask: Option<&[bool]>, obs: &mut [E::Obs]) {
        let ol = self.rules.obs_len;
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if mask.is_none_or(|m| m[i]) {
                slot.env.reset(&mut obs[i * ol..(i + 1) * ol]);
                slot.elapsed = 0;
                slot.done = false;
            }
        }
    }

    /// Steps every env once. Outputs must hold `num_envs` rows.
    pub fn step(
        &mut self,
        actions: &[E::Action],
        out: BatchStep<'_, E::Obs>,
    ) -> Result<(), EnvError> {
        let n = self.slots.len();
        if actions.len() != n {
            return Err(EnvError::InvalidAction {
                env: E::NAME,
                value: format!("a batch of {} actions", actions.len()),
                expected: format!("one action per sub-env ({n})"),
            });
        }
        let rules = self.rules;
        // Every action is checked before any env moves, so a bad batch
        // changes nothing.
        let work = Work {
            start: 0,
            slots: &mut self.slots,
            actions,
            obs: out.obs,
            finals: &mut self.final_obs,
            final_info: &mut self.final_info,
            infos: &mut self.infos,
            rewards: out.rewards,
            terminated: out.terminated,
            truncated: out.truncated,
        };
        match &self.workers {
            Some(workers) if n >= 2 * self.grain => {
                let threads = workers.threads();
                // Thread t works through the t-th of `threads` equal runs of
                // envs from the front, the same run every step, so each env
                // stays in one core's cache; then it takes pieces off the
                // back of the others' runs (steps differ in cost: resets,
                // busy days).
                let regions = work.split_even(threads, &rules);
                // The checks read the envs, so each thread checks the run it
                // then steps (its cache, not the caller's, gets their memory).
                let first_error = Mutex::new(None::<(usize, EnvError)>);
                workers.run(&|t| {
                    let region = regions[t].lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(Err((i, e))) = region.as_ref().map(|w| w.check(&rules)) {
                        let mut first = first_error.lock().unwrap_or_else(PoisonError::into_inner);
                        if first.as_ref().is_none_or(|(j, _)| i < *j) {
                            *first = Some((i, e));
                        }
                    }
                });
                let first_error = first_error
                    .into_inner()
                    .unwrap_or_else(PoisonError::into_inner);
                if let Some((_, e)) = first_error {
                    return Err(e);
                }
                let run = |t: usize| {
                    while let Some(piece) = take_piece(&regions[t], &rules, false) {
                        piece.run_serial(&rules);
                    }
                    for k in 1..threads {
                        let region = &regions[(t + k) % threads];
                        while let Some(piece) = take_piece(region, &rules, true) {
                            piece.run_serial(&rules);
                        }
                    }
                };
                workers.run(&run);
            }
            _ => {
                work.check(&rules).map_err(|(_, e)| e)?;
                work.run_serial(&rules);
            }
        }
        Ok(())
    }

    /// Terminal observation of env `i` from the last step (SAME_STEP only).
    pub fn final_obs(&self, i: usize) -> &[E::Obs] {
        let ol = self.rules.obs_len;
        &self.final_obs[i * ol..(i + 1) * ol]
    }

    /// Every env's info values after the last step, env-major (the values
    /// of an env reset in that step are not meaningful); empty for envs
    /// without info groups.
    pub fn infos(&self) -> &[f64] {
        &self.infos
    }

    /// Every env's info values at its terminal step in the last step,
    /// env-major (SAME_STEP only; empty for envs without info groups).
    pub fn final_infos(&self) -> &[f64] {
        &self.final_info
    }

    /// Action masks of all envs, `num_envs * n_actions` booleans.
    /// Envs without a Discrete action space have no masks (`n_actions` 0).
    pub fn action_masks(&mut self, n_actions: usize, out: &mut [bool]) {
        if n_actions == 0 {
            return;
        }
        let n = self.slots.len();
        match &self.workers {
            // Read by the threads that step the envs, as the action checks
            // are: each core reads the envs already in its cache.
            Some(workers) if n >= 2 * self.grain => {
                let runs = split_runs(&mut self.slots, out, n_actions, workers.threads());
                workers.run(&|t| {
                    let run = runs[t]
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take();
                    if let Some((slots, out)) = run {
                        write_masks(slots, out, n_actions);
                    }
                });
            }
            _ => write_masks(&self.slots, out, n_actions),
        }
    }
}

fn write_masks<E: Env>(slots: &[Slot<E>], out: &mut [bool], n_actions: usize) {
    for (slot, row) in slots.iter().zip(out.chunks_exact_mut(n_actions)) {
        slot.env.action_mask(row);
    }
}

/// Splits `slots` and `out` (`per_env` values per env) into `parts`
/// consecutive runs with the bounds of `Work::split_even`, so that thread t
/// gets the envs it steps.
#[allow(clippy::type_complexity)]
fn split_runs<'a, S, T>(
    mut slots: &'a mut [S],
    mut out: &'a mut [T],
    per_env: usize,
    parts: usize,
) -> Vec<Mutex<Option<(&'a mut [S], &'a mut [T])>>> {
    let mut runs = Vec::with_capacity(parts);
    for left in (1..=parts).rev() {
        let len = run_len(slots.len(), left);
        let (s0, s1) = std::mem::take(&mut slots).split_at_mut(len);
        let (o0, o1) = std::mem::take(&mut out).split_at_mut(len * per_env);
        runs.push(Mutex::new(Some((s0, o0))));
        (slots, out) = (s1, o1);
    }
    runs
}

/// Length of the next of `left` runs over `rest` envs (the runs differ by at
/// most one env).
fn run_len(rest: usize, left: usize) -> usize {
    rest.div_ceil(left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envs::cartpole::CartPole;

    #[test]
    fn batch_sizes_are_bounded_before_the_slots_are_allocated() {
        let cfg = Default::default();
        let mode = AutoresetMode::NextStep;
        let big = Batch::<CartPole>::new(&cfg, 1 << 40, mode, None, 1, 1024);
        assert!(big.is_err_and(|e| e.to_string().contains("num_envs")));
        let threads = Batch::<CartPole>::new(&cfg, 2, mode, None, 1 << 20, 1024);
        assert!(threads.is_err_and(|e| e.to_string().contains("threads")));
    }
    use crate::envs::grid_world::{GridWorld, GridWorldConfig};

    /// A 1x4 corridor: start left, goal 3 steps right; action 1 moves right.
    fn corridor() -> GridWorldConfig {
        GridWorldConfig {
            map: Some("S..G".into()),
            step_cost: 0.0,
            ..Default::default()
        }
    }

    fn batch(mode: AutoresetMode, max_steps: Option<u32>) -> Batch<GridWorld> {
        let mut b = Batch::<GridWorld>::new(&corridor(), 2, mode, max_steps, 1, 1).unwrap();
        let mut obs = vec![0f32; 4];
        b.reset(None, &mut obs);
        b
    }

    #[derive(Debug)]
    struct Out {
        obs: Vec<f32>,
        rew: Vec<f64>,
        term: Vec<bool>,
        trunc: Vec<bool>,
    }

    fn step<E: Env<Obs = f32, Action = i64>>(
        b: &mut Batch<E>,
        actions: &[i64],
    ) -> Result<Out, EnvError> {
        let n = b.num_envs();
        let mut o = Out {
            obs: vec![0.0; n * b.obs_len()],
            rew: vec![0.0; n],
            term: vec![false; n],
            trunc: vec![false; n],
        };
        b.step(
            actions,
            BatchStep {
                obs: &mut o.obs,
                rewards: &mut o.rew,
                terminated: &mut o.term,
                truncated: &mut o.trunc,
            },
        )?;
        Ok(o)
    }

    #[test]
    fn next_step_mode_resets_on_the_step_after_the_end() {
        let mut b = batch(AutoresetMode::NextStep, None);
        step(&mut b, &[1, 3]).unwrap();
        step(&mut b, &[1, 3]).unwrap();
        let end = step(&mut b, &[1, 3]).unwrap();
        assert_eq!(end.term, [true, false]);
        assert_eq!(end.obs[..2], [0.0, 3.0]); // terminal observation returned
        assert_eq!(end.rew[0], 1.0);
        let after = step(&mut b, &[1, 3]).unwrap();
        // Env 0 was reset instead of stepped: reset obs, reward 0, flags off.
        assert_eq!(after.obs[..2], [0.0, 0.0]);
        assert_eq!(
            (after.rew[0], after.term[0], after.trunc[0]),
            (0.0, false, false)
        );
    }

    #[test]
    fn same_step_mode_resets_at_once_and_keeps_the_final_obs() {
        let mut b = batch(AutoresetMode::SameStep, None);
        step(&mut b, &[1, 3]).unwrap();
        step(&mut b, &[1, 3]).unwrap();
        let end = step(&mut b, &[1, 3]).unwrap();
        assert_eq!(end.term, [true, false]);
        assert_eq!(end.rew[0], 1.0);
        assert_eq!(end.obs[..2], [0.0, 0.0]); // already the reset observation
        assert_eq!(b.final_obs(0), [0.0, 3.0]);
        let next = step(&mut b, &[1, 3]).unwrap();
        assert_eq!(next.obs[..2], [0.0, 1.0]); // stepping the new episode
    }

    #[test]
    fn disabled_mode_refuses_ended_envs_until_a_masked_reset() {
        let mut b = batch(AutoresetMode::Disabled, None);
        for _ in 0..3 {
            step(&mut b, &[1, 3]).unwrap();
        }
        let err = step(&mut b, &[1, 3]).unwrap_err();
        assert!(matches!(err, EnvError::ResetNeeded { .. }), "{err}");
        let mut obs = vec![9.0f32; 4];
        b.reset(Some(&[true, false]), &mut obs);
        assert_eq!(obs, [0.0, 0.0, 9.0, 9.0]); // only env 0's row written
        step(&mut b, &[1, 3]).unwrap();
    }

    #[test]
    fn time_limit_truncates_and_counts_per_env() {
        let mut b = batch(AutoresetMode::NextStep, Some(2));
        assert_eq!(step(&mut b, &[3, 3]).unwrap().trunc, [false, false]);
        assert_eq!(step(&mut b, &[3, 3]).unwrap().trunc, [true, true]);
        step(&mut b, &[3, 3]).unwrap(); // the autoreset step
        assert_eq!(step(&mut b, &[3, 3]).unwrap().trunc, [false, false]);
    }

    #[test]
    fn a_bad_action_anywhere_changes_nothing() {
        let mut b = batch(AutoresetMode::NextStep, None);
        let err = step(&mut b, &[1, 7]).unwrap_err();
        assert!(err.to_string().contains("sub-env 1"), "{err}");
        assert!(step(&mut b, &[1]).is_err()); // wrong batch length
        let ok = step(&mut b, &[1, 1]).unwrap();
        assert_eq!(ok.obs, [0.0, 1.0, 0.0, 1.0]); // env 0 had not moved
    }

    fn cartpole_trace(threads: usize, seed_base: u64) -> Vec<f32> {
        let n = 64;
        let mut b = Batch::<CartPole>::new(
            &Default::default(),
            n,
            AutoresetMode::NextStep,
            Some(50),
            threads,
            4,
        )
        .unwrap();
        for i in 0..n {
            b.seed(i, seed_base + i as u64);
        }
        let mut trace = vec![0f32; n * 4];
        b.reset(None, &mut trace);
        let (mut obs, mut rew, mut term, mut trunc) = (
            vec![0f32; n * 4],
            vec![0.0; n],
            vec![false; n],
            vec![false; n],
        );
        for t in 0..120 {
            let actions: Vec<i64> = (0..n as i64).map(|i| (i + t) % 2).collect();
            let out = BatchStep {
                obs: &mut obs,
                rewards: &mut rew,
                terminated: &mut term,
                truncated: &mut trunc,
            };
            b.step(&actions, out).unwrap();
            trace.extend_from_slice(&obs);
            trace.extend(rew.iter().map(|&r| r as f32));
        }
        trace
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let one = cartpole_trace(1, 10);
        assert_eq!(one, cartpole_trace(2, 10));
        assert_eq!(one, cartpole_trace(4, 10));
    }

    #[test]
    fn same_seeds_same_trajectory_other_seeds_differ() {
        assert_eq!(cartpole_trace(1, 10), cartpole_trace(1, 10));
        assert_ne!(cartpole_trace(1, 10), cartpole_trace(1, 11));
    }

    #[test]
    fn invalid_construction_is_refused() {
        let cfg = Default::default();
        assert!(Batch::<CartPole>::new(&cfg, 0, AutoresetMode::NextStep, None, 1, 1).is_err());
        assert!(Batch::<CartPole>::new(&cfg, 2, AutoresetMode::NextStep, Some(0), 1, 1).is_err());
        assert!(Batch::<CartPole>::new(&cfg, 2, AutoresetMode::NextStep, None, 0, 1).is_err());
    }

    #[test]
    fn a_bad_action_in_a_threaded_batch_names_the_first_and_moves_nothing() {
        let n = 64;
        let cfg = Default::default();
        let mut b = Batch::<CartPole>::new(&cfg, n, AutoresetMode::NextStep, None, 2, 4).unwrap();
        let mut obs = vec![0f32; n * 4];
        b.reset(None, &mut obs);
        let before = obs.clone();
        let (mut rew, mut term, mut trunc) = (vec![0.0; n], vec![false; n], vec![false; n]);
        let mut actions = vec![0i64; n];
        // Bad actions in both threads' runs: the lower index is reported.
        actions[n - 3] = 9;
        actions[5] = 7;
        let out = BatchStep {
            obs: &mut obs,
            rewards: &mut rew,
            terminated: &mut term,
            truncated: &mut trunc,
        };
        let err = b.step(&actions, out).unwrap_err().to_string();
        assert!(err.contains("7 for sub-env 5"), "{err}");
        assert_eq!(obs, before, "nothing was written");
        for (i, slot) in b.slots.iter().enumerate() {
            assert_eq!(slot.elapsed, 0, "sub-env {i} moved");
        }
    }

    #[test]
    fn threaded_action_masks_equal_the_serial_ones() {
        use crate::envs::ticket_routing::{InvalidActionMode, TicketRouting, TicketRoutingConfig};
        let cfg = TicketRoutingConfig {
            invalid_action: Some(InvalidActionMode::Fallback),
            ..Default::default()
        };
        let n = 103;
        let masks = |threads: usize| {
            let mut b =
                Batch::<TicketRouting>::new(&cfg, n, AutoresetMode::NextStep, None, threads, 8)
                    .unwrap();
            let m = b.env(0).params().max_engineers;
            let mut obs = vec![0f32; n * b.obs_len()];
            b.reset(None, &mut obs);
            let mut all = Vec::new();
            for t in 0..30 {
                let actions: Vec<i64> = (0..n as i64).map(|i| (i + t) % m as i64).collect();
                step(&mut b, &actions).unwrap();
                let mut mask = vec![false; n * m];
                b.action_masks(m, &mut mask);
                all.extend(mask);
            }
            all
        };
        let serial = masks(1);
        assert!(serial.iter().any(|&v| !v), "some slot was unavailable");
        assert_eq!(serial, masks(2));
        assert_eq!(serial, masks(3));
    }
}
