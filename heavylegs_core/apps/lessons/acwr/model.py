"""Lesson 2's numbers: the acute:chronic workload ratio and its critics.

The teaching load histories and their ratios (:func:`scenario_metrics`, :func:`ratio_points`),
Lolli 2019's coupling shown by simulation (:class:`CouplingModel`) and the single-run spike
of Frandsen 2025 (:class:`SpikeModel`). Every ratio comes from
:func:`heavylegs_core.domain.metrics.daily_metrics` (or its squad form); ``FACTS`` holds the
numbers the lesson states (science.md section 2). No widgets: the apps are in
:mod:`heavylegs_core.apps.lessons.acwr.view`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from heavylegs_core.apps.lessons.common import START, sessions_from_loads
from heavylegs_core.apps.lessons.quiz.model import Question
from heavylegs_core.domain.metrics import daily_metrics, daily_metrics_panel
from heavylegs_core.io.history import sample_history
from heavylegs_core.knowledge.chart_references import load_chart_references
from heavylegs_core.views.html import esc

RATIO_COLUMNS = {"acwr_coupled": "coupled (7 ÷ 28 days)", "acwr_uncoupled": "uncoupled (7 ÷ 21 days before)",
                 "acwr_ewma": "EWMA (7 ÷ 28, Williams 2017)"}
SCENARIOS = ("steady, then a doubled week", "back after two weeks off", "PMData p02 (real)")
DEFAULT_SEED = 2019  # the coupling simulation's first random draw
DEFAULT_USUAL_LONG_KM = 12.0  # the spike example: longest run of the last 30 days (km)
DEFAULT_NEW_RUN_KM = 16.0     # and today's run (km)


class SpikeBand(NamedTuple):
    """One band of Frandsen et al. 2025 (BJSM 59:1203-10): spike ratio above ``low`` up to ``high``."""

    low: float
    high: float | None
    label: str
    hazard_ratio: float | None
    ci: str


SPIKE_BANDS: tuple[SpikeBand, ...] = (
    SpikeBand(0.0, 1.1, "up to 10 % longer (reference)", None, ""),
    SpikeBand(1.1, 1.3, "10–30 % longer", 1.64, "1.31–2.05"),
    SpikeBand(1.3, 2.0, "30–100 % longer", 1.52, "1.16–2.00"),
    SpikeBand(2.0, None, "more than twice as long", 2.28, "1.50–3.48"),
)
"""Overuse-injury hazard-rate ratios by single-run spike (5,205 runners; science.md section 4)."""


# --------------------------------------------------------------------------- scenarios

def scenario_loads(name: str) -> np.ndarray:
    """Daily loads (AU) of a teaching scenario: a steady 4 weeks then one doubled week, or a steady
    6 weeks, 2 weeks off and a return at the old load."""
    week = np.array([60, 0, 60, 40, 0, 90, 50], dtype="float64")
    if name == SCENARIOS[0]:
        return np.concatenate([np.tile(week, 5), week * 2, np.tile(week, 2)])
    if name == SCENARIOS[1]:
        return np.concatenate([np.tile(week, 6), np.zeros(14), np.tile(week, 3)])
    raise ValueError(f"unknown scenario {name!r}; choose one of {SCENARIOS}")


def scenario_metrics(name: str) -> pd.DataFrame:
    """The daily metrics table of a scenario (or of the real PMData athlete)."""
    if name == SCENARIOS[2]:
        return daily_metrics(sample_history("p02").sessions)
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {SCENARIOS}")
    loads = scenario_loads(name)
    return daily_metrics(sessions_from_loads(loads), as_of=START + dt.timedelta(days=len(loads) - 1))


def ratio_points(m: pd.DataFrame) -> pd.DataFrame:
    """The three ratios of a daily metrics table in long form, split by whether they are meaningful.

    One row per day and ratio with a value: ``date``, ``ratio`` (its label),
    ``value`` (the ratio where it is meaningful, else empty: the line breaks
    there) and ``after_break`` (the ratio on days whose 28-day window holds a
    break of 10 or more days without load, ``acwr_meaningful`` false; else empty).
    """
    long = (m[["date", *RATIO_COLUMNS]].rename(columns=RATIO_COLUMNS)
            .assign(broken=(~m["acwr_meaningful"].astype("boolean")).fillna(False).to_numpy(dtype=bool))
            .melt(id_vars=["date", "broken"], var_name="ratio", value_name="ratio_value")
            .dropna(subset=["ratio_value"]))
    return pd.DataFrame({"date": long["date"], "ratio": long["ratio"],
                         "value": long["ratio_value"].where(~long["broken"]),
                         "after_break": long["ratio_value"].where(long["broken"])}).reset_index(drop=True)


def caveat_html() -> str:
    """The knowledge base's short caveat on the ACWR, as small print."""
    return f'<p class="hl-caveat"><small>{esc(load_chart_references().acwr_caveat.short)}</small></p>'


# --------------------------------------------------------------------------- coupling

def coupling_simulation(athletes: int = 1000, *, seed: int = DEFAULT_SEED, mean_au: float = 400.0,
                        sd_au: float = 100.0) -> pd.DataFrame:
    """Lolli et al. 2019's thought experiment: every athlete's four weekly loads are independent draws.

    Each athlete trains the same load on each day of a week, the week's daily load drawn
    independently from a normal distribution (mean ``mean_au``, SD ``sd_au`` AU/day,
    floored at 1). Returns one row per athlete with, from the package's metrics on day
    28: ``acute`` (AU/day, 7-day mean), ``chronic_coupled`` (28-day mean) and
    ``chronic_uncoupled`` (the 21 days before the acute week, as acute ÷ uncoupled ratio).
    """
    if athletes < 3:
        raise ValueError("the simulation needs at least 3 athletes")
    rng = np.random.default_rng(seed)
    weekly = np.maximum(rng.normal(mean_au, sd_au, size=(athletes, 4)), 1.0)
    daily = np.repeat(weekly, 7, axis=1)
    dates = pd.to_datetime([START + dt.timedelta(days=d) for d in range(28)])
    sessions = pd.DataFrame({"athlete": np.repeat(np.arange(athletes), 28), "date": np.tile(dates, athletes),
                             "sport": "run", "load": daily.ravel()})
    m = daily_metrics_panel(sessions)
    last = m[m["date"] == dates[-1]]
    return pd.DataFrame({"acute": last["acute_load"].to_numpy(),
                         "chronic_coupled": last["chronic_load"].to_numpy(),
                         "chronic_uncoupled": (last["acute_load"] / last["acwr_uncoupled"]).to_numpy()})


def coupling_correlations(sim: pd.DataFrame) -> dict[str, float]:
    """Pearson r of the acute load with the coupled and with the uncoupled chronic load."""
    return {"coupled": float(sim["acute"].corr(sim["chronic_coupled"])),
            "uncoupled": float(sim["acute"].corr(sim["chronic_uncoupled"]))}


def coupling_html(r: dict[str, float]) -> str:
    """The two correlations (:func:`coupling_correlations`) as one sentence."""
    return (f'<p class="hl-lesson-summary" aria-live="polite">Correlation of acute with chronic load: '
            f"<strong>{r['coupled']:.2f}</strong> coupled, <strong>{r['uncoupled']:.2f}</strong> uncoupled.</p>")


@dataclass(frozen=True)
class CouplingResult:
    """One run of the coupling simulation: the athletes, the two correlations and their summary."""

    sim: pd.DataFrame
    correlations: dict[str, float]
    summary_html: str


@dataclass(frozen=True)
class CouplingModel:
    """The coupling simulation's state: the random draw (seed) and the number of athletes."""

    seed: int = DEFAULT_SEED
    athletes: int = 1000

    def result(self) -> CouplingResult:
        """Run :func:`coupling_simulation` with this draw and correlate acute with chronic load."""
        sim = coupling_simulation(self.athletes, seed=self.seed)
        r = coupling_correlations(sim)
        return CouplingResult(sim, r, coupling_html(r))


# --------------------------------------------------------------------------- spike

def spike_history(usual_long_km: float, new_run_km: float) -> pd.DataFrame:
    """Four weeks of runs (three a week: 60 %, 60 % and 100 % of ``usual_long_km``), then one run of
    ``new_run_km`` (km). Loads are the distances (AU = km) so that ACWR and spike share one history."""
    if not (usual_long_km > 0 and new_run_km > 0):
        raise ValueError("distances must be positive (km)")
    week = np.array([0.6, 0, 0.6, 0, 0, 1.0, 0]) * usual_long_km
    km = np.concatenate([np.tile(week, 4), [0, 0, float(new_run_km)]])
    return sessions_from_loads(km, distance_km=km)


def spike_band(ratio: float) -> SpikeBand:
    """The Frandsen 2025 band of a spike ratio."""
    for band in SPIKE_BANDS:
        if ratio <= band.low:
            continue
        if band.high is None or ratio <= band.high:
            return band
    return SPIKE_BANDS[0]


def spike_result(usual_long_km: float, new_run_km: float) -> dict[str, float]:
    """``spike_ratio`` and ``acwr_uncoupled`` on the day of the new run, from the package's metrics."""
    m = daily_metrics(spike_history(usual_long_km, new_run_km)).iloc[-1]
    return {"spike_ratio": float(m["spike_ratio"]), "acwr_uncoupled": float(m["acwr_uncoupled"])}


def spike_html(r: dict[str, float]) -> str:
    """A spike (:func:`spike_result`), its Frandsen 2025 band and hazard ratio, and that day's ACWR."""
    band = spike_band(r["spike_ratio"])
    hr = ("the reference group" if band.hazard_ratio is None
          else f"an overuse-injury hazard ratio of {band.hazard_ratio:.2f} (95 % CI {band.ci}) against the reference")
    return (f'<p class="hl-lesson-summary" aria-live="polite">Spike ratio <strong>{r["spike_ratio"]:.2f}</strong> '
            f"({esc(band.label)}): in Frandsen 2025 this band had {esc(hr)}. The uncoupled ACWR that day is "
            f"{r['acwr_uncoupled']:.2f}.</p>")


@dataclass(frozen=True)
class SpikeResult:
    """The spike of today's run: its ratio, that day's uncoupled ACWR, its band and the summary."""

    spike_ratio: float
    acwr_uncoupled: float
    band: SpikeBand
    summary_html: str


@dataclass(frozen=True)
class SpikeModel:
    """The spike calculator's state: the longest run of the last 30 days and today's run (km)."""

    usual_long_km: float = DEFAULT_USUAL_LONG_KM
    new_run_km: float = DEFAULT_NEW_RUN_KM

    def result(self) -> SpikeResult:
        """The spike ratio and uncoupled ACWR on the day of today's run (:func:`spike_result`), and its band."""
        r = spike_result(self.usual_long_km, self.new_run_km)
        return SpikeResult(r["spike_ratio"], r["acwr_uncoupled"], spike_band(r["spike_ratio"]), spike_html(r))


# --------------------------------------------------------------------------- facts and quiz

def _facts() -> dict[str, str]:
    vec = daily_metrics(sessions_from_loads([50.0] * 28 + [100.0] * 7)).iloc[-1]
    ceiling = daily_metrics(sessions_from_loads([1.0] + [0.0] * 20 + [10.0] * 7)).iloc[-1]
    r = coupling_correlations(coupling_simulation())
    back = scenario_metrics(SCENARIOS[1])
    spike = spike_result(12, 16)
    facts = {
        "vec_coupled": f"{vec['acwr_coupled']:.2f}",
        "vec_uncoupled": f"{vec['acwr_uncoupled']:.2f}",
        "vec_ewma": f"{vec['acwr_ewma']:.2f}",
        "ceiling_coupled": f"{ceiling['acwr_coupled']:.2f}",
        "ceiling_uncoupled": f"{ceiling['acwr_uncoupled']:.0f}",
        "r_coupled": f"{r['coupled']:.2f}",
        "r_uncoupled": f"{r['uncoupled']:.2f}",
        "back_uncoupled_max": f"{back['acwr_uncoupled'].max():.2f}",
        "back_coupled_max": f"{back['acwr_coupled'].max():.2f}",
        "spike_example": f"{spike['spike_ratio']:.2f}",
        "spike_example_acwr": f"{spike['acwr_uncoupled']:.2f}",
    }
    for i, band in enumerate(SPIKE_BANDS[1:], start=1):
        facts[f"spike_hr_{i}"] = f"{band.hazard_ratio:.2f}"
    return facts


FACTS: dict[str, str] = _facts()
"""Every number lesson 2 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "Four weeks at 50 AU a day, then a week at 100 AU a day. Which ratio comes out lowest?",
        ("Coupled", "Uncoupled", "They are the same"),
        0,
        f"The coupled chronic window contains the hard week itself, which pulls the ratio towards 1: "
        f"{FACTS['vec_coupled']} coupled against {FACTS['vec_uncoupled']} uncoupled.",
    ),
    Question(
        "In a simulation where each week's load is drawn independently, why are acute and coupled chronic load "
        "correlated?",
        ("Because fitness protects against injury", "Because the acute week is part of the chronic average",
         "Because the random numbers were badly chosen"),
        1,
        "A part always correlates with a whole that contains it (mathematical coupling, Lolli 2019); the "
        "uncoupled chronic window shows no such correlation.",
    ),
    Question(
        "For a runner, which warning sign has the best support in the 2025 study of 5,205 runners?",
        ("An ACWR above 1.5", "A weekly distance 10 % above last week",
         "One run much longer than the longest of the last 30 days"),
        2,
        "Frandsen 2025 found higher overuse-injury rates after single-run spikes above 10 %; the ACWR did not "
        "show the expected dose-response and the week-to-week change showed none.",
    ),
)
