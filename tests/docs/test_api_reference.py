"""Every public name of ferrogym is in the API reference (docs/reference/), and nothing else is.

The public names: ``ferrogym.__all__``, and for each public module (found by
walking the package, so a new module counts too) its ``__all__``, or, without
one, the classes and functions it defines. A package with ``__all__`` re-exports
its API, so its submodules are internal; one without (``ferrogym.envs``,
``ferrogym.integrations``) is a namespace whose submodules users import.
``ferrogym.cli`` is a command, documented by ``ferrogym --help``.

The documented names: each ``::: module`` directive of a reference page with
its ``members:`` list (every module directive lists its members, so adding a
name to a module never documents it silently), and ``::: module.Name``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
import types
from pathlib import Path

import pytest
import yaml

import ferrogym

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"
NOT_API = ("ferrogym.cli",)
_DIRECTIVE = re.compile(r"^::: ([\w.]+)[ \t]*\n((?:[ \t]+.*\n|[ \t]*\n(?=[ \t]))*)", re.MULTILINE)


def _defined_here(module: types.ModuleType) -> list[str]:
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    ]


def _public_modules(package: types.ModuleType) -> list[types.ModuleType]:
    out = []
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.name.rsplit(".", 1)[1].startswith("_") or info.name in NOT_API:
            continue
        module = importlib.import_module(info.name)
        out.append(module)
        if info.ispkg and not hasattr(module, "__all__"):
            out += _public_modules(module)
    return out


def exported_names() -> set[str]:
    """Dotted names of everything ferrogym exports."""
    names = {"ferrogym"} | {f"ferrogym.{n}" for n in ferrogym.__all__}
    for module in _public_modules(ferrogym):
        names.add(module.__name__)
        public = getattr(module, "__all__", None)
        names |= {f"{module.__name__}.{n}" for n in (public if public is not None else _defined_here(module))}
    return names


def documented_names(pages: Path = REFERENCE) -> set[str]:
    """Dotted names the reference pages render (a module and each member it lists)."""
    names: set[str] = set()
    for page in sorted(pages.glob("*.md")):
        for match in _DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            target, body = match.group(1), match.group(2)
            names.add(target)
            options = (yaml.safe_load(textwrap.dedent(body)) or {}).get("options", {}) if body.strip() else {}
            members = options.get("members")
            is_module = isinstance(_resolve(target), types.ModuleType)
            if is_module and not isinstance(members, list):
                pytest.fail(f"{page.name}: `::: {target}` needs an explicit `members:` list")
            names |= {f"{target}.{m}" for m in members or []}
    return names


def _resolve(dotted: str) -> object:
    """The object a dotted name means: an attribute wins over a submodule of the same name
    (``ferrogym.datasets.rollouts`` is the function the package exports)."""
    obj: object = importlib.import_module("ferrogym")
    parts = dotted.split(".")
    for i, part in enumerate(parts[1:], start=2):
        obj = getattr(obj, part) if hasattr(obj, part) else importlib.import_module(".".join(parts[:i]))
    return obj


def test_api_reference__documents_every_exported_name() -> None:
    missing = sorted(exported_names() - documented_names())
    assert not missing, f"exported but not in docs/reference/*.md: {missing}"


def test_api_reference__documents_only_exported_names() -> None:
    extra = sorted(documented_names() - exported_names())
    assert not extra, f"in docs/reference/*.md but not exported (renamed or removed?): {extra}"


def test_api_reference__a_new_export_without_a_page_entry_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "errors.md").write_text("::: ferrogym.errors\n    options:\n      members: [ConfigError]\n")
    monkeypatch.setattr(ferrogym.errors, "__all__", [*ferrogym.errors.__all__, "BrandNewError"])
    assert "ferrogym.errors.BrandNewError" in exported_names()
    assert "ferrogym.errors.BrandNewError" not in documented_names(tmp_path)


def test_api_reference__a_module_directive_without_members_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kpi.md").write_text("::: ferrogym.kpi\n")
    with pytest.raises(pytest.fail.Exception, match="explicit `members:`"):
        documented_names(tmp_path)
