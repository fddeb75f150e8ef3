import { useApi } from "../lib/hooks";
import type { EnvState, JobInfo, Overview } from "../lib/types";
import { Card, ErrorBox } from "../components";

export default function Dashboard() {
  const overview = useApi<Overview>("/api/overview", 2000);
  const jobs = useApi<JobInfo[]>("/api/jobs", 2000);
  const envs = useApi<EnvState[]>("/api/envs", 2000);
  const o = overview.data;
  return (
    <>
      <ErrorBox error={overview.error ?? jobs.error ?? envs.error} />
      <div className="tiles" data-testid="tiles">
        <div className="tile">
          <b>{o?.jobs_running ?? "–"}</b> training jobs running
        </div>
        <div className="tile">
          <b>{o?.envs ?? "–"}</b> envs open
        </div>
        <div className="tile">
          <b>{o?.ws_clients ?? "–"}</b> live clients
        </div>
        <div className="tile">
          ferrogym <b>{o?.version ?? ""}</b> {o?.auth ? "· token auth on" : "· loopback only"}
        </div>
      </div>
      <Card title="Training jobs">
        <table>
          <thead>
            <tr>
              <th>name</th>
              <th>env</th>
              <th>algo</th>
              <th>status</th>
              <th>progress</th>
            </tr>
          </thead>
          <tbody>
            {(jobs.data ?? []).map((j) => (
              <tr key={j.id}>
                <td>{j.name}</td>
                <td>{j.env_id}</td>
                <td>{j.algo}</td>
                <td className={`status-${j.status}`}>{j.status}</td>
                <td>
                  <progress value={j.timesteps} max={j.total_timesteps} /> {j.timesteps}/{j.total_timesteps}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {jobs.data?.length === 0 && <p className="muted">no jobs yet: start one on the Training page</p>}
      </Card>
      <Card title="Open environments">
        <table>
          <thead>
            <tr>
              <th>session</th>
              <th>env</th>
              <th>step</th>
              <th>return</th>
            </tr>
          </thead>
          <tbody>
            {(envs.data ?? []).map((e) => (
              <tr key={e.session}>
                <td>{e.session}</td>
                <td>{e.env_id}</td>
                <td>{e.step}</td>
                <td>{e.episode_return.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {o && (
        <Card title="Limits">
          <p className="muted">
            {Object.entries(o.limits)
              .map(([k, v]) => `${k} ${v}`)
              .join(" · ")}
          </p>
        </Card>
      )}
    </>
  );
}
