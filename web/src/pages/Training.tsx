import { useEffect, useReducer, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api, wsUrl } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import { chartRows, componentNames, emptyStream, fmt, kpiPoints, levelChanges, reduceStream } from "../lib/metrics";
import type { JobInfo, JobMessage } from "../lib/types";
import { Card, ErrorBox } from "../components";
import { parseConfig } from "./Environments";

const COLORS = ["#e4572e", "#17bebb", "#ffc914", "#76b041", "#8e6c8a", "#2e86ab"];

/** A CustomerSupport curriculum (examples/customer_support_curriculum.py's levels) with a quick promotion rule. */
export const SUPPORT_CURRICULUM = {
  levels: [
    { name: "calm", knobs: { upset_share: 0.0, patience: 1.5, sentiment_noise: 0.05, inquiries: ["transactional", "sales"] } },
    { name: "some_upset", knobs: { upset_share: 0.3, patience: 1.0, sentiment_noise: 0.15 } },
    { name: "full", knobs: { upset_share: 0.7, patience: 0.7, sentiment_noise: 0.3 } },
  ],
  promote_at: 0.6,
  demote_below: 0.1,
  window: 40,
  min_episodes: 20,
};

/** The curriculum field of a job request: empty text means none. */
export function parseCurriculum(text: string): Record<string, unknown> | null {
  if (!text.trim()) return null;
  const value: unknown = JSON.parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("curriculum must be a JSON object");
  return value as Record<string, unknown>;
}

/** Live metrics of one job over its WebSocket (history first, then live points). */
function useJobStream(jobId: string | null) {
  const [stream, dispatch] = useReducer(
    (s: typeof emptyStream, m: JobMessage | null) => (m ? reduceStream(s, m) : emptyStream),
    emptyStream,
  );
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    dispatch(null);
    if (!jobId) return;
    const ws = new WebSocket(wsUrl(`/api/jobs/${jobId}/ws`));
    ws.onopen = () => setConnected(true);
    ws.onclose = () => setConnected(false);
    ws.onmessage = (e) => dispatch(JSON.parse(e.data) as JobMessage);
    return () => ws.close();
  }, [jobId]);
  return { stream, connected };
}

export default function Training() {
  const jobs = useApi<JobInfo[]>("/api/jobs", 2000);
  const [selected, setSelected] = useState<string | null>(null);
  const [form, setForm] = useState({
    env_id: "ferrogym/TicketRouting-v0",
    algo: "maskable-ppo",
    total_timesteps: "20000",
    n_envs: "4",
    n_steps: "128",
    config: '{"scenario": "specialists"}',
    curriculum: "",
  });
  const { busy, error, run } = useAction();
  const jobId = selected ?? jobs.data?.at(-1)?.id ?? null;
  const { stream, connected } = useJobStream(jobId);
  const rows = chartRows(stream.points);
  const components = componentNames(stream.points);
  const evals = kpiPoints(stream.points);
  const lastEval = evals.at(-1);
  const changes = levelChanges(stream.points);
  const lastRate = [...stream.points].reverse().find((p) => p.curriculum_success != null)?.curriculum_success;
  const job = stream.job ?? jobs.data?.find((j) => j.id === jobId) ?? null;
  const levels = job?.curriculum_levels ?? null;
  const streamStatus = stream.job?.status;
  const reloadJobs = jobs.reload;
  useEffect(() => {
    if (streamStatus) reloadJobs(); // the table follows the live status at once
  }, [streamStatus, reloadJobs]);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const start = () =>
    run(async () => {
      const j = await api<JobInfo>("POST", "/api/jobs", {
        env_id: form.env_id,
        algo: form.algo,
        total_timesteps: Number(form.total_timesteps),
        n_envs: Number(form.n_envs),
        n_steps: Number(form.n_steps),
        config: parseConfig(form.config),
        curriculum: parseCurriculum(form.curriculum),
      });
      setSelected(j.id);
      jobs.reload();
    });

  return (
    <>
      <Card title="Start a job">
        <div className="row">
          <label>
            env <input value={form.env_id} onChange={set("env_id")} size={26} data-testid="job-env" />
          </label>
          <label>
            algorithm{" "}
            <select value={form.algo} onChange={set("algo")} data-testid="job-algo">
              {["batch-ppo", "maskable-ppo", "ppo", "a2c", "dqn"].map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <label>
            timesteps <input value={form.total_timesteps} onChange={set("total_timesteps")} size={8} data-testid="job-steps" />
          </label>
          <label>
            envs <input value={form.n_envs} onChange={set("n_envs")} size={3} />
          </label>
          <label>
            n_steps <input value={form.n_steps} onChange={set("n_steps")} size={5} data-testid="job-nsteps" />
          </label>
          <button onClick={start} disabled={busy} data-testid="start-job">
            Start
          </button>
        </div>
        <label className="block">
          env config (JSON)
          <textarea value={form.config} onChange={set("config")} rows={1} data-testid="job-config" />
        </label>
        <label className="block">
          curriculum (JSON, optional: levels of config knobs, promoted on the success rate)
          <textarea value={form.curriculum} onChange={set("curriculum")} rows={2} data-testid="job-curriculum" />
        </label>
        <button
          onClick={() =>
            setForm({
              ...form,
              env_id: "ferrogym/CustomerSupport-v0",
              algo: "maskable-ppo",
              config: "{}",
              curriculum: JSON.stringify(SUPPORT_CURRICULUM),
            })
          }
          data-testid="support-curriculum"
        >
          CustomerSupport with a curriculum
        </button>
        <ErrorBox error={error} />
      </Card>
      <Card title="Jobs">
        <table>
          <tbody>
            {(jobs.data ?? []).map((j) => (
              <tr key={j.id} className={j.id === jobId ? "selected" : ""} onClick={() => setSelected(j.id)}>
                <td>{j.name}</td>
                <td>{j.algo}</td>
                <td className={`status-${j.status}`} data-testid={`job-status-${j.name}`}>
                  {j.status}
                </td>
                <td>
                  <progress value={j.timesteps} max={j.total_timesteps} />
                </td>
                <td>
                  {["starting", "running"].includes(j.status) && (
                    <button onClick={() => run(() => api("POST", `/api/jobs/${j.id}/stop`).then(jobs.reload))}>Stop</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {job && (
        <Card title={`${job.name}: episode return`} testid="job-chart">
          <p className="muted" data-testid="job-live">
            {job.status} · {job.timesteps} / {job.total_timesteps} steps · <span data-testid="episodes">{stream.points.length}</span>{" "}
            episodes · {connected ? "live" : "not connected"} · dropped {stream.dropped}
            {job.model ? ` · saved model ${job.model}` : ""}
          </p>
          <ErrorBox error={stream.error ?? job.error} />
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={rows}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="timesteps" type="number" domain={["dataMin", "dataMax"]} />
              <YAxis yAxisId="return" />
              {levels && (
                <YAxis
                  yAxisId="level"
                  orientation="right"
                  domain={[0, levels.length - 1]}
                  ticks={levels.map((_, i) => i)}
                  tickFormatter={(i: number) => levels[i] ?? String(i)}
                  width={90}
                />
              )}
              <Tooltip />
              <Legend />
              <Line yAxisId="return" dataKey="episode_return" stroke="#bbb" dot={false} isAnimationActive={false} name="episode return" />
              <Line
                yAxisId="return"
                dataKey="mean_return"
                stroke="#2e86ab"
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
                name="mean of 20"
              />
              {levels && (
                <Line
                  yAxisId="level"
                  type="stepAfter"
                  dataKey="curriculum_level"
                  stroke="#e4572e"
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                  name="curriculum level (right axis)"
                />
              )}
            </LineChart>
          </ResponsiveContainer>
          {levels && (
            <p className="muted" data-testid="curriculum-levels">
              curriculum:{" "}
              {changes.length
                ? changes.map((c) => `${levels[c.level] ?? c.level} from step ${c.timesteps}`).join(" → ")
                : "no episode yet"}
              {lastRate != null && ` · success rate at the current level ${fmt(lastRate)}`}
            </p>
          )}
          {components.length > 0 && (
            <>
              <h3>reward components per episode</h3>
              <ResponsiveContainer width="100%" height={200}>
                <LineChart data={rows}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="timesteps" type="number" domain={["dataMin", "dataMax"]} />
                  <YAxis />
                  <Tooltip />
                  <Legend />
                  {components.map((c, i) => (
                    <Line key={c} dataKey={c} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </>
          )}
          {lastEval && (
            <>
              <h3>
                KPIs of the current policy (one greedy episode on a fixed seed, every{" "}
                {Math.round(job.total_timesteps / 10)} steps)
              </h3>
              <ResponsiveContainer width="100%" height={160}>
                <LineChart data={evals.map((e) => ({ timesteps: e.timesteps, reward: e.kpis.reward }))}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="timesteps" type="number" domain={["dataMin", "dataMax"]} />
                  <YAxis />
                  <Tooltip />
                  <Line dataKey="reward" stroke="#76b041" isAnimationActive={false} name="evaluation return" />
                </LineChart>
              </ResponsiveContainer>
              <table className="compact" data-testid="job-kpis">
                <tbody>
                  {Object.entries(lastEval.kpis).map(([k, v]) => (
                    <tr key={k}>
                      <td>{k}</td>
                      <td>{fmt(v)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Card>
      )}
    </>
  );
}
