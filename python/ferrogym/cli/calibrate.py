"""``ferrogym calibrate EXPORT --preset zendesk --out DIR``: fit TicketRouting to a team's ticket
history (:mod:`ferrogym.calibrate`), write ``tickets.parquet``, ``scenario.yaml`` and a report."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ferrogym.errors import ConfigError


def _sla(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise typer.BadParameter(f"--sla {item!r}: expected PRIORITY=MINUTES, e.g. critical=240")
    return out


def _command(source: Path, preset: str | None, maps: list[str] | None, mapping: Path | None, log: bool, tz: str) -> str:
    """The command line, for the scenario's provenance (the reading options; the rest is in the file)."""
    words = ["ferrogym", "calibrate", str(source)]
    if preset:
        words += ["--preset", preset]
    for item in maps or []:
        words += ["--map", item]
    if mapping:
        words += ["--mapping", str(mapping)]
    if log:
        words.append("--event-log")
    if tz != "UTC":
        words += ["--tz", tz]
    return shlex.join(words)


def run(
    source: Annotated[Path, typer.Argument(help="A ticket export (CSV or Parquet) or an event log (CSV or XES).")],
    out: Annotated[
        Path, typer.Option(help="Output folder: tickets.parquet, scenario.yaml, report.md + figures.")
    ] = Path("calibration"),
    preset: Annotated[
        str | None, typer.Option(help="Column names of a help-desk export: zendesk, jira-sm, freshdesk, servicenow.")
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=EXPORT_NAME over the preset (repeatable), e.g. --map 'created=Created At'."),
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="YAML column mapping (see docs/calibrate.md).")] = None,
    effort_unit: Annotated[
        str | None, typer.Option(help="How the effort column is written: minutes, seconds, hours or hh:mm.")
    ] = None,
    time_format: Annotated[
        str | None, typer.Option(help="strftime format of the timestamps (default: ISO 8601, inferred).")
    ] = None,
    event_log: Annotated[
        bool, typer.Option("--event-log", help="SOURCE is an event log (one row per event); .xes files always are.")
    ] = False,
    case: Annotated[str, typer.Option(help="Event log: the case id column.")] = "case",
    activity: Annotated[str, typer.Option(help="Event log: the activity column.")] = "activity",
    timestamp: Annotated[str, typer.Option(help="Event log: the timestamp column.")] = "timestamp",
    resource: Annotated[str | None, typer.Option(help="Event log: the resource (engineer) column.")] = None,
    type_column: Annotated[str | None, typer.Option("--type-column", help="Event log: a case type column.")] = None,
    priority_column: Annotated[
        str | None, typer.Option("--priority-column", help="Event log: a case priority column.")
    ] = None,
    created_activity: Annotated[
        list[str] | None,
        typer.Option(help="Event log: an activity marking creation (repeatable; default: first event)."),
    ] = None,
    assigned_activity: Annotated[
        list[str] | None, typer.Option(help="Event log: an activity marking assignment (repeatable).")
    ] = None,
    resolved_activity: Annotated[
        list[str] | None, typer.Option(help="Event log: an activity marking resolution (repeatable; required).")
    ] = None,
    tz: Annotated[
        str, typer.Option(help="The desk's time zone (timestamps with an offset are converted to it).")
    ] = "UTC",
    types: Annotated[
        str | None, typer.Option(help="Comma-separated ticket types to keep, in order (the rest become 'other').")
    ] = None,
    engineers: Annotated[int | None, typer.Option(min=1, help="Team size when the input names no engineers.")] = None,
    sla: Annotated[
        list[str] | None, typer.Option(help="SLA target PRIORITY=MINUTES (repeatable); default: by priority.")
    ] = None,
    validate_policy: Annotated[
        str,
        typer.Option(
            help="Routing the validation simulates: auto (closest to the team's), observed-shares, a rule, or none."
        ),
    ] = "auto",
    validate_weeks: Annotated[
        int | None, typer.Option(min=1, max=52, help="Weeks the validation simulates (default: the data's).")
    ] = None,
) -> None:
    """Fit TicketRouting to a team's ticket history: scenario file, normalised tickets and a report."""
    from ferrogym.calibrate.eventlog import ActivityMap
    from ferrogym.calibrate.fit import Options
    from ferrogym.calibrate.inputs import column_map
    from ferrogym.calibrate.pipeline import run as run_pipeline

    console = Console()
    is_log = event_log or source.suffix.lower() == ".xes"
    try:
        options = Options(
            types=tuple(t.strip() for t in types.split(",") if t.strip()) if types else None,
            n_engineers=engineers,
            sla_minutes=_sla(sla or []),
        )
        if is_log:
            acts = ActivityMap(
                case=case,
                activity=activity,
                timestamp=timestamp,
                resource=resource,
                type=type_column,
                priority=priority_column,
                created=tuple(created_activity or ()),
                assigned=tuple(assigned_activity or ()),
                resolved=tuple(resolved_activity or ()),
            )
            columns = None
        else:
            acts = None
            columns = column_map(preset, maps or [], mapping, effort_unit=effort_unit, time_format=time_format)
        with console.status(f"calibrating on {source}"):
            result = run_pipeline(
                source,
                out,
                columns=columns,
                activities=acts,
                tz=tz,
                options=options,
                validation_policy=None if validate_policy == "none" else validate_policy,
                validation_weeks=validate_weeks,
                command=_command(source, preset, maps, mapping, is_log, tz),
            )
    except ConfigError as e:
        console.print(f"[bold red]error:[/] {e}")
        raise typer.Exit(2) from None
    cal = result.calibration
    console.print(
        f"{cal.tickets.height} tickets over {cal.days} days, {len(cal.mix.types)} types, {cal.n_engineers} engineers"
    )
    for sentence in cal.notes.not_fitted:
        console.print(f"[yellow]not fitted:[/] {sentence}")
    for label, n in cal.notes.counts.items():
        console.print(f"[yellow]counted:[/] {label}: {n}")
    if result.validation is not None:
        console.print(f"validation ({result.validation.policy}): {result.validation.verdict}")
    console.print(f"wrote {result.out / 'scenario.yaml'}, {result.out / 'tickets.parquet'}")
    if result.report is not None:
        console.print(f"report: {result.report}")
    console.print(f"next: ferrogym evaluate --config {result.out / 'scenario.yaml'}")
