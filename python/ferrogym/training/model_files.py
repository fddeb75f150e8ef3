"""The model format on disk, shared by ``ferrogym train``, the dashboard and
:func:`ferrogym.training.load_policy`: a run directory holding

- ``model.zip``: the Stable-Baselines3 model (``batch-ppo`` saves a MaskablePPO);
- ``meta.json``: what made it: ``algo`` (a name of
  :data:`~ferrogym.training.algorithms.ALGORITHMS`), ``env_id``,
  ``env_kwargs``, ``timesteps``, ``policy_arch``, ``hyperparameters``, ``seed``,
  ``n_envs``, ``created`` (Unix time) and how the run ended (``stopped``).

The dashboard lists the run directories under its models folder, so a model
trained with ``ferrogym train --out MODELS/NAME`` is one of its models.
"""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path
from typing import Any

from ferrogym.errors import ModelFileError
from ferrogym.training.algorithms import ALGORITHMS

META_FILE = "meta.json"
MODEL_FILE = "model.zip"
#: Keys every meta.json has.
REQUIRED = ("algo", "env_id", "env_kwargs", "timesteps")


def model_file(path: str | Path) -> Path:
    """``model.zip`` of a run directory (or the path itself when it is the file)."""
    p = Path(path)
    return p / MODEL_FILE if p.is_dir() else p


def read_meta(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The model file and its checked metadata, for a run directory or its
    ``model.zip``; a :class:`ModelFileError` naming the file otherwise."""
    model = model_file(path)
    if not model.is_file():
        raise ModelFileError(f"no model at {model} (expected a run directory of `ferrogym train` or its {MODEL_FILE})")
    meta_path = model.parent / META_FILE
    try:
        meta = json.loads(meta_path.read_text())
    except FileNotFoundError:
        raise ModelFileError(f"{model}: no {META_FILE} beside it; not a model saved by ferrogym") from None
    except (OSError, ValueError) as e:
        raise ModelFileError(f"{meta_path} is not readable JSON ({e})") from None
    if not isinstance(meta, dict) or any(k not in meta for k in REQUIRED):
        raise ModelFileError(f"{meta_path} is not ferrogym model metadata: it needs the keys {list(REQUIRED)}")
    if meta["algo"] not in ALGORITHMS:
        raise ModelFileError(f"{meta_path}: unknown algorithm {meta['algo']!r}; expected one of {list(ALGORITHMS)}")
    if not zipfile.is_zipfile(model):
        raise ModelFileError(f"{model} is not a model archive (not a zip file)")
    return model, meta


def write_meta(directory: Path, meta: dict[str, Any]) -> Path:
    """Writes ``meta.json`` (with ``created``) into ``directory``."""
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ValueError(f"model metadata lacks {missing}")
    path = directory / META_FILE
    path.write_text(json.dumps({"created": time.time(), **meta}, indent=1))
    return path


def load_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """The SB3 model saved at ``path`` (a run directory or its ``model.zip``) and its metadata."""
    model_path, meta = read_meta(path)
    cls = ALGORITHMS[meta["algo"]].model_class()
    try:
        model = cls.load(str(model_path), device="cpu")
    except Exception as e:  # a foreign archive fails anywhere inside SB3's loader (even an assert)
        raise ModelFileError(f"{model_path} is not a readable {meta['algo']} model ({type(e).__name__}: {e})") from None
    return model, meta


def list_models(root: Path) -> list[dict[str, Any]]:
    """The metadata of every model directly under ``root`` (``name``: the
    directory's name), skipping folders that hold no readable model."""
    out = []
    for directory in sorted(p for p in root.glob("*") if p.is_dir()):
        try:
            _, meta = read_meta(directory)
        except ModelFileError:
            continue
        out.append({"name": directory.name, **meta})
    return out
