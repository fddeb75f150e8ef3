"""Streams rows to a recording file in chunks (bounded memory).

Parquet (default): one file per run; every chunk is a row group. Appending
copies the existing row groups into a temporary file beside it, streams the
new rows after them and replaces the original only on ``close()``: a crash
leaves the original untouched. HDF5 (``.h5``/``.hdf5``, needs h5py): resizable
chunked datasets, appended in place.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import RecordingError
from ferrogym.record.schema import COMPONENT_PREFIX, META_KEY, RecordingMeta

HDF5_SUFFIXES = (".h5", ".hdf5")


def h5_name(column: str) -> str:
    """HDF5 reads ``/`` as a group separator: ``reward/wait`` is stored as ``reward:wait``."""
    return column.replace("/", ":")


def require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        import gymnasium as gym

        raise gym.error.DependencyNotInstalled(
            f"recordings need {module.split('.')[0]}: pip install 'ferrogym[record]'"
        ) from None


@dataclass
class Block:
    """``n`` rows; ``step == 0`` marks reset rows, whose action/reward are null."""

    episode: NDArray[np.int64]
    env_index: NDArray[np.int32]
    step: NDArray[np.int32]
    observation: NDArray[Any]  # (n, obs_size)
    action: NDArray[Any]  # (n, action_size); ignored on reset rows
    reward: NDArray[np.float64]
    terminated: NDArray[np.bool_]
    truncated: NDArray[np.bool_]
    seed: list[int | None]
    info: list[str]
    state: list[str | None]
    episode_log: list[str | None]
    components: dict[str, NDArray[np.float64]]  # NaN = absent

    def __len__(self) -> int:
        return len(self.episode)


def concat(blocks: list[Block], components: tuple[str, ...]) -> Block:
    def cat(name: str) -> Any:
        first = getattr(blocks[0], name)
        if isinstance(first, list):
            return [v for b in blocks for v in getattr(b, name)]
        return np.concatenate([getattr(b, name) for b in blocks])

    comps = {c: np.concatenate([b.components.get(c, np.full(len(b), np.nan)) for b in blocks]) for c in components}
    return Block(**{f: cat(f) for f in Block.__dataclass_fields__ if f != "components"}, components=comps)


class RecordingWriter:
    """Writes :class:`Block` rows to ``path``; ``append=False`` refuses an existing file."""

    def __init__(
        self, path: str | os.PathLike[str], meta: RecordingMeta, *, append: bool = False, chunk_rows: int = 4096
    ) -> None:
        self.path = Path(path)
        self.meta = meta
        self.chunk_rows = max(1, int(chunk_rows))
        self.hdf5 = self.path.suffix.lower() in HDF5_SUFFIXES
        self._blocks: list[Block] = []
        self._rows = 0
        self._sink: _ParquetSink | _HDF5Sink | None = None
        self.next_episode = 0
        self.closed = False
        require("h5py" if self.hdf5 else "pyarrow.parquet")
        if self.path.exists():
            if not append:
                raise RecordingError(
                    f"{self.path}: the file exists; pass append=True (CLI: --append) to add to it, "
                    "or choose another path (nothing was overwritten)"
                )
            from ferrogym.record.reader import Recording

            old = Recording(self.path)
            old.meta.check_same_env(meta, str(self.path))
            self.meta = replace(meta, components=old.meta.components, env_kwargs=old.meta.env_kwargs)
            episodes = old.episodes()
            self.next_episode = int(episodes.max()) + 1 if len(episodes) else 0
            self._appending = True
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._appending = False

    def new_episode(self) -> int:
        k = self.next_episode
        self.next_episode += 1
        return k

    def add(self, block: Block) -> None:
        if self.closed:
            raise RecordingError(f"{self.path}: the recording is closed")
        self._blocks.append(block)
        self._rows += len(block)
        if self._rows >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        if not self._blocks:
            return
        if self._sink is None:
            if not self.meta.components and not self._appending:
                names = dict.fromkeys(n for b in self._blocks for n in b.components)
                self.meta = replace(self.meta, components=tuple(names))
            self._sink = _HDF5Sink(self) if self.hdf5 else _ParquetSink(self)
        self._sink.write(concat(self._blocks, self.meta.components))
        self._blocks, self._rows = [], 0

    def close(self) -> None:
        if self.closed:
            return
        self.flush()
        if self._sink is not None:
            self._sink.close()
        self.closed = True


def _extra_components(block: Block, known: tuple[str, ...]) -> None:
    """Components the file has no column for go into the info JSON."""
    extra = [c for c in block.components if c not in known]
    if not extra:
        return
    for i in range(len(block)):
        values = {c: float(block.components[c][i]) for c in extra if not np.isnan(block.components[c][i])}
        if values:
            info = json.loads(block.info[i])
            info["reward_components"] = values
            block.info[i] = json.dumps(info)


class _ParquetSink:
    def __init__(self, w: RecordingWriter) -> None:
        self.pa = require("pyarrow")
        self.pq = require("pyarrow.parquet")
        self.w = w
        pa = self.pa
        m = w.meta
        fields = [
            pa.field("episode", pa.int64(), nullable=False),
            pa.field("env_index", pa.int32(), nullable=False),
            pa.field("step", pa.int32(), nullable=False),
            pa.field("observation", pa.list_(pa.from_numpy_dtype(np.dtype(m.obs_dtype)), m.obs_size)),
            pa.field("action", pa.list_(pa.from_numpy_dtype(np.dtype(m.action_dtype)), m.action_size)),
            pa.field("reward", pa.float64()),
            *(pa.field(COMPONENT_PREFIX + c, pa.float64()) for c in m.components),
            pa.field("terminated", pa.bool_(), nullable=False),
            pa.field("truncated", pa.bool_(), nullable=False),
            pa.field("seed", pa.int64()),
            pa.field("info", pa.string()),
            pa.field("state", pa.string()),
            pa.field("episode_log", pa.string()),
        ]
        self.schema = pa.schema(fields, metadata={META_KEY: m.to_json()})
        target = w.path
        if w._appending:
            fd, tmp = tempfile.mkstemp(prefix=f".{w.path.name}.", suffix=".tmp", dir=w.path.parent)
            os.close(fd)
            target = Path(tmp)
        self.target = target
        self.writer = self.pq.ParquetWriter(target, self.schema, compression="zstd")
        if w._appending:
            old = self.pq.ParquetFile(w.path)
            for batch in old.iter_batches(batch_size=w.chunk_rows):
                self.writer.write_table(self.pa.Table.from_batches([batch]).cast(self.schema))

    def write(self, b: Block) -> None:
        pa = self.pa
        _extra_components(b, self.w.meta.components)
        reset = pa.array(b.step == 0)
        m = self.w.meta
        obs = pa.FixedSizeListArray.from_arrays(pa.array(b.observation.reshape(-1)), m.obs_size)
        act = pa.FixedSizeListArray.from_arrays(pa.array(b.action.reshape(-1)), m.action_size, mask=reset)
        cols: dict[str, Any] = {
            "episode": pa.array(b.episode, pa.int64()),
            "env_index": pa.array(b.env_index, pa.int32()),
            "step": pa.array(b.step, pa.int32()),
            "observation": obs,
            "action": act,
            "reward": pa.array(b.reward, pa.float64(), mask=b.step == 0),
            **{
                COMPONENT_PREFIX + c: pa.array(b.components[c], pa.float64(), mask=np.isnan(b.components[c]))
                for c in m.components
            },
            "terminated": pa.array(b.terminated, pa.bool_()),
            "truncated": pa.array(b.truncated, pa.bool_()),
            "seed": pa.array(b.seed, pa.int64()),
            "info": pa.array(b.info, pa.string()),
            "state": pa.array(b.state, pa.string()),
            "episode_log": pa.array(b.episode_log, pa.string()),
        }
        self.writer.write_table(pa.table(cols, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
        if self.target != self.w.path:
            os.replace(self.target, self.w.path)


class _HDF5Sink:
    def __init__(self, w: RecordingWriter) -> None:
        self.h5py = require("h5py")
        self.w = w
        self.file = self.h5py.File(w.path, "a" if w._appending else "x")
        if not w._appending:
            self.file.attrs[META_KEY] = w.meta.to_json()

    def _append(self, name: str, data: NDArray[Any]) -> None:
        f = self.file
        if name not in f:
            dtype = self.h5py.string_dtype() if data.dtype == object else data.dtype
            f.create_dataset(
                name,
                shape=(0, *data.shape[1:]),
                maxshape=(None, *data.shape[1:]),
                dtype=dtype,
                chunks=(max(1, min(self.w.chunk_rows, 4096)), *data.shape[1:]),
            )
        ds = f[name]
        n = ds.shape[0]
        ds.resize(n + len(data), axis=0)
        ds[n:] = data

    def write(self, b: Block) -> None:
        _extra_components(b, self.w.meta.components)
        m = self.w.meta
        strings = {
            k: np.array(["" if v is None else v for v in getattr(b, k)], dtype=object)
            for k in ("info", "state", "episode_log")
        }
        cols: dict[str, NDArray[Any]] = {
            "episode": b.episode.astype(np.int64),
            "env_index": b.env_index.astype(np.int32),
            "step": b.step.astype(np.int32),
            "observation": b.observation.astype(m.obs_dtype),
            "action": b.action.astype(m.action_dtype),
            "reward": np.where(b.step == 0, np.nan, b.reward),
            **{COMPONENT_PREFIX + c: b.components[c] for c in m.components},
            "terminated": b.terminated,
            "truncated": b.truncated,
            "seed": np.array([-1 if s is None else s for s in b.seed], dtype=np.int64),
            **strings,
        }
        for name, data in cols.items():
            self._append(h5_name(name), data)

    def close(self) -> None:
        self.file.close()
