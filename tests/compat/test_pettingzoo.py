"""PettingZoo: the multi-team TicketRouting ParallelEnv under PettingZoo's own tests."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test
from pettingzoo.utils.conversions import parallel_to_aec

from ferrogym.errors import ConfigError
from ferrogym.integrations.pettingzoo import MultiTeamTicketRouting, env

ENV = "ferrogym/MultiTeamTicketRouting"
compat = pytest.mark.compat(library="pettingzoo", env=ENV, mode="single")


@compat
def test_pettingzoo__parallel_api_test_passes() -> None:
    parallel_api_test(MultiTeamTicketRouting(n_teams=3), num_cycles=200)


@compat
def test_pettingzoo__parallel_seed_test_passes() -> None:
    parallel_seed_test(lambda: MultiTeamTicketRouting(n_teams=2))


@compat
@pytest.mark.filterwarnings("ignore:Observation:UserWarning")  # dict observations with masks, by design
def test_pettingzoo__aec_api_test_passes() -> None:
    api_test(parallel_to_aec(MultiTeamTicketRouting(n_teams=2)), num_cycles=200)
    api_test(env(n_teams=2), num_cycles=50)


def test_multi_team__each_team_runs_its_own_tickets_and_honours_masks() -> None:
    par = MultiTeamTicketRouting(n_teams=2, invalid_action="raise")
    obs, _ = par.reset(seed=3)
    assert not np.array_equal(obs["dispatcher_0"]["observation"], obs["dispatcher_1"]["observation"])
    steps = 0
    while par.agents:
        actions = {a: int(np.flatnonzero(obs[a]["action_mask"])[0]) for a in par.agents}
        obs, rewards, _, _, _infos = par.step(actions)
        assert all(isinstance(r, float) for r in rewards.values())
        steps += 1
    assert steps > 10


def test_multi_team__bad_config_names_the_field() -> None:
    with pytest.raises(ConfigError, match="n_teams"):
        MultiTeamTicketRouting(n_teams=0)
    par = MultiTeamTicketRouting(n_teams=2)
    par.reset(seed=0)
    with pytest.raises(ConfigError, match="dispatcher_1"):
        par.step({"dispatcher_0": 0})
