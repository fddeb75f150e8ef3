"""Live env sessions the Environments and Scenarios pages step by hand.

Each session is one ``gym.make`` env in ``rgb_array`` mode, with the seed and
actions since its last reset (so it can be saved as a recording) and the
episode's reward totals. A lock per session serialises steps from several
tabs; the store caps how many sessions exist.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.web.adapters import policies, transcript
from ferrogym.web.adapters.recordings import Recording
from ferrogym.web.env_factory import action_mask, checked_action, has_mask, make_env
from ferrogym.web.exceptions import CapReached, NotFound
from ferrogym.web.jsonable import jsonable
from ferrogym.web.png import data_url
from ferrogym.web.settings import Limits


@dataclass
class Session:
    """One env opened from the dashboard, with its episode so far (actions, rewards, transcript)."""

    id: str
    env_id: str
    config: dict[str, Any]
    env: gym.Env[Any, Any]
    #: Steps an episode may take here (Limits.max_episode_steps): it bounds the kept actions.
    max_steps: int = 100_000
    #: The address that opened it (per-client cap) and when it was last used (idle timeout).
    client: str = ""
    touched: float = field(default_factory=time.monotonic)
    seed: int | None = None
    policy_seed: int = 0
    obs: Any = None
    step: int = 0
    episode_return: float = 0.0
    terminated: bool = False
    truncated: bool = False
    reward: float | None = None
    components: dict[str, float] = field(default_factory=dict)
    episode_components: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    actions: list[Any] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    policy_names: set[str] = field(default_factory=set)
    #: Policies used in this session, kept across steps (some remember the episode so far).
    policy_cache: dict[str, policies.PolicyFn] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, seed: int | None) -> None:
        """Resets the env with ``seed`` and forgets the episode so far."""
        self.obs, info = self.env.reset(seed=seed)
        self.seed = seed
        self.step, self.episode_return, self.reward = 0, 0.0, None
        self.terminated = self.truncated = False
        self.components, self.episode_components, self.info = {}, {}, jsonable(info)
        self.actions, self.rewards, self.policy_names, self.transcript = [], [], set(), []
        for policy in self.policy_cache.values():
            policies.start_episode(policy)

    def act(self, action: Any) -> None:
        """Steps the env with ``action`` and records the transition.

        Raises:
            ValueError: the episode has ended.
            CapReached: the episode reached ``max_steps``.
        """
        if self.terminated or self.truncated:
            raise ValueError(f"{self.env_id}: the episode has ended; reset the env first")
        if self.step >= self.max_steps:
            raise CapReached(f"{self.env_id}: the episode reached {self.max_steps} steps (the cap); reset the env")
        value = np.asarray(action, dtype=self.env.action_space.dtype) if isinstance(action, list) else action
        obs, reward, terminated, truncated, info = self.env.step(value)
        self.obs, self.reward = obs, float(reward)
        self.terminated, self.truncated = bool(terminated), bool(truncated)
        self.step += 1
        self.episode_return += self.reward
        self.components = {k: float(v) for k, v in info.get("reward_components", {}).items()}
        for k, v in self.components.items():
            self.episode_components[k] = self.episode_components.get(k, 0.0) + v
        self.info = jsonable({k: v for k, v in info.items() if k != "reward_components"})
        self.actions.append(jsonable(action))
        self.rewards.append(self.reward)
        if transcript.has_transcript(self.env):
            self.transcript.append(
                transcript.turn(
                    self.env, self.step, value, obs, self.reward, self.components, info, self.terminated, self.truncated
                )
            )

    def act_from_client(self, action: Any) -> None:
        """Steps with an action a client sent, refused unless the action space contains it."""
        self.act(checked_action(self.env_id, self.env.action_space, action))

    def act_with(self, policy_name: str) -> None:
        """Steps with the action of policy ``policy_name``, made once per session so it keeps its memory."""
        policy = self.policy_cache.get(policy_name)
        if policy is None:
            # Made once per session: a policy that remembers the episode so far
            # (the support rule's last strategy) keeps it between steps.
            policy = policies.make_policy(policy_name, self.env, seed=self.policy_seed)
            self.policy_cache[policy_name] = policy
        self.policy_names.add(policy_name)
        self.act(policy(np.asarray(self.obs), action_mask(self.env) if has_mask(self.env) else None))

    @property
    def done(self) -> bool:
        """Whether the episode has ended."""
        return self.terminated or self.truncated

    def recording(self) -> Recording:
        """Returns the episode so far as a :class:`Recording`."""
        policy = ",".join(sorted(self.policy_names)) or "manual"
        return Recording(self.env_id, self.config, self.seed, list(self.actions), list(self.rewards), policy)

    def view(self) -> dict[str, Any]:
        """Returns the session's state and rendered frame, as the API's ``EnvState``."""
        mask = action_mask(self.env)
        frame = self.env.render()
        return {
            "session": self.id,
            "env_id": self.env_id,
            "config": jsonable(self.config),
            "seed": self.seed,
            "step": self.step,
            "episode_return": self.episode_return,
            "terminated": self.terminated,
            "truncated": self.truncated,
            "reward": self.reward,
            "reward_components": self.components,
            "episode_components": self.episode_components,
            "info": self.info,
            "observation": jsonable(np.asarray(self.obs)),
            "action_mask": None if mask is None else mask.tolist(),
            "frame": data_url(frame) if isinstance(frame, np.ndarray) else None,
            "policies": policies.policy_names(self.env),
            "transcript": self.transcript,
        }


class SessionStore:
    """The live sessions, capped in total and per client address; a session
    nobody used for ``limits.env_idle_seconds`` is closed (:meth:`expire`)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def _check_room(self, client: str) -> None:
        cap, per_client = self.limits.max_envs, self.limits.max_envs_per_client
        if len(self.sessions) >= cap:
            raise CapReached(f"too many envs open ({cap}, the cap); close one first")
        if sum(s.client == client for s in self.sessions.values()) >= per_client:
            raise CapReached(f"{client or 'this client'} has {per_client} envs open (the cap per client); close one")

    def create(self, env_id: str, config: dict[str, Any], seed: int | None, client: str = "") -> Session:
        """Opens a session on ``env_id`` with ``config`` for client address ``client``, reset with ``seed``.

        Raises:
            CapReached: the total or per-client cap on sessions is reached.
            NotFound: ``env_id`` is not registered.
        """
        self.expire()
        with self._lock:
            self._check_room(client)
        env = make_env(env_id, config, max_episode_steps=self.limits.max_episode_steps)
        session = Session(
            uuid.uuid4().hex[:12], env_id, dict(config), env, self.limits.max_episode_steps, client, self.clock()
        )
        try:
            session.reset(seed)
        except Exception:
            env.close()
            raise
        with self._lock:
            try:
                self._check_room(client)
            except CapReached:
                env.close()
                raise
            self.sessions[session.id] = session
        return session

    def get(self, session_id: str) -> Session:
        """Returns session ``session_id`` and marks it used.

        Raises:
            NotFound: no such session (closed, or idle past the timeout).
        """
        try:
            session = self.sessions[session_id]
        except KeyError:
            raise NotFound(f"no env session {session_id!r} (closed, or idle past the timeout)") from None
        session.touched = self.clock()
        return session

    def close(self, session_id: str) -> None:
        """Closes session ``session_id`` and its env.

        Raises:
            NotFound: no such session.
        """
        with self._lock:
            session = self.sessions.pop(session_id, None)
        if session is None:
            raise NotFound(f"no env session {session_id!r}")
        session.env.close()

    def expire(self) -> list[str]:
        """Closes the sessions idle past ``env_idle_seconds``; returns their ids."""
        deadline = self.clock() - self.limits.env_idle_seconds
        with self._lock:
            idle = [s for s in self.sessions.values() if s.touched < deadline and not s.lock.locked()]
            for s in idle:
                del self.sessions[s.id]
        for s in idle:
            s.env.close()
        return [s.id for s in idle]

    async def run_expiry(self, period: float = 5.0) -> None:
        """Closes idle sessions every ``period`` seconds, for as long as the server runs."""
        while True:
            await asyncio.sleep(period)
            await asyncio.to_thread(self.expire)

    def close_all(self) -> None:
        """Closes every session and its env."""
        with self._lock:
            sessions, self.sessions = list(self.sessions.values()), {}
        for s in sessions:
            s.env.close()
