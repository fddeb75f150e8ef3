"""Two-player Connect Four as a PettingZoo AEC env, for self-play; ``pip install 'ferrogym[pettingzoo]'``.

The rules are the Rust ConnectFour core's in two-player mode
(``opponent="none"``: each step plays for the side to move), so there is one
home for them; this class only deals turns, rewards and observations out in
PettingZoo's classic-game conventions (those of ``connect_four_v3``):

- agents ``player_0`` (moves first) and ``player_1``;
- ``observe(agent)`` is ``{"observation": float32[2, 6, 7], "action_mask": int8[7]}``:
  plane 0 the agent's discs, plane 1 the other's, row 0 the top row (the
  layout of ``ferrogym/ConnectFour-v0``); the mask is the columns with room
  for the agent to move and all zeros for the other agent and once the game
  is over;
- +1 to the winner and -1 to the loser on the winning move, 0 otherwise;
  both agents terminate when the game ends.

A full column raises ``ferrogym.errors.InvalidAction`` and changes nothing
(PettingZoo's own env asserts); to turn illegal moves into a loss instead,
wrap with ``pettingzoo.utils.wrappers.TerminateIllegalWrapper(env, -1)``.

>>> from ferrogym.envs.connect_four_pz import env
>>> game = env()
>>> game.reset(seed=0)
>>> game.agent_selection
'player_0'
>>> game.step(3)
>>> game.observe("player_1")["observation"][1, 5, 3]  # player_0's disc, as player_1 sees it
np.float32(1.0)
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.integrations import require

require("pettingzoo")

from pettingzoo import AECEnv  # noqa: E402
from pettingzoo.utils import wrappers  # noqa: E402

from ferrogym.envs.connect_four import COLS, ROWS, ConnectFourEnv  # noqa: E402

Obs = dict[str, NDArray[Any]]
AGENTS = ("player_0", "player_1")


class ConnectFourAEC(AECEnv[str, Obs, int]):  # type: ignore[misc]
    """Connect Four for two agents taking turns (see the module doc)."""

    metadata: dict[str, Any] = {
        "name": "ferrogym_connect_four_v0",
        "render_modes": ["human", "ansi", "rgb_array"],
        "render_fps": 2,
        "is_parallelizable": False,
    }

    def __init__(self, render_mode: str | None = None) -> None:
        super().__init__()
        # The game: the Rust core in two-player mode (validates render_mode too).
        self._game = ConnectFourEnv(render_mode=render_mode, opponent="none")
        self.render_mode = render_mode
        self.possible_agents = list(AGENTS)
        self.agents: list[str] = []
        planes = self._game.observation_space
        mask = gym.spaces.Box(0, 1, (COLS,), dtype=np.int8)
        # PettingZoo wants the same space object on every call.
        self.observation_spaces = {a: gym.spaces.Dict({"observation": planes, "action_mask": mask}) for a in AGENTS}
        self.action_spaces = {a: gym.spaces.Discrete(COLS) for a in AGENTS}
        self._planes: NDArray[np.float32] = np.zeros((2, ROWS, COLS), np.float32)
        self._to_move = 0
        self._over = False

    def observation_space(self, agent: str) -> gym.Space[Any]:
        """Returns ``agent``'s observation space (the same object on every call, as PettingZoo requires)."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gym.Space[Any]:
        """Returns ``agent``'s action space: the column to drop a disc in."""
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Starts a new game with ``player_0`` to move."""
        # The core's planes are always the side to move's.
        self._planes, _ = self._game.reset(seed=seed, options=options)
        self._to_move = 0
        self._over = False
        self.agents = list(AGENTS)
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        self.agent_selection = AGENTS[0]

    def observe(self, agent: str) -> Obs:
        """Returns ``agent``'s view: the board planes from its side and its legal columns.

        Only the agent to move has a non-zero ``action_mask``.
        """
        mine = AGENTS.index(agent) == self._to_move
        planes = self._planes.copy() if mine else self._planes[::-1].copy()
        # PettingZoo's classic convention: only the agent to move has legal moves.
        live = mine and not self._over
        mask = self._game.action_masks().astype(np.int8) if live else np.zeros(COLS, np.int8)
        return {"observation": planes, "action_mask": mask}

    def step(self, action: int | None) -> None:
        """Drops the selected agent's disc in column ``action`` and passes the move.

        A done agent must step with None (PettingZoo's dead step).

        Raises:
            InvalidAction: the column is full or out of range; the game is unchanged.
        """
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        # Raises InvalidAction (nothing changed) for a full column or a bad value.
        planes, reward, terminated, _, _ = self._game.step(action)
        self._planes = planes
        self._to_move = 1 - self._to_move
        other = AGENTS[self._to_move]
        self._cumulative_rewards[agent] = 0.0
        self.rewards = dict.fromkeys(self.agents, 0.0)
        if terminated:
            self._over = True
            if reward > 0:  # the core's reward is the mover's: +1 for a winning move, 0 for a draw
                self.rewards[agent], self.rewards[other] = 1.0, -1.0
            self.terminations = dict.fromkeys(self.agents, True)
        self.agent_selection = other
        self._accumulate_rewards()

    def render(self) -> Any:
        """Renders the board in the game's ``render_mode``."""
        return self._game.render()

    def close(self) -> None:
        """Closes the underlying game and its renderer."""
        self._game.close()


def raw_env(render_mode: str | None = None) -> ConnectFourAEC:
    """The env without PettingZoo's order checks."""
    return ConnectFourAEC(render_mode=render_mode)


def env(render_mode: str | None = None) -> AECEnv[str, Obs, int]:
    """The env wrapped in PettingZoo's ``OrderEnforcingWrapper`` (PettingZoo's convention)."""
    return wrappers.OrderEnforcingWrapper(ConnectFourAEC(render_mode=render_mode))
