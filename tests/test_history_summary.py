"""ONE history summary for the report and the assessment app: it says what the data knows, never crashes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.domain.history_summary import break_before, history_summary
from heavylegs_core.domain.metrics import daily_metrics
from heavylegs_core.io.importers import load_sources


def streak(days: int, **extra: object) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.date_range("2026-11-01", periods=days), "sport": "run",
                         "duration_min": 45.0, "rpe": 5.0, "load": 225.0, **extra})


def p01(as_of: dt.date) -> pd.DataFrame:
    res = load_sources([pmdata_file("p01", "srpe.csv"), pmdata_file("p01", "wellness.csv")])
    return daily_metrics(res.sessions, res.nights, as_of=as_of)


def test_a_streak_without_a_rest_day_gives_the_lower_bound() -> None:
    summary = history_summary(daily_metrics(streak(28)), "streak.csv")
    assert summary["Days since a rest day"] == "at least 28 (no rest day recorded)"
    assert summary["Days of history"] == 28
    assert summary["Load, last 28 days (AU)"] == "6,300"
    assert summary["Acute:chronic ratio (coupled)"] == "1.00"
    assert summary["Running, last 28 days (km)"] == "—"  # no distance known: unknown, not 0
    assert summary["Sleep, 7-day mean (h)"] == "—"


def test_a_ratio_after_a_break_is_not_shown_as_a_number() -> None:
    table = p01(dt.date(2020, 1, 9))  # the uncoupled ratio is 17.5 that day, after 20 days without load
    assert table["acwr_uncoupled"].iloc[-1] == pytest.approx(17.5)
    summary = history_summary(table, "PMData p01")
    assert summary["Acute:chronic ratio (coupled)"] == "not meaningful (after a break of 20 days without load)"
    assert break_before(table) == 20
    later = history_summary(p01(dt.date(2020, 1, 20)), "PMData p01")
    assert later["Acute:chronic ratio (coupled)"] == "1.70"


def test_a_short_history_says_what_is_missing() -> None:
    summary = history_summary(daily_metrics(streak(1)), "one.csv")
    assert summary["Acute:chronic ratio (coupled)"] == "— (needs 28 days of training history; 1 so far)"
    assert summary["Days since a rest day"] == "at least 1 (no rest day recorded)"


def test_miles_and_a_known_rest_day() -> None:
    s = streak(10, distance_km=16.09344)
    s = s[s["date"] != pd.Timestamp("2026-11-05")]
    table = daily_metrics(s)
    km = history_summary(table, "x")
    mi = history_summary(table, "x", unit="mi")
    assert km["Running, last 28 days (km)"] == "144.8"
    assert mi["Running, last 28 days (miles)"] == "90.0"
    assert km["Days since a rest day"] == "5"
    with pytest.raises(ValueError, match="unit"):
        history_summary(table, "x", unit="furlong")  # type: ignore[arg-type]


def test_the_report_and_the_app_show_the_same_summary() -> None:
    from heavylegs_core.apps.assessment.view import AssessmentApp
    from heavylegs_core.domain.history import History
    from heavylegs_core.domain.records import empty_nights

    sessions = streak(28)
    table = daily_metrics(sessions)
    app = AssessmentApp(today=dt.date(2026, 11, 28))
    app.set_history(History(sessions=sessions, nights=empty_nights(), label="streak.csv"))
    assert app.history_summary == history_summary(table, "streak.csv")
    assert "at least 28 (no rest day recorded)" in app.history_html.value
    app.units.value = "miles"
    assert app.history_summary == history_summary(table, "streak.csv", unit="mi")
