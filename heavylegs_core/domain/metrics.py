"""The daily metrics table: training load, fitness-fatigue, ACWR and sleep (interfaces.md section 3).

:func:`daily_metrics` turns canonical sessions and nights
(:mod:`heavylegs_core.domain.records`) into one row per calendar day, from the first
day with data to ``as_of``. Every number is a pure function of the inputs;
nothing is read from or written to disk. Definitions and citations are in
science.md (sections 1-4 and 6); the contract is interfaces.md section 3.
:func:`daily_metrics_panel` computes the same table for a whole squad in one
vectorised pass (one row per athlete and day, plus an athlete column).

Calendar and load history
    The table runs from the first day with any data (session or night) to
    ``as_of`` (default: the last day with data). *Load history* starts on the
    day of the first recorded session: before it every training column is empty
    (the load is unknown, not zero); from it on, a day without a session has
    load 0. Sessions and nights after ``as_of`` are ignored. Windows that would
    reach back before the load history are incomplete, and the columns that
    need a full window stay empty until it exists.

Columns (unit; definition):

==================================  =========  ==================================================================
``date``                            day        calendar day (``datetime64``, midnight, no time zone)
``load``                            AU         sum of the day's session loads (sRPE, else TRIMP, else minutes);
                                               0 on a day without sessions
``ctl``                             AU/day     chronic training load, GoldenCheetah recursion with τ = 42 days,
                                               ``x_t = x_{t-1}·e^(-1/τ) + load_t·(1 - e^(-1/τ))``, 0 the day
                                               before the first session day
``atl``                             AU/day     acute training load, the same recursion with τ = 7 days
``tsb``                             AU/day     training stress balance (form): ``ctl - atl`` of the previous day
                                               (0 on the first session day)
``acwr_coupled``                    ratio      mean load of the last 7 days ÷ mean load of the last 28 days
``acwr_uncoupled``                  ratio      mean load of the last 7 days ÷ mean load of the 21 days before them
``acwr_ewma``                       ratio      EWMA (λ = 2/8) ÷ EWMA (λ = 2/29) of the daily load (Williams
                                               2017), both seeded with the first session day's load
``monotony``                        ratio      mean ÷ sample SD (ddof = 1) of the last 7 days' load (Foster 1998)
``strain``                          AU         sum of the last 7 days' load x ``monotony``
``run_km``                          km         kilometres run that day; empty when a run that day has no distance
``spike_ratio``                     ratio      largest, over the runs of the last 7 days, of the run's distance ÷
                                               the longest run in the 30 calendar days before the run's day
                                               (Frandsen 2025); empty without an earlier run to compare with
``weekly_change``                   ratio      run km of the last 7 days ÷ run km of the 7 days before them
``days_since_rest``                 days       days since the last day without a session (0 on a rest day);
                                               empty until the first rest day of the load history
``sleep_h``                         h          hours slept in the night that ended that day
``sleep_7d_mean``                   h          mean ``sleep_h`` of the last 7 days, ignoring nights without data
``sessions``                        count      number of sessions that day
``acute_load``                      AU/day     mean load of the last 7 days (the ACWR numerator)
``chronic_load``                    AU/day     mean load of the last 28 days (the coupled ACWR denominator)
``easy_share``                      fraction   share of the last 14 days' sessions with known RPE that had RPE < 5
                                               (CR-10 ≤ 4); empty when no RPE is known in the window
``moderate_share``                  fraction   the same share for 5 ≤ RPE < 7 (CR-10 5-6)
``hard_share``                      fraction   the same share for RPE ≥ 7
``hard_sessions_7d``                count      sessions with RPE ≥ 7 in the last 7 days
``hard_sessions_28d_weekly_mean``   count/wk   sessions with RPE ≥ 7 in the last 28 days ÷ 4
``strain_p90_56d``                  AU         90th percentile (linear interpolation) of ``strain`` over the 56 days
                                               before that day; empty with fewer than 28 strain values there
``sleep_debt_7d``                   h          Σ over the last 7 days' nights of ``max(0, sleep_need_h - sleep_h)``
``short_nights_3d``                 count      nights under 6 h among the last 3 nights with data, looking back at
                                               most 7 days (older nights are not "recent"); empty without any
``sleep_need_h``                    h          the athlete's sleep need from the profile (default 8 h)
``days_since_rest_at_least``        days       a lower bound where ``days_since_rest`` is empty inside the load
                                               history because no rest day is on record yet: the number of
                                               consecutive session days recorded up to that day (the last rest
                                               day was at the latest the day before the first recorded session,
                                               so a 28-day streak gives 28); empty everywhere else
``acwr_meaningful``                 yes/no     whether that day's ACWR rests on training rather than on a break:
                                               false when the 28 days ending that day (the chronic window) hold
                                               a break of at least 10 consecutive days without load (``acwr``
                                               package, ``check_load``); true otherwise; empty where all three
                                               ACWR columns are empty
==================================  =========  ==================================================================

Conventions: a ratio with a zero denominator is empty (NaN), never infinite, so
``monotony`` is empty for a perfectly even week (the cause model may still read
such a week as very monotonous). The three ACWR columns are empty until 28
days of load history exist, ``monotony`` and ``strain`` until 7, and
``weekly_change`` until 14. ``days_since_rest`` stays empty until the first rest day,
and ``days_since_rest_at_least`` says what is known meanwhile. The ACWR values are
kept as computed (digit-equal to the ``acwr`` package) also after a break;
``acwr_meaningful`` marks the days whose chronic window is dominated by the break
(the cause model ignores their ratios, the charts and summaries show them apart).
Sessions without a load (no duration) still count as
sessions but add no load. When several nights share a date, the longest one is
kept (two exports of the same night must not add up).

The ACWR is a popular heuristic, not a validated injury predictor (science.md
section 2.3); the single-run spike is the better "too much too soon" signal in
runners. Educational material, not a diagnosis.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping
from typing import Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.metric_names import (  # noqa: F401  (re-exported)
    FLAG_METRICS,
    METRIC_COLUMNS,
    METRIC_UNITS,
)
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.domain.records import with_loads

CTL_DAYS = 42
ATL_DAYS = 7
ACUTE_DAYS = 7
CHRONIC_DAYS = 28
MONOTONY_DAYS = 7
SPIKE_LOOKBACK_DAYS = 30
SPIKE_RECENT_DAYS = 7
SHARE_DAYS = 14
STRAIN_BASELINE_DAYS = 56
STRAIN_BASELINE_MIN_VALUES = 28
STRAIN_BASELINE_QUANTILE = 0.90
SHORT_NIGHT_H = 6.0
SHORT_NIGHTS_COUNT = 3
SHORT_NIGHTS_MAX_AGE_DAYS = 7
MODERATE_MIN_RPE = 5.0  # CR-10: RPE < 5 easy, 5 <= RPE < 7 moderate, RPE >= 7 hard
HARD_MIN_RPE = 7.0
INTENSITY_CLASSES: tuple[str, ...] = ("easy", "moderate", "hard", "RPE unknown")
"""The intensity classes of :func:`intensity_class`, in order."""

KMode = Literal["exp", "inverse"]
K_MODES: tuple[str, ...] = ("exp", "inverse")

# The column names and units live in a pandas-free module so that the knowledge base
# can validate metric names without importing pandas; they are re-exported here.

"""Column names of :func:`daily_metrics`, in order."""

COUNT_COLUMNS: tuple[str, ...] = ("sessions", "days_since_rest", "hard_sessions_7d", "short_nights_3d",
                                  "days_since_rest_at_least")
"""Columns that hold whole numbers (nullable integers in the table)."""

FLAG_COLUMNS: tuple[str, ...] = FLAG_METRICS
"""Columns that hold yes/no values (nullable booleans in the table)."""

BREAK_DAYS = 10
"""Consecutive days without load that make a break (the ``acwr`` package's ``check_load``, ``break_days``)."""


# --------------------------------------------------------------------------- recursions


def decay_constant(tau_days: float, k_mode: KMode = "exp") -> float:
    """Gain ``k`` of the fitness-fatigue recursion for time constant ``tau_days`` (days).

    ``"exp"``: ``k = 1 - e^(-1/τ)`` (GoldenCheetah, intervals.icu; the workbook's
    default). ``"inverse"``: ``k = 1/τ`` (as TrainingPeaks documents it).

    >>> round(decay_constant(42), 10), round(decay_constant(42, "inverse"), 10)
    (0.0235283133, 0.0238095238)
    """
    if k_mode not in K_MODES:
        raise ValueError(f"k_mode must be one of {K_MODES}, got {k_mode!r}")
    if not tau_days >= 1:
        raise ValueError(f"tau_days must be at least 1 day, got {tau_days!r}")
    return 1.0 - math.exp(-1.0 / tau_days) if k_mode == "exp" else 1.0 / tau_days


def _ewm(x: np.ndarray, alpha: float) -> np.ndarray:
    """``y_0 = x_0``, ``y_t = alpha·x_t + (1 - alpha)·y_{t-1}`` (pandas ``ewm(adjust=False)``)."""
    if len(x) == 0:
        return np.empty(0)
    return pd.Series(x, copy=False).ewm(alpha=alpha, adjust=False).mean().to_numpy()


def fitness_fatigue(
    load: np.ndarray | pd.Series, tau_days: float, *, k_mode: KMode = "exp", seed: float = 0.0
) -> np.ndarray:
    """Exponentially weighted training load (CTL or ATL) of a daily load series.

    ``x_t = x_{t-1} + k·(load_t - x_{t-1})`` with ``x_{-1} = seed`` (AU/day) on the
    day before the first element, ``k`` from :func:`decay_constant`. ``load`` is a
    zero-filled daily series in AU (no NaN). Returns AU/day, one value per day.
    CTL is ``tau_days = 42``, ATL ``7`` (science.md section 1).

    >>> [round(v, 4) for v in fitness_fatigue([100, 50], 42)]
    [2.3528, 3.4739]
    """
    arr = np.asarray(load, dtype="float64")
    k = decay_constant(tau_days, k_mode)
    if len(arr) == 0:
        return np.empty(0)
    return _ewm(np.concatenate(([float(seed)], arr)), k)[1:]


def ewma_load(load: np.ndarray | pd.Series, span_days: int) -> np.ndarray:
    """Williams (2017) EWMA of a zero-filled daily load series (AU → AU/day).

    ``λ = 2/(span_days + 1)``; ``x_t = λ·load_t + (1 - λ)·x_{t-1}``, seeded with the
    first day's load.

    >>> [round(v, 2) for v in ewma_load([0, 100, 0], 7)]
    [0.0, 25.0, 18.75]
    """
    if span_days < 1:
        raise ValueError(f"span_days must be at least 1, got {span_days!r}")
    return _ewm(np.asarray(load, dtype="float64"), 2.0 / (span_days + 1.0))


# --------------------------------------------------------------------------- windows
# All helpers work on 2-D arrays: one row per athlete, one column per calendar day.


def _shift(x: np.ndarray, k: int, fill: float | bool) -> np.ndarray:
    """``out[:, t] = x[:, t - k]`` (``fill`` for the first ``k`` days)."""
    out = np.full(x.shape, fill, dtype=x.dtype)
    if k < x.shape[1]:
        out[:, k:] = x[:, : x.shape[1] - k]
    return out


def _window_sum(x: np.ndarray, window: int) -> np.ndarray:
    """Trailing sum over ``window`` days; NaN for the first ``window - 1`` days.

    Each window is summed afresh (no running total), so a window of zeros sums
    to exactly 0 and a zero denominator is never hidden by round-off.
    """
    g = x.shape[1]
    out = np.full(x.shape, np.nan)
    if g >= window:
        acc = x[:, window - 1:].astype("float64")
        for lag in range(1, window):
            acc += x[:, window - 1 - lag: g - lag]
        out[:, window - 1:] = acc
    return out


def _partial_sum(x: np.ndarray, window: int) -> np.ndarray:
    """Trailing sum over up to ``window`` days (days before the grid count as 0), summed afresh."""
    g = x.shape[1]
    acc = x.astype("float64")
    for lag in range(1, min(window, g)):
        acc[:, lag:] += x[:, : g - lag]
    return acc


def _window_max(x: np.ndarray, window: int, *, lag: int = 0) -> np.ndarray:
    """NaN-ignoring max over days ``t - lag - window + 1`` to ``t - lag``; NaN if nothing there."""
    g = x.shape[1]
    vals = np.where(np.isnan(x), -np.inf, x)
    out = np.full(x.shape, -np.inf)
    for back in range(lag, min(lag + window, g)):
        np.maximum(out[:, back:], vals[:, : g - back], out=out[:, back:])
    out[np.isneginf(out)] = np.nan
    return out


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN wherever ``den`` is 0 or NaN (never inf)."""
    ok = np.isfinite(den) & (den != 0)
    out = np.full(np.shape(num), np.nan)
    np.divide(num, den, out=out, where=ok)
    return out


def _ewm_rows(x: np.ndarray, alpha: float) -> np.ndarray:
    """Row-wise ``y_t = alpha·x_t + (1 - alpha)·y_{t-1}``, seeded with each row's first non-NaN value."""
    if x.shape[0] == 1:  # one athlete: the Series path has less overhead
        return _ewm(x[0], alpha)[None, :]
    frame = pd.DataFrame(x.T, copy=False)
    return frame.ewm(alpha=alpha, adjust=False).mean().to_numpy().T


def _trailing_quantile(x: np.ndarray, window: int, q: float, min_values: int) -> np.ndarray:
    """Quantile ``q`` (linear interpolation) of the non-NaN values of the ``window`` days before each day (1-D)."""
    n = len(x)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    padded = np.concatenate((np.full(window, np.inf), np.where(np.isnan(x), np.inf, x)))[:n + window - 1]
    cum = np.concatenate(([0], np.cumsum(np.isfinite(padded))))  # whole numbers: exact
    valid = cum[window:] - cum[:-window]
    use = np.flatnonzero(valid >= min_values)
    if len(use) == 0:
        return out
    first = int(use[0])  # rows before it have too few values; the sort is the costly part
    srt = np.sort(sliding_window_view(padded, window)[first:], axis=1)
    pos = q * (valid[first:] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, valid[first:] - 1)
    r = np.arange(n - first)
    lo_v, hi_v = srt[r, lo], srt[r, hi]
    with np.errstate(invalid="ignore"):
        vals = lo_v + (hi_v - lo_v) * (pos - lo)
    out[first:] = np.where(valid[first:] >= min_values, vals, np.nan)
    return out


# --------------------------------------------------------------------------- inputs

_NO_DAY = np.iinfo(np.int64).min


def _day_numbers(values: pd.Series) -> np.ndarray:
    """Calendar days as integers (days since 1970-01-01); the smallest int64 marks a missing date."""
    s = values
    if not pd.api.types.is_datetime64_any_dtype(s):
        s = pd.to_datetime(s, errors="coerce")
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    days = s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = days.astype(np.int64)
    out[np.isnat(days)] = _NO_DAY
    return out


def _column(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    if df[name].dtype == "float64":
        return df[name].to_numpy()
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _as_day_number(value: dt.date | str | pd.Timestamp) -> int:
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.normalize().date(), "D").astype(np.int64))


def _session_loads(
    sessions: pd.DataFrame, use: np.ndarray, codes: np.ndarray, profiles: list[AthleteProfile]
) -> np.ndarray:
    """Each session's load (AU); computed with :func:`records.with_loads` where it is missing."""
    load = _column(sessions, "load")
    missing = np.isnan(load) & use
    if missing.any() and "duration_min" in sessions.columns:
        load = load.copy()
        for code in np.unique(codes[missing]):
            rows = missing & (codes == code)
            part = sessions.loc[rows].copy()
            for c in ("rpe", "avg_hr"):
                if c not in part.columns:
                    part[c] = np.nan
            filled = with_loads(part, profiles[code])
            load[rows] = filled["load"].to_numpy(dtype="float64", na_value=np.nan)
    negative = (load < 0) & use
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        where = None
        if "source" in sessions.columns and isinstance(sessions["source"].iloc[i], str):
            where = sessions["source"].iloc[i]
        raise UserError(
            f"a session on {sessions['date'].iloc[i]} has a negative load ({load[i]:g}): "
            "check its duration and RPE", where=where,
        )
    return load


def _empty_table(key: str | None = None) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {}
    if key is not None:
        cols[key] = pd.Series(dtype="object")
    for c in METRIC_COLUMNS:
        cols[c] = pd.Series(dtype="float64")
    cols["date"] = pd.Series(dtype="datetime64[ns]")
    for c in COUNT_COLUMNS:
        cols[c] = pd.Series(dtype="Int64")
    for c in FLAG_COLUMNS:
        cols[c] = pd.Series(dtype="boolean")
    return pd.DataFrame(cols)


# --------------------------------------------------------------------------- the table


def daily_metrics(
    sessions: pd.DataFrame,
    nights: pd.DataFrame | None = None,
    *,
    profile: AthleteProfile | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The daily metrics table of one athlete (interfaces.md section 3).

    Parameters
    ----------
    sessions
        Canonical sessions (:mod:`heavylegs_core.domain.records`). Needed: ``date``
        (calendar day); used when present: ``load`` (AU; missing loads are
        computed from ``rpe`` x ``duration_min`` (min), else Banister TRIMP from
        ``avg_hr`` (bpm) and the profile, else minutes), ``sport``,
        ``distance_km`` (km), ``rpe`` (CR-10).
    nights
        Canonical nights: ``date`` (the day the sleeper woke up) and ``sleep_h``
        (hours). Optional.
    profile
        The athlete's parameters (max and resting heart rate in bpm, sex,
        sleep need in hours); defaults to :class:`AthleteProfile()`.
    as_of
        Last day of the table (default: the last day with data). Data after it
        is ignored.

    Returns
    -------
    pandas.DataFrame
        One row per calendar day with the columns of :data:`METRIC_COLUMNS`
        (units in :data:`METRIC_UNITS` and the module docstring). Empty cells
        are NaN (``<NA>`` in the whole-number columns). An empty frame when
        there is no data up to ``as_of``.
    """
    if "date" not in sessions.columns:
        raise ValueError("sessions need a 'date' column")
    if nights is not None and "date" not in nights.columns:
        raise ValueError("nights need a 'date' column")
    s_codes = np.zeros(len(sessions), dtype=np.int64)
    n_codes = np.zeros(0 if nights is None else len(nights), dtype=np.int64)
    return _metrics(sessions, nights, s_codes, n_codes, [profile or AthleteProfile()], as_of, keys=None)


def daily_metrics_panel(
    sessions: pd.DataFrame,
    nights: pd.DataFrame | None = None,
    *,
    by: str = "athlete",
    profiles: AthleteProfile | Mapping[Hashable, AthleteProfile] | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The daily metrics tables of many athletes in one vectorised pass (a coach's squad).

    ``sessions`` and ``nights`` are canonical records with an extra column
    ``by`` naming the athlete. ``profiles`` is one profile for everybody or a
    mapping from athlete to profile (a missing athlete gets the defaults).
    Returns the column ``by`` followed by :data:`METRIC_COLUMNS` (units as in
    :func:`daily_metrics`), athlete by athlete in sorted order, each athlete's
    rows exactly those :func:`daily_metrics` gives for that athlete alone
    (each athlete's calendar runs from their own first day with data to
    ``as_of`` or their own last day with data).
    """
    if by not in sessions.columns or "date" not in sessions.columns:
        raise ValueError(f"sessions need the columns {by!r} and 'date'")
    if nights is not None and (by not in nights.columns or "date" not in nights.columns):
        raise ValueError(f"nights need the columns {by!r} and 'date'")
    n_keys = nights[by] if nights is not None else pd.Series([], dtype=sessions[by].dtype)
    allkeys = pd.concat([sessions[by], n_keys], ignore_index=True)
    if allkeys.isna().any():
        raise ValueError(f"column {by!r} has empty values: every row needs an athlete")
    codes, uniques = pd.factorize(allkeys, sort=True)
    keys = list(uniques)
    if isinstance(profiles, Mapping):
        plist = [profiles.get(k) or AthleteProfile() for k in keys]
    else:
        plist = [profiles or AthleteProfile()] * len(keys)
    table = _metrics(sessions, nights, codes[: len(sessions)], codes[len(sessions):], plist, as_of, keys=keys)
    if table.empty:
        return _empty_table(by)
    return table.rename(columns={"athlete_": by})


def _metrics(
    sessions: pd.DataFrame,
    nights: pd.DataFrame | None,
    s_code: np.ndarray,
    n_code: np.ndarray,
    profiles: list[AthleteProfile],
    as_of: dt.date | None,
    keys: list[Hashable] | None,
) -> pd.DataFrame:
    """The core: every athlete on one common day grid (rows = athletes, columns = days)."""
    n_athletes = len(profiles)
    s_day = _day_numbers(sessions["date"])
    s_ok = s_day != _NO_DAY
    if nights is not None:
        n_day = _day_numbers(nights["date"])
        n_h = _column(nights, "sleep_h")
        n_ok = (n_day != _NO_DAY) & np.isfinite(n_h) & (n_h >= 0)
    else:
        n_day, n_h, n_ok = np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool)
    cut = _as_day_number(as_of) if as_of is not None else None
    if cut is not None:
        s_ok &= s_day <= cut
        n_ok &= n_day <= cut
    if not s_ok.any() and not n_ok.any():
        return _empty_table(None if keys is None else "athlete_")

    big = np.iinfo(np.int64).max
    first_s = np.full(n_athletes, big)
    np.minimum.at(first_s, s_code[s_ok], s_day[s_ok])
    first_n = np.full(n_athletes, big)
    np.minimum.at(first_n, n_code[n_ok], n_day[n_ok])
    first = np.minimum(first_s, first_n)
    if cut is None:
        last = np.full(n_athletes, _NO_DAY)
        np.maximum.at(last, s_code[s_ok], s_day[s_ok])
        np.maximum.at(last, n_code[n_ok], n_day[n_ok])
    else:
        last = np.full(n_athletes, cut)
    present = first != big
    g0 = int(first[present].min()) - 1  # one day before everybody's start: CTL/ATL seed 0
    g = int(last[present].max()) - g0 + 1
    day = np.arange(g)
    start = np.where(first_s != big, first_s - g0, g)  # first session day (load history) per athlete

    need = np.array([p.sleep_need_h for p in profiles], dtype="float64")
    sess = {
        "code": s_code[s_ok],
        "day": s_day[s_ok] - g0,
        "load": _session_loads(sessions, s_ok, s_code, profiles)[s_ok],
        "rpe": _column(sessions, "rpe")[s_ok],
        "dist": _column(sessions, "distance_km")[s_ok],
        "run": (sessions["sport"].to_numpy(dtype=object)[s_ok] == "run") if "sport" in sessions.columns
        else np.zeros(int(s_ok.sum()), bool),
    }
    cols = _training(sess, n_athletes, g, start)
    cols.update(_sleep(n_code[n_ok], n_day[n_ok] - g0, n_h[n_ok], n_athletes, g, need))

    lo_day = np.where(present, first - g0, g)  # an athlete without data up to as_of gets no rows
    hi_day = np.where(present, last - g0, -1)
    inside: np.ndarray | tuple[int, slice]
    if n_athletes == 1:  # one contiguous range: slicing is cheaper than a mask
        inside = (0, slice(int(lo_day[0]), int(hi_day[0]) + 1))
        rows = day[inside[1]]
    else:
        inside = (day[None, :] >= lo_day[:, None]) & (day[None, :] <= hi_day[:, None])
        rows = np.broadcast_to(day, inside.shape)[inside]
    data: dict[str, object] = {}
    if keys is not None:
        per = (hi_day - lo_day + 1).clip(min=0)
        data["athlete_"] = np.repeat(np.array(keys, dtype=object), per)
    data["date"] = (g0 + rows).astype("datetime64[D]").astype("datetime64[ns]")
    for c in METRIC_COLUMNS[1:]:
        values = cols[c][inside]
        if c in COUNT_COLUMNS:
            empty = np.isnan(values)
            data[c] = pd.arrays.IntegerArray(np.where(empty, 0, values).astype(np.int64), empty)
        elif c in FLAG_COLUMNS:
            empty = np.isnan(values)
            data[c] = pd.arrays.BooleanArray(np.where(empty, 0.0, values) != 0, empty)
        else:
            data[c] = values
    return pd.DataFrame(data)


def _training(sess: dict[str, np.ndarray], n_athletes: int, g: int, start: np.ndarray) -> dict[str, np.ndarray]:
    """Training columns on the grid; empty before each athlete's first session day (``start``)."""
    shape = (n_athletes, g)
    flat = sess["code"] * g + sess["day"]
    age = np.arange(g)[None, :] - start[:, None]  # days since the first session day
    hist = age >= 0

    def per_day(weights: np.ndarray | None = None, mask: np.ndarray | None = None) -> np.ndarray:
        f = flat if mask is None else flat[mask]
        w = weights if mask is None or weights is None else weights[mask]
        return np.bincount(f, weights=w, minlength=n_athletes * g).astype("float64").reshape(shape)

    def known_after(x: np.ndarray, days: int) -> np.ndarray:
        return np.where(age >= days - 1, x, np.nan)

    out: dict[str, np.ndarray] = {}
    count = per_day()
    load = per_day(np.nan_to_num(sess["load"], nan=0.0))
    out["sessions"] = np.where(hist, count, np.nan)
    out["load"] = np.where(hist, load, np.nan)

    # fitness-fatigue (GoldenCheetah): zero load before the first session keeps both at their seed 0
    ctl = _ewm_rows(load, decay_constant(CTL_DAYS))
    atl = _ewm_rows(load, decay_constant(ATL_DAYS))
    out["ctl"] = np.where(hist, ctl, np.nan)
    out["atl"] = np.where(hist, atl, np.nan)
    out["tsb"] = np.where(hist, _shift(ctl - atl, 1, 0.0), np.nan)

    # ACWR: rolling coupled/uncoupled and EWMA seeded on the first session day
    sum7 = _window_sum(load, ACUTE_DAYS)
    sum28 = _window_sum(load, CHRONIC_DAYS)
    older = _shift(_window_sum(load, CHRONIC_DAYS - ACUTE_DAYS), ACUTE_DAYS, np.nan)
    acute = sum7 / ACUTE_DAYS
    chronic = sum28 / CHRONIC_DAYS
    seeded = np.where(hist, load, np.nan)
    e_acute = _ewm_rows(seeded, 2.0 / (ACUTE_DAYS + 1.0))
    e_chronic = _ewm_rows(seeded, 2.0 / (CHRONIC_DAYS + 1.0))
    out["acute_load"] = known_after(acute, ACUTE_DAYS)
    out["chronic_load"] = known_after(chronic, CHRONIC_DAYS)
    out["acwr_coupled"] = known_after(_divide(acute, chronic), CHRONIC_DAYS)
    out["acwr_uncoupled"] = known_after(_divide(acute, older / (CHRONIC_DAYS - ACUTE_DAYS)), CHRONIC_DAYS)
    out["acwr_ewma"] = known_after(_divide(e_acute, e_chronic), CHRONIC_DAYS)
    out["acwr_meaningful"] = _acwr_meaningful(
        load, hist, np.isfinite(out["acwr_coupled"]) | np.isfinite(out["acwr_uncoupled"])
        | np.isfinite(out["acwr_ewma"]))

    # monotony and strain (ddof = 1); a perfectly even week has no SD -> empty
    mean7 = sum7 / MONOTONY_DAYS
    sq = np.zeros(shape)
    hi = np.full(shape, -np.inf)
    lo = np.full(shape, np.inf)
    for lag in range(MONOTONY_DAYS):
        past = _shift(load, lag, np.nan)
        sq += (past - mean7) ** 2
        np.maximum(hi, past, out=hi)
        np.minimum(lo, past, out=lo)
    sd = np.sqrt(sq / (MONOTONY_DAYS - 1))
    sd[hi == lo] = 0.0
    mono = known_after(_divide(mean7, sd), MONOTONY_DAYS)
    strain = sum7 * mono
    out["monotony"] = mono
    out["strain"] = strain
    p90 = np.full(shape, np.nan)
    for a in range(n_athletes):
        s0 = int(start[a])
        if s0 < g:
            p90[a, s0:] = _trailing_quantile(
                strain[a, s0:], STRAIN_BASELINE_DAYS, STRAIN_BASELINE_QUANTILE, STRAIN_BASELINE_MIN_VALUES)
    out["strain_p90_56d"] = p90

    # running: km per day, single-run spike (Frandsen 2025), weekly change
    run = sess["run"]
    dist = sess["dist"]
    unknown = per_day(np.isnan(dist).astype("float64"), run)
    run_km = per_day(np.nan_to_num(dist, nan=0.0), run)
    run_km[unknown > 0] = np.nan
    out["run_km"] = np.where(hist, run_km, np.nan)
    longest = np.full(n_athletes * g, -np.inf)
    has = run & (dist > 0)
    np.maximum.at(longest, flat[has], dist[has])
    longest = longest.reshape(shape)
    longest[np.isneginf(longest)] = np.nan
    before = _window_max(longest, SPIKE_LOOKBACK_DAYS, lag=1)
    out["spike_ratio"] = np.where(hist, _window_max(_divide(longest, before), SPIKE_RECENT_DAYS), np.nan)
    km7 = _window_sum(run_km, 7)
    out["weekly_change"] = known_after(_divide(km7, _shift(km7, 7, np.nan)), 14)

    # rest days
    rest = hist & (count == 0)
    last_rest = np.maximum.accumulate(np.where(rest, np.arange(g)[None, :], -1), axis=1)
    out["days_since_rest"] = np.where(hist & (last_rest >= 0), np.arange(g)[None, :] - last_rest, np.nan)
    # no rest day on record yet: every day since the first session had one, so at least age + 1 days
    out["days_since_rest_at_least"] = np.where(hist & (last_rest < 0), age + 1.0, np.nan)

    # intensity distribution from RPE (CR-10)
    classes = intensity_class(sess["rpe"])
    known = classes != INTENSITY_CLASSES[3]
    easy, moderate, hard = (classes == c for c in INTENSITY_CLASSES[:3])
    n_known = _partial_sum(per_day(None, known), SHARE_DAYS)
    for name, mask in (("easy_share", easy), ("moderate_share", moderate), ("hard_share", hard)):
        out[name] = np.where(hist, _divide(_partial_sum(per_day(None, mask), SHARE_DAYS), n_known), np.nan)
    hard_day = per_day(None, hard)
    out["hard_sessions_7d"] = known_after(_window_sum(hard_day, 7), 7)
    out["hard_sessions_28d_weekly_mean"] = known_after(_window_sum(hard_day, 28) / 4.0, 28)
    return out


def intensity_class(rpe: np.ndarray | pd.Series) -> np.ndarray:
    """The intensity class of each session from its CR-10 RPE (:data:`INTENSITY_CLASSES`).

    Easy below :data:`MODERATE_MIN_RPE`, hard from :data:`HARD_MIN_RPE`, moderate in
    between, and "RPE unknown" for a missing RPE, so that no session is hidden.
    """
    r = np.asarray(rpe, dtype="float64")
    return np.select([r < MODERATE_MIN_RPE, r < HARD_MIN_RPE, r >= HARD_MIN_RPE],
                     list(INTENSITY_CLASSES[:3]), default=INTENSITY_CLASSES[3])


def _acwr_meaningful(load: np.ndarray, hist: np.ndarray, defined: np.ndarray) -> np.ndarray:
    """1.0 where the ACWR is meaningful, 0.0 after a break, NaN where no ACWR is defined (days → flag).

    A break is a run of at least :data:`BREAK_DAYS` consecutive days of the load
    history with zero load (AU); the ratio is not meaningful on a day whose
    :data:`CHRONIC_DAYS`-day window (that day and the 27 before it) holds such a
    run, counted inside the window. A run of ``BREAK_DAYS`` zero days ending on
    day ``k`` lies inside the window of day ``t`` exactly when
    ``t - (CHRONIC_DAYS - BREAK_DAYS) <= k <= t``, so a trailing any() over
    ``CHRONIC_DAYS - BREAK_DAYS + 1`` days of "a break of at least ``BREAK_DAYS``
    ends here" gives the flag.
    """
    zero = hist & (load == 0)
    days = np.arange(load.shape[1])[None, :]
    last_load = np.maximum.accumulate(np.where(zero, -1, days), axis=1)
    run = days - last_load  # consecutive zero-load days ending on each day (0 on a day with load)
    ends = (run >= BREAK_DAYS).astype("float64")
    broken = _partial_sum(ends, CHRONIC_DAYS - BREAK_DAYS + 1) > 0
    return np.where(defined, np.where(broken, 0.0, 1.0), np.nan)


def _sleep(
    code: np.ndarray, day: np.ndarray, hours: np.ndarray, n_athletes: int, g: int, need: np.ndarray
) -> dict[str, np.ndarray]:
    """Sleep columns on the grid (hours; counts of nights)."""
    shape = (n_athletes, g)
    sleep = np.full(n_athletes * g, -np.inf)
    np.maximum.at(sleep, code * g + day, hours)  # two records of one night: the longer one
    sleep = sleep.reshape(shape)
    sleep[np.isneginf(sleep)] = np.nan
    have = ~np.isnan(sleep)
    n_nights = _partial_sum(have, ACUTE_DAYS)
    out = {
        "sleep_h": sleep,
        "sleep_7d_mean": _divide(_partial_sum(np.where(have, sleep, 0.0), ACUTE_DAYS), n_nights),
        "sleep_need_h": np.broadcast_to(need[:, None], shape),
    }
    debt = _partial_sum(np.where(have, np.maximum(need[:, None] - sleep, 0.0), 0.0), ACUTE_DAYS)
    out["sleep_debt_7d"] = np.where(n_nights > 0, debt, np.nan)
    # nights < 6 h among the latest 3 nights with data, looking back at most 7 days
    short = have & (sleep < SHORT_NIGHT_H)
    rank = np.zeros(shape)
    counted = np.zeros(shape)
    for lag in range(SHORT_NIGHTS_MAX_AGE_DAYS):
        rank += _shift(have, lag, False)
        counted += _shift(short, lag, False) & (rank <= SHORT_NIGHTS_COUNT)
    out["short_nights_3d"] = np.where(rank > 0, counted, np.nan)
    return out
