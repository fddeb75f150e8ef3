//! SLA breach bookkeeping: which admitted tickets are still open, and their
//! deadlines still ahead, earliest first. A deadline passing while its
//! ticket is open is a breach. A cache beside the state (rebuilt from the
//! open tickets by `refresh_caches`), so `Ticket::track` is not saved.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::super::config::N_PRIORITIES;
use super::super::team::Ticket;

#[derive(Debug, Clone, Default)]
pub(crate) struct SlaBook {
    /// `open[track]`: the ticket admitted with that `track` is still open
    /// here (not resolved, not handed to another team).
    open: Vec<bool>,
    /// (deadline bits, track, priority): non-negative floats order as their
    /// bits, so the heap's top is the earliest deadline.
    deadlines: BinaryHeap<Reverse<(u64, u32, u8)>>,
}

impl SlaBook {
    /// Forgets every ticket, keeping the buffers.
    pub fn clear(&mut self) {
        self.open.clear();
        self.deadlines.clear();
    }

    /// Room for `tickets` admissions, so that steps do not allocate.
    pub fn reserve(&mut self, tickets: usize) {
        self.open.reserve(tickets);
    }

    /// Registers an open ticket at time `now`: its deadline counts if still
    /// ahead (a ticket handed over after its deadline breached at the team
    /// that had it then).
    pub fn track(&mut self, ticket: &mut Ticket, now: f64) {
        ticket.track = self.open.len() as u32;
        self.open.push(true);
        if ticket.deadline > now {
            let entry = (ticket.deadline.to_bits(), ticket.track, ticket.priority);
            self.deadlines.push(Reverse(entry));
        }
    }

    /// The ticket left this team (resolved or handed over).
    pub fn close(&mut self, ticket: &Ticket) {
        self.open[ticket.track as usize] = false;
    }

    /// Counts into `breaches` the open tickets whose deadline is at most
    /// `t1`: every such deadline leaves the heap (the earlier ones left in
    /// earlier intervals, so this is the interval `(now, t1]`).
    #[inline]
    pub fn count_until(&mut self, t1: f64, breaches: &mut [u32; N_PRIORITIES]) {
        while let Some(&Reverse((d, track, priority))) = self.deadlines.peek() {
            if f64::from_bits(d) > t1 {
                break;
            }
            self.deadlines.pop();
            if self.open[track as usize] {
                breaches[priority as usize] += 1;
            }
        }
    }
}
