"""Request and response bodies. Every request is validated by these models;
the OpenAPI schema at /api/openapi.json is generated from them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """A request body: no unknown field, no coercion (``"0"``, ``true`` or ``1.5`` are not
    integers, as Gymnasium's spaces judge), no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


# -- environments --------------------------------------------------------------


class EnvInfo(BaseModel):
    """A registered env: its backend, spaces, step limit, whether it is batched or masked, its scenarios."""

    id: str
    backend: str
    batched: bool
    observation_space: str
    action_space: str
    max_episode_steps: int | None
    masked: bool
    scenarios: list[str]


class CreateEnv(Strict):
    """Opens an env session."""

    env_id: str = Field(examples=["ferrogym/TicketRouting-v0"])
    config: dict[str, Any] = Field(default_factory=dict, description="Env keyword arguments (validated by the env).")
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)


class ResetEnv(Strict):
    """Resets a session, with a seed or without."""

    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)


class StepEnv(Strict):
    """Either an explicit ``action`` or a ``policy`` name that picks one."""

    action: int | float | list[float] | list[int] | None = None
    policy: str | None = None


class RunEnv(Strict):
    """Runs a policy in a session until the episode ends or ``max_steps`` steps."""

    policy: str = "random"
    max_steps: int = Field(default=500, ge=1)


class TranscriptTurn(BaseModel):
    """One turn of a conversational env (CustomerSupport)."""

    turn: int
    action: int | None
    label: str = Field(description="The action's name (the support strategy).")
    observed: dict[str, float] = Field(description="What the agent sees after the turn (noisy estimates).")
    reward: float
    reward_components: dict[str, float]
    ending: str | None = Field(description="How the conversation ended, on its last turn.")


class EnvState(BaseModel):
    """A session's state after its last step: observation, reward, flags, info and the rendered frame."""

    session: str
    env_id: str
    config: dict[str, Any]
    seed: int | None
    step: int
    episode_return: float
    terminated: bool
    truncated: bool
    reward: float | None
    reward_components: dict[str, float]
    episode_components: dict[str, float]
    info: dict[str, Any]
    observation: list[Any]
    action_mask: list[bool] | None
    frame: str | None = Field(description="The rendered frame as a PNG data URL.")
    policies: list[str]
    transcript: list[TranscriptTurn] = Field(default_factory=list, description="Turns so far (conversational envs).")


# -- training ------------------------------------------------------------------

#: The training service's algorithm names (ferrogym.training.algorithms.ALGORITHMS).
Algo = Literal["batch-ppo", "maskable-ppo", "ppo", "a2c", "dqn", "rollout-pi"]


class CurriculumLevel(Strict):
    """One level of a training curriculum: a name and the config fields it sets."""

    name: str = Field(pattern=r"^[A-Za-z0-9_. -]{1,40}$")
    knobs: dict[str, Any] = Field(default_factory=dict, description="Config fields this level sets (set_config).")


class CurriculumSpec(Strict):
    """A :class:`ferrogym.curriculum.Curriculum` for the job (envs with ``set_config``: CustomerSupport)."""

    levels: list[CurriculumLevel] = Field(min_length=1, max_length=16)
    promote_at: float = 0.7
    demote_below: float = 0.2
    window: int = Field(default=200, ge=1, le=100_000)
    min_episodes: int = Field(default=100, ge=1, le=100_000)
    replay_share: float = 0.2
    success: tuple[str, str] = Field(
        default=("outcome", "resolved"),
        strict=False,  # a JSON array; its items are still strict strings
        description="Info group and flag that mark a successful episode.",
    )


class StartJob(Strict):
    """A training job: env, algorithm, env config, budget and seed, and an optional curriculum."""

    env_id: str = "ferrogym/TicketRouting-v0"
    algo: Algo = "ppo"
    config: dict[str, Any] = Field(default_factory=dict)
    total_timesteps: int = Field(default=20_000, ge=64)
    n_envs: int = Field(default=4, ge=1, le=64)
    n_steps: int = Field(default=128, ge=8, le=8192, description="Rollout length per env (PPO, A2C, batch PPO).")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    curriculum: CurriculumSpec | None = None


class MetricPoint(BaseModel):
    """One point of a job's WebSocket stream (``type: metric``)."""

    timesteps: int
    episode_return: float | None = None
    episode_length: int | None = None
    components: dict[str, float] = Field(default_factory=dict)
    kpis: dict[str, float] = Field(default_factory=dict)
    fps: float | None = None
    curriculum_level: int | None = Field(default=None, description="The curriculum's level when the episode ended.")
    curriculum_success: float | None = Field(default=None, description="Rolling success rate at that level.")


class JobInfo(BaseModel):
    """A training job's status and progress."""

    id: str
    name: str
    env_id: str
    algo: str
    status: Literal["starting", "running", "stopping", "finished", "stopped", "failed"]
    timesteps: int
    total_timesteps: int
    error: str | None
    model: str | None
    created: float
    points: int
    curriculum_levels: list[str] | None = Field(default=None, description="Level names, when the job has a curriculum.")


# -- models --------------------------------------------------------------------


class ModelInfo(BaseModel):
    """A saved model: its env, algorithm, training budget and config."""

    name: str
    env_id: str
    algo: str
    timesteps: int
    config: dict[str, Any]
    created: float


class Evaluate(Strict):
    """Evaluates a model beside heuristics over ``episodes`` seeded episodes."""

    episodes: int = Field(default=5, ge=2)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    heuristics: list[str] | None = Field(default=None, description="Default: every heuristic for the env.")
    config: dict[str, Any] | None = Field(default=None, description="Env config; default: the model's.")


class Interval(BaseModel):
    """A KPI's mean over seeds with its 95% interval: ``None`` where undefined
    (no seed had a value, e.g. no critical ticket resolved; no interval from
    a single value)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


class PolicyResult(BaseModel):
    """One policy's KPIs, each a confidence interval."""

    policy: str
    kind: Literal["model", "heuristic"]
    kpis: dict[str, Interval]


class Evaluation(BaseModel):
    """A model's and heuristics' KPIs on the same episodes."""

    env_id: str
    episodes: int
    seed: int
    kpi_source: str
    results: list[PolicyResult]


class Predict(Strict):
    """Either an ``observation`` (with an optional ``action_mask``) or a live env ``session`` to read them from."""

    observation: list[float] | None = None
    action_mask: list[bool] | None = None
    session: str | None = Field(default=None, description="An env session: predict for its current observation.")


class Prediction(BaseModel):
    """A model's action for one observation, with what the model thought of every action."""

    action: int | list[float]
    masked_choice: bool = Field(description="The model chose an action the mask forbids (trained without masking).")
    probabilities: list[float] | None = Field(default=None, description="Per action (policy-gradient models).")
    q_values: list[float] | None = Field(default=None, description="Per action (DQN).")
    action_labels: list[str] | None = Field(default=None, description="Names of the actions, where the env has them.")
    observation: list[float]
    action_mask: list[bool] | None


# -- scenarios and recordings -------------------------------------------------------


class ScenarioInfo(BaseModel):
    """A ready-made scenario and the policies that can run it."""

    name: str
    env_id: str
    kind: str
    description: str
    config: dict[str, Any]
    policies: list[str] = Field(description="Policies that can run it (the env's baselines).")


class RunScenario(Strict):
    """Runs a scenario with a policy; ``to_end`` plays the whole episode."""

    policy: str = "random"
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    to_end: bool = False


class SaveRecording(Strict):
    """Saves a session's episode under ``name``."""

    session: str
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")


class RecordingInfo(BaseModel):
    """A recording in the list: a dashboard episode or a ferrogym.record file."""

    name: str
    env_id: str
    kind: Literal["dashboard", "record"] = Field(
        default="dashboard", description="The dashboard's own JSON episode, or a ferrogym.record file (Parquet/HDF5)."
    )
    episodes: int = 1
    steps: int = Field(description="Transitions (of every episode, for a file).")
    episode_return: float | None = Field(description="The return (the mean over episodes, for a file).")
    seed: int | None
    policy: str | None
    error: str | None = Field(default=None, description="Why the file cannot be opened; it is listed all the same.")


class RecordedEpisode(BaseModel):
    """One episode of a record file."""

    episode: int
    env_index: int
    steps: int
    episode_return: float
    seed: int | None


class ReplayFrame(BaseModel):
    """One step of a replay: the action, its reward and components, the frame and the logged info."""

    name: str
    episode: int | None = None
    step: int
    steps: int
    action: Any
    action_label: str | None = Field(default=None, description="The action's name, where the env has them.")
    reward: float | None
    cumulative_return: float
    reward_components: dict[str, float]
    frame: str | None
    frame_source: str | None = Field(
        default=None, description="'recorded state' or 're-simulated' (from the seed or an earlier state)."
    )
    terminated: bool = False
    truncated: bool = False
    info: dict[str, Any] = Field(default_factory=dict, description="The logged info (ferrogym.record files).")
    note: str | None = Field(default=None, description="Why there is no frame, when there is none.")


class Overview(BaseModel):
    """The server's version, activity and limits, and whether it asks for a token."""

    version: str
    envs: int
    jobs_running: int
    ws_clients: int
    limits: dict[str, int]
    auth: bool


# -- calibration ---------------------------------------------------------------


class PresetInfo(BaseModel):
    """A help-desk export layout the upload can be read with: ticket-table column -> export column."""

    name: str
    summary: str
    columns: dict[str, str]


class Compare(Strict):
    """Compares routing policies on a calibration's replayed history, ``seeds`` seeds from ``seed``."""

    policies: list[str] | None = Field(
        default=None, max_length=16, description="Registry names; default: every heuristic."
    )
    seeds: int = Field(default=2, ge=1)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
