"""The built front end ships in ``static/``; ``static/SOURCE_HASH`` records the
hash of the sources it was built from, so a test can tell when someone edited
``web/`` without rebuilding (scripts/build_web.sh rebuilds and rewrites it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

STATIC = Path(__file__).parent / "static"
HASH_FILE = STATIC / "SOURCE_HASH"

#: What the build reads, relative to web/; unit tests do not change the build.
_TOP = ("index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts")


def source_files(web: Path) -> list[Path]:
    """Returns the front end's source files under ``web`` (tests excluded), in a stable order."""
    files = [web / name for name in _TOP]
    files += [p for p in (web / "src").rglob("*") if p.is_file() and ".test." not in p.name]
    return sorted(files, key=lambda p: p.relative_to(web).as_posix())


def source_hash(web: Path) -> str:
    """sha256 over each source's path and bytes (line endings as committed)."""
    h = hashlib.sha256()
    for p in source_files(web):
        h.update(p.relative_to(web).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def built_hash() -> str | None:
    """Returns the source hash recorded with the built front end, or None when none is built."""
    return HASH_FILE.read_text().strip() if HASH_FILE.is_file() else None
