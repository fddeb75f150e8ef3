"""Live env sessions the Environments and Scenarios pages step by hand.

Each session is one ``gym.make`` env in ``rgb_array`` mode, with the seed and
actions since its last reset (so it can be saved as a recording) and the
episode's reward totals. A lock per session serialises steps from several
tabs; the store caps how many sessions exist.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.envs.catalogue import env_ids
from ferrogym.errors import FerrogymError
from ferrogym.web.adapters import policies, transcript
from ferrogym.web.adapters.recordings import Recording
from ferrogym.web.exceptions import CapReached, NotFound
from ferrogym.web.jsonable import jsonable
from ferrogym.web.png import data_url


def check_env_id(env_id: str) -> None:
    known = env_ids()
    if env_id not in known:
        raise NotFound(f"unknown env id {env_id!r}; expected one of {known}")


def make_env(env_id: str, config: dict[str, Any], render: bool = True) -> gym.Env[Any, Any]:
    check_env_id(env_id)
    try:
        return gym.make(env_id, render_mode="rgb_array" if render else None, disable_env_checker=True, **config)
    except FerrogymError:
        raise
    except TypeError as e:  # an unknown keyword argument
        raise ValueError(f"{env_id}: invalid config: {e}") from None


def action_mask(env: gym.Env[Any, Any]) -> np.ndarray[Any, Any] | None:
    masks = getattr(env.unwrapped, "action_masks", None)
    if masks is None:
        return None
    try:
        return np.asarray(masks(), dtype=bool)
    except NotImplementedError:
        return None


def has_mask(env: gym.Env[Any, Any]) -> bool:
    mask = action_mask(env)
    return mask is not None and mask.size > 0 and not bool(mask.all())


@dataclass
class Session:
    id: str
    env_id: str
    config: dict[str, Any]
    env: gym.Env[Any, Any]
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
        self.obs, info = self.env.reset(seed=seed)
        self.seed = seed
        self.step, self.episode_return, self.reward = 0, 0.0, None
        self.terminated = self.truncated = False
        self.components, self.episode_components, self.info = {}, {}, jsonable(info)
        self.actions, self.rewards, self.policy_names, self.transcript = [], [], set(), []
        for policy in self.policy_cache.values():
            policies.start_episode(policy)

    def act(self, action: Any) -> None:
        if self.terminated or self.truncated:
            raise ValueError(f"{self.env_id}: the episode has ended; reset the env first")
        space = self.env.action_space
        if isinstance(space, gym.spaces.Discrete) and isinstance(action, float):
            raise ValueError(f"{self.env_id}: action {action!r} is not an integer; expected one of {space}")
        value = np.asarray(action, dtype=space.dtype) if isinstance(action, list) else action
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

    def act_with(self, policy_name: str) -> None:
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
        return self.terminated or self.truncated

    def recording(self) -> Recording:
        policy = ",".join(sorted(self.policy_names)) or "manual"
        return Recording(self.env_id, self.config, self.seed, list(self.actions), list(self.rewards), policy)

    def view(self) -> dict[str, Any]:
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
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, env_id: str, config: dict[str, Any], seed: int | None) -> Session:
        with self._lock:
            if len(self.sessions) >= self.cap:
                raise CapReached(f"too many envs open ({self.cap}, the cap); close one first")
        env = make_env(env_id, config)
        session = Session(uuid.uuid4().hex[:12], env_id, dict(config), env)
        try:
            session.reset(seed)
        except Exception:
            env.close()
            raise
        with self._lock:
            if len(self.sessions) >= self.cap:
                env.close()
                raise CapReached(f"too many envs open ({self.cap}, the cap); close one first")
            self.sessions[session.id] = session
        return session

    def get(self, session_id: str) -> Session:
        try:
            return self.sessions[session_id]
        except KeyError:
            raise NotFound(f"no env session {session_id!r}") from None

    def close(self, session_id: str) -> None:
        with self._lock:
            session = self.sessions.pop(session_id, None)
        if session is None:
            raise NotFound(f"no env session {session_id!r}")
        session.env.close()

    def close_all(self) -> None:
        with self._lock:
            sessions, self.sessions = list(self.sessions.values()), {}
        for s in sessions:
            s.env.close()
