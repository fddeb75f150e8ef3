"""One recording file, Parquet or HDF5: write it whole, merge several, read columns back.

Parquet keeps the row layout of :mod:`ferrogym.record.schema` (row groups of
``chunk_rows``); HDF5 has one resizable chunked dataset per column.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.extras import require as require_extra
from ferrogym.record.block import Block
from ferrogym.record.schema import COMPONENT_PREFIX, META_KEY, RecordingMeta

HDF5_SUFFIXES = (".h5", ".hdf5")
STRING_COLUMNS = ("info", "state", "episode_log")


def require(module: str) -> Any:
    """A library of the ``record`` extra (pyarrow, h5py, Pillow)."""
    return require_extra(module, "record", "recording")


def is_hdf5(path: Path) -> bool:
    """Returns whether ``path`` names an HDF5 recording (by suffix); otherwise it is Parquet."""
    return path.suffix.lower() in HDF5_SUFFIXES


def h5_name(column: str) -> str:
    """HDF5 reads ``/`` as a group separator: ``reward/wait`` is stored as ``reward:wait``."""
    return column.replace("/", ":")


# -- Parquet -------------------------------------------------------------------


def parquet_schema(m: RecordingMeta) -> Any:
    """Returns the Arrow schema of a recording's Parquet rows for ``m`` (one row per transition)."""
    pa = require("pyarrow")
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
    return pa.schema(fields, metadata={META_KEY: m.to_json()})


def parquet_table(b: Block, m: RecordingMeta) -> Any:
    """Returns block ``b`` as an Arrow table in the schema of :func:`parquet_schema`."""
    pa = require("pyarrow")
    reset = b.step == 0
    obs = pa.FixedSizeListArray.from_arrays(pa.array(b.observation.reshape(-1)), m.obs_size)
    act = pa.FixedSizeListArray.from_arrays(pa.array(b.action.reshape(-1)), m.action_size, mask=pa.array(reset))
    cols: dict[str, Any] = {
        "episode": pa.array(b.episode, pa.int64()),
        "env_index": pa.array(b.env_index, pa.int32()),
        "step": pa.array(b.step, pa.int32()),
        "observation": obs,
        "action": act,
        "reward": pa.array(b.reward, pa.float64(), mask=reset),
        **{
            COMPONENT_PREFIX + c: pa.array(b.components[c], pa.float64(), mask=np.isnan(b.components[c]))
            for c in m.components
        },
        "terminated": pa.array(b.terminated, pa.bool_()),
        "truncated": pa.array(b.truncated, pa.bool_()),
        "seed": pa.array(b.seed, pa.int64()),
        **{k: pa.array(getattr(b, k), pa.string()) for k in STRING_COLUMNS},
    }
    return pa.table(cols, schema=parquet_schema(m))


# -- HDF5 ----------------------------------------------------------------------


def hdf5_columns(b: Block, m: RecordingMeta) -> dict[str, NDArray[Any]]:
    """Column name in the file -> data (nulls as NaN, -1 or "")."""
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
        **{k: np.array(["" if v is None else v for v in getattr(b, k)], dtype=object) for k in STRING_COLUMNS},
    }
    return {h5_name(k): v for k, v in cols.items()}


def _h5_append(f: Any, name: str, data: NDArray[Any], chunk_rows: int) -> None:
    h5py = require("h5py")
    if name not in f:
        dtype = h5py.string_dtype() if data.dtype == object else data.dtype
        f.create_dataset(
            name,
            shape=(0, *data.shape[1:]),
            maxshape=(None, *data.shape[1:]),
            dtype=dtype,
            chunks=(max(1, min(chunk_rows, 4096)), *data.shape[1:]),
        )
    ds = f[name]
    n = ds.shape[0]
    ds.resize(n + len(data), axis=0)
    ds[n:] = data


def _h5_read_all(path: Path) -> dict[str, NDArray[Any]]:
    h5py = require("h5py")
    with h5py.File(path, "r") as f:
        return {k: f[k][:] for k in f}


# -- whole files -----------------------------------------------------------------


def write_file(path: Path, m: RecordingMeta, b: Block, chunk_rows: int, *, hdf5: bool) -> None:
    """``b`` as one complete file at ``path`` (which must not exist)."""
    if hdf5:
        h5py = require("h5py")
        with h5py.File(path, "x") as f:
            f.attrs[META_KEY] = m.to_json()
            for name, data in hdf5_columns(b, m).items():
                # Fixed-size, contiguous: a part is written once (merging makes them resizable).
                f.create_dataset(name, data=data, dtype=h5py.string_dtype() if data.dtype == object else data.dtype)
    else:
        pq = require("pyarrow.parquet")
        pq.write_table(parquet_table(b, m), path, compression="zstd", row_group_size=chunk_rows)


def merge_files(target: Path, sources: list[Path], m: RecordingMeta, chunk_rows: int, *, hdf5: bool) -> None:
    """Writes the rows of ``sources`` in order to ``target``, with metadata ``m``.

    Streams: Parquet a row group at a time, HDF5 a file at a time. An HDF5
    recording (the first source when appending) is copied as it is and extended."""
    if hdf5:
        h5py = require("h5py")
        rest = sources
        if sources and _resizable(sources[0]):
            shutil.copyfile(sources[0], target)
            rest = sources[1:]
        with h5py.File(target, "a") as f:
            f.attrs[META_KEY] = m.to_json()
            # Parts are small: append them chunk_rows at a time, not one resize per part.
            pending: list[dict[str, NDArray[Any]]] = []
            rows = 0
            for i, src in enumerate(rest):
                pending.append(_h5_read_all(src))
                rows += len(pending[-1]["episode"])
                if rows >= chunk_rows or i == len(rest) - 1:
                    for name in pending[0]:
                        _h5_append(f, name, np.concatenate([p[name] for p in pending]), chunk_rows)
                    pending, rows = [], 0
        return
    pa = require("pyarrow")
    pq = require("pyarrow.parquet")
    schema = parquet_schema(m)
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for batch in _parquet_batches(sources, chunk_rows):
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))


def _parquet_batches(sources: list[Path], chunk_rows: int) -> Iterator[Any]:
    pq = require("pyarrow.parquet")
    for src in sources:
        yield from pq.ParquetFile(src).iter_batches(batch_size=chunk_rows)


def _resizable(path: Path) -> bool:
    """A merged HDF5 recording (chunked datasets), not a part."""
    h5py = require("h5py")
    with h5py.File(path, "r") as f:
        return all(f[k].chunks is not None for k in f)


def first_episode(path: Path) -> int | None:
    """The first episode id in the file (None when empty or unreadable)."""
    try:
        if is_hdf5(path):
            h5py = require("h5py")
            with h5py.File(path, "r") as f:
                ds = f["episode"]
                return int(ds[0]) if len(ds) else None
        pq = require("pyarrow.parquet")
        col = pq.read_table(path, columns=["episode"]).column("episode")
        return int(col[0].as_py()) if len(col) else None
    except Exception:  # a damaged part is reported when it is read, not here
        return None
