import { useState } from "react";
import { api } from "../lib/api";
import { useAction } from "../lib/hooks";
import type { EnvState } from "../lib/types";
import { ComponentTable, EnvStatus, ErrorBox, Frame } from "../components";

/** Frame, state and controls of one live env session (Environments and Scenarios pages). */
export default function EnvControls({
  state,
  onChange,
  initialPolicy,
}: {
  state: EnvState;
  onChange: (s: EnvState) => void;
  initialPolicy?: string;
}) {
  const { busy, error, run } = useAction();
  const [policy, setPolicy] = useState(initialPolicy ?? state.policies[0] ?? "random");
  const [action, setAction] = useState("0");
  const [recName, setRecName] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const done = state.terminated || state.truncated;
  const post = (path: string, body: unknown) =>
    run(async () => onChange(await api<EnvState>("POST", `/api/envs/${state.session}${path}`, body)));
  const mask = state.action_mask;
  return (
    <div className="env">
      <div>
        <Frame src={state.frame} alt={`${state.env_id} at step ${state.step}`} />
      </div>
      <div className="side">
        <EnvStatus state={state} />
        <div className="row">
          <label>
            policy{" "}
            <select value={policy} onChange={(e) => setPolicy(e.target.value)} data-testid="policy">
              {state.policies.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <button disabled={busy || done} onClick={() => post("/step", { policy })} data-testid="step-policy">
            Step
          </button>
          <button disabled={busy || done} onClick={() => post("/run", { policy, max_steps: 5000 })} data-testid="run-end">
            Run to end
          </button>
          <button disabled={busy} onClick={() => post("/reset", { seed: state.seed })} data-testid="reset">
            Reset
          </button>
        </div>
        <div className="row">
          <label>
            action{" "}
            <input value={action} onChange={(e) => setAction(e.target.value)} size={6} data-testid="action" />
          </label>
          <button
            disabled={busy || done}
            onClick={() => post("/step", { action: action.includes(",") ? action.split(",").map(Number) : Number(action) })}
            data-testid="step-action"
          >
            Step with action
          </button>
        </div>
        {mask && (
          <p className="muted" data-testid="mask">
            valid actions: {mask.flatMap((ok, i) => (ok ? [i] : [])).join(", ") || "none"}
          </p>
        )}
        <ErrorBox error={error} />
        <ComponentTable step={state.reward_components} episode={state.episode_components} />
        <div className="row">
          <input
            placeholder="recording name"
            value={recName}
            onChange={(e) => setRecName(e.target.value)}
            data-testid="rec-name"
          />
          <button
            disabled={busy || !recName || state.step === 0}
            onClick={() =>
              run(async () => {
                await api("POST", "/api/recordings", { session: state.session, name: recName });
                setSaved(recName);
              })
            }
            data-testid="save-recording"
          >
            Save recording
          </button>
          {saved && <span data-testid="saved">saved {saved}</span>}
        </div>
        <details>
          <summary>info</summary>
          <pre>{JSON.stringify(state.info, null, 1)}</pre>
        </details>
      </div>
    </div>
  );
}
