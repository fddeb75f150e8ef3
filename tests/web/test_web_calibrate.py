"""The Calibrate API on the shipped Zendesk sample: upload -> summary and
report files -> policy comparison on the replayed history, and hostile
uploads refused with a clear 4xx while the server stays usable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from ferrogym.calibrate.inputs import column_map
from ferrogym.calibrate.pipeline import run
from ferrogym.calibrate.report import FIGURES
from ferrogym.web import Limits, Settings, create_app
from tests.web.conftest import BASE_URL

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "zendesk_sample.csv"
UPLOAD_CAP = 64 * 1024


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("web-calibrate")
    settings = Settings(
        models_dir=root / "models",
        recordings_dir=root / "recordings",
        calibrations_dir=root / "calibrations",
        limits=Limits(max_upload_bytes=UPLOAD_CAP, max_calibrations=4),
    )
    with TestClient(create_app(settings), base_url=BASE_URL) as c:
        yield c


@pytest.fixture(scope="module")
def calibration(client: TestClient) -> dict[str, Any]:
    r = client.post("/api/calibrations?filename=tickets.csv&preset=zendesk", content=SAMPLE.read_bytes())
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_calibrate__presets_list_the_cli_presets(client: TestClient) -> None:
    names = [p["name"] for p in client.get("/api/calibrations/presets").json()]
    assert names == ["zendesk", "jira-sm", "freshdesk", "servicenow"]


def test_calibrate__upload_gives_the_same_tables_as_the_cli_report(calibration: dict[str, Any], tmp_path: Path) -> None:
    cli = run(SAMPLE, tmp_path, columns=column_map("zendesk"), validation_weeks=1, name="tickets.csv")
    assert cli.report is not None
    page = cli.report.read_text()
    assert calibration["source"] == "tickets.csv"
    assert calibration["tickets"] == cli.calibration.tickets.height == 249
    for name in ("arrivals", "work", "skills", "validation"):
        table = calibration["tables"][name]
        for row in table["rows"]:
            assert "| " + " | ".join(row) + " |" in page, (name, row)
    assert calibration["validation"]["verdict"] in page
    assert calibration["notes"]["not_fitted"] == cli.calibration.notes.not_fitted
    assert calibration["figures"] == list(FIGURES)


def test_calibrate__summary_and_report_files_are_served_by_id(client: TestClient, calibration: dict[str, Any]) -> None:
    cal_id = calibration["id"]
    assert client.get(f"/api/calibrations/{cal_id}").json() == calibration
    assert cal_id in [c["id"] for c in client.get("/api/calibrations").json()]
    png = client.get(f"/api/calibrations/{cal_id}/files/arrivals.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    scenario = client.get(f"/api/calibrations/{cal_id}/files/scenario.yaml")
    assert scenario.status_code == 200 and "uploaded to the dashboard as tickets.csv" in scenario.text
    assert "Calibration of tickets.csv" in client.get(f"/api/calibrations/{cal_id}/files/report.md").text


def test_calibrate__compare_replays_the_history_with_the_cli_kpi_rows(
    client: TestClient, calibration: dict[str, Any]
) -> None:
    from ferrogym.calibrate.trace import load_trace, replay, replay_kwargs
    from ferrogym.cli.evaluate_trace import build_trace_policies
    from ferrogym.web.jsonable import jsonable

    names = ["least-loaded", "round-robin"]
    r = client.post(f"/api/calibrations/{calibration['id']}/compare", json={"policies": names, "seeds": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["policies"] == names and body["trace"]["tickets"] == 249
    assert "recorded tickets" in body["description"]
    # The CLI path on the files the server wrote gives the same rows.
    folder = client.app.state.ctx.calibrations.folder(calibration["id"])  # type: ignore[attr-defined]
    scenario, trace = load_trace(folder / "tickets.parquet", folder / "scenario.yaml")
    policies = build_trace_policies(names, 0, replay_kwargs(scenario, trace))
    assert body["rows"] == jsonable(replay(policies, [0, 1], scenario, trace).rows())


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"policies": ["../../model"]}, "expected some of"),
        ({"policies": []}, "expected some of"),
        ({"seeds": 11}, "max_compare_seeds"),
        ({"seeds": 0}, "greater than or equal to 1"),
    ],
)
def test_calibrate__compare_refuses_policies_outside_the_registry_and_too_many_seeds(
    client: TestClient, calibration: dict[str, Any], body: dict[str, Any], needle: str
) -> None:
    r = client.post(f"/api/calibrations/{calibration['id']}/compare", json=body)
    assert r.status_code in (400, 422) and needle in r.text


def test_calibrate__upload_above_the_cap_is_413_before_reading_it(client: TestClient) -> None:
    r = client.post("/api/calibrations?filename=big.csv&preset=zendesk", content=b"x" * (UPLOAD_CAP + 1))
    assert r.status_code == 413 and "max_upload_bytes" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut off by counting
        for _ in range(UPLOAD_CAP // 1024 + 2):
            yield b"y" * 1024

    r = client.post("/api/calibrations?filename=big.csv&preset=zendesk", content=chunks())
    assert r.status_code == 413 and "max_upload_bytes" in r.json()["detail"]


@pytest.mark.parametrize(
    ("query", "content", "needle"),
    [
        ("filename=t.csv&preset=nosuch", b"Id\n1\n", "--preset 'nosuch'"),
        ("filename=t.csv&preset=zendesk&map=bogus=X", b"Id\n1\n", "unknown ticket-table column 'bogus'"),
        ("filename=t.csv&map=created=Created+at", b"Id\n1\n", "no column is mapped to 'ticket_id'"),
        (
            "filename=t.csv&preset=zendesk",
            b"Id,Created at\n1,2026-11-02 00:00:00\n",
            "no column 'Initially assigned at'",
        ),
        ("filename=t.parquet&preset=zendesk", b"\x00\xffgarbage\x01" * 50, "cannot be read as Parquet"),
        ("filename=t.csv&preset=zendesk", b"", "the upload is empty"),
        ("filename=../t.csv&preset=zendesk", b"Id\n1\n", "filename"),
        ("filename=t.exe&preset=zendesk", b"Id\n1\n", "filename"),
        ("filename=t.csv&preset=zendesk&weeks=99", b"Id\n1\n", "max_calibration_weeks"),
    ],
)
def test_calibrate__hostile_upload_is_a_clear_4xx_and_leaves_nothing_behind(
    client: TestClient, query: str, content: bytes, needle: str
) -> None:
    before = sorted((client.app.state.ctx.settings.calibrations_dir).glob("*"))  # type: ignore[attr-defined]
    r = client.post(f"/api/calibrations?{query}", content=content)
    assert 400 <= r.status_code < 500, r.text
    assert needle in r.text, r.text
    assert str(client.app.state.ctx.settings.calibrations_dir) not in r.text  # type: ignore[attr-defined]
    assert sorted((client.app.state.ctx.settings.calibrations_dir).glob("*")) == before  # type: ignore[attr-defined]
    assert client.get("/api/calibrations/presets").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/calibrations/..%2F..%2Fetc/files/report.md",
        "/api/calibrations/ABCDEF012345",
        "/api/calibrations/0123456789ab",
        "/api/calibrations/{id}/files/..%2Fsummary.json",
        "/api/calibrations/{id}/files/input.csv",
        "/api/calibrations/{id}/files/tickets.parquet",
    ],
)
def test_calibrate__ids_and_file_names_outside_the_served_set_are_refused(
    client: TestClient, calibration: dict[str, Any], path: str
) -> None:
    r = client.get(path.replace("{id}", calibration["id"]))
    assert r.status_code in (404, 422), r.text


def test_calibrate__a_second_run_while_one_runs_is_429(client: TestClient, calibration: dict[str, Any]) -> None:
    store = client.app.state.ctx.calibrations  # type: ignore[attr-defined]
    with store.slot():
        r = client.post(f"/api/calibrations/{calibration['id']}/compare", json={"seeds": 1})
        assert r.status_code == 429 and "already running" in r.text
    assert client.post(f"/api/calibrations/{calibration['id']}/compare", json={"seeds": 1}).status_code == 200


def test_calibrate__event_log_reading_errors_name_the_column(client: TestClient) -> None:
    log = b"case,activity,timestamp\n1,open,2026-11-02 09:00:00\n1,close,2026-11-02 10:00:00\n"
    r = client.post(
        "/api/calibrations?filename=log.csv&event_log=true&case=ticket&resolved_activity=close", content=log
    )
    assert r.status_code == 400 and "'ticket'" in r.text, r.text


# Last: it deletes the module's calibration.
def test_calibrate__cap_on_kept_calibrations_then_delete_frees_a_place(
    client: TestClient, calibration: dict[str, Any]
) -> None:
    store = client.app.state.ctx.calibrations  # type: ignore[attr-defined]
    made = []
    while len(list(store.root.iterdir())) < store.limits.max_calibrations:
        made.append(store.create()[0])
    r = client.post("/api/calibrations?filename=t.csv&preset=zendesk", content=b"Id\n1\n")
    assert r.status_code == 429 and "max_calibrations" in r.text
    for cal_id in made:
        store.remove(cal_id)
    assert client.delete(f"/api/calibrations/{calibration['id']}").status_code == 204
    assert client.get(f"/api/calibrations/{calibration['id']}").status_code == 404
