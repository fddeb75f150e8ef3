import { useState } from "react";
import { api } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import type { EnvInfo, EnvState } from "../lib/types";
import { Card, ErrorBox } from "../components";
import EnvControls from "./EnvControls";

export function parseConfig(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  const value: unknown = JSON.parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("config must be a JSON object");
  return value as Record<string, unknown>;
}

export default function Environments() {
  const registry = useApi<EnvInfo[]>("/api/envs/registry");
  const [envId, setEnvId] = useState("ferrogym/TicketRouting-v0");
  const [config, setConfig] = useState('{"scenario": "specialists"}');
  const [seed, setSeed] = useState("0");
  const [state, setState] = useState<EnvState | null>(null);
  const { busy, error, run } = useAction();
  const create = () =>
    run(async () => {
      if (state) await api("DELETE", `/api/envs/${state.session}`).catch(() => undefined);
      setState(
        await api<EnvState>("POST", "/api/envs", {
          env_id: envId,
          config: parseConfig(config),
          seed: seed === "" ? null : Number(seed),
        }),
      );
    });
  const info = registry.data?.find((e) => e.id === envId);
  return (
    <>
      <Card title="Create">
        <div className="row">
          <label>
            env{" "}
            <select value={envId} onChange={(e) => setEnvId(e.target.value)} data-testid="env-id">
              {(registry.data ?? [{ id: envId } as EnvInfo]).map((e) => (
                <option key={e.id}>{e.id}</option>
              ))}
            </select>
          </label>
          <label>
            seed <input value={seed} onChange={(e) => setSeed(e.target.value)} size={6} data-testid="seed" />
          </label>
          <button onClick={create} disabled={busy} data-testid="create-env">
            Create
          </button>
        </div>
        <label className="block">
          config (JSON keyword arguments)
          <textarea value={config} onChange={(e) => setConfig(e.target.value)} rows={2} data-testid="config" />
        </label>
        {info && (
          <p className="muted">
            {info.backend} · obs {info.observation_space} · actions {info.action_space}
            {info.masked ? " · masked" : ""}
            {info.scenarios.length ? ` · scenarios ${info.scenarios.join(", ")}` : ""}
          </p>
        )}
        <ErrorBox error={error ?? registry.error} />
      </Card>
      {state && (
        <Card title={`Session ${state.session}`} testid="session">
          <EnvControls state={state} onChange={setState} />
        </Card>
      )}
    </>
  );
}
