"""Every tutorial and how-to page runs (docs/DOCS_CONVENTION: python and bash blocks, in page
order, in a fresh temporary directory per page), and a page that calls a missing API fails
with the page and the line of the failing block."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.runner import REPO, parse_blocks

RUNNER = Path(__file__).with_name("runner.py")
PAGES = sorted((REPO / "docs").glob("tutorials/*.md")) + sorted((REPO / "docs").glob("howto/*.md"))
#: A guard, not a target: pages take seconds to ~40 s on a loaded 2-core VM.
PAGE_TIMEOUT_S = 180


def run(page: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs ``page`` in ``cwd`` in a process group of its own, ended afterwards, so a server
    a failing page started in the background does not outlive the test."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "python"), os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, str(RUNNER), str(page)]
    with subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as proc:
        try:
            out, err = proc.communicate(timeout=PAGE_TIMEOUT_S)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(REPO / "docs").as_posix() for p in PAGES])
def test_docs__page_runs(page: Path, tmp_path: Path) -> None:
    done = run(page, tmp_path)
    assert done.returncode == 0, f"{done.stderr[-4000:]}\n--- stdout\n{done.stdout[-2000:]}"


def test_docs__every_runnable_page_has_a_block_to_run() -> None:
    for page in PAGES:
        if page.name == "index.md":
            continue
        blocks = parse_blocks(page.read_text(encoding="utf-8"))
        assert any(b.lang in ("python", "bash") and b.skip_reason is None for b in blocks), page


def test_docs__a_missing_api_fails_with_the_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text(
        "# Broken\n\n```python\nimport ferrogym\nx = 1\n```\n\nText.\n\n```python\nferrogym.no_such_function()\n```\n"
    )
    done = run(page, tmp_path)
    assert done.returncode == 1
    assert f"{page}:11: the python block failed: AttributeError" in done.stderr
    assert f'File "{page}", line 11' in done.stderr  # the traceback cites the page's line


def test_docs__a_failing_bash_block_names_the_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text("```bash\ntrue\n```\n\n```bash\nfalse\necho never\n```\n")
    done = run(page, tmp_path)
    assert done.returncode == 1
    assert f"{page}:6: the bash block exited with status 1" in done.stderr
    assert "never" not in done.stdout


def test_docs__blocks_share_a_namespace_and_a_directory_and_no_run_blocks_are_skipped(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nfrom pathlib import Path\nn = 41\nPath('n.txt').write_text(str(n + 1))\n```\n\n"
        "<!-- no-run: runs until Ctrl-C -->\n```bash\nexit 3\n```\n\n"
        '```bash\ntest "$(cat n.txt)" = 42 && test -d "$FERROGYM_REPO/python/ferrogym"\n```\n\n'
        "```text\nnot code\n```\n\n```python\nassert n == 41\n```\n"
    )
    done = run(page, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ok: 3 blocks" in done.stdout


def test_docs__an_unclosed_fence_is_an_error() -> None:
    with pytest.raises(Exception, match="line 3: a code fence that is never closed"):
        parse_blocks("text\n\n```python\nx = 1\n")
