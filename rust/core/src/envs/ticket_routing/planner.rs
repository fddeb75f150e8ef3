//! Rollout planner: at a decision, try each candidate engineer on copies of
//! the desk whose future is re-sampled, play every copy forward under a base
//! rule (shortest expected delay) and keep the candidate whose weighted
//! waiting cost is clearly lower than the base rule's own choice.
//!
//! What the planner may know is what the router knows: the copies share the
//! state the observation describes (queues, shifts, the backlog), but the
//! work content of every unassigned ticket (the one being routed and the
//! backlog) is drawn afresh from its type's distribution, and so are the
//! future arrivals. `reveal_work` keeps the true work of the unassigned
//! tickets instead: the information oracle, an upper reference that no router
//! can deploy.
//!
//! Common random numbers: sample `k` of a decision uses the same re-sampled
//! future for every candidate, so the candidates are compared on paired
//! differences; the planner leaves the base choice only when a candidate's
//! mean paired saving exceeds `z` standard errors.

use super::obs::ENGINEER_FEATURES;
use super::reward::COMPONENT_NAMES;
use super::{obs, Desk, TicketRouting, NAME};
use crate::error::EnvError;
use crate::Env;

/// Knobs of the planner (validated by [`PlannerConfig::validate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerConfig {
    /// Re-sampled futures per candidate (K).
    pub samples: usize,
    /// Minutes each rollout simulates past the decision (the rollout stops at
    /// the first decision after it, or at the episode's end).
    pub horizon_minutes: f64,
    /// Candidates: the base choice and the next best valid engineers by
    /// expected completion, this many in all.
    pub candidates: usize,
    /// Standard errors by which a candidate must beat the base choice.
    pub z: f64,
    /// Keep the true work of unassigned tickets (the information oracle).
    pub reveal_work: bool,
    /// The rule the rollouts follow and the planner departs from.
    pub base: BaseRule,
}

/// The base rule: shortest expected delay with two optional refinements
/// (`ferrogym.policies.stronger`): a charge `c * mean service / ticket
/// weight` (`weighted-sed`), and a plan of engineer-type pairs outside which
/// an engineer is taken only when `slack` minutes sooner than the best
/// planned one (`lp-sed`). The default is plain `sed`.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseRule {
    /// Slot-major `allowed[slot * types + type]`; empty: every pair allowed.
    pub plan: Vec<bool>,
    pub slack: f64,
    pub c: f64,
    /// `sed-hold`: hold (where allowed) when a present engineer who cannot
    /// take the ticket now would finish it this many minutes sooner than
    /// the base choice (inf: never hold).
    pub hold_minutes: f64,
}

impl Default for BaseRule {
    fn default() -> Self {
        BaseRule {
            plan: Vec::new(),
            slack: f64::INFINITY,
            c: 0.0,
            hold_minutes: f64::INFINITY,
        }
    }
}

impl Default for PlannerConfig {
    fn default() -> Self {
        PlannerConfig {
            samples: 16,
            horizon_minutes: f64::INFINITY,
            candidates: 5,
            z: 1.0,
            reveal_work: false,
            base: BaseRule::default(),
        }
    }
}

impl PlannerConfig {
    pub fn validate(&self) -> Result<(), EnvError> {
        let err = |field: &str, value: String, expected: &str| {
            Err(EnvError::config(
                NAME,
                format!("planner.{field}"),
                value,
                expected,
            ))
        };
        if self.samples < 1 || self.samples > 4096 {
            return err(
                "samples",
                self.samples.to_string(),
                "an integer in 1..=4096",
            );
        }
        if self.horizon_minutes.is_nan() || self.horizon_minutes <= 0.0 {
            return err(
                "horizon_minutes",
                self.horizon_minutes.to_string(),
                "a number of minutes > 0 (inf: to the episode's end)",
            );
        }
        if self.candidates < 1 || self.candidates > 256 {
            return err(
                "candidates",
                self.candidates.to_string(),
                "an integer in 1..=256",
            );
        }
        if !self.z.is_finite() || self.z < 0.0 {
            return err("z", self.z.to_string(), "a finite number >= 0");
        }
        if self.base.slack.is_nan() || self.base.slack < 0.0 {
            return err(
                "base.slack",
                self.base.slack.to_string(),
                "minutes >= 0 (inf allowed)",
            );
        }
        if self.base.hold_minutes.is_nan() || self.base.hold_minutes < 0.0 {
            return err(
                "base.hold_minutes",
                self.base.hold_minutes.to_string(),
                "minutes >= 0 (inf: never hold)",
            );
        }
        if !self.base.c.is_finite() || self.base.c < 0.0 {
            return err("base.c", self.base.c.to_string(), "a finite number >= 0");
        }
        Ok(())
    }
}

/// Index of a reward component by name (the planner's cost is the weighted
/// waiting the KPI `weighted_resolution` counts: `wait` + `backlog_end`).
fn component(name: &str) -> usize {
    COMPONENT_NAMES
        .iter()
        .position(|&n| n == name)
        .expect("reward component exists")
}

/// One 64-bit mix (SplitMix64's finaliser) for deriving sample seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The planner with its scratch buffers (reused across decisions).
#[derive(Debug, Clone)]
pub struct Planner {
    cfg: PlannerConfig,
    obs: Vec<f32>,
    mask: Vec<bool>,
    costs: Vec<f64>,
    candidates: Vec<usize>,
    scratch: Option<TicketRouting>,
}

/// Column of engineer feature `name` in an engineer row.
fn feature(name: &str) -> usize {
    ENGINEER_FEATURES
        .iter()
        .position(|&f| f == name)
        .expect("engineer feature exists")
}

impl Planner {
    pub fn new(cfg: PlannerConfig) -> Result<Self, EnvError> {
        cfg.validate()?;
        Ok(Planner {
            cfg,
            obs: Vec::new(),
            mask: Vec::new(),
            costs: Vec::new(),
            candidates: Vec::new(),
            scratch: None,
        })
    }

    pub fn config(&self) -> &PlannerConfig {
        &self.cfg
    }

    /// The base rule's choice among the valid slots, ties to the lowest
    /// slot. Reads the observation (expected completion, skill) and the
    /// ticket's observable type and weight.
    fn base_choice(rule: &BaseRule, env: &TicketRouting, obs: &[f32], mask: &[bool]) -> usize {
        let stride = ENGINEER_FEATURES.len();
        let rows = env.obs_len() - env.desk.p.max_engineers * stride;
        let Some(t) = env.desk.sim.current.as_ref() else {
            return 0;
        };
        let kind = t.kind as usize;
        let types = env.desk.p.n_types();
        let slots = env.desk.p.max_engineers;
        let (eta_col, skill_col) = (feature("eta"), feature("skill"));
        let present_col = feature("present");
        let eta_of = |i: usize| {
            let x = f64::from(obs[rows + i * stride + eta_col]);
            // The observation's x / (x + 240) back to minutes.
            if x < 1.0 {
                240.0 * x / (1.0 - x)
            } else {
                f64::INFINITY
            }
        };
        let score = |i: usize| {
            let eta = eta_of(i);
            if rule.c > 0.0 {
                let skill = f64::from(obs[rows + i * stride + skill_col]);
                let service = if skill > 0.0 {
                    env.desk.rates.mean_work[kind] / skill
                } else {
                    f64::INFINITY
                };
                eta + rule.c * service / t.weight
            } else {
                eta
            }
        };
        let planned = |i: usize| rule.plan.is_empty() || rule.plan[i * types + kind];
        let mut best_planned = f64::INFINITY;
        for i in (0..slots).filter(|&i| mask[i] && planned(i)) {
            best_planned = best_planned.min(score(i));
        }
        let mut best = usize::MAX;
        let mut best_score = f64::INFINITY;
        let mut fallback = usize::MAX;
        let mut fallback_score = f64::INFINITY;
        for i in (0..slots).filter(|&i| mask[i]) {
            let s = score(i);
            if fallback == usize::MAX || s < fallback_score {
                fallback = i;
                fallback_score = s;
            }
            let allowed = planned(i) || s + rule.slack < best_planned;
            if allowed && (best == usize::MAX || s < best_score) {
                best = i;
                best_score = s;
            }
        }
        let choice = if best == usize::MAX { fallback } else { best };
        let hold_allowed = mask.len() > slots && mask[slots];
        if hold_allowed {
            if choice == usize::MAX {
                return slots;
            }
            // sed-hold: someone present but not eligible now finishes sooner.
            let soonest = (0..slots)
                .filter(|&i| obs[rows + i * stride + present_col] > 0.0)
                .map(eta_of)
                .fold(f64::INFINITY, f64::min);
            if soonest + rule.hold_minutes <= eta_of(choice) {
                return slots;
            }
        }
        if choice == usize::MAX {
            0
        } else {
            choice
        }
    }

    /// The cost, in reward units, a rollout cut at the horizon pays for the
    /// work it leaves open: what the episode's end would charge now
    /// (`Desk::open_work_cost`), the ticket awaiting a decision charged as a
    /// backlog ticket. Without it a cut rollout sees leaving work for later
    /// as free, and candidates that defer work win.
    fn cut_cost(desk: &Desk) -> f64 {
        let p = desk.params();
        let current = desk.sim.current.as_ref().map_or(0.0, |t| {
            t.weight * (p.backlog_end_minutes + desk.rates.mean_work[t.kind as usize])
        });
        p.wait_weight * (desk.open_work_cost() + current) / 60.0
    }

    /// Re-samples what the router cannot observe (the desk's branch API,
    /// `Desk::resample_future`: arrivals, and the work of every unassigned
    /// ticket); with `reveal_work` the unassigned tickets keep their true
    /// work, copied back from `truth` (the information oracle).
    fn resample(
        copy: &mut TicketRouting,
        truth: &TicketRouting,
        decision: u64,
        sample: u64,
        reveal_work: bool,
    ) {
        copy.resample_future(decision, sample);
        if reveal_work {
            let (to, from) = (&mut copy.desk.sim, &truth.desk.sim);
            for (t, o) in to.current.iter_mut().zip(&from.current) {
                t.work = o.work;
            }
            for (t, o) in to.pending.iter_mut().zip(&from.pending) {
                t.work = o.work;
            }
        }
    }

    /// Rolls out every candidate of `env`'s current decision: the base rule's
    /// choice first, then the other valid slots by observed expected
    /// completion (`candidates` in all), plus holding where allowed. Sample
    /// `s` of every candidate sees the same re-sampled future (common random
    /// numbers), drawn from `seed` and the decision. `None` when the episode
    /// has no decision pending; a single candidate is not rolled out (its
    /// costs are all 0).
    pub fn candidate_costs(
        &mut self,
        env: &TicketRouting,
        seed: u64,
    ) -> Result<Option<CandidateCosts<'_>>, EnvError> {
        let plan = &self.cfg.base.plan;
        let pairs = env.desk.p.max_engineers * env.desk.p.n_types();
        if !plan.is_empty() && plan.len() != pairs {
            return Err(EnvError::config(
                NAME,
                "planner.base.plan",
                format!("{} pairs", plan.len()),
                format!("max_engineers x types = {pairs} pairs, slot-major (or none)"),
            ));
        }
        if env.desk.sim.current.is_none() {
            return Ok(None);
        }
        let slots = env.desk.p.max_engineers;
        let n_actions = env.desk.n_actions();
        let eta0 = env.obs_len() - slots * ENGINEER_FEATURES.len() + feature("eta");
        let stride = ENGINEER_FEATURES.len();
        self.obs.resize(env.obs_len(), 0.0);
        self.mask.resize(n_actions, false);
        obs::write(&env.desk, &mut self.obs);
        env.action_mask(&mut self.mask);
        let base = Self::base_choice(&self.cfg.base, env, &self.obs, &self.mask);
        self.candidates.clear();
        self.candidates.push(base);
        let mut others: Vec<usize> = (0..slots).filter(|&i| self.mask[i] && i != base).collect();
        let obs = &self.obs;
        others.sort_by(|&a, &b| {
            obs[eta0 + a * stride]
                .total_cmp(&obs[eta0 + b * stride])
                .then(a.cmp(&b))
        });
        self.candidates.extend(others);
        self.candidates.truncate(self.cfg.candidates);
        // Holding (the last action, where allowed) is always a candidate.
        if n_actions > slots && self.mask[slots] && base != slots {
            self.candidates.push(slots);
        }
        let k = self.cfg.samples;
        let c = self.candidates.len();
        self.costs.clear();
        self.costs.resize(c * k, 0.0);
        let valid = self.mask.iter().any(|&m| m);
        if c > 1 && valid {
            self.rollouts(env, seed);
        }
        Ok(Some(CandidateCosts {
            candidates: &self.candidates,
            costs: &self.costs,
            samples: k,
            valid,
        }))
    }

    /// Fills `self.costs` (candidate-major, `samples` per candidate).
    fn rollouts(&mut self, env: &TicketRouting, seed: u64) {
        let k = self.cfg.samples;
        // One future per sample and decision: the decision's time and ticket id tell decisions apart.
        let cur = env.desk.sim.current.as_ref().map_or(0, |t| u64::from(t.id));
        let seed = mix(seed ^ mix(env.desk.sim.now.to_bits() ^ (cur << 32)));
        let (wait, end) = (component("wait"), component("backlog_end"));
        let stop = env.desk.sim.now + self.cfg.horizon_minutes;
        let scratch = self.scratch.get_or_insert_with(|| env.clone());
        for sample in 0..k {
            for (ci, &first) in self.candidates.iter().enumerate() {
                scratch.clone_from(env);
                Self::resample(scratch, env, seed, sample as u64, self.cfg.reveal_work);
                let mut action = first;
                let mut cost = 0.0;
                loop {
                    let step = scratch.step(action as i64, &mut self.obs);
                    cost -= scratch.desk.sim.last[wait] + scratch.desk.sim.last[end];
                    if step.terminated || step.truncated {
                        break;
                    }
                    if scratch.desk.sim.now >= stop {
                        cost += Self::cut_cost(&scratch.desk);
                        break;
                    }
                    scratch.action_mask(&mut self.mask);
                    action = Self::base_choice(&self.cfg.base, scratch, &self.obs, &self.mask);
                }
                self.costs[ci * k + sample] = cost;
            }
        }
    }

    /// The action the planner takes in `env`'s current decision; `seed`
    /// fixes the re-sampled futures (the same seed, the same choice).
    /// Returns 0 when the episode has no decision pending.
    pub fn decide(&mut self, env: &TicketRouting, seed: u64) -> Result<usize, EnvError> {
        let z = self.cfg.z;
        let Some(costs) = self.candidate_costs(env, seed)? else {
            return Ok(0);
        };
        let base = costs.candidates[0];
        if costs.candidates.len() == 1 || !costs.valid {
            return Ok(base);
        }
        let mut best = base;
        let mut best_mean = 0.0;
        for ci in 1..costs.candidates.len() {
            let (mean, se) = costs.paired(ci);
            if mean + z * se < 0.0 && mean < best_mean {
                best = costs.candidates[ci];
                best_mean = mean;
            }
        }
        Ok(best)
    }

    /// Each action's mean paired cost-to-go difference against the base
    /// rule's choice (0 for the base choice; negative: cheaper) in `mean`,
    /// its standard error in `se` (0 with one sample), and NaN for the
    /// actions not evaluated (invalid, or past `candidates`). Both slices
    /// hold one entry per action. Returns false, with every entry NaN, when
    /// no decision is pending.
    pub fn action_values(
        &mut self,
        env: &TicketRouting,
        seed: u64,
        mean: &mut [f64],
        se: &mut [f64],
    ) -> Result<bool, EnvError> {
        mean.fill(f64::NAN);
        se.fill(f64::NAN);
        let Some(costs) = self.candidate_costs(env, seed)? else {
            return Ok(false);
        };
        if !costs.valid {
            return Ok(false);
        }
        for (ci, &a) in costs.candidates.iter().enumerate() {
            if a < mean.len() {
                let (m, s) = costs.paired(ci);
                mean[a] = m;
                se[a] = s;
            }
        }
        Ok(true)
    }
}

/// The paired rollout costs of one decision (see [`Planner::candidate_costs`]).
#[derive(Debug)]
pub struct CandidateCosts<'a> {
    /// Actions tried, the base rule's choice first.
    pub candidates: &'a [usize],
    /// Weighted waiting cost of candidate `c`'s sample `s` at `c * samples + s`.
    pub costs: &'a [f64],
    pub samples: usize,
    /// Some action is valid (otherwise nothing was rolled out).
    pub valid: bool,
}

impl CandidateCosts<'_> {
    /// Mean paired difference of candidate `ci` against the base choice
    /// (candidate 0) and its standard error (0 with one sample).
    pub fn paired(&self, ci: usize) -> (f64, f64) {
        let k = self.samples;
        let mut sum = 0.0;
        let mut sq = 0.0;
        for s in 0..k {
            let d = self.costs[ci * k + s] - self.costs[s];
            sum += d;
            sq += d * d;
        }
        let mean = sum / k as f64;
        let se = if k > 1 {
            ((sq - sum * mean).max(0.0) / (k - 1) as f64 / k as f64).sqrt()
        } else {
            0.0
        };
        (mean, se)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envs::ticket_routing::{Scenario, TicketRoutingConfig};

    fn env_at_decision(seed: u64, decisions: usize) -> TicketRouting {
        let cfg = TicketRoutingConfig {
            scenario: Scenario::Specialists,
            ..Default::default()
        };
        let mut env = TicketRouting::new(&cfg).unwrap();
        env.seed(seed);
        let mut obs = vec![0.0; env.obs_len()];
        env.reset(&mut obs);
        let mut mask = vec![false; env.desk.p.max_engineers];
        for _ in 0..decisions {
            env.action_mask(&mut mask);
            let a = Planner::base_choice(&BaseRule::default(), &env, &obs, &mask);
            env.step(a as i64, &mut obs);
        }
        env
    }

    #[test]
    fn planner_rollouts_cut_at_the_horizon_pay_for_the_work_left_open() {
        // Rollouts cut right after their first step pay for the work still
        // open (most of what is open now); without the cut's charge they
        // would cost only that one step's waiting.
        let env = env_at_decision(5, 20);
        let mean_cost = |horizon_minutes: f64| {
            let mut planner = Planner::new(PlannerConfig {
                samples: 8,
                horizon_minutes,
                candidates: 2,
                ..Default::default()
            })
            .unwrap();
            let costs = planner.candidate_costs(&env, 11).unwrap().unwrap();
            costs.costs[..costs.samples].iter().sum::<f64>() / costs.samples as f64
        };
        let (cut, whole) = (mean_cost(1e-6), mean_cost(f64::INFINITY));
        let open_now = Planner::cut_cost(&env.desk);
        assert!(open_now > 0.0 && whole > cut);
        assert!(
            cut > 0.5 * open_now,
            "a cut rollout costs {cut}, the work open now {open_now}"
        );
    }

    #[test]
    fn planner_refuses_no_samples_and_a_non_positive_horizon() {
        let bad = |cfg: PlannerConfig, field: &str| {
            let e = Planner::new(cfg).unwrap_err();
            assert!(e.to_string().contains(field), "{e}");
        };
        bad(
            PlannerConfig {
                samples: 0,
                ..Default::default()
            },
            "planner.samples",
        );
        bad(
            PlannerConfig {
                horizon_minutes: 0.0,
                ..Default::default()
            },
            "planner.horizon_minutes",
        );
        bad(
            PlannerConfig {
                horizon_minutes: f64::NAN,
                ..Default::default()
            },
            "planner.horizon_minutes",
        );
        bad(
            PlannerConfig {
                candidates: 0,
                ..Default::default()
            },
            "planner.candidates",
        );
        bad(
            PlannerConfig {
                z: -1.0,
                ..Default::default()
            },
            "planner.z",
        );
    }

    #[test]
    fn planner_picks_a_valid_slot_and_leaves_the_desk_untouched() {
        let env = env_at_decision(3, 20);
        let before = format!("{:?}", env.desk.sim);
        let mut planner = Planner::new(PlannerConfig {
            samples: 4,
            ..Default::default()
        })
        .unwrap();
        let a = planner.decide(&env, 7).unwrap();
        let mut mask = vec![false; env.desk.p.max_engineers];
        env.action_mask(&mut mask);
        assert!(mask[a]);
        assert_eq!(before, format!("{:?}", env.desk.sim));
    }

    #[test]
    fn planner_same_seed_same_choice() {
        let env = env_at_decision(5, 30);
        let mut p = Planner::new(PlannerConfig {
            samples: 4,
            ..Default::default()
        })
        .unwrap();
        let a = p.decide(&env, 11).unwrap();
        assert_eq!(a, p.decide(&env, 11).unwrap());
    }

    #[test]
    fn planner_with_one_candidate_is_sed() {
        let env = env_at_decision(2, 25);
        let mut p = Planner::new(PlannerConfig {
            candidates: 1,
            ..Default::default()
        })
        .unwrap();
        let mut obs = vec![0.0; env.obs_len()];
        let mut mask = vec![false; env.desk.p.max_engineers];
        obs::write(&env.desk, &mut obs);
        env.action_mask(&mut mask);
        let sed = Planner::base_choice(&BaseRule::default(), &env, &obs, &mask);
        assert_eq!(p.decide(&env, 1).unwrap(), sed);
    }

    #[test]
    fn planner_resampling_hides_the_true_work_unless_revealed() {
        let env = env_at_decision(4, 10);
        let truth = env.desk.sim.current.as_ref().unwrap().work;
        let mut copy = env.clone();
        Planner::resample(&mut copy, &env, 99, 0, false);
        assert_ne!(copy.desk.sim.current.as_ref().unwrap().work, truth);
        let mut copy = env.clone();
        Planner::resample(&mut copy, &env, 99, 0, true);
        assert_eq!(copy.desk.sim.current.as_ref().unwrap().work, truth);
    }

    #[test]
    fn planner_values_are_zero_at_the_base_choice_and_nan_off_the_candidates() {
        let env = env_at_decision(6, 15);
        let mut p = Planner::new(PlannerConfig {
            samples: 4,
            candidates: 3,
            ..Default::default()
        })
        .unwrap();
        let n = env.desk.n_actions();
        let (mut mean, mut se) = (vec![0.0; n], vec![0.0; n]);
        assert!(p.action_values(&env, 9, &mut mean, &mut se).unwrap());
        let mut mask = vec![false; n];
        env.action_mask(&mut mask);
        let evaluated: Vec<usize> = (0..n).filter(|&a| !mean[a].is_nan()).collect();
        assert_eq!(evaluated.len(), 3.min(mask.iter().filter(|&&m| m).count()));
        assert!(evaluated.iter().all(|&a| mask[a] && se[a] >= 0.0));
        let chosen = p.decide(&env, 9).unwrap();
        let mut obs = vec![0.0; env.obs_len()];
        obs::write(&env.desk, &mut obs);
        let base = Planner::base_choice(&BaseRule::default(), &env, &obs, &mask);
        assert_eq!(mean[base], 0.0);
        // decide switches only to a candidate whose saving is clear.
        if chosen != base {
            assert!(mean[chosen] + se[chosen] < 0.0);
        }
    }

    #[test]
    fn planner_values_are_nan_when_no_decision_is_pending() {
        let mut env = env_at_decision(1, 0);
        env.desk.sim.current = None;
        let mut p = Planner::new(PlannerConfig::default()).unwrap();
        let (mut mean, mut se) = (vec![0.0; 4], vec![0.0; 4]);
        assert!(!p.action_values(&env, 0, &mut mean, &mut se).unwrap());
        assert!(mean.iter().chain(&se).all(|v| v.is_nan()));
    }
}
