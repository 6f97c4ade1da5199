"""Lesson 1's numbers: fitness, fatigue and form (the Banister impulse-response model).

:class:`BlockModel` is the state of the block simulator (two time constants and a training
block) and :meth:`BlockModel.result` what it shows; :func:`athlete_metrics` gives a real
PMData athlete's curves. ``FACTS`` holds every number the lesson's text states, computed
with :mod:`heavylegs_core.domain.metrics` (science.md section 1). No widgets: the apps are
in :mod:`heavylegs_core.apps.lessons.fitness_fatigue.view`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heavylegs_core.apps.lessons.quiz.model import Question
from heavylegs_core.base.paths import pmdata_participants
from heavylegs_core.domain.metrics import (
    ATL_DAYS,
    CTL_DAYS,
    KMode,
    decay_constant,
    fitness_fatigue,
)
from heavylegs_core.io.history import sample_history
from heavylegs_core.views.html import esc

# The default block of the lesson's simulator.
DEFAULT_LOAD = 60.0       # AU/day during the block
DEFAULT_BLOCK_DAYS = 42   # days of the block
DEFAULT_AFTER_SHARE = 0.3  # daily load after the block, as a share of the block's load
AFTER_DAYS = 28           # days shown after the block
REAL_ATHLETE = "p02"      # the PMData participant with the most sRPE sessions in the bundled subset


def days_to_share(tau_days: float, share: float = 0.95, *, k_mode: KMode = "exp") -> int:
    """Days of a constant load (any AU/day) until the recursion reaches ``share`` of that load (days).

    Starts from 0 the day before the first loaded day (GoldenCheetah semantics).
    """
    if not 0 < share < 1:
        raise ValueError(f"share must be between 0 and 1, got {share!r}")
    # Long enough for any share below 1 - 1e-9 with tau up to a few hundred days.
    n = math.ceil(tau_days * 25) + 1
    values = fitness_fatigue(np.ones(n), tau_days, k_mode=k_mode)
    hit = np.flatnonzero(values >= share)
    if len(hit) == 0:
        raise ValueError(f"share {share} not reached within {n} days")
    return int(hit[0]) + 1


def half_life(tau_days: float, *, k_mode: KMode = "exp") -> float:
    """Days until the effect of one day's load has halved (days): ln 0.5 / ln(1 - k)."""
    return math.log(0.5) / math.log(1.0 - decay_constant(tau_days, k_mode))


def simulate_block(load: float = DEFAULT_LOAD, block_days: int = DEFAULT_BLOCK_DAYS,
                   after_share: float = DEFAULT_AFTER_SHARE, *, tau_fitness: float = CTL_DAYS,
                   tau_fatigue: float = ATL_DAYS, after_days: int = AFTER_DAYS) -> pd.DataFrame:
    """CTL, ATL and TSB for a block of constant daily load followed by an easier period.

    ``load`` is AU/day during ``block_days`` days; after the block the daily load
    is ``after_share`` x ``load`` for ``after_days`` days. Both recursions start at
    0 the day before day 0. Returns one row per day: ``day`` (0-based), ``load``
    (AU), ``ctl`` and ``atl`` (AU/day, time constants ``tau_fitness`` and
    ``tau_fatigue`` in days) and ``tsb`` (AU/day, CTL - ATL of the previous day,
    0 on day 0, as in the daily metrics table).
    """
    if load < 0 or not 0 <= after_share <= 1:
        raise ValueError("load must be >= 0 AU and after_share between 0 and 1")
    if block_days < 1 or after_days < 0:
        raise ValueError("block_days must be >= 1 and after_days >= 0")
    if tau_fatigue >= tau_fitness:
        raise ValueError("the fatigue time constant must be shorter than the fitness time constant")
    daily = np.concatenate((np.full(block_days, float(load)), np.full(after_days, float(load) * after_share)))
    ctl = fitness_fatigue(daily, tau_fitness)
    atl = fitness_fatigue(daily, tau_fatigue)
    tsb = np.concatenate(([0.0], (ctl - atl)[:-1]))
    return pd.DataFrame({"day": np.arange(len(daily)), "load": daily, "ctl": ctl, "atl": atl, "tsb": tsb})


def block_summary(sim: pd.DataFrame, block_days: int) -> dict[str, float | int | None]:
    """Key numbers of :func:`simulate_block`: CTL and TSB at the block's end (AU/day), lowest TSB
    (AU/day), and the first day after the block with positive form (days after the block; None if never)."""
    end = sim.iloc[block_days - 1]
    after = sim[(sim["day"] >= block_days) & (sim["tsb"] > 0)]
    return {
        "ctl_end": float(end["ctl"]),
        "tsb_end": float(sim.iloc[min(block_days, len(sim) - 1)]["tsb"]),
        "tsb_min": float(sim["tsb"].min()),
        "fresh_after": int(after["day"].iloc[0] - block_days + 1) if len(after) else None,
    }


def summary_html(summary: dict[str, float | int | None]) -> str:
    """The block's key numbers (:func:`block_summary`) as one sentence."""
    fresh = ("form turns positive on day "
             f"{summary['fresh_after']} after the block" if summary["fresh_after"] is not None
             else "form stays negative in the 4 weeks shown")
    return (f'<p class="hl-lesson-summary" aria-live="polite">At the end of the block fitness is '
            f"<strong>{summary['ctl_end']:.1f} AU/day</strong>; the next day form is "
            f"<strong>{summary['tsb_end']:.1f} AU/day</strong> (lowest {summary['tsb_min']:.1f}); "
            f"{esc(fresh)}.</p>")


@dataclass(frozen=True)
class BlockResult:
    """What the block simulator shows: the simulated days, the chart's title and subtitle, the summary."""

    sim: pd.DataFrame
    title: str
    subtitle: str
    summary_html: str


@dataclass(frozen=True)
class BlockModel:
    """The block simulator's state: the two time constants (days), the block's load (AU/day) and
    length (weeks), and the load after the block (% of the block's load)."""

    tau_fitness: int = CTL_DAYS
    tau_fatigue: int = ATL_DAYS
    load: int = int(DEFAULT_LOAD)
    weeks: int = DEFAULT_BLOCK_DAYS // 7
    after_percent: int = int(DEFAULT_AFTER_SHARE * 100)

    @property
    def block_days(self) -> int:
        """The block's length (days)."""
        return self.weeks * 7

    def result(self) -> BlockResult:
        """Simulate the block and what follows (:func:`simulate_block`) and summarise it."""
        days = self.block_days
        sim = simulate_block(self.load, days, self.after_percent / 100, tau_fitness=self.tau_fitness,
                             tau_fatigue=self.tau_fatigue)
        return BlockResult(sim, "A training block and what follows",
                           f"{days} days at {self.load} AU/day, then {self.after_percent} % of it",
                           summary_html(block_summary(sim, days)))


def athlete_metrics(participant: str) -> pd.DataFrame:
    """The daily metrics table of one bundled PMData participant (:func:`heavylegs_core.io.history.sample_history`)."""
    if participant not in pmdata_participants():
        raise ValueError(f"unknown PMData participant {participant!r}")
    return sample_history(participant).metrics


def _facts() -> dict[str, str]:
    sim = simulate_block()
    s = block_summary(sim, DEFAULT_BLOCK_DAYS)
    real = athlete_metrics(REAL_ATHLETE)
    peak = real.loc[real["ctl"].idxmax()]
    return {
        "k_ctl": f"{decay_constant(CTL_DAYS):.4f}",
        "k_atl": f"{decay_constant(ATL_DAYS):.4f}",
        "ctl_95_exp": f"{days_to_share(CTL_DAYS):d} days",
        "ctl_95_inverse": f"{days_to_share(CTL_DAYS, k_mode='inverse'):d} days",
        "atl_95": f"{days_to_share(ATL_DAYS):d} days",
        "ctl_half_life": f"{half_life(CTL_DAYS):.0f} days",
        "atl_half_life": f"{half_life(ATL_DAYS):.0f} days",
        "block_ctl_end": f"{s['ctl_end']:.0f} AU/day",
        "block_tsb_end": f"{s['tsb_end']:.0f} AU/day",
        "block_fresh_after": f"{s['fresh_after']} days",
        "real_ctl_peak": f"{peak['ctl']:.0f} AU/day",
        "real_ctl_peak_month": f"{peak['date']:%B %Y}",
    }


FACTS: dict[str, str] = _facts()
"""Every number lesson 1 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "An athlete trains at the same daily load for three weeks. Which curve is closer to that load?",
        ("Fitness (CTL)", "Fatigue (ATL)", "Both are equally close"),
        1,
        f"Fatigue has the short time constant (7 days), so it reaches 95 % of a steady load in about "
        f"{FACTS['atl_95']}; fitness needs about {FACTS['ctl_95_exp']}.",
    ),
    Question(
        "After a hard block the athlete cuts the load sharply. What happens to form (TSB) over the next days?",
        ("It falls further", "It rises, because fatigue drops faster than fitness",
         "It stays the same until fitness has dropped"),
        1,
        "Fatigue forgets quickly and fitness slowly, so the gap CTL − ATL closes and turns positive: "
        "this is the idea behind a taper.",
    ),
    Question(
        "What does a CTL of 50 AU/day mean?",
        ("The athlete is 50 % fit", "A weighted average of recent daily load of about 50 AU",
         "The athlete can train 50 minutes without fatigue"),
        1,
        "CTL is an exponentially weighted average of daily load in the load's own units; it is not a "
        "measured physiological quantity and cannot be compared across load sources.",
    ),
)
