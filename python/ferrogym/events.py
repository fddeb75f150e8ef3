"""Environment events (observer pattern): loggers, recorders and debuggers
subscribe to an env's reset/step/close instead of subclassing it.

Zero cost when nobody subscribes: an env checks one truthy list before it
builds an event, so the step path does no allocation for events then.

    env = InventoryEnv()
    unsubscribe = env.events.subscribe(lambda e: print(e.kind, e.reward))

:class:`Observe` gives any env (a Rust one too) the same ``events`` hub.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import gymnasium as gym

EventKind = Literal["reset", "step", "close"]


@dataclass(frozen=True)
class Event:
    """One transition (``step``), a new episode (``reset``) or the end (``close``).

    ``action``/``reward``/flags are ``None`` for ``reset`` and ``close``; ``step``
    is the number of steps taken in the episode after this event.
    """

    kind: EventKind
    env_id: str
    step: int
    observation: Any = None
    action: Any = None
    reward: float | None = None
    terminated: bool | None = None
    truncated: bool | None = None
    info: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]


class EventHub:
    """The subscribers of one env. ``bool(hub)`` is False when nobody listens,
    which is the only test an env makes on its hot path."""

    __slots__ = ("_subscribers",)

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def __bool__(self) -> bool:
        return bool(self._subscribers)

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Adds ``subscriber``; returns a function that removes it again."""
        if not callable(subscriber):
            raise TypeError(f"an event subscriber must be callable, got {subscriber!r}")
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def emit(self, event: Event) -> None:
        """Calls every subscriber with ``event``, in subscription order."""
        # A copy, so a subscriber may unsubscribe itself while being called.
        for subscriber in tuple(self._subscribers):
            subscriber(event)


def env_id_of(env: gym.Env[Any, Any]) -> str:
    """The registered id when there is one, else the class name (for messages)."""
    spec = getattr(env, "spec", None)
    return spec.id if spec is not None else type(env.unwrapped).__name__


class Observe(gym.Wrapper[Any, Any, Any, Any]):
    """Adds an :class:`EventHub` to any env (Rust envs included).

    >>> import gymnasium as gym, ferrogym
    >>> env = Observe(gym.make("ferrogym/CartPole-v1"))
    >>> seen = []
    >>> _ = env.events.subscribe(lambda e: seen.append(e.kind))
    >>> _ = env.reset(seed=0); _ = env.step(0); env.close()
    >>> seen
    ['reset', 'step', 'close']
    """

    def __init__(self, env: gym.Env[Any, Any]) -> None:
        super().__init__(env)
        self.events = EventHub()
        self._steps = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets the wrapped env and emits a ``reset`` event."""
        obs, info = self.env.reset(seed=seed, options=options)
        self._steps = 0
        if self.events:
            self.events.emit(Event("reset", env_id_of(self), 0, observation=obs, info=info))
        return obs, info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        """Steps the wrapped env and emits a ``step`` event with the transition."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._steps += 1
        if self.events:
            self.events.emit(
                Event("step", env_id_of(self), self._steps, obs, action, float(reward), terminated, truncated, info)
            )
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        """Emits a ``close`` event and closes the wrapped env."""
        if self.events:
            self.events.emit(Event("close", env_id_of(self), self._steps))
        super().close()
