import { useEffect, useRef, useState } from "react";
import { api } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import { fmt } from "../lib/metrics";
import type { RecordedEpisode, RecordingInfo, ReplayFrame } from "../lib/types";
import { Card, ComponentTable, ErrorBox, Frame } from "../components";

/** What a recording row says about its kind: one dashboard episode, or a ferrogym.record file. */
export function recordingKind(r: RecordingInfo): string {
  return r.kind === "record" ? `ferrogym.record file, ${r.episodes} episode${r.episodes === 1 ? "" : "s"}` : "dashboard episode";
}

export default function Replay() {
  const recordings = useApi<RecordingInfo[]>("/api/recordings", 5000);
  const [name, setName] = useState<string | null>(null);
  const [episode, setEpisode] = useState(0);
  const [step, setStep] = useState(0);
  const [frame, setFrame] = useState<ReplayFrame | null>(null);
  const [playing, setPlaying] = useState(false);
  const { error, run } = useAction();
  const rec = recordings.data?.find((r) => r.name === name) ?? null;
  const episodes = useApi<RecordedEpisode[]>(name ? `/api/recordings/${encodeURIComponent(name)}/episodes` : null);
  const ep = episodes.data?.find((e) => e.episode === episode) ?? null;
  const steps = ep?.steps ?? (rec?.kind === "dashboard" ? rec.steps : 0);
  const latest = useRef(0);

  useEffect(() => {
    if (!name) return;
    if (rec?.kind === "record" && !ep) return; // wait for the episode list
    const ticket = ++latest.current;
    run(async () => {
      const f = await api<ReplayFrame>("GET", `/api/recordings/${encodeURIComponent(name)}/frames/${step}?episode=${episode}`);
      if (ticket === latest.current) setFrame(f);
    });
  }, [name, episode, step, run, rec?.kind, ep]);

  useEffect(() => {
    if (!playing || !steps) return;
    const id = setInterval(() => setStep((s) => (s < steps ? s + 1 : s)), 250);
    return () => clearInterval(id);
  }, [playing, steps]);

  const open = (r: RecordingInfo) => {
    setName(r.name);
    setEpisode(0);
    setStep(0);
    setFrame(null);
    setPlaying(false);
  };

  return (
    <>
      <Card title="Recordings">
        <table>
          <thead>
            <tr>
              <th>name</th>
              <th>env</th>
              <th>kind</th>
              <th>steps</th>
              <th>return</th>
              <th>policy</th>
            </tr>
          </thead>
          <tbody>
            {(recordings.data ?? []).map((r) => (
              <tr key={r.name} className={r.name === name ? "selected" : ""} onClick={() => open(r)} data-testid={`recording-${r.name}`}>
                <td>{r.name}</td>
                <td>{r.env_id}</td>
                <td className="muted">{recordingKind(r)}</td>
                <td>{r.steps}</td>
                <td>
                  {fmt(r.episode_return)}
                  {r.kind === "record" ? " (mean)" : ""}
                </td>
                <td>{r.policy ?? "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {recordings.data?.length === 0 && (
          <p className="muted">
            no recordings: save one from an env on the Environments page, or put ferrogym.record Parquet files in the recordings folder
            (ferrogym serve --recordings DIR)
          </p>
        )}
        <ErrorBox error={error ?? recordings.error ?? episodes.error} />
      </Card>
      {rec && (
        <Card title={`Replay ${rec.name}`} testid="replay">
          {rec.kind === "record" && (
            <div className="row">
              <label>
                episode{" "}
                <select
                  value={episode}
                  onChange={(e) => {
                    setEpisode(Number(e.target.value));
                    setStep(0);
                    setPlaying(false);
                  }}
                  data-testid="replay-episode"
                >
                  {(episodes.data ?? []).map((e) => (
                    <option key={e.episode} value={e.episode}>
                      {e.episode}: {e.steps} steps, return {fmt(e.episode_return)}
                      {e.seed !== null ? `, seed ${e.seed}` : ""}
                      {e.env_index ? `, sub-env ${e.env_index}` : ""}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          )}
          <div className="row">
            <button onClick={() => setStep(Math.max(0, step - 1))} data-testid="prev">
              ◀
            </button>
            <button onClick={() => setPlaying(!playing)} data-testid="play">
              {playing ? "Pause" : "Play"}
            </button>
            <button onClick={() => setStep(Math.min(steps, step + 1))} data-testid="next">
              ▶
            </button>
            <input
              type="range"
              min={0}
              max={steps}
              value={step}
              onChange={(e) => setStep(Number(e.target.value))}
              className="scrubber"
              data-testid="scrubber"
            />
            <span data-testid="replay-step">
              step {step} / {steps}
            </span>
          </div>
          {frame && (
            <div className="env">
              {frame.frame ? (
                <Frame src={frame.frame} alt={`${rec.name} at step ${frame.step}`} />
              ) : (
                <p className="muted" data-testid="replay-note">
                  {frame.note ?? "no frame"}
                </p>
              )}
              <div className="side">
                <dl className="status">
                  <dt>action</dt>
                  <dd data-testid="replay-action">
                    {JSON.stringify(frame.action)}
                    {frame.action_label ? ` (${frame.action_label})` : ""}
                  </dd>
                  <dt>reward</dt>
                  <dd>{fmt(frame.reward)}</dd>
                  <dt>return so far</dt>
                  <dd data-testid="replay-return">{fmt(frame.cumulative_return)}</dd>
                  <dt>episode</dt>
                  <dd>{frame.terminated ? "terminated" : frame.truncated ? "truncated" : frame.step === steps ? "cut (recording ends)" : "running"}</dd>
                  <dt>frame</dt>
                  <dd className="muted" data-testid="replay-source">
                    {frame.frame_source ?? "none"}
                  </dd>
                </dl>
                <ComponentTable step={frame.reward_components} />
                {Object.keys(frame.info).length > 0 && (
                  <details>
                    <summary>info</summary>
                    <pre>{JSON.stringify(frame.info, null, 1)}</pre>
                  </details>
                )}
              </div>
            </div>
          )}
        </Card>
      )}
    </>
  );
}
