import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ErrorBar, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import { bestPolicy, fmtInterval } from "../lib/metrics";
import type { Evaluation, ModelInfo } from "../lib/types";
import { Card, ErrorBox } from "../components";
import Predict from "./Predict";

export default function Models() {
  const models = useApi<ModelInfo[]>("/api/models", 5000);
  const [name, setName] = useState<string | null>(null);
  const [episodes, setEpisodes] = useState("5");
  const [result, setResult] = useState<Evaluation | null>(null);
  const [kpi, setKpi] = useState("reward");
  const { busy, error, run } = useAction();
  const chosen = name ?? models.data?.at(-1)?.name ?? null;
  const chosenInfo = models.data?.find((m) => m.name === chosen) ?? null;
  const evaluate = () =>
    run(async () => {
      const r = await api<Evaluation>("POST", `/api/models/${chosen}/evaluate`, { episodes: Number(episodes) });
      setResult(r);
    });
  const kpis = result ? Object.keys(result.results[0]?.kpis ?? {}) : [];
  const bars = (result?.results ?? []).map((r) => {
    const iv = r.kpis[kpi];
    return { policy: r.policy, mean: iv?.mean ?? 0, err: iv && iv.high !== null && iv.mean !== null ? iv.high - iv.mean : 0 };
  });
  return (
    <>
      <Card title="Saved models">
        <table>
          <thead>
            <tr>
              <th>name</th>
              <th>env</th>
              <th>algo</th>
              <th>timesteps</th>
              <th>config</th>
            </tr>
          </thead>
          <tbody>
            {(models.data ?? []).map((m) => (
              <tr key={m.name} className={m.name === chosen ? "selected" : ""} onClick={() => setName(m.name)}>
                <td data-testid={`model-${m.name}`}>{m.name}</td>
                <td>{m.env_id}</td>
                <td>{m.algo}</td>
                <td>{m.timesteps}</td>
                <td>
                  <code>{JSON.stringify(m.config)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {models.data?.length === 0 && <p className="muted">no saved models: a finished or stopped training job saves one</p>}
        <div className="row">
          <label>
            episodes per policy <input value={episodes} onChange={(e) => setEpisodes(e.target.value)} size={3} data-testid="eval-episodes" />
          </label>
          <button disabled={!chosen || busy} onClick={evaluate} data-testid="evaluate">
            {busy ? "Evaluating…" : `Evaluate ${chosen ?? ""} against the heuristics`}
          </button>
        </div>
        <ErrorBox error={error ?? models.error} />
      </Card>
      {chosenInfo && <Predict key={chosenInfo.name} model={chosenInfo} />}
      {result && (
        <Card title={`${result.env_id}: ${result.episodes} episodes per policy, seeds ${result.seed}…`} testid="kpi-table">
          <p className="muted">
            mean ± half-width of the 95% t interval over seeds; same seeds for every policy · KPIs from {result.kpi_source} · best in
            bold
          </p>
          <div className="scroll">
            <table className="compact">
              <thead>
                <tr>
                  <th>KPI</th>
                  {result.results.map((r) => (
                    <th key={r.policy}>
                      {r.policy}
                      <br />
                      <span className="muted">{r.kind}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {kpis.map((k) => {
                  const best = bestPolicy(k, result.results);
                  return (
                    <tr key={k} onClick={() => setKpi(k)} className={k === kpi ? "selected" : ""}>
                      <td>{k}</td>
                      {result.results.map((r) => (
                        <td key={r.policy} className={r.policy === best ? "best" : ""}>
                          {fmtInterval(r.kpis[k])}
                        </td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <h3>{kpi} (click a row to chart another KPI)</h3>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={bars}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="policy" />
              <YAxis />
              <Tooltip />
              <Bar dataKey="mean" fill="#2e86ab" isAnimationActive={false}>
                <ErrorBar dataKey="err" width={6} stroke="#333" />
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </Card>
      )}
    </>
  );
}
