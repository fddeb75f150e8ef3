import { useState } from "react";
import { api } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import type { EnvState, ScenarioInfo } from "../lib/types";
import { Card, ErrorBox, Transcript } from "../components";
import EnvControls from "./EnvControls";

/** The policy a scenario runs with by default: the env's smartest fair baseline. */
export function defaultPolicy(s: ScenarioInfo): string {
  for (const p of ["rule", "least-loaded"]) if (s.policies.includes(p)) return p;
  return s.policies[0] ?? "random";
}

export default function Scenarios() {
  const scenarios = useApi<ScenarioInfo[]>("/api/scenarios");
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [seed, setSeed] = useState("0");
  const [state, setState] = useState<EnvState | null>(null);
  const [running, setRunning] = useState<{ name: string; policy: string } | null>(null);
  const { busy, error, run } = useAction();
  const policyOf = (s: ScenarioInfo) => chosen[s.name] ?? defaultPolicy(s);
  const start = (s: ScenarioInfo, toEnd: boolean) =>
    run(async () => {
      if (state) await api("DELETE", `/api/envs/${state.session}`).catch(() => undefined);
      setState(null);
      const body = { policy: policyOf(s), seed: Number(seed), to_end: toEnd };
      setState(await api<EnvState>("POST", `/api/scenarios/${encodeURIComponent(s.name)}/run`, body));
      setRunning({ name: s.name, policy: body.policy });
    });
  return (
    <>
      <Card title="Named scenarios">
        <div className="row">
          <label>
            seed <input value={seed} onChange={(e) => setSeed(e.target.value)} size={5} data-testid="scenario-seed" />
          </label>
          <span className="muted">TicketRouting staffing presets and CustomerSupport conversations, run for real</span>
        </div>
        <table>
          <tbody>
            {(scenarios.data ?? []).map((s) => (
              <tr key={s.name} className={s.name === running?.name ? "selected" : ""}>
                <td>
                  <b>{s.name}</b>
                </td>
                <td className="muted">{s.description}</td>
                <td>
                  <select
                    value={policyOf(s)}
                    onChange={(e) => setChosen({ ...chosen, [s.name]: e.target.value })}
                    data-testid={`scenario-policy-${s.name}`}
                  >
                    {s.policies.map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button disabled={busy} onClick={() => start(s, false)} data-testid={`scenario-step-${s.name}`}>
                    Step by step
                  </button>
                  <button disabled={busy} onClick={() => start(s, true)} data-testid={`scenario-end-${s.name}`}>
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
        <Card title={`${running?.name ?? state.env_id} with ${running?.policy ?? "manual"} (seed ${state.seed})`} testid="scenario-session">
          {state.transcript.length > 0 && <Transcript turns={state.transcript} />}
          <EnvControls key={state.session} state={state} onChange={setState} initialPolicy={running?.policy} />
        </Card>
      )}
    </>
  );
}
