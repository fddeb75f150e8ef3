//! Pendulum: Gymnasium's Pendulum-v1 with the same arithmetic in the same
//! precision (float64 state; the float32 torque enters float32 products as
//! under NumPy 2's promotion rules), so that from the same state and actions
//! both give identical observations and rewards (tests/test_pendulum.py).
//!
//! Box action `[torque]` in [-2, 2]: out-of-range torques are clipped, as
//! Gymnasium does; NaN is rejected (`InvalidAction`).

use serde::{Deserialize, Serialize};

use crate::env::{Env, Step};
use crate::error::EnvError;
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, Space};

const MAX_SPEED: f64 = 8.0;
const MAX_TORQUE: f32 = 2.0;
const DT: f64 = 0.05;
const M: f64 = 1.0;
const L: f64 = 1.0;
/// Strongest gravity (m/s^2): beyond it the angular velocity saturates at
/// `MAX_SPEED` in one step, whatever the torque.
pub const MAX_G: f64 = 1000.0;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PendulumConfig {
    /// Gravity (Gymnasium's `g`, default 10.0), in [0, `MAX_G` = 1000].
    pub g: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendulumState {
    /// theta (0 = upright), theta_dot
    pub physics: [f64; 2],
    /// The last torque applied (for rendering), None right after a reset.
    pub last_u: Option<f32>,
    pub rng: Rng,
}

#[derive(Debug, Clone)]
pub struct Pendulum {
    g: f64,
    s: [f64; 2],
    last_u: Option<f32>,
    rng: Rng,
}

/// Gymnasium's `angle_normalize`: `((x + pi) % (2 pi)) - pi` with Python's
/// floored modulo (the divisor is positive, so `rem_euclid` agrees).
fn angle_normalize(x: f64) -> f64 {
    (x + std::f64::consts::PI).rem_euclid(2.0 * std::f64::consts::PI) - std::f64::consts::PI
}

impl Pendulum {
    fn write_obs(&self, obs: &mut [f32]) {
        let (sin, cos) = self.s[0].sin_cos();
        obs[0] = cos as f32;
        obs[1] = sin as f32;
        obs[2] = self.s[1] as f32;
    }
}

impl Env for Pendulum {
    type Config = PendulumConfig;
    type State = PendulumState;
    type Obs = f32;
    type Action = [f32; 1];
    const NAME: &'static str = "Pendulum";

    fn new(config: &PendulumConfig) -> Result<Self, EnvError> {
        let g = config.g.unwrap_or(10.0);
        crate::error::check_in(Self::NAME, "g", g, 0.0, MAX_G)?;
        Ok(Pendulum {
            g,
            s: [0.0; 2],
            last_u: None,
            rng: Rng::new(0),
        })
    }

    fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![-1.0, -1.0, -MAX_SPEED],
            high: vec![1.0, 1.0, MAX_SPEED],
            shape: vec![3],
            dtype: DType::F32,
        }
    }

    fn action_space(&self) -> Space {
        let t = f64::from(MAX_TORQUE);
        Space::uniform_box(-t, t, &[1], DType::F32)
    }

    fn seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    /// theta uniform in [-pi, pi), theta_dot uniform in [-1, 1).
    fn reset(&mut self, obs: &mut [f32]) {
        let pi = std::f64::consts::PI;
        self.s = [
            self.rng.uniform_range(-pi, pi),
            self.rng.uniform_range(-1.0, 1.0),
        ];
        self.last_u = None;
        self.write_obs(obs);
    }

    #[inline]
    fn step(&mut self, action: [f32; 1], obs: &mut [f32]) -> Step {
        let [th, thdot] = self.s;
        let u = action[0].clamp(-MAX_TORQUE, MAX_TORQUE);
        self.last_u = Some(u);
        // `0.001 * u**2` and `3.0 / (m * l**2) * u` are float32 products in
        // Gymnasium (a Python float times a float32 scalar stays float32).
        let torque_cost = 0.001f32 * (u * u);
        let costs = angle_normalize(th).powi(2) + 0.1 * thdot.powi(2) + f64::from(torque_cost);
        let drive = (3.0 / (M * L * L)) as f32 * u;
        let newthdot = thdot + (3.0 * self.g / (2.0 * L) * th.sin() + f64::from(drive)) * DT;
        let newthdot = newthdot.clamp(-MAX_SPEED, MAX_SPEED);
        let newth = th + newthdot * DT;
        self.s = [newth, newthdot];
        self.write_obs(obs);
        Step {
            reward: -costs,
            terminated: false,
            truncated: false,
        }
    }

    fn check_action(&self, action: [f32; 1]) -> Result<(), EnvError> {
        if action[0].is_nan() {
            return Err(EnvError::InvalidAction {
                env: Self::NAME,
                value: format!("{action:?}"),
                expected: "a torque in [-2, 2] (larger values are clipped; NaN is not a torque)"
                    .into(),
            });
        }
        Ok(())
    }

    fn state(&self) -> PendulumState {
        PendulumState {
            physics: self.s,
            last_u: self.last_u,
            rng: self.rng.clone(),
        }
    }

    fn set_state(&mut self, state: PendulumState) -> Result<(), EnvError> {
        // The speed inside the observation space's bound, as `step` keeps it.
        let [theta, theta_dot] = state.physics;
        if !(theta.is_finite() && theta_dot.abs() <= MAX_SPEED) {
            return Err(EnvError::state(
                Self::NAME,
                format!(
                    "`physics` {:?}; expected a finite [theta, theta_dot] with |theta_dot| <= {MAX_SPEED}",
                    state.physics
                ),
            ));
        }
        if let Some(u) = state
            .last_u
            .filter(|u| !u.is_finite() || u.abs() > MAX_TORQUE)
        {
            return Err(EnvError::state(
                Self::NAME,
                format!(
                    "`last_u` = {u}; expected None or a torque in [-{MAX_TORQUE}, {MAX_TORQUE}]"
                ),
            ));
        }
        self.s = state.physics;
        self.last_u = state.last_u;
        self.rng = state.rng;
        Ok(())
    }

    fn render_ansi(&self) -> String {
        let u = self.last_u.map_or("-".to_string(), |u| format!("{u:+.3}"));
        format!(
            "theta={:+.4} (0 is upright) theta_dot={:+.3} torque={u}\n",
            angle_normalize(self.s[0]),
            self.s[1]
        )
    }

    /// Gymnasium's 500x500 scene: a red rod from the axle, pointing up at
    /// theta = 0, and a bar showing the last torque.
    fn render_rgb(&self) -> Frame {
        let size = 500.0;
        let mut f = Frame::new(500, 500, [255, 255, 255]);
        let scale = size / 4.4;
        let (cx, cy) = (size / 2.0, size / 2.0);
        let (rod_len, rod_w) = (scale, 0.2 * scale);
        // Screen y grows downwards: the rod's tip is at (sin, -cos) * len.
        let (s, c) = self.s[0].sin_cos();
        let (dx, dy) = (s, -c);
        let (nx, ny) = (-dy * rod_w / 2.0, dx * rod_w / 2.0);
        let tip = (cx + dx * rod_len, cy + dy * rod_len);
        let rod = [
            (cx + nx, cy + ny),
            (tip.0 + nx, tip.1 + ny),
            (tip.0 - nx, tip.1 - ny),
            (cx - nx, cy - ny),
        ];
        f.fill_convex(&rod, [204, 77, 77]);
        f.fill_circle(cx, cy, rod_w / 2.0, [204, 77, 77]);
        f.fill_circle(tip.0, tip.1, rod_w / 2.0, [204, 77, 77]);
        f.fill_circle(cx, cy, 0.05 * scale, [0, 0, 0]);
        if let Some(u) = self.last_u {
            // Torque bar along the bottom: right for positive (counter-clockwise).
            let w = f64::from(u) / f64::from(MAX_TORQUE) * 200.0;
            f.fill_rect(cx, 460.0, cx + w, 475.0, [60, 60, 60]);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Pendulum {
        let mut e = Pendulum::new(&PendulumConfig::default()).unwrap();
        e.seed(1);
        e
    }

    #[test]
    fn torque_is_clipped_and_nan_rejected() {
        let mut a = env();
        let mut o = [0f32; 3];
        a.reset(&mut o);
        let mut b = a.clone();
        let (mut oa, mut ob) = ([0f32; 3], [0f32; 3]);
        let ra = a.step([7.0], &mut oa);
        let rb = b.step([2.0], &mut ob);
        assert_eq!((oa, ra), (ob, rb));
        assert!(a.check_action([f32::NAN]).is_err());
        assert!(a.check_action([f32::INFINITY]).is_ok());
    }

    #[test]
    fn upright_and_still_costs_nothing() {
        let mut e = env();
        e.set_state(PendulumState {
            physics: [0.0, 0.0],
            last_u: None,
            rng: Rng::new(0),
        })
        .unwrap();
        let mut o = [0f32; 3];
        assert_eq!(e.step([0.0], &mut o).reward, 0.0);
        assert_eq!(o, [1.0, 0.0, 0.0]);
    }

    #[test]
    fn speed_is_bounded_and_config_validated() {
        let mut e = env();
        let mut o = [0f32; 3];
        e.reset(&mut o);
        for _ in 0..500 {
            e.step([2.0], &mut o);
            assert!(o[2].abs() <= 8.0);
        }
        assert!(Pendulum::new(&PendulumConfig { g: Some(f64::NAN) }).is_err());
    }
}
