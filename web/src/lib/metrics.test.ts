import { describe, expect, it } from "vitest";
import {
  bestPolicy,
  chartRows,
  componentNames,
  emptyStream,
  fmt,
  fmtInterval,
  kpiPoints,
  levelChanges,
  MAX_POINTS,
  reduceStream,
} from "./metrics";
import type { JobInfo, JobMessage } from "./types";

const job: JobInfo = {
  id: "j1", name: "ppo-j1", env_id: "ferrogym/CartPole-v1", algo: "PPO", status: "running",
  timesteps: 10, total_timesteps: 100, error: null, model: null, created: 0, points: 0, curriculum_levels: null,
};

describe("reduceStream", () => {
  it("replaces the points with the history, then appends live metrics and keeps the dropped count", () => {
    let s = reduceStream(emptyStream, { type: "history", job, history: [{ timesteps: 1, episode_return: 1 }], dropped: 0 });
    s = reduceStream(s, { type: "metric", job, timesteps: 5, episode_return: 3, dropped: 2 } as JobMessage);
    expect(s.points).toEqual([{ timesteps: 1, episode_return: 1 }, { timesteps: 5, episode_return: 3 }]);
    expect(s.dropped).toBe(2);
    expect(s.job?.id).toBe("j1");
  });

  it("keeps at most MAX_POINTS points", () => {
    const history = Array.from({ length: MAX_POINTS + 10 }, (_, i) => ({ timesteps: i }));
    const s = reduceStream(emptyStream, { type: "history", job, history, dropped: 0 });
    expect(s.points).toHaveLength(MAX_POINTS);
    expect(s.points[0].timesteps).toBe(10);
  });

  it("records an error message without losing points", () => {
    let s = reduceStream(emptyStream, { type: "history", job, history: [{ timesteps: 1 }], dropped: 0 });
    s = reduceStream(s, { type: "error", job: { ...job, status: "failed" }, error: "boom", dropped: 0 });
    expect(s.error).toBe("boom");
    expect(s.points).toHaveLength(1);
    expect(s.job?.status).toBe("failed");
  });
});

describe("chartRows", () => {
  it("gives a running mean over the last `window` returns and spreads the components", () => {
    const rows = chartRows(
      [
        { timesteps: 1, episode_return: 1, components: { wait: -1 } },
        { timesteps: 2, episode_return: 3 },
        { timesteps: 3, episode_return: 5 },
      ],
      2,
    );
    expect(rows.map((r) => r.mean_return)).toEqual([1, 2, 4]);
    expect(rows[0].wait).toBe(-1);
  });

  it("keeps KPI evaluations out of the return curve and lists them apart", () => {
    const points = [
      { timesteps: 1, episode_return: 2 },
      { timesteps: 2, kpis: { reward: -3 } },
      { timesteps: 3, episode_return: 4 },
    ];
    expect(chartRows(points).map((r) => r.timesteps)).toEqual([1, 3]);
    expect(kpiPoints(points)).toEqual([{ timesteps: 2, kpis: { reward: -3 } }]);
  });

  it("puts the curriculum level on each episode's row and lists where each level starts", () => {
    const points = [
      { timesteps: 10, episode_return: 1, curriculum_level: 0 },
      { timesteps: 20, kpis: { reward: 0 } },
      { timesteps: 30, episode_return: 2, curriculum_level: 1 },
      { timesteps: 40, episode_return: 2, curriculum_level: 1 },
      { timesteps: 50, episode_return: 0, curriculum_level: 0 },
    ];
    expect(chartRows(points).map((r) => r.curriculum_level)).toEqual([0, 1, 1, 0]);
    expect(levelChanges(points)).toEqual([
      { timesteps: 10, level: 0 },
      { timesteps: 30, level: 1 },
      { timesteps: 50, level: 0 },
    ]);
    expect(chartRows([{ timesteps: 1, episode_return: 1 }])[0].curriculum_level).toBeUndefined();
  });

  it("names every component seen", () => {
    expect(componentNames([{ timesteps: 0, components: { a: 1 } }, { timesteps: 1, components: { b: 2 } }])).toEqual(["a", "b"]);
  });
});

describe("formatting and ranking", () => {
  it("shows a dash for missing or non-finite numbers", () => {
    expect(fmt(null)).toBe("–");
    expect(fmt(Number.NaN)).toBe("–");
    expect(fmt(1.23456)).toBe("1.235");
  });

  it("prints an interval as mean ± half-width", () => {
    expect(fmtInterval({ mean: 2, low: 1, high: 3, n: 5 })).toBe("2.000 ± 1.000");
  });

  it("ranks rewards higher-is-better and resolution times lower-is-better", () => {
    const results = [
      { policy: "a", kpis: { reward: { mean: -5, low: 0, high: 0, n: 1 }, resolution_mean: { mean: 30, low: 0, high: 0, n: 1 } } },
      { policy: "b", kpis: { reward: { mean: -3, low: 0, high: 0, n: 1 }, resolution_mean: { mean: 40, low: 0, high: 0, n: 1 } } },
    ];
    expect(bestPolicy("reward", results)).toBe("b");
    expect(bestPolicy("resolution_mean", results)).toBe("a");
    expect(bestPolicy("length", results)).toBeNull();
  });
});
