"""TorchRL over ferrogym's Rust batch; ``pip install 'ferrogym[torchrl]'``.

The batch runs in Gymnasium's DISABLED autoreset mode, TorchRL's preferred
one: TorchRL resets only the sub-envs that ended, through
``reset(options={"reset_mask": ...})``, which the Rust batch does natively.

>>> from ferrogym.integrations.torchrl import make_env     # doctest: +SKIP
>>> env = make_env("ferrogym/CartPole-v1", num_envs=16)   # doctest: +SKIP
>>> env.rollout(100)                                      # doctest: +SKIP

TorchRL's GymWrapper takes no Tuple observations (Gymnasium's own
Blackjack-v1 fails the same way): ``flatten_observation=True`` flattens them
with Gymnasium's FlattenObservation (Discrete parts one-hot).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium.vector import AutoresetMode

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs, require, vector_class

require("torchrl")

from torchrl.envs import GymWrapper  # noqa: E402


def make_env(
    env_id: str, num_envs: int = 1, *, device: str = "cpu", flatten_observation: bool = False, **kwargs: Any
) -> GymWrapper:
    """A TorchRL env (batch size ``[num_envs]``) stepping the Rust batch.

    Masked envs get ``invalid_action="fallback"`` unless ``invalid_action`` is
    given: TorchRL's collectors sample without masks.
    """
    cls = vector_class(env_id)
    spec = gym.spec(env_id)
    env_kwargs = blind_kwargs(env_id, kwargs)
    if spec.max_episode_steps is not None:
        env_kwargs.setdefault("max_episode_steps", spec.max_episode_steps)
    venv = cls(num_envs, autoreset_mode=AutoresetMode.DISABLED, **env_kwargs)
    if flatten_observation:
        return GymWrapper(gym.wrappers.vector.FlattenObservation(venv), device=device)
    if isinstance(venv.single_observation_space, gym.spaces.Tuple):
        venv.close()
        raise UnsupportedSpace(
            f"{env_id}: TorchRL's GymWrapper takes no {venv.single_observation_space} observations (Tuple spaces); "
            "pass flatten_observation=True (single envs: gymnasium.wrappers.FlattenObservation)"
        )
    return GymWrapper(venv, device=device)
