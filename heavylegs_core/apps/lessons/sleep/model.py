"""Lesson 4's numbers: sleep and recovery.

:class:`SleepWeekModel` is seven nights and a sleep need (debt, mean and short nights follow);
:class:`SleepAthleteModel` a PMData participant's Fitbit nights against a chosen need. Sleep
numbers come from :func:`heavylegs_core.domain.metrics.daily_metrics` (science.md section 6);
``FACTS`` holds the numbers the lesson's text states. No widgets: the apps are in
:mod:`heavylegs_core.apps.lessons.sleep.view`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heavylegs_core.apps.lessons.common import START
from heavylegs_core.apps.lessons.quiz.model import Question
from heavylegs_core.base.paths import pmdata_participants
from heavylegs_core.domain.metrics import SHORT_NIGHT_H, daily_metrics
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.io.history import sample_history

NIGHTS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EXAMPLE_WEEK: tuple[float, ...] = (7.5, 6.0, 5.5, 7.0, 8.0, 6.5, 9.0)
"""The lesson's example week: hours slept in the nights ending Monday to Sunday."""
EXAMPLE_NEED_H = 8.0
REAL_ATHLETE = "p04"


def _empty_sessions() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "load": pd.Series(dtype="float64")})


def week_numbers(hours: tuple[float, ...] | list[float], need_h: float = EXAMPLE_NEED_H) -> dict[str, float]:
    """Sleep debt over the 7 nights (h), their mean (h) and short nights (< 6 h) among the last 3,
    from the package's daily metrics table with a profile whose sleep need is ``need_h`` (h)."""
    if len(hours) != 7 or min(hours) < 0 or max(hours) > 24:
        raise ValueError("a week needs 7 nights of 0-24 hours")
    nights = pd.DataFrame({"date": pd.to_datetime([START + dt.timedelta(days=i) for i in range(7)]),
                           "sleep_h": [float(h) for h in hours]})
    m = daily_metrics(_empty_sessions(), nights, profile=AthleteProfile(sleep_need_h=need_h)).iloc[-1]
    return {"debt_h": float(m["sleep_debt_7d"]), "mean_h": float(m["sleep_7d_mean"]),
            "short_nights": float(m["short_nights_3d"])}


def week_html(n: dict[str, float], need_h: float) -> str:
    """A week's numbers (:func:`week_numbers`) against the need (h) as one sentence."""
    return (f'<p class="hl-lesson-summary" aria-live="polite">With a need of {need_h:g} h: sleep debt '
            f"<strong>{n['debt_h']:.1f} h</strong> over the week, mean <strong>{n['mean_h']:.1f} h</strong>, "
            f"<strong>{n['short_nights']:.0f}</strong> of the last 3 nights under {SHORT_NIGHT_H:g} h.</p>")


@dataclass(frozen=True)
class SleepWeekResult:
    """What the week of nights shows: the nights (h), the need (h), the numbers and their summary."""

    hours: tuple[float, ...]
    need_h: float
    numbers: dict[str, float]
    summary_html: str


@dataclass(frozen=True)
class SleepWeekModel:
    """Seven nights (hours asleep, nights ending Monday to Sunday) and a sleep need (h)."""

    hours: Sequence[float] = EXAMPLE_WEEK
    need_h: float = EXAMPLE_NEED_H

    def result(self) -> SleepWeekResult:
        """Debt, mean and short nights of the week (:func:`week_numbers`) and their summary."""
        n = week_numbers(list(self.hours), self.need_h)
        return SleepWeekResult(tuple(self.hours), self.need_h, n, week_html(n, self.need_h))


@functools.cache
def fitbit_nights(participant: str) -> pd.DataFrame:
    """A PMData participant's Fitbit nights (``date``, ``sleep_h`` in hours), read by the package's importer."""
    if participant not in pmdata_participants():
        raise ValueError(f"unknown PMData participant {participant!r}")
    nights = sample_history(participant).nights
    return nights[["date", "sleep_h"]].reset_index(drop=True)


def athlete_metrics(participant: str, need_h: float = EXAMPLE_NEED_H) -> pd.DataFrame:
    """The sleep columns of the daily metrics table for a participant's Fitbit nights."""
    m = daily_metrics(_empty_sessions(), fitbit_nights(participant), profile=AthleteProfile(sleep_need_h=need_h))
    return m[["date", "sleep_h", "sleep_7d_mean", "sleep_debt_7d", "short_nights_3d"]]


def _summary(m: pd.DataFrame, need_h: float) -> dict[str, float]:
    h = m["sleep_h"].dropna()
    return {"nights": float(len(h)), "mean_h": float(h.mean()), "sd_h": float(h.std(ddof=1)),
            "under_7": float((h < 7).mean()), "under_need": float((h < need_h).mean()),
            "median_debt_h": float(m["sleep_debt_7d"].median())}


def sleep_summary(participant: str, need_h: float = EXAMPLE_NEED_H) -> dict[str, float]:
    """Nights recorded, mean and SD of hours asleep (h; the SD is night-to-night variability of duration),
    shares (0-1) of nights under 7 h and under the need, and the median 7-day debt (h)."""
    return _summary(athlete_metrics(participant, need_h), need_h)


def athlete_html(s: dict[str, float], need_h: float) -> str:
    """A participant's sleep summary (:func:`sleep_summary`) against the need (h) as one sentence."""
    return (f'<p class="hl-lesson-summary" aria-live="polite">{s["nights"]:.0f} nights, mean '
            f"{s['mean_h']:.1f} h (night-to-night SD {s['sd_h']:.1f} h); {s['under_7'] * 100:.0f} % under 7 h, "
            f"{s['under_need'] * 100:.0f} % under {need_h:g} h; median 7-day debt {s['median_debt_h']:.1f} h.</p>")


@dataclass(frozen=True)
class SleepAthleteResult:
    """What a participant's nights show: who, the need (h), the sleep columns of the metrics, the summary."""

    participant: str
    need_h: float
    metrics: pd.DataFrame
    summary: dict[str, float]
    summary_html: str


@dataclass(frozen=True)
class SleepAthleteModel:
    """A bundled PMData participant and the sleep need (h) their nights are measured against."""

    participant: str = REAL_ATHLETE
    need_h: float = EXAMPLE_NEED_H

    def result(self) -> SleepAthleteResult:
        """The participant's sleep columns (:func:`athlete_metrics`) and their summary (:func:`sleep_summary`)."""
        m = athlete_metrics(self.participant, self.need_h)
        s = _summary(m, self.need_h)
        return SleepAthleteResult(self.participant, self.need_h, m, s, athlete_html(s, self.need_h))


def pooled_shares() -> dict[str, float]:
    """Nights and shares (0-1) under 7 h and under 8 h over all bundled participants' Fitbit nights."""
    h = np.concatenate([fitbit_nights(p)["sleep_h"].dropna().to_numpy() for p in pmdata_participants()])
    return {"nights": float(len(h)), "under_7": float((h < 7).mean()), "under_8": float((h < 8).mean())}


def _facts() -> dict[str, str]:
    w8 = week_numbers(EXAMPLE_WEEK, 8.0)
    w7 = week_numbers(EXAMPLE_WEEK, 7.0)
    pooled = pooled_shares()
    real = sleep_summary(REAL_ATHLETE)
    return {
        "week_mean": f"{w8['mean_h']:.1f} h",
        "week_debt_8": f"{w8['debt_h']:.1f} h",
        "week_debt_7": f"{w7['debt_h']:.1f} h",
        "pooled_nights": f"{pooled['nights']:.0f} nights",
        "pooled_under_7": f"{pooled['under_7'] * 100:.0f} %",
        "pooled_under_8": f"{pooled['under_8'] * 100:.0f} %",
        "real_mean": f"{real['mean_h']:.1f} h",
        "real_sd": f"{real['sd_h']:.1f} h",
    }


FACTS: dict[str, str] = _facts()
"""Every number lesson 4 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "A runner sleeps 9 h on Sunday after a week of short nights. What happens to the 7-day sleep debt?",
        ("It is cleared", "It does not go down: a long night adds no negative debt",
         "It doubles"),
        1,
        "Each night's deficit is max(0, need − slept): a long night adds nothing, but it cannot cancel the "
        "earlier short nights inside the 7-day window either.",
    ),
    Question(
        "What does the 2021 athlete sleep consensus recommend as a sleep target?",
        ("Exactly 8 hours for everyone", "An individual target that takes the athlete's own sleep need into account",
         "As little as the athlete can cope with"),
        1,
        "Walsh and colleagues judged one number for everyone unlikely to be ideal and recommend individualised "
        "targets; habitual sleep under 7 h is the pattern to watch.",
    ),
    Question(
        f"Changing the sleep need from 8 h to 7 h for the example week lowers its debt from {FACTS['week_debt_8']} "
        "to what?",
        (FACTS["week_debt_7"], FACTS["week_debt_8"], "0.0 h"),
        0,
        "The debt is measured against the need, so the same nights give a smaller debt for a runner who needs "
        "less: this is why the workbook lets the user set the need.",
    ),
)
