"""``ferrogym bench TARGET``: steps per second of one env and of batches,
beside Gymnasium's SyncVectorEnv of the same env as the peer (ratio)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ferrogym.validate.speed import batched_steps_per_second, single_steps_per_second
from ferrogym.validate.target import TargetError, resolve


def measure(target: str, num_envs: list[int], seconds: float, peer_max: int, seed: int = 0) -> list[dict[str, Any]]:
    """Measures ``target``'s steps per second: one env, then each batch size of ``num_envs``.

    Each batch size is measured natively (where the env is batched) and, up to ``peer_max`` envs, as
    Gymnasium's ``SyncVectorEnv`` beside it; each figure takes ``seconds``.

    Returns:
        One row per mode and size, with ``env_steps_per_s`` and the ratio to the sync peer.
    """
    t = resolve(target)
    rows: list[dict[str, Any]] = [
        {"mode": "single env", "num_envs": 1, "env_steps_per_s": single_steps_per_second(t, seed, seconds)}
    ]
    for n in num_envs:
        peer = batched_steps_per_second(t, n, seed, seconds, sync=True) if n <= peer_max else None
        if t.batched:
            native = batched_steps_per_second(t, n, seed, seconds)
            ratio = native / peer if peer else None
            rows.append({"mode": "batched (Rust)", "num_envs": n, "env_steps_per_s": native, "vs_sync": ratio})
        if peer is not None:
            rows.append({"mode": "SyncVectorEnv (peer)", "num_envs": n, "env_steps_per_s": peer, "vs_sync": 1.0})
    return rows


def run(
    target: Annotated[str, typer.Argument(help="Env id, module:Class, file.py:Class or env file.")],
    num_envs: Annotated[list[int] | None, typer.Option("--num-envs", "-n", help="Batch sizes (repeatable).")] = None,
    seconds: Annotated[float, typer.Option(min=0.01, help="Seconds per measurement.")] = 0.5,
    peer_max: Annotated[int, typer.Option(help="Largest batch also run through SyncVectorEnv.")] = 64,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Measure env-steps per second: one env, batched in Rust, and Gymnasium's SyncVectorEnv as the peer."""
    sizes = num_envs or [64, 1024]
    try:
        rows = measure(target, sizes, seconds, peer_max)
    except TargetError as e:
        raise typer.BadParameter(str(e)) from None
    if json_out:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"ferrogym bench {target} ({seconds:g} s per row)")
    for col in ("mode", "num_envs", "env-steps/s", "vs SyncVectorEnv"):
        table.add_column(col, justify="right" if col != "mode" else "left")
    for r in rows:
        ratio = r.get("vs_sync")
        table.add_row(
            r["mode"], str(r["num_envs"]), f"{r['env_steps_per_s']:,.0f}", "" if ratio is None else f"{ratio:.1f}x"
        )
    Console().print(table)
