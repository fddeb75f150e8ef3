"""Default hyper-parameters of each algorithm, and hyper-parameter files for
``ferrogym train --config FILE.yaml``.

A file is a mapping of algorithm hyper-parameters, either flat (used with
whichever ``--library`` runs) or split by library so one file serves both::

    sb3:   {learning_rate: 3.0e-4, n_steps: 128, gamma: 0.99}
    rllib: {lr: 3.0e-4, train_batch_size_per_learner: 2048, model_config: {fcnet_hiddens: [128, 128]}}

The valid keys are read from the library itself, never listed here: for SB3
the keyword arguments of the algorithm class (``PPO.__init__``...), for RLlib
the arguments of ``PPOConfig.training`` and ``.env_runners`` plus
``model_config``. Keys the command sets from its own options (``--seed``,
``--num-workers``...) are refused so one setting has one home. An unknown key
raises :class:`~ferrogym.errors.ConfigError` naming the file, the key, the
closest valid key and the list.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from typing_extensions import Self

from ferrogym.errors import ConfigError

LIBRARIES = ("sb3", "rllib")

#: PPO on TicketRouting: the episode is about 60 decisions whose costs run for
#: hours, so a long horizon (gamma).
_PPO: dict[str, Any] = {
    "n_steps": 256,
    "batch_size": 512,
    "gamma": 0.995,
    "ent_coef": 0.003,
    "learning_rate": 3e-4,
    "policy_kwargs": {"net_arch": [128, 128]},
}
#: Defaults per algorithm of :mod:`ferrogym.training.algorithms` (the rest are
#: the library's own; ``batch-ppo``'s are :class:`~ferrogym.training.batch_ppo.BatchPPOConfig`).
DEFAULTS: dict[str, dict[str, Any]] = {
    "batch-ppo": {},
    "maskable-ppo": _PPO,
    "ppo": _PPO,
    "a2c": {"n_steps": 16, "gamma": 0.995, "ent_coef": 0.003},
    "dqn": {"gamma": 0.995, "learning_starts": 2_000, "buffer_size": 100_000, "exploration_fraction": 0.3},
}
#: Keys ``ferrogym train`` sets from its options, with the option to use.
OWNED: dict[str, dict[str, str]] = {
    "sb3": {
        "policy": "--algo (the MlpPolicy is chosen by ferrogym)",
        "env": "the ENV argument",
        "seed": "--seed",
        "device": "nothing (training runs on the CPU)",
        "verbose": "nothing (the progress bar replaces SB3's logs)",
        "tensorboard_log": "nothing (every run logs to OUT/tb)",
        "_init_setup_model": "nothing",
    },
    "rllib": {
        "num_env_runners": "--num-workers",
        "num_envs_per_env_runner": "--n-envs",
        "env_runner_cls": "nothing",
        "gym_env_vectorize_mode": "nothing (ferrogym steps the Rust batch)",
    },
}
#: YAML 1.1 (PyYAML) reads ``3e-4`` as a string: it needs a dot (``3.0e-4``).
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


def load(path: Path, library: str) -> dict[str, Any]:
    """The hyper-parameters of ``library`` in the YAML file at ``path`` (unchecked keys)."""
    if library not in LIBRARIES:
        raise ConfigError(f"unknown library {library!r}; expected one of {list(LIBRARIES)}")
    try:
        import yaml
    except ImportError as e:  # pragma: no cover - pyyaml is in the cli extra
        raise ConfigError("--config needs PyYAML: pip install 'ferrogym[yaml]'") from e
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as e:
        raise ConfigError(f"cannot read the config file {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigError(f"{path} must hold a mapping of hyper-parameter names to values, got {type(data).__name__}")
    if data and set(data) <= set(LIBRARIES):
        section = data.get(library) or {}
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: section {library!r} must be a mapping, got {type(section).__name__}")
        data = section
    return {k: _numbers(v) for k, v in data.items()}


def _numbers(value: Any) -> Any:
    if isinstance(value, str) and _FLOAT.match(value):
        return float(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def check(params: Mapping[str, Any], library: str, valid: Iterable[str], source: str) -> None:
    """Raises :class:`ConfigError` for a key not in ``valid`` or owned by the command."""
    valid = sorted(set(valid) - set(OWNED[library]))
    for key in params:
        if key in OWNED[library]:
            raise ConfigError(
                f"{source}: {key!r} is set by ferrogym train, not by the config file: use {OWNED[library][key]}"
            )
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: unknown hyper-parameter {key!r}{hint}; valid keys: {', '.join(valid)}")


def keyword_names(*functions: Callable[..., Any]) -> set[str]:
    """The keyword parameters of ``functions`` (without ``self`` and ``*args/**kwargs``)."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {
        name
        for f in functions
        for name, p in inspect.signature(f).parameters.items()
        if p.kind in kinds and name != "self"
    }


def batch_ppo_keys() -> set[str]:
    """Hyper-parameters of ``batch-ppo`` (its config's fields; ``n_envs`` is ``--n-envs``)."""
    from dataclasses import fields

    from ferrogym.training.batch_ppo import BatchPPOConfig

    return {f.name for f in fields(BatchPPOConfig)} - {"n_envs"}


def rollout_pi_keys() -> set[str]:
    """Hyper-parameters of ``rollout-pi`` (its config's fields)."""
    from dataclasses import fields

    from ferrogym.training.rollout_pi import RolloutPIConfig

    return {f.name for f in fields(RolloutPIConfig)}


def sb3_keys(algo_cls: type[Any]) -> set[str]:
    """Hyper-parameters an SB3 algorithm class takes."""
    return keyword_names(algo_cls.__init__)


def rllib_keys() -> set[str]:
    """Hyper-parameters ``ferrogym.integrations.rllib`` applies to its PPOConfig."""
    from ferrogym.integrations.rllib import hyperparameter_names

    return set().union(*hyperparameter_names().values())


class OwnLoopConfig:
    """The dict round trip of a frozen dataclass of hyper-parameters for one of
    ferrogym's own training loops (``batch-ppo``, ``rollout-pi``): ``--hyper``
    and ``--config`` give a dict, ``meta.json`` stores one.

    A subclass is a dataclass and sets ``algorithm`` (the name errors give).
    """

    algorithm: ClassVar[str]

    @classmethod
    def from_dict(cls, params: Mapping[str, Any]) -> Self:
        """The config with ``params`` over the defaults.

        Raises:
            ConfigError: an unknown key (the valid ones listed), or a value the config refuses.
        """
        valid = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ConfigError(f"{cls.algorithm}: unknown hyper-parameter(s) {unknown}; valid keys: {', '.join(valid)}")
        return cls(**params)

    def to_dict(self) -> dict[str, Any]:
        """The hyper-parameters as a plain dict (stored in the model's metadata)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]
