"""Reading help-desk exports: presets, mappings, time zones, effort units and hostile files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ferrogym.calibrate import inputs
from ferrogym.calibrate.inputs import column_map, read_export
from ferrogym.calibrate.presets import PRESETS
from ferrogym.calibrate.tickets import read_tickets, write_tickets
from ferrogym.errors import ConfigError

ROWS = [
    ("1", "2026-11-02 09:00:00", "2026-11-02 09:10:00", "2026-11-02 10:00:00", "Ann", "incident", "Normal"),
    ("2", "2026-11-02 10:00:00", "", "", "Bob", "question", "Urgent"),
    ("3", "2026-11-03 12:00:00", "", "2026-11-03 12:30:00", "", "", "Low"),
]
ZENDESK = ["Id", "Created at", "Initially assigned at", "Solved at", "Assignee", "Ticket type", "Priority"]


def _csv(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> Path:
    pl.DataFrame([list(r) for r in rows], schema=header, orient="row").write_csv(path)
    return path


def test_read_export__zendesk_preset_maps_its_columns_and_names(tmp_path: Path) -> None:
    df, notes = read_export(_csv(tmp_path / "z.csv", ZENDESK, ROWS), column_map("zendesk"))
    assert df.get_column("priority").to_list() == ["medium", "critical", "low"]
    assert df.get_column("type").to_list() == ["incident", "question", "unknown"]
    assert df.get_column("assigned").null_count() == 2
    assert notes.counts["tickets not resolved at export"] == 1
    assert any("tier" in s for s in notes.not_fitted)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_read_export__every_preset_reads_an_export_with_its_column_names(tmp_path: Path, name: str) -> None:
    p = PRESETS[name]
    values = {
        "ticket_id": ["A-1", "A-2"],
        "created": ["2026-11-02 09:00:00", "2026-11-02 10:00:00"],
        "assigned": ["2026-11-02 09:05:00", "2026-11-02 10:05:00"],
        "resolved": ["2026-11-02 11:00:00", ""],
        "assignee": ["Ann", "Bob"],
        "type": ["Bug", "Question"],
        "priority": ["High", "Low"],
        "effort_minutes": {"seconds": ["600", "60"], "hh:mm": ["0:10", "1:00"]}.get(p.effort_unit, ["10", "1"]),
    }
    if p.time_format is not None:
        values["created"] = ["02/Nov/26 9:00 AM", "02/Nov/26 10:00 AM"]
        values["resolved"] = ["02/Nov/26 11:00 AM", ""]
    frame = pl.DataFrame({src: values[col] for col, src in p.columns.items()})
    frame.write_csv(tmp_path / "x.csv")
    df, _ = read_export(tmp_path / "x.csv", column_map(name))
    assert df.height == 2
    assert df.get_column("priority").to_list() == ["high", "low"]
    assert str(df.get_column("created")[0]) == "2026-11-02 09:00:00"
    if "effort_minutes" in p.columns:
        assert df.get_column("effort_minutes")[0] == 10.0


def test_column_map__flags_and_yaml_override_the_preset(tmp_path: Path) -> None:
    yml = tmp_path / "map.yaml"
    yml.write_text("columns: {type: Group}\npriorities: {P0: critical}\ntiers: {VIP: enterprise}\n")
    cmap = column_map("zendesk", ["assignee=Owner"], yml)
    assert cmap.columns["type"] == "Group" and cmap.columns["assignee"] == "Owner"
    assert cmap.priorities == {"p0": "critical"} and cmap.tiers == {"vip": "enterprise"}
    assert cmap.origin == f"--preset zendesk + {yml} + --map"
    flat = tmp_path / "flat.yaml"
    flat.write_text("ticket_id: Key\ncreated: Opened\n")
    assert column_map(None, [], flat).columns == {"ticket_id": "Key", "created": "Opened"}


def test_read_export__converts_offsets_to_the_desk_time_zone(tmp_path: Path) -> None:
    path = _csv(tmp_path / "t.csv", ["id", "at"], [("1", "2026-11-02T09:00:00+00:00"), ("2", "2026-11-02T10:00:00Z")])
    df, _ = read_export(path, column_map(None, ["ticket_id=id", "created=at"]), tz="Europe/Paris")
    assert [str(t) for t in df.get_column("created")] == ["2026-11-02 10:00:00", "2026-11-02 11:00:00"]


def test_tickets__parquet_and_csv_round_trip(tmp_path: Path) -> None:
    df, _ = read_export(_csv(tmp_path / "z.csv", ZENDESK, ROWS), column_map("zendesk"))
    for name in ("t.parquet", "t.csv"):
        write_tickets(df, tmp_path / name)
        assert read_tickets(tmp_path / name).equals(df)


@pytest.mark.parametrize(
    ("maps", "rows", "message"),
    [
        (["ticket_id=Id", "created=Opened"], ROWS, "no column 'Opened', which --map maps to 'created'"),
        (["ticket_id=Id", "created=Created at"], [("1", "yesterday", "", "", "", "", "")], "1 unparseable"),
        (["ticket_id=Id"], ROWS, "no column is mapped to 'created'"),
        (["ticket_id=Id", "created=Created at", "colour=Priority"], ROWS, "unknown ticket-table column 'colour'"),
        (["ticket_id=Id", "created=Created at", "priority=Priority"], [(*ROWS[0][:6], "Whenever")], "['Whenever']"),
        (
            ["ticket_id=Id", "created=Created at", "resolved=Solved at"],
            [("1", "2026-11-02 10:00:00", "", "2026-11-02 09:00:00", "", "", "")],
            "'resolved' is before 'created'",
        ),
        (["ticket_id=Id", "created=Created at", "effort_minutes=Assignee"], ROWS, "not non-negative minutes"),
    ],
)
def test_read_export__hostile_input_names_file_column_and_expectation(
    tmp_path: Path, maps: list[str], rows: list[tuple[str, ...]], message: str
) -> None:
    path = _csv(tmp_path / "bad.csv", ZENDESK, rows)
    with pytest.raises(ConfigError, match=r"bad\.csv|--map") as e:
        read_export(path, column_map(None, maps))
    assert message in str(e.value)


def test_read_export__unparseable_timestamps_report_rows_and_count(tmp_path: Path) -> None:
    rows = [(str(i), "2026-11-02 09:00:00" if i % 3 else "n/a", "", "", "", "", "") for i in range(1, 10)]
    with pytest.raises(ConfigError, match=r"has 3 unparseable timestamps \(rows \[2, 5, 8\]"):
        read_export(_csv(tmp_path / "b.csv", ZENDESK, rows), column_map("zendesk"))


def test_read_export__empty_and_headerless_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ConfigError, match=r"empty\.csv: the file is empty"):
        read_export(tmp_path / "empty.csv", column_map("zendesk"))
    (tmp_path / "header.csv").write_text(",".join(ZENDESK) + "\n")
    with pytest.raises(ConfigError, match=r"header\.csv: no rows"):
        read_export(tmp_path / "header.csv", column_map("zendesk"))
    with pytest.raises(ConfigError, match="no such file"):
        read_export(tmp_path / "missing.csv", column_map("zendesk"))


def test_read_export__more_rows_than_the_bound_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_ROWS", 2)
    with pytest.raises(ConfigError, match="3 rows; expected at most 2"):
        read_export(_csv(tmp_path / "big.csv", ZENDESK, ROWS), column_map("zendesk"))


def test_read_export__duplicate_ids_are_dropped_and_counted(tmp_path: Path) -> None:
    df, notes = read_export(_csv(tmp_path / "d.csv", ZENDESK, [*ROWS, ROWS[0]]), column_map("zendesk"))
    assert df.height == 3
    assert notes.counts["duplicate ids dropped (first row kept)"] == 1


def test_column_map__refuses_unknown_presets_units_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--preset 'kayako'"):
        column_map("kayako")
    with pytest.raises(ConfigError, match="effort_unit 'days'"):
        column_map("zendesk", effort_unit="days")
    with pytest.raises(ConfigError, match="expected COLUMN=EXPORT_NAME"):
        column_map("zendesk", ["created"])
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a YAML mapping"):
        column_map(None, [], tmp_path / "list.yaml")
    (tmp_path / "p.yaml").write_text("ticket_id: a\ncreated: b\npriorities: {P0: asap}\n")
    with pytest.raises(ConfigError, match="priorities must map"):
        column_map(None, [], tmp_path / "p.yaml")
    with pytest.raises(ConfigError, match="--tz 'Mars/Olympus'"):
        read_export(_csv(tmp_path / "z.csv", ZENDESK, ROWS), column_map("zendesk"), tz="Mars/Olympus")


def test_read_tickets__refuses_tables_that_break_the_schema(tmp_path: Path) -> None:
    df, _ = read_export(_csv(tmp_path / "z.csv", ZENDESK, ROWS), column_map("zendesk"))
    df.drop("tier").write_parquet(tmp_path / "a.parquet")
    with pytest.raises(ConfigError, match=r"a\.parquet: no column 'tier'"):
        read_tickets(tmp_path / "a.parquet")
    df.with_columns(pl.lit("urgent").alias("priority")).write_parquet(tmp_path / "b.parquet")
    with pytest.raises(ConfigError, match=r"b\.parquet: column 'priority' has 'urgent'"):
        read_tickets(tmp_path / "b.parquet")
    pl.concat([df, df.head(1)]).write_parquet(tmp_path / "c.parquet")
    with pytest.raises(ConfigError, match="repeats '1'"):
        read_tickets(tmp_path / "c.parquet")
    df.write_csv(tmp_path / "d.csv")
    lines = (tmp_path / "d.csv").read_text().splitlines()
    cells = lines[1].split(",")
    cells[1] = "soon"  # the first ticket's created
    (tmp_path / "d.csv").write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    with pytest.raises(ConfigError, match=r"d\.csv: column 'created' has 1 values that are not an ISO 8601"):
        read_tickets(tmp_path / "d.csv")


def test_read_tickets__widens_other_writers_units(tmp_path: Path) -> None:
    df, _ = read_export(_csv(tmp_path / "z.csv", ZENDESK, ROWS), column_map("zendesk"))
    other = df.with_columns(
        pl.col("created").cast(pl.Datetime("ns")), pl.lit(5, dtype=pl.Int32).alias("effort_minutes")
    )
    other.write_parquet(tmp_path / "ns.parquet")
    back = read_tickets(tmp_path / "ns.parquet")
    assert back.get_column("created").equals(df.get_column("created"))
    assert back.get_column("effort_minutes").to_list() == [5.0, 5.0, 5.0]
    df.with_columns(pl.col("created").dt.replace_time_zone("UTC")).write_parquet(tmp_path / "tz.parquet")
    with pytest.raises(ConfigError, match="column 'created' has dtype"):
        read_tickets(tmp_path / "tz.parquet")
