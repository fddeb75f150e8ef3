"""The site's generated pages and tables come from their one source (scripts/mkdocs_hooks.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import tomllib

from ferrogym.envs import ENVS
from tests.docs.runner import REPO


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", REPO / "scripts" / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_site__extras_table_has_one_row_per_extra_with_its_doc_comment(hooks: ModuleType) -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    rows = [line for line in hooks.extras_table().splitlines()[2:]]
    assert [r.split("|")[1].strip(" `") for r in rows] == list(extras)
    assert all(r.split("|")[3].strip() for r in rows), "every extra needs a `#:` line in pyproject.toml"


def test_site__extras_table_reads_only_hash_colon_comments(hooks: ModuleType, tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\n[project.optional-dependencies]\n#: What a is for.\n# a note\n'
        'a = ["numpy>=1", "ferrogym[cli]"]\nb = ["scipy; sys_platform == \'linux\'"]\n[tool.x]\n'
    )
    assert hooks.extras_table(pyproject).splitlines()[2:] == [
        "| `a` | numpy, ferrogym[cli] | What a is for. |",
        "| `b` | scipy |  |",
    ]


@pytest.mark.parametrize("entry", ENVS, ids=[e.id for e in ENVS])
def test_site__env_page_lists_every_config_field_of_the_rust_declaration(hooks: ModuleType, entry: object) -> None:
    import importlib

    module = importlib.import_module(entry.module)  # type: ignore[attr-defined]
    core = getattr(module, f"{entry.cls}Env")._core_cls  # type: ignore[attr-defined]
    page = hooks.env_page(entry)
    for field in core.default_config():
        assert f"| `{field}` |" in page, field
    assert "## Manual" in page


def test_site__ticket_routing_page_has_declared_bounds_and_scenarios(hooks: ModuleType) -> None:
    from ferrogym.envs.ticket_routing_config import SCENARIOS

    page = hooks.env_page(next(e for e in ENVS if e.cls == "TicketRouting"))
    assert "| `n_engineers` | int | `8` | Engineers in the team. | [1, 256] |" in page
    for name in SCENARIOS:
        assert f"| `{name}` |" in page
