"""The key figures of a training and sleep history: ONE summary for the report and the assessment app.

:func:`history_summary` turns a daily metrics table
(:func:`heavylegs_core.domain.metrics.daily_metrics`) into a small ordered mapping of
label to text, read on the table's last day and over its last 28 days. Every
figure says what the data can tell: a streak without a rest day on record
reads "at least N (no rest day recorded)", a ratio whose chronic window holds a
break reads "not meaningful (after a break of N days without load)", and a
measure the history is too short for says so. Pure function: no I/O.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from heavylegs_core.domain.units import KM_PER_MILE

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_DAYS = 28
"""The summary's window for totals (days, ending on the table's last day)."""

EMPTY = "—"
"""What an unknown figure shows."""

UNIT_NAMES: dict[str, str] = {"km": "km", "mi": "miles"}


def _number(value: Any) -> float | None:
    """A finite float, or None for None, NaN, ``pandas.NA`` and text."""
    if value is None or isinstance(value, str | bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):  # pandas.NA
        return None
    return f if math.isfinite(f) else None


def _fmt(value: Any, digits: int) -> str:
    f = _number(value)
    return EMPTY if f is None else f"{f:,.{digits}f}"


def _is_false(value: Any) -> bool:
    """True only for a known "no" (False, numpy False, 0); never for an empty cell (None, NaN, NA)."""
    if value is None or isinstance(value, str):
        return False
    try:
        return not bool(value)
    except TypeError:  # pandas.NA
        return False


def break_before(table: pd.DataFrame, window: int = SUMMARY_DAYS) -> int:
    """Length (days) of the longest run of zero-load days that reaches into the last ``window`` days.

    Counted over the whole table (a break that began before the window counts
    in full); 0 when the window holds no day without load. ``load`` is AU per day.
    """
    load = table["load"].to_numpy(dtype="float64", na_value=math.nan)
    start = max(0, len(load) - window)
    longest = run = 0
    for i, v in enumerate(load):
        run = run + 1 if v == 0 else 0
        if i >= start and run:
            longest = max(longest, run)
    return longest


def history_summary(table: pd.DataFrame, label: str, *, unit: Literal["km", "mi"] = "km") -> dict[str, Any]:
    """The key figures of a daily metrics table, as shown by the report and the assessment app.

    ``table`` is one athlete's daily metrics (at least one row); ``label`` names
    the source; ``unit`` is ``"km"`` or ``"mi"`` for the running distance.
    Returns ``{label: value}`` in display order: the source, the days of history
    (a count), the load of the last 28 days (AU), the running distance of the
    last 28 days (km or miles), the coupled acute:chronic ratio of the last day,
    the days since a rest day and the 7-day mean sleep (h). Unknown figures
    read ``—``.
    """
    if unit not in UNIT_NAMES:
        raise ValueError(f"unknown unit {unit!r}: choose one of {', '.join(UNIT_NAMES)}")
    if len(table) == 0:
        raise ValueError("history_summary needs a daily metrics table with at least one day")
    last = table.iloc[-1]
    recent = table.tail(SUMMARY_DAYS)
    per_unit = 1.0 if unit == "km" else 1.0 / KM_PER_MILE
    run_km = recent["run_km"].sum(min_count=1)  # all unknown: unknown, not 0
    return {
        "Source": label,
        "Days of history": len(table),
        f"Load, last {SUMMARY_DAYS} days (AU)": _fmt(recent["load"].sum(min_count=1), 0),
        f"Running, last {SUMMARY_DAYS} days ({UNIT_NAMES[unit]})": _fmt(run_km * per_unit, 1),
        "Acute:chronic ratio (coupled)": _ratio_text(table, last),
        "Days since a rest day": _rest_text(last),
        "Sleep, 7-day mean (h)": _fmt(last.get("sleep_7d_mean"), 1),
    }


def _ratio_text(table: pd.DataFrame, last: pd.Series) -> str:
    """The last day's coupled ACWR, or why it is not shown."""
    if _is_false(last.get("acwr_meaningful")):
        days = break_before(table)
        return f"not meaningful (after a break of {days} days without load)"
    value = _number(last.get("acwr_coupled"))
    if value is not None:
        return f"{value:,.2f}"
    history = int(table["load"].notna().sum())
    if history < SUMMARY_DAYS:
        return f"{EMPTY} (needs {SUMMARY_DAYS} days of training history; {history} so far)"
    return f"{EMPTY} (no load in the last {SUMMARY_DAYS} days)"


def _rest_text(last: pd.Series) -> str:
    """Days since the last rest day, or the lower bound while no rest day is on record."""
    days = _number(last.get("days_since_rest"))
    if days is not None:
        return f"{days:,.0f}"
    bound = _number(last.get("days_since_rest_at_least"))
    if bound is not None:
        return f"at least {bound:,.0f} (no rest day recorded)"
    return EMPTY
