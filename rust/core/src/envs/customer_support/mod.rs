//! CustomerSupport: choose a response strategy, turn by turn, in a
//! conversation with a simulated customer (BFSI, retail or tech).
//!
//! The customer's true sentiment, issue progress and patience are hidden
//! (`dynamics.rs`); the agent sees a noisy view. Industry presets and the
//! strategy tables are in `presets.rs`, named conversations in
//! `scenarios.rs`, the knobs in `config.rs`.

mod config;
mod dynamics;
mod presets;
mod scenarios;

use crate::env::{check_discrete, InfoGroup};
use crate::error::EnvError;
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, ObsField, Space};
use crate::{Env, Step};

pub use config::{
    CustomerSupportConfig, Industry, Inquiry, InvalidActionMode, ESCALATE, INDUSTRY_NAMES,
    INQUIRY_NAMES, N_STRATEGIES, STRATEGY_NAMES, UPSELL,
};
pub use dynamics::{Conversation, Outcome, Seen, COMPONENT_NAMES, N_COMPONENTS};
pub use scenarios::{Scenario, ALL as SCENARIOS, NAMES as SCENARIO_NAMES};

pub(crate) const NAME: &str = "CustomerSupport";
pub const OBS_LEN: usize = 17;

const OUTCOME_NAMES: [&str; 4] = ["resolved", "abandoned", "escalated", "turns"];
const INFO: &[InfoGroup] = &[
    InfoGroup {
        key: "reward_components",
        names: &COMPONENT_NAMES,
    },
    InfoGroup {
        key: "outcome",
        names: &OUTCOME_NAMES,
    },
];

#[derive(Debug, Clone)]
pub struct CustomerSupport {
    p: CustomerSupportConfig,
    /// A config set by `reconfigure`, applied at the next reset.
    next: Option<CustomerSupportConfig>,
    conv: Conversation,
}

impl CustomerSupport {
    pub fn config(&self) -> &CustomerSupportConfig {
        &self.p
    }

    pub fn conversation(&self) -> &Conversation {
        &self.conv
    }

    fn write_obs(&self, obs: &mut [f32]) {
        let c = &self.conv;
        obs.fill(0.0);
        obs[c.industry as usize] = 1.0;
        obs[3 + c.inquiry as usize] = 1.0;
        let rest = [
            c.seen.sentiment,
            c.seen.change,
            c.urgency,
            f64::from(c.tier) / 2.0,
            c.ltv_norm(),
            f64::from(c.turn) / f64::from(self.p.max_turns),
            c.seen.progress,
            c.seen.patience,
            f64::from(c.repeats.min(4)) / 4.0,
            f64::from(c.queue) / f64::from(self.p.escalation_capacity),
        ];
        for (o, v) in obs[7..].iter_mut().zip(rest) {
            *o = v.clamp(-1.0, 1.0) as f32;
        }
    }
}

impl Env for CustomerSupport {
    type Config = CustomerSupportConfig;
    type State = Conversation;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = NAME;

    fn new(config: &CustomerSupportConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(CustomerSupport {
            p: config.clone(),
            next: None,
            conv: Conversation::new(Rng::new(0)),
        })
    }

    fn observation_space(&self) -> Space {
        Space::from_layout(&self.obs_layout(), DType::F32)
    }

    fn action_space(&self) -> Space {
        Space::discrete(N_STRATEGIES as i64)
    }

    fn obs_len(&self) -> usize {
        OBS_LEN
    }

    fn seed(&mut self, seed: u64) {
        self.conv.rng = Rng::new(seed);
    }

    fn reset(&mut self, obs: &mut [f32]) {
        if let Some(p) = self.next.take() {
            self.p = p;
        }
        self.conv.start(&self.p);
        self.write_obs(obs);
    }

    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        if let Some(outcome) = self.conv.ended {
            // Stepping an ended conversation changes nothing.
            self.conv.last = [0.0; N_COMPONENTS];
            self.write_obs(obs);
            let turn_limit = outcome == Outcome::TurnLimit;
            return Step {
                reward: 0.0,
                terminated: !turn_limit,
                truncated: turn_limit,
            };
        }
        let mut a = action as usize;
        if a == ESCALATE && self.conv.queue_full(&self.p) {
            a += 1; // only reachable with invalid_action = "fallback"
        }
        let (terminated, truncated) = self.conv.turn(&self.p, a);
        self.write_obs(obs);
        Step {
            reward: self.conv.last.iter().sum(),
            terminated,
            truncated,
        }
    }

    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        check_discrete(NAME, action, N_STRATEGIES as i64)?;
        if action as usize == ESCALATE
            && self.conv.ended.is_none()
            && self.conv.queue_full(&self.p)
            && self.p.invalid_action == InvalidActionMode::Raise
        {
            return Err(EnvError::InvalidAction {
                env: NAME,
                value: format!(
                    "{ESCALATE} (escalate: the escalation queue is full, {} of {})",
                    self.conv.queue, self.p.escalation_capacity
                ),
                expected: "a strategy allowed by action_masks() (escalate is masked while the queue is full)"
                    .into(),
            });
        }
        Ok(())
    }

    fn action_mask(&self, mask: &mut [bool]) {
        mask.fill(true);
        if self.conv.ended.is_none() && self.conv.queue_full(&self.p) {
            mask[ESCALATE] = false;
        }
    }

    fn state(&self) -> Conversation {
        self.conv.clone()
    }

    fn set_state(&mut self, state: Conversation) -> Result<(), EnvError> {
        state.check(&self.p).map_err(|e| EnvError::state(NAME, e))?;
        self.conv = state;
        Ok(())
    }

    fn reconfigure(&mut self, config: &CustomerSupportConfig) -> Result<(), EnvError> {
        config.validate()?;
        self.next = Some(config.clone());
        Ok(())
    }

    fn names() -> &'static [(&'static str, &'static [&'static str])] {
        &[
            ("strategies", &STRATEGY_NAMES),
            ("industries", &INDUSTRY_NAMES),
            ("inquiries", &INQUIRY_NAMES),
            ("scenarios", &SCENARIO_NAMES),
        ]
    }

    fn info_groups(&self) -> &'static [InfoGroup] {
        INFO
    }

    fn info_values(&self, out: &mut [f64]) {
        out[..N_COMPONENTS].copy_from_slice(&self.conv.last);
        let is = |o: Outcome| f64::from(u8::from(self.conv.ended == Some(o)));
        out[N_COMPONENTS] = is(Outcome::Resolved);
        out[N_COMPONENTS + 1] = is(Outcome::Abandoned);
        out[N_COMPONENTS + 2] = is(Outcome::Escalated);
        out[N_COMPONENTS + 3] = f64::from(self.conv.turn);
    }

    fn obs_layout(&self) -> Vec<ObsField> {
        vec![
            ObsField::new(
                "industry",
                &[3],
                0.0,
                1.0,
                &INDUSTRY_NAMES,
                "one-hot industry",
            ),
            ObsField::new(
                "inquiry",
                &[4],
                0.0,
                1.0,
                &INQUIRY_NAMES,
                "one-hot inquiry group",
            ),
            ObsField::new(
                "sentiment",
                &[1],
                -1.0,
                1.0,
                &[],
                "observed (noisy) sentiment",
            ),
            ObsField::new(
                "sentiment_change",
                &[1],
                -1.0,
                1.0,
                &[],
                "change of the observed sentiment last turn",
            ),
            ObsField::new("urgency", &[1], 0.0, 1.0, &[], "urgency of the request"),
            ObsField::new(
                "tier",
                &[1],
                0.0,
                1.0,
                &[],
                "customer tier: 0 standard, 0.5 premium, 1 VIP",
            ),
            ObsField::new(
                "lifetime_value",
                &[1],
                0.0,
                1.0,
                &[],
                "log(1 + LTV) / log(1 + 1e6)",
            ),
            ObsField::new("turn", &[1], 0.0, 1.0, &[], "turn / max_turns"),
            ObsField::new(
                "progress",
                &[1],
                0.0,
                1.0,
                &[],
                "estimated issue progress (noisy)",
            ),
            ObsField::new(
                "patience",
                &[1],
                0.0,
                1.0,
                &[],
                "estimated share of patience left (noisy)",
            ),
            ObsField::new(
                "repeats",
                &[1],
                0.0,
                1.0,
                &[],
                "consecutive repeats of the last strategy / 4",
            ),
            ObsField::new(
                "escalation_load",
                &[1],
                0.0,
                1.0,
                &[],
                "human-escalation queue / capacity",
            ),
        ]
    }

    fn effective_config(&self) -> Option<CustomerSupportConfig> {
        Some(self.p.clone())
    }

    fn render_ansi(&self) -> String {
        let c = &self.conv;
        let mut out = format!(
            "{} {} customer (tier {}, LTV {:.0}), urgency {:.2}\nturn {}/{}  sentiment {:+.2} (seen {:+.2})  \
             progress {:.2}  patience {:.2}  escalation queue {}/{}\n",
            INDUSTRY_NAMES[c.industry as usize],
            INQUIRY_NAMES[c.inquiry as usize],
            c.tier,
            c.ltv,
            c.urgency,
            c.turn,
            self.p.max_turns,
            c.sentiment,
            c.seen.sentiment,
            c.progress,
            c.patience,
            c.queue,
            self.p.escalation_capacity,
        );
        if let Some(a) = c.last_action {
            out.push_str(&format!("last strategy: {}\n", STRATEGY_NAMES[a as usize]));
        }
        if let Some(o) = c.ended {
            out.push_str(&format!("ended: {o:?}\n"));
        }
        out
    }

    fn render_rgb(&self) -> Frame {
        let c = &self.conv;
        let mut f = Frame::new(320, 140, [245, 245, 245]);
        let bar = |f: &mut Frame, row: usize, v: f64, color| {
            let y = 8.0 + 26.0 * row as f64;
            f.fill_rect(8.0, y, 312.0, y + 18.0, [220, 220, 220]);
            f.fill_rect(8.0, y, 8.0 + 304.0 * v.clamp(0.0, 1.0), y + 18.0, color);
        };
        let mood = if c.sentiment < 0.0 {
            [210, 70, 60]
        } else {
            [70, 170, 90]
        };
        bar(&mut f, 0, (c.sentiment + 1.0) / 2.0, mood);
        bar(&mut f, 1, c.progress, [60, 110, 200]);
        bar(&mut f, 2, c.patience / c.patience_start, [230, 150, 40]);
        bar(
            &mut f,
            3,
            f64::from(c.turn) / f64::from(self.p.max_turns),
            [120, 120, 120],
        );
        bar(
            &mut f,
            4,
            f64::from(c.queue) / f64::from(self.p.escalation_capacity),
            [150, 90, 180],
        );
        f
    }
}

#[cfg(test)]
mod tests;
