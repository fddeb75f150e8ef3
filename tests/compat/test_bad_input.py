"""Missing libraries, untested versions and unsupported spaces give messages that name the fix."""

from __future__ import annotations

import importlib.metadata

import pytest

from ferrogym import integrations
from ferrogym.errors import MissingExtra, UnsupportedLibrary


def test_require__missing_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_found(dist: str) -> str:
        raise importlib.metadata.PackageNotFoundError(dist)

    monkeypatch.setattr(importlib.metadata, "version", not_found)
    with pytest.raises(MissingExtra, match=r"pip install 'ferrogym\[torchrl\]'"):
        integrations.require("torchrl")


def test_require__untested_version_names_the_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(integrations, "library_version", lambda extra: "0.99.0")
    monkeypatch.setattr(importlib.metadata, "version", lambda dist: "0.99.0")
    monkeypatch.delenv(integrations.ALLOW_UNTESTED_ENV, raising=False)
    with pytest.raises(UnsupportedLibrary, match=r"0\.99\.0 is outside the tested range >=0\.14,<0\.15"):
        integrations.require("torchrl")
    monkeypatch.setenv(integrations.ALLOW_UNTESTED_ENV, "1")
    integrations.require("torchrl")


@pytest.mark.parametrize(
    ("version", "ok"), [("0.14.1", True), ("0.14.0rc1", True), ("0.15.0", False), ("0.13.9", False)]
)
def test_library__tested_range_reads_versions(version: str, ok: bool) -> None:
    assert integrations.LIBRARIES["torchrl"].is_tested(version) is ok


def test_vector_class__non_ferrogym_env_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="no ferrogym Rust batch"):
        integrations.vector_class("CartPole-v1")


def test_blind_kwargs__masked_envs_fall_back_unless_told() -> None:
    assert integrations.blind_kwargs("ferrogym/TicketRouting-v0", {}) == {"invalid_action": "fallback"}
    assert integrations.blind_kwargs("ferrogym/TicketRouting-v0", {"invalid_action": "raise"}) == {
        "invalid_action": "raise"
    }
    assert integrations.blind_kwargs("ferrogym/CartPole-v1", {}) == {}
