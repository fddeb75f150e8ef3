import { useEffect, useRef, useState } from "react";
import { api } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import { fmt } from "../lib/metrics";
import type { RecordingInfo, ReplayFrame } from "../lib/types";
import { Card, ComponentTable, ErrorBox, Frame } from "../components";

export default function Replay() {
  const recordings = useApi<RecordingInfo[]>("/api/recordings", 5000);
  const [name, setName] = useState<string | null>(null);
  const [step, setStep] = useState(0);
  const [frame, setFrame] = useState<ReplayFrame | null>(null);
  const [playing, setPlaying] = useState(false);
  const { error, run } = useAction();
  const rec = recordings.data?.find((r) => r.name === name) ?? null;
  const latest = useRef(0);

  useEffect(() => {
    if (!name) return;
    const ticket = ++latest.current;
    run(async () => {
      const f = await api<ReplayFrame>("GET", `/api/recordings/${name}/frames/${step}`);
      if (ticket === latest.current) setFrame(f);
    });
  }, [name, step, run]);

  useEffect(() => {
    if (!playing || !rec) return;
    const id = setInterval(() => setStep((s) => (s < rec.steps ? s + 1 : s)), 250);
    return () => clearInterval(id);
  }, [playing, rec]);

  return (
    <>
      <Card title="Recordings">
        <table>
          <thead>
            <tr>
              <th>name</th>
              <th>env</th>
              <th>steps</th>
              <th>return</th>
              <th>policy</th>
            </tr>
          </thead>
          <tbody>
            {(recordings.data ?? []).map((r) => (
              <tr
                key={r.name}
                className={r.name === name ? "selected" : ""}
                onClick={() => {
                  setName(r.name);
                  setStep(0);
                  setPlaying(false);
                }}
                data-testid={`recording-${r.name}`}
              >
                <td>{r.name}</td>
                <td>{r.env_id}</td>
                <td>{r.steps}</td>
                <td>{fmt(r.episode_return)}</td>
                <td>{r.policy}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {recordings.data?.length === 0 && <p className="muted">no recordings: save one from an env on the Environments page</p>}
        <ErrorBox error={error ?? recordings.error} />
      </Card>
      {rec && (
        <Card title={`Replay ${rec.name}`} testid="replay">
          <div className="row">
            <button onClick={() => setStep(Math.max(0, step - 1))} data-testid="prev">
              ◀
            </button>
            <button onClick={() => setPlaying(!playing)} data-testid="play">
              {playing ? "Pause" : "Play"}
            </button>
            <button onClick={() => setStep(Math.min(rec.steps, step + 1))} data-testid="next">
              ▶
            </button>
            <input
              type="range"
              min={0}
              max={rec.steps}
              value={step}
              onChange={(e) => setStep(Number(e.target.value))}
              className="scrubber"
              data-testid="scrubber"
            />
            <span data-testid="replay-step">
              step {step} / {rec.steps}
            </span>
          </div>
          {frame && (
            <div className="env">
              <Frame src={frame.frame} alt={`${rec.name} at step ${frame.step}`} />
              <div className="side">
                <dl className="status">
                  <dt>action</dt>
                  <dd>{JSON.stringify(frame.action)}</dd>
                  <dt>reward</dt>
                  <dd>{fmt(frame.reward)}</dd>
                  <dt>return so far</dt>
                  <dd data-testid="replay-return">{fmt(frame.cumulative_return)}</dd>
                </dl>
                <ComponentTable step={frame.reward_components} />
              </div>
            </div>
          )}
        </Card>
      )}
    </>
  );
}
