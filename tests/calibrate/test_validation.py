"""The validation's policies and verdicts."""

from __future__ import annotations

import numpy as np
import pytest

import ferrogym  # noqa: F401  (registers the envs)
from ferrogym.calibrate.fit import Calibration
from ferrogym.calibrate.scenario import scenario_config
from ferrogym.calibrate.validation import OBSERVED, ObservedSharesPolicy, assignment_shares, validate
from ferrogym.errors import ConfigError
from ferrogym.evaluation import make_batch


def test_observed_shares_policy__routes_in_the_observed_proportions_among_valid_slots() -> None:
    env = make_batch("ferrogym/TicketRouting-v0", 1, scenario="balanced")
    layout = env.obs_layout
    env.close()
    n_types = next(s.shape[0] for s in layout if s.name == "ticket_type")
    slots = next(s.shape[0] for s in layout if s.name == "engineers")
    shares = np.zeros((n_types, slots))
    shares[:, 0], shares[:, 1] = 0.75, 0.25
    policy = ObservedSharesPolicy(layout, shares, seed=0)
    dim = sum(int(np.prod(s.shape)) for s in layout)
    obs = np.zeros((4000, dim))
    mask = np.ones((4000, slots), dtype=bool)
    picked = policy(obs, mask)
    assert isinstance(picked, np.ndarray)
    assert set(picked.tolist()) == {0, 1}
    assert np.mean(picked == 0) == pytest.approx(0.75, abs=0.03)
    mask[:, 0] = False  # the favourite is not valid: the other valid engineers only
    assert set(np.asarray(policy(obs, mask)).tolist()) == {1}
    mask[:, 1] = False  # nobody with a share is valid: uniform over the valid ones
    rest = np.asarray(policy(obs, mask))
    assert rest.min() >= 2 and len(set(rest.tolist())) > 3


def test_assignment_shares__rows_sum_to_one(known_calibration: Calibration) -> None:
    shares = assignment_shares(known_calibration)
    assert shares.shape == (len(known_calibration.mix.types), len(known_calibration.work.engineers))
    assert np.allclose(shares.sum(axis=1), 1.0)


def test_validate__auto_picks_the_rule_closest_to_the_observed_shares(known_calibration: Calibration) -> None:
    v = validate(known_calibration, scenario_config(known_calibration), weeks=2, seed=3)
    assert v.policy == min(v.share_distance, key=lambda k: v.share_distance[k])
    assert OBSERVED not in v.share_distance
    assert v.verdict.startswith("The fitted scenario")
    observed = validate(known_calibration, scenario_config(known_calibration), policy=OBSERVED, weeks=2, seed=3)
    assert observed.policy == OBSERVED and observed.simulated["tickets"] > 0
    with pytest.raises(ConfigError, match="validation policy 'psychic'"):
        validate(known_calibration, scenario_config(known_calibration), policy="psychic")
