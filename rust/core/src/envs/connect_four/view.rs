//! Pictures of a ConnectFour game: text and an RGB frame (a blue board, red
//! discs for the first mover, yellow for the second, the last disc marked
//! and a winning four ringed).

use super::board::{Outcome, COLS, LINES, ROWS};
use super::opponent::Opponent;
use super::ConnectFour;
use crate::render::{Frame, Rgb};

const SIDE_NAMES: [&str; 2] = ["RED", "YELLOW"];
const SIDE_MARKS: [char; 2] = ['X', 'O'];
const DISC: [Rgb; 2] = [[214, 48, 49], [246, 196, 40]];
const CELL: f64 = 64.0;
const MARGIN: f64 = 16.0;
const BAR: f64 = 44.0;

/// What the status line says: the result, or whose turn it is.
fn status(env: &ConnectFour) -> String {
    let two_player = env.p.opponent == Opponent::None;
    match (env.board.outcome(), two_player) {
        (Some(Outcome::Draw), _) => "DRAW".into(),
        (Some(Outcome::Win(s)), true) => format!("{} WINS", SIDE_NAMES[s]),
        (Some(Outcome::Win(s)), false) if s == env.agent => "AGENT WINS".into(),
        (Some(Outcome::Win(_)), false) => "OPPONENT WINS".into(),
        (None, true) => format!("{} TO PLAY", SIDE_NAMES[env.board.to_move()]),
        (None, false) => format!("AGENT: {}", SIDE_NAMES[env.agent]),
    }
}

pub fn ansi(env: &ConnectFour) -> String {
    let mut out = String::new();
    for r in 0..ROWS {
        for c in 0..COLS {
            out.push(' ');
            out.push(env.board.cell(r, c).map_or('.', |s| SIDE_MARKS[s]));
        }
        out.push('\n');
    }
    out.push_str(" 0 1 2 3 4 5 6\n");
    let who = match env.p.opponent {
        Opponent::None => "two players".to_string(),
        o => format!("agent {} vs {} opponent", SIDE_MARKS[env.agent], o.name()),
    };
    let last = env
        .last
        .map_or(String::new(), |c| format!(", last move: column {c}"));
    out.push_str(&format!("{who}{last}\n{}\n", status(env).to_lowercase()));
    out
}

fn centre(r: usize, c: usize) -> (f64, f64) {
    (
        MARGIN + (c as f64 + 0.5) * CELL,
        BAR + MARGIN + (r as f64 + 0.5) * CELL,
    )
}

pub fn rgb(env: &ConnectFour) -> Frame {
    let width = (2.0 * MARGIN + COLS as f64 * CELL) as usize;
    let height = (BAR + 2.0 * MARGIN + ROWS as f64 * CELL) as usize;
    let mut f = Frame::new(width, height, [245, 245, 240]);
    f.text(MARGIN, 12.0, &status(env), 4.0, [40, 40, 40]);
    f.fill_rect(
        MARGIN - 6.0,
        BAR + MARGIN - 6.0,
        width as f64 - MARGIN + 6.0,
        height as f64 - MARGIN + 6.0,
        [36, 84, 176],
    );
    // The winning four, if any: its discs get a dark ring.
    let four = match env.board.outcome() {
        Some(Outcome::Win(s)) => LINES
            .iter()
            .copied()
            .find(|&l| env.board.discs[s] & l == l)
            .unwrap_or(0),
        _ => 0,
    };
    for r in 0..ROWS {
        for c in 0..COLS {
            let (x, y) = centre(r, c);
            let radius = CELL * 0.4;
            match env.board.cell(r, c) {
                None => f.fill_circle(x, y, radius, [245, 245, 240]),
                Some(s) => {
                    let on_four = four & super::board::bit(c, ROWS - 1 - r) != 0;
                    if on_four {
                        f.fill_circle(x, y, radius, [30, 30, 30]);
                        f.fill_circle(x, y, radius - 5.0, DISC[s]);
                    } else {
                        f.fill_circle(x, y, radius, DISC[s]);
                    }
                }
            }
        }
    }
    if let Some(c) = env.last {
        let c = c as usize;
        let r = ROWS - usize::from(env.board.heights[c]);
        let (x, y) = centre(r, c);
        f.fill_circle(x, y, CELL * 0.08, [255, 255, 255]);
    }
    f
}
