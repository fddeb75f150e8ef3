//! The episode log the KPI report reads (`Env::episode_log`), from a desk.

use super::sim::Desk;
use super::team::{Engineer, Resolved, Ticket};
use crate::env::Table;

/// The episode's tables: resolved tickets, tickets still open, engineers'
/// totals and a summary.
pub fn episode_tables(d: &Desk) -> Vec<(&'static str, Table)> {
    let r = &d.sim.resolved;
    let col = |f: fn(&Resolved) -> f64| r.iter().map(f).collect::<Vec<f64>>();
    let tickets: Table = vec![
        ("kind", col(|t| f64::from(t.kind))),
        ("priority", col(|t| f64::from(t.priority))),
        ("tier", col(|t| f64::from(t.tier))),
        ("arrival", col(|t| t.arrival)),
        ("pickup", col(|t| t.pickup)),
        ("done", col(|t| t.done)),
        ("deadline", col(|t| t.deadline)),
        ("top2", col(|t| f64::from(u8::from(t.top2)))),
        ("engineer", col(|t| f64::from(t.engineer))),
    ];
    // Tickets still open (queued at an engineer, or in the backlog with
    // engineer -1 and pickup -1): without them a KPI over resolved
    // tickets alone would flatter a policy that leaves work unfinished.
    let es = &d.sim.engineers;
    let open: Vec<(f64, &Ticket)> = es
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.queue.iter().map(move |t| (i as f64, t)))
        .chain(d.sim.pending.iter().map(|t| (-1.0, t)))
        .chain(d.sim.current.iter().map(|t| (-1.0, t)))
        .collect();
    let ocol = |f: fn(&(f64, &Ticket)) -> f64| open.iter().map(f).collect::<Vec<f64>>();
    let open_tickets: Table = vec![
        ("kind", ocol(|(_, t)| f64::from(t.kind))),
        ("priority", ocol(|(_, t)| f64::from(t.priority))),
        ("tier", ocol(|(_, t)| f64::from(t.tier))),
        ("arrival", ocol(|(_, t)| t.arrival)),
        ("pickup", ocol(|(_, t)| t.pickup)),
        ("deadline", ocol(|(_, t)| t.deadline)),
        ("top2", ocol(|(_, t)| f64::from(u8::from(t.top2)))),
        ("engineer", ocol(|(i, _)| *i)),
    ];
    let ecol = |f: fn(&Engineer) -> f64| es.iter().map(f).collect::<Vec<f64>>();
    let engineers: Table = vec![
        ("present", ecol(|e| f64::from(u8::from(e.present)))),
        ("busy_minutes", ecol(|e| e.busy_minutes)),
        ("shift_minutes", ecol(|e| e.shift_minutes)),
        ("over_soft_minutes", ecol(|e| e.over_soft_minutes)),
        ("assigned", ecol(|e| f64::from(e.assigned))),
        ("open", ecol(|e| e.queue.len() as f64)),
    ];
    let end: Table = vec![
        ("minutes", vec![d.sim.now]),
        ("backlog", vec![d.sim.pending.len() as f64]),
        (
            "open_total",
            vec![
                es.iter().map(|e| e.queue.len()).sum::<usize>() as f64 + d.sim.pending.len() as f64,
            ],
        ),
        ("overflow", vec![f64::from(u8::from(d.sim.overflow))]),
        ("arrived", vec![f64::from(d.sim.next_id)]),
    ];
    vec![
        ("tickets", tickets),
        ("open", open_tickets),
        ("engineers", engineers),
        ("summary", end),
    ]
}
