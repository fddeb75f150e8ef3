"""``ferrogym plot RUN --kind KIND -o out.png``: analysis plots of a recording."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ferrogym.errors import FerrogymError
from ferrogym.extras import require


def run(
    recordings: Annotated[list[Path], typer.Argument(help="One recording; several with --kind compare.")],
    kind: Annotated[
        str, typer.Option(help="returns | components | actions | heatmap | tickets | compare.")
    ] = "returns",
    out: Annotated[Path, typer.Option("--out", "-o", help="Image file (.png, .svg, .pdf).")] = Path("plot.png"),
    episode: Annotated[int | None, typer.Option(help="Episode for components/tickets (default: the first).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing image.")] = False,
) -> None:
    """Plot a recording: returns, reward components, actions, grid visits, TicketRouting KPIs, or compare runs."""
    if out.exists() and not overwrite:
        typer.echo(f"error: {out} exists; pass --overwrite or choose another name", err=True)
        raise typer.Exit(1)
    try:
        require("matplotlib", "viz", "ferrogym plot").use("Agg")
        from ferrogym import plots

        if kind == "compare":
            fig = plots.plot_comparison({p.stem: p for p in recordings})
        elif len(recordings) != 1:
            raise typer.BadParameter(f"--kind {kind} takes one recording (several only with --kind compare)")
        else:
            fig = plots.plot(recordings[0], kind, episode)
        fig.savefig(out, dpi=100)
    except FerrogymError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"wrote {out}")
