"""``ferrogym dataset``: Minari datasets (``pip install 'ferrogym[datasets]'``).

``rollout`` writes a policy's batched episodes, ``from-recording`` a ferrogym
recording; ``check`` runs Minari's checks and re-simulates the episodes;
``clone`` trains the engineer scorer on a dataset by behaviour cloning and
compares it with the policy that produced the data on held-out seeds.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ferrogym.errors import FerrogymError

app = typer.Typer(help="Offline-RL datasets in Minari's format: export, check, replay, behaviour cloning.")

Root = Annotated[
    Path | None,
    typer.Option(help="Directory of the datasets (default: $MINARI_DATASETS_PATH, else ~/.minari/datasets)."),
]
DatasetId = Annotated[str, typer.Argument(help="Dataset id, (namespace/)name-vN, e.g. ticket-routing/sed-v0.")]


def _fail(e: Exception) -> typer.Exit:
    typer.echo(f"error: {e}", err=True)
    return typer.Exit(1)


@app.command("rollout")
def rollout(
    env_id: Annotated[str, typer.Argument(help="A registered id, e.g. ferrogym/TicketRouting-v0.")],
    dataset_id: DatasetId,
    policy: Annotated[str, typer.Option(help="A heuristic (sed, random, ...) or a `ferrogym train` model path.")] = (
        "random"
    ),
    episodes: Annotated[int, typer.Option(min=1, help="Episodes to write; episode k is reset with seed + k.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the first episode.")] = 0,
    num_envs: Annotated[int, typer.Option(min=1, help="Sub-envs of the Rust batch.")] = 256,
    settings: Annotated[list[str], typer.Option("--set", help="Env argument KEY=VALUE (repeatable).")] = [],  # noqa: B006
    root: Root = None,
) -> None:
    """Run a policy on the batched env and write its episodes as a Minari dataset."""
    from ferrogym.cli.evaluate import build_policies, parse_settings
    from ferrogym.datasets import export_rollouts

    env_kwargs = parse_settings(settings)
    try:
        (act,) = build_policies([policy], env_id, seed, **env_kwargs).values()
        start = time.perf_counter()
        ds = export_rollouts(
            dataset_id, env_id, act, episodes=episodes, seed=seed, num_envs=num_envs, root=root, env_kwargs=env_kwargs
        )
    except FerrogymError as e:
        raise _fail(e) from None
    seconds = time.perf_counter() - start
    typer.echo(
        f"wrote {ds.total_episodes} episodes, {ds.total_steps} steps of {act.name} on {env_id} to {ds.spec.data_path} "
        f"({ds.total_steps / seconds:,.0f} steps/s)"
    )


@app.command("from-recording")
def from_recording(
    recording: Annotated[Path, typer.Argument(help="A ferrogym recording (.parquet, .h5).")],
    dataset_id: DatasetId,
    root: Root = None,
) -> None:
    """Write a ferrogym recording's episodes as a Minari dataset (masked envs are re-simulated for their masks)."""
    from ferrogym.datasets import export_recording

    try:
        ds = export_recording(recording, dataset_id, root=root)
    except FerrogymError as e:
        raise _fail(e) from None
    typer.echo(f"wrote {ds.total_episodes} episodes, {ds.total_steps} steps of {recording} to {ds.spec.data_path}")


@app.command("check")
def check(
    dataset_id: DatasetId,
    root: Root = None,
    replay: Annotated[int, typer.Option(min=0, help="Re-simulate the first N episodes (0: none).")] = 10,
) -> None:
    """Run Minari's dataset checks and re-simulate episodes with ferrogym's replay checker."""
    from ferrogym.datasets import check_dataset, load, replay_dataset

    try:
        ds = load(dataset_id, root)
        check_dataset(ds)
        replayed = replay_dataset(ds, ds.episode_indices[:replay]) if replay else []
    except FerrogymError as e:
        raise _fail(e) from None
    env = ds.env_spec.id if ds.env_spec is not None else "no env"
    typer.echo(f"{dataset_id}: {ds.total_episodes} episodes, {ds.total_steps} steps of {env}: passes Minari's checks")
    if replayed:
        typer.echo(f"re-simulated {len(replayed)} episode(s) from their seeds: identical")


@app.command("clone")
def clone(
    dataset_id: DatasetId,
    out: Annotated[Path, typer.Option(help="Directory for model.zip and meta.json.")] = Path("runs/bc"),
    root: Root = None,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the decisions.")] = 2,
    batch_size: Annotated[int, typer.Option(min=1)] = 4096,
    hidden: Annotated[int, typer.Option(min=1, help="Width of the engineer scorer.")] = 32,
    max_decisions: Annotated[int | None, typer.Option(min=1, help="Learn from the first N decisions only.")] = None,
    eval_seeds: Annotated[int, typer.Option(min=2, help="Held-out episodes for the comparison.")] = 500,
    eval_seed_start: Annotated[int, typer.Option(help="First held-out seed.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the fit.")] = 0,
    teacher: Annotated[
        str | None, typer.Option(help="Policy to compare with (heuristic or model path; default: the dataset's).")
    ] = None,
) -> None:
    """Behaviour-clone the engineer scorer on a TicketRouting dataset; compare it with the teacher (paired, 95% CI)."""
    from ferrogym.cli.evaluate import build_policies
    from ferrogym.datasets import bc, load
    from ferrogym.evaluation import DEFAULT_ENV

    try:
        ds = load(dataset_id, root)
        start = time.perf_counter()
        result = bc.clone(
            ds, epochs=epochs, batch_size=batch_size, hidden=hidden, max_decisions=max_decisions, seed=seed
        )
        fit_seconds = time.perf_counter() - start
        result.save(out, dataset_id)
        (reference,) = build_policies([teacher or result.teacher], DEFAULT_ENV, seed, **result.env_kwargs).values()
        seeds = list(range(eval_seed_start, eval_seed_start + eval_seeds))
        report, diff = bc.compare(result.policy, reference, seeds, result.env_kwargs)
    except (FerrogymError, typer.BadParameter) as e:
        raise _fail(e) from None
    fit = result.fit
    typer.echo(
        f"fit on {int(fit['samples'])} decisions in {fit_seconds:.0f} s: agreement with {result.teacher} "
        f"{fit['accuracy']:.1%}; saved {out}"
    )
    means = {name: s["weighted_resolution"] for name, s in report.summary.items()}
    for name, iv in means.items():
        typer.echo(f"{name}: weighted resolution {iv.mean:.1f} [{iv.low:.1f}, {iv.high:.1f}] min ({iv.n} seeds)")
    verdict = "within the interval" if diff.low <= 0.0 <= diff.high else ("better" if diff.high < 0 else "worse")
    typer.echo(
        f"{result.policy.name} - {reference.name}: {diff.mean:+.1f} [{diff.low:+.1f}, {diff.high:+.1f}] min, "
        f"paired over seeds {seeds[0]}..{seeds[-1]} ({verdict})"
    )
