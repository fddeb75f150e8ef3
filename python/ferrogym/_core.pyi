"""Type stubs of the compiled module (rust/python). Checked against the
built module by ``mypy.stubtest`` in the test command."""

from typing import Any, final

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

__all__ = [
    "BlackjackBatch",
    "BlackjackCore",
    "CartPoleBatch",
    "CartPoleCore",
    "ConnectFourBatch",
    "ConnectFourCore",
    "CorridorBatch",
    "CorridorCore",
    "CustomerSupportBatch",
    "CustomerSupportCore",
    "GridWorldBatch",
    "GridWorldCore",
    "InventoryControlBatch",
    "InventoryControlCore",
    "MultiTeamTicketRoutingCore",
    "PendulumBatch",
    "PendulumCore",
    "PointMassBatch",
    "PointMassCore",
    "TicketRoutingBatch",
    "TicketRoutingCore",
    "TicketRoutingPlanner",
    "__version__",
]

__version__: str

class _Core:
    """One env in Rust, built from config keyword arguments (the env's Python class wraps it).

    Raises:
        ConfigError: a keyword names an unknown field or has an invalid value.
    """
    def __new__(cls, **kwargs: Any) -> Self: ...
    @staticmethod
    def default_config() -> dict[str, Any]:
        """The config's defaults as plain Python data (what the Python config classes derive from)."""
    @staticmethod
    def names() -> dict[str, list[str]]:
        """The env's named lists (action names, scenario names...) as ``{list: [name, ...]}``."""
    def observation_space(self) -> dict[str, Any]:
        """The observation space as plain data (kind, shape, dtype, bounds), for ``ferrogym.spaces``."""
    def action_space(self) -> dict[str, Any]:
        """The action space as plain data, for ``ferrogym.spaces``."""
    def seed(self, seed: int) -> None:
        """Seeds the env's random generator; the next reset starts from it."""
    def reset(self) -> NDArray[Any]:
        """Starts an episode; returns a fresh observation array."""
    def step(self, action: Any) -> tuple[NDArray[Any], float, bool, bool, dict[str, Any]]:
        """Applies ``action``; returns ``(obs, reward, terminated, truncated, info)``.

        Raises:
            ResetNeeded: no episode is running.
            InvalidAction: the action is outside the action space; nothing changed.
        """
    def action_mask(self) -> NDArray[np.bool_]:
        """The actions allowed now, as booleans (all True for envs without a mask)."""
    def get_state(self) -> dict[str, Any]:
        """The env's whole state as plain Python data (dicts, lists, numbers)."""
    def set_state(self, state: dict[str, Any]) -> None:
        """Restores a state from :meth:`get_state`; nothing changes unless all of it is accepted.

        Raises:
            StateError: a key is unknown or missing, or a value does not fit the env's config.
        """
    def reconfigure(self, **kwargs: Any) -> None:
        """Replaces the config (full keyword arguments) from the next reset on.

        Raises:
            ConfigError: a value is invalid, or the env does not support reconfiguring.
        """
    def obs_layout(self) -> list[dict[str, Any]]:
        """The observation slice by slice (name, start, shape, bounds, labels); empty if not declared."""
    def effective_config(self) -> dict[str, Any] | None:
        """The config with presets resolved, or None for envs without presets."""
    def episode_log(self) -> dict[str, dict[str, NDArray[np.float64]]]:
        """Tables describing the episode so far: ``{table: {column: float64 array}}``."""
    def render_ansi(self) -> str:
        """The current state as text."""
    def render_rgb(self) -> NDArray[np.uint8]:
        """The current state as an RGB image (H, W, 3)."""

class _Batch:
    """``num_envs`` envs of one type stepped together in Rust over contiguous buffers.

    ``autoreset_mode`` is ``NextStep``, ``SameStep`` or ``Disabled``; ``max_episode_steps`` truncates
    episodes; a step runs on ``threads`` threads once the batch has at least twice ``grain`` envs.
    Results do not depend on the thread count.

    Raises:
        ConfigError: an argument or config field is invalid.
    """
    def __new__(
        cls,
        num_envs: int,
        autoreset_mode: str = "NextStep",
        max_episode_steps: int | None = None,
        threads: int = 1,
        grain: int = 1024,
        **kwargs: Any,
    ) -> Self: ...
    @property
    def num_envs(self) -> int:
        """Sub-envs in the batch."""
    def observation_space(self) -> dict[str, Any]:
        """One sub-env's observation space as plain data."""
    def action_space(self) -> dict[str, Any]:
        """One sub-env's action space as plain data."""
    def seed(self, indices: list[int], seeds: list[int]) -> None:
        """Seeds sub-env ``indices[k]`` with ``seeds[k]``."""
    def reset(self, mask: NDArray[np.bool_] | None = None, out: NDArray[Any] | None = None) -> NDArray[Any]:
        """Resets the sub-envs selected by ``mask`` (all when None); rows not reset are taken from ``out``."""
    def step(
        self, actions: NDArray[Any]
    ) -> tuple[NDArray[Any], NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
        """Steps every sub-env with its action; returns fresh ``(obs, rewards, terminated, truncated)``.

        Raises:
            InvalidActionType: ``actions`` is not a C-contiguous array of the right dtype and shape.
            InvalidAction: an action is outside the single action space.
        """
    def final_obs(self, indices: list[int]) -> NDArray[Any]:
        """Terminal observations (SAME_STEP) of the sub-envs in ``indices``."""
    def action_masks(self) -> NDArray[np.bool_]:
        """Every sub-env's allowed actions, (num_envs, n_actions) booleans."""
    def get_state(self, index: int) -> dict[str, Any]:
        """Sub-env ``index``'s state as plain Python data."""
    def set_state(self, index: int, state: dict[str, Any]) -> None:
        """Restores sub-env ``index`` from a state of :meth:`get_state`.

        Raises:
            StateError: the state is invalid for this config.
        """
    def reconfigure(self, index: int, **kwargs: Any) -> None:
        """Replaces sub-env ``index``'s config (full keyword arguments) from its next reset on."""
    def infos(self, present: NDArray[np.bool_]) -> dict[str, Any]:
        """Named info values after the last step of the sub-envs in ``present``, as Gymnasium vector infos."""
    def final_infos(self, done: NDArray[np.bool_]) -> dict[str, Any]:
        """Info values at the terminal step of the sub-envs where ``done`` (SAME_STEP), for ``final_info``."""
    @property
    def has_infos(self) -> bool:
        """Whether the env reports named info values."""
    def obs_layout(self) -> list[dict[str, Any]]:
        """The observation slice by slice; empty if not declared."""
    def effective_config(self) -> dict[str, Any] | None:
        """The config with presets resolved, or None."""
    def episode_log(self, index: int) -> dict[str, dict[str, NDArray[np.float64]]]:
        """Sub-env ``index``'s episode tables: ``{table: {column: float64 array}}``."""
    def render_ansi(self, index: int) -> str:
        """Sub-env ``index``'s state as text."""
    def render_rgb(self, index: int) -> NDArray[np.uint8]:
        """Sub-env ``index``'s state as an RGB image (H, W, 3)."""

# The two bases above exist only in this stub (one signature for every env);
# stubtest skips private names, so they need no allowlist.
@final
class CartPoleCore(_Core):
    """One ``ferrogym/CartPole-v1`` env in Rust (its Python env class wraps it)."""

@final
class CartPoleBatch(_Batch):
    """``ferrogym/CartPole-v1`` batched in Rust (its Python vector env wraps it)."""

@final
class GridWorldCore(_Core):
    """One ``ferrogym/GridWorld-v0`` env in Rust (its Python env class wraps it)."""

@final
class GridWorldBatch(_Batch):
    """``ferrogym/GridWorld-v0`` batched in Rust (its Python vector env wraps it)."""

@final
class CorridorCore(_Core):
    """One ``ferrogym/Corridor-v0`` env in Rust (its Python env class wraps it)."""

@final
class CorridorBatch(_Batch):
    """``ferrogym/Corridor-v0`` batched in Rust (its Python vector env wraps it)."""

@final
class TicketRoutingCore(_Core):
    """One ``ferrogym/TicketRouting-v0`` env in Rust (its Python env class wraps it)."""

@final
class TicketRoutingBatch(_Batch):
    """``ferrogym/TicketRouting-v0`` batched in Rust (its Python vector env wraps it)."""

@final
class PendulumCore(_Core):
    """One ``ferrogym/Pendulum-v1`` env in Rust (its Python env class wraps it)."""

@final
class PendulumBatch(_Batch):
    """``ferrogym/Pendulum-v1`` batched in Rust (its Python vector env wraps it)."""

@final
class BlackjackCore(_Core):
    """One ``ferrogym/Blackjack-v1`` env in Rust (its Python env class wraps it)."""

@final
class BlackjackBatch(_Batch):
    """``ferrogym/Blackjack-v1`` batched in Rust (its Python vector env wraps it)."""

@final
class PointMassCore(_Core):
    """One ``ferrogym/PointMass-v0`` env in Rust (its Python env class wraps it)."""

@final
class PointMassBatch(_Batch):
    """``ferrogym/PointMass-v0`` batched in Rust (its Python vector env wraps it)."""

@final
class CustomerSupportCore(_Core):
    """One ``ferrogym/CustomerSupport-v0`` env in Rust (its Python env class wraps it)."""

@final
class CustomerSupportBatch(_Batch):
    """``ferrogym/CustomerSupport-v0`` batched in Rust (its Python vector env wraps it)."""

@final
class ConnectFourCore(_Core):
    """One ``ferrogym/ConnectFour-v0`` env in Rust (its Python env class wraps it)."""

@final
class ConnectFourBatch(_Batch):
    """``ferrogym/ConnectFour-v0`` batched in Rust (its Python vector env wraps it)."""

@final
class MultiTeamTicketRoutingCore:
    """Several TicketRouting teams on one clock (one row per dispatcher)."""

    def __new__(cls, **kwargs: Any) -> Self: ...
    @staticmethod
    def default_config() -> dict[str, Any]:
        """The config's defaults as plain Python data."""
    @property
    def n_teams(self) -> int:
        """Teams (dispatchers) on the shared clock."""
    @property
    def n_actions(self) -> int:
        """Actions per dispatcher: engineer slots, then the hand-over actions."""
    def observation_space(self) -> dict[str, Any]:
        """One dispatcher's observation space (all share it)."""
    def action_space(self) -> dict[str, Any]:
        """One dispatcher's action space."""
    def obs_layout(self) -> list[dict[str, Any]]:
        """One dispatcher's observation, slice by slice."""
    def seed(self, seed: int) -> None:
        """Seeds the shared random generator."""
    def reset(self) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
        """Starts an episode; returns ``(obs[n_teams, obs_len], masks[n_teams, n_actions])``."""
    def step(
        self, actions: Any
    ) -> tuple[NDArray[np.float32], list[float], bool, bool, NDArray[np.bool_], list[dict[str, Any]]]:
        """Applies one action per dispatcher.

        Returns:
            ``(obs, rewards, terminated, truncated, masks, infos)``: the flags are shared (one clock),
            ``infos`` is one dict per team.

        Raises:
            InvalidAction: an action is out of range (or forbidden, when forbidden actions raise).
        """
    def action_masks(self) -> NDArray[np.bool_]:
        """Every dispatcher's allowed actions, (n_teams, n_actions)."""
    def observations(self) -> NDArray[np.float32]:
        """Every dispatcher's current observation, (n_teams, obs_len)."""
    def last_infos(self) -> list[dict[str, Any]]:
        """The last step's infos, one dict per team."""
    def deciding(self) -> list[bool]:
        """Whether each dispatcher has a ticket to route now."""
    def effective_config(self) -> Any:
        """The resolved config: every team's TicketRouting config and the hand-over rules."""
    def episode_log(self, team: int) -> dict[str, dict[str, NDArray[np.float64]]]:
        """Team ``team``'s episode tables (as TicketRouting's ``episode_log``)."""
    def get_state(self) -> Any:
        """The whole simulation's state as plain Python data."""
    def set_state(self, state: Any) -> None:
        """Restores a state from :meth:`get_state`.

        Raises:
            StateError: the state is invalid for this config.
        """
    def render_ansi(self) -> str:
        """Every team's desk as text."""

@final
class InventoryControlCore(_Core):
    """One ``ferrogym/InventoryControl-v0`` env in Rust (its Python env class wraps it)."""

@final
class InventoryControlBatch(_Batch):
    """``ferrogym/InventoryControl-v0`` batched in Rust (its Python vector env wraps it)."""

@final
class TicketRoutingPlanner:
    """The rollout planner's search, in Rust (see ``ferrogym.policies.planner.RolloutPlanner``).

    ``samples`` futures per candidate, ``horizon_minutes`` ahead, over the ``candidates`` engineers with
    the shortest expected delay, switching away from the base rule when better by ``z`` standard errors;
    ``reveal_work`` gives it every ticket's true work (the oracle). ``plan``, ``slack``, ``c`` and
    ``hold_minutes`` set the base rule it rolls out (``plan``: its engineer-type pairs, slot-major).

    Raises:
        ConfigError: a knob is out of range.
    """
    def __new__(
        cls,
        samples: int = 16,
        horizon_minutes: float = ...,
        candidates: int = 5,
        z: float = 1.0,
        reveal_work: bool = False,
        plan: list[bool] | None = None,
        slack: float = ...,
        c: float = 0.0,
        hold_minutes: float = ...,
    ) -> Self: ...
    def decide_batch(self, batch: TicketRoutingBatch, seeds: list[int]) -> NDArray[np.int64]:
        """The planner's action in every sub-env of ``batch``; sub-env i's futures come from ``seeds[i]``."""
    def values_batch(
        self, batch: TicketRoutingBatch, seeds: list[int], active: list[bool] | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Every action's mean paired cost-to-go difference against the base rule's choice, and its
        standard error, per sub-env: arrays ``(num_envs, n_actions)``, 0 at the base choice, NaN for
        actions not evaluated and for sub-envs with no pending decision (or not ``active``)."""
    def decide(self, env: TicketRoutingCore, seed: int) -> int:
        """The planner's action in a single env; its futures come from ``seed``."""
