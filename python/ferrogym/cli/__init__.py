"""The ``ferrogym`` command (typer + rich; ``pip install 'ferrogym[cli]'``).

A command is a module of this package with a ``run`` function; adding one
costs one import and one ``app.command`` line below.
"""

from __future__ import annotations

try:
    import typer
except ImportError as e:  # pragma: no cover - typer is in the dev environment
    raise SystemExit("the ferrogym command needs typer and rich: pip install 'ferrogym[cli]'") from e

app = typer.Typer(
    name="ferrogym",
    help="Build, check and benchmark Gymnasium environments (Rust-accelerated).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

from ferrogym.cli import (  # noqa: E402
    bench,
    calibrate,
    check,
    compat,
    dataset,
    evaluate,
    plot,
    record,
    replay,
    serve,
    train,
    tune,
)
from ferrogym.cli import list as list_  # noqa: E402
from ferrogym.errors import MissingExtra  # noqa: E402

app.command("list")(list_.run)
app.command("check")(check.run)
app.command("bench")(bench.run)
app.command("record")(record.run)
app.command("replay")(replay.run)
app.command("plot")(plot.run)
app.command("compat")(compat.run)
app.command("serve")(serve.run)
app.command("evaluate")(evaluate.run)
app.command("train")(train.run)
app.add_typer(dataset.app, name="dataset")
app.command("tune")(tune.run)
app.command("calibrate")(calibrate.run)


def main() -> None:
    """Runs the ``ferrogym`` command; a missing optional extra exits with one line naming it, not a traceback."""
    try:
        app()
    except MissingExtra as e:  # any command, any depth: one line naming the extra, not a traceback
        typer.echo(f"error: {e}", err=True)
        raise SystemExit(1) from None
