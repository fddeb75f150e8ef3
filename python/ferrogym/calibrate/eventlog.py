"""Reading a process-mining event log (CSV, or XES through pm4py) into the ticket table.

One row per event: case id, activity, timestamp and optionally resource (and
case attributes such as a type or priority). An :class:`ActivityMap` says
which activities mark creation, assignment and resolution. Per case:
``created`` is the first creation event (the case's first event when no
creation activity is given), ``assigned`` the first assignment event,
``resolved`` the last resolution event, ``assignee`` the resource of that
resolution (else of the last assignment). A case with events after its
first resolution is counted as reopened.
"""

from __future__ import annotations

import contextlib
import gc
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ferrogym.calibrate.inputs import Notes, finish_table, normalise_names, parse_times, read_frame
from ferrogym.calibrate.presets import PRIORITY_NAMES
from ferrogym.calibrate.tickets import PRIORITIES, SCHEMA
from ferrogym.errors import ConfigError, MissingExtra

#: Largest XES file read (pm4py holds the parsed document in memory).
MAX_XES_BYTES = 1 << 30
#: The XES standard attribute names (what pm4py's data frames carry).
XES_COLUMNS: dict[str, str] = {
    "case": "case:concept:name",
    "activity": "concept:name",
    "timestamp": "time:timestamp",
    "resource": "org:resource",
}


@dataclass(frozen=True)
class ActivityMap:
    """Which columns and activities of an event log mean what.

    Attributes:
        case, activity, timestamp: the required columns.
        resource: the column naming who did the event, or ``None``.
        type, priority: case-attribute columns, or ``None``.
        created, assigned, resolved: activity names marking each moment.
    """

    case: str = "case"
    activity: str = "activity"
    timestamp: str = "timestamp"
    resource: str | None = None
    type: str | None = None
    priority: str | None = None
    created: tuple[str, ...] = ()
    assigned: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()


def read_xes(path: str | Path) -> pl.DataFrame:
    """The events of an XES file (pm4py's reader) with the XES attribute names as columns.

    Raises:
        MissingExtra: pm4py is not installed (the ``calibrate-xes`` extra).
        ConfigError: the file is missing or not XES.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file (or not a file)")
    size = path.stat().st_size
    if size > MAX_XES_BYTES:
        # pm4py parses the whole document in memory: bound it before reading.
        raise ConfigError(f"{path}: {size} bytes; an XES log may have at most {MAX_XES_BYTES} (convert it to CSV)")
    # pm4py warns on import and read that an optional faster reader is missing: not our users' concern.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            import pm4py
        except ImportError as e:  # pragma: no cover - pm4py is in the test environment
            raise MissingExtra("reading XES needs pm4py: pip install 'ferrogym[calibrate-xes]'") from e
        failure = ""
        try:
            events = pm4py.read_xes(str(path), return_legacy_log_object=False, show_progress_bar=False)
        except Exception as e:  # pm4py raises bare exceptions of several kinds for a malformed file
            failure = f"{type(e).__name__}: {e}"
        if failure:
            gc.collect()  # pm4py leaves the file open on a parse error: closed here, not as a stray warning later
            raise ConfigError(f"{path}: cannot be read as XES ({failure})")
    return pl.from_pandas(events.astype({c: str for c in events.columns if events[c].dtype == object}))


def read_event_log(path: str | Path, acts: ActivityMap, tz: str = "UTC") -> tuple[pl.DataFrame, Notes]:
    """The ticket table of an event log (``.xes`` through pm4py, anything else as CSV).

    Args:
        path: the event log.
        acts: its columns and the activities that mark creation, assignment and resolution.
        tz: the desk's IANA time zone.

    Returns:
        The validated ticket table and the :class:`~ferrogym.calibrate.inputs.Notes` for the report.

    Raises:
        ConfigError: a missing column, an unparseable timestamp, no resolution
            activity given or none found, or a table breaking the schema.
    """
    source = str(path)
    if not acts.resolved:
        raise ConfigError(f"{source}: no resolution activity given (e.g. --resolved-activity Closed)")
    if str(path).lower().endswith(".xes"):
        events = read_xes(path)
        acts = _xes_defaults(acts, events.columns)
    else:
        events = read_frame(path)
    wanted = {
        "case": acts.case,
        "activity": acts.activity,
        "timestamp": acts.timestamp,
        "resource": acts.resource,
        "type": acts.type,
        "priority": acts.priority,
    }
    for role, name in wanted.items():
        if name is not None and name not in events.columns:
            raise ConfigError(
                f"{source}: no column {name!r}, which --{role} names as the {role} column; "
                f"the file has {events.columns[:20]}"
            )
    notes = Notes()
    ev = pl.DataFrame(
        {
            "case": events.get_column(acts.case).cast(pl.Utf8),
            "activity": events.get_column(acts.activity).cast(pl.Utf8),
            "t": parse_times(events.get_column(acts.timestamp), source, "timestamp", tz),
            "resource": events.get_column(acts.resource).cast(pl.Utf8) if acts.resource else None,
            "type": events.get_column(acts.type).cast(pl.Utf8) if acts.type else None,
            "priority": events.get_column(acts.priority).cast(pl.Utf8) if acts.priority else None,
        },
        schema_overrides={"resource": pl.Utf8, "type": pl.Utf8, "priority": pl.Utf8},
    ).sort("case", "t", maintain_order=True)
    found = set(ev.get_column("activity").unique().to_list())
    for role, names in (("created", acts.created), ("assigned", acts.assigned), ("resolved", acts.resolved)):
        absent = [a for a in names if a not in found]
        if absent:
            raise ConfigError(
                f"{source}: no event has the {role} activity {absent[0]!r}; "
                f"the log's activities include {sorted(found)[:15]}"
            )
    is_c = pl.col("activity").is_in(list(acts.created)) if acts.created else pl.lit(value=True)
    is_a = pl.col("activity").is_in(list(acts.assigned))
    is_r = pl.col("activity").is_in(list(acts.resolved))
    cases = ev.group_by("case", maintain_order=True).agg(
        created=pl.col("t").filter(is_c).min(),
        assigned=pl.col("t").filter(is_a).min(),
        resolved=pl.col("t").filter(is_r).max(),
        first_resolved=pl.col("t").filter(is_r).min(),
        last=pl.col("t").max(),
        resolver=pl.col("resource").filter(is_r).last(),
        last_assignee=pl.col("resource").filter(is_a).last(),
        type=pl.col("type").drop_nulls().first(),
        priority=pl.col("priority").drop_nulls().first(),
    )
    uncreated = cases.get_column("created").null_count()
    notes.count("cases without a creation event (dropped)", uncreated)
    cases = cases.filter(pl.col("created").is_not_null())
    notes.count(
        "reopened cases (events after the first resolution)",
        cases.filter(pl.col("last") > pl.col("first_resolved")).height,
    )
    early = cases.filter(pl.col("resolved") < pl.col("created")).height
    notes.count("cases resolved before their creation event (resolution dropped)", early)
    if acts.resource is None:
        notes.cannot("no resource column: engineers' skills and shifts are not fitted")
    priority = cases.get_column("priority")
    if acts.priority:
        priority = normalise_names(priority.alias(acts.priority), source, "priority", PRIORITY_NAMES, PRIORITIES)
    n = cases.height
    table = pl.DataFrame(
        {
            "ticket_id": cases.get_column("case"),
            "created": cases.get_column("created"),
            "assigned": cases.get_column("assigned"),
            "resolved": cases.select(
                pl.when(pl.col("resolved") >= pl.col("created")).then(pl.col("resolved"))
            ).to_series(),
            "assignee": cases.select(pl.coalesce("resolver", "last_assignee")).to_series(),
            "type": cases.get_column("type"),
            "priority": priority.alias("priority"),
            "tier": pl.Series([None] * n, dtype=pl.Utf8),
            "effort_minutes": pl.Series([None] * n, dtype=pl.Float64),
        },
        schema={k: d for k, (d, _) in SCHEMA.items()},
    )
    mapped = {"ticket_id", "created", "resolved"} | {k for k in ("type", "priority") if wanted[k]}
    return finish_table(table, source, notes, mapped), notes


def _xes_defaults(acts: ActivityMap, columns: list[str]) -> ActivityMap:
    """``acts`` with the XES standard column names where it left the CSV defaults."""
    defaults = ActivityMap()
    return ActivityMap(
        case=XES_COLUMNS["case"] if acts.case == defaults.case else acts.case,
        activity=XES_COLUMNS["activity"] if acts.activity == defaults.activity else acts.activity,
        timestamp=XES_COLUMNS["timestamp"] if acts.timestamp == defaults.timestamp else acts.timestamp,
        resource=acts.resource or (XES_COLUMNS["resource"] if XES_COLUMNS["resource"] in columns else None),
        type=acts.type,
        priority=acts.priority,
        created=acts.created,
        assigned=acts.assigned,
        resolved=acts.resolved,
    )
