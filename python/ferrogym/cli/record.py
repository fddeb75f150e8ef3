"""``ferrogym record ENV``: run a policy for K episodes and record them (and a video)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import gymnasium as gym
import typer
from rich.progress import Progress

from ferrogym.errors import FerrogymError


def run(
    env_id: Annotated[str, typer.Argument(help="A registered id, e.g. ferrogym/GridWorld-v0.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Recording file (.parquet, or .h5/.hdf5).")] = Path(
        "run.parquet"
    ),
    policy: Annotated[
        str, typer.Option(help="random | first_valid | least_loaded | module:attr (callable or SB3 model).")
    ] = "random",
    episodes: Annotated[int, typer.Option(min=1, help="Episodes to record.")] = 1,
    seed: Annotated[int, typer.Option(help="Episode k is reset with seed + k.")] = 0,
    states: Annotated[str, typer.Option(help="Record env state on: reset | all | none.")] = "reset",
    append: Annotated[bool, typer.Option(help="Add to an existing recording instead of refusing it.")] = False,
    video: Annotated[Path | None, typer.Option(help="Also write the episodes as a video (.mp4 or .gif).")] = None,
    kwargs: Annotated[str, typer.Option("--kwargs", help="Env arguments as JSON, e.g. '{\"slip\": 0.1}'.")] = "{}",
) -> None:
    """Record episodes of ENV under a policy (Parquet or HDF5; optional video)."""
    from ferrogym.record import Recorder, write_video
    from ferrogym.record.policies import load_policy

    try:
        env_kwargs: dict[str, Any] = json.loads(kwargs)
        if not isinstance(env_kwargs, dict):
            raise ValueError("not a JSON object")
    except ValueError as e:
        raise typer.BadParameter(f"--kwargs {kwargs!r}: {e}") from None
    try:
        act = load_policy(policy, seed)
        env = gym.make(env_id, render_mode="rgb_array" if video else None, **env_kwargs)
        if video is not None and video.exists():
            raise FerrogymError(f"{video}: the file exists; choose another name (nothing was overwritten)")
        frames: list[Any] = []
        returns: list[float] = []
        with Recorder(env, out, states=states, append=append) as rec, Progress(transient=True) as bar:  # type: ignore[arg-type]
            task = bar.add_task(f"recording {env_id}", total=episodes)
            for k in range(episodes):
                obs, _ = rec.reset(seed=seed + k)
                if video:
                    frames.append(rec.render())
                total, done = 0.0, False
                while not done:
                    obs, reward, terminated, truncated, _ = rec.step(act(obs, rec))
                    total += float(reward)
                    done = terminated or truncated
                    if video:
                        frames.append(rec.render())
                returns.append(total)
                bar.advance(task)
        if video is not None:
            write_video(frames, video, fps=env.metadata.get("render_fps", 30))
    except (FerrogymError, gym.error.Error) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    mean = sum(returns) / len(returns)
    typer.echo(f"recorded {episodes} episode(s) of {env_id} to {out}; mean return {mean:.3f}")
    if video is not None:
        typer.echo(f"video: {video} ({len(frames)} frames)")
