"""skrl over ferrogym envs; ``pip install 'ferrogym[skrl]'``.

skrl's ``wrap_env(env)`` with ``wrapper="auto"`` looks only at the direct base
classes of the env, which for ferrogym's batches are ferrogym classes: this
module names skrl's Gymnasium wrapper explicitly. skrl treats a vector env as
resetting itself and never passes the terminal observation on, so the batch
runs in SAME_STEP autoreset mode: each transition's next observation is the
real one, except at an episode's end where the flags cut bootstrapping.

skrl's wrapper flattens observation tensors itself but builds its models from
the observation space, so a Box with more than one axis (ConnectFour's
(2, 6, 7) planes) needs ``flatten_observation=True``, which gives the models
the flat space: Gymnasium's FlattenObservation for single envs, a reshape of
the batch (:class:`FlatBoxObservations`) for the Rust batch.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space
from numpy.typing import NDArray

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs, require, vector_class

require("skrl")

from skrl.envs.wrappers.torch import wrap_env  # noqa: E402
from skrl.envs.wrappers.torch.base import Wrapper  # noqa: E402


class FlatBoxObservations(gym.vector.VectorWrapper):
    """A batch with Box observations reshaped to one axis, in any autoreset mode.

    Gymnasium's vector FlattenObservation refuses SAME_STEP batches (it would
    leave ``infos["final_obs"]`` as they were); a Box needs only a reshape,
    applied here to the terminal observations too.
    """

    def __init__(self, env: gym.vector.VectorEnv[Any, Any, Any]) -> None:
        super().__init__(env)
        if not isinstance(env.single_observation_space, gym.spaces.Box):
            raise TypeError(f"FlatBoxObservations takes Box observations, not {env.single_observation_space}")
        self.single_observation_space = gym.spaces.flatten_space(env.single_observation_space)
        self.observation_space = batch_space(self.single_observation_space, env.num_envs)

    def _flat(self, obs: NDArray[Any]) -> NDArray[Any]:
        return np.reshape(obs, (self.num_envs, -1))

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets the batch and returns flat observations."""
        obs, infos = self.env.reset(seed=seed, options=options)
        return self._flat(obs), infos

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        """Steps the batch; observations and ``infos['final_obs']`` come back flat."""
        obs, rewards, terminated, truncated, infos = self.env.step(actions)
        if "final_obs" in infos:
            final_obs = np.full(self.num_envs, None, dtype=object)
            for i in np.flatnonzero(infos["_final_obs"]):
                final_obs[i] = np.reshape(infos["final_obs"][i], -1)
            infos = {**infos, "final_obs": final_obs}
        return self._flat(obs), rewards, terminated, truncated, infos


def wrap(env: gym.Env[Any, Any] | gym.vector.VectorEnv[Any, Any, Any]) -> Wrapper:
    """skrl's Gymnasium wrapper around a ferrogym env or batch."""
    return wrap_env(env, wrapper="gymnasium", verbose=False)


def make_env(env_id: str, num_envs: int | None = None, flatten_observation: bool = False, **kwargs: Any) -> Wrapper:
    """A single env (``num_envs=None``) or the Rust batch, wrapped for skrl.

    Masked envs get ``invalid_action="fallback"`` unless ``invalid_action`` is
    given: skrl's agents sample without masks. skrl hands Tuple observations
    (Blackjack) to the models as a list of tensors, which its model
    instantiators cannot take: ``flatten_observation=True`` flattens them with
    Gymnasium's FlattenObservation (Discrete parts one-hot), for single envs
    only: Gymnasium's vector observation wrappers refuse the SAME_STEP batch skrl needs.
    Box observations with several axes (ConnectFour) flatten in both modes.
    """
    env_kwargs = blind_kwargs(env_id, kwargs)
    if num_envs is None:
        env = gym.make(env_id, **env_kwargs)
        return wrap(gym.wrappers.FlattenObservation(env) if flatten_observation else env)
    spec = gym.spec(env_id)
    if spec.max_episode_steps is not None:
        env_kwargs.setdefault("max_episode_steps", spec.max_episode_steps)
    cls = vector_class(env_id)
    batch = cls(num_envs, autoreset_mode=AutoresetMode.SAME_STEP, **env_kwargs)
    if not flatten_observation:
        return wrap(batch)
    if isinstance(batch.single_observation_space, gym.spaces.Box):
        return wrap(FlatBoxObservations(batch))
    batch.close()
    raise UnsupportedSpace(
        f"{env_id}: skrl steps the Rust batch in SAME_STEP autoreset mode, which Gymnasium's vector "
        "FlattenObservation refuses; flatten single envs (num_envs=None, flatten_observation=True) "
        "or give skrl a model that takes the Tuple observation (a list of tensors)"
    )
