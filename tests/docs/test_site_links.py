"""mkdocs.yml's link validation makes a broken internal link or anchor fail the strict build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.docs.runner import REPO


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose ``!relative`` tags only MkDocs resolves."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _validation() -> dict[str, Any]:
    config = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=_Loader)
    assert config["strict"] is True
    return dict(config["validation"])


def _build(tmp_path: Path, index: str) -> subprocess.CompletedProcess[str]:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "index.md").write_text(index)
    (docs / "other.md").write_text("# Other\n\n## A section\n")
    config = {"site_name": "t", "docs_dir": "docs", "strict": True, "validation": _validation()}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(tmp_path / "mkdocs.yml"), "-d", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )


def test_site__valid_links_build(tmp_path: Path) -> None:
    done = _build(tmp_path, "# Home\n\n[other](other.md#a-section)\n")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("link", "complaint"),
    [("other.md#no-such-section", "no-such-section"), ("missing.md", "missing.md")],
    ids=["anchor", "page"],
)
def test_site__a_broken_internal_link_fails_the_strict_build(tmp_path: Path, link: str, complaint: str) -> None:
    done = _build(tmp_path, f"# Home\n\n[broken]({link})\n")
    assert done.returncode != 0
    assert complaint in done.stderr + done.stdout
