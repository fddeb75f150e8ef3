//! The `rgb_array` picture of the help desk: a clock, the backlog, the ticket
//! being routed with its SLA timer, and one lane per engineer slot with its
//! open tickets coloured by priority, each over its own SLA timer. The lane
//! that received the last routed ticket is marked, and that ticket outlined.

use super::config::{PRIORITY_NAMES, TIER_NAMES};
use super::rates::DAY;
use super::sim::Desk;
use crate::render::{Frame, Rgb};

/// Critical, high, medium, low.
pub const PRIORITY_COLORS: [Rgb; 4] = [
    [205, 40, 40],
    [240, 135, 30],
    [225, 195, 50],
    [110, 150, 200],
];
const BACKGROUND: Rgb = [245, 245, 245];
const INK: Rgb = [30, 30, 30];
const ON_SHIFT: Rgb = [215, 235, 215];
const OFF_SHIFT: Rgb = [215, 215, 215];
const SKILL: Rgb = [150, 90, 200];

pub const WIDTH: usize = 480;
const HEADER: usize = 70;
const ROW: usize = 26;
const LANE_X: f64 = 36.0;
const SKILL_X: f64 = 400.0;

/// Fraction of the SLA used, and its colour: green, amber past 75 %, red once breached.
fn sla_timer(now: f64, arrival: f64, deadline: f64) -> (f64, Rgb) {
    let used = ((now - arrival) / (deadline - arrival).max(1e-9)).max(0.0);
    let color = if used >= 1.0 {
        [200, 30, 30]
    } else if used >= 0.75 {
        [235, 160, 20]
    } else {
        [60, 160, 70]
    };
    (used.min(1.0), color)
}

pub fn draw(env: &Desk) -> Frame {
    let s = &env.sim;
    let p = &env.p;
    let m = p.max_engineers;
    let mut f = Frame::new(WIDTH, HEADER + ROW * m + 4, BACKGROUND);

    // Clock: day and time of day, and a bar over the day with the episode's days as ticks.
    let day = (s.now / DAY).floor();
    let tod = s.now - day * DAY;
    let clock = format!(
        "DAY {} {:02}:{:02}",
        day as u32 + 1,
        (tod / 60.0).floor() as u32,
        (tod % 60.0).floor() as u32
    );
    f.text(6.0, 6.0, &clock, 2.0, INK);
    f.fill_rect(6.0, 22.0, 186.0, 28.0, [210, 210, 210]);
    f.fill_rect(6.0, 22.0, 6.0 + 180.0 * tod / DAY, 28.0, [90, 90, 90]);
    let horizon = f64::from(p.episode_days) * DAY;
    f.fill_rect(
        6.0,
        30.0,
        6.0 + 180.0 * (s.now / horizon).min(1.0),
        32.0,
        [150, 150, 220],
    );

    // Backlog: its size, then one square per waiting ticket, by priority.
    let end = f.text(200.0, 6.0, "BACKLOG ", 2.0, INK);
    f.text(end, 6.0, &s.pending.len().to_string(), 2.0, INK);
    let mut waiting: Vec<u8> = s.pending.iter().map(|t| t.priority).collect();
    waiting.sort_unstable();
    for (j, &prio) in waiting.iter().take(((WIDTH - 206) / 9) * 2).enumerate() {
        let per_row = (WIDTH - 206) / 9;
        let x = 200.0 + (j % per_row) as f64 * 9.0;
        let y = 22.0 + (j / per_row) as f64 * 9.0;
        f.fill_rect(x, y, x + 7.0, y + 7.0, PRIORITY_COLORS[prio as usize]);
    }

    // The ticket being routed: its priority and SLA timer.
    f.text(6.0, 44.0, "NOW", 2.0, INK);
    if let Some(t) = &s.current {
        f.fill_rect(40.0, 40.0, 60.0, 60.0, PRIORITY_COLORS[t.priority as usize]);
        f.text(66.0, 44.0, &format!("T{}", t.kind), 2.0, INK);
        let (used, color) = sla_timer(s.now, t.arrival, t.deadline);
        f.fill_rect(100.0, 46.0, 260.0, 54.0, [225, 225, 225]);
        f.fill_rect(100.0, 46.0, 100.0 + 160.0 * used, 54.0, color);
    }
    f.text(SKILL_X, 44.0, "SKILL", 2.0, SKILL);

    // Where the last decision went: the engineer assigned most recently.
    let last = s
        .engineers
        .iter()
        .enumerate()
        .filter(|(_, e)| e.present && e.last_assign.is_finite() && !e.queue.is_empty())
        .max_by(|a, b| a.1.last_assign.total_cmp(&b.1.last_assign))
        .map(|(i, _)| i);

    let block = ((SKILL_X - LANE_X - 8.0) / p.cap as f64).min(24.0);
    for (i, e) in s.engineers.iter().enumerate() {
        let y = (HEADER + i * ROW) as f64;
        if !e.present {
            continue;
        }
        f.text(14.0, y + 6.0, &i.to_string(), 2.0, INK);
        let shade = if e.on_shift { ON_SHIFT } else { OFF_SHIFT };
        f.fill_rect(LANE_X, y, WIDTH as f64 - 4.0, y + ROW as f64 - 3.0, shade);
        if e.queue.len() >= p.cap {
            f.stroke_rect(
                LANE_X,
                y,
                SKILL_X - 4.0,
                y + ROW as f64 - 3.0,
                1.0,
                [200, 30, 30],
            );
        }
        for (j, t) in e.queue.iter().enumerate() {
            let x = LANE_X + 4.0 + j as f64 * block;
            f.fill_rect(
                x,
                y + 3.0,
                x + block - 3.0,
                y + 15.0,
                PRIORITY_COLORS[t.priority as usize],
            );
            let (used, color) = sla_timer(s.now, t.arrival, t.deadline);
            f.fill_rect(x, y + 17.0, x + (block - 3.0) * used, y + 21.0, color);
        }
        if Some(i) == last {
            f.fill_convex(&[(2.0, y + 4.0), (11.0, y + 11.5), (2.0, y + 19.0)], INK);
            let j = e.queue.len() - 1;
            let x = LANE_X + 4.0 + j as f64 * block;
            f.stroke_rect(x - 2.0, y + 1.0, x + block - 1.0, y + 17.0, 2.0, INK);
        }
        if let Some(t) = &s.current {
            let skill = e.skill[t.kind as usize];
            let w = (WIDTH as f64 - 8.0 - SKILL_X) * skill;
            f.fill_rect(SKILL_X, y + 8.0, SKILL_X + w, y + 14.0, SKILL);
        }
    }
    f
}

/// The `ansi` text of the help desk: the clock, the ticket to route and
/// one line per present engineer.
pub fn ansi(d: &Desk) -> String {
    let s = &d.sim;
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
            d.p.ticket_types[t.kind as usize],
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
            d.p.cap,
            skill,
            e.fatigue,
            if d.valid(i) { "" } else { "  (unavailable)" }
        ));
    }
    out
}
