"""Regenerates the pictures in docs/images (python docs/make_images.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gymnasium as gym
import matplotlib
import numpy as np
from PIL import Image

import ferrogym  # noqa: F401  (registers the envs)
from ferrogym import plots
from ferrogym.record import Recorder
from ferrogym.record.policies import least_loaded, load_policy

matplotlib.use("Agg")
OUT = Path(__file__).parent / "images"


def frames() -> None:
    env = gym.make("ferrogym/TicketRouting-v0", render_mode="rgb_array", scenario="understaffed", max_engineers=6)
    obs, _ = env.reset(seed=2)
    for _ in range(40):
        obs, *_ = env.step(least_loaded(obs, env))
    Image.fromarray(env.render()).save(OUT / "ticket_routing_frame.png")
    grid = gym.make("ferrogym/GridWorld-v0", render_mode="rgb_array", layout="four_rooms")
    grid.reset(seed=0)
    rng = np.random.default_rng(1)
    for _ in range(99):
        _, _, term, trunc, _ = grid.step(int(rng.integers(4)))
        if term or trunc:
            break
    Image.fromarray(grid.render()).save(OUT / "grid_world_heat.png")
    cart = gym.make("ferrogym/CartPole-v1", render_mode="rgb_array")
    cart.reset(seed=0)
    for a in (1, 1, 1, 0, 1, 1):
        cart.step(a)
    Image.fromarray(cart.render()).save(OUT / "cartpole_frame.png")


def support_and_template() -> None:
    """CustomerSupport mid-conversation (rule baseline) and the Corridor template."""
    from ferrogym.policies.customer_support import RulePolicy

    env = gym.make("ferrogym/CustomerSupport-v0", render_mode="rgb_array", scenario="fraud_report")
    obs, _ = env.reset(seed=5)
    policy = RulePolicy()
    for _ in range(3):
        mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
        obs, _, term, trunc, _ = env.step(policy(obs, mask, env.unwrapped))  # type: ignore[arg-type]
        if term or trunc:
            break
    (OUT / "envs").mkdir(exist_ok=True)
    Image.fromarray(env.render()).save(OUT / "envs" / "customer_support.png")
    corridor = gym.make("ferrogym/Corridor-v0", render_mode="rgb_array")
    corridor.reset(seed=0)
    for a in (1, 1, 0, 1, 1, 1):
        corridor.step(a)
    Image.fromarray(corridor.render()).save(OUT / "envs" / "corridor.png")


def connect_four() -> None:
    """A finished game: random play (red) against the depth-4 minimax opponent (yellow)."""
    env = gym.make("ferrogym/ConnectFour-v0", render_mode="rgb_array", opponent="minimax", depth=4)
    env.reset(seed=199)  # a long game (38 discs) among seeds 0-299
    rng = np.random.default_rng(199)
    terminated = False
    while not terminated:
        legal = np.flatnonzero(env.unwrapped.action_masks())  # type: ignore[attr-defined]
        _, _, terminated, _, _ = env.step(int(rng.choice(legal)))
    (OUT / "envs").mkdir(exist_ok=True)
    Image.fromarray(env.render()).save(OUT / "envs" / "connect_four.png")


def template_envs() -> None:
    """Frames of the template-library envs, mid-episode."""
    from ferrogym.envs.predator_prey import PredatorPrey
    from ferrogym.policies.inventory import SSPolicy

    inv = gym.make("ferrogym/InventoryControl-v0", render_mode="rgb_array", lead_time=4, seasonality=0.5)
    obs, _ = inv.reset(seed=3)
    policy = SSPolicy.from_env(inv.unwrapped)  # type: ignore[arg-type]
    for _ in range(40):
        obs, *_ = inv.step(policy(obs))
    Image.fromarray(inv.render()).save(OUT / "envs" / "inventory_control.png")
    pp = PredatorPrey(render_mode="rgb_array", obstacle_density=0.12)
    pp.reset(seed=4)
    rng = np.random.default_rng(0)
    for _ in range(5):
        pp.step({a: int(rng.integers(5)) for a in pp.agents})
    Image.fromarray(pp.render()).save(OUT / "envs" / "predator_prey.png")  # type: ignore[arg-type]


def recorded_plots(tmp: Path) -> None:
    runs = {}
    for name in ("least_loaded", "first_valid"):
        policy = load_policy(name)
        path = tmp / f"{name}.parquet"
        with Recorder(gym.make("ferrogym/TicketRouting-v0", scenario="understaffed"), path) as env:
            for k in range(8):
                obs, _ = env.reset(seed=k)
                done = False
                while not done:
                    obs, _, term, trunc, _ = env.step(policy(obs, env))
                    done = term or trunc
        runs[name] = path
    plots.plot_tickets(runs["least_loaded"]).savefig(OUT / "plot_tickets.png", dpi=80)
    plots.plot_components(runs["least_loaded"]).savefig(OUT / "plot_components.png", dpi=80)
    plots.plot_comparison(runs).savefig(OUT / "plot_comparison.png", dpi=80)
    grid = tmp / "grid.parquet"
    with Recorder(gym.make("ferrogym/GridWorld-v0", layout="four_rooms", slip=0.1), grid) as env:
        env.action_space.seed(0)
        for k in range(30):
            env.reset(seed=k)
            done = False
            while not done:
                _, _, term, trunc, _ = env.step(env.action_space.sample())
                done = term or trunc
    plots.plot_heatmap(grid).savefig(OUT / "plot_heatmap.png", dpi=80)
    plots.plot_returns(grid).savefig(OUT / "plot_returns.png", dpi=80)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    frames()
    support_and_template()
    connect_four()
    template_envs()
    with tempfile.TemporaryDirectory() as d:
        recorded_plots(Path(d))
    print(sorted(p.name for p in OUT.iterdir()))
