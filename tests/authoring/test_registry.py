from __future__ import annotations

import gymnasium as gym
import pytest
from inventory import InventoryEnv

import ferrogym
from ferrogym.errors import RegistrationError


@pytest.mark.usefixtures("clean_registry")
def test_register__decorated_class_is_made_by_id_with_defaults() -> None:
    ferrogym.register("testlab/Shop-v0", max_episode_steps=5, capacity=4)(InventoryEnv)
    env = gym.make("testlab/Shop-v0")
    assert env.spec is not None
    assert env.spec.max_episode_steps == 5
    assert env.unwrapped.config.capacity == 4


@pytest.mark.usefixtures("clean_registry")
def test_register__same_class_twice_is_a_no_op_another_class_is_an_error() -> None:
    ferrogym.register("testlab/Shop-v0")(InventoryEnv)
    ferrogym.register("testlab/Shop-v0")(InventoryEnv)

    class Other(InventoryEnv):
        pass

    with pytest.raises(RegistrationError, match=r"testlab/Shop-v0 is already registered .*inventory:InventoryEnv"):
        ferrogym.register("testlab/Shop-v0")(Other)


@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize(
    ("env_id", "kwargs", "match"),
    [
        ("bad id!", {}, "invalid env id 'bad id!'"),
        ("testlab/Shop-v0", {"max_episode_steps": 0}, "invalid max_episode_steps 0"),
    ],
)
def test_register__bad_ids_and_limits_are_named(env_id: str, kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(RegistrationError, match=match):
        ferrogym.register(env_id, **kwargs)(InventoryEnv)


@pytest.mark.usefixtures("clean_registry")
def test_register__versions_follow_gymnasium_rules() -> None:
    ferrogym.register("testlab/Shop-v0")(InventoryEnv)
    with pytest.raises(RegistrationError, match="unversioned environment `testlab/Shop`"):
        ferrogym.register("testlab/Shop")(InventoryEnv)
    with pytest.raises(RegistrationError, match=r"can only register gymnasium\.Env subclasses"):
        ferrogym.register("testlab/Thing-v0")(int)  # type: ignore[type-var]
