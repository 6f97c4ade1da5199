"""Canonical training sessions and sleep nights (interfaces.md section 2).

Every importer produces these two tables and every metric consumes them, so a
Strava export, a FIT file and the PMData logs all look the same downstream.

Sessions, one row each (units in the names): ``kind`` ("session"), ``start``
(ISO 8601 with offset), ``date`` (local calendar date of the start),
``sport``, ``duration_min``, ``distance_km``, ``rpe`` (CR-10, 0-10),
``avg_hr`` and ``max_hr`` (beats per minute), ``load`` (arbitrary units),
``load_source`` ("srpe", "trimp" or "duration"), ``name``, ``source``.

Nights, one row each: ``kind`` ("night"), ``date`` (the date the sleeper woke
up), ``sleep_h`` (hours), ``quality`` (1-5, higher is better), ``source``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from heavylegs_core.domain.profile import AthleteProfile

SESSION_COLUMNS: tuple[str, ...] = (
    "kind", "start", "date", "sport", "duration_min", "distance_km", "rpe",
    "avg_hr", "max_hr", "load", "load_source", "name", "source",
)
NIGHT_COLUMNS: tuple[str, ...] = ("kind", "date", "sleep_h", "quality", "source")
SPORTS: tuple[str, ...] = ("run", "ride", "swim", "walk", "strength", "other")
LOAD_SOURCES: tuple[str, ...] = ("srpe", "trimp", "duration")

_NUMERIC_SESSION = ("duration_min", "distance_km", "rpe", "avg_hr", "max_hr", "load")


def empty_sessions() -> pd.DataFrame:
    """An empty sessions table with the canonical columns and dtypes."""
    return normalise_sessions(pd.DataFrame(columns=list(SESSION_COLUMNS)))


def empty_nights() -> pd.DataFrame:
    """An empty nights table with the canonical columns and dtypes."""
    return normalise_nights(pd.DataFrame(columns=list(NIGHT_COLUMNS)))


def normalise_sessions(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical session columns and dtypes.

    Missing optional columns are added empty; ``date`` becomes a ``datetime64``
    calendar date (midnight, no time zone); numeric columns become float.
    Rows are sorted by ``start``.
    """
    out = df.copy()
    for col in SESSION_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan if col in _NUMERIC_SESSION else None
    out = out.loc[:, list(SESSION_COLUMNS)]
    out["kind"] = "session"
    for col in _NUMERIC_SESSION:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["date"] = pd.to_datetime(out["date"]).dt.normalize().astype("datetime64[ns]")
    for col in ("start", "sport", "load_source", "name", "source"):
        out[col] = out[col].astype("object")
    return out.sort_values(["date", "start"], kind="stable").reset_index(drop=True)


def normalise_nights(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical night columns and dtypes (hours, 1-5)."""
    out = df.copy()
    for col in NIGHT_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan if col in ("sleep_h", "quality") else None
    out = out.loc[:, list(NIGHT_COLUMNS)]
    out["kind"] = "night"
    out["sleep_h"] = pd.to_numeric(out["sleep_h"], errors="coerce").astype("float64")
    out["quality"] = pd.to_numeric(out["quality"], errors="coerce").astype("float64")
    out["date"] = pd.to_datetime(out["date"]).dt.normalize().astype("datetime64[ns]")
    out["source"] = out["source"].astype("object")
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def banister_trimp(duration_min: float, avg_hr: float, profile: AthleteProfile) -> float:
    """Banister exponential TRIMP of one session (arbitrary units).

    ``TRIMP = duration_min × ΔHR × a·e^(b·ΔHR)`` with
    ``ΔHR = (avg_hr − rest_hr) / (max_hr − rest_hr)`` (heart rates in bpm) and
    ``a, b = 0.64, 1.92`` for men, ``0.86, 1.67`` for women (Morton,
    Fitz-Clarke & Banister 1990; science.md section 5). Applied to the session's
    average heart rate. Returns NaN when the profile lacks sex or heart rates.
    An average below resting heart rate scores 0.

    >>> round(banister_trimp(30, 130, AthleteProfile(sex="male", max_hr=200, rest_hr=40)), 2)
    31.8
    """
    if not profile.can_trimp or not (duration_min >= 0) or not (avg_hr > 0):
        return math.nan
    assert profile.max_hr is not None and profile.rest_hr is not None
    dhr = (avg_hr - profile.rest_hr) / (profile.max_hr - profile.rest_hr)
    if dhr <= 0:
        return 0.0
    dhr = min(dhr, 1.0)
    a, b = (0.64, 1.92) if profile.sex == "male" else (0.86, 1.67)
    return duration_min * dhr * a * math.exp(b * dhr)


def with_loads(sessions: pd.DataFrame, profile: AthleteProfile | None = None) -> pd.DataFrame:
    """Fill ``load`` and ``load_source`` for every session (interfaces.md section 2).

    Per session: Foster sRPE ``rpe × duration_min`` when RPE is known;
    otherwise Banister TRIMP when the average heart rate and the profile allow
    it; otherwise the duration in minutes. A session without duration gets no
    load (NaN) and no source. Returns a new frame.
    """
    profile = profile or AthleteProfile()
    out = sessions.copy()
    dur = out["duration_min"].astype("float64")
    rpe = out["rpe"].astype("float64")
    hr = out["avg_hr"].astype("float64")
    srpe = rpe * dur
    trimp = pd.Series(
        [banister_trimp(d, h, profile) for d, h in zip(dur, hr, strict=True)],
        index=out.index, dtype="float64",
    )
    has_dur = dur.notna()
    use_srpe = has_dur & rpe.notna()
    use_trimp = has_dur & ~use_srpe & trimp.notna()
    use_dur = has_dur & ~use_srpe & ~use_trimp
    out["load"] = np.select([use_srpe, use_trimp, use_dur], [srpe, trimp, dur], default=np.nan)
    out["load_source"] = np.select(
        [use_srpe, use_trimp, use_dur], ["srpe", "trimp", "duration"], default=None
    )
    out["load_source"] = out["load_source"].astype("object")
    return out
