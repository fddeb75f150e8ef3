"""RLlib (new API stack): PPO on a local Ray instance with 2 env runners, started and stopped here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("ray.rllib")

import ray

from ferrogym.integrations.rllib import make_env, register_envs, train

from .envs import ALL_IDS, BOX_ACTION_IDS, ENV_IDS, FLATTEN_IDS, TUPLE_OBS_IDS

pytestmark = [pytest.mark.slow, pytest.mark.ray]
MODES = {"batched": "vector_entry_point", "single": "sync"}


def _flatten(env: Any, spaces: Any = None, device: Any = None) -> Any:
    from ray.rllib.connectors.env_to_module import FlattenObservations

    return FlattenObservations()


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize(
    ("env_id", "mode"),
    [
        pytest.param(e, m, marks=pytest.mark.compat(library="rllib-PPO", env=e, mode=m))
        for e in ENV_IDS + BOX_ACTION_IDS + TUPLE_OBS_IDS
        for m in ("single", "batched")
    ],
)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # RLlib's own deprecations
def test_rllib__ppo_trains_with_two_env_runners(local_ray: None, env_id: str, mode: str) -> None:
    # RLlib's default modules take flat observations: its own FlattenObservations
    # connector one-hot encodes Tuple ones (Blackjack) and reshapes ConnectFour's
    # planes (no default network for (2, 6, 7)) inside the runners.
    overrides = {"env_to_module_connector": _flatten} if env_id in FLATTEN_IDS else {}
    result, algo = train(
        env_id,
        iterations=1,
        num_env_runners=2,
        num_envs_per_env_runner=4,
        vectorize_mode=MODES[mode],
        rollout_fragment_length=50,
        num_epochs=1,
        overrides=overrides,
    )
    try:
        assert result.env_steps >= 400
        if mode == "batched":
            kinds = algo.env_runner_group.foreach_env_runner(
                lambda r: type(r.env.unwrapped).__name__, local_env_runner=False
            )
            assert all(k.endswith("VectorEnv") and k != "SyncVectorEnv" for k in kinds), kinds
    finally:
        algo.stop()


def test_rllib__creator_takes_one_config_dict() -> None:
    single = make_env({"env_id": "ferrogym/TicketRouting-v0", "scenario": "specialists"})
    batch = make_env({"env_id": "ferrogym/TicketRouting-v0", "num_envs": 3})
    assert single.unwrapped.config.invalid_action == "fallback"
    assert type(batch).__name__ == "TicketRoutingVectorEnv" and batch.num_envs == 3
    with pytest.raises(ValueError, match="env_id"):
        make_env({"num_envs": 2})


def test_rllib__register_envs_registers_every_id(local_ray: None) -> None:
    from ray.tune.registry import ENV_CREATOR, _global_registry

    ids = register_envs()
    assert ids == ALL_IDS
    creator: Any = _global_registry.get(ENV_CREATOR, "ferrogym/CartPole-v1")
    assert creator({"num_envs": 2}).num_envs == 2
