"""Lesson 3's numbers: monotony, strain and "too many moderate sessions".

:class:`WeekModel` is a week the student edits day by day and :meth:`WeekModel.result` its
monotony and strain (Foster 1998); :func:`athlete_history` and :func:`intensity_shares` give a
PMData athlete's sessions and intensity mix. Monotony and strain come from
:func:`heavylegs_core.domain.metrics.daily_metrics` (ddof = 1, science.md section 3); ``FACTS``
holds the numbers the lesson's text states. No widgets: the apps are in
:mod:`heavylegs_core.apps.lessons.monotony.view`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from heavylegs_core.apps.lessons.common import START, sessions_from_loads
from heavylegs_core.apps.lessons.quiz.model import Question
from heavylegs_core.domain.metrics import (
    HARD_MIN_RPE,
    INTENSITY_CLASSES,
    MODERATE_MIN_RPE,
    daily_metrics,
    intensity_class,
)
from heavylegs_core.io.history import sample_history
from heavylegs_core.knowledge.chart_references import load_chart_references
from heavylegs_core.views.html import esc

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKS: dict[str, tuple[float, ...]] = {
    "hard/easy week": (450, 100, 0, 400, 100, 0, 350),
    "moderate most days": (250, 150, 200, 250, 150, 200, 200),
    "Foster-style example": (0, 80, 40, 0, 90, 60, 80),
}
"""Teaching weeks: daily session-RPE load (AU), Monday to Sunday. The first two have the same total."""
DEFAULT_WEEK = "hard/easy week"
YOUR_WEEK = "Your week"  # the chart's title once the student has edited a day
ATHLETES = ("p01", "p02", "p04")  # PMData participants with enough sessions for weekly values
DEFAULT_ATHLETE = "p02"


def week_numbers(loads: tuple[float, ...] | list[float]) -> dict[str, float]:
    """Weekly load (AU), monotony (ratio; inf for a week of identical non-zero loads) and strain (AU)
    of one Monday-to-Sunday week of daily loads (AU), from the package's daily metrics table."""
    if len(loads) != 7 or min(loads) < 0:
        raise ValueError("a week needs 7 daily loads of at least 0 AU")
    total = float(sum(loads))
    if total == 0:
        return {"week_load": 0.0, "monotony": math.nan, "strain": math.nan}
    # One token session (1 AU) a week earlier starts the load history, so the 7-day window of
    # the week's Sunday is complete even when the week starts with rest days; it lies outside that window.
    padded = [1.0] + [0.0] * 6 + [float(x) for x in loads]
    m = daily_metrics(sessions_from_loads(padded, start=START - dt.timedelta(days=7)),
                      as_of=START + dt.timedelta(days=6)).iloc[-1]
    mono = float(m["monotony"])
    if math.isnan(mono) and len(set(loads)) == 1:
        mono = math.inf  # identical non-zero loads: maximally monotonous (science.md 3.3)
    return {"week_load": float(m["acute_load"]) * 7, "monotony": mono, "strain": float(m["strain"])}


def week_html(n: dict[str, float]) -> str:
    """A week's numbers (:func:`week_numbers`) as one sentence, against the cause model's heuristic."""
    limit = load_chart_references().monotony_high
    if n["week_load"] == 0:
        return '<p class="hl-lesson-summary" aria-live="polite">A week without training has no monotony.</p>'
    mono = "very high (every day the same)" if math.isinf(n["monotony"]) else f"{n['monotony']:.2f}"
    strain = "very high" if math.isinf(n["monotony"]) else f"{n['strain']:.0f} AU"
    above = (math.isinf(n["monotony"]) or n["monotony"] > limit.value)
    flag = (f" Above {limit.value:g}, the heuristic the cause model uses for a monotonous week."
            if above else f" At or below {limit.value:g}, the heuristic the cause model uses.")
    return (f'<p class="hl-lesson-summary" aria-live="polite">Weekly load <strong>{n["week_load"]:.0f} AU'
            f"</strong>, monotony <strong>{esc(mono)}</strong>, strain <strong>{esc(strain)}</strong>."
            f"{esc(flag)}</p>")


@dataclass(frozen=True)
class WeekResult:
    """What the week editor shows: the daily loads (AU, Monday to Sunday), the chart's title and the summary."""

    loads: tuple[float, ...]
    title: str
    numbers: dict[str, float]
    summary_html: str


@dataclass(frozen=True)
class WeekModel:
    """A week of daily session-RPE loads (AU, Monday to Sunday) and the title it is shown under."""

    loads: Sequence[float]
    title: str = YOUR_WEEK

    @classmethod
    def preset(cls, name: str) -> WeekModel:
        """One of the teaching weeks (:data:`WEEKS`), titled by its name."""
        if name not in WEEKS:
            raise ValueError(f"unknown week {name!r}; choose one of {tuple(WEEKS)}")
        return cls(WEEKS[name], name)

    def result(self) -> WeekResult:
        """The week's load, monotony and strain (:func:`week_numbers`) and their summary."""
        n = week_numbers(list(self.loads))
        return WeekResult(tuple(self.loads), self.title, n, week_html(n))


def athlete_history(participant: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A PMData participant's sRPE sessions (:func:`heavylegs_core.io.history.sample_history`) and
    the daily metrics table of those sessions."""
    if participant not in ATHLETES:
        raise ValueError(f"unknown participant {participant!r}; choose one of {ATHLETES}")
    sessions = sample_history(participant).sessions
    return sessions, daily_metrics(sessions)


def intensity_shares(participant: str) -> dict[str, float]:
    """Share (0-1) of a participant's sessions with known RPE that were easy, moderate and hard.

    CR-10 classes as in the intensity chart: easy below ``MODERATE_MIN_RPE``, hard from
    ``HARD_MIN_RPE``, moderate in between; sessions without an RPE are left out.
    """
    sessions, _ = athlete_history(participant)
    classes = intensity_class(sessions["rpe"])
    counts = {k: float((classes == k).sum()) for k in INTENSITY_CLASSES[:3]}
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()}


def _facts() -> dict[str, str]:
    he, mod, fos = (week_numbers(WEEKS[k]) for k in WEEKS)
    shares = intensity_shares("p02")
    return {
        "week_total": f"{he['week_load']:.0f} AU",
        "he_monotony": f"{he['monotony']:.2f}",
        "he_strain": f"{he['strain']:.0f} AU",
        "mod_monotony": f"{mod['monotony']:.2f}",
        "mod_strain": f"{mod['strain']:.0f} AU",
        "foster_monotony": f"{fos['monotony']:.2f}",
        "foster_strain": f"{fos['strain']:.0f} AU",
        "p02_moderate": f"{shares['moderate'] * 100:.0f} %",
        "p02_hard": f"{shares['hard'] * 100:.0f} %",
        "moderate_rpe": f"{MODERATE_MIN_RPE:.0f}",
        "hard_rpe": f"{HARD_MIN_RPE:.0f}",
    }


FACTS: dict[str, str] = _facts()
"""Every number lesson 3 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "Two weeks have the same total load. One alternates hard and easy days, the other has a moderate session "
        "every day. Which has the higher monotony?",
        ("The hard/easy week", "The moderate week", "They are equal, because the totals are equal"),
        1,
        f"Monotony is the daily mean divided by the day-to-day SD: the moderate week varies little, so its "
        f"monotony is {FACTS['mod_monotony']} against {FACTS['he_monotony']}.",
    ),
    Question(
        "What is strain?",
        ("The weekly load multiplied by monotony", "The hardest session of the week",
         "The weekly load divided by the chronic load"),
        0,
        "Foster defined strain as the weekly load times monotony, so the same load done monotonously counts "
        "for more.",
    ),
    Question(
        "Why might 'too many moderate sessions' leave the legs heavy?",
        ("Moderate sessions burn no glycogen",
         "Easy days are not easy enough to recover, and hard days cannot be hard enough",
         "Moderate sessions do not count as training"),
        1,
        "A grey zone of moderate days removes the contrast between hard and easy: recovery never completes and "
        "monotony rises.",
    ),
)
