//! Blackjack: Gymnasium's Blackjack-v1 rules (Sutton & Barto example 5.1),
//! same order of draws (dealer's two cards, then the player's), same rewards
//! for `natural` and `sab`. Cards are drawn from the env's own generator, so
//! the parity test (tests/test_blackjack.py) feeds Gymnasium the same card
//! stream and compares every observation and reward.
//!
//! The observation is Gymnasium's `Tuple(Discrete(32), Discrete(11),
//! Discrete(2))`, declared as `Space::Tuple` and stored flat as three `i64`.

use serde::{Deserialize, Serialize};

use crate::env::{check_discrete, Env, Step};
use crate::error::EnvError;
use crate::render::{Frame, Rgb};
use crate::rng::Rng;
use crate::space::Space;

/// 1 = ace, 2-10, and jack/queen/king count 10 (an infinite deck).
const DECK: [u8; 13] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10];
/// Cards kept per hand for the picture (the rules need only the totals).
const SHOWN: usize = 11;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlackjackConfig {
    /// A natural blackjack that wins pays 1.5 (ignored when `sab`; default false).
    pub natural: Option<bool>,
    /// Sutton & Barto's rules: a natural wins outright unless the dealer has
    /// one too. Default true, as in Gymnasium's registered Blackjack-v1.
    pub sab: Option<bool>,
}

/// A hand as the rules see it: the total with aces counted 1, whether it
/// holds an ace, the number of cards, and the first cards for rendering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Hand {
    pub total: u32,
    pub ace: bool,
    pub count: u32,
    pub cards: [u8; SHOWN],
}

impl Hand {
    fn add(&mut self, card: u8) {
        if (self.count as usize) < SHOWN {
            self.cards[self.count as usize] = card;
        }
        self.count = self.count.saturating_add(1);
        self.total = self.total.saturating_add(u32::from(card));
        self.ace |= card == 1;
    }

    fn usable_ace(&self) -> bool {
        self.ace && self.total + 10 <= 21
    }

    fn sum(&self) -> u32 {
        if self.usable_ace() {
            self.total + 10
        } else {
            self.total
        }
    }

    fn is_bust(&self) -> bool {
        self.sum() > 21
    }

    fn score(&self) -> u32 {
        if self.is_bust() {
            0
        } else {
            self.sum()
        }
    }

    /// An ace and a ten-card as the first two cards (`sorted(hand) == [1, 10]`).
    fn is_natural(&self) -> bool {
        self.count == 2 && self.ace && self.total == 11
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlackjackState {
    pub player: Hand,
    pub dealer: Hand,
    /// The player has stuck: the dealer's hand is shown in full.
    pub stuck: bool,
    pub rng: Rng,
}

#[derive(Debug, Clone)]
pub struct Blackjack {
    natural: bool,
    sab: bool,
    player: Hand,
    dealer: Hand,
    stuck: bool,
    rng: Rng,
}

impl Blackjack {
    fn draw(&mut self) -> u8 {
        DECK[self.rng.below(13) as usize]
    }

    fn write_obs(&self, obs: &mut [i64]) {
        obs[0] = i64::from(self.player.sum());
        obs[1] = i64::from(self.dealer.cards[0]);
        obs[2] = i64::from(self.player.usable_ace());
    }
}

impl Env for Blackjack {
    type Config = BlackjackConfig;
    type State = BlackjackState;
    type Obs = i64;
    type Action = i64;
    const NAME: &'static str = "Blackjack";

    fn new(config: &BlackjackConfig) -> Result<Self, EnvError> {
        Ok(Blackjack {
            natural: config.natural.unwrap_or(false),
            sab: config.sab.unwrap_or(true),
            player: Hand::default(),
            dealer: Hand::default(),
            stuck: false,
            rng: Rng::new(0),
        })
    }

    fn observation_space(&self) -> Space {
        Space::Tuple(vec![
            Space::discrete(32),
            Space::discrete(11),
            Space::discrete(2),
        ])
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    fn reset(&mut self, obs: &mut [i64]) {
        self.dealer = Hand::default();
        self.player = Hand::default();
        self.stuck = false;
        for _ in 0..2 {
            let c = self.draw();
            self.dealer.add(c);
        }
        for _ in 0..2 {
            let c = self.draw();
            self.player.add(c);
        }
        self.write_obs(obs);
    }

    /// 1 hits, 0 sticks (the dealer then draws to 17 and the hands are scored).
    fn step(&mut self, action: i64, obs: &mut [i64]) -> Step {
        let (reward, terminated) = if action == 1 {
            let c = self.draw();
            self.player.add(c);
            if self.player.is_bust() {
                (-1.0, true)
            } else {
                (0.0, false)
            }
        } else {
            self.stuck = true;
            while self.dealer.sum() < 17 {
                let c = self.draw();
                self.dealer.add(c);
            }
            let (p, d) = (self.player.score(), self.dealer.score());
            let mut reward = f64::from(u8::from(p > d)) - f64::from(u8::from(p < d));
            if self.sab && self.player.is_natural() && !self.dealer.is_natural() {
                reward = 1.0;
            } else if !self.sab && self.natural && self.player.is_natural() && reward == 1.0 {
                reward = 1.5;
            }
            (reward, true)
        };
        self.write_obs(obs);
        Step {
            reward,
            terminated,
            truncated: false,
        }
    }

    fn check_action(&self, action: i64) -> Result<(), EnvError> {
        check_discrete(Self::NAME, action, 2)
    }

    fn state(&self) -> BlackjackState {
        BlackjackState {
            player: self.player,
            dealer: self.dealer,
            stuck: self.stuck,
            rng: self.rng.clone(),
        }
    }

    fn set_state(&mut self, state: BlackjackState) -> Result<(), EnvError> {
        for (who, h) in [("player", &state.player), ("dealer", &state.dealer)] {
            let shown = &h.cards[..(h.count as usize).min(SHOWN)];
            let complete = h.count as usize <= SHOWN;
            // At most 21 cards (a hand is over at 21 points) and 31 points
            // (21 and a ten): the observation's range.
            let consistent = (2..=21).contains(&h.count)
                && h.total <= 31
                && shown.iter().all(|c| (1..=10).contains(c))
                && h.total >= h.count
                && (!complete
                    || (h.total == shown.iter().map(|&c| u32::from(c)).sum::<u32>()
                        && h.ace == shown.contains(&1)));
            if !consistent {
                return Err(EnvError::state(
                    Self::NAME,
                    format!("{who} hand {h:?} is not a hand of at least two cards valued 1-10"),
                ));
            }
        }
        self.player = state.player;
        self.dealer = state.dealer;
        self.stuck = state.stuck;
        self.rng = state.rng;
        Ok(())
    }

    fn render_ansi(&self) -> String {
        let cards = |h: &Hand, hide: bool| -> String {
            let n = (h.count as usize).min(SHOWN);
            h.cards[..n]
                .iter()
                .enumerate()
                .map(|(i, &c)| match (i, hide, c) {
                    (1, true, _) => "??".to_string(),
                    (_, _, 1) => "A".to_string(),
                    (_, _, c) => c.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let dealer = if self.stuck {
            format!("{} (sum {})", cards(&self.dealer, false), self.dealer.sum())
        } else {
            cards(&self.dealer, true)
        };
        format!(
            "dealer: {dealer}\nplayer: {} (sum {}{})\n",
            cards(&self.player, false),
            self.player.sum(),
            if self.player.usable_ace() {
                ", usable ace"
            } else {
                ""
            }
        )
    }

    /// A green table: the dealer's cards on top (the hole card face down
    /// until the player sticks), the player's below; a card shows its value
    /// as pips (one large pip for an ace).
    fn render_rgb(&self) -> Frame {
        let mut f = Frame::new(384, 376, [196, 216, 158]);
        let shown_dealer = if self.stuck {
            (self.dealer.count as usize).min(SHOWN)
        } else {
            2
        };
        draw_hand(
            &mut f,
            &self.dealer.cards[..shown_dealer],
            40.0,
            !self.stuck,
        );
        let n = (self.player.count as usize).min(SHOWN);
        draw_hand(&mut f, &self.player.cards[..n], 210.0, false);
        // Bust marker: a red bar under the player's cards.
        if self.player.is_bust() {
            f.fill_rect(20.0, 330.0, 364.0, 340.0, [200, 40, 40]);
        }
        f
    }
}

const CARD_W: f64 = 56.0;
const CARD_H: f64 = 84.0;

fn draw_hand(f: &mut Frame, cards: &[u8], top: f64, hide_second: bool) {
    // Overlap cards when there are many, so up to 11 fit in the frame.
    let step = if cards.len() <= 5 {
        CARD_W + 8.0
    } else {
        (344.0 - CARD_W) / (cards.len() - 1) as f64
    };
    for (i, &c) in cards.iter().enumerate() {
        let x = 20.0 + step * i as f64;
        f.fill_rect(
            x - 1.0,
            top - 1.0,
            x + CARD_W + 1.0,
            top + CARD_H + 1.0,
            [40, 40, 40],
        );
        if i == 1 && hide_second {
            f.fill_rect(x, top, x + CARD_W, top + CARD_H, [50, 70, 160]);
            continue;
        }
        f.fill_rect(x, top, x + CARD_W, top + CARD_H, [250, 250, 250]);
        draw_pips(
            f,
            x,
            top,
            c,
            if c == 1 { [200, 30, 30] } else { [20, 20, 20] },
        );
    }
}

fn draw_pips(f: &mut Frame, x: f64, y: f64, value: u8, color: Rgb) {
    if value == 1 {
        f.fill_circle(x + CARD_W / 2.0, y + CARD_H / 2.0, 12.0, color);
        return;
    }
    // Two columns of up to five pips.
    for k in 0..value {
        let (col, row) = (f64::from(k % 2), f64::from(k / 2));
        f.fill_circle(x + 18.0 + col * 20.0, y + 12.0 + row * 15.0, 5.0, color);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hand(cards: &[u8]) -> Hand {
        let mut h = Hand::default();
        for &c in cards {
            h.add(c);
        }
        h
    }

    #[test]
    fn hand_values_follow_the_rules() {
        assert_eq!(hand(&[1, 6]).sum(), 17);
        assert!(hand(&[1, 6]).usable_ace());
        assert_eq!(hand(&[1, 6, 10]).sum(), 17);
        assert!(!hand(&[1, 6, 10]).usable_ace());
        assert!(hand(&[10, 1]).is_natural());
        assert!(!hand(&[5, 5, 1]).is_natural());
        assert_eq!(hand(&[10, 10, 5]).score(), 0);
    }

    #[test]
    fn natural_pays_per_rule_set() {
        let mut e = Blackjack::new(&BlackjackConfig::default()).unwrap();
        let mut o = [0i64; 3];
        e.reset(&mut o);
        e.player = hand(&[1, 10]);
        e.dealer = hand(&[10, 9]);
        assert_eq!(e.clone().step(0, &mut o).reward, 1.0);
        e.sab = false;
        e.natural = true;
        assert_eq!(e.clone().step(0, &mut o).reward, 1.5);
    }

    #[test]
    fn busting_ends_with_minus_one_and_observation_fits() {
        let mut e = Blackjack::new(&BlackjackConfig::default()).unwrap();
        e.seed(4);
        let mut o = [0i64; 3];
        e.reset(&mut o);
        assert!((4..=21).contains(&o[0]) && (1..=10).contains(&o[1]));
        loop {
            let s = e.step(1, &mut o);
            if s.terminated {
                assert_eq!(s.reward, -1.0);
                assert!(o[0] > 21 && o[0] < 32);
                break;
            }
        }
    }
}
