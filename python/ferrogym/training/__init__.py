"""The training service: one algorithm vocabulary, one set of default
hyper-parameters, one model format on disk and one way back from a saved
model to a policy, for ``ferrogym train``, the dashboard and scripts.

>>> from ferrogym.training import TrainRequest, train, load_policy      # doctest: +SKIP
>>> train(TrainRequest("TicketRouting-v0", algo="batch-ppo", timesteps=500_000), Path("runs/r"))  # doctest: +SKIP
>>> policy = load_policy("runs/r")                                     # doctest: +SKIP
>>> action = policy(obs, mask)                                          # doctest: +SKIP

Submodules: :mod:`~ferrogym.training.algorithms` (the registry),
:mod:`~ferrogym.training.hyperparams` (defaults and config files),
:mod:`~ferrogym.training.model_files` (the format),
:mod:`~ferrogym.training.policy` (the adapter),
:mod:`~ferrogym.training.service` (train, stop, save),
:mod:`~ferrogym.training.batch_ppo` (the large-batch learner).
"""

from __future__ import annotations

from ferrogym.evaluation import DispatchPolicy as Policy
from ferrogym.training.algorithms import ALGORITHMS, ARCHS, MASKED_ALGOS, Algorithm, algorithm, check_fits
from ferrogym.training.model_files import META_FILE, MODEL_FILE, list_models, load_model, read_meta
from ferrogym.training.policy import ModelPolicy, load_policy
from ferrogym.training.service import Reporter, TrainRequest, TrainResult, prepare, train

__all__ = [
    "ALGORITHMS",
    "ARCHS",
    "MASKED_ALGOS",
    "META_FILE",
    "MODEL_FILE",
    "Algorithm",
    "ModelPolicy",
    "Policy",
    "Reporter",
    "TrainRequest",
    "TrainResult",
    "algorithm",
    "check_fits",
    "list_models",
    "load_model",
    "load_policy",
    "prepare",
    "read_meta",
    "train",
]
