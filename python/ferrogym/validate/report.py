"""The checker's report: one item per check, pass/fail/skip with the reason
and a hint how to fix it, plus measured figures; JSON for CI."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "skip"]


@dataclass
class CheckResult:
    """The outcome of one check: pass, fail or skip, the reason, a hint, notes and measured figures."""

    name: str
    status: Status
    reason: str = ""
    hint: str = ""
    seconds: float = 0.0
    #: Advice that does not fail the check (e.g. "Box bound is infinity").
    notes: list[str] = field(default_factory=list)
    #: Measured figures (e.g. steps per second).
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True unless the check failed (a skip passes)."""
        return self.status != "fail"


@dataclass
class Report:
    """The results of every check run on one target."""

    target: str
    env_id: str | None
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no check failed (skipped checks do not fail)."""
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        """The checks that failed."""
        return [r for r in self.results if r.status == "fail"]

    def __getitem__(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"no check named {name!r}; checks are {[r.name for r in self.results]}")

    def to_dict(self) -> dict[str, Any]:
        """Returns the report as plain data: target, overall result, counts per status and every result."""
        return {
            "target": self.target,
            "env_id": self.env_id,
            "ok": self.ok,
            "counts": {s: sum(r.status == s for r in self.results) for s in ("pass", "fail", "skip")},
            "results": [asdict(r) for r in self.results],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Returns the report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def to_text(self) -> str:
        """Plain-text rendering (the CLI uses rich; this is for logs and docs)."""
        lines = [f"ferrogym check {self.target}" + (f" ({self.env_id})" if self.env_id else "")]
        for r in self.results:
            mark = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}[r.status]
            lines.append(f"  {mark}  {r.name}" + (f": {r.reason}" if r.reason else ""))
            if r.status == "fail" and r.hint:
                lines.append(f"        hint: {r.hint}")
        verdict = "OK" if self.ok else f"FAILED ({len(self.failures)} of {len(self.results)} checks)"
        lines.append(verdict)
        return "\n".join(lines)
