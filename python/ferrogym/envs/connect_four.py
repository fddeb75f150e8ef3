"""Connect Four in Rust against a built-in opponent (random, greedy or minimax), with action masks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym  # noqa: F401  (used in the doctest)

from ferrogym import _core
from ferrogym.rust_config import RustEnvConfig
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv

ROWS, COLS = 6, 7
OPPONENTS: tuple[str, ...] = ("random", "greedy", "minimax", "none")
FIRST: tuple[str, ...] = ("agent", "opponent", "random")


@dataclass
class ConnectFourConfig(RustEnvConfig):
    """ConnectFour's arguments (``None``: the Rust default); see :class:`ConnectFourEnv`.

    >>> cfg = ConnectFourConfig(opponent="minimax", depth=2)
    >>> env = gym.make("ferrogym/ConnectFour-v0", **cfg.kwargs())
    """

    _core_cls = _core.ConnectFourCore

    opponent: str | None = None
    depth: int | None = None
    first: str | None = None
    invalid_action: str | None = None


class ConnectFourEnv(RustEnv):
    """
    ## Description

    Connect Four on a board of 6 rows and 7 columns: the two sides take turns
    dropping a disc into a column, where it falls to the lowest empty cell;
    the first to line up four discs horizontally, vertically or diagonally
    wins, and a full board without four is a draw. The agent plays one side
    against a built-in opponent that replies within the same step:

    - ``"random"``: a uniformly random column with room;
    - ``"greedy"``: wins at once if it can, else blocks the agent's immediate
      win, else random;
    - ``"minimax"``: depth-limited alpha-beta search (``depth`` plies, its own
      move included) scoring leaves by the lines of four still open to one
      side only (weights 1, 4, 16 for one, two, three discs), the quickest
      win first.

    Every choice among equally good columns is drawn from the env's seeded
    generator, so the same seed and actions replay the same game. With
    ``opponent="none"`` (two-player mode) there is no built-in opponent:
    each step plays for the side to move, which is how the PettingZoo
    self-play env :class:`ferrogym.envs.connect_four_pz.ConnectFourAEC`
    uses the same Rust rules.

    ## Action Space

    ``Discrete(7)``: the column to drop a disc into (0 leftmost).
    ``env.action_masks()`` is True for the columns with room (every column
    once the game is over). A full column raises
    ``ferrogym.errors.InvalidAction``; with ``invalid_action="fallback"``
    (for PPO, A2C, DQN without masking) the disc goes into the next column to
    its right with room, cyclically, with no penalty.

    ## Observation Space

    ``Box(0, 1, (2, 6, 7), float32)``, two planes from the agent's point of
    view (in two-player mode, the side to move):

    | index | content |
    |-------|---------|
    | ``obs[0, r, c]`` | 1 if the agent's disc is in row ``r``, column ``c`` |
    | ``obs[1, r, c]`` | 1 if the opponent's disc is there |

    Row 0 is the top row, as the board is drawn. Whether the agent moved
    first follows from the disc counts (equal counts on the agent's turn).

    ## Rewards

    +1 when the agent completes four, -1 when the opponent does, 0 for a
    draw and for every move that does not end the game. In two-player mode
    the reward is the side that just moved's (+1 for a winning move).

    ## Starting State

    An empty board; if the opponent moves first (``first="opponent"``, or
    ``"random"`` and the draw says so) its first disc is already played.

    ## Episode End

    Terminated when a side completes four or the board is full. A game lasts
    at most 21 agent moves, so there is no time limit. Stepping a finished
    game changes nothing (reward 0, terminated).

    ## Arguments

    - ``opponent`` (``"random"`` default, ``"greedy"``, ``"minimax"``, ``"none"``)
    - ``depth`` (int in [1, 8], default 4): the minimax search depth in plies
    - ``first`` (``"agent"`` default, ``"opponent"``, ``"random"``): who moves
      first; ``"agent"`` only with ``opponent="none"``
    - ``invalid_action`` (``"raise"`` default, or ``"fallback"``)
    - ``render_mode``: ``"human"`` (a pygame window), ``"ansi"`` (X moves
      first, O second) or ``"rgb_array"`` (480x460: red moves first, yellow
      second, a white dot on the last disc, a dark ring around a winning four)

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/ConnectFour-v0", opponent="greedy")
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape, env.unwrapped.action_masks().tolist()
    ((2, 6, 7), [True, True, True, True, True, True, True])
    >>> obs, reward, terminated, truncated, info = env.step(3)
    >>> int(obs[0].sum()), int(obs[1].sum())
    (1, 1)

    ## Version History

    - v0: first version.
    """

    _core_cls = _core.ConnectFourCore
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 2}


class ConnectFourVectorEnv(RustVectorEnv):
    """ConnectFour-v0 batched in Rust; see :class:`ConnectFourEnv`."""

    _batch_cls = _core.ConnectFourBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 2}
