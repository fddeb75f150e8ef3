"""A Stable-Baselines3 ``VecEnv`` directly over ferrogym's Rust batch.

No subprocesses and no per-env Python objects: every sub-env steps in Rust.
Needs the ``sb3`` extra (``pip install ferrogym[sb3]``).

>>> from ferrogym.integrations.sb3 import make_vec_env
>>> venv = make_vec_env("ferrogym/CartPole-v1", n_envs=8, seed=0)   # doctest: +SKIP
>>> from stable_baselines3 import PPO
>>> PPO("MlpPolicy", venv).learn(10_000)                             # doctest: +SKIP

SB3's algorithms take no Tuple observations: ``make_vec_env`` refuses them
(UnsupportedSpace) unless ``flatten_observation=True``, which flattens them in
the batch as Gymnasium's ``FlattenObservation`` does for a single env
(Discrete parts one-hot). :func:`check_algorithm` tells, before
building a model, whether an SB3 algorithm takes the env's action space.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import load_env_creator
from gymnasium.vector import AutoresetMode
from numpy.typing import NDArray

try:
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import VecEnv, VecMonitor
    from stable_baselines3.common.vec_env.base_vec_env import VecEnvIndices, VecEnvStepReturn
except ImportError:  # pragma: no cover - exercised only without the extra
    from ferrogym.extras import missing

    raise missing("stable_baselines3", "sb3", "ferrogym.integrations.sb3") from None

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import check_action_space
from ferrogym.vector import RustVectorEnv

#: Attributes that belong to one sub-env, answered without the batch dimension.
_SINGLE_ATTRS = {"observation_space": "single_observation_space", "action_space": "single_action_space"}


class FerroVecEnv(VecEnv):
    """SB3 ``VecEnv`` over a :class:`~ferrogym.vector.RustVectorEnv`.

    The batch runs in Gymnasium's SAME_STEP autoreset mode, which is SB3's own
    convention: an ended sub-env is reset at once and its last observation is
    in ``infos[i]["terminal_observation"]``.
    """

    venv: RustVectorEnv
    #: The batch's own single observation space (before any flattening).
    _obs_space: gym.Space[Any]
    _flatten: bool

    def __init__(self, env_id: str, n_envs: int, flatten_observation: bool = False, **env_kwargs: Any) -> None:
        entry = gym.spec(env_id).vector_entry_point
        creator = load_env_creator(entry) if isinstance(entry, str) else entry
        if not (isinstance(creator, type) and issubclass(creator, RustVectorEnv)):
            raise TypeError(
                f"{env_id} is not a ferrogym Rust env (its vector entry point is {entry!r}); "
                "use stable_baselines3.common.env_util.make_vec_env for other envs"
            )
        venv = gym.make_vec(
            env_id,
            num_envs=n_envs,
            vectorization_mode="vector_entry_point",
            autoreset_mode=AutoresetMode.SAME_STEP,
            **env_kwargs,
        )
        assert isinstance(venv, RustVectorEnv)
        self.venv = venv
        self._obs_space = venv.single_observation_space
        obs_space = gym.spaces.flatten_space(self._obs_space) if flatten_observation else self._obs_space
        self._flatten = flatten_observation
        super().__init__(n_envs, obs_space, venv.single_action_space)
        self._actions: NDArray[Any] | None = None

    def _batch_obs(self, obs: Any) -> Any:
        """The batch's observations as SB3 sees them (flattened if asked)."""
        if not self._flatten:
            return obs
        return np.stack([self._flat(o) for o in gym.vector.utils.iterate(self.venv.observation_space, obs)])

    def _flat(self, single_obs: Any) -> NDArray[Any]:
        return np.asarray(gym.spaces.flatten(self._obs_space, single_obs))

    def reset(self) -> NDArray[Any]:
        """Resets every sub-env with the seeds and options set since the last reset; returns the observations."""
        seeds = None if all(s is None for s in self._seeds) else list(self._seeds)
        obs, _ = self.venv.reset(seed=seeds)
        self.reset_infos = [{} for _ in range(self.num_envs)]
        self._reset_seeds()
        self._reset_options()
        return self._batch_obs(obs)  # type: ignore[no-any-return]

    def step_async(self, actions: NDArray[Any]) -> None:
        """Keeps ``actions`` for the next :meth:`step_wait`."""
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        """Steps the batch with the kept actions, in SB3's form.

        Returns:
            Observations, rewards, dones and per-env infos with ``terminal_observation`` and
                ``TimeLimit.truncated``.

        Raises:
            RuntimeError: no actions were given with :meth:`step_async`.
        """
        if self._actions is None:
            raise RuntimeError("step_wait() called without step_async()")
        obs, rewards, terminated, truncated, infos = self.venv.step(self._actions)
        self._actions = None
        dones = terminated | truncated
        time_limit = truncated & ~terminated
        step_infos: list[dict[str, Any]] = [{"TimeLimit.truncated": bool(t)} for t in time_limit]
        if "final_obs" in infos:
            final_obs = infos["final_obs"]
            for i in np.flatnonzero(dones):
                step_infos[i]["terminal_observation"] = self._flat(final_obs[i]) if self._flatten else final_obs[i]
        # Named info groups (e.g. reward_components) go to SB3's per-env
        # dicts; an env that just ended reports its terminal step's values.
        _spread_groups(infos, step_infos)
        _spread_groups(infos.get("final_info", {}), step_infos)
        return self._batch_obs(obs), rewards.astype(np.float32), dones, step_infos

    def close(self) -> None:
        """Closes the batch."""
        self.venv.close()

    def get_images(self) -> Sequence[NDArray[np.uint8] | None]:
        """Returns one RGB frame per sub-env in ``rgb_array`` mode, else None for each."""
        if self.render_mode != "rgb_array":
            return [None] * self.num_envs
        frames = self.venv.render()
        return list(frames) if frames is not None else [None] * self.num_envs

    def _indices(self, indices: VecEnvIndices) -> list[int]:
        return list(self._get_indices(indices))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """Returns attribute ``attr_name`` once per selected sub-env (sub-envs share one config)."""
        idx = self._indices(indices)
        if attr_name == "render_mode":
            # SB3's VecEnv.__init__ asks for this before our own init is done.
            return [self.venv.render_mode] * len(idx)
        value = getattr(self.venv, _SINGLE_ATTRS.get(attr_name, attr_name))
        return [value] * len(idx)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Always refuses: sub-envs of a Rust batch share one config.

        Raises:
            AttributeError: naming the alternatives (a new env, or ``env_method('set_config', ...)``).
        """
        raise AttributeError(
            f"set_attr({attr_name!r}) is not supported: sub-envs of a Rust batch share one config; "
            "build a new env with the value instead, or env_method('set_config', knobs) where the env allows it"
        )

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs: Any
    ) -> list[Any]:
        """Calls ``method_name`` for the selected sub-envs.

        A Rust batch offers ``action_masks``, ``get_state``, ``set_config`` and ``set_state`` per sub-env.

        Raises:
            AttributeError: the method is not one a Rust batch offers per sub-env.
        """
        idx = self._indices(indices)
        if method_name == "action_masks":
            masks = self.venv.action_masks()
            return [masks[i] for i in idx]
        if method_name == "get_state":
            return [self.venv.get_state(i) for i in idx]
        if method_name == "set_config":
            for i in idx:
                self.venv.set_config(i, *method_args, **method_kwargs)
            return [None] * len(idx)
        if method_name == "set_state":
            for i in idx:
                self.venv.set_state(i, *method_args, **method_kwargs)
            return [None] * len(idx)
        raise AttributeError(f"{type(self).__name__} has no per-env method {method_name!r}")

    def env_is_wrapped(
        self, wrapper_class: type[gym.Wrapper[Any, Any, Any, Any]], indices: VecEnvIndices = None
    ) -> list[bool]:
        """Returns False for each selected sub-env: a Rust batch's sub-envs carry no Gymnasium wrappers."""
        # Sub-envs of a Rust batch are never wrapped by Gymnasium wrappers.
        return [False] * len(self._indices(indices))

    def action_masks(self) -> NDArray[np.bool_]:
        """Masks of every sub-env, shape (n_envs, n_actions); (n_envs, 0) for Box actions."""
        return self.venv.action_masks()


#: Action spaces each SB3 / sb3-contrib algorithm takes (their own
#: ``supported_action_spaces``, which they only check inside ``__init__``).
_DISCRETE = (gym.spaces.Discrete, gym.spaces.MultiDiscrete, gym.spaces.MultiBinary)
ACTION_SPACES: dict[str, tuple[type[gym.Space[Any]], ...]] = {
    "PPO": (gym.spaces.Box, *_DISCRETE),
    "A2C": (gym.spaces.Box, *_DISCRETE),
    "RecurrentPPO": (gym.spaces.Box, *_DISCRETE),
    "DQN": (gym.spaces.Discrete,),
    "QRDQN": (gym.spaces.Discrete,),
    "SAC": (gym.spaces.Box,),
    "TD3": (gym.spaces.Box,),
    "DDPG": (gym.spaces.Box,),
    "TQC": (gym.spaces.Box,),
    "CrossQ": (gym.spaces.Box,),
    "MaskablePPO": _DISCRETE,
}
#: What to use instead, by the kind of action space.
_INSTEAD = {gym.spaces.Box: "PPO, A2C or SAC", gym.spaces.Discrete: "PPO, A2C, DQN or MaskablePPO"}


def learned_timesteps(model: Any, total_timesteps: int) -> int:
    """The step count ``model.learn(total_timesteps)`` ends at from 0 when not
    stopped: SB3 collects whole rollouts (``n_steps`` x ``n_envs`` on-policy,
    ``train_freq`` steps x ``n_envs`` off-policy) until it reaches the total,
    so it ends on the next multiple at or above it (4096 for 4000 with 512-step rollouts)."""
    from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
    from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
    from stable_baselines3.common.type_aliases import TrainFreq, TrainFrequencyUnit

    freq = getattr(model, "train_freq", None)  # a TrainFreq once the model is built
    if isinstance(model, OnPolicyAlgorithm):
        rollout = model.n_steps * model.n_envs
    elif isinstance(model, OffPolicyAlgorithm) and isinstance(freq, TrainFreq) and freq.unit == TrainFrequencyUnit.STEP:
        rollout = freq.frequency * model.n_envs
    else:  # rollouts of whole episodes: their length is not known in advance
        return total_timesteps
    return -(-total_timesteps // rollout) * rollout


def check_algorithm(algorithm: type[Any] | str, action_space: gym.Space[Any], env_id: str = "the env") -> None:
    """Raises :class:`~ferrogym.errors.UnsupportedSpace` when the SB3 algorithm
    (class or name) cannot take ``action_space``; unknown algorithms pass."""
    name = algorithm if isinstance(algorithm, str) else algorithm.__name__
    allowed = ACTION_SPACES.get(name)
    if allowed is not None:
        instead = next((v for k, v in _INSTEAD.items() if isinstance(action_space, k)), "another algorithm")
        check_action_space("Stable-Baselines3", name, allowed, action_space, env_id, instead)


def _spread_groups(infos: dict[str, Any], step_infos: list[dict[str, Any]]) -> None:
    """Gymnasium's vector info groups (``{group: {name: array}, "_group": mask}``)
    as one ``{group: {name: float}}`` entry per sub-env that has them."""
    for key, group in infos.items():
        if key.startswith("_") or key in ("final_obs", "final_info") or not isinstance(group, dict):
            continue
        names = [n for n in group if not n.startswith("_")]
        for i in np.flatnonzero(infos[f"_{key}"]):
            step_infos[i][key] = {n: float(group[n][i]) for n in names}


class RewardComponentsCallback(BaseCallback):
    """Logs each reward component's mean per-episode sum to SB3's logger (so
    to TensorBoard with ``tensorboard_log=...``), as ``reward_components/NAME``,
    at the end of every rollout. Works with any env whose infos carry
    ``reward_components`` (TicketRouting, BaseEnvironment reward terms)."""

    def __init__(self, verbose: int = 0) -> None:
        super().__init__(verbose)
        self._running: dict[int, dict[str, float]] = {}
        self._finished: list[dict[str, float]] = []

    def _on_step(self) -> bool:
        infos: list[dict[str, Any]] = self.locals.get("infos", [])
        dones = self.locals.get("dones", np.zeros(len(infos), dtype=bool))
        for i, info in enumerate(infos):
            parts = info.get("reward_components")
            if parts is not None:
                sums = self._running.setdefault(i, {})
                for name, value in parts.items():
                    sums[name] = sums.get(name, 0.0) + float(value)
            if dones[i] and i in self._running:
                self._finished.append(self._running.pop(i))
        return True

    def _on_rollout_end(self) -> None:
        if not self._finished:
            return
        for name in self._finished[0]:
            mean = float(np.mean([episode.get(name, 0.0) for episode in self._finished]))
            self.logger.record(f"reward_components/{name}", mean)
        self.logger.record("reward_components/episodes", len(self._finished))
        self._finished = []


def make_vec_env(
    env_id: str,
    n_envs: int = 1,
    seed: int | None = None,
    monitor: bool = True,
    flatten_observation: bool = False,
    **env_kwargs: Any,
) -> VecEnv:
    """A Rust-batched SB3 ``VecEnv``; with ``monitor`` wrapped in ``VecMonitor``
    so SB3 logs episode returns and lengths. ``flatten_observation`` turns
    Tuple observations (Blackjack) into the flat vector SB3 needs."""
    venv: VecEnv = FerroVecEnv(env_id, n_envs, flatten_observation=flatten_observation, **env_kwargs)
    if isinstance(venv.observation_space, gym.spaces.Tuple):
        # FerroVecEnv carries Tuple observations as DummyVecEnv does; SB3's algorithms take none.
        space = venv.observation_space
        venv.close()
        raise UnsupportedSpace(
            f"{env_id}: Stable-Baselines3's algorithms take no {space} observations (Tuple spaces); "
            "pass flatten_observation=True (single envs: gymnasium.wrappers.FlattenObservation), "
            "which one-hot encodes the Discrete parts"
        )
    if seed is not None:
        venv.seed(seed)
    if monitor:
        venv = VecMonitor(venv)
    return venv
