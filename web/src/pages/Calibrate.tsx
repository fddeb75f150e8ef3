import { useState } from "react";
import { api, upload, withToken } from "../lib/api";
import { kpiResults, uploadPath } from "../lib/calibrate";
import { useAction, useApi } from "../lib/hooks";
import { bestPolicy, fmtInterval } from "../lib/metrics";
import type { CalibrationSummary, Comparison, PresetInfo, ReportTable } from "../lib/types";
import { Card, ErrorBox } from "../components";

/** The report tables the page shows, in the report's order, with their titles. */
const TABLES: [string, string][] = [
  ["arrivals", "Arrivals per weekday"],
  ["work", "Work per type"],
  ["skills", "Engineers: shift, tickets and skill per type"],
  ["validation", "Validation: resolution times"],
];

export function TableOf({ table, testid }: { table: ReportTable; testid?: string }) {
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          {table.head.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row, i) => (
          <tr key={i}>
            {row.map((cell, j) => (
              <td key={j}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a calibration found: the verdict, what the input did not allow, the key tables and the figures. */
export function CalibrationReport({ cal }: { cal: CalibrationSummary }) {
  const files = `/api/calibrations/${cal.id}/files`;
  const v = cal.validation;
  return (
    <>
      <p data-testid="cal-period">
        {cal.tickets} tickets over {cal.days} days from {cal.first_day}: {cal.arrivals_per_day.toFixed(1)} arrivals per day,{" "}
        {cal.engineers} engineers. Handling time measured as: {cal.handling_source}.
      </p>
      {v ? (
        <p className={v.agrees ? "verdict ok" : "verdict error-text"} data-testid="cal-verdict">
          <b>{v.verdict}</b> <span className="muted">(simulated {v.weeks} weeks under {v.policy}; KS distance {v.ks.toFixed(3)})</span>
        </p>
      ) : (
        <p className="muted" data-testid="cal-verdict">no validation was run</p>
      )}
      <h3>What the input allowed</h3>
      <ul data-testid="cal-notes">
        {cal.notes.not_fitted.length ? cal.notes.not_fitted.map((n) => <li key={n}>{n}</li>) : <li>every part of the scenario was fitted</li>}
      </ul>
      {cal.tables.counted && <TableOf table={cal.tables.counted} testid="cal-table-counted" />}
      {TABLES.filter(([name]) => cal.tables[name]?.rows.length).map(([name, title]) => (
        <div key={name}>
          <h3>{title}</h3>
          <TableOf table={cal.tables[name]} testid={`cal-table-${name}`} />
        </div>
      ))}
      <h3>Figures</h3>
      <div className="figures">
        {cal.figures.map((f) => (
          <img key={f} src={withToken(`${files}/${f}`)} alt={f} data-testid={`cal-figure-${f}`} style={{ maxWidth: "100%" }} />
        ))}
      </div>
      <p>
        <a href={withToken(`${files}/report.html`)} target="_blank" rel="noreferrer">
          full report
        </a>{" "}
        ·{" "}
        <a href={withToken(`${files}/scenario.yaml`)} target="_blank" rel="noreferrer" data-testid="cal-scenario">
          scenario.yaml
        </a>
      </p>
    </>
  );
}

/** The KPI report of a comparison: one row per KPI, one column per policy (mean ± 95% interval half-width). */
export function ComparisonTable({ comparison }: { comparison: Comparison }) {
  const { kpis, results } = kpiResults(comparison.rows);
  return (
    <>
      <p className="muted" data-testid="cal-replay">
        {comparison.description}
      </p>
      <table data-testid="cal-kpi-table">
        <thead>
          <tr>
            <th>KPI</th>
            {results.map((r) => (
              <th key={r.policy}>
                {r.policy}
                {r.policy === comparison.best_heuristic ? " (best heuristic)" : ""}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {kpis.map((k) => {
            const best = bestPolicy(k, results);
            return (
              <tr key={k} className={k === comparison.primary_kpi ? "selected" : ""}>
                <td>{k}</td>
                {results.map((r) => (
                  <td key={r.policy} style={r.policy === best ? { fontWeight: "bold" } : undefined}>
                    {fmtInterval(r.kpis[k])}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

export default function Calibrate() {
  const presets = useApi<PresetInfo[]>("/api/calibrations/presets");
  const earlier = useApi<CalibrationSummary[]>("/api/calibrations");
  const [file, setFile] = useState<File | null>(null);
  const [preset, setPreset] = useState("zendesk");
  const [mapping, setMapping] = useState("");
  const [cal, setCal] = useState<CalibrationSummary | null>(null);
  const [seeds, setSeeds] = useState("2");
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const { busy, error, run } = useAction();
  const calibrate = () =>
    run(async () => {
      if (!file) throw new Error("choose a ticket export (CSV or Parquet) or an event log first");
      setCal(null);
      setComparison(null);
      setCal(await upload<CalibrationSummary>(uploadPath(file.name, preset, mapping), file));
      earlier.reload();
    });
  const open = (c: CalibrationSummary) => {
    setCal(c);
    setComparison(null);
  };
  const compare = () =>
    run(async () => {
      if (!cal) return;
      setComparison(await api<Comparison>("POST", `/api/calibrations/${cal.id}/compare`, { seeds: Number(seeds) }));
    });
  return (
    <>
      <Card title="Upload a ticket export">
        <div className="row">
          <input type="file" accept=".csv,.parquet,.xes" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="cal-file" />
          <label>
            preset{" "}
            <select value={preset} onChange={(e) => setPreset(e.target.value)} data-testid="cal-preset">
              {(presets.data ?? []).map((p) => (
                <option key={p.name} value={p.name} title={p.summary}>
                  {p.name}
                </option>
              ))}
              <option value="">none (column mapping only)</option>
            </select>
          </label>
          <button disabled={busy || !file} onClick={calibrate} data-testid="cal-upload">
            Upload and calibrate
          </button>
        </div>
        <label className="muted">
          column mapping over the preset, one COLUMN=EXPORT_NAME per line (e.g. created=Created At)
          <br />
          <textarea value={mapping} onChange={(e) => setMapping(e.target.value)} rows={2} cols={50} data-testid="cal-map" />
        </label>
        {busy && <p className="muted">working: reading, fitting, validating…</p>}
        <ErrorBox error={error ?? presets.error} />
        {(earlier.data ?? []).length > 0 && (
          <table data-testid="cal-earlier">
            <thead>
              <tr>
                <th>earlier calibrations</th>
                <th>tickets</th>
                <th>from</th>
                <th>days</th>
              </tr>
            </thead>
            <tbody>
              {(earlier.data ?? []).map((c) => (
                <tr key={c.id} className={c.id === cal?.id ? "selected" : ""} onClick={() => open(c)}>
                  <td>{c.source}</td>
                  <td>{c.tickets}</td>
                  <td>{c.first_day}</td>
                  <td>{c.days}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {cal && (
        <Card title={`Calibration of ${cal.source}`} testid="cal-report">
          <CalibrationReport cal={cal} />
        </Card>
      )}
      {cal && (
        <Card title="Compare policies on this history" testid="cal-compare-card">
          <div className="row">
            <label>
              seeds <input value={seeds} onChange={(e) => setSeeds(e.target.value)} size={3} data-testid="cal-seeds" />
            </label>
            <button disabled={busy} onClick={compare} data-testid="cal-compare">
              Compare policies on this history
            </button>
            <span className="muted">every heuristic on the recorded tickets, same seeds for every policy</span>
          </div>
          {comparison && <ComparisonTable comparison={comparison} />}
        </Card>
      )}
    </>
  );
}
