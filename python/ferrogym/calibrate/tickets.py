"""The normalised ticket table: one row per ticket, the one form every input is read into.

Columns, dtypes and vocabularies are declared once here (:data:`SCHEMA`,
:data:`PRIORITIES`, :data:`TIERS`); :func:`write_tickets` and
:func:`read_tickets` are the only writer and reader of ``tickets.parquet``
(a CSV with the same columns is read too). Every problem raises
:class:`~ferrogym.errors.ConfigError` naming the file and the column.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ferrogym.errors import ConfigError

#: Every column of the ticket table, its dtype and whether it may be null.
SCHEMA: dict[str, tuple[pl.DataType, bool]] = {
    "ticket_id": (pl.Utf8(), False),
    "created": (pl.Datetime("us"), False),
    "assigned": (pl.Datetime("us"), True),
    "resolved": (pl.Datetime("us"), True),
    "assignee": (pl.Utf8(), True),
    "type": (pl.Utf8(), False),
    "priority": (pl.Utf8(), False),
    "tier": (pl.Utf8(), True),
    "effort_minutes": (pl.Float64(), True),
}
#: TicketRouting's priority names, most urgent first (its ``sla_minutes`` order).
PRIORITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
#: TicketRouting's customer tiers (its ``tier_probs`` order).
TIERS: tuple[str, ...] = ("enterprise", "business", "standard")
#: The type every ticket gets when the input names none.
UNKNOWN_TYPE = "unknown"
_DATETIMES = ("created", "assigned", "resolved")


def validate_tickets(df: pl.DataFrame, source: str) -> pl.DataFrame:
    """``df`` checked against the schema and sorted by ``created``.

    Args:
        df: a frame with exactly the :data:`SCHEMA` columns (extra columns are refused).
        source: the file or input named in error messages.

    Returns:
        The same rows, columns in schema order, sorted by ``created``.

    Raises:
        ConfigError: a missing or extra column, a wrong dtype, a null where none
            is allowed, a duplicate ``ticket_id``, a priority or tier outside the
            vocabulary, or a ``resolved`` earlier than ``created``.
    """
    missing = [c for c in SCHEMA if c not in df.columns]
    if missing:
        raise ConfigError(f"{source}: no column {missing[0]!r}; a ticket table has the columns {list(SCHEMA)}")
    extra = [c for c in df.columns if c not in SCHEMA]
    if extra:
        raise ConfigError(f"{source}: unknown column {extra[0]!r}; a ticket table has the columns {list(SCHEMA)}")
    for name, (dtype, nullable) in SCHEMA.items():
        col = df.get_column(name)
        if col.dtype != dtype:
            raise ConfigError(f"{source}: column {name!r} has dtype {col.dtype}; expected {dtype}")
        nulls = col.null_count()
        if nulls and not nullable:
            row = int(col.is_null().arg_max() or 0)
            raise ConfigError(f"{source}: column {name!r} has {nulls} empty values (first at row {row}); expected none")
    dup = df.get_column("ticket_id").is_duplicated()
    if dup.any():
        first = df.filter(dup).get_column("ticket_id")[0]
        raise ConfigError(f"{source}: column 'ticket_id' repeats {first!r}; expected unique ids")
    for name, vocab in (("priority", PRIORITIES), ("tier", TIERS)):
        bad = df.filter(pl.col(name).is_not_null() & ~pl.col(name).is_in(list(vocab))).get_column(name)
        if len(bad):
            raise ConfigError(f"{source}: column {name!r} has {bad[0]!r}; expected one of {list(vocab)}")
    early = df.filter(pl.col("resolved") < pl.col("created"))
    if len(early):
        raise ConfigError(
            f"{source}: column 'resolved' is before 'created' for {len(early)} tickets "
            f"(first {early.get_column('ticket_id')[0]!r}); expected resolved >= created"
        )
    effort = df.get_column("effort_minutes")
    if (effort < 0).any() or effort.is_nan().any():
        raise ConfigError(f"{source}: column 'effort_minutes' has a negative or NaN value; expected minutes >= 0")
    return df.select(list(SCHEMA)).sort("created", maintain_order=True)


def write_tickets(df: pl.DataFrame, path: str | Path) -> None:
    """Writes a validated ticket table to ``path`` (Parquet, or CSV when it ends in ``.csv``).

    Raises:
        ConfigError: ``df`` is not a valid ticket table (:func:`validate_tickets`).
    """
    path = Path(path)
    table = validate_tickets(df, str(path))
    if path.suffix.lower() == ".csv":
        table.write_csv(path)
    else:
        table.write_parquet(path)


def read_tickets(path: str | Path) -> pl.DataFrame:
    """The ticket table in ``path`` (Parquet, or CSV with the same columns), validated.

    Returns:
        The table, sorted by ``created``.

    Raises:
        ConfigError: the file is missing or unreadable, or is not a valid ticket
            table (a message naming the file and the column).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such ticket table")
    try:
        if path.suffix.lower() == ".csv":
            raw = pl.read_csv(path, infer_schema=False)
            df = _cast_csv(raw, str(path))
        else:
            df = _widen(pl.read_parquet(path))
    except (pl.exceptions.PolarsError, OSError) as e:
        raise ConfigError(f"{path}: cannot be read as a ticket table ({e})") from None
    return validate_tickets(df, str(path))


def _widen(df: pl.DataFrame) -> pl.DataFrame:
    """Another writer's units made the schema's: naive datetimes of any precision to microseconds,
    integer or 32-bit effort to Float64 (a time zone or a text column is still refused by validation)."""
    casts = []
    for name in _DATETIMES:
        dtype = df.schema.get(name)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None and dtype.time_unit != "us":
            casts.append(pl.col(name).cast(pl.Datetime("us")))
    effort = df.schema.get("effort_minutes")
    if effort is not None and effort.is_numeric() and effort != pl.Float64:
        casts.append(pl.col("effort_minutes").cast(pl.Float64))
    return df.with_columns(casts) if casts else df


def _cast_csv(raw: pl.DataFrame, source: str) -> pl.DataFrame:
    """A CSV ticket table (every column read as text) cast to the schema's dtypes."""
    out = []
    for name in raw.columns:
        col = raw.get_column(name)
        if name in _DATETIMES:
            parsed = col.str.to_datetime(time_unit="us", strict=False)
            _refuse_unparsed(col, parsed, source, name, "an ISO 8601 timestamp")
            out.append(parsed.alias(name))
        elif name == "effort_minutes":
            num = col.cast(pl.Float64, strict=False)
            _refuse_unparsed(col, num, source, name, "a number of minutes")
            out.append(num.alias(name))
        else:
            out.append(col)
    return pl.DataFrame(out)


def _refuse_unparsed(raw: pl.Series, parsed: pl.Series, source: str, column: str, expected: str) -> None:
    """Raises when a non-empty value of ``raw`` did not parse (nothing is dropped silently)."""
    bad = parsed.is_null() & raw.is_not_null() & (raw.cast(pl.Utf8).str.strip_chars() != "")
    n = int(bad.sum())
    if n:
        rows = bad.arg_true().head(5).to_list()
        example = raw.filter(bad)[0]
        raise ConfigError(
            f"{source}: column {column!r} has {n} values that are not {expected} (rows {rows}, e.g. {example!r})"
        )
