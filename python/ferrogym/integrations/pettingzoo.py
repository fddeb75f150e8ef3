"""PettingZoo: ferrogym's multi-agent envs; ``pip install 'ferrogym[pettingzoo]'``.

- :class:`MultiTeamTicketRouting` (below), a ``ParallelEnv``;
- :class:`~ferrogym.envs.connect_four_pz.ConnectFourAEC`, two-player Connect
  Four for self-play, an ``AECEnv`` over the Rust ConnectFour rules
  (``ferrogym.envs.connect_four_pz.env()``).
- :class:`~ferrogym.envs.predator_prey.PredatorPrey`, a ``ParallelEnv``: predators
  cooperate to catch prey on a grid with partial observability (re-exported here).

:class:`MultiTeamTicketRouting` is a ``ParallelEnv`` of ``n_teams`` help-desk
teams on one clock, with one dispatcher each (``dispatcher_0`` ...). The
simulation is Rust (``rust/core/src/envs/multi_team_routing``): every team is
a TicketRouting team (engineers, backlog, its own arrival stream) and one
event loop advances all of them in time order. At each decision point the
dispatchers whose team has a ticket to route choose an engineer of their team
or hand the ticket to another team; the others send the no-op.

- Observation per agent: ``{"observation": float32[D], "action_mask":
  int8[A]}``. ``observation`` is the team's TicketRouting observation
  followed (with 2+ teams) by ``handovers`` (this ticket's handovers /
  ``max_handovers``) and one ``other_teams`` row per other team (handover
  allowed, expected completion there, best skill there, backlog there);
  ``env.obs_layout`` names every slice.
- Action: ``Discrete(max_engineers + n_teams - 1)``: an engineer slot of the
  own team, or ``max_engineers + i`` = hand over to the i-th other team
  (teams other than the agent's, ascending). An agent with no ticket to route
  has a mask allowing only ``0``, the no-op. A handed ticket joins the
  receiving team's backlog at the same clock time, with
  ``handover_work_minutes`` more work, and costs the sender
  ``handover_penalty``; a ticket is handed over at most ``max_handovers``
  times and never back to a team that had it (the mask forbids both).
- Rewards: per team, TicketRouting's reward components plus ``handover``
  (``info["reward_components"]``). All agents are truncated together at the
  shared horizon (or a backlog blow-up in any team); never terminated.
- Forbidden actions: ``invalid_action="fallback"`` (the default here, since
  PettingZoo's seed test samples actions without masks) maps them to a valid
  engineer with the team's ``invalid_action_penalty`` and ignores an idle
  agent's action; ``"raise"`` raises :class:`~ferrogym.errors.InvalidAction`
  naming the agent.

Teams: ``scenario="mirrored"`` (``n_teams`` balanced teams, team k's skills
from ``team_seed + k``) or ``"two_desks"`` (a billing desk and a technical
desk, each fast on different ticket types, so handover pays); ``teams=[{...},
...]`` gives each team's TicketRouting config; any other keyword argument
(a TicketRouting field) applies to every team. With one team the env is
TicketRouting step for step (same observations and rewards for the same
seed and actions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.utils import seeding
from numpy.typing import NDArray

from ferrogym import _core
from ferrogym.errors import ConfigError
from ferrogym.integrations import require
from ferrogym.seeding import check_reset_args, draw_core_seed
from ferrogym.spaces import ObsSlice, from_spec, layout_from_spec

require("pettingzoo")

from pettingzoo import ParallelEnv  # noqa: E402
from pettingzoo.utils.conversions import parallel_to_aec  # noqa: E402
from pettingzoo.utils.env import AECEnv  # noqa: E402

from ferrogym.envs.connect_four_pz import ConnectFourAEC  # noqa: E402
from ferrogym.envs.predator_prey import PredatorPrey, PredatorPreyConfig  # noqa: E402

__all__ = [
    "NOOP",
    "ConnectFourAEC",
    "MultiTeamTicketRouting",
    "PredatorPrey",
    "PredatorPreyConfig",
    "env",
    "parallel_env",
]

Obs = dict[str, NDArray[Any]]

#: The action of a dispatcher with no ticket to route.
NOOP = 0


class MultiTeamTicketRouting(ParallelEnv[str, Obs, int]):  # type: ignore[misc]
    """Several help-desk teams on one clock; dispatchers route or hand over tickets (see the module doc)."""

    metadata: dict[str, Any] = {
        "name": "ferrogym_multi_team_ticket_routing_v1",
        "render_modes": ["ansi"],
        "render_fps": 4,
        "is_parallelizable": True,
    }

    def __init__(
        self,
        n_teams: int | None = None,
        scenario: str = "mirrored",
        teams: Sequence[Mapping[str, Any]] | None = None,
        max_handovers: int | None = None,
        handover_penalty: float | None = None,
        handover_work_minutes: float | None = None,
        invalid_action: str = "fallback",
        render_mode: str | None = None,
        **team_kwargs: Any,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"MultiTeamTicketRouting: invalid render_mode {render_mode!r}; "
                f"expected None or one of {self.metadata['render_modes']}"
            )
        self.render_mode = render_mode
        config: dict[str, Any] = {"scenario": scenario, "invalid_action": invalid_action, "common": team_kwargs}
        optional = {
            "n_teams": n_teams,
            "teams": None if teams is None else [dict(t) for t in teams],
            "max_handovers": max_handovers,
            "handover_penalty": handover_penalty,
            "handover_work_minutes": handover_work_minutes,
        }
        config.update({k: v for k, v in optional.items() if v is not None})
        self._core = _core.MultiTeamTicketRoutingCore(**config)
        self._np_random: np.random.Generator | None = None
        self.possible_agents = [f"dispatcher_{k}" for k in range(self._core.n_teams)]
        self.agents: list[str] = []
        self.obs_layout: tuple[ObsSlice, ...] = layout_from_spec(self._core.obs_layout())
        n_actions = self._core.n_actions
        single = from_spec(self._core.observation_space())
        self.observation_spaces = {
            a: gym.spaces.Dict(
                {"observation": single, "action_mask": gym.spaces.Box(0, 1, (n_actions,), dtype=np.int8)}
            )
            for a in self.possible_agents
        }
        self.action_spaces = {a: gym.spaces.Discrete(n_actions) for a in self.possible_agents}

    # PettingZoo wants the same object on every call: the dicts are built once.
    def observation_space(self, agent: str) -> gym.Space[Any]:
        """Returns team ``agent``'s observation space (the same object on every call)."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gym.Space[Any]:
        """Returns team ``agent``'s action space: an engineer slot or the no-op."""
        return self.action_spaces[agent]

    @property
    def config(self) -> dict[str, Any]:
        """The resolved config: each team's TicketRouting config and the handover rules."""
        resolved: dict[str, Any] = self._core.effective_config()
        return resolved

    def _obs(self, obs: NDArray[np.float32], masks: NDArray[np.bool_]) -> dict[str, Obs]:
        m = masks.astype(np.int8)
        return {a: {"observation": obs[k], "action_mask": m[k]} for k, a in enumerate(self.possible_agents)}

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Obs], dict[str, Any]]:
        """Starts an episode; ``seed`` seeds it as ``TicketRouting-v0`` would.

        Returns:
            Each team's observation (with its action mask) and an empty info.

        Raises:
            ConfigError: ``seed`` or ``options`` is of the wrong type.
        """
        # As a single ferrogym env: the Rust generator is seeded from a
        # numpy generator seeded with `seed` (so one team reproduces
        # TicketRouting-v0 reset with the same seed), and continues otherwise.
        check_reset_args("MultiTeamTicketRouting", seed, options)
        if seed is not None or self._np_random is None:
            self._np_random, _ = seeding.np_random(seed)
            self._core.seed(draw_core_seed(self._np_random))
        obs, masks = self._core.reset()
        self.agents = list(self.possible_agents)
        return self._obs(obs, masks), {a: {} for a in self.agents}

    def step(
        self, actions: dict[str, int]
    ) -> tuple[dict[str, Obs], dict[str, float], dict[str, bool], dict[str, bool], dict[str, dict[str, Any]]]:
        """Routes each team's ticket and advances the shared clock.

        Args:
            actions: one action per live team (the no-op for a team without a ticket).

        Returns:
            PettingZoo's per-team observations, rewards, terminations, truncations and infos.

        Raises:
            ConfigError: a live team has no action.
            InvalidAction: an action is forbidden and the env was made with ``invalid_action="raise"``.
        """
        missing = [a for a in self.agents if a not in actions]
        if missing:
            raise ConfigError(
                f"MultiTeamTicketRouting: no action for {missing}; expected one per agent in env.agents "
                f"({NOOP} for an agent without a ticket to route)"
            )
        row = [actions.get(a, NOOP) for a in self.possible_agents]
        obs, rewards, terminated, truncated, masks, infos = self._core.step(row)
        live = self.agents
        all_obs = self._obs(obs, masks)
        out = (
            {a: all_obs[a] for a in live},
            {a: float(rewards[k]) for k, a in enumerate(self.possible_agents) if a in live},
            {a: terminated for a in live},
            {a: truncated for a in live},
            {a: infos[k] for k, a in enumerate(self.possible_agents) if a in live},
        )
        if terminated or truncated:
            self.agents = []
        return out

    def deciding(self) -> dict[str, bool]:
        """Which agents have a ticket to route now."""
        return dict(zip(self.possible_agents, self._core.deciding(), strict=True))

    def episode_logs(self) -> list[dict[str, dict[str, NDArray[np.float64]]]]:
        """Each team's episode tables (as TicketRouting's ``episode_log``)."""
        return [self._core.episode_log(k) for k in range(len(self.possible_agents))]

    def get_state(self) -> dict[str, Any]:
        """Returns the whole simulation's state (every team and the clock), for ``set_state``."""
        state: dict[str, Any] = self._core.get_state()
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores a state from :meth:`get_state`.

        Raises:
            StateError: the state does not fit this env's config.
        """
        self._core.set_state(state)

    def render(self) -> str | None:
        """Returns the teams as text (``ansi``); None without a render mode."""
        if self.render_mode is None:
            gym.logger.warn("MultiTeamTicketRouting.render() without a render_mode; pass render_mode='ansi'")
            return None
        text: str = self._core.render_ansi()
        return text

    def close(self) -> None:
        """Nothing to release; present for the PettingZoo API."""
        pass


def parallel_env(**kwargs: Any) -> MultiTeamTicketRouting:
    """PettingZoo's conventional constructor name."""
    return MultiTeamTicketRouting(**kwargs)


def env(**kwargs: Any) -> AECEnv[str, Obs, int]:
    """The AEC version (``parallel_to_aec``)."""
    return parallel_to_aec(MultiTeamTicketRouting(**kwargs))
