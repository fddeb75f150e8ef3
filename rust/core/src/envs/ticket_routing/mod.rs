//! TicketRouting: route each incoming support ticket to an engineer.
//!
//! A continuous-time discrete-event simulation of a help desk (`sim.rs`);
//! one `step` is one routing decision. The configuration and its scenario
//! presets are in `config.rs` / `scenarios.rs`, the observation in `obs.rs`,
//! the reward in `reward.rs`.
//!
//! Randomness: `seed` sets a master generator; every reset splits from it, in
//! this order, the arrivals stream, the work stream, the skills stream and the
//! layout stream. Tickets (arrival times, attributes, work content) depend
//! only on the first two, so every policy sees the same tickets for the same
//! seed (common random numbers).

mod config;
mod obs;
mod planner;
mod reward;
mod scenarios;
mod sim;
mod tables;
mod view;

use std::sync::Arc;

use crate::env::{InfoGroup, Table};
use crate::error::EnvError;
use crate::prefetch::{prefetch_ptr, prefetch_slice};
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, ObsField, Space};
use crate::Env;
use crate::Step;

pub use config::{
    InvalidActionMode, Params, Scenario, Service, TicketRoutingConfig, FIELD_NAMES, N_PRIORITIES,
    N_TIERS, PRIORITY_NAMES, TIER_NAMES,
};
pub use obs::ENGINEER_FEATURES;
pub use planner::{BaseRule, Planner, PlannerConfig};
pub use reward::{COMPONENT_NAMES, N_COMPONENTS};
pub use sim::{Engineer, Resolved, Sim, Ticket};
pub use view::PRIORITY_COLORS;

use sim::{Acc, Rates, SlaBook, DAY};
use tables::SkillTables;

pub(crate) const NAME: &str = "TicketRouting";

const INFO: &[InfoGroup] = &[
    InfoGroup {
        key: "reward_components",
        names: &COMPONENT_NAMES,
    },
    InfoGroup {
        key: "sim",
        names: &["minutes", "backlog", "backlog_overflow", "auto_assigned"],
    },
];

#[derive(Debug, Clone)]
pub struct TicketRouting {
    /// Fixed for the env's life and shared by the clones of a batch, so the
    /// envs of a batch read one copy (it stays in cache across the batch).
    p: Arc<Params>,
    rates: Arc<Rates>,
    /// The team as configured, slot order, absent slots last; skills are
    /// regenerated into it at reset when `resample_skills`.
    team: Vec<Engineer>,
    sim: Sim,
    /// Caches derived from `sim` (not part of the state; `refresh_caches`).
    tables: Arc<SkillTables>,
    /// The buffer `refresh_caches` computes the tables into.
    scratch_tables: SkillTables,
    /// `tables` are those of `team` in its own slot order, so a reset that
    /// copies the team unchanged (no resampling, no shuffling) keeps them
    /// instead of recomputing them (O(slots^2 * types), about every 60
    /// decisions). `set_state` clears it.
    tables_from_team: bool,
    /// Service minutes queued behind each slot's ticket in service, kept as
    /// tickets join and leave, so that the observation's queued work does not
    /// walk every queue.
    queued: Vec<f64>,
    /// Each slot's next event time (`Engineer::next_event`), contiguous, so
    /// that finding the next event and the engineers it concerns does not
    /// read every engineer record.
    engineer_next: Vec<f64>,
    /// Open tickets and their SLA deadlines, for counting breaches.
    sla: SlaBook,
}

/// Draws a skill matrix. First `offset = below(types)`; then per engineer
/// one uniform draw: below `specialist_share` the engineer is a specialist
/// in type `(offset + specialists so far) % types` (so specialties cover the
/// types in turn) with skill 1 there and `uniform_range(off_skill)` on every
/// other type (drawn type by type, the specialty's draw discarded);
/// otherwise a generalist with `uniform_range(generalist_skill)` per type.
fn generate_skills(p: &Params, rng: &mut Rng, team: &mut [Engineer]) {
    let k = p.n_types();
    let offset = rng.below(k as u64) as usize;
    let mut specialists = 0;
    for e in team.iter_mut().take(p.n_engineers) {
        if rng.uniform() < p.specialist_share {
            let main = (offset + specialists) % k;
            specialists += 1;
            let (lo, hi) = (p.specialist_off_skill[0], p.specialist_off_skill[1]);
            for s in e.skill.iter_mut() {
                *s = rng.uniform_range(lo, hi);
            }
            e.skill[main] = 1.0;
        } else {
            let (lo, hi) = (p.generalist_skill[0], p.generalist_skill[1]);
            for s in e.skill.iter_mut() {
                *s = rng.uniform_range(lo, hi);
            }
        }
    }
}

impl TicketRouting {
    pub fn params(&self) -> &Params {
        &self.p
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Valid slots for the current decision.
    fn valid(&self, i: usize) -> bool {
        self.sim.current.is_some() && self.sim.engineers[i].eligible(self.p.cap)
    }

    fn build_team(p: &Params) -> Vec<Engineer> {
        let k = p.n_types();
        let mut team: Vec<Engineer> = (0..p.max_engineers).map(|_| Engineer::absent(k)).collect();
        for (i, e) in team.iter_mut().take(p.n_engineers).enumerate() {
            e.present = true;
            e.shift_start = p.shifts[i][0] * 60.0;
            e.shift_end = p.shifts[i][1] * 60.0;
            if !p.skills.is_empty() {
                e.skill.copy_from_slice(&p.skills[i]);
            }
        }
        if p.skills.is_empty() {
            generate_skills(p, &mut Rng::new(p.team_seed), &mut team);
        }
        team
    }
}

impl Env for TicketRouting {
    type Config = TicketRoutingConfig;
    type State = Sim;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = NAME;

    fn new(config: &TicketRoutingConfig) -> Result<Self, EnvError> {
        let p = config.resolve()?;
        let rates = Rates::new(&p);
        let team = Self::build_team(&p);
        // Computed before the batch clones this env, so that the clones
        // share one copy (see `SkillTables`).
        let (mut tables, mut scratch_tables) = (Arc::default(), SkillTables::default());
        tables::refresh(&mut tables, &mut scratch_tables, &team, &rates);
        let sim = Sim {
            rng: Rng::new(0),
            arrivals: Rng::new(0),
            work: Rng::new(0),
            now: 0.0,
            next_arrival: f64::INFINITY,
            next_id: 0,
            pending: Vec::new(),
            current: None,
            engineers: team.clone(),
            open_weight: 0.0,
            acc: Acc::default(),
            ended: true,
            overflow: false,
            last: [0.0; N_COMPONENTS],
            resolved: Vec::new(),
            auto_assigned: 0,
        };
        Ok(TicketRouting {
            p: Arc::new(p),
            rates: Arc::new(rates),
            team,
            sim,
            tables,
            scratch_tables,
            tables_from_team: true,
            queued: Vec::new(),
            engineer_next: Vec::new(),
            sla: SlaBook::default(),
        })
    }

    fn observation_space(&self) -> Space {
        Space::from_layout(&self.obs_layout(), DType::F32)
    }

    fn action_space(&self) -> Space {
        Space::discrete(self.p.max_engineers as i64)
    }

    fn obs_len(&self) -> usize {
        self.p.n_types()
            + N_PRIORITIES
            + N_TIERS
            + 1
            + 4
            + N_PRIORITIES
            + 3
            + self.p.max_engineers * ENGINEER_FEATURES.len()
    }

    fn seed(&mut self, seed: u64) {
        self.sim.rng = Rng::new(seed);
    }

    fn reset(&mut self, obs: &mut [f32]) {
        self.start_episode();
        // Costs accrued before the first decision are paid with the first step.
        self.advance();
        self.write_obs(obs);
    }

    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        let Some(ticket) = self.sim.current.take() else {
            // Only reachable when the episode ended before its first
            // decision (no engineer ever available): nothing to route.
            self.sim.last = [0.0; N_COMPONENTS];
            self.write_obs(obs);
            return Step {
                reward: 0.0,
                terminated: false,
                truncated: true,
            };
        };
        let (slot, rerouted) = self.route(action as usize);
        if rerouted {
            self.sim.acc.invalid += 1;
        }
        self.assign(ticket, slot);
        self.advance();
        let c = reward::components(&self.p, &self.sim.acc);
        self.sim.acc = Acc::default();
        self.sim.last = c;
        self.write_obs(obs);
        Step {
            reward: reward::total(&c),
            terminated: false,
            truncated: self.sim.ended,
        }
    }

    fn prefetch(&self) {
        let sim = &self.sim;
        // Only what decisions read: lines 0 and 1 of each present engineer
        // (see `Engineer`; line 1 at least for those on shift, which the
        // integral updates), not the absent ones nor line 2.
        let engineers = sim.engineers.as_ptr();
        for &i in &self.tables.present {
            let e = engineers.wrapping_add(i as usize).cast::<u8>();
            prefetch_ptr(e);
            prefetch_ptr(e.wrapping_add(64));
        }
        prefetch_slice(&sim.pending);
        prefetch_slice(&self.queued);
        prefetch_slice(&self.engineer_next);
        // Where the next resolved ticket will be written.
        prefetch_ptr(sim.resolved.as_ptr().wrapping_add(sim.resolved.len()));
    }

    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        let m = self.p.max_engineers as i64;
        crate::env::check_discrete(NAME, action, m)?;
        // The mode first: it is shared by the batch (in cache), the state is not.
        if self.p.invalid_action == InvalidActionMode::Fallback
            || self.sim.current.is_none()
            || self.valid(action as usize)
        {
            return Ok(());
        }
        let valid: Vec<usize> = (0..self.p.max_engineers)
            .filter(|&i| self.valid(i))
            .collect();
        let e = &self.sim.engineers[action as usize];
        let why = if !e.present {
            "an empty slot"
        } else if !e.on_shift {
            "off shift"
        } else {
            "at capacity"
        };
        Err(EnvError::InvalidAction {
            env: NAME,
            value: format!("{action} (engineer slot {action} is {why})"),
            expected: format!(
                "a valid engineer slot, one of {valid:?} (see action_masks(); \
                 or invalid_action=\"fallback\")"
            ),
        })
    }

    fn action_mask(&self, mask: &mut [bool]) {
        if self.sim.current.is_none() {
            // The episode has ended: any action is accepted and ignored.
            mask.fill(true);
            return;
        }
        for (i, m) in mask.iter_mut().enumerate() {
            *m = self.valid(i);
        }
    }

    fn state(&self) -> Sim {
        self.sim.clone()
    }

    fn set_state(&mut self, state: Sim) -> Result<(), EnvError> {
        let k = self.p.n_types();
        if state.engineers.len() != self.p.max_engineers {
            return Err(EnvError::state(
                NAME,
                format!(
                    "{} engineer slots; this env has {}",
                    state.engineers.len(),
                    self.p.max_engineers
                ),
            ));
        }
        let tickets = state
            .pending
            .iter()
            .chain(state.current.iter())
            .chain(state.engineers.iter().flat_map(|e| e.queue.iter()));
        for t in tickets {
            if t.kind as usize >= k
                || t.priority as usize >= N_PRIORITIES
                || t.tier as usize >= N_TIERS
            {
                return Err(EnvError::state(
                    NAME,
                    format!("ticket {} has an unknown type, priority or tier", t.id),
                ));
            }
        }
        // The simulation never exceeds `cap` (<= 64); processor sharing's
        // finish times sort a queue in a buffer of that size.
        if let Some(e) = state.engineers.iter().find(|e| e.queue.len() > self.p.cap) {
            return Err(EnvError::state(
                NAME,
                format!(
                    "an engineer holds {} tickets; cap is {}",
                    e.queue.len(),
                    self.p.cap
                ),
            ));
        }
        if state.engineers.iter().any(|e| e.skill.len() != k) {
            return Err(EnvError::state(
                NAME,
                format!("skill rows must have {k} entries"),
            ));
        }
        self.sim = state;
        self.tables_from_team = false;
        self.refresh_caches(true);
        Ok(())
    }

    fn info_groups(&self) -> &'static [InfoGroup] {
        INFO
    }

    fn info_values(&self, out: &mut [f64]) {
        out[..N_COMPONENTS].copy_from_slice(&self.sim.last);
        out[N_COMPONENTS] = self.sim.now;
        out[N_COMPONENTS + 1] = self.sim.pending.len() as i64 as f64;
        out[N_COMPONENTS + 2] = f64::from(u8::from(self.sim.overflow));
        out[N_COMPONENTS + 3] = f64::from(self.sim.auto_assigned);
    }

    fn obs_layout(&self) -> Vec<ObsField> {
        obs::layout(&self.p)
    }

    fn effective_config(&self) -> Option<TicketRoutingConfig> {
        Some(self.p.to_config())
    }

    fn episode_log(&self) -> Vec<(&'static str, Table)> {
        let r = &self.sim.resolved;
        let col = |f: fn(&Resolved) -> f64| r.iter().map(f).collect::<Vec<f64>>();
        let tickets: Table = vec![
            ("kind", col(|t| f64::from(t.kind))),
            ("priority", col(|t| f64::from(t.priority))),
            ("tier", col(|t| f64::from(t.tier))),
            ("arrival", col(|t| t.arrival)),
            ("pickup", col(|t| t.pickup)),
            ("done", col(|t| t.done)),
            ("deadline", col(|t| t.deadline)),
            ("top2", col(|t| f64::from(u8::from(t.top2)))),
            ("engineer", col(|t| f64::from(t.engineer))),
        ];
        // Tickets still open (queued at an engineer, or in the backlog with
        // engineer -1 and pickup -1): without them a KPI over resolved
        // tickets alone would flatter a policy that leaves work unfinished.
        let es = &self.sim.engineers;
        let open: Vec<(f64, &Ticket)> = es
            .iter()
            .enumerate()
            .flat_map(|(i, e)| e.queue.iter().map(move |t| (i as f64, t)))
            .chain(self.sim.pending.iter().map(|t| (-1.0, t)))
            .chain(self.sim.current.iter().map(|t| (-1.0, t)))
            .collect();
        let ocol = |f: fn(&(f64, &Ticket)) -> f64| open.iter().map(f).collect::<Vec<f64>>();
        let open_tickets: Table = vec![
            ("kind", ocol(|(_, t)| f64::from(t.kind))),
            ("priority", ocol(|(_, t)| f64::from(t.priority))),
            ("tier", ocol(|(_, t)| f64::from(t.tier))),
            ("arrival", ocol(|(_, t)| t.arrival)),
            ("pickup", ocol(|(_, t)| t.pickup)),
            ("deadline", ocol(|(_, t)| t.deadline)),
            ("top2", ocol(|(_, t)| f64::from(u8::from(t.top2)))),
            ("engineer", ocol(|(i, _)| *i)),
        ];
        let ecol = |f: fn(&Engineer) -> f64| es.iter().map(f).collect::<Vec<f64>>();
        let engineers: Table = vec![
            ("present", ecol(|e| f64::from(u8::from(e.present)))),
            ("busy_minutes", ecol(|e| e.busy_minutes)),
            ("shift_minutes", ecol(|e| e.shift_minutes)),
            ("over_soft_minutes", ecol(|e| e.over_soft_minutes)),
            ("assigned", ecol(|e| f64::from(e.assigned))),
            ("open", ecol(|e| e.queue.len() as f64)),
        ];
        let end: Table = vec![
            ("minutes", vec![self.sim.now]),
            ("backlog", vec![self.sim.pending.len() as f64]),
            (
                "open_total",
                vec![
                    es.iter().map(|e| e.queue.len()).sum::<usize>() as f64
                        + self.sim.pending.len() as f64,
                ],
            ),
            ("overflow", vec![f64::from(u8::from(self.sim.overflow))]),
            ("arrived", vec![f64::from(self.sim.next_id)]),
        ];
        vec![
            ("tickets", tickets),
            ("open", open_tickets),
            ("engineers", engineers),
            ("summary", end),
        ]
    }

    fn render_ansi(&self) -> String {
        let s = &self.sim;
        let day = (s.now / DAY).floor();
        let tod = s.now - day * DAY;
        let mut out = format!(
            "day {} {:02}:{:02}  backlog {}\n",
            day as u32,
            (tod / 60.0).floor() as u32,
            (tod % 60.0).floor() as u32,
            s.pending.len()
        );
        match &s.current {
            Some(t) => out.push_str(&format!(
                "ticket #{} {} {} ({}), waiting {:.0} min\n",
                t.id,
                self.p.ticket_types[t.kind as usize],
                PRIORITY_NAMES[t.priority as usize],
                TIER_NAMES[t.tier as usize],
                s.now - t.arrival
            )),
            None => out.push_str("episode over\n"),
        }
        for (i, e) in s.engineers.iter().enumerate().filter(|(_, e)| e.present) {
            let skill = s.current.as_ref().map_or(0.0, |t| e.skill[t.kind as usize]);
            out.push_str(&format!(
                "[{i:2}] {} open {}/{} skill {:.2} fatigue {:.2}{}\n",
                if e.on_shift { "on " } else { "off" },
                e.queue.len(),
                self.p.cap,
                skill,
                e.fatigue,
                if self.valid(i) { "" } else { "  (unavailable)" }
            ));
        }
        out
    }

    fn render_rgb(&self) -> Frame {
        view::draw(self)
    }
}

#[cfg(test)]
mod tests;
