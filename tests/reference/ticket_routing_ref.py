"""A plain-Python reference of the TicketRouting simulation.

Written from the specification in rust/core/src/envs/ticket_routing/sim.rs
(module doc) and the doc comments of its siblings, independently of the Rust
code paths: its own xoshiro256++/SplitMix64 generator and draws, its own
event loop, reward and observation. Readable and slow on purpose. It takes
the *resolved* configuration (``TicketRoutingConfig(...).resolved()``), so
that scenario presets are not duplicated here; everything after that is
re-implemented.

Tests run it beside the Rust env with the same seed and actions and require
the same observations, rewards and flags.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

MASK64 = (1 << 64) - 1
DAY = 1440.0
INF = math.inf
N_PRIORITIES = 4
N_TIERS = 3
ENGINEER_FEATURES = 12
WEIGHT_HALF = 8.0
SCALE_MINUTES = 240.0
BACKLOG_HALF = 5.0
AGE_CLIP = 2.0
#: Mixed into the episode number for the unknown work of trace rows (sim.rs).
TRACE_WORK_KEY = 0x7472_6163_655F_776B


# -- random numbers -------------------------------------------------------------


def splitmix64(state: int) -> tuple[int, int]:
    """One SplitMix64 step: (new state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK64


class Rng:
    """xoshiro256++ seeded with four SplitMix64 outputs, and ferrogym's draws."""

    def __init__(self, seed: int) -> None:
        sm = seed & MASK64
        self.s = []
        for _ in range(4):
            sm, out = splitmix64(sm)
            self.s.append(out)

    def next_u64(self) -> int:
        s = self.s
        result = (rotl((s[0] + s[3]) & MASK64, 23) + s[0]) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def split(self) -> Rng:
        return Rng(self.next_u64())

    def uniform(self) -> float:
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def uniform_range(self, low: float, high: float) -> float:
        return low + (high - low) * self.uniform()

    def below(self, n: int) -> int:
        return (self.next_u64() * n) >> 64

    def normal(self) -> float:
        u1 = self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def exponential(self, rate: float) -> float:
        return -math.log(1.0 - self.uniform()) / rate

    def categorical(self, weights: list[float]) -> int:
        total = 0.0
        for w in weights:
            total += w
        target = self.uniform() * total
        acc = 0.0
        for i, w in enumerate(weights):
            acc += w
            if target < acc:
                return i
        return len(weights) - 1


# -- state ------------------------------------------------------------------------


@dataclass
class Ticket:
    id: int
    kind: int
    priority: int
    tier: int
    work: float
    weight: float
    arrival: float
    deadline: float
    pickup: float = -1.0
    top2: bool = False
    tau: float = 0.0  # processor sharing: minutes of the engineer's undivided time still needed
    held: bool = False  # held back by the router until the next event


@dataclass
class Engineer:
    present: bool
    skill: list[float]
    shift_start: float = 0.0
    shift_end: float = 0.0
    on_shift: bool = False
    shift_day: int = 0
    next_change: float = INF
    queue: list[Ticket] = field(default_factory=list)
    remaining: float = 0.0
    completion: float = INF
    fatigue: float = 0.0
    last_assign: float = -INF
    busy_minutes: float = 0.0
    shift_minutes: float = 0.0
    over_soft_minutes: float = 0.0
    updated: float = 0.0  # processor sharing: when the tickets' `tau` were brought up to date

    def eligible(self, cap: int) -> bool:
        return self.present and self.on_shift and len(self.queue) < cap

    def head_time_left(self, now: float) -> float:
        head = self.queue[0]
        return self.completion - now if self.on_shift else self.remaining / self.skill[head.kind]

    def busy_left(self, now: float) -> float:
        total = 0.0
        for j, t in enumerate(self.queue):
            total += t.work / self.skill[t.kind] if j > 0 else self.head_time_left(now)
        return total


@dataclass
class Acc:
    wait: float = 0.0
    over: float = 0.0
    breaches: list[int] = field(default_factory=lambda: [0] * N_PRIORITIES)
    end: float = 0.0
    invalid: int = 0


# -- processor sharing ----------------------------------------------------------------


def stretch(m: int, p: float) -> float:
    """How many times longer than alone a ticket takes while m tickets share an engineer."""
    return m * (1.0 + p * (m - 1))


def shared_finish_times(taus: list[float], p: float) -> list[float]:
    """PS finish times of ascending own-minutes `taus`, with no arrivals:
    T_1 = tau_1 s(n), T_i = T_(i-1) + (tau_i - tau_(i-1)) s(n - i + 1)."""
    out = []
    total, prev = 0.0, 0.0
    for i, tau in enumerate(taus):
        total += (tau - prev) * stretch(len(taus) - i, p)
        prev = tau
        out.append(total)
    return out


# -- the simulation -----------------------------------------------------------------


class TicketRoutingSim:
    """The simulation itself, driven by ``seed`` / ``reset`` / ``step``."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.c = cfg
        self.k = len(cfg["ticket_types"])
        self.m = cfg["max_engineers"]
        hp = cfg["hour_profile"]
        hp_mean = sum(hp) / 24.0
        self.rate_table = [
            cfg["arrivals_per_day"] / DAY * (hp[h] / hp_mean) * cfg["weekday_factor"][w]
            for w in range(7)
            for h in range(24)
        ]
        self.peak = max(self.rate_table)
        self.mu = [math.log(m) for m in cfg["work_median_minutes"]]
        self.mean_work = [
            m * math.exp(0.5 * s * s) for m, s in zip(cfg["work_median_minutes"], cfg["work_sigma"], strict=True)
        ]
        self.horizon = cfg["episode_days"] * DAY
        self.sharing = cfg["service"] == "processor_sharing"
        self.penalty = cfg["context_switch_penalty"]
        self.team = [Engineer(present=False, skill=[0.0] * self.k) for _ in range(self.m)]
        for i in range(cfg["n_engineers"]):
            e = self.team[i]
            e.present = True
            e.shift_start = cfg["shifts"][i][0] * 60.0
            e.shift_end = cfg["shifts"][i][1] * 60.0
            if cfg["skills"]:
                e.skill = list(cfg["skills"][i])
        if not cfg["skills"]:
            self.generate_skills(Rng(cfg["team_seed"]))
        self.rng = Rng(0)
        self.current: Ticket | None = None
        self.ended = True
        self.last = [0.0] * 5

    def generate_skills(self, rng: Rng) -> None:
        c = self.c
        offset = rng.below(self.k)
        specialists = 0
        for e in self.team[: c["n_engineers"]]:
            if rng.uniform() < c["specialist_share"]:
                main = (offset + specialists) % self.k
                specialists += 1
                lo, hi = c["specialist_off_skill"]
                e.skill = [rng.uniform_range(lo, hi) for _ in range(self.k)]
                e.skill[main] = 1.0
            else:
                lo, hi = c["generalist_skill"]
                e.skill = [rng.uniform_range(lo, hi) for _ in range(self.k)]

    def rate(self, t: float) -> float:
        d = math.floor(t / DAY)
        h = min(math.floor((t - d * DAY) / 60.0), 23)
        w = (self.c["start_weekday"] + d) % 7
        return self.rate_table[w * 24 + h]

    def next_arrival_after(self, t: float) -> float:
        """Inversion: the arrival comes when the intensity integrated from `t`
        reaches a unit exponential draw; the intensity is constant per hour."""
        need = self.arrivals.exponential(1.0)
        hour = math.floor(t / 60.0)
        while t < self.horizon:
            end = (hour + 1) * 60.0
            w = (self.c["start_weekday"] + hour // 24) % 7
            r = self.rate_table[w * 24 + hour % 24]
            mass = r * (end - t)
            if need < mass:
                return t + need / r
            need -= mass
            t = end
            hour += 1
        return t

    # -- episode ----------------------------------------------------------------------

    def seed(self, seed: int) -> None:
        self.rng = Rng(seed)

    def reset(self) -> None:
        c = self.c
        self.arrivals = self.rng.split()
        self.work = self.rng.split()
        skills = self.rng.split()
        layout = self.rng.split()
        # The episode number: the master generator's next output, untouched during the episode.
        peek = Rng(0)
        peek.s = list(self.rng.s)
        self.episode = peek.next_u64()
        self.trace: list[list[float]] = list(c.get("arrival_trace") or [])
        if c["resample_skills"] and not c["skills"]:
            self.generate_skills(skills)
        self.engineers = [
            Engineer(present=t.present, skill=list(t.skill), shift_start=t.shift_start, shift_end=t.shift_end)
            for t in self.team
        ]
        if c["shuffle_slots"]:
            for i in range(self.m - 1, 0, -1):
                j = layout.below(i + 1)
                self.engineers[i], self.engineers[j] = self.engineers[j], self.engineers[i]
        for e in self.engineers:
            if not e.present:
                continue
            if e.shift_start == 0.0 and e.shift_end == DAY:
                e.on_shift, e.next_change = True, INF
            elif e.shift_start == 0.0:
                e.on_shift, e.next_change = True, e.shift_end
            else:
                e.on_shift, e.next_change = False, e.shift_start
        self.now = 0.0
        self.next_id = 0
        self.pending: list[Ticket] = []
        self.current = None
        self.open_weight = 0.0
        self.acc = Acc()
        self.ended = False
        self.overflow = False
        self.last = [0.0] * 5
        self.resolved: list[tuple[Ticket, float]] = []
        self.trace_next: int | None = 0 if self.trace else None
        self.next_arrival = self.trace_minute(0) if self.trace else self.next_arrival_after(0.0)
        self.advance()

    def step(self, action: int) -> tuple[float, bool]:
        """Routes the current ticket; returns (reward, truncated)."""
        if self.current is None:
            self.last = [0.0] * 5
            return 0.0, True
        ticket, self.current = self.current, None
        if self.c["allow_hold"] and action == self.m:
            ticket.held = True
            self.pending.append(ticket)
        else:
            slot, rerouted = self.route(action)
            if rerouted:
                self.acc.invalid += 1
            self.assign(ticket, slot)
        self.advance()
        c = self.c
        sla = 0.0
        for pen, n in zip(c["sla_penalty"], self.acc.breaches, strict=True):
            sla += pen * float(n)
        comps = [
            0.0 - c["wait_weight"] * self.acc.wait / 60.0,
            0.0 - sla,
            0.0 - c["burnout_weight"] * self.acc.over / 60.0,
            0.0 - c["wait_weight"] * self.acc.end / 60.0,
            0.0 - c["invalid_action_penalty"] * float(self.acc.invalid),
        ]
        self.acc = Acc()
        self.last = comps
        return comps[0] + comps[1] + comps[2] + comps[3] + comps[4], self.ended

    def valid(self, i: int) -> bool:
        return self.current is not None and self.engineers[i].eligible(self.c["cap"])

    def n_actions(self) -> int:
        return self.m + (1 if self.c["allow_hold"] else 0)

    def mask(self) -> NDArray[np.bool_]:
        if self.current is None:
            return np.ones(self.n_actions(), dtype=np.bool_)
        valid = [self.valid(i) for i in range(self.m)]
        if self.c["allow_hold"]:
            valid.append(True)  # hold: whenever a ticket awaits a decision
        return np.array(valid, dtype=np.bool_)

    def route(self, action: int) -> tuple[int, bool]:
        cap = self.c["cap"]
        if self.engineers[action].eligible(cap) or self.c["invalid_action"] == "raise":
            return action, False
        for step in range(1, self.m):
            j = (action + step) % self.m
            if self.engineers[j].eligible(cap):
                return j, True
        return action, True

    # -- the event loop -----------------------------------------------------------------

    def advance(self) -> None:
        cap = self.c["cap"]
        while not self.ended:
            eligible = [i for i, e in enumerate(self.engineers) if e.eligible(cap)]
            if any(not t.held for t in self.pending) and eligible:
                ticket = self.take_backlog_head()
                if self.c["auto_assign_single"] and len(eligible) == 1:
                    self.assign(ticket, eligible[0])
                    continue
                self.current = ticket
                return
            t_next = self.horizon
            for e in self.engineers:
                if e.completion < t_next:
                    t_next = e.completion
                if e.present and e.next_change < t_next:
                    t_next = e.next_change
            if self.next_arrival < t_next:
                t_next = self.next_arrival
            self.integrate(t_next)
            self.now = t_next
            if t_next >= self.horizon:
                self.end()
                return
            for t in self.pending:  # an event: held tickets may be offered again
                t.held = False
            for i, e in enumerate(self.engineers):
                if e.completion == t_next:
                    self.complete(i)
            for i, e in enumerate(self.engineers):
                if e.present and e.next_change == t_next:
                    self.change_shift(i)
            if self.next_arrival == t_next:
                self.arrive()

    def take_backlog_head(self) -> Ticket:
        best = min(
            (i for i in range(len(self.pending)) if not self.pending[i].held),
            key=lambda i: (self.pending[i].priority, self.pending[i].arrival, self.pending[i].id),
        )
        # Remove like Rust's Vec::swap_remove: the last ticket takes its place
        # (the backlog's order matters for the order of float sums at the end).
        last = self.pending.pop()
        if best == len(self.pending):
            return last
        chosen = self.pending[best]
        self.pending[best] = last
        return chosen

    def integrate(self, t1: float) -> None:
        t0 = self.now
        dt = t1 - t0
        if dt <= 0.0:
            return
        c = self.c
        self.acc.wait += self.open_weight * dt
        open_tickets = self.pending + [t for e in self.engineers for t in e.queue]
        for t in open_tickets:
            if t0 < t.deadline <= t1:
                self.acc.breaches[t.priority] += 1
        rise = math.exp(-dt / c["fatigue_rise_minutes"])
        decay = math.exp(-dt / c["fatigue_recovery_minutes"])
        for e in self.engineers:
            if not e.present:
                continue
            load = len(e.queue)
            if load > c["soft_cap"]:
                self.acc.over += float(load - c["soft_cap"]) * dt
                e.over_soft_minutes += dt
                e.fatigue = 1.0 - (1.0 - e.fatigue) * rise
            elif load == 0:
                e.fatigue *= decay
            if e.on_shift:
                e.shift_minutes += dt
                if load > 0:
                    e.busy_minutes += dt

    def assign(self, ticket: Ticket, i: int) -> None:
        k = ticket.kind
        mine = self.engineers[i].skill[k]
        better = sum(1 for e in self.engineers if e.present and e.skill[k] > mine)
        ticket.top2 = better < 2
        e = self.engineers[i]
        e.last_assign = self.now
        if self.sharing:
            self.share_update(e)
            ticket.pickup = self.now
            ticket.tau = ticket.work / e.skill[k]
            e.queue.append(ticket)
            self.share_schedule(e)
            return
        if not e.queue:
            ticket.pickup = self.now
            e.remaining = ticket.work
            e.completion = self.now + ticket.work / e.skill[k]
        e.queue.append(ticket)

    def complete(self, i: int) -> None:
        e = self.engineers[i]
        if self.sharing:
            first = self.share_first(e)
            assert first is not None
            self.share_update(e)
            t = e.queue.pop(first[0])
            t.tau = 0.0
            self.share_schedule(e)
        else:
            t = e.queue.pop(0)
            e.completion = INF
            if e.queue:
                nxt = e.queue[0]
                nxt.pickup = self.now
                e.remaining = nxt.work
                e.completion = self.now + nxt.work / e.skill[nxt.kind]
        self.open_weight -= t.weight
        self.resolved.append((t, self.now))

    def change_shift(self, i: int) -> None:
        e = self.engineers[i]
        if self.sharing:
            self.share_update(e)
            if e.on_shift:
                e.on_shift = False
                e.shift_day += 1
                e.next_change = float(e.shift_day) * DAY + e.shift_start
            else:
                e.on_shift = True
                e.next_change = float(e.shift_day) * DAY + e.shift_end
            self.share_schedule(e)
            return
        if e.on_shift:
            e.on_shift = False
            if e.queue:
                e.remaining = (e.completion - self.now) * e.skill[e.queue[0].kind]
                e.completion = INF
            e.shift_day += 1
            e.next_change = float(e.shift_day) * DAY + e.shift_start
        else:
            e.on_shift = True
            if e.queue:
                e.completion = self.now + e.remaining / e.skill[e.queue[0].kind]
            e.next_change = float(e.shift_day) * DAY + e.shift_end

    # -- processor sharing: the engineer's set of tickets served at once

    def share_drop(self, e: Engineer) -> float:
        """How far each ticket's tau fell since `updated`: every ticket progresses at
        skill / s(n) skill-1 minutes per on-shift minute, so tau = left / skill falls at 1 / s(n)."""
        if not e.on_shift or not e.queue:
            return 0.0
        return (self.now - e.updated) / stretch(len(e.queue), self.penalty)

    def share_update(self, e: Engineer) -> None:
        drop = self.share_drop(e)
        for t in e.queue:
            t.tau = max(t.tau - drop, 0.0)
        e.updated = self.now

    def share_first(self, e: Engineer) -> tuple[int, float] | None:
        """(queue position, minutes) of the ticket finishing first at the current rates."""
        if not e.queue:
            return None
        j = min(range(len(e.queue)), key=lambda j: (e.queue[j].tau, j))
        return j, e.queue[j].tau * stretch(len(e.queue), self.penalty)

    def share_schedule(self, e: Engineer) -> None:
        first = self.share_first(e)
        e.completion = self.now + first[1] if e.on_shift and first is not None else INF

    def share_taus(self, e: Engineer) -> list[float]:
        drop = self.share_drop(e)
        return [max(t.tau - drop, 0.0) for t in e.queue]

    def share_busy_and_need(self, e: Engineer, tau_new: float) -> tuple[float, float]:
        """(finish of the last open ticket, finish of a new ticket of tau_new own minutes once added)."""
        taus = sorted(self.share_taus(e))
        busy = shared_finish_times(taus, self.penalty)[-1] if taus else 0.0
        pos = sum(1 for tau in taus if tau < tau_new)
        with_new = [*taus[:pos], tau_new, *taus[pos:]]
        return busy, shared_finish_times(with_new, self.penalty)[pos]

    def trace_minute(self, row: int) -> float:
        """Minute of trace row ``row``; the horizon past the last row."""
        return self.trace[row][0] if row < len(self.trace) else self.horizon

    def trace_ticket(self, row: int) -> tuple[int, int, int, float]:
        """Type, priority, tier and work of trace row ``row``; unknown work
        (< 0 or NaN) drawn by the episode number and the row alone."""
        r = self.trace[row]
        kind, priority, tier = int(r[1]), int(r[2]), int(r[3])
        if r[4] > 0:
            return kind, priority, tier, r[4]
        key = Rng(self.episode ^ TRACE_WORK_KEY).next_u64() ^ row
        return kind, priority, tier, math.exp(self.mu[kind] + self.c["work_sigma"][kind] * Rng(key).normal())

    def arrive(self) -> None:
        c = self.c
        if self.trace_next is None:
            kind = self.arrivals.categorical(c["type_probs"])
            priority = self.arrivals.categorical(c["priority_probs"][kind])
            tier = self.arrivals.categorical(c["tier_probs"])
            work = math.exp(self.mu[kind] + c["work_sigma"][kind] * self.work.normal())
        else:
            kind, priority, tier, work = self.trace_ticket(self.trace_next)
        weight = c["priority_weights"][priority] * c["tier_weights"][tier]
        self.pending.append(
            Ticket(self.next_id, kind, priority, tier, work, weight, self.now, self.now + c["sla_minutes"][priority])
        )
        self.next_id += 1
        self.open_weight += weight
        if self.trace_next is None:
            self.next_arrival = self.next_arrival_after(self.now)
        else:
            self.trace_next += 1
            self.next_arrival = self.trace_minute(self.trace_next)
        if len(self.pending) > c["max_backlog"]:
            self.overflow = True
            self.end()

    def held_end_cost(self) -> float:
        """With hold: each backlog ticket, in backlog order, placed on paper at
        the present engineer who would finish it soonest (behind their open
        work and the tickets placed before), pays weight * max(that finish,
        the flat backlog charge)."""
        load: list[tuple[Engineer, float]] = []
        for e in self.engineers:
            if e.present:
                busy = self.share_busy_and_need(e, 0.0)[0] if self.sharing else e.busy_left(self.now)
                load.append((e, busy))
        cost = 0.0
        for t in self.pending:
            flat = self.c["backlog_end_minutes"] + self.mean_work[t.kind]
            best: tuple[int, float] | None = None
            for j, (e, busy) in enumerate(load):
                finish = busy + t.work / e.skill[t.kind]
                if best is None or finish < best[1]:
                    best = (j, finish)
            finish = flat
            if best is not None:
                j, finish = best
                load[j] = (load[j][0], finish)
            cost += t.weight * max(finish, flat)
        return cost

    def end(self) -> None:
        cost = 0.0
        if self.c["allow_hold"]:
            cost += self.held_end_cost()
        else:
            for t in self.pending:
                cost += t.weight * (self.c["backlog_end_minutes"] + self.mean_work[t.kind])
        for e in self.engineers:
            if self.sharing:
                taus = self.share_taus(e)
                order = sorted(range(len(taus)), key=lambda j: (taus[j], j))
                times = shared_finish_times([taus[j] for j in order], self.penalty)
                for j, finish in zip(order, times, strict=True):
                    cost += e.queue[j].weight * finish
                continue
            cum = 0.0
            for j, t in enumerate(e.queue):
                cum += t.work / e.skill[t.kind] if j > 0 else e.head_time_left(self.now)
                cost += t.weight * cum
        self.acc.end = cost
        self.ended = True
        self.current = None

    # -- observation -------------------------------------------------------------------

    def finish_time(self, e: Engineer, now: float, need: float) -> float:
        if need <= 0.0:
            return now
        if e.shift_start == 0.0 and e.shift_end == DAY:
            return now + need
        t = now
        while True:
            d = float(math.floor(t / DAY))
            start, end = d * DAY + e.shift_start, d * DAY + e.shift_end
            t = max(t, start)
            if t < end:
                if need <= end - t:
                    return t + need
                need -= end - t
            t = (d + 1.0) * DAY + e.shift_start

    def obs_len(self) -> int:
        return self.k + N_PRIORITIES + N_TIERS + 1 + 4 + N_PRIORITIES + 3 + self.m * ENGINEER_FEATURES + self.k + 2

    def observation(self) -> NDArray[np.float32]:
        c, k, now = self.c, self.k, self.now
        squash = lambda x: x / (x + SCALE_MINUTES)  # noqa: E731
        obs = np.zeros(self.obs_len(), dtype=np.float32)
        t = self.current
        if t is not None:
            obs[t.kind] = 1.0
            obs[k + t.priority] = 1.0
            obs[k + N_PRIORITIES + t.tier] = 1.0
            obs[k + N_PRIORITIES + N_TIERS] = min((now - t.arrival) / c["sla_minutes"][t.priority], AGE_CLIP)
        o = k + N_PRIORITIES + N_TIERS + 1
        day_fraction = (now - math.floor(now / DAY) * DAY) / DAY
        week = c["start_weekday"] * DAY + now
        week_fraction = (week - math.floor(week / (7.0 * DAY)) * 7.0 * DAY) / (7.0 * DAY)
        day_angle = 2.0 * math.pi * day_fraction
        week_angle = 2.0 * math.pi * week_fraction
        obs[o : o + 4] = [math.sin(day_angle), math.cos(day_angle), math.sin(week_angle), math.cos(week_angle)]
        o += 4
        for p in range(N_PRIORITIES):
            n = float(sum(1 for x in self.pending if x.priority == p))
            obs[o + p] = n / (n + BACKLOG_HALF)
        o += N_PRIORITIES
        present = [e for e in self.engineers if e.present]
        obs[o] = self.rate(now) / self.peak
        obs[o + 1] = sum(1 for e in present if len(e.queue) >= c["cap"]) / len(present)
        obs[o + 2] = min(now / self.horizon, 1.0)
        o += 3
        for kind in range(k):
            n = float(sum(1 for x in self.pending if x.kind == kind))
            obs[o + kind] = n / (n + BACKLOG_HALF)
        obs[o + k] = day_fraction
        obs[o + k + 1] = week_fraction
        o += k + 2
        for i, e in enumerate(self.engineers):
            if not e.present:
                continue
            row = o + i * ENGINEER_FEATURES
            tau_new = self.mean_work[t.kind] / e.skill[t.kind] if t is not None else 0.0
            if self.sharing:
                busy, need = self.share_busy_and_need(e, tau_new)
            else:
                busy = e.busy_left(now)
                need = busy + tau_new
            obs[row] = 1.0
            obs[row + 1] = 1.0 if e.on_shift else 0.0
            obs[row + 2] = len(e.queue) / c["cap"]
            obs[row + 3] = squash(busy)
            if t is not None:
                skill = e.skill[t.kind]
                obs[row + 4] = skill
                obs[row + 5] = squash(self.finish_time(e, now, need) - now)
            idle = now - e.last_assign
            obs[row + 6] = squash(idle) if math.isfinite(idle) else 1.0
            obs[row + 7] = e.fatigue
            obs[row + 8] = 1.0 if e.eligible(c["cap"]) else 0.0
            to_change = e.next_change - now
            starts, ends = (0.0, to_change) if e.on_shift else (to_change, to_change + e.shift_end - e.shift_start)
            obs[row + 9] = squash(starts)
            obs[row + 10] = squash(ends) if math.isfinite(ends) else 1.0
            weight = sum(t.weight for t in e.queue)
            obs[row + 11] = weight / (weight + WEIGHT_HALF)
        return obs


class TicketRoutingRefEnv(gym.Env[NDArray[np.float32], np.int64]):
    """The reference as a Gymnasium env, seeded like ferrogym's RustEnv (the
    generator's seed is one 64-bit draw from ``np_random``)."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, resolved_config: dict[str, Any]) -> None:
        self.sim = TicketRoutingSim(resolved_config)
        k, m = self.sim.k, self.sim.m
        # ticket one-hots, age (clipped at 2), time angles, backlog, context, engineers
        bounds = [(0.0, 1.0, k + N_PRIORITIES + N_TIERS), (0.0, AGE_CLIP, 1), (-1.0, 1.0, 4)]
        bounds += [(0.0, 1.0, N_PRIORITIES + 3 + m * ENGINEER_FEATURES + k + 2)]
        low = np.concatenate([np.full(n, lo) for lo, _, n in bounds]).astype(np.float32)
        high = np.concatenate([np.full(n, hi) for _, hi, n in bounds]).astype(np.float32)
        self.observation_space = gym.spaces.Box(low, high, dtype=np.float32)
        self.action_space = gym.spaces.Discrete(self.sim.n_actions())
        self._seeded = False

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super().reset(seed=seed)
        if seed is not None or not self._seeded:
            self.sim.seed(int(self.np_random.integers(0, 2**64, dtype=np.uint64)))
            self._seeded = True
        self.sim.reset()
        return self.sim.observation(), {}

    def step(self, action: Any) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        a = int(action)
        hold = bool(self.sim.c["allow_hold"]) and a == self.sim.m
        ok = self.sim.current is None or hold or self.c_fallback() or (a < self.sim.m and self.sim.valid(a))
        if not 0 <= a < self.sim.n_actions() or not ok:
            raise ValueError(f"invalid action {a}")
        reward, truncated = self.sim.step(a)
        names = ["wait", "sla", "burnout", "backlog_end", "invalid_action"]
        return (
            self.sim.observation(),
            reward,
            False,
            truncated,
            {"reward_components": dict(zip(names, self.sim.last, strict=True))},
        )

    def c_fallback(self) -> bool:
        return bool(self.sim.c["invalid_action"] == "fallback")

    def action_masks(self) -> NDArray[np.bool_]:
        return self.sim.mask()
