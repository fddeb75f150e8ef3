"""PredatorPrey: predators cooperate to catch prey on a grid, a PettingZoo
``ParallelEnv``; ``pip install 'ferrogym[pettingzoo]'``.

The dynamics are numpy, vectorised over agents (moves, captures and every
agent's local view are array operations; Python loops only build the
per-agent dicts PettingZoo's API asks for). They are not in Rust because the
generic binding (``bind_env!``) steps an env with one action and returns one
reward and one pair of flags; a multi-agent game needs a joint action of
varying length, a reward and flags per agent, and agents that leave: a
second binding, not a row in the ENVS table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import gymnasium as gym
import numpy as np
from gymnasium.utils import seeding
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from ferrogym.config import EnvConfig
from ferrogym.errors import ConfigError, InvalidAction
from ferrogym.integrations import require
from ferrogym.seeding import check_reset_args

require("pettingzoo")

from pettingzoo import ParallelEnv  # noqa: E402

Obs = NDArray[np.float32]
#: Action -> (row, column) move: stay, up, down, left, right.
MOVES = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], dtype=np.int64)
ACTION_NAMES = ("stay", "up", "down", "left", "right")
CHANNELS = ("obstacles", "predators", "prey")


#: Largest reward magnitude (as the Rust envs' ``MAX_REWARD_SCALE``).
MAX_REWARD_SCALE = 1e6
#: Longest episode.
MAX_CYCLES = 1_000_000


@dataclass
class PredatorPreyConfig(EnvConfig):
    """PredatorPrey's arguments; see :class:`PredatorPrey`."""

    grid_size: int = 10
    n_predators: int = 3
    n_prey: int = 2
    #: Each agent sees the square of cells within this many steps (2 r + 1 wide).
    view_radius: int = 2
    #: Predators within Manhattan distance 1 of a prey (on or beside it) needed to catch it.
    catch_with: int = 2
    #: Share of cells that are walls, drawn anew each episode.
    obstacle_density: float = 0.0
    #: ``shared``: every predator earns each capture; ``individual``: only the catchers.
    reward_mode: Literal["shared", "individual"] = "shared"
    #: In [-1e6, 1e6], as ``step_cost``.
    capture_reward: float = 1.0
    #: Paid by every predator each step (time pressure), earned by every prey still free.
    step_cost: float = 0.01
    #: Steps per episode, in [1, 1e6]; then every agent is truncated.
    max_cycles: int = 100

    def validate(self) -> None:
        """Checks grid size, agent counts, view radius, catch rule and densities against their bounds.

        Raises:
            ConfigError: naming the field, its value and the allowed range.
        """
        if not 3 <= self.grid_size <= 256:
            raise self.invalid("grid_size", "an integer in [3, 256]")
        if self.n_predators < 1:
            raise self.invalid("n_predators", "an integer >= 1")
        if self.n_prey < 1:
            raise self.invalid("n_prey", "an integer >= 1")
        if not 1 <= self.view_radius <= self.grid_size:
            raise self.invalid("view_radius", f"an integer in [1, grid_size = {self.grid_size}]")
        if not 1 <= self.catch_with <= min(self.n_predators, 5):
            raise self.invalid("catch_with", f"an integer in [1, min(n_predators, 5) = {min(self.n_predators, 5)}]")
        if not 0.0 <= self.obstacle_density < 0.5:
            raise self.invalid("obstacle_density", "a number in [0, 0.5)")
        free = self.grid_size**2 - int(self.obstacle_density * self.grid_size**2)
        if self.n_predators + self.n_prey > free:
            raise self.invalid("n_prey", f"agents to fit in the {free} free cells with n_predators")
        for name in ("capture_reward", "step_cost"):
            if not abs(getattr(self, name)) <= MAX_REWARD_SCALE:
                raise self.invalid(name, f"a finite number in [-{MAX_REWARD_SCALE:g}, {MAX_REWARD_SCALE:g}]")
        if not 1 <= self.max_cycles <= MAX_CYCLES:
            raise self.invalid("max_cycles", f"an integer in [1, {MAX_CYCLES}]")


class PredatorPrey(ParallelEnv[str, Obs, int]):  # type: ignore[misc]
    """
    ## Description

    ``n_predators`` predators (``predator_0`` ...) hunt ``n_prey`` prey
    (``prey_0`` ...) on a ``grid_size`` x ``grid_size`` grid, optionally with
    walls. All agents move at once; a move into a wall or off the grid stays
    put; agents may share cells. After the moves, a prey with at least
    ``catch_with`` predators on or orthogonally beside its cell is caught:
    it is terminated and leaves ``env.agents`` (PettingZoo's semantics). One
    predator cannot catch alone by default (``catch_with=2``): they must
    corner the prey together.

    ## Action Space

    ``Discrete(5)`` per agent: 0 stay, 1 up, 2 down, 3 left, 4 right.

    ## Observation Space

    ``Box(0, 1, (3, 2r+1, 2r+1), float32)`` per agent, ``r = view_radius``:
    the agent's local window centred on itself, with channels ``obstacles``
    (walls; cells off the grid count as walls), ``predators`` and ``prey``
    (the number of free ones in a cell, divided by the team size). Partial
    observability: nothing beyond the window is seen.

    ## Rewards

    Each step every predator pays ``step_cost`` and every free prey earns it.
    A caught prey gets ``-capture_reward``. With ``reward_mode="shared"``
    every predator gets ``capture_reward`` per prey caught that step; with
    ``"individual"`` only the predators within distance 1 of it do.

    ## Starting State

    Walls (``obstacle_density`` of the cells) and every agent on distinct
    free cells, uniformly at random from the env's ``np_random``.

    ## Episode End

    A prey terminates when caught; the predators terminate when no prey is
    left. Everyone still in the game is truncated after ``max_cycles`` steps.

    ## Arguments

    Every field of :class:`PredatorPreyConfig` (as keyword arguments or
    ``config=``), and ``render_mode``: ``"ansi"`` or ``"rgb_array"``.

    >>> from ferrogym.envs.predator_prey import PredatorPrey
    >>> env = PredatorPrey(grid_size=8, n_predators=2, n_prey=1, catch_with=1)
    >>> obs, infos = env.reset(seed=0)
    >>> env.agents
    ['predator_0', 'predator_1', 'prey_0']
    >>> obs["prey_0"].shape
    (3, 5, 5)
    >>> obs, rewards, terms, truncs, infos = env.step({a: 0 for a in env.agents})

    ## Version History

    - v0: first version.
    """

    metadata: dict[str, Any] = {
        "name": "ferrogym_predator_prey_v0",
        "render_modes": ["ansi", "rgb_array"],
        "render_fps": 5,
        "is_parallelizable": True,
    }

    def __init__(self, render_mode: str | None = None, config: PredatorPreyConfig | None = None, **kwargs: Any) -> None:
        if config is not None and kwargs:
            raise ConfigError(
                f"PredatorPrey: pass either config= or keyword arguments, not both (got {sorted(kwargs)})"
            )
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"PredatorPrey: invalid render_mode {render_mode!r}; "
                f"expected None or one of {self.metadata['render_modes']}"
            )
        self.config = config if config is not None else PredatorPreyConfig(**kwargs)
        self.render_mode = render_mode
        c = self.config
        self.n_pred = c.n_predators
        self.possible_agents = [f"predator_{i}" for i in range(c.n_predators)] + [f"prey_{i}" for i in range(c.n_prey)]
        self.agents: list[str] = []
        self._index = {a: i for i, a in enumerate(self.possible_agents)}
        w = 2 * c.view_radius + 1
        space = gym.spaces.Box(0.0, 1.0, (len(CHANNELS), w, w), dtype=np.float32)
        self.observation_spaces = {a: space for a in self.possible_agents}
        self.action_spaces = {a: gym.spaces.Discrete(len(MOVES)) for a in self.possible_agents}
        self.np_random, _ = seeding.np_random(None)
        n = len(self.possible_agents)
        self.pos = np.zeros((n, 2), dtype=np.int64)
        self.alive = np.zeros(n, dtype=bool)
        self.walls = np.zeros((c.grid_size, c.grid_size), dtype=bool)
        self.cycle = 0

    # PettingZoo wants the same object on every call: the dicts are built once.
    def observation_space(self, agent: str) -> gym.Space[Any]:
        """Returns ``agent``'s local view space (the same object on every call)."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gym.Space[Any]:
        """Returns ``agent``'s move space: stay or one of four directions."""
        return self.action_spaces[agent]

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Obs], dict[str, dict[str, Any]]]:
        """Places walls, predators and prey at random and starts a new episode.

        Returns:
            Each agent's observation and info.

        Raises:
            ConfigError: ``seed`` or ``options`` is of the wrong type.
        """
        check_reset_args("PredatorPrey", seed, options)
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
        c = self.config
        cells = c.grid_size**2
        order = self.np_random.permutation(cells)
        n_walls = int(c.obstacle_density * cells)
        walls = np.zeros(cells, dtype=bool)
        walls[order[:n_walls]] = True
        self.walls = walls.reshape(c.grid_size, c.grid_size)
        starts = order[n_walls : n_walls + len(self.possible_agents)]
        self.pos = np.stack(np.divmod(starts, c.grid_size), axis=1).astype(np.int64)
        self.alive = np.ones(len(self.possible_agents), dtype=bool)
        self.cycle = 0
        self.agents = list(self.possible_agents)
        obs = self._observe()
        return {a: obs[i] for i, a in enumerate(self.possible_agents)}, {a: {} for a in self.agents}

    def _actions(self, actions: dict[str, int]) -> NDArray[np.int64]:
        """The live agents' actions as one array (dead agents stay), validated."""
        missing = [a for a in self.agents if a not in actions]
        if missing:
            raise InvalidAction(f"PredatorPrey: no action for {missing}; expected one per agent in env.agents")
        out = np.zeros(len(self.possible_agents), dtype=np.int64)
        for a in self.agents:
            v = actions[a]
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or not 0 <= v < len(MOVES):
                raise InvalidAction(f"PredatorPrey: invalid action {v!r} for {a}; expected an integer in [0, 4]")
            out[self._index[a]] = v
        return out

    def step(
        self, actions: dict[str, int]
    ) -> tuple[dict[str, Obs], dict[str, float], dict[str, bool], dict[str, bool], dict[str, dict[str, Any]]]:
        """Moves every live agent at once and resolves catches.

        Args:
            actions: one move per live agent.

        Returns:
            Per-agent observations, rewards, terminations, truncations and infos.

        Raises:
            ResetNeeded: every agent is done.
            InvalidAction: a live agent has no action or an action out of range.
        """
        if not self.agents:
            raise gym.error.ResetNeeded("PredatorPrey: step() after every agent is done; call reset()")
        c = self.config
        acts = self._actions(actions)
        # Moves: all at once; off the grid or into a wall stays put.
        target = self.pos + MOVES[acts] * self.alive[:, None]
        inside = ((target >= 0) & (target < c.grid_size)).all(axis=1)
        clipped = np.clip(target, 0, c.grid_size - 1)
        blocked = ~inside | self.walls[clipped[:, 0], clipped[:, 1]]
        self.pos = np.where(blocked[:, None], self.pos, target)
        # Captures: prey x predator Manhattan distances.
        pred, prey = self.pos[: self.n_pred], self.pos[self.n_pred :]
        near = np.abs(prey[:, None, :] - pred[None, :, :]).sum(axis=2) <= 1  # (n_prey, n_pred)
        prey_alive = self.alive[self.n_pred :]
        caught = prey_alive & (near.sum(axis=1) >= c.catch_with)
        rewards = np.zeros(len(self.possible_agents))
        rewards[: self.n_pred] -= c.step_cost
        rewards[self.n_pred :] = np.where(caught, -c.capture_reward, c.step_cost)
        if c.reward_mode == "shared":
            rewards[: self.n_pred] += c.capture_reward * caught.sum()
        else:
            rewards[: self.n_pred] += c.capture_reward * near[caught].sum(axis=0)
        self.alive[self.n_pred :] &= ~caught
        self.cycle += 1
        terminated = np.zeros(len(self.possible_agents), dtype=bool)
        terminated[self.n_pred :] = caught
        terminated[: self.n_pred] = not self.alive[self.n_pred :].any()
        truncated = self.cycle >= c.max_cycles
        obs = self._observe()
        live = self.agents
        idx = [self._index[a] for a in live]
        out = (
            {a: obs[i] for a, i in zip(live, idx, strict=True)},
            {a: float(rewards[i]) for a, i in zip(live, idx, strict=True)},
            {a: bool(terminated[i]) for a, i in zip(live, idx, strict=True)},
            {a: truncated and not bool(terminated[i]) for a, i in zip(live, idx, strict=True)},
            {a: {"caught": bool(i >= self.n_pred and caught[i - self.n_pred])} for a, i in zip(live, idx, strict=True)},
        )
        self.agents = [a for a in live if not (out[2][a] or out[3][a])]
        return out

    def _layers(self) -> NDArray[np.float32]:
        """The whole grid as channels, padded by ``view_radius`` wall cells."""
        c = self.config
        r, g = c.view_radius, c.grid_size
        layers = np.zeros((len(CHANNELS), g + 2 * r, g + 2 * r), dtype=np.float32)
        layers[0] = 1.0
        layers[0, r : r + g, r : r + g] = self.walls
        teams = ((1, slice(0, self.n_pred), c.n_predators), (2, slice(self.n_pred, None), c.n_prey))
        for ch, team, size in teams:
            p = self.pos[team][self.alive[team]]
            np.add.at(layers[ch], (p[:, 0] + r, p[:, 1] + r), 1.0 / size)
        return layers

    def _observe(self) -> NDArray[np.float32]:
        """Every agent's window at once: (n_agents, channels, 2r+1, 2r+1), fresh memory."""
        w = 2 * self.config.view_radius + 1
        windows = sliding_window_view(self._layers(), (w, w), axis=(1, 2))  # (C, g, g, w, w)
        return np.ascontiguousarray(windows[:, self.pos[:, 0], self.pos[:, 1]].transpose(1, 0, 2, 3))

    def _grid_codes(self) -> NDArray[np.int64]:
        """Per cell: 0 empty, 1 wall, 2 prey, 3 predator (drawn over prey),
        4 empty but inside some predator's view."""
        g, r = self.config.grid_size, self.config.view_radius
        rows, cols = np.ogrid[:g, :g]
        pred = self.pos[: self.n_pred]
        seen = (
            (np.abs(rows[None] - pred[:, 0, None, None]) <= r) & (np.abs(cols[None] - pred[:, 1, None, None]) <= r)
        ).any(axis=0)
        codes = np.where(seen, 4, 0)
        codes[self.walls] = 1
        prey = self.pos[self.n_pred :][self.alive[self.n_pred :]]
        codes[prey[:, 0], prey[:, 1]] = 2
        codes[pred[:, 0], pred[:, 1]] = 3
        return codes

    def render(self) -> str | NDArray[np.uint8] | None:
        """Returns the grid as text (``ansi``) or an RGB array (``rgb_array``); None without a render mode."""
        if self.render_mode is None:
            gym.logger.warn("PredatorPrey.render() without a render_mode; pass render_mode='ansi' or 'rgb_array'")
            return None
        codes = self._grid_codes()
        if self.render_mode == "ansi":
            rows = "\n".join(" ".join(r) for r in np.array(list(".#oX."))[codes])
            free = int(self.alive[self.n_pred :].sum())
            return f"{rows}\nstep {self.cycle}/{self.config.max_cycles}, prey free {free}/{self.config.n_prey}\n"
        # One 24-pixel tile per cell: floor light (tinted where a predator
        # sees it), walls dark, prey green, predators red.
        tile = 24
        palette = np.array(
            [[235, 235, 225], [60, 60, 60], [60, 160, 80], [200, 60, 50], [245, 215, 205]], dtype=np.uint8
        )
        img = np.repeat(np.repeat(palette[codes], tile, axis=0), tile, axis=1)
        img[::tile] = 200  # grid lines
        img[:, ::tile] = 200
        return np.ascontiguousarray(img)

    def close(self) -> None:
        """Nothing to release; present for the PettingZoo API."""
        pass


def parallel_env(**kwargs: Any) -> PredatorPrey:
    """PettingZoo's conventional constructor name."""
    return PredatorPrey(**kwargs)
