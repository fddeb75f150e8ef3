// Turning the job WebSocket's messages into chart series.
import type { Interval, JobInfo, JobMessage, MetricPoint } from "./types";

export interface ChartRow {
  timesteps: number;
  episode_return: number | null;
  mean_return: number | null;
  /** The curriculum level when the episode ended (jobs with a curriculum). */
  curriculum_level?: number | null;
  [component: string]: number | null | undefined;
}

export interface JobStream {
  job: JobInfo | null;
  points: MetricPoint[];
  dropped: number;
  error: string | null;
}

export const emptyStream: JobStream = { job: null, points: [], dropped: 0, error: null };

/** Points kept in the browser for one job (the server keeps its own history). */
export const MAX_POINTS = 2000;

export function reduceStream(state: JobStream, msg: JobMessage): JobStream {
  const job = "job" in msg && msg.job ? msg.job : state.job;
  const dropped = msg.dropped ?? state.dropped;
  switch (msg.type) {
    case "history":
      return { job, points: msg.history.slice(-MAX_POINTS), dropped, error: state.error };
    case "metric": {
      const { type: _t, job: _j, dropped: _d, ...point } = msg;
      return { job, points: [...state.points, point].slice(-MAX_POINTS), dropped, error: state.error };
    }
    case "error":
    case "refused":
      return { ...state, job, dropped, error: msg.error ?? "error" };
    default:
      return { ...state, job, dropped };
  }
}

/** Rows for the training chart: each episode's return, the mean of the last
 * `window` returns, and each reward component. */
export function chartRows(points: MetricPoint[], window = 20): ChartRow[] {
  const rows: ChartRow[] = [];
  const recent: number[] = [];
  let sum = 0;
  for (const p of points) {
    if (p.episode_return === undefined || p.episode_return === null) continue; // KPI points have no return
    const r = p.episode_return;
    recent.push(r);
    sum += r;
    if (recent.length > window) sum -= recent.shift()!;
    const row: ChartRow = { timesteps: p.timesteps, episode_return: r, mean_return: sum / recent.length };
    if (p.curriculum_level !== undefined && p.curriculum_level !== null) row.curriculum_level = p.curriculum_level;
    for (const [k, v] of Object.entries(p.components ?? {})) row[k] = v;
    rows.push(row);
  }
  return rows;
}

export function componentNames(points: MetricPoint[]): string[] {
  const names = new Set<string>();
  for (const p of points) for (const k of Object.keys(p.components ?? {})) names.add(k);
  return [...names];
}

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(2);
  return x.toFixed(a >= 100 ? 1 : digits);
}

export function fmtInterval(iv: Interval | undefined): string {
  if (!iv || iv.mean === null) return "–";
  const half = iv.high !== null && iv.low !== null ? (iv.high - iv.low) / 2 : null;
  return half === null || half === 0 ? fmt(iv.mean) : `${fmt(iv.mean)} ± ${fmt(half)}`;
}

/** KPIs that describe an episode without being better or worse. */
const NEUTRAL = new Set(["length"]);
const LOWER_IS_BETTER = /resolution|pickup|backlog|over_soft|length/;

/** The policy with the best mean for a KPI (rewards and rates higher, times lower). */
export function bestPolicy(kpi: string, results: { policy: string; kpis: Record<string, Interval> }[]): string | null {
  if (NEUTRAL.has(kpi)) return null;
  const lower = LOWER_IS_BETTER.test(kpi) && !kpi.startsWith("reward");
  let best: string | null = null;
  let bestValue = 0;
  for (const r of results) {
    const v = r.kpis[kpi]?.mean;
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (best === null || (lower ? v < bestValue : v > bestValue)) {
      best = r.policy;
      bestValue = v;
    }
  }
  return best;
}

/** The periodic KPI evaluations of a job (points that carry `kpis`). */
export function kpiPoints(points: MetricPoint[]): { timesteps: number; kpis: Record<string, number | null> }[] {
  return points.flatMap((p) => (p.kpis && Object.keys(p.kpis).length ? [{ timesteps: p.timesteps, kpis: p.kpis }] : []));
}

/** The level changes of a curriculum job: where each level started (for a label under the chart). */
export function levelChanges(points: MetricPoint[]): { timesteps: number; level: number }[] {
  const out: { timesteps: number; level: number }[] = [];
  for (const p of points) {
    const level = p.curriculum_level;
    if (level === undefined || level === null) continue;
    if (!out.length || out[out.length - 1].level !== level) out.push({ timesteps: p.timesteps, level });
  }
  return out;
}
