// Shapes of the server's JSON (python/ferrogym/web/schemas.py).

export interface EnvInfo {
  id: string;
  backend: string;
  batched: boolean;
  observation_space: string;
  action_space: string;
  max_episode_steps: number | null;
  masked: boolean;
  scenarios: string[];
}

export interface EnvState {
  session: string;
  env_id: string;
  config: Record<string, unknown>;
  seed: number | null;
  step: number;
  episode_return: number;
  terminated: boolean;
  truncated: boolean;
  reward: number | null;
  reward_components: Record<string, number>;
  episode_components: Record<string, number>;
  info: Record<string, unknown>;
  observation: unknown[];
  action_mask: boolean[] | null;
  frame: string | null;
  policies: string[];
  transcript: TranscriptTurn[];
}

export interface TranscriptTurn {
  turn: number;
  action: number | null;
  label: string;
  observed: Record<string, number>;
  reward: number;
  reward_components: Record<string, number>;
  ending: string | null;
}

export interface MetricPoint {
  timesteps: number;
  episode_return?: number | null;
  episode_length?: number | null;
  components?: Record<string, number>;
  kpis?: Record<string, number | null>;
  fps?: number | null;
  curriculum_level?: number | null;
  curriculum_success?: number | null;
}

export interface JobInfo {
  id: string;
  name: string;
  env_id: string;
  algo: string;
  status: string;
  timesteps: number;
  total_timesteps: number;
  error: string | null;
  model: string | null;
  created: number;
  points: number;
  curriculum_levels: string[] | null;
}

export interface ModelInfo {
  name: string;
  env_id: string;
  algo: string;
  timesteps: number;
  config: Record<string, unknown>;
  created: number;
}

export interface Interval {
  mean: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

export interface Evaluation {
  env_id: string;
  episodes: number;
  seed: number;
  kpi_source: string;
  results: { policy: string; kind: string; kpis: Record<string, Interval> }[];
}

export interface Prediction {
  action: number | number[];
  masked_choice: boolean;
  probabilities: number[] | null;
  q_values: number[] | null;
  action_labels: string[] | null;
  observation: number[];
  action_mask: boolean[] | null;
}

export interface ScenarioInfo {
  name: string;
  env_id: string;
  kind: string;
  description: string;
  config: Record<string, unknown>;
  policies: string[];
}

export interface RecordingInfo {
  name: string;
  env_id: string;
  kind: "dashboard" | "record";
  episodes: number;
  steps: number;
  episode_return: number | null;
  seed: number | null;
  policy: string | null;
}

export interface RecordedEpisode {
  episode: number;
  env_index: number;
  steps: number;
  episode_return: number;
  seed: number | null;
}

export interface ReplayFrame {
  name: string;
  episode: number | null;
  step: number;
  steps: number;
  action: unknown;
  action_label: string | null;
  reward: number | null;
  cumulative_return: number;
  reward_components: Record<string, number>;
  frame: string | null;
  frame_source: string | null;
  terminated: boolean;
  truncated: boolean;
  info: Record<string, unknown>;
  note: string | null;
}

export interface Overview {
  version: string;
  envs: number;
  jobs_running: number;
  ws_clients: number;
  limits: Record<string, number>;
  auth: boolean;
}

export type JobMessage =
  | { type: "history"; job: JobInfo; history: MetricPoint[]; dropped: number }
  | ({ type: "metric"; job: JobInfo; dropped: number } & MetricPoint)
  | { type: "progress"; job: JobInfo; timesteps: number; dropped: number }
  | { type: "status" | "done" | "error" | "refused"; job?: JobInfo; error?: string; dropped: number };

export interface PresetInfo {
  name: string;
  summary: string;
  columns: Record<string, string>;
}

/** A table of the calibration report, as the report page prints it. */
export interface ReportTable {
  head: string[];
  rows: string[][];
}

export interface CalibrationSummary {
  id: string;
  source: string;
  tickets: number;
  days: number;
  first_day: string;
  arrivals_per_day: number;
  handling_source: string;
  engineers: number;
  notes: { counts: Record<string, number>; not_fitted: string[] };
  tables: Record<string, ReportTable>;
  validation: { policy: string; weeks: number; ks: number; ks_pvalue: number; agrees: boolean; verdict: string } | null;
  figures: string[];
}

/** One row of the KPI report (`ferrogym evaluate --trace --csv`). */
export interface KpiRow {
  policy: string;
  kpi: string;
  mean: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number;
}

export interface Comparison {
  id: string;
  description: string;
  trace: Record<string, unknown>;
  seeds: number[];
  policies: string[];
  primary_kpi: string;
  best_heuristic: string | null;
  rows: KpiRow[];
}
