import { useState } from "react";
import { api } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import type { EnvState, ScenarioInfo } from "../lib/types";
import { Card, ErrorBox } from "../components";
import EnvControls from "./EnvControls";

export default function Scenarios() {
  const scenarios = useApi<ScenarioInfo[]>("/api/scenarios");
  const [policy, setPolicy] = useState("least-loaded");
  const [seed, setSeed] = useState("0");
  const [state, setState] = useState<EnvState | null>(null);
  const { busy, error, run } = useAction();
  const start = (name: string, toEnd: boolean) =>
    run(async () => {
      if (state) await api("DELETE", `/api/envs/${state.session}`).catch(() => undefined);
      setState(await api<EnvState>("POST", `/api/scenarios/${encodeURIComponent(name)}/run`, { policy, seed: Number(seed), to_end: toEnd }));
    });
  return (
    <>
      <Card title="Named scenarios">
        <div className="row">
          <label>
            policy <input value={policy} onChange={(e) => setPolicy(e.target.value)} size={14} data-testid="scenario-policy" />
          </label>
          <label>
            seed <input value={seed} onChange={(e) => setSeed(e.target.value)} size={5} />
          </label>
        </div>
        <table>
          <tbody>
            {(scenarios.data ?? []).map((s) => (
              <tr key={s.name}>
                <td>
                  <b>{s.name}</b>
                </td>
                <td className="muted">{s.description}</td>
                <td>
                  <button disabled={busy} onClick={() => start(s.name, false)} data-testid={`scenario-step-${s.name}`}>
                    Step by step
                  </button>
                  <button disabled={busy} onClick={() => start(s.name, true)} data-testid={`scenario-end-${s.name}`}>
                    Run to the end
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <ErrorBox error={error ?? scenarios.error} />
      </Card>
      {state && (
        <Card title={`${state.env_id} ${JSON.stringify(state.config)}`} testid="scenario-session">
          <EnvControls state={state} onChange={setState} />
        </Card>
      )}
    </>
  );
}
