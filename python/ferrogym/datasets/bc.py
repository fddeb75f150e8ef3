"""A router learned from data: behaviour cloning of the engineer scorer on a
Minari dataset of TicketRouting decisions, and its KPI comparison with the
policy that produced the data.

The fit is :func:`ferrogym.policies.warm_start.imitate` (masked
cross-entropy on the chosen engineer, plus the value head on the discounted
return-to-go) on a MaskablePPO model with
:class:`~ferrogym.policies.engineer_scorer.EngineerScorerPolicy`, so the
result is an ordinary ``ferrogym train`` model: PPO can fine-tune it and
``ferrogym evaluate --policy DIR`` reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ferrogym import kpi
from ferrogym.datasets import store
from ferrogym.errors import DatasetError
from ferrogym.evaluation import DEFAULT_ENV, DispatchPolicy, Report, evaluate
from ferrogym.policies.warm_start import Demonstrations, imitate
from ferrogym.training.algorithms import algorithm
from ferrogym.training.model_files import MODEL_FILE, write_meta
from ferrogym.training.policy import ModelPolicy

if TYPE_CHECKING:
    from minari import MinariDataset

ALGO = "maskable-ppo"


def demonstrations(dataset: MinariDataset, gamma: float, max_decisions: int | None = None) -> Demonstrations:
    """Every decision of a TicketRouting dataset (observation, mask, action) and
    its discounted return-to-go; ``max_decisions`` stops after that many
    (whole episodes, in the dataset's order)."""
    store.require_env(dataset, DEFAULT_ENV)
    obs, masks, actions, returns = [], [], [], []
    total = 0
    for ep in store.episodes(dataset):
        if max_decisions is not None and total >= max_decisions:
            break
        t = len(ep)
        m = store.masks_of(dataset, ep)
        r = np.asarray(ep.rewards, dtype=np.float64)
        g = np.zeros(t)
        acc = 0.0
        for i in range(t - 1, -1, -1):
            acc = r[i] + gamma * acc
            g[i] = acc
        obs.append(np.asarray(ep.observations[:-1], dtype=np.float32))
        masks.append(m[:-1])
        actions.append(np.asarray(ep.actions, dtype=np.int64))
        returns.append(g.astype(np.float32))
        total += t
    if total == 0:
        raise DatasetError(f"{store.data_file(dataset)}: dataset {dataset.id!r} holds no decisions to learn from")
    return Demonstrations(
        obs=np.concatenate(obs),
        masks=np.concatenate(masks),
        actions=np.concatenate(actions),
        returns=np.concatenate(returns),
    )


@dataclass
class Clone:
    """A behaviour-cloned router: the model as a dispatch policy, and the fit."""

    policy: ModelPolicy
    fit: dict[str, float]
    env_kwargs: dict[str, Any]
    teacher: str

    def save(self, out: str | Path, dataset_id: str) -> Path:
        """``model.zip`` and ``meta.json`` in ``out``, as ``ferrogym train`` writes them."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        self.policy.model.save(str(out / MODEL_FILE))
        meta = {
            "algo": ALGO,
            "env_id": DEFAULT_ENV,
            "env_kwargs": self.env_kwargs,
            "timesteps": 0,  # no RL steps: fitted to the dataset's decisions
            "policy_arch": "scorer",
            "behaviour_cloning": {"dataset": dataset_id, "teacher": self.teacher, **self.fit},
        }
        write_meta(out, meta)
        return out


def clone(
    dataset: MinariDataset,
    *,
    epochs: int = 3,
    batch_size: int = 4096,
    lr: float = 1e-3,
    hidden: int = 64,
    gamma: float = 0.99,
    seed: int = 0,
    max_decisions: int | None = None,
) -> Clone:
    """Fits the engineer scorer to the dataset's decisions."""
    from ferrogym.policies.engineer_scorer import EngineerScorerPolicy, scorer_policy_kwargs

    demos = demonstrations(dataset, gamma, max_decisions)
    env = dataset.recover_environment()
    model = algorithm(ALGO).model_class()(
        EngineerScorerPolicy,
        env,
        policy_kwargs=scorer_policy_kwargs(env.unwrapped.obs_layout, hidden=hidden),
        gamma=gamma,
        seed=seed,
        device="cpu",
        verbose=0,
    )
    fit = imitate(model, demos, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    teacher = str(store.facts(dataset).get("policy", dataset.storage.metadata.get("algorithm_name", "")))
    env_kwargs = dict(dataset.env_spec.kwargs)
    return Clone(ModelPolicy(model, ALGO, name=f"bc:{teacher}"), fit, env_kwargs, teacher)


def compare(
    student: DispatchPolicy, teacher: DispatchPolicy, seeds: Sequence[int], env_kwargs: dict[str, Any]
) -> tuple[Report, kpi.Interval]:
    """Both policies on the same seeds; the paired difference student - teacher
    of the primary KPI (weighted resolution, minutes; lower is better)."""
    report = evaluate({teacher.name: teacher, student.name: student}, seeds, DEFAULT_ENV, **env_kwargs)
    diff = report.paired_vs(teacher.name)[student.name][kpi.PRIMARY]
    return report, diff
