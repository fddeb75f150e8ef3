"""Event logs (CSV and XES): full logs, logs with only case/activity/timestamp, and bad ones."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import polars as pl
import pytest

from ferrogym.calibrate import eventlog
from ferrogym.calibrate.eventlog import ActivityMap, read_event_log
from ferrogym.calibrate.fit import Options, calibrate
from ferrogym.errors import ConfigError

FULL = ActivityMap(resource="resource", created=("Open",), assigned=("Assign",), resolved=("Resolve",))


def _events(tickets: pl.DataFrame) -> pl.DataFrame:
    """The ticket table as an event log: Open, Assign and Resolve events per case."""
    parts = [
        tickets.select(
            pl.col("ticket_id").alias("case"),
            pl.lit(name).alias("activity"),
            pl.col(col).dt.strftime("%Y-%m-%d %H:%M:%S").alias("timestamp"),
            (pl.lit("desk") if name == "Open" else pl.col("assignee")).alias("resource"),
            pl.col("type").alias("category"),
        ).filter(pl.col("timestamp").is_not_null())
        for name, col in (("Open", "created"), ("Assign", "assigned"), ("Resolve", "resolved"))
    ]
    return pl.concat(parts).sort("timestamp")


def test_event_log__full_csv_log_gives_back_the_ticket_table(tmp_path: Path, known_tickets: pl.DataFrame) -> None:
    _events(known_tickets).write_csv(tmp_path / "log.csv")
    df, notes = read_event_log(tmp_path / "log.csv", ActivityMap(**{**FULL.__dict__, "type": "category"}))
    expected = known_tickets.with_columns(pl.col(c).dt.truncate("1s") for c in ("created", "assigned", "resolved"))
    got = df.sort("ticket_id")
    want = expected.sort("ticket_id")
    for col in ("ticket_id", "created", "assigned", "resolved", "type"):
        assert got.get_column(col).equals(want.get_column(col)), col
    # A ticket queued but never started has no event naming its engineer.
    started = want.get_column("assigned").is_not_null()
    assert got.filter(started).get_column("assignee").equals(want.filter(started).get_column("assignee"))
    assert any("priority" in s for s in notes.not_fitted)


def test_event_log__case_activity_timestamp_only_fits_arrivals_and_says_what_it_cannot(
    tmp_path: Path, known_tickets: pl.DataFrame
) -> None:
    _events(known_tickets).drop("resource", "category").write_csv(tmp_path / "log.csv")
    df, notes = read_event_log(tmp_path / "log.csv", ActivityMap(resolved=("Resolve",)))
    assert set(df.get_column("type").to_list()) == {"unknown"}
    assert df.get_column("assignee").null_count() == df.height
    cal = calibrate(df, "log.csv", Options(n_engineers=6), notes)
    assert cal.mix.types == ["unknown"]
    assert cal.n_engineers == 6
    assert cal.work.engineers == []
    said = " ".join(cal.notes.not_fitted)
    for missing in ("no resource column", "no ticket type", "no priority", "no assignee", "--engineers", "wall-clock"):
        assert missing in said, missing
    assert cal.arrivals.arrivals_per_day == pytest.approx(known_tickets.height / cal.days, rel=0.2)


def test_event_log__reopened_cases_are_counted(tmp_path: Path) -> None:
    rows = [
        ("c1", "Open", "2026-11-02 09:00:00"),
        ("c1", "Resolve", "2026-11-02 10:00:00"),
        ("c1", "Reopen", "2026-11-02 11:00:00"),
        ("c1", "Resolve", "2026-11-02 12:00:00"),
        ("c2", "Open", "2026-11-02 09:30:00"),
    ]
    pl.DataFrame(rows, schema=["case", "activity", "timestamp"], orient="row").write_csv(tmp_path / "r.csv")
    df, notes = read_event_log(tmp_path / "r.csv", ActivityMap(created=("Open",), resolved=("Resolve",)))
    assert notes.counts["reopened cases (events after the first resolution)"] == 1
    assert notes.counts["tickets not resolved at export"] == 1
    assert str(df.filter(pl.col("ticket_id") == "c1").get_column("resolved")[0]) == "2026-11-02 12:00:00"


def test_event_log__xes_is_read_through_pm4py(tmp_path: Path, known_tickets: pl.DataFrame) -> None:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # pm4py's own notices about optional speed-ups
        import pm4py

        events = _events(known_tickets.head(200)).to_pandas()
        events["timestamp"] = events["timestamp"].astype("datetime64[ns]").dt.tz_localize("UTC")
        events = pm4py.format_dataframe(events, case_id="case", activity_key="activity", timestamp_key="timestamp")
        events = events.rename(columns={"resource": "org:resource"})
        pm4py.write_xes(events, str(tmp_path / "log.xes"))
    df, _ = read_event_log(tmp_path / "log.xes", ActivityMap(created=("Open",), resolved=("Resolve",)))
    assert df.height == 200
    assert df.get_column("assignee").null_count() < 200  # the XES resource attribute is found by its standard name


@pytest.mark.parametrize(
    ("acts", "message"),
    [
        (ActivityMap(resolved=()), "no resolution activity given"),
        (ActivityMap(resolved=("Closed",)), "no event has the resolved activity 'Closed'"),
        (ActivityMap(case="id", resolved=("Resolve",)), "no column 'id', which --case names"),
        (ActivityMap(resource="who", resolved=("Resolve",)), "no column 'who', which --resource names"),
    ],
)
def test_event_log__bad_mappings_name_the_column_or_activity(tmp_path: Path, acts: ActivityMap, message: str) -> None:
    rows = [("c1", "Open", "2026-11-02 09:00:00"), ("c1", "Resolve", "2026-11-02 10:00:00")]
    pl.DataFrame(rows, schema=["case", "activity", "timestamp"], orient="row").write_csv(tmp_path / "e.csv")
    with pytest.raises(ConfigError, match=r"e\.csv|resolution") as e:
        read_event_log(tmp_path / "e.csv", acts)
    assert message in str(e.value)


def test_event_log__a_file_that_is_not_xes_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.xes").write_text("not xml at all")
    with pytest.raises(ConfigError, match="cannot be read as XES"):
        read_event_log(tmp_path / "x.xes", ActivityMap(resolved=("Resolve",)))
    monkeypatch.setattr(eventlog, "MAX_XES_BYTES", 4)
    with pytest.raises(ConfigError, match="14 bytes; an XES log may have at most 4"):
        read_event_log(tmp_path / "x.xes", ActivityMap(resolved=("Resolve",)))
