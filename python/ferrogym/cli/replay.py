"""``ferrogym replay RUN --episode K``: re-render a recorded episode, checking it matches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ferrogym.errors import FerrogymError


def run(
    recording: Annotated[Path, typer.Argument(help="A recording (.parquet, .h5).")],
    episode: Annotated[int, typer.Option(help="Episode id (see --list).")] = 0,
    render: Annotated[str, typer.Option(help="human (pygame viewer) | rgb_array | ansi | video | none.")] = "none",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Video file for --render video.")] = None,
    fps: Annotated[float, typer.Option(help="Frames per second (viewer start speed, video rate).")] = 8.0,
    list_: Annotated[bool, typer.Option("--list", help="List the episodes and exit.")] = False,
) -> None:
    """Replay an episode (from recorded states or seed+actions); a mismatch is reported as nondeterminism.

    Viewer keys: space pause, left/right step, home/end, up/down speed, digits+enter jump to step, q quit.
    """
    from ferrogym.record import Recording, replay_episode, write_video

    try:
        rec = Recording(recording)
        if list_:
            for k in rec.episodes():
                ep = rec.episode(int(k))
                typer.echo(
                    f"episode {k}: env {ep.env_index}, {len(ep)} steps, return {ep.total_reward:.3f}{_level(ep)}"
                )
            return
        if render == "video" and out is None:
            raise typer.BadParameter("--render video needs --out FILE.mp4 (or .gif)")
        mode = {"human": "rgb_array", "video": "rgb_array", "rgb_array": "rgb_array", "ansi": "ansi", "none": None}
        if render not in mode:
            raise typer.BadParameter(f"--render {render!r}; expected one of {list(mode)}")
        result = replay_episode(rec, episode, render_mode=mode[render])
    except FerrogymError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    ep = result.episode
    what = "re-rendered from recorded states" if result.source == "states" else f"re-simulated from the {result.source}"
    summary = f"episode {ep.episode}: {len(ep)} steps, return {ep.total_reward:.3f}{_level(ep)}"
    typer.echo(f"{summary}, {what}: matches the recording")
    if render == "ansi":
        for t, frame in enumerate(result.frames):
            typer.echo(f"-- step {t}\n{frame}")
    elif render == "rgb_array":
        typer.echo(f"{len(result.frames)} frames of {result.frames[0].shape}")
    elif render == "video" and out is not None:
        try:
            write_video(result.frames, out, fps=fps)
        except FerrogymError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"video: {out}")
    elif render == "human":
        from ferrogym.render.window import Viewer

        Viewer(result.frames, fps=fps, title=f"{rec.meta.env_id} episode {ep.episode}").run()


def _level(ep: Any) -> str:
    """ ", curriculum level 2 (hard)" when the episode was recorded with a curriculum."""
    level = ep.curriculum_level
    return "" if level is None else f", curriculum level {level[0]} ({level[1]})"
