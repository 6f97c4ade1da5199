"""SYNTHETIC training histories for demos, tests and benchmarks (not real athletes).

:func:`synthetic_history` generates years of plausible-looking daily data: runs
and rides with session RPE, nights of sleep and occasional heavy-legs ratings.
It exists so that the dashboard can be shown and measured with long histories
(10 years is longer than any bundled real data). Every generated record carries
``source = "synthetic"``; nothing here describes a real person, and nothing
here should be read as a training recommendation.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from heavylegs_core.domain.history import History
from heavylegs_core.domain.records import normalise_nights, normalise_sessions

SOURCE = "synthetic"
#: Label shown wherever a synthetic history is offered.
LABEL = "Synthetic demo athlete (generated data, not a real person)"


def synthetic_history(years: float = 10.0, *, seed: int = 7, end: dt.date = dt.date(2026, 10, 31)) -> History:
    """A generated history of ``years`` years ending on ``end`` (SYNTHETIC, labelled as such).

    Sessions: about five a week, mostly runs (distance in km, duration in
    minutes, CR-10 RPE, load = RPE × minutes in AU) with some rides and
    strength sessions, in 4-week blocks that build for three weeks and ease in
    the fourth, with a few deliberate load spikes. Nights: hours slept (mean
    about 7.3 h, SD 0.7 h, some short nights). Ratings: a heavy-legs rating
    (0-10) on about one day in ten, higher after hard weeks and short nights.
    Deterministic for a given ``seed``.
    """
    if not years > 0:
        raise ValueError("years must be positive")
    rng = np.random.default_rng(seed)
    days = pd.date_range(end=pd.Timestamp(end), periods=round(years * 365.25), freq="D")
    n = len(days)
    week = np.arange(n) // 7
    block = 0.8 + 0.1 * (week % 4) - 0.35 * ((week % 4) == 3)
    season = 1.0 + 0.15 * np.sin(2 * np.pi * np.arange(n) / 365.25)
    train = rng.random(n) < 0.72
    spike = rng.random(n) < 0.01
    sport = np.where(rng.random(n) < 0.78, "run", np.where(rng.random(n) < 0.6, "ride", "strength"))
    minutes = np.clip(rng.normal(50, 15, n) * block * season * np.where(spike, 2.2, 1.0), 15, 240).round()
    rpe = np.clip(np.round(rng.normal(4.2, 1.6, n) + 1.5 * spike), 1, 10)
    speed_kmh = np.where(sport == "run", rng.normal(11, 1, n), np.where(sport == "ride", rng.normal(27, 3, n), 0))
    distance = np.where(sport == "strength", np.nan, (minutes / 60 * speed_kmh).round(2))
    s = pd.DataFrame({
        "date": days[train], "sport": sport[train], "duration_min": minutes[train], "rpe": rpe[train],
        "distance_km": distance[train],
    })
    s["start"] = s["date"].dt.strftime("%Y-%m-%dT07:00:00+00:00")
    s["load"] = s["rpe"] * s["duration_min"]
    s["load_source"] = "srpe"
    s["name"] = "synthetic " + s["sport"]
    s["source"] = SOURCE
    sessions = normalise_sessions(s)

    sleep = np.clip(rng.normal(7.3, 0.7, n) - 1.8 * (rng.random(n) < 0.06), 3.5, 10.5).round(2)
    has_night = rng.random(n) < 0.93
    nights = normalise_nights(pd.DataFrame({"date": days[has_night], "sleep_h": sleep[has_night],
                                            "quality": np.nan, "source": SOURCE}))

    load = pd.Series(0.0, index=days)
    load = load.add(sessions.groupby("date")["load"].sum(), fill_value=0.0)
    acute = load.rolling(7, min_periods=1).mean().to_numpy()
    chronic = load.rolling(28, min_periods=1).mean().to_numpy()
    short = pd.Series(sleep < 6.5, index=days).rolling(3, min_periods=1).sum().to_numpy()
    rated = rng.random(n) < 0.1
    rating = np.clip(np.round(2 + 3 * (acute / np.maximum(chronic, 1) - 1) + 1.2 * short
                              + rng.normal(0, 1.2, n)), 0, 10)
    ratings = pd.DataFrame({"date": days[rated].astype("datetime64[ns]"), "heavy_legs": rating[rated],
                            "source": SOURCE})
    return History(sessions=sessions, nights=nights, ratings=ratings.reset_index(drop=True),
                   label=f"{LABEL}, {years:g} years")
