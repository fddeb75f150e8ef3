//! CartPole: Gymnasium's CartPole-v1, same equations in the same order, float64
//! state, float32 observation, so that from the same state and actions both
//! give identical observations (see tests/test_cartpole_parity.py).

use serde::{Deserialize, Serialize};

use crate::env::{check_discrete, Env, Step};
use crate::error::EnvError;
use crate::render::Frame;
use crate::rng::Rng;
use crate::space::{DType, Space};

const GRAVITY: f64 = 9.8;
const MASS_CART: f64 = 1.0;
const MASS_POLE: f64 = 0.1;
const TOTAL_MASS: f64 = MASS_POLE + MASS_CART;
const LENGTH: f64 = 0.5; // half the pole's length
const POLEMASS_LENGTH: f64 = MASS_POLE * LENGTH;
const FORCE_MAG: f64 = 10.0;
const TAU: f64 = 0.02;
const THETA_THRESHOLD: f64 = 12.0 * 2.0 * std::f64::consts::PI / 360.0;
const X_THRESHOLD: f64 = 2.4;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CartPoleConfig {
    /// Gymnasium's `sutton_barto_reward`: 0 per step, -1 on termination.
    pub sutton_barto_reward: bool,
    /// Half-width of the uniform initial-state distribution (Gymnasium: 0.05).
    pub reset_bound: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartPoleState {
    /// x, x_dot, theta, theta_dot
    pub physics: [f64; 4],
    /// Gymnasium's `steps_beyond_terminated` is not None.
    pub terminated: bool,
    pub rng: Rng,
}

#[derive(Debug, Clone)]
pub struct CartPole {
    s: [f64; 4],
    terminated: bool,
    rng: Rng,
    sutton_barto: bool,
    reset_bound: f64,
}

impl CartPole {
    #[inline]
    fn write_obs(&self, obs: &mut [f32]) {
        for (o, s) in obs.iter_mut().zip(self.s) {
            *o = s as f32;
        }
    }
}

impl Env for CartPole {
    type Config = CartPoleConfig;
    type State = CartPoleState;
    type Obs = f32;
    type Action = i64;
    const NAME: &'static str = "CartPole";

    fn new(config: &CartPoleConfig) -> Result<Self, EnvError> {
        let reset_bound = config.reset_bound.unwrap_or(0.05);
        // Beyond the tightest finite observation bound (the angle's, 2 x 12
        // degrees) a starting state would lie outside the observation space.
        let max_bound = (THETA_THRESHOLD * 2.0) as f32 as f64;
        if !(reset_bound > 0.0 && reset_bound <= max_bound) {
            return Err(EnvError::config(
                Self::NAME,
                "reset_bound",
                reset_bound,
                format!("a number in (0, {max_bound:.4}] so that starting states lie in the observation space"),
            ));
        }
        Ok(CartPole {
            s: [0.0; 4],
            terminated: false,
            rng: Rng::new(0),
            sutton_barto: config.sutton_barto_reward,
            reset_bound,
        })
    }

    fn observation_space(&self) -> Space {
        // Gymnasium declares these bounds in float32.
        let high = [
            (X_THRESHOLD * 2.0) as f32 as f64,
            f64::INFINITY,
            (THETA_THRESHOLD * 2.0) as f32 as f64,
            f64::INFINITY,
        ];
        Space::Box {
            low: high.iter().map(|h| -h).collect(),
            high: high.to_vec(),
            shape: vec![4],
            dtype: DType::F32,
        }
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn obs_len(&self) -> usize {
        4
    }

    fn seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    fn reset(&mut self, obs: &mut [f32]) {
        let b = self.reset_bound;
        for v in &mut self.s {
            *v = self.rng.uniform_range(-b, b);
        }
        self.terminated = false;
        self.write_obs(obs);
    }

    #[inline]
    fn step(&mut self, action: i64, obs: &mut [f32]) -> Step {
        let [mut x, mut x_dot, mut theta, mut theta_dot] = self.s;
        let force = if action == 1 { FORCE_MAG } else { -FORCE_MAG };
        let (sintheta, costheta) = theta.sin_cos();
        let temp = (force + POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / TOTAL_MASS;
        let thetaacc = (GRAVITY * sintheta - costheta * temp)
            / (LENGTH * (4.0 / 3.0 - MASS_POLE * (costheta * costheta) / TOTAL_MASS));
        let xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
        x += TAU * x_dot;
        x_dot += TAU * xacc;
        theta += TAU * theta_dot;
        theta_dot += TAU * thetaacc;
        self.s = [x, x_dot, theta, theta_dot];
        self.write_obs(obs);

        // Written as Gymnasium writes it: a NaN state does not terminate there
        // either, which `!range.contains()` would change.
        #[allow(clippy::manual_range_contains)]
        let terminated = x < -X_THRESHOLD
            || x > X_THRESHOLD
            || theta < -THETA_THRESHOLD
            || theta > THETA_THRESHOLD;
        // Gymnasium: 1 per step including the failing one, 0 for steps taken
        // after termination (Sutton & Barto variant: 0 per step, -1 after).
        let reward = match (terminated, self.terminated, self.sutton_barto) {
            (false, _, false) => 1.0,
            (false, _, true) => 0.0,
            (true, false, false) => 1.0,
            (true, _, true) => -1.0,
            (true, true, false) => 0.0,
        };
        self.terminated |= terminated;
        Step {
            reward,
            terminated,
            truncated: false,
        }
    }

    #[inline]
    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        check_discrete(Self::NAME, action, 2)
    }

    fn state(&self) -> CartPoleState {
        CartPoleState {
            physics: self.s,
            terminated: self.terminated,
            rng: self.rng.clone(),
        }
    }

    fn set_state(&mut self, state: CartPoleState) -> Result<(), EnvError> {
        // Position and angle inside the observation space's bounds (a state
        // past them could never be observed), velocities finite.
        let [x, x_dot, theta, theta_dot] = state.physics;
        let (x_max, theta_max) = (X_THRESHOLD * 2.0, THETA_THRESHOLD * 2.0);
        let inside = x.abs() <= x_max && theta.abs() <= theta_max;
        if !(inside && x_dot.is_finite() && theta_dot.is_finite()) {
            return Err(EnvError::state(
                Self::NAME,
                format!(
                    "`physics` {:?}; expected finite [x, x_dot, theta, theta_dot] with \
                     |x| <= {x_max} and |theta| <= {theta_max:.4}",
                    state.physics
                ),
            ));
        }
        self.s = state.physics;
        self.terminated = state.terminated;
        self.rng = state.rng;
        Ok(())
    }

    fn render_ansi(&self) -> String {
        const WIDTH: usize = 41;
        let pos = ((self.s[0] + X_THRESHOLD) / (2.0 * X_THRESHOLD) * (WIDTH - 1) as f64)
            .round()
            .clamp(0.0, (WIDTH - 1) as f64) as usize;
        let mut track: Vec<char> = vec!['-'; WIDTH];
        track[pos] = '#';
        let lean = if self.s[2] > 0.02 {
            '/'
        } else if self.s[2] < -0.02 {
            '\\'
        } else {
            '|'
        };
        let mut pole: Vec<char> = vec![' '; WIDTH];
        pole[pos] = lean;
        format!(
            "{}\n{}\nx={:+.3} x_dot={:+.3} theta={:+.4} theta_dot={:+.3}\n",
            pole.iter().collect::<String>(),
            track.iter().collect::<String>(),
            self.s[0],
            self.s[1],
            self.s[2],
            self.s[3]
        )
    }

    /// Same scene as Gymnasium's 600x400 picture: track, cart, pole, axle.
    fn render_rgb(&self) -> Frame {
        let (w, h) = (600.0, 400.0);
        let scale = w / (X_THRESHOLD * 2.0);
        let pole_len = scale * (2.0 * LENGTH);
        let (cart_w, cart_h, pole_w) = (50.0, 30.0, 10.0);
        let mut f = Frame::new(600, 400, [255, 255, 255]);
        // Gymnasium draws with y up and flips; we draw with y down directly.
        let track_y = h - 100.0;
        f.fill_rect(0.0, track_y, w, track_y + 1.0, [0, 0, 0]);
        let cx = self.s[0] * scale + w / 2.0;
        let cart_top = track_y - cart_h / 2.0 - 10.0;
        f.fill_rect(
            cx - cart_w / 2.0,
            cart_top,
            cx + cart_w / 2.0,
            cart_top + cart_h,
            [0, 0, 0],
        );
        let axle = (cx, cart_top + cart_h / 4.0);
        let (s, c) = self.s[2].sin_cos();
        let corner = |dx: f64, dy: f64| (axle.0 + dx * c + dy * s, axle.1 + dx * s - dy * c);
        let pole = [
            corner(-pole_w / 2.0, -pole_w / 2.0),
            corner(-pole_w / 2.0, pole_len - pole_w / 2.0),
            corner(pole_w / 2.0, pole_len - pole_w / 2.0),
            corner(pole_w / 2.0, -pole_w / 2.0),
        ];
        f.fill_convex(&pole, [202, 152, 101]);
        f.fill_circle(axle.0, axle.1, pole_w / 2.0, [129, 132, 203]);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> CartPole {
        let mut e = CartPole::new(&CartPoleConfig::default()).unwrap();
        e.seed(3);
        e
    }

    #[test]
    fn reset_is_within_bounds_and_seeded() {
        let mut a = env();
        let mut b = env();
        let (mut oa, mut ob) = ([0f32; 4], [0f32; 4]);
        a.reset(&mut oa);
        b.reset(&mut ob);
        assert_eq!(oa, ob);
        assert!(oa.iter().all(|v| v.abs() <= 0.05));
    }

    #[test]
    fn always_pushing_right_terminates_with_reward_one() {
        let mut e = env();
        let mut o = [0f32; 4];
        e.reset(&mut o);
        let mut steps = 0;
        loop {
            let s = e.step(1, &mut o);
            steps += 1;
            assert_eq!(s.reward, 1.0);
            if s.terminated {
                break;
            }
            assert!(steps < 200);
        }
        // A step after termination is worth 0, as in Gymnasium.
        assert_eq!(e.step(1, &mut o).reward, 0.0);
    }

    #[test]
    fn state_round_trip_gives_same_future() {
        let mut e = env();
        let mut o = [0f32; 4];
        e.reset(&mut o);
        e.step(0, &mut o);
        let saved = e.state();
        let mut a = [0f32; 4];
        e.step(1, &mut a);
        e.set_state(saved.clone()).unwrap();
        let mut b = [0f32; 4];
        e.step(1, &mut b);
        assert_eq!(a, b);
        let bad = CartPoleState {
            physics: [f64::NAN, 0.0, 0.0, 0.0],
            ..saved
        };
        assert!(e.set_state(bad).is_err());
    }

    #[test]
    fn rejects_bad_action_and_config() {
        let e = env();
        assert!(e.check_action(2).is_err());
        assert!(e.check_action(-1).is_err());
        assert!(e.check_action(1).is_ok());
        for bound in [f64::NAN, 0.0, -1.0, 0.5] {
            let bad = CartPoleConfig {
                reset_bound: Some(bound),
                ..Default::default()
            };
            assert!(CartPole::new(&bad).is_err(), "{bound}");
        }
    }
}
