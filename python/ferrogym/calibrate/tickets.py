"""The normalised ticket table (one row per ticket): its reader and writer.

The columns, dtypes and vocabularies are those of the shared ticket-table
contract (:data:`SCHEMA`). Every problem raises
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
#: TicketRouting's priority names, most urgent first (its priority indices).
PRIORITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
#: TicketRouting's customer tiers (its tier indices).
TIERS: tuple[str, ...] = ("enterprise", "business", "standard")


def _validate(df: pl.DataFrame, source: str) -> pl.DataFrame:
    for name, (dtype, nullable) in SCHEMA.items():
        if name not in df.columns:
            raise ConfigError(f"{source}: no column {name!r}; a ticket table has the columns {list(SCHEMA)}")
        col = df.get_column(name)
        if col.dtype != dtype:
            raise ConfigError(f"{source}: column {name!r} has dtype {col.dtype}; expected {dtype}")
        if not nullable and col.null_count():
            raise ConfigError(f"{source}: column {name!r} has {col.null_count()} empty values; expected none")
    for name, vocab in (("priority", PRIORITIES), ("tier", TIERS)):
        bad = df.filter(pl.col(name).is_not_null() & ~pl.col(name).is_in(list(vocab))).get_column(name)
        if len(bad):
            raise ConfigError(f"{source}: column {name!r} has {bad[0]!r}; expected one of {list(vocab)}")
    return df.select(list(SCHEMA)).sort("created", maintain_order=True)


def write_tickets(df: pl.DataFrame, path: str | Path) -> None:
    """Writes a ticket table to ``path`` (Parquet, or CSV when it ends in ``.csv``).

    Raises:
        ConfigError: ``df`` is not a valid ticket table.
    """
    path = Path(path)
    table = _validate(df, str(path))
    if path.suffix.lower() == ".csv":
        table.write_csv(path)
    else:
        table.write_parquet(path)


def read_tickets(path: str | Path) -> pl.DataFrame:
    """The ticket table in ``path`` (Parquet, or CSV with the same columns), validated.

    Returns:
        The table, sorted by ``created``.

    Raises:
        ConfigError: the file is missing or unreadable, or a column is missing,
            of the wrong type or outside its vocabulary.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such ticket table")
    try:
        if path.suffix.lower() == ".csv":
            dtypes = {name: dtype for name, (dtype, _) in SCHEMA.items()}
            df = pl.read_csv(path, schema_overrides=dtypes, try_parse_dates=True)
        else:
            df = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as e:
        raise ConfigError(f"{path}: cannot be read as a ticket table ({e})") from None
    return _validate(df, str(path))
