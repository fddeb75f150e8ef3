use super::board::{Board, LINES};
use super::opponent::{choose, heuristic, heuristic_by_lines};
use super::*;

/// A board after the given columns were played, alternating from the first mover.
fn played(cols: &[usize]) -> Board {
    let mut b = Board::default();
    for &c in cols {
        b.play(c);
    }
    b
}

/// A full board with no four in a row (rows from the top).
const DRAWN: [[u8; COLS]; ROWS] = [
    [1, 1, 2, 2, 1, 1, 1],
    [2, 2, 1, 1, 2, 2, 2],
    [1, 1, 2, 2, 1, 1, 1],
    [2, 2, 1, 1, 2, 2, 2],
    [1, 1, 2, 2, 1, 1, 1],
    [2, 2, 1, 1, 2, 2, 2],
];

fn env(config: ConnectFourConfig) -> (ConnectFour, [f32; 84]) {
    let mut e = ConnectFour::new(&config).unwrap();
    e.seed(3);
    let mut o = [0f32; 84];
    e.reset(&mut o);
    (e, o)
}

#[test]
fn there_are_69_distinct_lines_of_four() {
    assert!(LINES.iter().all(|l| l.count_ones() == 4));
    let mut v = LINES.to_vec();
    v.sort_unstable();
    v.dedup();
    assert_eq!(v.len(), 69);
}

#[test]
fn line_starts_cover_each_direction() {
    // 24 horizontal, 21 vertical, 12 + 12 diagonal lines.
    let counts: Vec<u32> = super::board::LINE_STARTS
        .iter()
        .map(|m| m.count_ones())
        .collect();
    assert_eq!(counts, vec![21, 24, 12, 12]);
}

#[test]
fn bit_sliced_heuristic_equals_the_line_by_line_definition() {
    let mut rng = Rng::new(11);
    for _ in 0..2000 {
        let mut b = Board::default();
        let moves = rng.below(40);
        for _ in 0..moves {
            let c = super::opponent::pick(b.legal(), &mut rng);
            if b.wins_with(c) {
                break; // the search scores only unfinished positions
            }
            b.play(c);
        }
        assert_eq!(heuristic(&b), heuristic_by_lines(&b), "{:?}", b.to_grid());
    }
}

#[test]
fn vertical_four_wins() {
    // First mover stacks column 0; the second plays column 1.
    let b = played(&[0, 1, 0, 1, 0, 1]);
    assert!(b.wins_with(0));
    assert_eq!(
        played(&[0, 1, 0, 1, 0, 1, 0]).outcome(),
        Some(Outcome::Win(0))
    );
    // Three in a column with the fourth above the top row is no win.
    assert_eq!(played(&[2, 2, 2, 3, 3, 2, 3, 2, 3, 2]).outcome(), None);
}

#[test]
fn horizontal_four_wins() {
    assert_eq!(
        played(&[0, 0, 1, 1, 2, 2, 3]).outcome(),
        Some(Outcome::Win(0))
    );
    assert_eq!(
        played(&[3, 3, 4, 4, 5, 5, 6]).outcome(),
        Some(Outcome::Win(0))
    );
}

#[test]
fn lines_do_not_wrap_from_one_column_into_the_next() {
    // The first mover holds the top three cells of column 0 and the bottom
    // cell of column 1: consecutive bits but for the sentinel between them.
    let mut grid = [[0u8; COLS]; ROWS];
    for r in 0..3 {
        grid[r][0] = 1;
        grid[r + 3][0] = 2;
    }
    grid[5][1] = 1;
    let b = Board::from_grid(&grid).unwrap();
    assert_eq!(b.outcome(), None);
    // Nor does the bottom row continue into the next column's top.
    assert_eq!(played(&[4, 0, 5, 1, 6, 0, 0]).outcome(), None);
}

#[test]
fn rising_diagonal_four_wins() {
    // First mover: (0,0) (1,1) (2,2) (3,3) with fillers from the second mover.
    let b = played(&[0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3]);
    assert_eq!(b.outcome(), Some(Outcome::Win(0)));
}

#[test]
fn falling_diagonal_four_wins() {
    // Mirror image of the rising diagonal: columns 6-c.
    let b = played(&[6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3]);
    assert_eq!(b.outcome(), Some(Outcome::Win(0)));
}

#[test]
fn full_board_without_four_is_a_draw() {
    let b = Board::from_grid(&DRAWN).unwrap();
    assert!(b.is_full());
    assert_eq!(b.outcome(), Some(Outcome::Draw));
    assert_eq!(b.to_grid(), DRAWN);
}

#[test]
fn last_disc_filling_the_board_ends_in_a_draw_with_reward_zero() {
    let (mut e, mut o) = env(ConnectFourConfig::default());
    let mut grid = DRAWN;
    grid[0][2] = 0; // a second mover's disc: the second mover (the agent) is to move
    e.set_state(ConnectFourState {
        board: grid,
        agent: 2,
        last: None,
        rng: Rng::new(0),
    })
    .unwrap();
    let s = e.step(2, &mut o);
    assert_eq!((s.reward, s.terminated, s.truncated), (0.0, true, false));
}

#[test]
fn mask_is_the_columns_with_room() {
    let (mut e, mut o) = env(ConnectFourConfig {
        opponent: Opponent::None,
        ..Default::default()
    });
    for _ in 0..6 {
        e.step(3, &mut o);
    }
    let mut m = [true; COLS];
    e.action_mask(&mut m);
    assert_eq!(m, [true, true, true, false, true, true, true]);
    assert!(matches!(
        e.check_action(3),
        Err(EnvError::InvalidAction { .. })
    ));
    assert!(e.check_action(7).is_err() && e.check_action(-1).is_err());
}

#[test]
fn fallback_plays_the_next_column_with_room() {
    let (mut e, mut o) = env(ConnectFourConfig {
        opponent: Opponent::None,
        invalid_action: InvalidActionMode::Fallback,
        ..Default::default()
    });
    for _ in 0..6 {
        e.step(6, &mut o);
    }
    assert!(e.check_action(6).is_ok());
    e.step(6, &mut o);
    assert_eq!(e.board().heights[0], 1);
}

#[test]
fn minimax_and_greedy_take_a_win_in_one() {
    // Second mover to move with three on the bottom row (1, 2, 3); column 0
    // or 4 wins. The first mover has three stacked in column 6 as well, so
    // a search that only blocked would play 6.
    let b = played(&[6, 1, 6, 2, 6, 3, 5]);
    assert_eq!(b.to_move(), 1);
    for seed in 0..20 {
        let mut rng = Rng::new(seed);
        for kind in [Opponent::Greedy, Opponent::Minimax] {
            let c = choose(&b, kind, 4, &mut rng);
            assert!(c == 0 || c == 4, "{kind:?} played {c}");
        }
    }
}

#[test]
fn minimax_and_greedy_block_an_immediate_loss() {
    // First mover threatens column 3 on the bottom row (0, 1, 2 held).
    let b = played(&[0, 6, 1, 6, 2]);
    assert_eq!(b.to_move(), 1);
    for seed in 0..20 {
        let mut rng = Rng::new(seed);
        assert_eq!(choose(&b, Opponent::Greedy, 1, &mut rng), 3);
        for depth in 2..=5 {
            assert_eq!(choose(&b, Opponent::Minimax, depth, &mut rng), 3);
        }
    }
}

#[test]
fn minimax_ties_are_drawn_from_the_generator() {
    // A mirror-symmetric position where column 3 and the pair 2 / 4 tie at
    // depth 3: seeds spread over the tied columns, the same seed repeats.
    let b = played(&[3, 3]);
    let pick = |s: u64| choose(&b, Opponent::Minimax, 3, &mut Rng::new(s));
    let picks: std::collections::BTreeSet<usize> = (0..64).map(pick).collect();
    assert_eq!(picks, [2, 3, 4].into_iter().collect());
    assert!((0..64).all(|s| pick(s) == pick(s)));
}

#[test]
fn opponent_replies_and_the_observation_is_from_the_agents_side() {
    let (mut e, mut o) = env(ConnectFourConfig::default());
    assert!(o.iter().all(|&v| v == 0.0));
    e.step(3, &mut o);
    // Plane 0 (agent) holds the disc at the bottom of column 3; plane 1 one disc.
    assert_eq!(o[5 * COLS + 3], 1.0);
    assert_eq!(o[..42].iter().sum::<f32>(), 1.0);
    assert_eq!(o[42..].iter().sum::<f32>(), 1.0);
}

#[test]
fn opponent_first_moves_during_reset() {
    let (e, o) = env(ConnectFourConfig {
        first: First::Opponent,
        ..Default::default()
    });
    assert_eq!(e.board().moves, 1);
    assert_eq!(o[42..].iter().sum::<f32>(), 1.0);
}

#[test]
fn agent_loses_with_minus_one_when_the_opponent_completes_four() {
    let (mut e, mut o) = env(ConnectFourConfig {
        opponent: Opponent::Greedy,
        ..Default::default()
    });
    // The greedy opponent (second mover) holds 4, 5, 6 on the bottom row;
    // the agent (first mover, to move) plays column 0 instead of blocking 3.
    let mut grid = [[0u8; COLS]; ROWS];
    grid[5] = [1, 1, 0, 0, 2, 2, 2];
    grid[4][0] = 1;
    e.set_state(ConnectFourState {
        board: grid,
        agent: 1,
        last: None,
        rng: Rng::new(0),
    })
    .unwrap();
    let s = e.step(0, &mut o);
    assert_eq!((s.reward, s.terminated), (-1.0, true));
    // A finished game ignores further steps.
    let again = e.step(5, &mut o);
    assert_eq!((again.reward, again.terminated), (0.0, true));
}

#[test]
fn set_state_rejects_unreachable_boards() {
    let (mut e, _) = env(ConnectFourConfig::default());
    let state = |board| ConnectFourState {
        board,
        agent: 1,
        last: None,
        rng: Rng::new(0),
    };
    let mut floating = [[0u8; COLS]; ROWS];
    floating[0][0] = 1;
    assert!(e.set_state(state(floating)).is_err());
    let mut counts = [[0u8; COLS]; ROWS];
    counts[5][0] = 2;
    assert!(e.set_state(state(counts)).is_err());
    let mut value = [[0u8; COLS]; ROWS];
    value[5][0] = 3;
    assert!(e.set_state(state(value)).is_err());
    assert!(e.set_state(state([[0; COLS]; ROWS])).is_ok());
    assert!(e.state().board == [[0; COLS]; ROWS]);
}
