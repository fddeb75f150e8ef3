"""KPI maths on a hand-made episode log with known answers, and the intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ferrogym import kpi


def arr(*x: float) -> np.ndarray:
    return np.array(x, dtype=np.float64)


# Four resolved tickets, two open at the end (one in the backlog past its SLA,
# one queued within its SLA), two engineers present out of three slots.
LOG = {
    "tickets": {
        "kind": arr(0, 1, 2, 3),
        "priority": arr(0, 0, 2, 3),
        "tier": arr(0, 1, 2, 1),
        "arrival": arr(0, 50, 0, 100),
        "pickup": arr(10, 100, 0, 200),
        "done": arr(100, 400, 60, 300),
        "deadline": arr(240, 290, 1440, 2980),
        "top2": arr(1, 0, 1, 1),
        "engineer": arr(0, 1, 0, 1),
    },
    "open": {
        "kind": arr(0, 1),
        "priority": arr(0, 1),
        "tier": arr(0, 1),
        "arrival": arr(1000, 1400),
        "pickup": arr(-1, 1400),
        "deadline": arr(1240, 1880),
        "top2": arr(0, 1),
        "engineer": arr(-1, 1),
    },
    "engineers": {
        "present": arr(1, 1, 0),
        "busy_minutes": arr(300, 150, 0),
        "shift_minutes": arr(480, 480, 0),
        "over_soft_minutes": arr(30, 0, 0),
        "assigned": arr(2, 3, 0),
        "open": arr(0, 1, 0),
    },
    "summary": {"minutes": arr(1440), "backlog": arr(1), "open_total": arr(2), "overflow": arr(0), "arrived": arr(6)},
}
CONFIG = {"priority_weights": [8.0, 4.0, 2.0, 1.0], "tier_weights": [1.5, 1.0, 0.75], "wait_weight": 0.01}
REWARDS = {"wait": -3.85, "sla": -0.1, "burnout": 0.0, "backlog_end": -0.77, "invalid_action": 0.0}


@pytest.fixture(scope="module")
def k() -> dict[str, float]:
    return kpi.episode_kpis(LOG, REWARDS, CONFIG)


def test_kpi__resolution_times_over_resolved_tickets(k: dict[str, float]) -> None:
    assert k["resolution_mean"] == pytest.approx(177.5)  # (100 + 350 + 60 + 200) / 4
    assert k["resolution_p50"] == pytest.approx(150.0)
    assert k["resolution_p95"] == pytest.approx(200 + 0.85 * 150)  # linear interpolation at rank 2.85
    assert k["resolution_critical_mean"] == pytest.approx(225.0)
    assert k["resolution_critical_p95"] == pytest.approx(100 + 0.95 * 250)
    assert math.isnan(k["resolution_high_mean"])  # none resolved
    assert k["resolution_low_mean"] == pytest.approx(200.0)
    assert k["pickup_mean"] == pytest.approx(40.0)  # (10 + 50 + 0 + 100) / 4


def test_kpi__sla_counts_open_tickets_past_their_deadline_as_breaches(k: dict[str, float]) -> None:
    assert k["sla_critical"] == pytest.approx(1 / 3)  # one met, one late, one open past deadline
    assert math.isnan(k["sla_high"])  # the only high ticket is open within its SLA: undecided
    assert k["sla_medium"] == 1.0
    assert k["sla_low"] == 1.0
    assert k["sla_all"] == pytest.approx(3 / 5)


def test_kpi__weighted_resolution_is_the_reward_objective_per_unit_weight(k: dict[str, float]) -> None:
    weight = 12 + 8 + 1.5 + 1 + 12 + 4  # priority x tier weight of every ticket that arrived
    minutes = 60 * (3.85 + 0.77) / 0.01
    assert k["weighted_resolution"] == pytest.approx(minutes / weight)


def test_kpi__backlog_utilisation_burnout_and_skill_match(k: dict[str, float]) -> None:
    assert k["resolved"] == 4
    assert k["backlog_end"] == 1
    assert k["open_at_end"] == 2
    assert k["util_mean"] == pytest.approx((0.625 + 0.3125) / 2)
    assert k["util_spread"] == pytest.approx(0.3125)
    assert k["util_jain"] == pytest.approx(0.9)  # 0.9375^2 / (2 * (0.625^2 + 0.3125^2))
    assert k["over_soft_cap_minutes"] == 30
    assert k["top2_share"] == pytest.approx(4 / 5)  # the backlog ticket was never assigned
    assert k["reward"] == pytest.approx(-4.72)
    assert k["reward_sla"] == pytest.approx(-0.1)


def test_jain_index__equal_shares_one_and_single_taker_one_over_n() -> None:
    assert kpi.jain_index(arr(0.5, 0.5, 0.5)) == pytest.approx(1.0)
    assert kpi.jain_index(arr(1.0, 0.0, 0.0, 0.0)) == pytest.approx(0.25)
    assert math.isnan(kpi.jain_index(arr(0.0, 0.0)))


def test_t_quantile__matches_published_values() -> None:
    assert kpi.t_quantile_975(1) == pytest.approx(12.706, abs=1e-3)
    assert kpi.t_quantile_975(29) == pytest.approx(2.045, abs=1e-3)
    assert kpi.t_quantile_975(40) == pytest.approx(2.0211, abs=1e-3)
    assert kpi.t_quantile_975(60) == pytest.approx(2.0003, abs=1e-3)
    assert kpi.t_quantile_975(120) == pytest.approx(1.9799, abs=1e-3)
    with pytest.raises(ValueError, match="degrees of freedom"):
        kpi.t_quantile_975(0)


def test_interval__t_interval_over_seeds_ignores_nan() -> None:
    iv = kpi.Interval.of([1, 2, 3, 4, 5, math.nan])
    half = 2.7764451 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4)
    assert (iv.mean, iv.n) == (3.0, 5)
    assert iv.low == pytest.approx(3 - half)
    assert iv.high == pytest.approx(3 + half)
    assert iv.half_width == pytest.approx(half)
    one = kpi.Interval.of([7.0])
    assert one.mean == 7.0 and math.isnan(one.low)
    assert kpi.Interval.of([]).n == 0


def test_paired__differences_per_seed() -> None:
    d = kpi.paired([{"x": 1.0}, {"x": 2.0}, {"x": 3.0}], [{"x": 0.0}, {"x": 0.0}, {"x": 1.0}])
    assert d["x"].mean == pytest.approx(5 / 3)
    assert d["x"].half_width == pytest.approx(4.3026527 * np.std([1, 2, 2], ddof=1) / math.sqrt(3))
    with pytest.raises(ValueError, match="same seeds"):
        kpi.paired([{"x": 1.0}], [])


def test_better__direction_per_kpi() -> None:
    assert kpi.better("resolution_mean", 1.0, 2.0)
    assert kpi.better("sla_critical", 0.9, 0.8)
    assert kpi.better("reward_wait", -1.0, -2.0)
    assert not kpi.better("weighted_resolution", 3.0, 2.0)


def test_episode_log__open_table_accounts_for_every_arrival() -> None:
    from ferrogym.envs.ticket_routing import TicketRoutingEnv

    env = TicketRoutingEnv(scenario="understaffed")
    env.reset(seed=4)
    truncated = False
    while not truncated:
        _, _, _, truncated, _ = env.step(int(env.action_masks().argmax()))
    log = env.episode_log()
    o = log["open"]
    assert len(log["tickets"]["done"]) + len(o["arrival"]) == log["summary"]["arrived"][0]
    assert len(o["arrival"]) == log["summary"]["open_total"][0] > 0
    backlog = o["engineer"] < 0
    assert backlog.sum() == log["summary"]["backlog"][0]
    assert (o["pickup"][backlog] == -1).all()
