"""The scenario file: a fitted TicketRouting config in YAML, and its loader.

Layout (``ferrogym_scenario: 1``): ``env``, ``config`` (TicketRouting config
fields), ``engineers`` (names in slot order), ``start`` (the Monday 00:00 the
period starts from) and ``provenance``. :func:`load_scenario` validates the
config with TicketRouting's own validation, so a file that loads builds an env.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
import yaml

from ferrogym.envs.ticket_routing_config import TicketRoutingConfig
from ferrogym.errors import ConfigError

if TYPE_CHECKING:  # the fits need polars; loading a scenario does not
    from ferrogym.calibrate.fit import Calibration

#: The format version this module writes and reads.
VERSION = 1
#: The key that marks a YAML file as a scenario (``ferrogym train --config`` tells files apart by it).
KEY = "ferrogym_scenario"
ENV_ID = "ferrogym/TicketRouting-v0"
#: The scenario preset whose values fill what the data cannot give (SLAs, tiers, team size).
BASE_SCENARIO = "balanced"
#: Days of a scenario's episode: a week, so weekday effects and overnight carry-over are simulated.
EPISODE_DAYS = 7
#: Bounds of fitted work parameters (TicketRouting takes work in (0, 1e6] minutes).
WORK_MINUTES = (0.1, 1e6)
SIGMA = (0.01, 5.0)
#: TicketRouting's bounds of ``max_backlog`` and ``arrivals_per_day`` (config.rs).
MAX_BACKLOG = 100_000
MAX_ARRIVALS_PER_DAY = 10_000.0


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario file.

    Attributes:
        config: TicketRouting keyword arguments (``gym.make(ENV_ID, **config)``).
        engineers: engineer names in slot order.
        start: the Monday 00:00 the period starts from (naive, the desk's local time): an episode's minute 0.
        provenance: where the fit came from (source, rows, period, command).
        env: the env id.
    """

    config: dict[str, Any]
    start: datetime
    engineers: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    env: str = ENV_ID

    def make(self, **overrides: Any) -> gym.Env[Any, Any]:
        """``gym.make`` of the scenario's env with its config (``overrides`` on top)."""
        return gym.make(self.env, **{**self.config, **overrides})


def scenario_config(cal: Calibration) -> dict[str, Any]:
    """TicketRouting config fields fitted by ``cal`` (plain lists and floats, ready for YAML).

    Raises:
        ConfigError: no ticket type had a usable handling time.
    """
    from ferrogym.calibrate.work import MIN_SKILL

    fitted = [w for w in cal.work.types.values() if w is not None]
    if not fitted:
        raise ConfigError("no resolved ticket has a positive handling time: a work fit needs resolved tickets")
    median_all = float(np.median([w.median.value for w in fitted]))
    sigma_all = float(np.median([w.sigma.value for w in fitted]))
    medians, sigmas = [], []
    for t in cal.mix.types:
        w = cal.work.types.get(t)
        medians.append(_clip(w.median.value if w else median_all, WORK_MINUTES))
        sigmas.append(_clip(w.sigma.value if w else sigma_all, SIGMA))
    a = cal.arrivals
    if a.arrivals_per_day > MAX_ARRIVALS_PER_DAY:
        cal.notes.cannot(
            f"{a.arrivals_per_day:.0f} arrivals per day exceed TicketRouting's {MAX_ARRIVALS_PER_DAY:.0f}: "
            "the scenario is capped there (filter the export to one team)"
        )
    tprobs = np.array([e.value for e in cal.mix.type_probs])
    n = cal.n_engineers
    cfg: dict[str, Any] = {
        "scenario": BASE_SCENARIO,
        "episode_days": EPISODE_DAYS,
        "start_weekday": 0,
        "arrivals_per_day": _r(min(a.arrivals_per_day, MAX_ARRIVALS_PER_DAY)),
        "hour_profile": [_r(x) for x in a.hour_profile],
        "weekday_factor": [_r(x) for x in a.weekday_factor],
        "ticket_types": list(cal.mix.types),
        "type_probs": _probs(tprobs),
        "priority_probs": [_probs(np.array(row)) for row in cal.mix.priority_probs],
        "work_median_minutes": [_r(x) for x in medians],
        "work_sigma": [_r(x) for x in sigmas],
        "n_engineers": n,
        "max_engineers": n,
        "sla_minutes": [_r(x) for x in cal.sla_minutes],
        # A week of arrivals may wait before the simulation calls it a blow-up (the preset's 200 is a small desk's).
        "max_backlog": int(min(MAX_BACKLOG, max(200, np.ceil(7 * a.arrivals_per_day * max(a.weekday_factor))))),
    }
    if cal.mix.tier_probs is not None:
        cfg["tier_probs"] = _probs(np.array([e.value for e in cal.mix.tier_probs]))
    if cal.work.engineers:
        cfg["shifts"] = [[float(s), float(e)] for s, e in cal.work.shifts]
        cfg["skills"] = [[_r(_clip(s.value, (MIN_SKILL, 1.0))) for s in row] for row in cal.work.skills]
    else:
        cfg["skills"] = [[1.0] * len(cal.mix.types) for _ in range(n)]
    return cfg


def monday_before(day: np.datetime64) -> np.datetime64:
    """The Monday on or before ``day`` (a date)."""
    d = day.astype("datetime64[D]")
    weekday = int((d.astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
    return np.datetime64(d - np.timedelta64(weekday, "D"), "D")


def write_scenario(cal: Calibration, path: str | Path, source: str, command: str = "") -> Scenario:
    """Writes the scenario fitted by ``cal`` to ``path`` (YAML) and returns it, checked by the env.

    Raises:
        ConfigError: the fitted config is refused by TicketRouting (a bug or an extreme input, named).
    """
    cfg = scenario_config(cal)
    _check(cfg, str(path))
    created = cal.tickets.get_column("created")
    scenario = Scenario(
        config=cfg,
        engineers=list(cal.work.engineers),
        start=datetime.fromisoformat(f"{monday_before(cal.first_day)}T00:00:00"),
        provenance={
            "source": source,
            "rows": cal.tickets.height,
            "period": [str(created.min()), str(created.max())],
            "command": command,
        },
    )
    doc = {
        KEY: VERSION,
        "env": scenario.env,
        "config": cfg,
        "engineers": scenario.engineers,
        "start": scenario.start.isoformat(),
        "provenance": scenario.provenance,
    }
    Path(path).write_text(yaml.safe_dump(doc, sort_keys=False, width=120, default_flow_style=None))
    return scenario


def is_scenario_file(path: str | Path) -> bool:
    """Whether ``path`` is a YAML mapping with the :data:`KEY` key (a scenario, not a hyper-parameter file)."""
    try:
        doc = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(doc, dict) and KEY in doc


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in ``path``, its config validated by TicketRouting.

    Raises:
        ConfigError: the file is missing, not YAML, not a scenario of a known
            version and env, or its config is refused by the env (the message
            names the file and the field).
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read ({e.strerror})") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not YAML ({e})") from None
    if not isinstance(doc, dict) or KEY not in doc:
        raise ConfigError(f"{path}: not a scenario file (expected a mapping with '{KEY}: {VERSION}')")
    if doc[KEY] != VERSION:
        raise ConfigError(f"{path}: '{KEY}' is {doc[KEY]!r}; expected {VERSION}")
    env = doc.get("env", ENV_ID)
    if env != ENV_ID:
        raise ConfigError(f"{path}: 'env' is {env!r}; expected {ENV_ID!r}")
    cfg = doc.get("config")
    if not isinstance(cfg, dict):
        raise ConfigError(f"{path}: 'config' must be a mapping of TicketRouting config fields")
    _check(cfg, str(path))
    engineers = doc.get("engineers") or []
    if not isinstance(engineers, list):
        raise ConfigError(f"{path}: 'engineers' must be a list of names")
    try:
        start = datetime.fromisoformat(str(doc.get("start")))
    except ValueError:
        raise ConfigError(f"{path}: 'start' is {doc.get('start')!r}; expected an ISO 8601 time") from None
    return Scenario(
        config=cfg,
        engineers=[str(e) for e in engineers],
        start=start.replace(tzinfo=None),
        provenance=dict(doc.get("provenance") or {}),
        env=env,
    )


def _check(cfg: dict[str, Any], source: str) -> None:
    fields = set(TicketRoutingConfig.__dataclass_fields__) - {"_core_cls"}
    unknown = [k for k in cfg if k not in fields]
    if unknown:
        raise ConfigError(f"{source}: config field {unknown[0]!r} is not a TicketRouting field")
    try:
        TicketRoutingConfig(**cfg).resolved()
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{source}: {e}") from None


def _clip(x: float, bounds: tuple[float, float]) -> float:
    return float(min(max(x, bounds[0]), bounds[1]))


def _probs(p: np.ndarray[Any, np.dtype[np.float64]]) -> list[float]:
    """``p`` normalised, unrounded (TicketRouting checks that probabilities sum to 1)."""
    return [float(x) for x in p / p.sum()]


def _r(x: float) -> float:
    return round(float(x), 6)
