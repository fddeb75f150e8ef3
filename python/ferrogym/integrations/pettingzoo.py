"""PettingZoo: ferrogym's multi-agent envs; ``pip install 'ferrogym[pettingzoo]'``.

- :class:`MultiTeamTicketRouting` (below): one dispatcher per help-desk team.
- :class:`~ferrogym.envs.predator_prey.PredatorPrey`: predators cooperate to
  catch prey on a grid with partial observability (re-exported here).

:class:`MultiTeamTicketRouting` is a ``ParallelEnv`` of ``n_teams``
dispatchers, ``dispatcher_0`` ... Each dispatcher routes the tickets of its
own help-desk team: team ``k`` is one single-team TicketRouting core (its own
engineers, built with ``team_seed = team_seed + k``, its own arrivals), stepped
in Rust; this class only gathers the teams into PettingZoo's API. Each agent
observes ``{"observation": <TicketRouting observation>, "action_mask": int8[max_engineers]}``
and earns its team's reward.

Handover is not in this version: the teams' simulators each advance to their
own next ticket, so they have no common clock at which a ticket could change
team. Handing tickets over needs a Rust multi-team core with one event queue
(one clock) and a transfer action; the agent API here (dict observations with
masks, one Discrete action per dispatcher) would stay the same, with the
action space widened by one "hand to team j" entry per other team.
"""

from __future__ import annotations

import functools
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import ConfigError
from ferrogym.integrations import blind_kwargs, require

require("pettingzoo")

from pettingzoo import ParallelEnv  # noqa: E402
from pettingzoo.utils.conversions import parallel_to_aec  # noqa: E402
from pettingzoo.utils.env import AECEnv  # noqa: E402

from ferrogym.envs.predator_prey import PredatorPrey, PredatorPreyConfig  # noqa: E402
from ferrogym.envs.ticket_routing import TicketRoutingEnv  # noqa: E402

__all__ = ["MultiTeamTicketRouting", "PredatorPrey", "PredatorPreyConfig", "env", "parallel_env"]

Obs = dict[str, NDArray[Any]]


class MultiTeamTicketRouting(ParallelEnv[str, Obs, int]):  # type: ignore[misc]
    """Several dispatchers, each routing its own team's tickets (see the module doc)."""

    metadata: dict[str, Any] = {
        "name": "ferrogym_multi_team_ticket_routing_v0",
        "render_modes": ["ansi"],
        "render_fps": 4,
        "is_parallelizable": True,
    }

    def __init__(self, n_teams: int = 2, render_mode: str | None = None, team_seed: int = 0, **kwargs: Any) -> None:
        if not isinstance(n_teams, int) or isinstance(n_teams, bool) or n_teams < 1:
            raise ConfigError(f"MultiTeamTicketRouting: invalid n_teams {n_teams!r}; expected an integer >= 1")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"MultiTeamTicketRouting: invalid render_mode {render_mode!r}; "
                f"expected None or one of {self.metadata['render_modes']}"
            )
        self.render_mode = render_mode
        # Dispatchers may sample blindly (PettingZoo's seed test does): a
        # masked action falls back to a valid engineer with a penalty.
        team_kwargs = blind_kwargs("ferrogym/TicketRouting-v0", kwargs)
        self.teams = [
            TicketRoutingEnv(render_mode=render_mode, team_seed=team_seed + k, **team_kwargs) for k in range(n_teams)
        ]
        self.possible_agents = [f"dispatcher_{k}" for k in range(n_teams)]
        self.agents: list[str] = []
        self._team = dict(zip(self.possible_agents, self.teams, strict=True))
        single = self.teams[0].observation_space
        n_actions = int(self.teams[0].action_space.n)  # type: ignore[attr-defined]
        self._obs_space = gym.spaces.Dict(
            {"observation": single, "action_mask": gym.spaces.Box(0, 1, (n_actions,), dtype=np.int8)}
        )
        self._act_space = gym.spaces.Discrete(n_actions)
        self.observation_spaces = {a: self._obs_space for a in self.possible_agents}
        self.action_spaces = {a: gym.spaces.Discrete(n_actions) for a in self.possible_agents}

    # PettingZoo wants the same object on every call.
    @functools.cache  # noqa: B019 - one entry per agent of a live env
    def observation_space(self, agent: str) -> gym.Space[Any]:
        return self.observation_spaces[agent]

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> gym.Space[Any]:
        return self.action_spaces[agent]

    def _obs(self, agent: str, obs: NDArray[Any]) -> Obs:
        return {"observation": obs, "action_mask": self._team[agent].action_masks().astype(np.int8)}

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Obs], dict[str, Any]]:
        self.agents = list(self.possible_agents)
        observations: dict[str, Obs] = {}
        for k, agent in enumerate(self.agents):
            obs, _ = self._team[agent].reset(seed=None if seed is None else seed + k, options=options)
            observations[agent] = self._obs(agent, obs)
        return observations, {a: {} for a in self.agents}

    def step(
        self, actions: dict[str, int]
    ) -> tuple[dict[str, Obs], dict[str, float], dict[str, bool], dict[str, bool], dict[str, dict[str, Any]]]:
        missing = [a for a in self.agents if a not in actions]
        if missing:
            raise ConfigError(f"MultiTeamTicketRouting: no action for {missing}; expected one per agent in env.agents")
        obs: dict[str, Obs] = {}
        rewards: dict[str, float] = {}
        terms: dict[str, bool] = {}
        truncs: dict[str, bool] = {}
        infos: dict[str, dict[str, Any]] = {}
        for agent in self.agents:
            o, r, term, trunc, info = self._team[agent].step(int(actions[agent]))
            obs[agent] = self._obs(agent, o)
            rewards[agent], terms[agent], truncs[agent], infos[agent] = float(r), bool(term), bool(trunc), info
        self.agents = [a for a in self.agents if not (terms[a] or truncs[a])]
        return obs, rewards, terms, truncs, infos

    def render(self) -> str | None:
        if self.render_mode is None:
            gym.logger.warn("MultiTeamTicketRouting.render() without a render_mode; pass render_mode='ansi'")
            return None
        return "\n".join(f"== {a}\n{t.render()}" for a, t in self._team.items())

    def close(self) -> None:
        for team in self.teams:
            team.close()


def parallel_env(**kwargs: Any) -> MultiTeamTicketRouting:
    """PettingZoo's conventional constructor name."""
    return MultiTeamTicketRouting(**kwargs)


def env(**kwargs: Any) -> AECEnv[str, Obs, int]:
    """The AEC version (``parallel_to_aec``)."""
    return parallel_to_aec(MultiTeamTicketRouting(**kwargs))
