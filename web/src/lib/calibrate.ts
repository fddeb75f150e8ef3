// What the Calibrate page computes: the upload's query (the CLI's reading
// options) and the KPI report rows turned into one column per policy.
import type { Interval, KpiRow } from "./types";

/** The upload URL: the file's name, a preset or none, and COLUMN=EXPORT_NAME lines as `map` items. */
export function uploadPath(filename: string, preset: string, mapping: string): string {
  const q = new URLSearchParams({ filename });
  if (preset) q.set("preset", preset);
  for (const line of mapping.split("\n")) {
    const item = line.trim();
    if (item) q.append("map", item);
  }
  return `/api/calibrations?${q.toString()}`;
}

/** The KPI report rows as the Models page's results: one entry per policy, each KPI an interval. */
export function kpiResults(rows: KpiRow[]): { kpis: string[]; results: { policy: string; kpis: Record<string, Interval> }[] } {
  const kpis: string[] = [];
  const byPolicy = new Map<string, Record<string, Interval>>();
  for (const r of rows) {
    if (!kpis.includes(r.kpi)) kpis.push(r.kpi);
    const entry = byPolicy.get(r.policy) ?? {};
    entry[r.kpi] = { mean: r.mean, low: r.ci_low, high: r.ci_high, n: r.n };
    byPolicy.set(r.policy, entry);
  }
  return { kpis, results: [...byPolicy].map(([policy, k]) => ({ policy, kpis: k })) };
}
