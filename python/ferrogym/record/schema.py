"""What a recording holds: its metadata and one row per reset or transition.

Rows (one table, Parquet or HDF5):

=================  =========================  =====================================================
column             type                       content
=================  =========================  =====================================================
``episode``        int64                      episode id, unique in the file
``env_index``      int32                      sub-env of a batch (0 for a single env)
``step``           int32                      0 on the reset row, then 1, 2, ... per transition
``observation``    fixed-size list            the flattened observation (shape in the metadata)
``action``         fixed-size list, nullable  the action that led here (null on reset rows)
``reward``         float64, nullable          null on reset rows
``reward/NAME``    float64, nullable          one column per reward component (``info["reward_components"]``)
``terminated``     bool
``truncated``      bool
``seed``           int64, nullable            the seed passed to reset, if any
``info``           JSON string                the rest of the info dict
``state``          JSON string, nullable      ``env.get_state()`` (reset rows, or every row with states="all")
``episode_log``    JSON string, nullable      ``env.episode_log()`` on an episode's last row, when non-empty
=================  =========================  =====================================================
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ferrogym.errors import RecordingError
from ferrogym.rust_config import RustEnvConfig

FORMAT = "ferrogym.recording"
VERSION = 1
#: Key of the metadata JSON in the Parquet schema / HDF5 attributes.
META_KEY = "ferrogym"
COMPONENT_PREFIX = "reward/"
FIXED_COLUMNS = (
    "episode",
    "env_index",
    "step",
    "observation",
    "action",
    "reward",
    "terminated",
    "truncated",
    "seed",
    "info",
    "state",
    "episode_log",
)


@dataclass(frozen=True)
class RecordingMeta:
    """Facts about the run, stored once in the file."""

    env_id: str
    env_kwargs: dict[str, Any]
    obs_shape: tuple[int, ...]
    obs_dtype: str
    action_shape: tuple[int, ...]
    action_dtype: str
    num_envs: int = 1
    components: tuple[str, ...] = ()
    format: str = FORMAT
    version: int = VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def obs_size(self) -> int:
        """Numbers in one observation."""
        return math.prod(self.obs_shape)

    @property
    def action_size(self) -> int:
        """Numbers in one action."""
        return math.prod(self.action_shape)

    def to_json(self) -> str:
        """Returns the metadata as JSON text, as stored in the file."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes, where: str) -> RecordingMeta:
        """Parses stored metadata; ``where`` names the file in error messages.

        Raises:
            RecordingError: the text is not ferrogym recording metadata, or is of another format version.
        """
        try:
            d = json.loads(text)
            if d.get("format") != FORMAT:
                raise ValueError(f"format {d.get('format')!r}")
            if d.get("version") != VERSION:
                raise RecordingError(
                    f"{where}: recording format version {d.get('version')}; this ferrogym reads version {VERSION}"
                )
            d["obs_shape"] = tuple(d["obs_shape"])
            d["action_shape"] = tuple(d["action_shape"])
            d["components"] = tuple(d["components"])
            return cls(**d)
        except RecordingError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise RecordingError(f"{where}: not a ferrogym recording (metadata unreadable: {e})") from None

    def check_same_env(self, other: RecordingMeta, where: str) -> None:
        """Appending ``other``'s rows to a file with this metadata must not mix envs."""
        mine = (self.env_id, self.obs_shape, self.obs_dtype, self.action_shape, self.action_dtype)
        theirs = (other.env_id, other.obs_shape, other.obs_dtype, other.action_shape, other.action_dtype)
        if mine != theirs:
            raise RecordingError(
                f"{where}: holds a recording of {self.env_id} (observation {self.obs_shape} {self.obs_dtype}, "
                f"action {self.action_shape} {self.action_dtype}); cannot append {other.env_id} "
                f"(observation {other.obs_shape} {other.obs_dtype}, action {other.action_shape} {other.action_dtype})"
            )


def jsonable(value: Any) -> Any:
    """``json.dumps`` default: numpy values, dataclasses and configs as plain data."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, RustEnvConfig):
        return value.kwargs()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: Any) -> str | None:
    """JSON text of ``value``, or None when it cannot be written as JSON."""
    try:
        return json.dumps(value, default=jsonable)
    except (TypeError, ValueError):
        return None
