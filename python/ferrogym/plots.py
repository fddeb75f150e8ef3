"""Analysis plots of recordings (matplotlib; ``pip install 'ferrogym[viz,record]'``).

Every function takes a :class:`~ferrogym.record.Recording` (or its path) and
returns a matplotlib ``Figure``: save it with ``fig.savefig("out.png")`` (or
``.svg``); in a notebook it shows inline. ``ferrogym plot`` wraps them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import ConfigError, RecordingError
from ferrogym.record.reader import Recording
from ferrogym.record.schema import COMPONENT_PREFIX
from ferrogym.render.figure import require_matplotlib

PRIORITIES = ("critical", "high", "medium", "low")
#: The colours of TicketRouting's Rust frame (rust/core/src/envs/ticket_routing/view.rs), as fractions.
PRIORITY_COLORS = ("#cd2828", "#f0871e", "#e1c332", "#6e96c8")
KINDS = ("returns", "components", "actions", "heatmap", "tickets")

Source = Recording | str | os.PathLike[str]


def _open(rec: Source) -> Recording:
    return rec if isinstance(rec, Recording) else Recording(rec)


def _figure(nrows: int = 1, ncols: int = 1, **kw: Any) -> tuple[Any, Any]:
    plt = require_matplotlib()
    fig, axes = plt.subplots(nrows, ncols, layout="constrained", **kw)
    return fig, axes


def episode_returns(rec: Source) -> tuple[NDArray[np.int64], NDArray[np.float64], dict[str, NDArray[np.float64]]]:
    """Per episode: ids, returns and each reward component's sum."""
    r = _open(rec)
    comps = [COMPONENT_PREFIX + c for c in r.meta.components]
    c = r.columns(["episode", "step", "reward", *comps])
    moves = c["step"] > 0
    ids, inverse = np.unique(c["episode"][moves], return_inverse=True)

    def total(values: NDArray[Any]) -> NDArray[np.float64]:
        weights = np.nan_to_num(np.asarray(values, np.float64)[moves])
        sums: NDArray[np.float64] = np.bincount(inverse, weights=weights, minlength=len(ids)).astype(np.float64)
        return sums

    return ids, total(c["reward"]), {name[len(COMPONENT_PREFIX) :]: total(c[name]) for name in comps}


def plot_returns(rec: Source, window: int = 10) -> Any:
    """Episode return per episode and its rolling mean over ``window`` episodes."""
    ids, returns, _ = episode_returns(rec)
    fig, ax = _figure(figsize=(7, 4))
    ax.plot(ids, returns, ".", color="0.6", label="episode return")
    if len(returns):
        w = max(1, min(window, len(returns)))
        rolling = np.convolve(returns, np.ones(w) / w, mode="valid")
        ax.plot(ids[w - 1 :], rolling, color="C0", lw=2, label=f"rolling mean ({w})")
    ax.set_xlabel("episode")
    ax.set_ylabel("return")
    ax.set_title(f"{_open(rec).meta.env_id}: returns")
    ax.legend()
    return fig


def plot_components(rec: Source, episode: int | None = None) -> Any:
    """Reward components stacked: over the steps of ``episode`` (default: the
    first) and summed per episode across the file."""
    r = _open(rec)
    names = list(r.meta.components)
    if not names:
        raise RecordingError(f"{r.path}: {r.meta.env_id} reports no reward components (info['reward_components'])")
    ep = r.episode(int(r.episodes()[0]) if episode is None else episode)
    fig, (a1, a2) = _figure(1, 2, figsize=(12, 4))
    steps = np.arange(1, len(ep) + 1)
    values = np.array([np.nan_to_num(ep.components[n]) for n in names])
    _stack(a1, steps, values, names)
    a1.plot(steps, ep.rewards, color="k", lw=1, label="reward")
    a1.set(xlabel="step", ylabel="reward", title=f"episode {ep.episode}: components per step")
    a1.legend(fontsize=8)
    ids, _, totals = episode_returns(r)
    _stack(a2, ids, np.array([totals[n] for n in names]), names, bars=True)
    a2.set(xlabel="episode", ylabel="sum over the episode", title="components per episode")
    a2.xaxis.get_major_locator().set_params(integer=True)
    return fig


def _stack(ax: Any, x: NDArray[Any], values: NDArray[np.float64], names: list[str], bars: bool = False) -> None:
    """Stacked areas/bars where positive parts stack up and negative parts down."""
    pos, neg = np.zeros(values.shape[1]), np.zeros(values.shape[1])
    for i, (name, v) in enumerate(zip(names, values, strict=True)):
        base = np.where(v >= 0, pos, neg)
        if bars:
            ax.bar(x, v, bottom=base, color=f"C{i}", label=name)
        else:
            ax.fill_between(x, base, base + v, color=f"C{i}", alpha=0.8, label=name, step="mid")
        pos, neg = np.where(v >= 0, pos + v, pos), np.where(v < 0, neg + v, neg)


def plot_actions(rec: Source) -> Any:
    """How often each action was taken (a histogram per dimension for Box actions)."""
    r = _open(rec)
    c = r.columns(["step", "action"])
    acts = c["action"][c["step"] > 0]
    fig, ax = _figure(figsize=(7, 4))
    if r.meta.action_shape == () and np.issubdtype(np.dtype(r.meta.action_dtype), np.integer):
        values, counts = np.unique(acts, return_counts=True)
        ax.bar(values, counts, color="C0")
        ax.set_xticks(values)
        ax.set_xlabel("action")
    else:
        flat = acts.reshape(len(acts), -1)
        for d in range(flat.shape[1]):
            ax.hist(flat[:, d], bins=30, alpha=0.6, label=f"dim {d}")
        ax.legend()
        ax.set_xlabel("action value")
    ax.set_ylabel("count")
    ax.set_title(f"{r.meta.env_id}: actions ({len(acts)} steps)")
    return fig


def visit_counts(rec: Source) -> NDArray[np.int64]:
    """Visits per cell of a grid env, from its ``coords`` (row, col) or ``image`` observations."""
    r = _open(rec)
    obs = r.columns(["observation"])["observation"]
    if r.meta.obs_shape == (2,):
        cells = obs.astype(np.int64)
        if (cells < 0).any():
            raise RecordingError(f"{r.path}: observations are not grid coordinates")
        counts = np.zeros((cells[:, 0].max() + 1, cells[:, 1].max() + 1), dtype=np.int64)
        np.add.at(counts, (cells[:, 0], cells[:, 1]), 1)
        return counts
    if len(r.meta.obs_shape) == 3 and r.meta.obs_shape[0] == 4:
        image_counts: NDArray[np.int64] = obs[:, 3].sum(axis=0).astype(np.int64)
        return image_counts
    raise RecordingError(
        f"{r.path}: {r.meta.env_id} observations of shape {r.meta.obs_shape} are not grid positions; "
        "the heatmap is for grid envs (GridWorld coords or image observations)"
    )


def plot_heatmap(rec: Source) -> Any:
    """State-visitation heatmap of a grid env (every recorded observation)."""
    counts = visit_counts(rec)
    fig, ax = _figure(figsize=(5, 4.5))
    shown = np.ma.masked_equal(counts, 0)
    im = ax.imshow(shown, cmap="YlOrRd", origin="upper")
    fig.colorbar(im, ax=ax, label="visits")
    ax.set(xlabel="column", ylabel="row", title=f"{_open(rec).meta.env_id}: visits")
    return fig


def _layout(rec: Recording) -> dict[str, Any]:
    from ferrogym.record.replay import make_env

    env = make_env(rec, None)
    try:
        layout = getattr(env.unwrapped, "obs_layout", ())
    finally:
        env.close()
    slices = {s.name: s for s in layout}
    if "backlog" not in slices or "engineers" not in slices:
        raise RecordingError(f"{rec.path}: {rec.meta.env_id} is not TicketRouting; the tickets plot needs its layout")
    return slices


def resolution_times(rec: Source) -> dict[str, NDArray[np.float64]]:
    """Hours from arrival to resolution per priority, over every episode log in the file."""
    r = _open(rec)
    out: dict[str, list[float]] = {p: [] for p in PRIORITIES}
    for text in r.columns(["episode_log"])["episode_log"]:
        if not text:
            continue
        t = json.loads(text).get("tickets", {})
        for prio, arrival, done in zip(t.get("priority", []), t.get("arrival", []), t.get("done", []), strict=True):
            out[PRIORITIES[int(prio)]].append((done - arrival) / 60.0)
    return {p: np.asarray(v) for p, v in out.items()}


def plot_tickets(rec: Source, episode: int | None = None) -> Any:
    """TicketRouting: backlog by priority over ``episode`` (default: the first),
    engineer load by hour of day (every episode), resolution time per priority."""
    r = _open(rec)
    slices = _layout(r)
    ep = r.episode(int(r.episodes()[0]) if episode is None else episode)
    fig, axes = _figure(1, 3, figsize=(16, 4.5))
    hours = np.array([i.get("sim", {}).get("minutes", np.nan) for i in ep.infos]) / 60.0
    b = slices["backlog"]
    x = ep.observations[:, b.start : b.start + 4].astype(np.float64)
    backlog = 5.0 * x / np.maximum(1.0 - x, 1e-9)  # the observation holds n / (n + 5)
    timed = np.isfinite(hours)  # the reset row carries no clock
    axes[0].stackplot(hours[timed], backlog[timed].T, labels=PRIORITIES, colors=PRIORITY_COLORS, step="post")
    axes[0].set(xlabel="hours since start", ylabel="tickets waiting", title=f"episode {ep.episode}: backlog")
    axes[0].legend(fontsize=8, loc="upper left")

    e = slices["engineers"]
    c = r.columns(["observation", "info"])
    m, f = e.shape
    eng = c["observation"][:, e.start : e.start + m * f].reshape(-1, m, f)
    minutes = np.array([json.loads(s).get("sim", {}).get("minutes", np.nan) if s else np.nan for s in c["info"]])
    ok = ~np.isnan(minutes)
    hour = (minutes[ok] // 60 % 24).astype(np.int64)
    present = eng[ok, :, e.labels.index("present")].max(axis=0) > 0
    load = eng[ok][:, present, e.labels.index("load")]
    sums = np.zeros((24, load.shape[1]))
    np.add.at(sums, hour, load)
    seen = np.bincount(hour, minlength=24)[:, None]
    mean = np.where(seen > 0, sums / np.maximum(seen, 1), np.nan)
    im = axes[1].imshow(mean.T, aspect="auto", cmap="viridis", vmin=0, vmax=1, origin="lower")
    axes[1].set_yticks(range(load.shape[1]), [str(i) for i in np.flatnonzero(present)])
    axes[1].set(xlabel="hour of day", ylabel="engineer slot", title="mean load (open tickets / cap)")
    fig.colorbar(im, ax=axes[1])

    times = resolution_times(r)
    data = [times[p] for p in PRIORITIES]
    if any(len(d) for d in data):
        parts = axes[2].boxplot([d if len(d) else [np.nan] for d in data], tick_labels=PRIORITIES, patch_artist=True)
        for patch, color in zip(parts["boxes"], PRIORITY_COLORS, strict=True):
            patch.set_facecolor(color)
    axes[2].set(ylabel="hours to resolution", title="resolution time per priority")
    return fig


def plot_comparison(runs: Mapping[str, Source]) -> Any:
    """Policies side by side (e.g. an RL policy and dispatch heuristics, each
    recorded on the same seeds): episode returns, and for TicketRouting the
    median resolution time per priority."""
    if not runs:
        raise ConfigError("plot_comparison: give at least one {label: recording}")
    recs = {label: _open(r) for label, r in runs.items()}
    tickets = all(r.meta.env_id.endswith("TicketRouting-v0") for r in recs.values())
    fig, axes = _figure(1, 2 if tickets else 1, figsize=(12 if tickets else 6, 4.5), squeeze=False)
    ax = axes[0][0]
    labels = list(recs)
    ax.boxplot([episode_returns(recs[label])[1] for label in labels], tick_labels=labels)
    ax.set(ylabel="episode return", title="returns by policy")
    if tickets:
        ax2 = axes[0][1]
        width = 0.8 / len(labels)
        for k, label in enumerate(labels):
            t = resolution_times(recs[label])
            med = [float(np.median(t[p])) if len(t[p]) else np.nan for p in PRIORITIES]
            ax2.bar(np.arange(4) + k * width, med, width, label=label)
        ax2.set_xticks(np.arange(4) + 0.4 - width / 2, PRIORITIES)
        ax2.set(ylabel="median hours to resolution", title="resolution time by priority")
        ax2.legend()
    return fig


def plot(rec: Source, kind: str, episode: int | None = None) -> Any:
    """One of :data:`KINDS` by name (what ``ferrogym plot --kind`` calls)."""
    if kind == "returns":
        return plot_returns(rec)
    if kind == "components":
        return plot_components(rec, episode)
    if kind == "actions":
        return plot_actions(rec)
    if kind == "heatmap":
        return plot_heatmap(rec)
    if kind == "tickets":
        return plot_tickets(rec, episode)
    raise ConfigError(f"invalid plot kind {kind!r}; expected one of {list(KINDS)}")
