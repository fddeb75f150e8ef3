"""Offline RL in four steps: a Minari dataset of a dispatch rule's decisions,
checked, re-simulated, and a router learned from it by behaviour cloning.

1. ``export_rollouts``: ``sed`` routes tickets on the Rust batch of
   TicketRouting (``specialists``); every episode goes into a Minari dataset
   with its action masks, reward components, seed and the env's config.
2. ``load`` + ``check_dataset``: Minari's checks (episodes, spaces, the env
   recovered from the dataset).
3. ``replay_dataset``: ferrogym's replay checker re-simulates episodes from
   their seeds; they must come out identical.
4. ``bc.clone`` + ``bc.compare``: the engineer scorer fitted to the decisions,
   then compared with ``sed`` on held-out seeds (paired, 95% interval).

Needs ``pip install 'ferrogym[datasets,sb3]'``. The datasets go in a
temporary directory unless ``--root`` names one::

    python examples/offline_dataset.py --episodes 200 --eval-seeds 100
"""

from __future__ import annotations

import argparse
import tempfile

import gymnasium as gym

import ferrogym  # noqa: F401
from ferrogym.datasets import bc, check_dataset, export_rollouts, load, replay_dataset
from ferrogym.policies import make_policy

ENV = "ferrogym/TicketRouting-v0"
KWARGS = {"scenario": "specialists"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--eval-seeds", type=int, default=100)
    parser.add_argument("--root", default=None, help="dataset directory (default: a temporary one)")
    args = parser.parse_args()
    root = args.root or tempfile.mkdtemp(prefix="ferrogym-datasets-")

    sed = make_policy("sed", gym.make(ENV, **KWARGS).unwrapped.obs_layout)
    export_rollouts("ticket-routing/sed-v0", ENV, sed, episodes=args.episodes, root=root, env_kwargs=KWARGS)

    dataset = load("ticket-routing/sed-v0", root=root)
    check_dataset(dataset)
    print(f"{dataset.total_episodes} episodes, {dataset.total_steps} decisions in {dataset.spec.data_path}")
    replay_dataset(dataset, dataset.episode_indices[:5])
    print("5 episodes re-simulated from their seeds: identical")

    student = bc.clone(dataset, epochs=2)
    print(f"behaviour cloning: {student.fit['accuracy']:.1%} agreement with sed")
    seeds = list(range(10_000, 10_000 + args.eval_seeds))
    _, diff = bc.compare(student.policy, sed, seeds, student.env_kwargs)
    print(f"weighted resolution, bc - sed: {diff.mean:+.1f} [{diff.low:+.1f}, {diff.high:+.1f}] min")


if __name__ == "__main__":
    main()
