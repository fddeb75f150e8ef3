"""Where a recording lives on disk while it is written, so that a crash keeps
every finished episode.

While a recording is open, each batch of finished episodes is a *part*: a
complete Parquet or HDF5 file written under a temporary name and renamed into
``.NAME.parts/`` beside the recording (a rename is atomic, so a part is either
whole or absent). ``close()`` merges the recording (when appending) and its
parts into one file, renames it over ``NAME`` and removes the folder. A
process killed before that leaves ``NAME`` (old rows, if any) plus the parts;
:class:`~ferrogym.record.reader.Recording` reads them together, and opening
the path again with ``append=True`` finishes the merge.

A part whose episodes are already in ``NAME`` is stale (the process died
between the final rename and removing the folder) and is ignored.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

TMP_SUFFIX = ".tmp"


def parts_dir(path: Path) -> Path:
    """Returns the hidden folder beside ``path`` that holds its completed parts while it is written."""
    return path.parent / f".{path.name}.parts"


def part_files(path: Path) -> list[Path]:
    """The parts of ``path`` in write order (stale ones included, temporary files not)."""
    folder = parts_dir(path)
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == path.suffix and p.is_file() and not p.is_symlink())


def live_parts(path: Path, first_episode: Callable[[Path], int | None], last_in_main: int | None) -> list[Path]:
    """Parts whose episodes are not yet in ``path`` (episode ids only grow, so
    a part starting at or below the main file's last episode was merged)."""
    parts = part_files(path)
    if last_in_main is None:
        return parts
    return [p for p in parts if (first := first_episode(p)) is not None and first > last_in_main]


def first_free_part(path: Path) -> int:
    """The number of the next part, after every existing one."""
    existing = [p.stem for p in part_files(path)]
    return int(existing[-1]) + 1 if existing and existing[-1].isdigit() else 0


def part_path(path: Path, n: int) -> Path:
    """Returns the path of part ``n`` of the recording at ``path``."""
    return parts_dir(path) / f"{n:08d}{path.suffix}"


def write_atomically(target: Path, write: Callable[[Path], None], tmp: Path | None = None) -> None:
    """``write(tmp)`` then rename ``tmp`` to ``target``: readers see all of it or nothing."""
    tmp = tmp or target.with_name(target.name + TMP_SUFFIX)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def remove_leftovers(path: Path, stale: list[Path]) -> None:
    """Temporary files of an interrupted write, and parts already merged."""
    folder = parts_dir(path)
    if not folder.is_dir() or folder.is_symlink():
        return
    for p in folder.iterdir():
        if p.name.endswith(TMP_SUFFIX) and p.is_file():
            p.unlink()
    for p in stale:
        p.unlink(missing_ok=True)


def remove_parts(path: Path) -> None:
    """Deletes the parts folder of ``path`` once the parts are merged (a link is left alone)."""
    folder = parts_dir(path)
    if not folder.is_dir() or folder.is_symlink():
        return
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()
