import { fireEvent, render, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setToken, upload } from "./lib/api";
import { kpiResults, uploadPath } from "./lib/calibrate";
import type { CalibrationSummary, Comparison, KpiRow } from "./lib/types";
import Calibrate, { CalibrationReport, ComparisonTable } from "./pages/Calibrate";

afterEach(() => {
  setToken(null);
  vi.unstubAllGlobals();
});

const row = (policy: string, kpi: string, mean: number, half: number): KpiRow => ({
  policy,
  kpi,
  mean,
  ci_low: mean - half,
  ci_high: mean + half,
  n: 2,
});

const summary = (agrees: boolean): CalibrationSummary => ({
  id: "0123456789ab",
  source: "tickets.csv",
  tickets: 249,
  days: 14,
  first_day: "2026-11-02",
  arrivals_per_day: 17.8,
  handling_source: "first assignment to resolution",
  engineers: 5,
  notes: { counts: {}, not_fitted: ["no customer tier column: the tier mix is the TicketRouting default, not fitted"] },
  tables: {
    counted: { head: ["counted", "tickets"], rows: [["nothing", "0"]] },
    arrivals: { head: ["weekday", "days seen", "arrivals per day"], rows: [["Mon", "2", "20.0 [15.1, 25.9]"]] },
    work: { head: ["type", "tickets"], rows: [["incident", "120"]] },
    skills: { head: ["engineer", "shift"], rows: [] },
    validation: { head: ["resolution time (minutes)", "observed", "simulated"], rows: [["p50", "91", "160"]] },
  },
  validation: { policy: "least-loaded", weeks: 1, ks: 0.218, ks_pvalue: 0.0004, agrees, verdict: agrees ? "reproduces" : "does NOT reproduce" },
  figures: ["arrivals.png", "volume.png"],
});

describe("upload", () => {
  it("puts the file name, the preset and each mapping line in the query", () => {
    expect(uploadPath("my export.csv", "zendesk", "created=Created At\n\n type=Form \n")).toBe(
      "/api/calibrations?filename=my+export.csv&preset=zendesk&map=created%3DCreated+At&map=type%3DForm",
    );
    expect(uploadPath("t.parquet", "", "")).toBe("/api/calibrations?filename=t.parquet");
  });

  it("sends the file's bytes as the body with the token", async () => {
    setToken("s3cret");
    const fetchMock = vi.fn().mockResolvedValue(new Response(JSON.stringify({ id: "x" }), { status: 201 }));
    vi.stubGlobal("fetch", fetchMock);
    const file = new Blob(["Id\n1\n"]);
    await upload("/api/calibrations?filename=t.csv", file);
    const [, init] = fetchMock.mock.calls[0];
    expect(init.body).toBe(file);
    expect(init.headers["Content-Type"]).toBe("application/octet-stream");
    expect(init.headers.Authorization).toBe("Bearer s3cret");
  });
});

describe("calibration report", () => {
  it("shows the verdict, what could not be fitted, the non-empty tables and the figures", () => {
    const { container } = render(<CalibrationReport cal={summary(false)} />);
    const screen = within(container);
    expect(screen.getByTestId("cal-verdict").className).toContain("error-text");
    expect(screen.getByTestId("cal-verdict").textContent).toContain("does NOT reproduce");
    expect(screen.getByTestId("cal-notes").textContent).toContain("no customer tier column");
    expect(screen.getByTestId("cal-table-arrivals").textContent).toContain("20.0 [15.1, 25.9]");
    expect(screen.queryByTestId("cal-table-skills")).toBeNull();
    expect(screen.getByTestId("cal-figure-arrivals.png").getAttribute("src")).toBe("/api/calibrations/0123456789ab/files/arrivals.png");
  });

  it("marks an agreeing validation and puts the token in figure URLs", () => {
    setToken("t k");
    const { container } = render(<CalibrationReport cal={summary(true)} />);
    const screen = within(container);
    expect(screen.getByTestId("cal-verdict").className).toContain("ok");
    expect(screen.getByTestId("cal-figure-volume.png").getAttribute("src")).toBe("/api/calibrations/0123456789ab/files/volume.png?token=t%20k");
  });
});

describe("comparison", () => {
  const rows = [
    row("random", "resolution_mean", 557, 20),
    row("random", "sla_all", 0.8, 0.01),
    row("least-loaded", "resolution_mean", 400, 10),
    row("least-loaded", "sla_all", 0.9, 0.02),
  ];

  it("turns the KPI report rows into one interval per policy and KPI", () => {
    const { kpis, results } = kpiResults(rows);
    expect(kpis).toEqual(["resolution_mean", "sla_all"]);
    expect(results.map((r) => r.policy)).toEqual(["random", "least-loaded"]);
    expect(results[1].kpis.resolution_mean).toEqual({ mean: 400, low: 390, high: 410, n: 2 });
  });

  it("shows a column per policy and the best per KPI in bold", () => {
    const comparison: Comparison = {
      id: "0123456789ab",
      description: "Arrivals are the 249 recorded tickets",
      trace: {},
      seeds: [0, 1],
      policies: ["random", "least-loaded"],
      primary_kpi: "resolution_mean",
      best_heuristic: "least-loaded",
      rows,
    };
    const { container } = render(<ComparisonTable comparison={comparison} />);
    const table = within(container).getByTestId("cal-kpi-table");
    const heads = [...table.querySelectorAll("th")].map((t) => t.textContent);
    expect(heads).toEqual(["KPI", "random", "least-loaded (best heuristic)"]);
    const cells = table.querySelectorAll("tbody tr")[0].querySelectorAll("td");
    expect(cells[1].textContent).toBe("557.0 ± 20.000");
    expect((cells[2] as HTMLElement).style.fontWeight).toBe("bold");
    expect((table.querySelectorAll("tbody tr")[1].querySelectorAll("td")[2] as HTMLElement).style.fontWeight).toBe("bold");
  });
});

describe("page", () => {
  it("lists the server's presets and earlier calibrations, and opens one", async () => {
    const presets = [{ name: "zendesk", summary: "Zendesk", columns: {} }, { name: "jira-sm", summary: "Jira", columns: {} }];
    const answers: Record<string, unknown> = { "/api/calibrations/presets": presets, "/api/calibrations": [summary(true)] };
    vi.stubGlobal("fetch", vi.fn((path: string) => Promise.resolve(new Response(JSON.stringify(answers[path]), { status: 200 }))));
    const { container } = render(<Calibrate />);
    const screen = within(container);
    await waitFor(() => expect(screen.getByTestId("cal-earlier").textContent).toContain("tickets.csv"));
    const options = [...screen.getByTestId("cal-preset").querySelectorAll("option")].map((o) => o.getAttribute("value"));
    expect(options).toEqual(["zendesk", "jira-sm", ""]);
    expect((screen.getByTestId("cal-upload") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByText("tickets.csv"));
    expect(screen.getByTestId("cal-verdict").textContent).toContain("reproduces");
    expect(screen.getByTestId("cal-compare")).toBeTruthy();
  });
});
