//! MultiTeamTicketRouting: several help-desk teams on one clock, each with a
//! dispatcher that routes its team's tickets to its engineers or hands a
//! ticket over to another team.
//!
//! Each team is a TicketRouting simulation (its engineers, backlog, arrival
//! stream); one clock advances them together, in time order, with the
//! pieces of TicketRouting's event loop (`ticket_routing/sim/clock.rs`): at
//! each decision point every team offers its backlog; the teams with a
//! ticket waiting for a decision act, the others send the no-op (action 0,
//! the only one their mask allows). Then the clock moves every team to the
//! earliest next event among them.
//!
//! Action of dispatcher k: `0..max_engineers` = an engineer of its own team;
//! `max_engineers + i` = hand the ticket to the i-th other team (teams other
//! than k, ascending). A handed ticket joins the receiving team's backlog at
//! the same clock time (so, if that team can route it, it is that team's
//! next decision, at the same time), with `handover_work_minutes` more work;
//! the sending team pays `handover_penalty`. A ticket is handed over at most
//! `max_handovers` times and never to a team that already had it (no
//! ping-pong); the mask forbids both.
//!
//! Randomness: `seed(s)` seeds team k's TicketRouting with `team_seed(s, k)`
//! (team 0 with `s` itself), so every team has its own common-random-number
//! streams, and with one team this env is TicketRouting step for step.
//! A backlog blow-up in any team ends the episode for all teams.

mod config;

use serde::{Deserialize, Serialize};

use crate::env::InfoGroup;
use crate::envs::ticket_routing::{
    obs_layout, obs_len, view_ansi, write_obs, Desk, InvalidActionMode, Sim, Ticket,
    COMPONENT_NAMES as TEAM_COMPONENTS, N_COMPONENTS as N_TEAM_COMPONENTS,
};
use crate::error::EnvError;
use crate::space::{DType, ObsField, Space};

pub use config::{MultiParams, MultiScenario, MultiTeamRoutingConfig, MAX_TEAMS};

pub const NAME: &str = "MultiTeamTicketRouting";

/// The action of a dispatcher that has no ticket to route.
pub const NOOP: i64 = 0;

/// Per team: TicketRouting's components, then the handover penalty.
pub const N_COMPONENTS: usize = N_TEAM_COMPONENTS + 1;
pub const COMPONENT_NAMES: [&str; N_COMPONENTS] = [
    TEAM_COMPONENTS[0],
    TEAM_COMPONENTS[1],
    TEAM_COMPONENTS[2],
    TEAM_COMPONENTS[3],
    TEAM_COMPONENTS[4],
    "handover",
];

/// Per other team, in the observation (after the team's TicketRouting one).
pub const OTHER_TEAM_FEATURES: [&str; 4] = ["can_take", "eta", "skill", "backlog"];

pub const INFO: &[InfoGroup] = &[
    InfoGroup {
        key: "reward_components",
        names: &COMPONENT_NAMES,
    },
    InfoGroup {
        key: "sim",
        names: &[
            "minutes",
            "backlog",
            "backlog_overflow",
            "auto_assigned",
            "decision",
        ],
    },
    InfoGroup {
        key: "handover",
        names: &["out", "in", "out_total", "in_total"],
    },
];

/// Ids of tickets that changed team start here (a team's own ids count
/// from 0), so a handed ticket never shares an id with a native one.
const TRANSFER_ID_BASE: u32 = 1 << 31;

/// Same scale as TicketRouting's durations: `x / (x + 240)`.
fn squash(minutes: f64) -> f64 {
    minutes / (minutes + 240.0)
}

/// Team k's TicketRouting seed: `s` for team 0 (so one team is exactly
/// TicketRouting), an independent-looking 64-bit mix of `(s, k)` otherwise.
pub fn team_seed(s: u64, k: usize) -> u64 {
    if k == 0 {
        return s;
    }
    let mut z = s ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The route of a ticket that changed team (`ticket.id - TRANSFER_ID_BASE`
/// indexes these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    /// Team the ticket arrived at, and its id there.
    pub origin: u32,
    pub origin_id: u32,
    /// Teams that have held it (bit k = team k).
    pub visited: u32,
    pub handovers: u32,
}

/// Everything that changes during an episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiState {
    pub teams: Vec<Sim>,
    pub transfers: Vec<Transfer>,
    /// Per team: handovers sent and received in the last step, and in total.
    pub out_step: Vec<u32>,
    pub in_step: Vec<u32>,
    pub out_total: Vec<u32>,
    pub in_total: Vec<u32>,
    /// Per team: the last step's reward components.
    pub last: Vec<[f64; N_COMPONENTS]>,
}

#[derive(Debug, Clone)]
pub struct MultiTeamRouting {
    p: MultiParams,
    teams: Vec<Desk>,
    state: Extra,
}

/// The multi-team bookkeeping besides the teams' simulations.
#[derive(Debug, Clone, Default)]
struct Extra {
    transfers: Vec<Transfer>,
    out_step: Vec<u32>,
    in_step: Vec<u32>,
    out_total: Vec<u32>,
    in_total: Vec<u32>,
    last: Vec<[f64; N_COMPONENTS]>,
}

impl Extra {
    /// Nothing handed over yet, for `k` teams.
    fn new(k: usize) -> Self {
        Extra {
            transfers: Vec::new(),
            out_step: vec![0; k],
            in_step: vec![0; k],
            out_total: vec![0; k],
            in_total: vec![0; k],
            last: vec![[0.0; N_COMPONENTS]; k],
        }
    }
}

/// What one dispatcher's action does.
enum Decision {
    /// No ticket to route: nothing (its action is the no-op or ignored).
    Idle,
    Engineer(usize),
    HandTo(usize),
    /// A forbidden action under `invalid_action = fallback`.
    Fallback,
}

impl MultiTeamRouting {
    pub fn new(config: &MultiTeamRoutingConfig) -> Result<Self, EnvError> {
        let p = config.resolve()?;
        let teams = p
            .teams
            .iter()
            .map(|t| t.to_config().resolve().map(Desk::new))
            .collect::<Result<Vec<_>, _>>()?;
        let state = Extra::new(teams.len());
        Ok(MultiTeamRouting { p, teams, state })
    }

    pub fn params(&self) -> &MultiParams {
        &self.p
    }

    pub fn n_teams(&self) -> usize {
        self.teams.len()
    }

    pub fn team(&self, k: usize) -> &Desk {
        &self.teams[k]
    }

    fn max_engineers(&self) -> usize {
        self.teams[0].params().max_engineers
    }

    /// Actions per dispatcher: its engineer slots, then one per other team.
    pub fn n_actions(&self) -> usize {
        self.max_engineers() + self.n_teams() - 1
    }

    /// One dispatcher's observation: its team's TicketRouting observation,
    /// then (with more than one team) the handover section.
    pub fn obs_layout(&self) -> Vec<ObsField> {
        let mut fields = obs_layout(self.teams[0].params());
        let k = self.n_teams();
        if k > 1 {
            fields.push(ObsField::new(
                "handovers",
                &[1],
                0.0,
                1.0,
                &["handovers"],
                "times this ticket was handed over / max_handovers (0 when max_handovers is 0)",
            ));
            fields.push(ObsField::new(
                "other_teams",
                &[k - 1, OTHER_TEAM_FEATURES.len()],
                0.0,
                1.0,
                &OTHER_TEAM_FEATURES,
                "one row per other team, in the order of the handover actions (zero without a \
                 ticket): handing over allowed; expected completion e/(e+240) in minutes at its best \
                 eligible engineer, handover work included (1 if nobody is eligible); its best skill \
                 for this ticket's type; its backlog n/(n+5)",
            ));
        }
        fields
    }

    pub fn observation_space(&self) -> Space {
        Space::from_layout(&self.obs_layout(), DType::F32)
    }

    pub fn action_space(&self) -> Space {
        Space::discrete(self.n_actions() as i64)
    }

    pub fn obs_len(&self) -> usize {
        obs_len(self.teams[0].params()) + self.extra_len()
    }

    fn extra_len(&self) -> usize {
        let k = self.n_teams();
        if k > 1 {
            1 + (k - 1) * OTHER_TEAM_FEATURES.len()
        } else {
            0
        }
    }

    pub fn seed(&mut self, seed: u64) {
        for (k, t) in self.teams.iter_mut().enumerate() {
            t.seed(team_seed(seed, k));
        }
    }

    pub fn ended(&self) -> bool {
        self.teams.iter().all(|t| t.sim().ended)
    }

    /// Whether dispatcher k has a ticket to route now.
    pub fn deciding(&self, k: usize) -> bool {
        self.teams[k].sim().current.is_some()
    }

    /// Resets every team at time 0 and runs the clock to the first decision.
    /// `obs` holds `n_teams * obs_len()` values, one row per dispatcher.
    pub fn reset(&mut self, obs: &mut [f32]) {
        for t in &mut self.teams {
            t.start_episode();
        }
        self.state = Extra::new(self.n_teams());
        self.advance();
        self.write_obs(obs);
    }

    /// Runs the shared clock until some team has a decision or all ended.
    fn advance(&mut self) {
        loop {
            // A team that ended (horizon, or a backlog blow-up from an
            // arrival or a handover) ends the others before anyone decides.
            if self.end_if_any_ended() {
                return;
            }
            let mut deciding = false;
            for t in &mut self.teams {
                deciding |= t.offer();
            }
            if deciding {
                return;
            }
            let t_next = self
                .teams
                .iter()
                .map(Desk::next_event_time)
                .fold(f64::INFINITY, f64::min);
            for t in &mut self.teams {
                t.run_to(t_next);
            }
        }
    }

    /// Teams end together: once one has ended (horizon or backlog blow-up),
    /// the others end now. Returns whether the episode is over.
    fn end_if_any_ended(&mut self) -> bool {
        if !self.teams.iter().any(|t| t.sim().ended) {
            return false;
        }
        for t in &mut self.teams {
            t.end_now();
        }
        true
    }

    /// The ticket dispatcher k must route: (handovers so far, visited teams).
    fn route_of(&self, k: usize) -> Option<(u32, u32)> {
        let t = self.teams[k].sim().current.as_ref()?;
        Some(match t.id.checked_sub(TRANSFER_ID_BASE) {
            Some(i) => {
                let tr = &self.state.transfers[i as usize];
                (tr.handovers, tr.visited)
            }
            None => (0, 1 << k),
        })
    }

    /// The team that handover action `a` of dispatcher k names, if it is one.
    fn target(&self, k: usize, a: usize) -> Option<usize> {
        let i = a.checked_sub(self.max_engineers())?;
        Some(if i < k { i } else { i + 1 })
    }

    /// Why dispatcher k may not hand its ticket to team j, or None if it may.
    fn handover_forbidden(&self, k: usize, j: usize) -> Option<String> {
        let (n, visited) = self.route_of(k)?;
        if visited & (1 << j) != 0 {
            Some(format!("team {j} already had this ticket (no ping-pong)"))
        } else if n >= self.p.max_handovers {
            Some(format!(
                "this ticket was handed over {n} time(s), max_handovers = {}",
                self.p.max_handovers
            ))
        } else {
            None
        }
    }

    /// Valid actions, one row of `n_actions()` per dispatcher: only the
    /// no-op without a ticket; else the team's valid engineers and the
    /// allowed handovers.
    pub fn action_masks(&self, mask: &mut [bool]) {
        let a = self.n_actions();
        let m = self.max_engineers();
        for (k, row) in mask.chunks_exact_mut(a).enumerate() {
            row.fill(false);
            if !self.deciding(k) {
                row[NOOP as usize] = true;
                continue;
            }
            self.teams[k].action_mask(&mut row[..m]);
            for (i, r) in row[m..].iter_mut().enumerate() {
                let j = if i < k { i } else { i + 1 };
                *r = self.handover_forbidden(k, j).is_none();
            }
        }
    }

    fn invalid(&self, k: usize, action: i64, why: &str, expected: String) -> EnvError {
        EnvError::InvalidAction {
            env: NAME,
            value: format!("{action} for dispatcher_{k} ({why})"),
            expected,
        }
    }

    /// What dispatcher k's action does, or why it is refused.
    fn decide(&self, k: usize, action: i64) -> Result<Decision, EnvError> {
        let n = self.n_actions() as i64;
        if !(0..n).contains(&action) {
            return Err(self.invalid(
                k,
                action,
                "out of range",
                format!(
                    "an integer in [0, {n}): an engineer slot below {} or a handover",
                    self.max_engineers()
                ),
            ));
        }
        let fallback = self.p.invalid_action == InvalidActionMode::Fallback;
        if !self.deciding(k) {
            if action == NOOP || fallback || self.ended() {
                return Ok(Decision::Idle);
            }
            return Err(self.invalid(
                k,
                action,
                "it has no ticket to route now",
                format!("{NOOP}, the no-op (its action_mask allows only {NOOP})"),
            ));
        }
        let a = action as usize;
        let valid = || {
            let mut row = vec![false; self.n_actions()];
            self.action_masks_row(k, &mut row);
            let v: Vec<usize> = (0..row.len()).filter(|&i| row[i]).collect();
            format!("one of {v:?} (see the action_mask; or invalid_action=\"fallback\")")
        };
        match self.target(k, a) {
            None => {
                let mut row = vec![false; self.max_engineers()];
                self.teams[k].action_mask(&mut row);
                if row[a] || fallback {
                    return Ok(Decision::Engineer(a));
                }
                let e = &self.teams[k].sim().engineers[a];
                let why = if !e.present {
                    "engineer slot is empty"
                } else if !e.on_shift {
                    "engineer is off shift"
                } else {
                    "engineer is at capacity"
                };
                Err(self.invalid(k, action, why, valid()))
            }
            Some(j) => match self.handover_forbidden(k, j) {
                None => Ok(Decision::HandTo(j)),
                Some(_) if fallback => Ok(Decision::Fallback),
                Some(why) => Err(self.invalid(k, action, &why, valid())),
            },
        }
    }

    fn action_masks_row(&self, k: usize, row: &mut [bool]) {
        let a = self.n_actions();
        let mut all = vec![false; a * self.n_teams()];
        self.action_masks(&mut all);
        row.copy_from_slice(&all[k * a..(k + 1) * a]);
    }

    /// Accepts or rejects the dispatchers' actions before any state changes.
    pub fn check_actions(&self, actions: &[i64]) -> Result<(), EnvError> {
        if actions.len() != self.n_teams() {
            return Err(EnvError::InvalidAction {
                env: NAME,
                value: format!("{} actions", actions.len()),
                expected: format!("one per dispatcher ({})", self.n_teams()),
            });
        }
        for (k, &a) in actions.iter().enumerate() {
            self.decide(k, a)?;
        }
        Ok(())
    }

    /// One decision point: every dispatcher's action (checked by
    /// `check_actions`), then the clock runs to the next decision. Writes
    /// the observations and the rewards (one per team); returns whether the
    /// episode was truncated (the shared horizon or a backlog blow-up).
    pub fn step(&mut self, actions: &[i64], obs: &mut [f32], rewards: &mut [f64]) -> bool {
        let n = self.n_teams();
        if self.ended() {
            // Stepping a finished episode: nothing happens.
            rewards.fill(0.0);
            for k in 0..n {
                self.state.last[k] = [0.0; N_COMPONENTS];
                self.state.out_step[k] = 0;
                self.state.in_step[k] = 0;
            }
            self.write_obs(obs);
            return true;
        }
        let mut moving: Vec<(usize, usize, Ticket)> = Vec::new();
        self.state.out_step.fill(0);
        self.state.in_step.fill(0);
        for (k, &action) in actions.iter().enumerate().take(n) {
            let decision = self.decide(k, action).unwrap_or(Decision::Fallback);
            match decision {
                Decision::Idle => {}
                Decision::Engineer(slot) => {
                    self.teams[k].route_current(slot);
                }
                Decision::Fallback => {
                    let mut row = vec![false; self.max_engineers()];
                    self.teams[k].action_mask(&mut row);
                    let slot = row.iter().position(|&v| v).unwrap_or(0);
                    self.teams[k].charge_invalid();
                    self.teams[k].route_current(slot);
                }
                Decision::HandTo(j) => {
                    let route = self.route_of(k);
                    if let (Some(ticket), Some(route)) = (self.teams[k].hand_out(), route) {
                        moving.push((k, j, self.relabel(k, j, ticket, route)));
                    }
                }
            }
        }
        for (k, j, ticket) in moving {
            self.teams[j].hand_in(ticket);
            self.state.out_step[k] += 1;
            self.state.in_step[j] += 1;
            self.state.out_total[k] += 1;
            self.state.in_total[j] += 1;
        }
        self.advance();
        for (k, reward) in rewards.iter_mut().enumerate().take(n) {
            let (c, total) = self.teams[k].pay();
            let cost = self.p.handover_penalty * f64::from(self.state.out_step[k]);
            let last = &mut self.state.last[k];
            last[..N_TEAM_COMPONENTS].copy_from_slice(&c);
            last[N_TEAM_COMPONENTS] = 0.0 - cost;
            *reward = total - cost;
        }
        self.write_obs(obs);
        self.ended()
    }

    /// The ticket as team j receives it: its route recorded (a transfer id),
    /// the handover's extra work added.
    fn relabel(&mut self, k: usize, j: usize, mut ticket: Ticket, route: (u32, u32)) -> Ticket {
        let (handovers, visited) = route;
        let tr = Transfer {
            origin: k as u32,
            origin_id: ticket.id,
            visited: visited | (1 << j),
            handovers: handovers + 1,
        };
        match ticket.id.checked_sub(TRANSFER_ID_BASE) {
            Some(i) => {
                let old = &mut self.state.transfers[i as usize];
                old.visited = tr.visited;
                old.handovers = tr.handovers;
            }
            None => {
                ticket.id = TRANSFER_ID_BASE + self.state.transfers.len() as u32;
                self.state.transfers.push(tr);
            }
        }
        ticket.work += self.p.handover_work_minutes;
        ticket
    }

    /// Writes every dispatcher's observation, one row each.
    pub fn write_obs(&self, obs: &mut [f32]) {
        let d = self.obs_len();
        let base = obs_len(self.teams[0].params());
        let n = self.n_teams();
        for (k, row) in obs.chunks_exact_mut(d).enumerate() {
            write_obs(&self.teams[k], &mut row[..base]);
            if n == 1 {
                continue;
            }
            let extra = &mut row[base..];
            extra.fill(0.0);
            let Some(ticket) = self.teams[k].sim().current.as_ref() else {
                continue;
            };
            let (handovers, _) = self.route_of(k).unwrap_or((0, 0));
            if self.p.max_handovers > 0 {
                extra[0] = (f64::from(handovers) / f64::from(self.p.max_handovers)) as f32;
            }
            let kind = ticket.kind as usize;
            let nf = OTHER_TEAM_FEATURES.len();
            for (i, f) in extra[1..].chunks_exact_mut(nf).enumerate() {
                let j = if i < k { i } else { i + 1 };
                let other = &self.teams[j];
                f[0] = if self.handover_forbidden(k, j).is_none() {
                    1.0
                } else {
                    0.0
                };
                f[1] = other
                    .best_eta(kind, self.p.handover_work_minutes)
                    .map_or(1.0, |e| squash(e) as f32);
                f[2] = other.best_skill(kind) as f32;
                let b = other.sim().pending.len() as f64;
                f[3] = (b / (b + 5.0)) as f32;
            }
        }
    }

    /// Team k's info values, in `INFO` order.
    pub fn info_values(&self, k: usize, out: &mut [f64]) {
        let sim = self.teams[k].sim();
        out[..N_COMPONENTS].copy_from_slice(&self.state.last[k]);
        out[N_COMPONENTS] = sim.now;
        out[N_COMPONENTS + 1] = sim.pending.len() as f64;
        out[N_COMPONENTS + 2] = f64::from(u8::from(sim.overflow));
        out[N_COMPONENTS + 3] = f64::from(sim.auto_assigned);
        out[N_COMPONENTS + 4] = f64::from(u8::from(self.deciding(k)));
        let h = &mut out[N_COMPONENTS + 5..];
        h[0] = f64::from(self.state.out_step[k]);
        h[1] = f64::from(self.state.in_step[k]);
        h[2] = f64::from(self.state.out_total[k]);
        h[3] = f64::from(self.state.in_total[k]);
    }

    pub fn state(&self) -> MultiState {
        let s = &self.state;
        MultiState {
            teams: self.teams.iter().map(|t| t.sim().clone()).collect(),
            transfers: s.transfers.clone(),
            out_step: s.out_step.clone(),
            in_step: s.in_step.clone(),
            out_total: s.out_total.clone(),
            in_total: s.in_total.clone(),
            last: s.last.clone(),
        }
    }

    pub fn set_state(&mut self, state: MultiState) -> Result<(), EnvError> {
        let n = self.n_teams();
        let lens = [
            state.teams.len(),
            state.out_step.len(),
            state.in_step.len(),
            state.out_total.len(),
            state.in_total.len(),
            state.last.len(),
        ];
        if lens.iter().any(|&l| l != n) {
            return Err(EnvError::state(
                NAME,
                format!("per-team lists of lengths {lens:?}; this env has {n} teams"),
            ));
        }
        let bad_transfer = state.teams.iter().flat_map(open_tickets).any(|t| {
            t.id.checked_sub(TRANSFER_ID_BASE)
                .is_some_and(|i| i as usize >= state.transfers.len())
        });
        if bad_transfer {
            return Err(EnvError::state(
                NAME,
                "a handed-over ticket has no entry in `transfers`",
            ));
        }
        // Validate every team before changing any.
        let mut teams = self.teams.clone();
        for (k, (t, sim)) in teams.iter_mut().zip(state.teams).enumerate() {
            t.set_state(sim)
                .map_err(|e| EnvError::state(NAME, format!("team {k}: {e}")))?;
        }
        self.teams = teams;
        self.state = Extra {
            transfers: state.transfers,
            out_step: state.out_step,
            in_step: state.in_step,
            out_total: state.out_total,
            in_total: state.in_total,
            last: state.last,
        };
        Ok(())
    }

    pub fn render_ansi(&self) -> String {
        let mut out = String::new();
        for (k, t) in self.teams.iter().enumerate() {
            out.push_str(&format!(
                "== dispatcher_{k} (handed out {}, received {})\n",
                self.state.out_total[k], self.state.in_total[k]
            ));
            out.push_str(&view_ansi(t));
        }
        out
    }
}

/// Every open ticket of a team's simulation.
fn open_tickets(sim: &Sim) -> impl Iterator<Item = &Ticket> {
    sim.pending
        .iter()
        .chain(sim.current.iter())
        .chain(sim.engineers.iter().flat_map(|e| e.queue.iter()))
}

#[cfg(test)]
mod tests;
