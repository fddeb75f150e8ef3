"""Reads recordings back: metadata, whole columns (for plots), one episode (for replay)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import RecordingError
from ferrogym.record.formats import first_episode, h5_name, is_hdf5, require
from ferrogym.record.parts import live_parts, part_files
from ferrogym.record.schema import COMPONENT_PREFIX, FIXED_COLUMNS, META_KEY, RecordingMeta


@dataclass
class Episode:
    """One recorded episode; ``observations`` has one more entry than ``actions``."""

    episode: int
    env_index: int
    seed: int | None
    observations: NDArray[Any]
    actions: NDArray[Any]
    rewards: NDArray[np.float64]
    components: dict[str, NDArray[np.float64]]
    terminated: NDArray[np.bool_]
    truncated: NDArray[np.bool_]
    infos: list[dict[str, Any]]
    states: list[Any]
    episode_log: dict[str, Any] | None

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def total_reward(self) -> float:
        """The sum of the episode's rewards."""
        return float(self.rewards.sum())

    @property
    def curriculum_level(self) -> tuple[int, str] | None:
        """(level, name) of the curriculum level the episode was played at, if recorded."""
        first = self.infos[0] if self.infos else {}
        if "curriculum_level" not in first:
            return None
        return int(first["curriculum_level"]), str(first.get("curriculum_name", ""))


class Recording:
    """A recording (Parquet, or HDF5 by suffix): the file at ``path`` plus the
    parts of a recording still being written or cut short by a crash
    (:mod:`ferrogym.record.parts`). Opening checks that every file is readable
    and a ferrogym recording of the same env; nothing here ever writes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.hdf5 = is_hdf5(self.path)
        main = self.path.is_file()
        if not main and not part_files(self.path):
            raise RecordingError(f"{self.path}: no such recording file")
        self.files: list[Path] = [self.path] if main else part_files(self.path)
        self.meta = self._open(self.files[0])
        if main and part_files(self.path):
            last = self._read(self.path, ["episode"], None)["episode"]
            self.files += live_parts(self.path, first_episode, int(last.max()) if len(last) else None)
        for f in self.files[1:]:
            self.meta.check_same_env(self._open(f), str(f))

    # -- opening -----------------------------------------------------------------

    def _open(self, path: Path) -> RecordingMeta:
        return self._open_hdf5(path) if self.hdf5 else self._open_parquet(path)

    def _open_parquet(self, path: Path) -> RecordingMeta:
        pa = require("pyarrow")
        pq = require("pyarrow.parquet")
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowException, OSError) as e:
            raise RecordingError(f"{path}: corrupt or truncated Parquet file ({e})") from None
        raw = (schema.metadata or {}).get(META_KEY.encode())
        if raw is None:
            raise RecordingError(f"{path}: a Parquet file but not a ferrogym recording (no '{META_KEY}' metadata)")
        meta = RecordingMeta.from_json(raw, str(path))
        self._check_columns(path, schema.names, meta)
        return meta

    def _open_hdf5(self, path: Path) -> RecordingMeta:
        h5py = require("h5py")
        try:
            with h5py.File(path, "r") as f:
                raw = f.attrs.get(META_KEY)
                names = [k.replace(":", "/") for k in f]
                lengths = {len(f[k]) for k in f}
        except OSError as e:
            raise RecordingError(f"{path}: corrupt or truncated HDF5 file ({e})") from None
        if raw is None:
            raise RecordingError(f"{path}: an HDF5 file but not a ferrogym recording (no '{META_KEY}' attribute)")
        meta = RecordingMeta.from_json(raw, str(path))
        self._check_columns(path, names, meta)
        if len(lengths) > 1:
            raise RecordingError(f"{path}: truncated HDF5 recording (columns of different lengths {lengths})")
        return meta

    def _check_columns(self, path: Path, names: list[str], meta: RecordingMeta) -> None:
        want = [*FIXED_COLUMNS, *(COMPONENT_PREFIX + c for c in meta.components)]
        missing = [c for c in want if c not in names]
        if missing:
            raise RecordingError(f"{path}: not a complete ferrogym recording (missing columns {missing})")

    # -- reading -------------------------------------------------------------------

    def columns(self, names: list[str], episode: int | None = None) -> dict[str, Any]:
        """Columns as NumPy arrays (strings as lists), optionally one episode's rows."""
        parts = [self._read(f, names, episode) for f in self.files]
        if len(parts) == 1:
            return parts[0]
        out: dict[str, Any] = {}
        for name in names:
            values = [p[name] for p in parts]
            if isinstance(values[0], list):
                out[name] = [v for vs in values for v in vs]
            else:
                kind = np.result_type(*values)
                out[name] = np.concatenate([np.asarray(v, dtype=kind) for v in values])
        return out

    def _read(self, path: Path, names: list[str], episode: int | None) -> dict[str, Any]:
        try:
            return self._read_hdf5(path, names, episode) if self.hdf5 else self._read_parquet(path, names, episode)
        except RecordingError:
            raise
        except Exception as e:  # the readers raise many types for damaged data
            raise RecordingError(f"{path}: corrupt or truncated recording ({type(e).__name__}: {e})") from None

    def _read_parquet(self, path: Path, names: list[str], episode: int | None) -> dict[str, Any]:
        pq = require("pyarrow.parquet")
        filters = None if episode is None else [("episode", "==", episode)]
        table = pq.read_table(path, columns=names, filters=filters)
        out: dict[str, Any] = {}
        m = self.meta
        for name in names:
            col = table.column(name).combine_chunks()
            if name in ("observation", "action"):
                shape = m.obs_shape if name == "observation" else m.action_shape
                dtype = m.obs_dtype if name == "observation" else m.action_dtype
                size = int(np.prod(shape))
                # flatten() skips null lists (reset rows' actions): those stay zero.
                arr = np.zeros((len(col), size), dtype=dtype)
                valid = col.is_valid().to_numpy(zero_copy_only=False)
                arr[valid] = col.flatten().to_numpy(zero_copy_only=False).reshape(-1, size)
                out[name] = arr.reshape(len(col), *shape)
            elif name in ("info", "state", "episode_log") or name == "seed":
                out[name] = col.to_pylist()
            else:
                arr = col.to_numpy(zero_copy_only=False)
                out[name] = arr.astype(np.float64) if col.null_count and arr.dtype.kind != "f" else arr
        return out

    def _read_hdf5(self, path: Path, names: list[str], episode: int | None) -> dict[str, Any]:
        h5py = require("h5py")
        m = self.meta
        with h5py.File(path, "r") as f:
            sel = slice(None) if episode is None else np.flatnonzero(f["episode"][:] == episode)
            out: dict[str, Any] = {}
            for name in names:
                data = f[h5_name(name)][sel]
                if name in ("info", "state", "episode_log"):
                    out[name] = [None if not s else (s.decode() if isinstance(s, bytes) else s) for s in data]
                elif name == "seed":
                    out[name] = [None if s < 0 else int(s) for s in data]
                elif name == "observation":
                    out[name] = data.reshape(len(data), *m.obs_shape)
                elif name == "action":
                    out[name] = data.reshape(len(data), *m.action_shape)
                else:
                    out[name] = data
        return out

    def episodes(self) -> NDArray[np.int64]:
        """Ids of the episodes in the file, ascending."""
        return np.unique(self.columns(["episode"])["episode"]).astype(np.int64)

    def episode(self, k: int) -> Episode:
        """Episode ``k`` (an id from :meth:`episodes`)."""
        ids = self.episodes()
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k not in ids:
            held = f"episodes {ids.min()}..{ids.max()} ({len(ids)} in all)" if len(ids) else "no episodes"
            raise RecordingError(f"{self.path}: no episode {k!r}; the file holds {held}")
        comps = [COMPONENT_PREFIX + c for c in self.meta.components]
        c = self.columns([*FIXED_COLUMNS, *comps], episode=int(k))
        order = np.argsort(c["step"], kind="stable")
        steps = c["step"][order]
        if len(steps) == 0 or steps[0] != 0 or not np.array_equal(steps, np.arange(len(steps))):
            raise RecordingError(
                f"{self.path}: episode {k} is incomplete (steps {steps[:5].tolist()}...; expected 0, 1, 2, ...)"
            )
        t = order[1:]

        def loads(s: str | None) -> Any:
            return None if s is None else json.loads(s)

        logs = [c["episode_log"][i] for i in order if c["episode_log"][i]]
        return Episode(
            episode=int(k),
            env_index=int(c["env_index"][order[0]]),
            seed=c["seed"][order[0]],
            observations=c["observation"][order],
            actions=c["action"][t],
            rewards=np.asarray(c["reward"][t], dtype=np.float64),
            components={
                name: np.asarray(c[COMPONENT_PREFIX + name][t], dtype=np.float64) for name in self.meta.components
            },
            terminated=np.asarray(c["terminated"][t], dtype=np.bool_),
            truncated=np.asarray(c["truncated"][t], dtype=np.bool_),
            infos=[loads(c["info"][i]) or {} for i in order],
            states=[loads(c["state"][i]) for i in order],
            episode_log=loads(logs[-1]) if logs else None,
        )
