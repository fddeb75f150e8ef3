//! The built-in opponents. Every choice among equally good columns is drawn
//! from the env's generator, so a seeded game replays exactly.

use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::board::LINES;
use super::board::{Board, COLS, DIRECTIONS, LINE_STARTS};
use crate::rng::Rng;

/// Who plays the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Opponent {
    /// A uniformly random legal column.
    #[default]
    Random,
    /// Wins at once if it can, else blocks the agent's immediate win, else random.
    Greedy,
    /// Depth-limited alpha-beta search with a line-count heuristic.
    Minimax,
    /// No built-in opponent: each step plays for the side to move
    /// (two-player mode, for self-play and the PettingZoo env).
    None,
}

impl Opponent {
    pub fn name(self) -> &'static str {
        match self {
            Opponent::Random => "random",
            Opponent::Greedy => "greedy",
            Opponent::Minimax => "minimax",
            Opponent::None => "none",
        }
    }
}

/// Columns searched first: the centre takes part in the most lines, so
/// alpha-beta cuts off sooner.
const ORDER: [usize; COLS] = [3, 2, 4, 1, 5, 0, 6];
/// Score of a win; a win found `ply` plies deeper scores `WIN - ply`, so
/// the search prefers the quickest win and the slowest loss.
const WIN: i32 = 1_000_000;
const INF: i32 = 1 << 30;
/// Heuristic weight of a line holding 1, 2 or 3 discs of one side only.
const LINE_WEIGHT: [i32; 4] = [0, 1, 4, 16];

/// One uniformly drawn column of the bit set `cols` (not empty).
pub fn pick(cols: u8, rng: &mut Rng) -> usize {
    debug_assert!(cols != 0);
    let mut k = rng.below(u64::from(cols.count_ones()));
    let mut set = cols;
    loop {
        let c = set.trailing_zeros() as usize;
        if k == 0 {
            return c;
        }
        k -= 1;
        set &= set - 1;
    }
}

/// The column `kind` plays for the side to move (the game is not over).
pub fn choose(board: &Board, kind: Opponent, depth: u32, rng: &mut Rng) -> usize {
    match kind {
        Opponent::Random | Opponent::None => pick(board.legal(), rng),
        Opponent::Greedy => greedy(board, rng),
        Opponent::Minimax => minimax(board, depth, rng),
    }
}

fn columns_where(board: &Board, test: impl Fn(&Board, usize) -> bool) -> u8 {
    (0..COLS)
        .filter(|&c| board.can_play(c) && test(board, c))
        .fold(0u8, |m, c| m | (1 << c))
}

fn greedy(board: &Board, rng: &mut Rng) -> usize {
    let wins = columns_where(board, Board::wins_with);
    if wins != 0 {
        return pick(wins, rng);
    }
    let blocks = columns_where(board, Board::loses_to);
    if blocks != 0 {
        return pick(blocks, rng);
    }
    pick(board.legal(), rng)
}

/// Lines open to one side only, weighted by how full they are: the side to
/// move's minus the other side's. For unfinished positions (the search
/// scores no other): a full line would be a four.
pub fn heuristic(board: &Board) -> i32 {
    let (me, them) = (
        board.discs[board.to_move()],
        board.discs[1 - board.to_move()],
    );
    open_lines_score(me, them) - open_lines_score(them, me)
}

/// Sum over the lines holding none of `them`'s discs of the weight of the
/// number of `me`'s discs in them. All lines of one direction at once: bit
/// `p` of `x_k` is the cell `k` steps from `p`, and a bit-sliced adder
/// counts the four per start cell `p` (the starts are `LINE_STARTS`).
fn open_lines_score(me: u64, them: u64) -> i32 {
    let mut score = 0;
    for (&s, &starts) in DIRECTIONS.iter().zip(&LINE_STARTS) {
        let shifted = |b: u64, k: usize| b >> (k * s);
        let open = starts & !(them | shifted(them, 1) | shifted(them, 2) | shifted(them, 3));
        let (x0, x1, x2, x3) = (me, shifted(me, 1), shifted(me, 2), shifted(me, 3));
        let (s1, c1, s2, c2) = (x0 ^ x1, x0 & x1, x2 ^ x3, x2 & x3);
        let (bit0, carry) = (s1 ^ s2, s1 & s2);
        let bit1 = c1 ^ c2 ^ carry;
        let bit2 = (c1 & c2) | (c1 & carry) | (c2 & carry);
        let count = |m: u64| (open & m).count_ones() as i32;
        score += LINE_WEIGHT[1] * count(bit0 & !bit1 & !bit2)
            + LINE_WEIGHT[2] * count(!bit0 & bit1 & !bit2)
            + LINE_WEIGHT[3] * count(bit0 & bit1);
    }
    score
}

/// The heuristic line by line over `LINES` (the definition the bit-sliced
/// version is tested against).
#[cfg(test)]
pub fn heuristic_by_lines(board: &Board) -> i32 {
    let (me, them) = (
        board.discs[board.to_move()],
        board.discs[1 - board.to_move()],
    );
    LINES
        .iter()
        .map(|&line| {
            let (a, b) = ((me & line).count_ones(), (them & line).count_ones());
            match (a, b) {
                (a, 0) => LINE_WEIGHT[a.min(3) as usize],
                (0, b) => -LINE_WEIGHT[b.min(3) as usize],
                _ => 0,
            }
        })
        .sum()
}

/// Value for the side that moves next of playing `col` now, searched
/// `depth` plies deep (this move included) within (`alpha`, `beta`).
fn move_value(board: &mut Board, col: usize, depth: u32, ply: i32, alpha: i32, beta: i32) -> i32 {
    if board.wins_with(col) {
        return WIN - ply;
    }
    board.play(col);
    let v = if board.is_full() {
        0
    } else if depth <= 1 {
        -heuristic(board)
    } else {
        -negamax(board, depth - 1, ply + 1, -beta, -alpha)
    };
    board.undo(col);
    v
}

/// Alpha-beta negamax: the value of the position for the side to move.
fn negamax(board: &mut Board, depth: u32, ply: i32, mut alpha: i32, beta: i32) -> i32 {
    let mut best = -INF;
    for &c in &ORDER {
        if !board.can_play(c) {
            continue;
        }
        let v = move_value(board, c, depth, ply, alpha, beta);
        best = best.max(v);
        alpha = alpha.max(v);
        if alpha >= beta {
            break;
        }
    }
    best
}

/// The best column `depth` plies deep, a tie drawn from `rng`. Each root
/// move is searched with alpha just below the best value so far: a move as
/// good as the best gets its exact value (so ties are seen), a worse one
/// is cut off early.
fn minimax(board: &Board, depth: u32, rng: &mut Rng) -> usize {
    let mut b = *board;
    let mut best = -INF;
    let mut ties = 0u8;
    for &c in &ORDER {
        if !b.can_play(c) {
            continue;
        }
        let v = move_value(&mut b, c, depth, 0, best.saturating_sub(1), INF);
        if v > best {
            best = v;
            ties = 1 << c;
        } else if v == best {
            ties |= 1 << c;
        }
    }
    pick(ties, rng)
}
