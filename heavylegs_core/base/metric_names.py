"""The columns of the daily metrics table and their units (interfaces.md section 3).

Kept free of pandas so that the knowledge base and the apps can check metric names
quickly; :mod:`heavylegs_core.domain.metrics` computes the table and re-exports these.
"""

from __future__ import annotations

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
    "days_since_rest_at_least": ("days, a lower bound while no rest day is on record: the consecutive session "
                                 "days recorded up to that day (empty once days_since_rest is known)"),
    "acwr_meaningful": ("yes/no: false when the 28 days ending that day hold a break of 10 or more "
                        "consecutive days without load (the ratio then reflects the break, not the training)"),
}
"""Every column of :func:`daily_metrics`, in order, with its unit and meaning."""

METRIC_COLUMNS: tuple[str, ...] = tuple(METRIC_UNITS)

FLAG_METRICS: tuple[str, ...] = ("acwr_meaningful",)
"""Columns that hold yes/no values rather than numbers (not for evidence thresholds)."""

__all__ = ["FLAG_METRICS", "METRIC_COLUMNS", "METRIC_UNITS"]
