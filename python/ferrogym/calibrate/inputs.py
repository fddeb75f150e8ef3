"""Reading a help-desk ticket export (CSV or Parquet) into the ticket table.

A :class:`ColumnMap` says which export column holds each ticket-table column
(from a preset, ``--map`` flags or a small YAML file). Reading is polars';
timestamps are parsed by polars too, converted to the desk's time zone and
stored naive. Every problem in the file raises
:class:`~ferrogym.errors.ConfigError` naming the file, the column and what
was expected; what is tolerated (duplicate ids, tickets never resolved, a
column the export lacks) is counted in :class:`Notes` for the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import yaml

from ferrogym.calibrate.presets import EFFORT_UNITS, PRIORITY_NAMES, TIER_NAMES, preset
from ferrogym.calibrate.tickets import PRIORITIES, SCHEMA, TIERS, UNKNOWN_TYPE, validate_tickets
from ferrogym.errors import ConfigError

#: Most rows read from one input: far above a large desk's year, far below what exhausts memory.
MAX_ROWS = 5_000_000
#: The mapping-file key of each vocabulary column.
_VOCAB_KEYS = {"priority": "priorities", "tier": "tiers"}
#: Ticket-table columns a mapping must name.
REQUIRED = ("ticket_id", "created")


@dataclass
class Notes:
    """What reading and fitting tolerated or could not do, for the report.

    Attributes:
        counts: a label (``"duplicate ids dropped"``) -> how many rows it concerns.
        not_fitted: sentences saying what the input did not allow.
    """

    counts: dict[str, int] = field(default_factory=dict)
    not_fitted: list[str] = field(default_factory=list)

    def count(self, label: str, n: int) -> None:
        """Adds ``n`` to ``label`` (nothing when ``n`` is 0)."""
        if n:
            self.counts[label] = self.counts.get(label, 0) + int(n)

    def cannot(self, sentence: str) -> None:
        """Records something the input does not allow fitting."""
        if sentence not in self.not_fitted:
            self.not_fitted.append(sentence)


@dataclass(frozen=True)
class ColumnMap:
    """Where each ticket-table column comes from in an export.

    Attributes:
        columns: ticket-table column -> export column name.
        origin: what asked for these names (``--preset zendesk``, ``--map``, a YAML file), for messages.
        effort_unit: how the effort column is written (:data:`~ferrogym.calibrate.presets.EFFORT_UNITS`).
        time_format: a ``strftime`` format, or ``None`` to infer ISO 8601.
        priorities: export value -> priority name, over the built-in synonyms.
        tiers: export value -> tier name, over the built-in synonyms.
    """

    columns: dict[str, str]
    origin: str = "--map"
    effort_unit: str = "minutes"
    time_format: str | None = None
    priorities: dict[str, str] = field(default_factory=dict)
    tiers: dict[str, str] = field(default_factory=dict)


def column_map(
    preset_name: str | None = None,
    maps: Iterable[str] = (),
    mapping_file: str | Path | None = None,
    *,
    effort_unit: str | None = None,
    time_format: str | None = None,
) -> ColumnMap:
    """The column map from a preset, then a YAML file, then ``--map COLUMN=NAME`` flags (later wins).

    The YAML file is either a flat ``{column: export name}`` mapping or has the
    keys ``columns``, ``effort_unit``, ``time_format``, ``priorities`` and ``tiers``.

    Raises:
        ConfigError: an unknown preset, ticket-table column or effort unit, a
            ``--map`` item without ``=``, an unreadable YAML file, or no
            mapping of ``ticket_id`` and ``created``.
    """
    columns: dict[str, str] = {}
    origins: list[str] = []
    extra: dict[str, Any] = {}
    if preset_name is not None:
        p = preset(preset_name)
        columns.update(p.columns)
        extra.update(effort_unit=p.effort_unit, time_format=p.time_format)
        origins.append(f"--preset {preset_name}")
    if mapping_file is not None:
        doc = _read_yaml(Path(mapping_file))
        body = doc.get("columns", doc) if isinstance(doc.get("columns"), dict) else doc
        for key in ("effort_unit", "time_format", "priorities", "tiers"):
            if key in doc:
                extra[key] = doc[key]
                body = {k: v for k, v in body.items() if k != key}
        columns.update({str(k): str(v) for k, v in body.items()})
        origins.append(str(mapping_file))
    for item in maps:
        key, sep, name = item.partition("=")
        if not sep or not key.strip() or not name:
            raise ConfigError(f"--map {item!r}: expected COLUMN=EXPORT_NAME, e.g. created='Created At'")
        columns[key.strip()] = name
        if "--map" not in origins:
            origins.append("--map")
    if effort_unit is not None:
        extra["effort_unit"] = effort_unit
    if time_format is not None:
        extra["time_format"] = time_format
    origin = " + ".join(origins) or "--map"
    unknown = [c for c in columns if c not in SCHEMA]
    if unknown:
        raise ConfigError(f"{origin}: unknown ticket-table column {unknown[0]!r}; expected one of {list(SCHEMA)}")
    for need in REQUIRED:
        if need not in columns:
            raise ConfigError(f"{origin}: no column is mapped to {need!r} (e.g. --map {need}=NAME, or a --preset)")
    unit = extra.get("effort_unit") or "minutes"
    if unit not in EFFORT_UNITS:
        raise ConfigError(f"{origin}: effort_unit {unit!r}; expected one of {list(EFFORT_UNITS)}")
    return ColumnMap(
        columns=columns,
        origin=origin,
        effort_unit=unit,
        time_format=extra.get("time_format"),
        priorities=_vocab(extra.get("priorities"), PRIORITIES, origin, "priorities"),
        tiers=_vocab(extra.get("tiers"), TIERS, origin, "tiers"),
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"{path}: cannot be read as a YAML column mapping ({e})") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a YAML mapping of ticket-table column -> export column name")
    return doc


def _vocab(raw: Any, names: tuple[str, ...], origin: str, key: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or any(str(v) not in names for v in raw.values()):
        raise ConfigError(f"{origin}: {key} must map export values to one of {list(names)}; got {raw!r}")
    return {str(k).strip().lower(): str(v) for k, v in raw.items()}


def read_frame(path: str | Path) -> pl.DataFrame:
    """Every column of a CSV (as text) or Parquet file, its size checked first.

    Raises:
        ConfigError: the file is missing, unreadable, empty, or has more than :data:`MAX_ROWS` rows.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file (or not a file)")
    csv = path.suffix.lower() != ".parquet"
    try:
        lazy = pl.scan_csv(path, infer_schema=False) if csv else pl.scan_parquet(path)
        rows = int(lazy.select(pl.len()).collect().item())
        if rows > MAX_ROWS:
            raise ConfigError(f"{path}: {rows} rows; expected at most {MAX_ROWS}")
        df = lazy.collect()
    except pl.exceptions.NoDataError:
        raise ConfigError(f"{path}: the file is empty; expected a header and one row per ticket") from None
    except (pl.exceptions.PolarsError, OSError) as e:
        raise ConfigError(f"{path}: cannot be read as {'CSV' if csv else 'Parquet'} ({e})") from None
    if df.height == 0:
        raise ConfigError(f"{path}: no rows; expected one row per ticket")
    return df


def parse_times(col: pl.Series, source: str, column: str, tz: str, fmt: str | None = None) -> pl.Series:
    """Timestamps of ``col`` as naive ``Datetime(us)`` in the desk's time zone ``tz``.

    Text is parsed by polars (``fmt``, or ISO 8601 inferred); values with an
    offset are converted to ``tz``; naive values are taken as already in ``tz``.

    Raises:
        ConfigError: an unknown time zone, or values that do not parse (their
            count and first row numbers).
    """
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"--tz {tz!r}: expected an IANA time zone such as UTC or Europe/Paris") from None
    if col.dtype == pl.Utf8:
        text = col.str.strip_chars()
        text = pl.Series(col.name, text).replace("", None)
        try:
            parsed = text.str.to_datetime(format=fmt, time_unit="us", strict=False)
        except pl.exceptions.PolarsError:
            # polars infers one format from the first values; if it cannot, every value fails to parse.
            parsed = pl.Series(col.name, [None] * len(col), dtype=pl.Datetime("us"))
        bad = parsed.is_null() & text.is_not_null()
        n = int(bad.sum())
        if n:
            rows = bad.arg_true().head(5).to_list()
            raise ConfigError(
                f"{source}: column {col.name!r} (ticket-table {column!r}) has {n} unparseable timestamps "
                f"(rows {rows}, e.g. {text.filter(bad)[0]!r}); expected {fmt or 'ISO 8601, e.g. 2026-11-02 09:15'}"
            )
        col = parsed
    elif col.dtype == pl.Date:
        col = col.cast(pl.Datetime("us"))
    if not isinstance(col.dtype, pl.Datetime):
        raise ConfigError(
            f"{source}: column {col.name!r} (ticket-table {column!r}) has dtype {col.dtype}; expected timestamps"
        )
    if col.dtype.time_zone is not None:
        col = col.dt.convert_time_zone(tz).dt.replace_time_zone(None)
    return col.cast(pl.Datetime("us"))


def parse_effort(col: pl.Series, source: str, unit: str) -> pl.Series:
    """Effort values in minutes (``unit`` one of :data:`~ferrogym.calibrate.presets.EFFORT_UNITS`).

    Raises:
        ConfigError: values that are not numbers (or ``h:mm``), or negative.
    """
    text = col.cast(pl.Utf8).str.strip_chars().replace("", None)
    if unit == "hh:mm":
        parts = text.str.split_exact(":", 1)
        hours = parts.struct.field("field_0").cast(pl.Float64, strict=False)
        minutes = parts.struct.field("field_1").cast(pl.Float64, strict=False)
        value = hours * 60 + minutes
    else:
        scale = {"minutes": 1.0, "seconds": 1 / 60, "hours": 60.0}[unit]
        value = text.cast(pl.Float64, strict=False) * scale
    bad = (value.is_null() & text.is_not_null()) | (value < 0) | value.is_nan()
    n = int(bad.sum())
    if n:
        rows = bad.arg_true().head(5).to_list()
        raise ConfigError(
            f"{source}: column {col.name!r} (ticket-table 'effort_minutes') has {n} values that are not "
            f"non-negative {unit} (rows {rows}, e.g. {text.filter(bad)[0]!r})"
        )
    return value.alias("effort_minutes")


def normalise_names(
    col: pl.Series, source: str, column: str, synonyms: dict[str, str], names: tuple[str, ...]
) -> pl.Series:
    """``col`` mapped to TicketRouting's ``names`` through ``synonyms`` (case-insensitive).

    Raises:
        ConfigError: a value no synonym maps (the message lists the unmapped values).
    """
    key = col.cast(pl.Utf8).str.strip_chars().str.to_lowercase()
    mapped = key.replace_strict(synonyms, default=None, return_dtype=pl.Utf8)
    bad = mapped.is_null() & key.is_not_null() & (key != "")
    if bad.any():
        values = sorted(set(col.filter(bad).cast(pl.Utf8).to_list()))[:5]
        raise ConfigError(
            f"{source}: column {col.name!r} (ticket-table {column!r}) has values {values} that map to none of "
            f"{list(names)}; map them under '{_VOCAB_KEYS.get(column, column)}' in a --mapping file"
        )
    return mapped


def read_export(path: str | Path, mapping: ColumnMap, tz: str = "UTC") -> tuple[pl.DataFrame, Notes]:
    """The ticket table of a help-desk export, and what was tolerated on the way.

    Args:
        path: a CSV or Parquet export.
        mapping: where each ticket-table column is in the export.
        tz: the desk's IANA time zone (timestamps with an offset are converted to it).

    Returns:
        The validated ticket table and the :class:`Notes` for the report.

    Raises:
        ConfigError: the file cannot be read, a mapped column is missing, a
            value does not parse, or the table breaks the schema.
    """
    source = str(path)
    raw = read_frame(path)
    notes = Notes()
    for target, name in mapping.columns.items():
        if name not in raw.columns:
            raise ConfigError(
                f"{source}: no column {name!r}, which {mapping.origin} maps to {target!r}; "
                f"the file has {raw.columns[:20]}"
            )
    cols: dict[str, pl.Series] = {}
    n = raw.height
    for target, (dtype, _) in SCHEMA.items():
        mapped_name = mapping.columns.get(target)
        if mapped_name is None:
            cols[target] = pl.Series(target, [None] * n, dtype=dtype)
            continue
        col = raw.get_column(mapped_name)
        if target in ("created", "assigned", "resolved"):
            cols[target] = parse_times(col, source, target, tz, mapping.time_format).alias(target)
        elif target == "effort_minutes":
            cols[target] = parse_effort(col, source, mapping.effort_unit)
        elif target == "priority":
            cols[target] = normalise_names(col, source, target, {**PRIORITY_NAMES, **mapping.priorities}, PRIORITIES)
        elif target == "tier":
            cols[target] = normalise_names(col, source, target, {**TIER_NAMES, **mapping.tiers}, TIERS)
        else:
            cols[target] = col.cast(pl.Utf8).str.strip_chars().replace("", None).alias(target)
    return finish_table(pl.DataFrame(cols), source, notes, mapped=set(mapping.columns)), notes


def finish_table(df: pl.DataFrame, source: str, notes: Notes, mapped: set[str]) -> pl.DataFrame:
    """Fills what the input lacks (saying so in ``notes``), drops and counts duplicates, validates.

    Raises:
        ConfigError: an empty ``ticket_id`` or ``created``, or a table breaking the schema.
    """
    for must in REQUIRED:
        nulls = df.get_column(must).null_count()
        if nulls:
            row = int(df.get_column(must).is_null().arg_max() or 0)
            raise ConfigError(f"{source}: {nulls} tickets have no {must!r} (first at row {row}); expected a value")
    if "type" not in mapped:
        notes.cannot(f"no ticket type column: every ticket has type {UNKNOWN_TYPE!r}")
    if "priority" not in mapped:
        notes.cannot("no priority column: every ticket is 'medium', and the priority mix is not fitted")
    if "tier" not in mapped:
        notes.cannot("no customer tier column: the tier mix is the TicketRouting default, not fitted")
    untyped = df.get_column("type").null_count()
    notes.count(f"tickets without a type (counted as {UNKNOWN_TYPE!r})", untyped if "type" in mapped else 0)
    unprioritised = df.get_column("priority").null_count()
    notes.count("tickets without a priority (counted as 'medium')", unprioritised if "priority" in mapped else 0)
    df = df.with_columns(
        pl.col("type").fill_null(UNKNOWN_TYPE),
        pl.col("priority").fill_null("medium"),
    )
    dup = df.get_column("ticket_id").is_duplicated() & ~df.get_column("ticket_id").is_first_distinct()
    notes.count("duplicate ids dropped (first row kept)", int(dup.sum()))
    df = df.filter(~dup)
    notes.count("tickets not resolved at export", df.get_column("resolved").null_count())
    zero = df.filter(pl.col("resolved") == pl.col("created")).height
    notes.count("tickets resolved at the minute they were created (zero duration)", zero)
    return validate_tickets(df, source)
