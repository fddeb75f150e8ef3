//! PointMass: drive a puck on a walled 2-D table to a random goal with a
//! continuous force (Box actions). A small continuous-control task that
//! trains in seconds, in the spirit of DeepMind Control's `point_mass` and
//! Gymnasium's Reacher.

use serde::{Deserialize, Serialize};

use crate::env::{Env, Step};
use crate::error::EnvError;
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, ObsField, Space};

const DT: f64 = 0.1;
/// Force 1 accelerates the puck by this much per second.
const ACCEL: f64 = 2.0;
/// Velocity decays by this fraction per second (friction).
const DAMPING: f64 = 0.5;
const MAX_SPEED: f64 = 2.0;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointMassConfig {
    /// Distance to the goal that counts as reaching it (default 0.05).
    pub goal_radius: Option<f64>,
    /// Weight of the squared force in the per-step cost, in [0, 1e6]
    /// (`MAX_REWARD_SCALE`; default 0.01).
    pub ctrl_cost: Option<f64>,
    /// Reward added on reaching the goal, in [0, 1e6] (default 10.0).
    pub reach_bonus: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointMassState {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
    pub goal: [f64; 2],
    pub rng: Rng,
}

#[derive(Debug, Clone)]
pub struct PointMass {
    goal_radius: f64,
    ctrl_cost: f64,
    reach_bonus: f64,
    pos: [f64; 2],
    vel: [f64; 2],
    goal: [f64; 2],
    rng: Rng,
}

impl PointMass {
    fn layout() -> Vec<ObsField> {
        vec![
            ObsField::new(
                "position",
                &[2],
                -1.0,
                1.0,
                &["x", "y"],
                "the puck's position on the table",
            ),
            ObsField::new(
                "velocity",
                &[2],
                -MAX_SPEED,
                MAX_SPEED,
                &["vx", "vy"],
                "the puck's velocity",
            ),
            ObsField::new(
                "to_goal",
                &[2],
                -2.0,
                2.0,
                &["dx", "dy"],
                "goal position minus puck position",
            ),
        ]
    }

    fn distance(&self) -> f64 {
        (self.goal[0] - self.pos[0]).hypot(self.goal[1] - self.pos[1])
    }

    fn write_obs(&self, obs: &mut [f32]) {
        for k in 0..2 {
            obs[k] = self.pos[k] as f32;
            obs[2 + k] = self.vel[k] as f32;
            obs[4 + k] = (self.goal[k] - self.pos[k]) as f32;
        }
    }
}

fn scale(name: &str, v: f64) -> Result<f64, EnvError> {
    crate::error::check_in(
        PointMass::NAME,
        name,
        v,
        0.0,
        crate::error::MAX_REWARD_SCALE,
    )?;
    Ok(v)
}

fn positive(name: &str, v: f64, allow_zero: bool) -> Result<f64, EnvError> {
    let ok = v.is_finite() && (v > 0.0 || (allow_zero && v == 0.0));
    if ok {
        Ok(v)
    } else {
        let what = if allow_zero {
            "a finite number >= 0"
        } else {
            "a finite number > 0"
        };
        Err(EnvError::config(PointMass::NAME, name, v, what))
    }
}

impl Env for PointMass {
    type Config = PointMassConfig;
    type State = PointMassState;
    type Obs = f32;
    type Action = [f32; 2];
    const NAME: &'static str = "PointMass";

    fn new(config: &PointMassConfig) -> Result<Self, EnvError> {
        let goal_radius = positive("goal_radius", config.goal_radius.unwrap_or(0.05), false)?;
        if goal_radius >= 1.0 {
            return Err(EnvError::config(
                Self::NAME,
                "goal_radius",
                goal_radius,
                "a number in (0, 1)",
            ));
        }
        Ok(PointMass {
            goal_radius,
            ctrl_cost: scale("ctrl_cost", config.ctrl_cost.unwrap_or(0.01))?,
            reach_bonus: scale("reach_bonus", config.reach_bonus.unwrap_or(10.0))?,
            pos: [0.0; 2],
            vel: [0.0; 2],
            goal: [0.5; 2],
            rng: Rng::new(0),
        })
    }

    fn observation_space(&self) -> Space {
        Space::from_layout(&Self::layout(), DType::F32)
    }

    fn action_space(&self) -> Space {
        Space::uniform_box(-1.0, 1.0, &[2], DType::F32)
    }

    fn obs_layout(&self) -> Vec<ObsField> {
        Self::layout()
    }

    fn seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    /// Puck at rest anywhere on the table; goal anywhere at least 0.3 away.
    fn reset(&mut self, obs: &mut [f32]) {
        self.pos = [
            self.rng.uniform_range(-0.9, 0.9),
            self.rng.uniform_range(-0.9, 0.9),
        ];
        self.vel = [0.0; 2];
        loop {
            self.goal = [
                self.rng.uniform_range(-0.9, 0.9),
                self.rng.uniform_range(-0.9, 0.9),
            ];
            if self.distance() >= 0.3 {
                break;
            }
        }
        self.write_obs(obs);
    }

    fn step(&mut self, action: [f32; 2], obs: &mut [f32]) -> Step {
        // Out-of-range forces are clipped to [-1, 1] (what a Gaussian policy's
        // samples need); NaN was rejected by `check_action`.
        let u = action.map(|a| f64::from(a.clamp(-1.0, 1.0)));
        for (k, uk) in u.iter().enumerate() {
            let v = self.vel[k] * (1.0 - DAMPING * DT) + ACCEL * uk * DT;
            self.vel[k] = v.clamp(-MAX_SPEED, MAX_SPEED);
            self.pos[k] += self.vel[k] * DT;
            // Walls: stop at the edge of the table.
            if self.pos[k].abs() > 1.0 {
                self.pos[k] = self.pos[k].clamp(-1.0, 1.0);
                self.vel[k] = 0.0;
            }
        }
        let dist = self.distance();
        let reached = dist < self.goal_radius;
        let mut reward = -dist - self.ctrl_cost * (u[0] * u[0] + u[1] * u[1]);
        if reached {
            reward += self.reach_bonus;
        }
        self.write_obs(obs);
        Step {
            reward,
            terminated: reached,
            truncated: false,
        }
    }

    fn check_action(&self, action: [f32; 2]) -> Result<(), EnvError> {
        if action.iter().any(|a| a.is_nan()) {
            return Err(EnvError::InvalidAction {
                env: Self::NAME,
                value: format!("{action:?}"),
                expected: "a force in [-1, 1]^2 (larger values are clipped; NaN is not a force)"
                    .into(),
            });
        }
        Ok(())
    }

    fn state(&self) -> PointMassState {
        PointMassState {
            pos: self.pos,
            vel: self.vel,
            goal: self.goal,
            rng: self.rng.clone(),
        }
    }

    fn set_state(&mut self, s: PointMassState) -> Result<(), EnvError> {
        let inside = s.pos.iter().chain(&s.goal).all(|v| v.abs() <= 1.0)
            && s.vel.iter().all(|v| v.abs() <= MAX_SPEED);
        if !inside {
            return Err(EnvError::state(
                Self::NAME,
                format!(
                    "pos {:?} and goal {:?} must lie in [-1, 1]^2 and vel {:?} within ±{MAX_SPEED}",
                    s.pos, s.goal, s.vel
                ),
            ));
        }
        self.pos = s.pos;
        self.vel = s.vel;
        self.goal = s.goal;
        self.rng = s.rng;
        Ok(())
    }

    fn render_ansi(&self) -> String {
        const N: usize = 21;
        let cell = |v: f64| {
            (((v + 1.0) / 2.0) * (N - 1) as f64)
                .round()
                .clamp(0.0, (N - 1) as f64) as usize
        };
        let mut rows = vec![vec!['.'; N]; N];
        rows[N - 1 - cell(self.goal[1])][cell(self.goal[0])] = 'G';
        rows[N - 1 - cell(self.pos[1])][cell(self.pos[0])] = 'o';
        let mut s: String = rows
            .into_iter()
            .map(|r| r.into_iter().collect::<String>() + "\n")
            .collect();
        s += &format!(
            "pos=({:+.3}, {:+.3}) vel=({:+.3}, {:+.3}) distance={:.3}\n",
            self.pos[0],
            self.pos[1],
            self.vel[0],
            self.vel[1],
            self.distance()
        );
        s
    }

    /// The table seen from above (y up): goal in green, puck in blue with a
    /// line showing its velocity.
    fn render_rgb(&self) -> Frame {
        let size = 400.0;
        let mut f = Frame::new(400, 400, [60, 60, 60]);
        let m = 10.0;
        f.fill_rect(m, m, size - m, size - m, [235, 235, 225]);
        let px = |x: f64| m + (x + 1.0) / 2.0 * (size - 2.0 * m);
        let py = |y: f64| m + (1.0 - y) / 2.0 * (size - 2.0 * m);
        let scale = (size - 2.0 * m) / 2.0;
        f.fill_circle(
            px(self.goal[0]),
            py(self.goal[1]),
            (self.goal_radius * scale).max(6.0),
            [60, 170, 80],
        );
        let (cx, cy) = (px(self.pos[0]), py(self.pos[1]));
        let (vx, vy) = (self.vel[0] * 40.0, -self.vel[1] * 40.0);
        let len = vx.hypot(vy);
        if len > 1.0 {
            let (nx, ny) = (-vy / len * 2.0, vx / len * 2.0);
            f.fill_convex(
                &[
                    (cx + nx, cy + ny),
                    (cx + vx + nx, cy + vy + ny),
                    (cx + vx - nx, cy + vy - ny),
                    (cx - nx, cy - ny),
                ],
                [200, 80, 60],
            );
        }
        f.fill_circle(cx, cy, 10.0, [50, 90, 200]);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> PointMass {
        let mut e = PointMass::new(&PointMassConfig::default()).unwrap();
        e.seed(2);
        e
    }

    #[test]
    fn pushing_towards_the_goal_reaches_it() {
        let mut e = env();
        let mut o = [0f32; 6];
        e.reset(&mut o);
        let mut reached = false;
        for _ in 0..300 {
            // Proportional-derivative push towards the goal.
            let a = [(2.0 * o[4] - o[2]), (2.0 * o[5] - o[3])];
            let s = e.step(a, &mut o);
            if s.terminated {
                assert!(s.reward > 0.0);
                reached = true;
                break;
            }
        }
        assert!(reached);
    }

    #[test]
    fn walls_stop_the_puck_and_forces_are_clipped() {
        let mut e = env();
        let mut o = [0f32; 6];
        e.reset(&mut o);
        let mut c = e.clone();
        let mut oc = [0f32; 6];
        for _ in 0..100 {
            let s = e.step([5.0, 0.0], &mut o);
            let t = c.step([1.0, 0.0], &mut oc);
            assert_eq!(o, oc);
            assert!(s.reward < t.reward + 1e-12 || s.terminated);
            assert!(o[0] <= 1.0);
        }
        assert!(e.check_action([0.0, f32::NAN]).is_err());
        assert!(PointMass::new(&PointMassConfig {
            goal_radius: Some(0.0),
            ..Default::default()
        })
        .is_err());
    }
}
