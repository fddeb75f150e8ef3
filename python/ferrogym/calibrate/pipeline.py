"""From an input file to an output folder: ticket table, scenario, validation and report.

The one sequence the ``ferrogym calibrate`` command (and any other front end) runs:
read (an export through a :class:`~ferrogym.calibrate.inputs.ColumnMap`, or an
event log through an :class:`~ferrogym.calibrate.eventlog.ActivityMap`), fit,
write ``tickets.parquet`` and ``scenario.yaml``, validate, write the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ferrogym.calibrate.eventlog import ActivityMap, read_event_log
from ferrogym.calibrate.fit import Calibration, Options, calibrate
from ferrogym.calibrate.inputs import ColumnMap, read_export
from ferrogym.calibrate.report import write_report
from ferrogym.calibrate.scenario import Scenario, write_scenario
from ferrogym.calibrate.tickets import write_tickets
from ferrogym.calibrate.validation import AUTO, Validation, validate

TICKETS_FILE = "tickets.parquet"
SCENARIO_FILE = "scenario.yaml"


@dataclass(frozen=True)
class Result:
    """What a calibration produced.

    Attributes:
        calibration: the fits.
        scenario: the written scenario.
        validation: the validation, or ``None`` when skipped.
        out: the output folder (``tickets.parquet``, ``scenario.yaml``, ``report.md``, figures).
        report: the report page, or ``None`` when skipped.
    """

    calibration: Calibration
    scenario: Scenario
    validation: Validation | None
    out: Path
    report: Path | None


def run(
    source: str | Path,
    out: str | Path,
    *,
    columns: ColumnMap | None = None,
    activities: ActivityMap | None = None,
    tz: str = "UTC",
    options: Options | None = None,
    validation_policy: str | None = AUTO,
    validation_weeks: int | None = None,
    report: bool = True,
    command: str = "",
    name: str | None = None,
) -> Result:
    """Calibrates TicketRouting to ``source`` and writes every output into ``out``.

    Args:
        source: a ticket export (with ``columns``) or an event log (with ``activities``).
        out: the output folder (created).
        columns: how to read ``source`` as a ticket export (or ``activities``, not both).
        activities: how to read ``source`` as an event log (or ``columns``, not both).
        tz: the desk's IANA time zone.
        options: what the caller gives instead of the data.
        validation_policy: the routing the validation simulates (``None``: no validation).
        validation_weeks: weeks the validation simulates (default: the data's).
        report: write the figures and the report page.
        command: the command line, recorded in the scenario's provenance.
        name: what the report and the scenario's provenance call the input (default: ``source``'s path).

    Raises:
        ConfigError: any problem with the input (named), or both or neither of ``columns`` and ``activities``.
    """
    from ferrogym.errors import ConfigError

    if (columns is None) == (activities is None):
        raise ConfigError("give either a column mapping (a ticket export) or an activity mapping (an event log)")
    name = str(source) if name is None else name
    if columns is not None:
        table, notes = read_export(source, columns, tz)
    else:
        assert activities is not None
        table, notes = read_event_log(source, activities, tz)
    cal = calibrate(table, name, options, notes)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    write_tickets(cal.tickets, folder / TICKETS_FILE)
    scenario = write_scenario(cal, folder / SCENARIO_FILE, name, command)
    checked = None
    if validation_policy is not None:
        checked = validate(cal, scenario.config, validation_policy, validation_weeks)
    page = write_report(cal, checked, folder, name) if report else None
    return Result(cal, scenario, checked, folder, page)
