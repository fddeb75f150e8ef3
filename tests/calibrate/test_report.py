"""The report page's tables come from the fits."""

from __future__ import annotations

from ferrogym.calibrate.fit import Calibration
from ferrogym.calibrate.report import markdown


def test_report__tables_show_the_fitted_mix_tiers_and_shifts(known_calibration: Calibration) -> None:
    page = markdown(known_calibration, None, "known")
    tiers = known_calibration.mix.tier_probs
    assert tiers is not None
    assert f"| enterprise | {tiers[0].value:.3f} [{tiers[0].low:.3f}, {tiers[0].high:.3f}] |" in page
    first = known_calibration.work.engineers[0]
    start, end = known_calibration.work.shifts[0]
    assert f"| {first} | {start:g}-{end:g} h |" in page
    assert "## Validation" not in page
    assert "| critical | high | medium | low |" in page
