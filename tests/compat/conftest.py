"""The compatibility matrix: every test marked ``compat(library, env, mode)``
adds its outcome to a results file that ``ferrogym compat`` prints. A test
marked ``compat(..., na="reason")`` checks that the library refuses the env
clearly: when it passes, the cell is "n/a" with that reason.

The file is ``compat-results/matrix.json`` under the directory pytest runs
from, or ``$FERROGYM_COMPAT_RESULTS``; it is rewritten by every run that
collects compat tests, keeping the cells of libraries that run did not touch.
The same cells refresh ``python/ferrogym/compat_matrix.json``, the matrix the
package ships (``ferrogym compat`` shows it where no run has been made).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from ferrogym.compat import SHIPPED, Cell, merge_results, results_path

_CELLS: dict[tuple[str, str, str], Cell] = {}


def _cell(item: pytest.Item) -> tuple[str, str, str] | None:
    marker = item.get_closest_marker("compat")
    if marker is None:
        return None
    return (marker.kwargs["library"], marker.kwargs["env"], marker.kwargs["mode"])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    key = _cell(item)
    if key is None or (report.when != "call" and report.passed):
        return
    status = "pass" if report.passed else "skip" if report.skipped else "fail"
    marker = item.get_closest_marker("compat")
    reason = marker.kwargs.get("na", "") if marker is not None else ""
    if reason and status == "pass":
        status = "n/a"
    previous = _CELLS.get(key)
    # A cell is several tests (checker + training): one failure fails it.
    if previous is None or previous.status in ("pass", "n/a") or status == "fail":
        _CELLS[key] = Cell(*key, status=status, test=item.nodeid, reason=reason)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _CELLS:
        merge_results(results_path(), list(_CELLS.values()))
        if os.access(SHIPPED, os.W_OK):  # a source checkout: refresh the matrix the package ships
            merge_results(SHIPPED, list(_CELLS.values()))


@pytest.fixture
def env_kwargs() -> dict[str, Any]:
    return {}
