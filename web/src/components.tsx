import type { ReactNode } from "react";
import { fmt } from "./lib/metrics";
import type { EnvState } from "./lib/types";

export function ErrorBox({ error }: { error: string | null }) {
  return error ? (
    <div className="error" role="alert" data-testid="error">
      {error}
    </div>
  ) : null;
}

export function Card({ title, children, testid }: { title: string; children: ReactNode; testid?: string }) {
  return (
    <section className="card" data-testid={testid}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function ComponentTable({ step, episode }: { step: Record<string, number>; episode?: Record<string, number> }) {
  const names = Object.keys(episode ?? step);
  if (!names.length) return <p className="muted">no reward components</p>;
  return (
    <table className="compact" data-testid="components">
      <thead>
        <tr>
          <th>component</th>
          <th>last step</th>
          {episode && <th>episode</th>}
        </tr>
      </thead>
      <tbody>
        {names.map((n) => (
          <tr key={n}>
            <td>{n}</td>
            <td>{fmt(step[n])}</td>
            {episode && <td>{fmt(episode[n])}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EnvStatus({ state }: { state: EnvState }) {
  const ended = state.terminated ? "terminated" : state.truncated ? "truncated" : "running";
  return (
    <dl className="status" data-testid="env-status">
      <dt>env</dt>
      <dd>{state.env_id}</dd>
      <dt>step</dt>
      <dd data-testid="env-step">{state.step}</dd>
      <dt>reward</dt>
      <dd>{fmt(state.reward)}</dd>
      <dt>return</dt>
      <dd data-testid="env-return">{fmt(state.episode_return)}</dd>
      <dt>episode</dt>
      <dd>{ended}</dd>
    </dl>
  );
}

export function Frame({ src, alt }: { src: string | null; alt: string }) {
  return src ? <img className="frame" src={src} alt={alt} data-testid="frame" /> : <p className="muted">no frame</p>;
}
