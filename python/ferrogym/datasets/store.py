"""Where Minari datasets live, and how ferrogym creates and opens them.

Minari keeps datasets under one root directory (``MINARI_DATASETS_PATH``,
default ``~/.minari/datasets``), one ``<root>/<dataset id>/data/`` directory
each. Every function here takes ``root``: the directory to use instead, for
that call only (``None``: Minari's own choice).

What ferrogym adds to Minari's episode layout, in each episode's ``infos``
(arrays with one row per observation, so ``T + 1`` rows for ``T`` steps, as
Minari's ``DataCollector`` stores infos):

- ``infos["action_mask"]``: bool ``(T + 1, n_actions)``, the valid actions
  at each observation (masked envs only; row ``t`` is the mask the action
  ``t`` was chosen under);
- ``infos["reward_components"][name]``: float64 ``(T + 1,)``, each step's
  reward by component (row 0, the reset, is 0).

And in the dataset's metadata, ``metadata["ferrogym"]``: the env id, the
arguments it was made with, its resolved config, the policy and seeds.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec

from ferrogym.errors import DatasetError
from ferrogym.rust_config import RustEnvConfig

if TYPE_CHECKING:
    from minari import EpisodeData, MinariDataset

#: Info key of the action masks (one row per observation).
MASK_KEY = "action_mask"
#: Info key of the reward components (one array per component, one row per observation).
COMPONENTS_KEY = "reward_components"
#: Dataset metadata key of ferrogym's facts about the run.
META_KEY = "ferrogym"
ROOT_ENV = "MINARI_DATASETS_PATH"
# Minari asks for these to be set; ferrogym leaves them unset rather than
# invent a contact, so the reminders are not warnings here.
_ADVISORY = r"`(author|author_email|code_permalink)` is set to None"


def require_minari() -> Any:
    """The ``minari`` module, or a clear message naming the extra."""
    try:
        import minari
    except ImportError:
        raise gym.error.DependencyNotInstalled(
            "Minari datasets need minari: pip install 'ferrogym[datasets]'"
        ) from None
    return minari


@contextlib.contextmanager
def datasets_root(root: str | os.PathLike[str] | None) -> Iterator[None]:
    """Points Minari at ``root`` for the duration (its functions read
    ``MINARI_DATASETS_PATH`` on every call, and take no directory argument);
    ``None`` leaves it as it is. The variable is process-wide: calls from
    several threads with different roots must not overlap."""
    if root is None:
        yield
        return
    before = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(Path(root))
    try:
        yield
    finally:
        if before is None:
            del os.environ[ROOT_ENV]
        else:
            os.environ[ROOT_ENV] = before


def dataset_path(dataset_id: str, root: str | os.PathLike[str] | None) -> Path:
    """``<root>/<dataset id>``, after checking the id is one Minari accepts."""
    minari = require_minari()
    try:
        minari.dataset.minari_dataset.parse_dataset_id(dataset_id)
    except (ValueError, TypeError):
        raise DatasetError(
            f"invalid dataset id {dataset_id!r}; expected '(namespace/)name-vN', e.g. 'ticket-routing/sed-v0'"
        ) from None
    with datasets_root(root):
        return Path(minari.storage.datasets_root_dir.get_dataset_path(dataset_id))


def data_file(dataset: MinariDataset) -> Path:
    """The file holding the episodes (the data directory for Arrow/Parquet storage)."""
    data = Path(dataset.storage.data_path)
    main = data / "main_data.hdf5"
    return main if main.exists() else data


def plain_kwargs(env_kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Env arguments as plain JSON data: a ``config=`` object becomes its fields."""
    out: dict[str, Any] = {}
    for key, value in env_kwargs.items():
        if isinstance(value, RustEnvConfig):
            out.update(value.kwargs())
        elif isinstance(value, np.generic):
            out[key] = value.item()
        else:
            out[key] = value
    try:
        json.dumps(out)
    except (TypeError, ValueError) as e:
        raise DatasetError(f"env arguments {out!r} cannot be stored in a dataset (not JSON: {e})") from None
    return out


def env_spec_for(env_id: str, env_kwargs: Mapping[str, Any]) -> EnvSpec:
    """The registered spec of ``env_id`` with ``env_kwargs`` as its kwargs:
    ``gym.make(spec)`` (what ``dataset.recover_environment()`` calls) then
    makes the env the data came from."""
    try:
        spec = gym.spec(env_id)
    except gym.error.Error as e:
        raise DatasetError(f"unknown env {env_id!r}: {e}") from None
    return replace(spec, kwargs={**spec.kwargs, **plain_kwargs(env_kwargs)})


def create(
    dataset_id: str,
    spec: EnvSpec,
    *,
    root: str | os.PathLike[str] | None,
    algorithm_name: str,
    description: str,
    facts: dict[str, Any],
    author: str | None = None,
    author_email: str | None = None,
    code_permalink: str | None = None,
    data_format: str = "hdf5",
) -> MinariDataset:
    """An empty dataset of ``spec``'s env, created by Minari (episodes are added after)."""
    minari = require_minari()
    path = dataset_path(dataset_id, root)
    if path.exists():
        raise DatasetError(f"{path}: a dataset {dataset_id!r} exists there; choose another id or delete it")
    import ferrogym

    with datasets_root(root), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_ADVISORY)
        dataset = minari.create_dataset_from_buffers(
            dataset_id,
            [],
            env=spec,
            eval_env=spec,
            algorithm_name=algorithm_name,
            author=author,
            author_email=author_email,
            code_permalink=code_permalink,
            description=description,
            data_format=data_format,
            requirements=[f"ferrogym>={ferrogym.__version__}"],
        )
    dataset.storage.update_metadata({META_KEY: facts})
    return dataset


def load(dataset_id: str, root: str | os.PathLike[str] | None = None) -> MinariDataset:
    """``minari.load_dataset(dataset_id)`` under ``root``, with errors that name
    the files and the problem (a missing dataset, corrupt metadata or data)."""
    minari = require_minari()
    path = dataset_path(dataset_id, root)
    if not (path / "data").is_dir():
        raise DatasetError(f"{path}: no Minari dataset {dataset_id!r} there")
    try:
        with datasets_root(root):
            dataset = minari.load_dataset(dataset_id)
    except (ValueError, KeyError, TypeError, AssertionError, OSError) as e:
        raise DatasetError(
            f"{path / 'data' / 'metadata.json'}: not a readable Minari dataset ({type(e).__name__}: {e})"
        ) from None
    # Minari opens the episode file lazily: read one episode's metadata now so
    # a damaged file is reported here, not halfway through a training run.
    probe(dataset)
    return dataset


def probe(dataset: MinariDataset) -> None:
    """Reads the first episode's metadata to find a damaged dataset before it is used.

    Raises:
        DatasetError: the data file is corrupt or truncated.
    """
    try:
        list(dataset.storage.get_episode_metadata(dataset.episode_indices[:1]))
    except Exception as e:  # h5py and pyarrow raise many types for damaged files
        raise DatasetError(f"{data_file(dataset)}: corrupt or truncated ({type(e).__name__}: {e})") from None


def episodes(dataset: MinariDataset, indices: Any = None) -> Iterator[EpisodeData]:
    """The dataset's episodes; a damaged file raises :class:`DatasetError` naming it."""
    it = dataset.iterate_episodes(indices)
    while True:
        try:
            ep = next(it)
        except StopIteration:
            return
        except Exception as e:  # see probe()
            raise DatasetError(f"{data_file(dataset)}: corrupt or truncated ({type(e).__name__}: {e})") from None
        yield ep


def seeds(dataset: MinariDataset, indices: Any = None) -> list[int | None]:
    """The reset seed of each episode (``None`` where it was not seeded)."""
    idx = dataset.episode_indices if indices is None else indices
    try:
        metas = list(dataset.storage.get_episode_metadata(idx))
    except Exception as e:  # see probe()
        raise DatasetError(f"{data_file(dataset)}: corrupt or truncated ({type(e).__name__}: {e})") from None
    return [None if m.get("seed") is None else int(m["seed"]) for m in metas]


def facts(dataset: MinariDataset) -> dict[str, Any]:
    """``metadata["ferrogym"]`` (empty for a dataset ferrogym did not write)."""
    value = dataset.storage.metadata.get(META_KEY)
    return dict(value) if isinstance(value, dict) else {}


def require_env(dataset: MinariDataset, env_id: str) -> EnvSpec:
    """The dataset's env spec, which must be ``env_id``'s."""
    spec: EnvSpec | None = dataset.env_spec
    if spec is None:
        raise DatasetError(f"{data_file(dataset)}: dataset {dataset.id!r} names no env; expected one of {env_id}")
    if spec.id != env_id:
        raise DatasetError(f"{data_file(dataset)}: dataset {dataset.id!r} is from {spec.id}, not {env_id}")
    return spec


def masks_of(dataset: MinariDataset, ep: EpisodeData) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Episode ``ep``'s action masks, ``(T + 1, n_actions)``."""
    infos = ep.infos or {}
    if MASK_KEY not in infos:
        raise DatasetError(
            f"{data_file(dataset)}: episode {ep.id} of {dataset.id!r} has no infos[{MASK_KEY!r}] "
            f"(keys {sorted(infos)}); a masked env's dataset needs the action masks"
        )
    masks = np.asarray(infos[MASK_KEY], dtype=np.bool_)
    if masks.ndim != 2 or masks.shape[0] != len(ep) + 1:
        raise DatasetError(
            f"{data_file(dataset)}: episode {ep.id} infos[{MASK_KEY!r}] has shape {masks.shape}; "
            f"expected ({len(ep) + 1}, n_actions), one row per observation"
        )
    return masks
