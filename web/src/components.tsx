import type { ReactNode } from "react";
import { fmt } from "./lib/metrics";
import type { EnvState, Prediction, TranscriptTurn } from "./lib/types";

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

/** "name +0.12" for the non-zero reward components of one turn. */
export function componentSummary(components: Record<string, number>): string {
  const parts = Object.entries(components)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k} ${v > 0 ? "+" : ""}${fmt(v)}`);
  return parts.join(", ") || "–";
}

/** Turn-by-turn transcript of a conversation: strategy, what the agent saw, reward, ending. */
export function Transcript({ turns }: { turns: TranscriptTurn[] }) {
  const observed = Object.keys(turns[0]?.observed ?? {});
  const last = turns.at(-1);
  return (
    <div data-testid="transcript">
      <table className="compact">
        <thead>
          <tr>
            <th>turn</th>
            <th>strategy</th>
            {observed.map((k) => (
              <th key={k}>observed {k}</th>
            ))}
            <th>reward</th>
            <th>components</th>
          </tr>
        </thead>
        <tbody>
          {turns.map((t) => (
            <tr key={t.turn}>
              <td>{t.turn}</td>
              <td>{t.label}</td>
              {observed.map((k) => (
                <td key={k}>{fmt(t.observed[k], 2)}</td>
              ))}
              <td>{fmt(t.reward)}</td>
              <td className="muted">{componentSummary(t.reward_components)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-testid="transcript-ending">
        {last?.ending ? (
          <>
            ended: <b className={`ending-${last.ending.replace(" ", "-")}`}>{last.ending}</b> after {last.turn} turns
          </>
        ) : (
          <span className="muted">conversation running</span>
        )}
      </p>
    </div>
  );
}

/** A model's prediction: every action with its probability (or Q-value), the chosen one marked. */
export function PredictionTable({ prediction }: { prediction: Prediction }) {
  const p = prediction;
  const scores = p.probabilities ?? p.q_values;
  const what = p.probabilities ? "probability" : "Q-value";
  const chosen = typeof p.action === "number" ? p.action : null;
  if (!scores) {
    return (
      <p data-testid="prediction">
        action <b>{JSON.stringify(p.action)}</b> (continuous: no per-action scores)
      </p>
    );
  }
  const lo = Math.min(0, ...scores);
  const hi = Math.max(...scores, lo + 1e-9);
  return (
    <div data-testid="prediction">
      <p>
        chosen action: <b data-testid="predicted-action">{chosen !== null ? (p.action_labels?.[chosen] ?? chosen) : "–"}</b>
        {p.masked_choice && <span className="error-text"> (masked by the env: the model was trained without masking)</span>}
      </p>
      <table className="compact">
        <thead>
          <tr>
            <th>action</th>
            <th>{what}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {scores.map((v, i) => {
            const masked = p.action_mask ? !p.action_mask[i] : false;
            return (
              <tr key={i} className={i === chosen ? "selected" : masked ? "muted" : ""}>
                <td>
                  {i}
                  {p.action_labels ? ` ${p.action_labels[i]}` : ""}
                  {masked ? " (masked)" : ""}
                </td>
                <td>{fmt(v)}</td>
                <td className="barcell">
                  <div className="bar" style={{ width: `${(100 * (v - lo)) / (hi - lo)}%` }} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
