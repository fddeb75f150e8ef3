"""Rows in memory: a :class:`Block` of rows, joined and split by episode."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass
class Block:
    """``n`` rows; ``step == 0`` marks reset rows, whose action/reward are null."""

    episode: NDArray[np.int64]
    env_index: NDArray[np.int32]
    step: NDArray[np.int32]
    observation: NDArray[Any]  # (n, obs_size)
    action: NDArray[Any]  # (n, action_size); ignored on reset rows
    reward: NDArray[np.float64]
    terminated: NDArray[np.bool_]
    truncated: NDArray[np.bool_]
    seed: list[int | None]
    info: list[str]
    state: list[str | None]
    episode_log: list[str | None]
    components: dict[str, NDArray[np.float64]]  # NaN = absent

    def __len__(self) -> int:
        return len(self.episode)

    def select(self, rows: NDArray[np.bool_]) -> Block:
        """The rows where ``rows`` is True."""
        picked = np.flatnonzero(rows)
        fields: dict[str, Any] = {}
        for name in Block.__dataclass_fields__:
            value = getattr(self, name)
            if name == "components":
                fields[name] = {k: v[picked] for k, v in value.items()}
            elif isinstance(value, list):
                fields[name] = [value[i] for i in picked]
            else:
                fields[name] = value[picked]
        return Block(**fields)


def concat(blocks: list[Block], components: tuple[str, ...]) -> Block:
    """One block of ``blocks``' rows, with a column (NaN where absent) for each of ``components``."""

    def cat(name: str) -> Any:
        first = getattr(blocks[0], name)
        if isinstance(first, list):
            return [v for b in blocks for v in getattr(b, name)]
        return np.concatenate([getattr(b, name) for b in blocks])

    comps = {c: np.concatenate([b.components.get(c, np.full(len(b), np.nan)) for b in blocks]) for c in components}
    return Block(**{f: cat(f) for f in Block.__dataclass_fields__ if f != "components"}, components=comps)


def component_names(blocks: list[Block]) -> tuple[str, ...]:
    """Returns the reward component names of ``blocks``, each once, in order of first appearance."""
    return tuple(dict.fromkeys(n for b in blocks for n in b.components))


def move_extra_components(block: Block, known: tuple[str, ...]) -> None:
    """Components the file has no column for go into the info JSON."""
    extra = [c for c in block.components if c not in known]
    for i in range(len(block)):
        values = {c: float(block.components[c][i]) for c in extra if not np.isnan(block.components[c][i])}
        if values:
            info = json.loads(block.info[i])
            info["reward_components"] = values
            block.info[i] = json.dumps(info)
    for c in extra:
        del block.components[c]
