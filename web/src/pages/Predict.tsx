import { useState } from "react";
import { api } from "../lib/api";
import { useAction, useApi } from "../lib/hooks";
import type { EnvInfo, EnvState, ModelInfo, Prediction } from "../lib/types";
import { Card, EnvStatus, ErrorBox, Frame, PredictionTable } from "../components";
import { parseConfig } from "./Environments";

const NEW_ENV = "";

/** Predict in the Models page: the model's action for the current observation
 * of a live env session, or of a new env (by default the model's env and config;
 * another env must have the same observation shape, or the server says so). */
export default function Predict({ model }: { model: ModelInfo }) {
  const sessions = useApi<EnvState[]>("/api/envs", 5000);
  const registry = useApi<EnvInfo[]>("/api/envs/registry");
  const [envId, setEnvId] = useState(model.env_id);
  const [config, setConfig] = useState(JSON.stringify(model.config));
  const [source, setSource] = useState(NEW_ENV);
  const [seed, setSeed] = useState("0");
  const [env, setEnv] = useState<EnvState | null>(null);
  const [own, setOwn] = useState<string | null>(null);
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const { busy, error, run } = useAction();
  const ask = async (s: EnvState) => {
    setEnv(s);
    setPrediction(await api<Prediction>("POST", `/api/models/${model.name}/predict`, { session: s.session }));
  };
  const predict = () =>
    run(async () => {
      const live = sessions.data?.find((x) => x.session === source);
      if (live) {
        await ask(await api<EnvState>("GET", `/api/envs/${live.session}`));
        return;
      }
      // A fresh env of the model's own env and config (replacing the one made here before).
      if (own) await api("DELETE", `/api/envs/${own}`).catch(() => undefined);
      const s = await api<EnvState>("POST", "/api/envs", { env_id: envId, config: parseConfig(config), seed: Number(seed) });
      setOwn(s.session);
      sessions.reload();
      await ask(s);
    });
  const stepChosen = () =>
    run(async () => {
      if (!env || !prediction) return;
      await ask(await api<EnvState>("POST", `/api/envs/${env.session}/step`, { action: prediction.action }));
    });
  const done = env ? env.terminated || env.truncated : false;
  return (
    <Card title={`Predict with ${model.name}`} testid="predict">
      <div className="row">
        <label>
          observation from{" "}
          <select value={source} onChange={(e) => setSource(e.target.value)} data-testid="predict-source">
            <option value={NEW_ENV}>a new env</option>
            {(sessions.data ?? []).map((s) => (
              <option key={s.session} value={s.session}>
                live session {s.session}: {s.env_id} at step {s.step}
              </option>
            ))}
          </select>
        </label>
        {source === NEW_ENV && (
          <>
            <label>
              env{" "}
              <select value={envId} onChange={(e) => setEnvId(e.target.value)} data-testid="predict-env">
                {(registry.data ?? [{ id: model.env_id } as EnvInfo]).map((e) => (
                  <option key={e.id}>{e.id}</option>
                ))}
              </select>
            </label>
            <label>
              config <input value={config} onChange={(e) => setConfig(e.target.value)} size={28} data-testid="predict-config" />
            </label>
            <label>
              seed <input value={seed} onChange={(e) => setSeed(e.target.value)} size={5} data-testid="predict-seed" />
            </label>
          </>
        )}
        <button disabled={busy} onClick={predict} data-testid="predict-run">
          Predict
        </button>
        <button disabled={busy || !prediction || done} onClick={stepChosen} data-testid="predict-step">
          Step the env with the chosen action
        </button>
      </div>
      <ErrorBox error={error ?? sessions.error} />
      {env && prediction && (
        <div className="env">
          <Frame src={env.frame} alt={`${env.env_id} at step ${env.step}`} />
          <div className="side">
            <EnvStatus state={env} />
            <PredictionTable prediction={prediction} />
          </div>
        </div>
      )}
    </Card>
  );
}
