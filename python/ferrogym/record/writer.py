"""Writes rows to a recording so that a crash loses at most the episodes in progress.

Rows of an episode stay in memory until the episode ends (a terminated or
truncated row, or a new episode on the same sub-env); then every finished
episode is written as a complete file (a *part*, :mod:`ferrogym.record.parts`)
under a temporary name and renamed. ``close()`` merges the parts, after the
existing rows when appending, into the one file at ``path``: Parquet
(default) or HDF5 (``.h5``/``.hdf5``). An existing file is replaced only by a
complete one.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from ferrogym.errors import RecordingError
from ferrogym.record import parts
from ferrogym.record.block import Block, component_names, concat, move_extra_components
from ferrogym.record.formats import is_hdf5, merge_files, require, write_file
from ferrogym.record.schema import RecordingMeta


class RecordingWriter:
    """Writes :class:`Block` rows to ``path``; ``append=False`` refuses an existing recording.

    Each finished episode is on disk when the :meth:`add` that finished it
    returns. Every write costs a small file (milliseconds): with
    ``sync_seconds > 0``, finished episodes are written together at most that
    often, and a crash loses at most the episodes finished in the last
    ``sync_seconds`` besides the ones running. ``durable_episodes`` counts the
    episodes already safe on disk."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        meta: RecordingMeta,
        *,
        append: bool = False,
        chunk_rows: int = 4096,
        sync_seconds: float = 0.0,
    ) -> None:
        self.path = Path(path)
        self.meta = meta
        self.chunk_rows = max(1, int(chunk_rows))
        self.hdf5 = is_hdf5(self.path)
        require("h5py" if self.hdf5 else "pyarrow.parquet")
        self._blocks: list[Block] = []  # rows of episodes still running
        self._running: dict[int, int] = {}  # env_index -> its running episode
        self._finished: set[int] = set()  # finished episodes not yet written
        self.sync_seconds = max(0.0, float(sync_seconds))
        self._next_sync = 0.0
        self._components_fixed = False
        self._next_part: int | None = None
        self.next_episode = 0
        self.durable_episodes = 0
        self.closed = False
        if self.path.exists() or parts.part_files(self.path):
            if not append:
                what = "the file exists" if self.path.exists() else "an unfinished recording of this name exists"
                raise RecordingError(
                    f"{self.path}: {what}; pass append=True (CLI: --append) to add to it, "
                    "or choose another path (nothing was overwritten)"
                )
            from ferrogym.record.reader import Recording

            old = Recording(self.path)
            old.meta.check_same_env(meta, str(self.path))
            self.meta = replace(meta, components=old.meta.components, env_kwargs=old.meta.env_kwargs)
            self._components_fixed = True
            episodes = old.episodes()
            self.next_episode = int(episodes.max()) + 1 if len(episodes) else 0
            stale = [p for p in parts.part_files(self.path) if p not in old.files]
            parts.remove_leftovers(self.path, stale)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def new_episode(self) -> int:
        """Returns the next unused episode number."""
        k = self.next_episode
        self.next_episode += 1
        return k

    def add(self, block: Block) -> None:
        """Keeps ``block``'s rows; writes every episode they finish."""
        if self.closed:
            raise RecordingError(f"{self.path}: the recording is closed")
        if not len(block):
            return
        self._blocks.append(block)
        ended = block.terminated | block.truncated
        for env_index, episode, last in zip(
            block.env_index.tolist(), block.episode.tolist(), ended.tolist(), strict=True
        ):
            before = self._running.pop(env_index, None)
            if before is not None and before != episode:
                self._finished.add(before)  # a new episode (reset) on this sub-env ends the one before
            if last:
                self._finished.add(episode)
            else:
                self._running[env_index] = episode
        if self._finished and time.monotonic() >= self._next_sync:
            self._write(self._finished)
            self._finished = set()
            self._next_sync = time.monotonic() + self.sync_seconds

    def _write(self, episodes: set[int] | None) -> None:
        """Writes the kept rows of ``episodes`` (all kept rows when None) as one part."""
        if not self._blocks:
            return
        names = component_names(self._blocks)
        if not self._components_fixed:
            self.meta = replace(self.meta, components=names)
            self._components_fixed = True
        rows = concat(self._blocks, tuple(dict.fromkeys((*self.meta.components, *names))))
        done = np.ones(len(rows), dtype=np.bool_) if episodes is None else np.isin(rows.episode, list(episodes))
        out = rows.select(done)
        self._blocks = [rows.select(~done)] if not done.all() else []
        if not len(out):
            return
        move_extra_components(out, self.meta.components)
        if self._next_part is None:
            parts.parts_dir(self.path).mkdir(exist_ok=True)
            self._next_part = parts.first_free_part(self.path)
        target = parts.part_path(self.path, self._next_part)
        self._next_part += 1
        parts.write_atomically(target, lambda tmp: write_file(tmp, self.meta, out, self.chunk_rows, hdf5=self.hdf5))
        self.durable_episodes += len(np.unique(out.episode))

    def flush(self) -> None:
        """Writes every kept row, running episodes included (they end up split
        across parts; the reader joins them)."""
        self._write(None)

    def close(self) -> None:
        """Writes what is left and merges everything into the file at ``path``."""
        if self.closed:
            return
        self.flush()
        self.closed = True
        from ferrogym.record.reader import Recording

        if not parts.part_files(self.path):
            return
        sources = Recording(self.path).files
        # The merged file is built inside the parts folder: a crash here leaves
        # only a temporary file that the next open removes.
        tmp = parts.parts_dir(self.path) / f"merged{self.path.suffix}{parts.TMP_SUFFIX}"
        parts.write_atomically(
            self.path, lambda t: merge_files(t, sources, self.meta, self.chunk_rows, hdf5=self.hdf5), tmp=tmp
        )
        parts.remove_parts(self.path)
