"""``ferrogym train TicketRouting-v0 --algo batch-ppo``: argument parsing over
the training service (:mod:`ferrogym.training`), which trains on the
Rust-batched env and saves the model; then an evaluation against the
heuristics on held-out seeds (needs the ``sb3`` extra). ``--library rllib``
trains PPO with RLlib instead (:mod:`ferrogym.cli.train_rllib`, the ``rllib``
extra), with the same evaluation; ``--config FILE.yaml`` overrides
hyper-parameters of either (:mod:`ferrogym.training.hyperparams`)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ferrogym.cli.evaluate import parse_settings, print_report, run_evaluation
from ferrogym.cli.report_files import write_outputs
from ferrogym.errors import ConfigError, FerrogymError, MissingExtra
from ferrogym.evaluation import DEFAULT_ENV, HELD_OUT_SEED, DispatchPolicy, env_id
from ferrogym.policies import POLICIES, make_policy
from ferrogym.training import hyperparams
from ferrogym.training.algorithms import ALGORITHMS, ARCHS, algorithm
from ferrogym.training.model_files import META_FILE, MODEL_FILE
from ferrogym.training.policy import ModelPolicy
from ferrogym.training.service import Reporter, TrainRequest, prepare, train, valid_keys
from ferrogym.training.tracking import TRACKERS, MlflowTracker


class ProgressBar(Reporter):
    """The run on a rich progress bar."""

    def __init__(self, progress: Progress, task: Any) -> None:
        self.bar, self.task = progress, task

    def started(self, model: Any, total: int) -> None:
        """Sets the bar's total to the model's timesteps so far plus ``total``."""
        self.bar.update(self.task, total=int(model.num_timesteps) + total, completed=int(model.num_timesteps))

    def progress(self, timesteps: int) -> bool:
        """Moves the bar to ``timesteps``; never asks to stop."""
        self.bar.update(self.task, completed=timesteps)
        return True


def run(
    env: Annotated[str, typer.Argument(help="Env id.")] = DEFAULT_ENV,
    algo: Annotated[str, typer.Option(help=f"One of {', '.join(ALGORITHMS)}.")] = "maskable-ppo",
    scenario: Annotated[str, typer.Option(help="Scenario preset.")] = "balanced",
    timesteps: Annotated[int, typer.Option(min=1, help="Training decisions (env steps over all sub-envs).")] = 200_000,
    out: Annotated[Path, typer.Option(help="Directory for model.zip, meta.json and the evaluation.")] = Path(
        "runs/ticket"
    ),
    n_envs: Annotated[
        int | None, typer.Option(min=1, help="Rust-batched sub-envs (default 512 for batch-ppo, else 16).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Training seed (sub-env i is seeded seed + i).")] = 0,
    eval_seeds: Annotated[int, typer.Option(min=0, help="Held-out evaluation episodes (0: skip).")] = 30,
    eval_seed_start: Annotated[int, typer.Option(help="First evaluation seed.")] = HELD_OUT_SEED,
    learning_rate: Annotated[float | None, typer.Option(help="Override the learning rate.")] = None,
    policy_arch: Annotated[
        str, typer.Option(help=f"Policy network: {' or '.join(ARCHS)} (scorer: one shared net per engineer row).")
    ] = "mlp",
    warm_start: Annotated[
        str | None, typer.Option(help="Imitate this heuristic (e.g. sed) before training (MaskablePPO).")
    ] = None,
    warm_start_episodes: Annotated[int, typer.Option(min=1, help="Episodes of the heuristic to imitate.")] = 256,
    hyper_json: Annotated[
        str | None, typer.Option("--hyper", help="Override hyper-parameters, as JSON (e.g. '{\"n_steps\": 512}').")
    ] = None,
    max_minutes: Annotated[
        float, typer.Option(min=0.0, help="Stop training after this wall-clock time (shared machines).")
    ] = math.inf,
    library: Annotated[str, typer.Option(help="sb3 (one process) or rllib (Ray env runners).")] = "sb3",
    num_workers: Annotated[
        int | None, typer.Option(min=1, help="RLlib env runners, each stepping --n-envs sub-envs (default 2).")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="RLlib: a running Ray cluster ('auto', 'ray://host:10001'); default a local one.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="YAML file of hyper-parameters (flat, or sections sb3:/rllib:), or a scenario file "
            "(`ferrogym calibrate`'s scenario.yaml, told apart by its ferrogym_scenario key) to train on."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="rollout-pi: labelling processes (default: the cores, at most 4).")
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(help="rollout-pi: label on Ray ('local' starts one; 'auto' or HOST:PORT joins a cluster)."),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            help="Continue training the SB3 model saved in this directory (its algo, scenario, architecture and "
            "hyper-parameters) for --timesteps more steps; --out may be the same directory."
        ),
    ] = None,
    track: Annotated[
        str | None,
        typer.Option(help="Also track the run in MLflow (mlflow: a local store in OUT/mlruns); TensorBoard always."),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="A config field over the scenario's for training and the evaluation, KEY=VALUE (repeatable; VALUE "
            "as JSON or a string), e.g. reward weights: --set 'sla_penalty=[0,0,0,0]' --set burnout_weight=0.",
        ),
    ] = None,
) -> None:
    """Train an agent on the Rust-batched env (SB3 or RLlib), save it and compare it with the heuristics."""
    console = Console()
    previous: dict[str, Any] = {}
    if resume is not None:
        fixed = (
            warm_start is not None
            or policy_arch != "mlp"
            or hyper_json
            or config
            or learning_rate is not None
            or settings
        )
        previous = _resumable(resume, library, bool(fixed))
        algo, policy_arch = previous["algo"], previous["policy_arch"]
        n_envs = int(previous["n_envs"])
    if library not in hyperparams.LIBRARIES:
        raise typer.BadParameter(f"unknown library {library!r}; expected one of {list(hyperparams.LIBRARIES)}")
    if algo not in ALGORITHMS:
        raise typer.BadParameter(f"unknown algorithm {algo!r}; expected one of {', '.join(ALGORITHMS)}")
    if policy_arch not in ARCHS:
        raise typer.BadParameter(f"unknown policy architecture {policy_arch!r}; expected one of {list(ARCHS)}")
    base_kwargs: dict[str, Any] = {"scenario": scenario}
    from ferrogym.calibrate.scenario import is_scenario_file, load_scenario

    if config is not None and is_scenario_file(config):
        try:
            base_kwargs = dict(load_scenario(config).config)
        except ConfigError as e:
            raise typer.BadParameter(str(e)) from None
        config = None  # a scenario, not hyper-parameters
    env_kwargs: dict[str, Any] = previous.get("env_kwargs") or {**base_kwargs, **parse_settings(settings or [])}
    try:
        hyper = _hyperparameters(library, algo, config, learning_rate, num_workers, address)
    except (FerrogymError, ImportError) as e:
        console.print(f"[bold red]error:[/] {e}")
        raise typer.Exit(2) from None
    if library == "rllib":
        try:
            _layout(env, env_kwargs)  # a bad --set fails here, before any training
        except (ValueError, TypeError) as e:
            raise typer.BadParameter(str(e)) from None
        if hyper_json is not None or policy_arch != "mlp" or warm_start:
            console.print("[bold red]error:[/] --hyper, --policy-arch and --warm-start are SB3 options")
            raise typer.Exit(2)
        trained = _run_rllib(
            env, env_kwargs, timesteps, n_envs or 16, num_workers or 2, seed, address, hyper, max_minutes, out, console
        )
        _evaluate(console, trained, env, env_kwargs, out, eval_seeds, eval_seed_start)
        return
    # --hyper is inline JSON on top of --config (it may also give learning_rate_end).
    hyper.update(_parse_hyper(hyper_json))
    if not algorithm(algo).masked:
        env_kwargs.setdefault("invalid_action", "fallback")  # masked choices are re-routed, with a penalty
    request = TrainRequest(
        env_id=env_id(env),
        algo=algo,
        env_kwargs=env_kwargs,
        timesteps=timesteps,
        n_envs=n_envs,
        seed=seed,
        arch=policy_arch,
        hyper=hyper,
        warm_start=warm_start,
        warm_episodes=warm_start_episodes,
        max_minutes=max_minutes,
        resume=resume,
        workers=workers,
        ray=ray,
    )
    try:
        prepare(request)  # every usage error before any training
    except (ValueError, TypeError) as e:
        raise typer.BadParameter(str(e)) from None
    except ImportError as e:
        console.print(f"[bold red]error:[/] {e}")
        raise typer.Exit(2) from None
    if track is not None and track not in TRACKERS:
        raise typer.BadParameter(f"--track {track!r}: expected one of {', '.join(TRACKERS)}")
    last_train_seed = seed + request.envs - 1 + (warm_start_episodes if warm_start else 0)
    if eval_seed_start <= last_train_seed and seed <= eval_seed_start + eval_seeds - 1 and eval_seeds:
        console.print("[yellow]warning:[/] evaluation seeds overlap the training seeds; the evaluation is not held out")
    columns = (TextColumn(f"training {algo}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    tracker: MlflowTracker | None = None
    try:
        with Progress(*columns, console=console) as progress:
            reporter: Reporter = ProgressBar(progress, progress.add_task("train", total=timesteps))
            if track == "mlflow":
                tracker = MlflowTracker(reporter, out, request)
                reporter = tracker
            result = train(request, out, reporter)
    except KeyboardInterrupt:
        if tracker is not None:
            tracker.finish(None, status="KILLED")
        console.print(f"[yellow]interrupted: saved the last model to {out / MODEL_FILE}[/]")
        raise typer.Exit(130) from None
    except MissingExtra as e:
        console.print(f"[bold red]error:[/] {e}")
        raise typer.Exit(2) from None
    done, seconds = int(result.meta["timesteps"]), result.meta["train_seconds"]
    if result.stopped == "deadline":
        console.print(f"[yellow]stopped at {done} of {timesteps} steps after {max_minutes:g} min[/]")
    if result.meta.get("warm_start"):
        console.print(f"warm start: imitated {warm_start} on {warm_start_episodes} episodes")
    console.print(f"saved {out / MODEL_FILE} ({done} steps in {seconds:.0f} s)")
    console.print(f"TensorBoard: tensorboard --logdir {out}")
    _evaluate(console, ModelPolicy(result.model, algo, name=algo), env, env_kwargs, out, eval_seeds, eval_seed_start)
    if tracker is not None:
        tracker.finish(result, [out / "eval.json", out / "eval.csv"])
        console.print(f"MLflow: mlflow ui --backend-store-uri {tracker.store}")


def _resumable(resume: Path, library: str, fixed_options: bool) -> dict[str, Any]:
    """The meta.json of the run ``--resume`` continues, after checking that
    no option asks for something the saved model already fixes."""
    if library != "sb3":
        raise typer.BadParameter("--resume continues an SB3 model (RLlib runs resume from their checkpoints)")
    if fixed_options:
        raise typer.BadParameter(
            "--resume keeps the saved model's architecture and hyper-parameters; "
            "drop --warm-start, --policy-arch, --hyper, --config, --learning-rate and --set"
        )
    try:
        meta: dict[str, Any] = json.loads((resume / META_FILE).read_text())
    except (OSError, ValueError) as e:
        raise typer.BadParameter(f"--resume {resume}: no readable {META_FILE} from `ferrogym train` ({e})") from None
    if meta.get("algo") not in ALGORITHMS or not (resume / MODEL_FILE).is_file():
        raise typer.BadParameter(f"--resume {resume}: not an SB3 run of `ferrogym train` (no {MODEL_FILE} or algo)")
    meta.setdefault("policy_arch", "mlp")
    return meta


def _hyperparameters(
    library: str,
    algo: str,
    config: Path | None,
    learning_rate: float | None,
    num_workers: int | None,
    address: str | None,
) -> dict[str, Any]:
    """The hyper-parameters ``--config`` and ``--learning-rate`` set, checked against the library's own."""
    if library == "sb3":
        if num_workers is not None or address is not None:
            raise ConfigError("--num-workers and --address are RLlib options: SB3 trains in one process (use --n-envs)")
        valid = valid_keys(algorithm(algo))
        lr_key = "learning_rate"
    else:
        if algo not in ("ppo", "maskable-ppo"):
            raise ConfigError(f"--library rllib trains PPO (RLlib samples without masks); got --algo {algo}")
        valid = hyperparams.rllib_keys()
        lr_key = "lr"
    hyper = {} if config is None else hyperparams.load(config, library)
    hyperparams.check(hyper, library, valid, str(config))
    if learning_rate is not None:
        hyper[lr_key] = learning_rate
    return hyper


def _run_rllib(
    env: str,
    env_kwargs: dict[str, Any],
    timesteps: int,
    n_envs: int,
    num_workers: int,
    seed: int,
    address: str | None,
    hyper: dict[str, Any],
    max_minutes: float,
    out: Path,
    console: Console,
) -> DispatchPolicy:
    """Trains with RLlib, writes meta.json; the trained policy for the evaluation."""
    from ferrogym.cli.train_rllib import train_rllib

    try:
        policy, meta = train_rllib(
            env,
            env_kwargs,
            timesteps=timesteps,
            n_envs=n_envs,
            num_workers=num_workers,
            seed=seed,
            address=address,
            hyper=hyper,
            max_minutes=max_minutes,
            out=out,
            console=console,
        )
    except (ValueError, ImportError) as e:  # ferrogym's ConfigError, RLlib's config validation, a missing extra
        console.print(f"[bold red]error:[/] {e}")
        raise typer.Exit(2) from None
    (out / META_FILE).write_text(json.dumps(meta, indent=1))
    if meta["timesteps"] < timesteps:
        console.print(f"[yellow]stopped at {meta['timesteps']} of {timesteps} steps after {max_minutes:g} min[/]")
    console.print(
        f"saved {meta['checkpoint']} ({meta['timesteps']} steps in {meta['train_seconds']:.0f} s, "
        f"{meta['env_steps_per_s']} env-steps/s); TensorBoard: tensorboard --logdir {meta['tensorboard']}"
    )
    trained: DispatchPolicy = policy
    return trained


def _evaluate(
    console: Console,
    policy: DispatchPolicy,
    env: str,
    env_kwargs: dict[str, Any],
    out: Path,
    eval_seeds: int,
    eval_seed_start: int,
) -> None:
    """The trained policy against every heuristic on held-out seeds: table, eval.json, eval.csv."""
    if eval_seeds == 0:
        return
    probe_layout = _layout(env, env_kwargs)
    policies: dict[str, DispatchPolicy] = {policy.name: policy}
    policies.update({n: make_policy(n, probe_layout, seed=eval_seed_start) for n in POLICIES})
    seeds = list(range(eval_seed_start, eval_seed_start + eval_seeds))
    report = run_evaluation(console, env_id(env), policies, seeds, env_kwargs)
    print_report(console, report)
    write_outputs(report, out / "eval.json", out / "eval.csv")


def _parse_hyper(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise typer.BadParameter(f"--hyper {text!r} is not JSON: {e}") from None
    if not isinstance(value, dict):
        raise typer.BadParameter(f"--hyper {text!r} must be a JSON object of hyper-parameters")
    return value


def _layout(env: str, env_kwargs: dict[str, Any]) -> Any:
    from ferrogym.evaluation import make_batch

    probe = make_batch(env, 1, **env_kwargs)
    layout = probe.obs_layout
    probe.close()
    return layout
