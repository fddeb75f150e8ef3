"""ferrogym's environments, registered with Gymnasium under ``ferrogym/``.

This table is the one list of env ids; ``import ferrogym`` registers them, and
``gym.make("ferrogym:ferrogym/<Id>")`` works without the import.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym


@dataclass(frozen=True)
class EnvEntry:
    """One registered env: its id, the module and class stem of its single and vector classes, its step limit."""

    id: str
    module: str
    cls: str
    max_episode_steps: int | None
    reward_threshold: float | None = None
    #: Rejects actions that ``action_masks()`` forbids (libraries that sample
    #: blindly get ``invalid_action="fallback"`` from ferrogym.integrations).
    masked: bool = False


ENVS: tuple[EnvEntry, ...] = (
    EnvEntry("ferrogym/CartPole-v1", "ferrogym.envs.cartpole", "CartPole", 500, 475.0),
    EnvEntry("ferrogym/GridWorld-v0", "ferrogym.envs.grid_world", "GridWorld", 100),
    EnvEntry("ferrogym/Corridor-v0", "ferrogym.envs.template", "Corridor", 50),
    # Truncates itself at the simulated horizon: no TimeLimit.
    EnvEntry("ferrogym/TicketRouting-v0", "ferrogym.envs.ticket_routing", "TicketRouting", None, masked=True),
    EnvEntry("ferrogym/Pendulum-v1", "ferrogym.envs.pendulum", "Pendulum", 200),
    EnvEntry("ferrogym/Blackjack-v1", "ferrogym.envs.blackjack", "Blackjack", None),
    EnvEntry("ferrogym/PointMass-v0", "ferrogym.envs.point_mass", "PointMass", 200),
    # Truncates itself at max_turns (a curriculum knob): no TimeLimit.
    EnvEntry("ferrogym/CustomerSupport-v0", "ferrogym.envs.customer_support", "CustomerSupport", None, masked=True),
    # A game ends within 21 moves of each side: no TimeLimit.
    EnvEntry("ferrogym/ConnectFour-v0", "ferrogym.envs.connect_four", "ConnectFour", None, masked=True),
    # Truncates itself at the horizon (days): no TimeLimit.
    EnvEntry("ferrogym/InventoryControl-v0", "ferrogym.envs.inventory_control", "InventoryControl", None),
)


@dataclass(frozen=True)
class MultiAgentEntry:
    """A PettingZoo env (``pip install 'ferrogym[pettingzoo]'``); PettingZoo
    has no registry, so ``factory`` is the ``module:function`` that builds one."""

    name: str
    factory: str
    api: str
    backend: str


MULTI_AGENT_ENVS: tuple[MultiAgentEntry, ...] = (
    MultiAgentEntry("MultiTeamTicketRouting", "ferrogym.integrations.pettingzoo:parallel_env", "ParallelEnv", "Rust"),
    MultiAgentEntry("ConnectFour (two players)", "ferrogym.envs.connect_four_pz:env", "AECEnv", "Rust"),
    MultiAgentEntry("PredatorPrey", "ferrogym.envs.predator_prey:parallel_env", "ParallelEnv", "Python (numpy)"),
)


def register_all() -> None:
    """Registers every env of ``ENVS`` with Gymnasium under ``ferrogym/``; ids already registered are skipped."""
    for e in ENVS:
        if e.id in gym.registry:
            continue
        gym.register(
            id=e.id,
            entry_point=f"{e.module}:{e.cls}Env",
            vector_entry_point=f"{e.module}:{e.cls}VectorEnv",
            max_episode_steps=e.max_episode_steps,
            reward_threshold=e.reward_threshold,
        )
