"""A permutation-equivariant actor-critic for routing envs with one observation
row per engineer slot (TicketRouting), for sb3-contrib's MaskablePPO.

A flat MLP must learn the same rule once per slot; here one shared network
scores every engineer row from that row, the ticket and global context, and a
pooled summary of the whole team (so a row's score can depend on the others,
e.g. "the best skill among the free engineers"):

- ``h_i = encoder([row_i, globals])`` for every slot ``i``;
- ``pool = [masked mean of h, masked max of h]`` over present slots;
- ``logit_i = scorer([h_i, pool])``: one logit per slot (MaskablePPO masks them);
- ``value = critic([pool, globals])``.

Permuting the engineer rows permutes the logits the same way and leaves the
value unchanged. The split of the flat observation into rows and globals is
read from the env's ``obs_layout`` (passed as ``layout``, plain data so that
saved models reload), never from hard-coded offsets.

>>> from sb3_contrib import MaskablePPO                                     # doctest: +SKIP
>>> kwargs = scorer_policy_kwargs(env.unwrapped.obs_layout)                 # doctest: +SKIP
>>> MaskablePPO(EngineerScorerPolicy, venv, policy_kwargs=kwargs)           # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import torch as th
from gymnasium import spaces
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
from torch import nn

from ferrogym.spaces import ObsSlice

#: Name of the observation slice holding one row per engineer slot.
ROWS = "engineers"
#: Column of a row that is 1 for a present engineer (pooling skips the others).
PRESENT = "present"


def layout_data(layout: Sequence[ObsSlice]) -> list[dict[str, Any]]:
    """``obs_layout`` as plain data (what a saved model stores)."""
    return [asdict(s) for s in layout]


def scorer_policy_kwargs(layout: Sequence[ObsSlice], hidden: int = 64) -> dict[str, Any]:
    """``policy_kwargs`` for :class:`EngineerScorerPolicy` on an env with ``layout``."""
    return {"layout": layout_data(layout), "hidden": hidden}


class EngineerScorerNet(nn.Module):
    """Plays SB3's ``mlp_extractor`` role: ``forward_actor`` returns the slot
    logits themselves (the policy's ``action_net`` is the identity) and
    ``forward_critic`` a pooled latent for the value head."""

    global_index: th.Tensor

    def __init__(self, layout: Sequence[dict[str, Any]], obs_dim: int, hidden: int) -> None:
        super().__init__()
        rows = next((s for s in layout if s["name"] == ROWS), None)
        if rows is None or len(rows["shape"]) != 2:
            names = [s["name"] for s in layout]
            raise ValueError(f"the engineer scorer needs a 2-D {ROWS!r} slice in obs_layout; it has {names}")
        self.n_rows, self.row_dim = int(rows["shape"][0]), int(rows["shape"][1])
        start = int(rows["start"])
        stop = start + self.n_rows * self.row_dim
        if stop > obs_dim:
            raise ValueError(f"obs_layout's {ROWS!r} slice ends at {stop}, past the observation size {obs_dim}")
        labels = list(rows["labels"])
        self.present_col = labels.index(PRESENT) if PRESENT in labels else -1
        glob = [i for i in range(obs_dim) if not start <= i < stop]
        self.register_buffer("global_index", th.as_tensor(glob, dtype=th.long), persistent=False)
        self.row_start, self.row_stop = start, stop
        n_glob = len(glob)
        self.encoder = nn.Sequential(
            nn.Linear(self.row_dim + n_glob, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh()
        )
        self.scorer = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.critic = nn.Sequential(nn.Linear(2 * hidden + n_glob, hidden), nn.Tanh())
        self.latent_dim_pi = self.n_rows
        self.latent_dim_vf = hidden

    def _encode(self, obs: th.Tensor) -> tuple[th.Tensor, th.Tensor, th.Tensor]:
        """Per-row codes (B, M, H), the pooled team code (B, 2H) and the globals (B, G)."""
        rows = obs[:, self.row_start : self.row_stop].reshape(-1, self.n_rows, self.row_dim)
        glob = obs.index_select(1, self.global_index)
        h = self.encoder(th.cat([rows, glob.unsqueeze(1).expand(-1, self.n_rows, -1)], dim=-1))
        if self.present_col >= 0:
            present = rows[..., self.present_col : self.present_col + 1] > 0.5
        else:
            present = th.ones_like(rows[..., :1], dtype=th.bool)
        count = present.sum(dim=1).clamp(min=1)
        mean = th.where(present, h, 0.0).sum(dim=1) / count
        peak = th.where(present, h, -1.0).amax(dim=1)  # tanh codes lie in (-1, 1)
        return h, th.cat([mean, peak], dim=-1), glob

    def _logits(self, h: th.Tensor, pool: th.Tensor) -> th.Tensor:
        both = th.cat([h, pool.unsqueeze(1).expand(-1, self.n_rows, -1)], dim=-1)
        logits: th.Tensor = self.scorer(both).squeeze(-1)
        return logits

    def forward(self, features: th.Tensor) -> tuple[th.Tensor, th.Tensor]:
        """Returns the slot logits (B, M) and the critic latent for a batch of observations (B, obs_dim)."""
        h, pool, glob = self._encode(features)
        return self._logits(h, pool), self.critic(th.cat([pool, glob], dim=-1))

    def forward_actor(self, features: th.Tensor) -> th.Tensor:
        """Returns the slot logits (B, M): one score per engineer row."""
        h, pool, _ = self._encode(features)
        return self._logits(h, pool)

    def forward_critic(self, features: th.Tensor) -> th.Tensor:
        """Returns the critic latent (B, hidden) from the pooled team code and the global features."""
        _, pool, glob = self._encode(features)
        out: th.Tensor = self.critic(th.cat([pool, glob], dim=-1))
        return out


class EngineerScorerPolicy(MaskableActorCriticPolicy):
    """MaskablePPO policy whose logits come from :class:`EngineerScorerNet`.

    ``layout``: the env's ``obs_layout`` as plain data (:func:`layout_data`);
    ``hidden``: width of the shared row encoder, scorer and critic.
    """

    def __init__(
        self,
        observation_space: spaces.Space[Any],
        action_space: spaces.Space[Any],
        lr_schedule: Any,
        layout: Sequence[dict[str, Any]] = (),
        hidden: int = 64,
        **kwargs: Any,
    ) -> None:
        self.layout = [dict(s) for s in layout]
        self.hidden = hidden
        super().__init__(observation_space, action_space, lr_schedule, **kwargs)

    def _build_mlp_extractor(self) -> None:
        if not isinstance(self.action_space, spaces.Discrete):
            raise ValueError(f"the engineer scorer needs a Discrete action space, not {self.action_space}")
        net = EngineerScorerNet(self.layout, int(self.features_dim), self.hidden)
        n = int(self.action_space.n)
        if net.n_rows != n:
            raise ValueError(f"{net.n_rows} engineer rows but {n} actions: one action per row expected")
        # SB3 types this slot as MlpExtractor but only uses forward, forward_actor,
        # forward_critic and latent_dim_pi/vf, which the scorer provides.
        self.mlp_extractor = net  # type: ignore[assignment]

    @property
    def scorer_net(self) -> EngineerScorerNet:
        """The :class:`EngineerScorerNet` that SB3 holds as ``mlp_extractor``."""
        net = self.mlp_extractor
        assert isinstance(net, EngineerScorerNet)
        return net

    def _build(self, lr_schedule: Any) -> None:
        super()._build(lr_schedule)
        # The extractor already outputs one logit per slot.
        self.action_net = nn.Identity()
        if self.ortho_init:
            # Small last layer: near-uniform initial choice, as SB3 does for action_net.
            last = self.scorer_net.scorer[-1]
            assert isinstance(last, nn.Linear)
            nn.init.orthogonal_(last.weight, gain=0.01)
            nn.init.zeros_(last.bias)
        self.optimizer = self.optimizer_class(  # as SB3 does: its optimizer_class is typed without lr
            self.parameters(),
            lr=lr_schedule(1),
            **self.optimizer_kwargs,  # type: ignore[call-arg]
        )

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()
        data.update(layout=self.layout, hidden=self.hidden)
        return data
