"""Blackjack in Rust, with the rules and rewards of Gymnasium's Blackjack-v1."""

from __future__ import annotations

from typing import Any

from ferrogym import _core
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


class BlackjackEnv(RustEnv):
    """
    ## Description

    Beat the dealer: get a hand closer to 21 than the dealer's without going
    over. Face cards count 10, an ace 1 or 11 ("usable" when it can count 11
    without busting). The deck is infinite (cards drawn with replacement).
    The dealer shows one card; after the player sticks, the dealer draws
    until reaching 17 or more. The rules are Gymnasium's Blackjack-v1
    (Sutton & Barto, example 5.1), checked against it card for card in
    ``tests/test_blackjack.py``.

    ## Action Space

    ``Discrete(2)``: 0 stick, 1 hit.

    ## Observation Space

    ``Tuple(Discrete(32), Discrete(11), Discrete(2))``, a tuple of Python
    ints as in Gymnasium: the player's current sum, the dealer's face-up card
    (1 = ace) and whether the player holds a usable ace. The batched env
    returns a tuple of three int64 arrays of length ``num_envs``.

    ## Rewards

    +1 win, -1 loss, 0 draw. With ``natural=True`` (and ``sab=False``) a
    winning natural blackjack (ace and ten-card) pays +1.5; with ``sab=True``
    a natural wins +1 unless the dealer also has one.

    ## Starting State

    Two cards each, the dealer's drawn first, from the env's Rust generator
    seeded from ``np_random``.

    ## Episode End

    Terminated when the player sticks or busts (sum over 21). No time limit.

    ## Arguments

    - ``natural`` (bool, default False), ``sab`` (bool, default True, as in
      the registered Gymnasium Blackjack-v1)
    - ``render_mode``: ``"human"`` (a pygame window), ``"ansi"`` or ``"rgb_array"`` (384x376, cards drawn as pips)

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/Blackjack-v1")
    >>> (player_sum, dealer_card, usable_ace), info = env.reset(seed=1)
    >>> 4 <= player_sum <= 21 and 1 <= dealer_card <= 10
    True

    ## Version History

    - v1: first ferrogym version, matching Gymnasium's Blackjack-v1.
    """

    _core_cls = _core.BlackjackCore
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 4}


class BlackjackVectorEnv(RustVectorEnv):
    """Blackjack-v1 batched in Rust; see :class:`BlackjackEnv`."""

    _batch_cls = _core.BlackjackBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}
