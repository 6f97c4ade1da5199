"""The daily metrics table: training load, fitness-fatigue, ACWR and sleep (interfaces.md section 3).

:func:`daily_metrics` turns canonical sessions and nights
(:mod:`heavylegs_core.records`) into one row per calendar day, from the first
day with data to ``as_of``. Every number is a pure function of the inputs;
nothing is read from or written to disk. Definitions and citations are in
science.md (sections 1-4 and 6); the contract is interfaces.md section 3.

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
==================================  =========  ==================================================================

Conventions: a ratio with a zero denominator is empty (NaN), never infinite, so
``monotony`` is empty for a perfectly even week (the cause model may still read
such a week as very monotonous). The three ACWR columns are empty until 28
days of load history exist, ``monotony`` and ``strain`` until 7, and
``weekly_change`` until 14. Sessions without a load (no duration) still count as
sessions but add no load. When several nights share a date, the longest one is
kept (two exports of the same night must not add up).

The ACWR is a popular heuristic, not a validated injury predictor (science.md
section 2.3); the single-run spike is the better "too much too soon" signal in
runners. Educational material, not a diagnosis.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from heavylegs_core.errors import UserError
from heavylegs_core.profile import AthleteProfile

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

KMode = Literal["exp", "inverse"]
K_MODES: tuple[str, ...] = ("exp", "inverse")

METRIC_UNITS: dict[str, str] = {
    "date": "calendar day",
    "load": "AU: sum of the day's session loads (0 on a day without sessions)",
    "ctl": "AU/day: chronic training load (fitness), GoldenCheetah recursion, tau 42 days",
    "atl": "AU/day: acute training load (fatigue), GoldenCheetah recursion, tau 7 days",
    "tsb": "AU/day: form, ctl - atl of the previous day",
    "acwr_coupled": "ratio: 7-day mean load / 28-day mean load",
    "acwr_uncoupled": "ratio: 7-day mean load / mean load of the 21 days before them",
    "acwr_ewma": "ratio: EWMA(lambda 2/8) / EWMA(lambda 2/29) of daily load",
    "monotony": "ratio: 7-day mean load / 7-day sample SD of load",
    "strain": "AU: 7-day load x monotony",
    "run_km": "km run that day",
    "spike_ratio": "ratio: longest recent run / longest run in the 30 days before it",
    "weekly_change": "ratio: run km of the last 7 days / run km of the 7 days before",
    "days_since_rest": "days since the last day without a session",
    "sleep_h": "h slept in the night that ended that day",
    "sleep_7d_mean": "h: mean sleep of the last 7 days (nights with data)",
    "sessions": "count of sessions that day",
    "acute_load": "AU/day: mean load of the last 7 days",
    "chronic_load": "AU/day: mean load of the last 28 days",
    "easy_share": "fraction of the last 14 days' sessions with known RPE at RPE <= 4",
    "moderate_share": "fraction of the last 14 days' sessions with known RPE at RPE 5-6",
    "hard_share": "fraction of the last 14 days' sessions with known RPE at RPE >= 7",
    "hard_sessions_7d": "count of RPE >= 7 sessions in the last 7 days",
    "hard_sessions_28d_weekly_mean": "sessions/week: RPE >= 7 sessions in the last 28 days / 4",
    "strain_p90_56d": "AU: 90th percentile of strain over the previous 56 days",
    "sleep_debt_7d": "h: sum of max(0, sleep need - sleep) over the last 7 days",
    "short_nights_3d": "count of nights < 6 h among the last 3 nights with data (within 7 days)",
    "sleep_need_h": "h: the athlete's sleep need (profile)",
}
"""Every column of :func:`daily_metrics`, in order, with its unit and meaning."""

METRIC_COLUMNS: tuple[str, ...] = tuple(METRIC_UNITS)
"""Column names of :func:`daily_metrics`, in order."""

COUNT_COLUMNS: tuple[str, ...] = ("sessions", "days_since_rest", "hard_sessions_7d", "short_nights_3d")
"""Columns that hold whole numbers (nullable integers in the table)."""


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


def _pad_front(x: np.ndarray, width: int, fill: float) -> np.ndarray:
    return np.concatenate((np.full(width, fill), x))


def _window_sum(x: np.ndarray, window: int) -> np.ndarray:
    """Trailing sum over ``window`` days; NaN for the first ``window - 1`` days.

    Each window is summed afresh (no running total), so a window of zeros sums
    to exactly 0 and a zero denominator is never hidden by round-off.
    """
    n = len(x)
    out = np.full(n, np.nan)
    if n >= window:
        acc = x[window - 1:].copy()
        for lag in range(1, window):
            acc += x[window - 1 - lag: n - lag]
        out[window - 1:] = acc
    return out


def _partial_count(counts: np.ndarray, window: int) -> np.ndarray:
    """Trailing sum of whole-number counts over up to ``window`` days (exact, allows partial windows)."""
    cs = np.concatenate(([0.0], np.cumsum(counts, dtype="float64")))
    idx = np.arange(1, len(counts) + 1)
    return cs[idx] - cs[np.maximum(idx - window, 0)]


def _window_max(x: np.ndarray, window: int, *, lag: int = 0) -> np.ndarray:
    """NaN-ignoring max over days ``t - lag - window + 1 … t - lag``; NaN if nothing there."""
    n = len(x)
    vals = _pad_front(np.where(np.isnan(x), -np.inf, x), window + lag - 1, -np.inf)
    out = np.full(n, -np.inf)
    for back in range(lag, lag + window):  # days t - back
        np.maximum(out, vals[window + lag - 1 - back: window + lag - 1 - back + n], out=out)
    out[np.isneginf(out)] = np.nan
    return out


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN wherever ``den`` is 0 or NaN (never inf)."""
    ok = np.isfinite(den) & (den != 0)
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=ok)
    return out


def _trailing_quantile(x: np.ndarray, window: int, q: float, min_values: int) -> np.ndarray:
    """Quantile ``q`` (linear interpolation) of the non-NaN values of the ``window`` days before each day."""
    n = len(x)
    padded = _pad_front(np.where(np.isnan(x), np.inf, x), window, np.inf)[:n + window - 1]
    if n == 0:
        return np.empty(0)
    finite = np.isfinite(padded).astype(np.int64)
    valid = _partial_count(finite, window)[window - 1:].astype(np.int64)
    out = np.full(n, np.nan)
    use = np.flatnonzero(valid >= min_values)
    if len(use) == 0:
        return out
    wins = sliding_window_view(padded, window)
    pos = q * (valid - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, valid - 1)
    first = int(use[0])  # rows before it have too few values; the sort is the costly part
    srt = np.sort(wins[first:], axis=1)
    r = np.arange(n - first)
    lo_v, hi_v = srt[r, lo[first:]], srt[r, hi[first:]]
    with np.errstate(invalid="ignore"):
        vals = lo_v + (hi_v - lo_v) * (pos[first:] - lo[first:])
    out[first:] = np.where(valid[first:] >= min_values, vals, np.nan)
    return out


# --------------------------------------------------------------------------- inputs


def _day_numbers(values: pd.Series) -> np.ndarray:
    """Calendar days as integers (days since 1970-01-01); -1 marks a missing date."""
    s = values
    if not pd.api.types.is_datetime64_any_dtype(s):
        s = pd.to_datetime(s, errors="coerce")
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    days = s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = days.astype(np.int64)
    out[np.isnat(days)] = np.iinfo(np.int64).min
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


def _session_loads(sessions: pd.DataFrame, use: np.ndarray, profile: AthleteProfile) -> np.ndarray:
    """Each session's load (AU); computed with :func:`records.with_loads` where it is missing."""
    load = _column(sessions, "load")
    missing = np.isnan(load) & use
    if missing.any() and "duration_min" in sessions.columns:
        from heavylegs_core.records import with_loads

        part = sessions.loc[missing].copy()
        for c in ("rpe", "avg_hr"):
            if c not in part.columns:
                part[c] = np.nan
        filled = with_loads(part, profile)
        load = load.copy()
        load[missing] = filled["load"].to_numpy(dtype="float64", na_value=np.nan)
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


def _empty_table() -> pd.DataFrame:
    cols: dict[str, object] = {c: pd.Series(dtype="float64") for c in METRIC_COLUMNS}
    cols["date"] = pd.Series(dtype="datetime64[ns]")
    for c in COUNT_COLUMNS:
        cols[c] = pd.Series(dtype="Int64")
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
        Canonical sessions (:mod:`heavylegs_core.records`). Needed: ``date``
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
    profile = profile or AthleteProfile()
    if "date" not in sessions.columns:
        raise ValueError("sessions need a 'date' column")
    if nights is None:
        nights = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "sleep_h": []})
    elif "date" not in nights.columns:
        raise ValueError("nights need a 'date' column")

    s_day = _day_numbers(sessions["date"])
    s_ok = s_day != np.iinfo(np.int64).min
    n_day = _day_numbers(nights["date"])
    n_h = _column(nights, "sleep_h")
    n_ok = (n_day != np.iinfo(np.int64).min) & np.isfinite(n_h) & (n_h >= 0)

    last_day = _as_day_number(as_of) if as_of is not None else None
    if last_day is not None:
        s_ok &= s_day <= last_day
        n_ok &= n_day <= last_day
    if not s_ok.any() and not n_ok.any():
        return _empty_table()
    n_day, n_h = n_day[n_ok], n_h[n_ok]
    if last_day is None:
        last_day = int(max(s_day.max(initial=np.iinfo(np.int64).min, where=s_ok),
                           n_day.max(initial=np.iinfo(np.int64).min)))
    first_day = int(min(s_day.min(initial=last_day, where=s_ok), n_day.min(initial=last_day)))
    n = last_day - first_day + 1
    cols: dict[str, np.ndarray] = {}

    # ---- sleep, over the whole calendar
    sleep = np.full(n, -np.inf)
    np.maximum.at(sleep, n_day - first_day, n_h)
    sleep[np.isneginf(sleep)] = np.nan
    have = ~np.isnan(sleep)
    n_nights = _partial_count(have.astype("float64"), ACUTE_DAYS)
    sum_sleep = _partial_count(np.where(have, sleep, 0.0), ACUTE_DAYS)
    need = float(profile.sleep_need_h)
    debt = _partial_count(np.where(have, np.maximum(need - sleep, 0.0), 0.0), ACUTE_DAYS)
    cols["sleep_h"] = sleep
    cols["sleep_7d_mean"] = _divide(sum_sleep, n_nights)
    cols["sleep_debt_7d"] = np.where(n_nights > 0, debt, np.nan)
    cols["short_nights_3d"] = _short_nights(sleep)
    cols["sleep_need_h"] = np.full(n, need)

    # ---- training, over the load history (first session day .. last day)
    train = _training_columns(sessions, s_ok, s_day, profile, last_day)
    offset = n - train["load"].shape[0]
    for name, values in train.items():
        full = np.full(n, np.nan)
        full[offset:] = values
        cols[name] = full

    return _assemble(first_day, last_day, cols)


def _assemble(first_day: int, last_day: int, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """The table in column order: dates, floats (one block) and nullable whole numbers."""
    data: dict[str, object] = {
        "date": np.arange(first_day, last_day + 1).astype("datetime64[D]").astype("datetime64[ns]")}
    for c in METRIC_COLUMNS[1:]:
        values = cols[c]
        if c in COUNT_COLUMNS:
            empty = np.isnan(values)
            data[c] = pd.arrays.IntegerArray(np.where(empty, 0, values).astype(np.int64), empty)
        else:
            data[c] = values
    return pd.DataFrame(data)


def _training_columns(
    sessions: pd.DataFrame, use: np.ndarray, s_day: np.ndarray, profile: AthleteProfile, last_day: int
) -> dict[str, np.ndarray]:
    """Training columns over the load history (first session day to ``last_day``).

    ``use`` marks the sessions that count (a known date, not after ``last_day``).
    """
    names = [c for c in METRIC_COLUMNS if c not in
             ("date", "sleep_h", "sleep_7d_mean", "sleep_debt_7d", "short_nights_3d", "sleep_need_h")]
    if not use.any():
        return {c: np.empty(0) for c in names}
    load_each = _session_loads(sessions, use, profile)[use]
    rpe = _column(sessions, "rpe")[use]
    dist = _column(sessions, "distance_km")[use]
    is_run = np.zeros(len(load_each), bool)
    if "sport" in sessions.columns:
        is_run = sessions["sport"].to_numpy(dtype=object)[use] == "run"
    s_day = s_day[use]
    start = int(s_day.min())
    m = last_day - start + 1
    idx = s_day - start

    out: dict[str, np.ndarray] = {}
    count = np.bincount(idx, minlength=m).astype("float64")
    load = np.bincount(idx, weights=np.nan_to_num(load_each, nan=0.0), minlength=m)
    out["sessions"] = count
    out["load"] = load

    # fitness-fatigue (GoldenCheetah), lagged TSB
    ctl = fitness_fatigue(load, CTL_DAYS)
    atl = fitness_fatigue(load, ATL_DAYS)
    out["ctl"], out["atl"] = ctl, atl
    out["tsb"] = np.concatenate(([0.0], (ctl - atl)[:-1]))

    # ACWR
    sum7 = _window_sum(load, ACUTE_DAYS)
    sum28 = _window_sum(load, CHRONIC_DAYS)
    acute = sum7 / ACUTE_DAYS
    chronic = sum28 / CHRONIC_DAYS
    older_sum = np.full(m, np.nan)  # the 21 days before the acute week, summed afresh
    if m > ACUTE_DAYS:
        older_sum[ACUTE_DAYS:] = _window_sum(load, CHRONIC_DAYS - ACUTE_DAYS)[: m - ACUTE_DAYS]
    older = older_sum / (CHRONIC_DAYS - ACUTE_DAYS)
    e_acute = ewma_load(load, ACUTE_DAYS)
    e_chronic = ewma_load(load, CHRONIC_DAYS)
    warm = np.arange(m) >= CHRONIC_DAYS - 1
    out["acute_load"] = acute
    out["chronic_load"] = chronic
    out["acwr_coupled"] = _divide(acute, chronic)
    out["acwr_uncoupled"] = _divide(acute, older)
    out["acwr_ewma"] = np.where(warm, _divide(e_acute, e_chronic), np.nan)

    # monotony and strain (ddof = 1); a perfectly even week has no SD -> empty
    mono = np.full(m, np.nan)
    if m >= MONOTONY_DAYS:
        w = sliding_window_view(load, MONOTONY_DAYS)
        mean = sum7[MONOTONY_DAYS - 1:] / MONOTONY_DAYS
        dev = w - mean[:, None]
        sd = np.sqrt(np.einsum("ij,ij->i", dev, dev) / (MONOTONY_DAYS - 1))
        even = w.max(axis=1) == w.min(axis=1)
        sd[even] = 0.0
        mono[MONOTONY_DAYS - 1:] = _divide(mean, sd)
    out["monotony"] = mono
    strain = sum7 * mono
    out["strain"] = strain
    out["strain_p90_56d"] = _trailing_quantile(
        strain, STRAIN_BASELINE_DAYS, STRAIN_BASELINE_QUANTILE, STRAIN_BASELINE_MIN_VALUES)

    # running: km per day, single-run spike (Frandsen 2025), weekly change
    run_idx = idx[is_run]
    run_dist = dist[is_run]
    unknown = np.bincount(run_idx, weights=np.isnan(run_dist).astype("float64"), minlength=m)
    run_km = np.bincount(run_idx, weights=np.nan_to_num(run_dist, nan=0.0), minlength=m).astype("float64")
    run_km[unknown > 0] = np.nan
    out["run_km"] = run_km
    longest = np.full(m, -np.inf)
    has_dist = run_dist > 0
    np.maximum.at(longest, run_idx[has_dist], run_dist[has_dist])
    longest[np.isneginf(longest)] = np.nan
    before = _window_max(longest, SPIKE_LOOKBACK_DAYS, lag=1)
    day_spike = _divide(longest, before)
    out["spike_ratio"] = _window_max(day_spike, SPIKE_RECENT_DAYS)
    km7 = _window_sum(run_km, 7)
    km_prev = np.concatenate((np.full(7, np.nan), km7[:-7])) if m > 7 else np.full(m, np.nan)
    out["weekly_change"] = _divide(km7, km_prev)

    # rest days
    rest = count == 0
    last_rest = np.maximum.accumulate(np.where(rest, np.arange(m), -1))
    out["days_since_rest"] = np.where(last_rest >= 0, np.arange(m) - last_rest, np.nan)

    # intensity distribution from RPE (CR-10)
    known = ~np.isnan(rpe)
    easy = known & (rpe < MODERATE_MIN_RPE)
    hard = known & (rpe >= HARD_MIN_RPE)
    moderate = known & ~easy & ~hard

    def per_day(mask: np.ndarray) -> np.ndarray:
        return np.bincount(idx[mask], minlength=m).astype("float64")

    n_known = _partial_count(per_day(known), SHARE_DAYS)
    out["easy_share"] = _divide(_partial_count(per_day(easy), SHARE_DAYS), n_known)
    out["moderate_share"] = _divide(_partial_count(per_day(moderate), SHARE_DAYS), n_known)
    out["hard_share"] = _divide(_partial_count(per_day(hard), SHARE_DAYS), n_known)
    hard_day = per_day(hard)
    out["hard_sessions_7d"] = _window_sum(hard_day, 7)
    out["hard_sessions_28d_weekly_mean"] = _window_sum(hard_day, 28) / 4.0
    return out


def _short_nights(sleep: np.ndarray) -> np.ndarray:
    """Nights < 6 h among the last 3 nights with data within the last 7 days (count)."""
    n = len(sleep)
    have = ~np.isnan(sleep)
    pos = np.flatnonzero(have)
    if len(pos) == 0:
        return np.full(n, np.nan)
    short = np.concatenate(([0], np.cumsum(have & (sleep < SHORT_NIGHT_H))))
    days = np.arange(n)
    k = np.searchsorted(pos, days, side="right")  # nights with data up to and including each day
    third = np.where(k >= SHORT_NIGHTS_COUNT, pos[np.maximum(k - SHORT_NIGHTS_COUNT, 0)], -1)
    lo = np.maximum(third, days - SHORT_NIGHTS_MAX_AGE_DAYS + 1)
    lo = np.maximum(lo, 0)
    counted = short[days + 1] - short[lo]
    any_recent = (k > 0) & (pos[np.maximum(k - 1, 0)] >= days - SHORT_NIGHTS_MAX_AGE_DAYS + 1)
    return np.where(any_recent, counted.astype("float64"), np.nan)
