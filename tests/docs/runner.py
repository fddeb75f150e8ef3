"""Runs the code blocks of a documentation page, as docs/ pages promise their readers.

``python tests/docs/runner.py PAGE.md`` executes, in page order and in the
current directory (the test gives each page a fresh temporary one):

- every ```python block, all in one namespace per page;
- every ```bash block with ``bash -euo pipefail``;
- except a block preceded by the line ``<!-- no-run: REASON -->``.

``$FERROGYM_REPO`` is the repository root, for pages that need a file from it.
A failing block stops the page; the message names the page and the line, and a
Python traceback points at the page's own line numbers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import traceback
import types
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUN = ("python", "bash")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)[^\n]*$")
_NO_RUN = re.compile(r"^\s*<!--\s*no-run:\s*(?P<reason>\S.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, its code and the page line of its first code line."""

    lang: str
    code: str
    line: int
    skip_reason: str | None = None


class PageError(Exception):
    """A block of the page failed; the message names the page and the block's line."""


def parse_blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown page, in order (the language as written, lower-case)."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, ticks = m.group("indent"), m.group("ticks")
        prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        skip = _NO_RUN.match(prev)
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(ticks):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if j == len(lines):
            raise PageError(f"line {i + 1}: a code fence that is never closed")
        reason = skip.group("reason") if skip else None
        blocks.append(Block(m.group("lang").lower(), "\n".join(body) + "\n", i + 2, reason))
        i = j + 1
    return blocks


def run_page(page: Path) -> int:
    """Runs the page's blocks in the current directory; the number of blocks run.

    Raises:
        PageError: a block failed (the message names ``page:line``).
    """
    env = {**os.environ, "FERROGYM_REPO": str(REPO)}
    os.environ["FERROGYM_REPO"] = str(REPO)
    # The page's namespace is __main__'s, as a script's is (entry points such as
    # "__main__:MyEnv" that ferrogym.register writes resolve).
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    sys.modules["__main__"] = main
    namespace = main.__dict__
    ran = 0
    for block in parse_blocks(page.read_text(encoding="utf-8")):
        if block.lang not in RUN or block.skip_reason is not None:
            continue
        where = f"{page}:{block.line}"
        print(f"--- {where} ({block.lang})", flush=True)
        if block.lang == "python":
            # Padding puts the code at its page lines, so tracebacks cite the page.
            code = compile("\n" * (block.line - 1) + block.code, str(page), "exec")
            try:
                exec(code, namespace)
            except BaseException as e:
                tb = "".join(traceback.format_exception(e))
                raise PageError(f"{where}: the python block failed: {type(e).__name__}: {e}\n{tb}") from e
        else:
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", block.code], env=env, check=False)
            if done.returncode != 0:
                raise PageError(f"{where}: the bash block exited with status {done.returncode}")
        ran += 1
        sys.stdout.flush()
    return ran


def main(argv: list[str]) -> int:
    """Command line: ``runner.py PAGE.md``; exit status 1 with ``page:line`` on stderr when a block fails."""
    if len(argv) != 1:
        print("usage: runner.py PAGE.md", file=sys.stderr)
        return 2
    try:
        ran = run_page(Path(argv[0]).resolve())
    except PageError as e:
        print(f"FAILED {e}", file=sys.stderr)
        return 1
    print(f"ok: {ran} blocks of {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
