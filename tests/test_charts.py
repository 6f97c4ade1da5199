"""Chart builders of the load and sleep dashboard: the pandas aggregations and the Vega-Lite specs.

Each chart function is validated with ``to_dict()`` (Altair checks the spec against
the Vega-Lite schema) and asserted on its layers and encodings; no kernel, no browser.
"""

from __future__ import annotations

import io
import json
import math
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from heavylegs_core.domain.metrics import daily_metrics
from heavylegs_core.domain.records import normalise_nights, normalise_sessions
from heavylegs_core.domain.synthetic import SOURCE, synthetic_history
from heavylegs_core.knowledge import load_knowledge
from heavylegs_core.knowledge.chart_references import (
    ChartReferencesError,
    load_chart_references,
    parse_chart_references,
)
from heavylegs_core.views import charts, theme


@pytest.fixture(scope="module")
def refs():
    return load_chart_references()


@pytest.fixture(scope="module")
def year():
    h = synthetic_history(1.0, seed=3)
    return h, daily_metrics(h.sessions, h.nights)


@pytest.fixture(scope="module")
def decade():
    h = synthetic_history(10.0, seed=5)
    return h, daily_metrics(h.sessions, h.nights)


def _sessions(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["start"] = pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%dT08:00:00+00:00")
    return normalise_sessions(df)


def _csv(spec: dict) -> pd.DataFrame:
    """The dashboard's one inline CSV dataset, read back."""
    (text,) = spec["datasets"].values()
    return pd.read_csv(io.StringIO(text), parse_dates=["date"])


def _walk(spec, key):
    """Every value of ``key`` anywhere in a spec."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(spec, list):
        for v in spec:
            yield from _walk(v, key)


# ---------------------------------------------------------------- synthetic data


def test_synthetic_history_is_labelled_and_deterministic():
    a, b = synthetic_history(1.0, seed=1), synthetic_history(1.0, seed=1)
    pd.testing.assert_frame_equal(a.sessions, b.sessions)
    assert "not a real person" in a.label
    assert set(a.sessions["source"]) == {SOURCE} and set(a.nights["source"]) == {SOURCE}
    assert a.ratings["heavy_legs"].between(0, 10).all()
    assert (a.sessions["load"] == a.sessions["rpe"] * a.sessions["duration_min"]).all()


def test_synthetic_ten_years_spans_ten_years(decade):
    _, m = decade
    assert len(m) == round(10 * 365.25)
    assert m["date"].iloc[-1] - m["date"].iloc[0] >= pd.Timedelta(days=3650)


# ---------------------------------------------------------------- aggregation


@pytest.mark.parametrize(("days", "res"), [(1, "day"), (731, "day"), (732, "week"), (3653, "week")])
def test_resolution_switches_to_weeks_beyond_two_years(days, res):
    assert charts.choose_resolution(days) == res


def test_weekly_timeline_keeps_the_daily_numbers_honest(year):
    _, m = year
    w = charts.resample_timeline(m, "week")
    assert (w["date"].dt.day_of_week == 0).all()
    assert w["days"].sum() == len(m)
    monday = w["date"].iloc[5]
    days = m[(m["date"] >= monday) & (m["date"] < monday + pd.Timedelta(days=7))]
    row = w.iloc[5]
    assert row["load"] == pytest.approx(days["load"].mean(), abs=0.05)  # AU/day, same axis as CTL
    assert row["ctl"] == pytest.approx(days["ctl"].mean(), abs=0.05)
    assert row["sleep_h"] == pytest.approx(days["sleep_h"].mean(), abs=0.005)
    assert row["sleep_min"] == pytest.approx(days["sleep_h"].min(), abs=0.005)
    assert row["short_nights"] == (days["sleep_h"] < 6).sum()
    assert row["distance"] == pytest.approx(days["run_km"].sum(), abs=0.01)


def test_miles_are_kilometres_divided_by_1_609344(year):
    _, m = year
    km = charts.resample_timeline(m, "day", unit="km")["distance"].sum()
    mi = charts.resample_timeline(m, "day", unit="mi")["distance"].sum()
    assert mi == pytest.approx(km / 1.609344, rel=1e-3)


@pytest.mark.parametrize(("kw", "msg"), [({"resolution": "month"}, "resolution"), ({"unit": "furlong"}, "unit")])
def test_unknown_options_are_errors(year, kw, msg):
    _, m = year
    with pytest.raises(ValueError, match=msg):
        charts.resample_timeline(m, kw.get("resolution", "day"), unit=kw.get("unit", "km"))


def test_load_by_sport_is_wide_and_weekly_values_are_daily_means():
    s = _sessions([
        {"date": "2024-01-01", "sport": "run", "load": 70.0},
        {"date": "2024-01-03", "sport": "run", "load": 140.0},
        {"date": "2024-01-03", "sport": "ride", "load": 35.0},
        {"date": "2024-01-04", "sport": "kitesurf", "load": 7.0},
    ])
    day = charts.load_by_sport(s, "day")
    assert list(day.columns) == ["date", "load_run", "load_ride", "load_other"]
    assert day.set_index("date").loc["2024-01-03", "load_run"] == 140.0
    week = charts.load_by_sport(s, "week")
    assert week.iloc[0][["load_run", "load_ride", "load_other"]].tolist() == [30.0, 5.0, 1.0]


def test_weekly_monotony_and_strain_match_the_foster_test_vector():
    # science.md 3.4: [0, 80, 40, 0, 90, 60, 80] -> monotony 1.3207 (ddof 1), strain 462.24
    loads = [0, 80, 40, 0, 90, 60, 80]
    days = pd.date_range("2024-01-01", periods=7)  # Monday to Sunday
    s = _sessions([{"date": d, "sport": "run", "load": float(x)} for d, x in zip(days, loads, strict=True) if x])
    m = daily_metrics(s, as_of=days[-1].date())
    w = charts.weekly_monotony_strain(m)
    assert len(w) == 1 and w["date"].iloc[0] == pd.Timestamp("2024-01-01")
    # the history starts on the first session day (Tuesday), so this week has 6 days of load
    assert np.isnan(w["monotony"].iloc[0])
    m2 = daily_metrics(_sessions([{"date": "2023-12-31", "sport": "run", "load": 1.0},
                                  *[{"date": d, "sport": "run", "load": float(x)}
                                    for d, x in zip(days, loads, strict=True) if x]]), as_of=days[-1].date())
    w2 = charts.weekly_monotony_strain(m2)
    assert w2["monotony"].iloc[-1] == pytest.approx(1.32, abs=0.005)
    assert w2["strain"].iloc[-1] == pytest.approx(462, abs=1)
    assert w2["week_load"].iloc[-1] == 350


def test_intensity_classes_follow_session_rpe():
    s = _sessions([
        {"date": "2024-01-01", "sport": "run", "rpe": 3, "duration_min": 40},
        {"date": "2024-01-02", "sport": "run", "rpe": 5, "duration_min": 40},
        {"date": "2024-01-03", "sport": "run", "rpe": 7, "duration_min": 40},
        {"date": "2024-01-04", "sport": "run", "rpe": 4.9, "duration_min": 40},
        {"date": "2024-01-05", "sport": "run", "duration_min": 40},
        {"date": "2024-01-08", "sport": "run", "rpe": 9, "duration_min": 40},
    ])
    out = charts.intensity_per_week(s).set_index("date")
    assert out.loc["2024-01-01"].tolist() == [2, 1, 1, 1]  # easy, moderate, hard, unknown
    assert out.loc["2024-01-08"].tolist() == [0, 0, 1, 0]


def test_ratings_are_weekly_means_with_counts():
    r = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-10"]),
                      "heavy_legs": [2.0, 5.0, 7.0], "source": "x"})
    w = charts.ratings_for(r, "week")
    assert w.to_dict("list") == {"date": [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")],
                                 "heavy_legs": [3.5, 7.0], "ratings": [2, 1]}


def test_assessments_join_their_notes_per_week():
    a = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-03"]),
                      "note": ["Sleep (top contributor)", "Load spike (top contributor)", "Sleep (top contributor)"]})
    w = charts.assessments_for(a, "week")
    assert w.to_dict("list") == {"date": [pd.Timestamp("2024-01-01")],
                                 "assessment": ["Sleep (top contributor); Load spike (top contributor)"]}


def test_load_chart_marks_saved_assessments(year):
    h, m = year
    a = pd.DataFrame({"date": [m["date"].iloc[100]], "note": ["Sleep, mostly (top contributor)"]})
    d = charts.dashboard_data(m, h.sessions, assessments=a)
    assert d.frame["assessment"].notna().sum() == 1
    spec = charts.load_chart(d.frame, sports=d.sports, resolution="day", unit="km").to_dict()
    saved = spec["layer"][0]["layer"][2]
    assert saved["mark"]["type"] == "rule"
    text = charts.inline_csv(d.frame[["date", "assessment"]]).to_dict()["values"]
    assert '"Sleep, mostly (top contributor)"' in text  # quoted: the comma stays inside the field


def test_inline_csv_types_every_column_and_leaves_gaps_empty():
    df = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "x": [1.5, np.nan], "s": ["a", "b"]})
    data = charts.inline_csv(df).to_dict()
    assert data["values"] == "date,x,s\n2024-01-01,1.5,a\n2024-01-02,,b\n"
    assert data["format"] == {"type": "csv", "parse": {"date": "utc:'%Y-%m-%d'", "x": "number"}}


# ---------------------------------------------------------------- chart functions


def test_overview_carries_the_brush(year):
    h, m = year
    d = charts.dashboard_data(m, h.sessions, h.ratings)
    brush = alt.selection_interval(encodings=["x"], name="period")
    spec = charts.overview_chart(d.frame, brush=brush).to_dict()
    assert spec["mark"]["type"] == "area"
    assert spec["encoding"]["x"]["field"] == "date" and spec["encoding"]["x"]["scale"]["type"] == "utc"
    assert spec["encoding"]["y"]["field"] == "ctl"
    assert spec["params"][0]["name"] == "period" and spec["params"][0]["select"]["encodings"] == ["x"]


def test_load_chart_layers_bars_by_sport_lines_and_rating_markers(year):
    h, m = year
    d = charts.dashboard_data(m, h.sessions, h.ratings, unit="mi")
    spec = charts.load_chart(d.frame, sports=d.sports, resolution="day", unit="mi").to_dict()
    (inner, marks) = spec["layer"]
    bars, lines, saved = inner["layer"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["color"]["field"] == "sport"
    assert bars["encoding"]["color"]["scale"]["domain"] == list(theme.SPORT_COLOURS)
    assert bars["transform"][0]["fold"] == [f"load_{s}" for s in d.sports]
    assert lines["transform"][0]["fold"] == ["ctl", "atl"]
    assert lines["encoding"]["strokeDash"]["scale"]["domain"] == ["Fitness (CTL)", "Fatigue (ATL)"]
    assert marks["encoding"]["y"]["field"] == "heavy_legs" and marks["encoding"]["y"]["scale"]["domain"] == [0, 10]
    assert saved["mark"]["type"] == "rule"
    assert spec["resolve"]["scale"]["y"] == "independent"
    titles = [t["title"] for t in lines["encoding"]["tooltip"]]
    assert "Run distance (mi)" in titles and "Fitness, CTL (AU/day)" in titles


def test_tsb_chart_colours_by_sign(year):
    h, m = year
    spec = charts.tsb_chart(charts.dashboard_data(m, h.sessions).frame, resolution="day").to_dict()
    assert spec["encoding"]["y"]["field"] == "tsb"
    assert spec["encoding"]["color"]["condition"][0]["test"] == "(datum.tsb >= 0)"


@pytest.mark.parametrize("kind", ["coupled", "uncoupled", "ewma"])
def test_acwr_chart_draws_the_chosen_ratio_with_band_line_and_caveat(year, refs, kind):
    h, m = year
    spec = charts.acwr_chart(charts.dashboard_data(m, h.sessions).frame, refs, kind=kind,
                             resolution="day").to_dict()
    rect, rule, line, gap = spec["layer"]
    assert rect["mark"]["type"] == "rect"
    assert gap["mark"]["type"] == "rect" and gap["transform"][0] == {"filter": "datum.acwr_break === 1"}
    assert (rect["encoding"]["y"]["datum"], rect["encoding"]["y2"]["datum"]) == (0.8, 1.3)
    assert rule["encoding"]["y"]["datum"] == 1.5
    assert line["encoding"]["y"]["field"] == f"acwr_{kind}"
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "Lolli 2019" in subtitle and "Impellizzeri" in subtitle and "gabbett2016" in subtitle
    assert "◇" in subtitle  # the band's honesty mark


def test_acwr_thresholds_come_from_the_references_not_the_chart_code(year, refs):
    h, m = year
    other = refs.model_copy(update={"acwr_band": refs.acwr_band.model_copy(update={"low": 0.7, "high": 1.2})})
    spec = charts.acwr_chart(charts.dashboard_data(m, h.sessions).frame, other, kind="ewma", resolution="day").to_dict()
    assert (spec["layer"][0]["encoding"]["y"]["datum"], spec["layer"][0]["encoding"]["y2"]["datum"]) == (0.7, 1.2)


def _after_a_break() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six weeks of training, three weeks off, six weeks back (the ratio spikes after the break)."""
    days = pd.date_range("2024-01-01", periods=105)
    on = [d for i, d in enumerate(days) if not 42 <= i < 63]
    sessions = normalise_sessions(pd.DataFrame({"date": on, "sport": "run", "duration_min": 40.0, "rpe": 5.0,
                                                "load": 200.0, "load_source": "srpe", "start": None,
                                                "source": "x"}))
    return sessions, daily_metrics(sessions)


def test_ratios_after_a_break_leave_the_line_and_are_shaded_and_labelled(refs):
    sessions, m = _after_a_break()
    frame = charts.dashboard_data(m, sessions).frame
    broken = (m["acwr_meaningful"] == False).to_numpy(dtype=bool, na_value=False)
    assert broken.sum() > 20
    assert frame["acwr_break"].to_numpy()[broken].tolist() == [1.0] * int(broken.sum())
    assert frame["acwr_break"].to_numpy()[~broken].sum() == 0
    assert frame["acwr_uncoupled"][broken].isna().all()  # not part of the line ...
    assert m["acwr_uncoupled"][broken].max() > 3  # ... though the table keeps the ratio (it spikes)
    ok = ~broken & m["acwr_uncoupled"].notna().to_numpy()
    assert np.allclose(frame["acwr_uncoupled"][ok], m["acwr_uncoupled"][ok].round(2))
    spec = charts.acwr_chart(frame, refs, kind="uncoupled", resolution="day").to_dict()
    gap = spec["layer"][3]
    assert gap["encoding"]["color"]["scale"]["domain"] == [charts.AFTER_BREAK]
    assert any("not meaningful after a break" in line for line in spec["title"]["subtitle"])
    # drawn for real: one grey shade per day after the break (its tooltip says why), and the line
    svg = vlc.vegalite_to_svg(spec)
    assert svg.count("ACWR: not meaningful after a break") == int(broken.sum())
    assert re.search(r'<g class="mark-line role-mark[^"]*"[^>]*><path[^>]*d="M[^"]*L', svg)
    assert charts.AFTER_BREAK in svg and charts.BREAK_GREY in svg


def test_weekly_ratios_after_a_break_are_left_out_of_the_weekly_means():
    _, m = _after_a_break()
    w = charts.resample_timeline(m, "week")
    m_week = m.assign(week=m["date"] - pd.to_timedelta(m["date"].dt.day_of_week, unit="D"))
    for _, row in w.iterrows():
        days = m_week[m_week["week"] == row["date"]]
        good = days.loc[days["acwr_meaningful"] == True, "acwr_uncoupled"]
        bad = days.loc[days["acwr_meaningful"] == False, "acwr_uncoupled"]
        assert row["acwr_break"] == (1.0 if len(bad) and not len(good) else 0.0)
        if len(good):
            assert row["acwr_uncoupled"] == pytest.approx(good.mean(), abs=0.005)
        else:
            assert math.isnan(row["acwr_uncoupled"])


def test_acwr_chart_rejects_an_unknown_kind(refs):
    with pytest.raises(ValueError, match="ACWR kind"):
        charts.acwr_chart(None, refs, kind="rolling", resolution="day")


def test_monotony_strain_chart_has_independent_axes_and_the_cause_model_line(year, refs):
    h, m = year
    spec = charts.monotony_strain_chart(charts.dashboard_data(m, h.sessions).frame, refs).to_dict()
    bars, inner = spec["layer"]
    line, rule = inner["layer"]
    assert bars["encoding"]["y"]["field"] == "strain" and line["encoding"]["y"]["field"] == "monotony"
    kb = {e.id: e for e in load_knowledge().evidence}
    assert rule["encoding"]["y"]["datum"] == kb["ur_monotony"].when.gt
    assert spec["resolve"]["scale"]["y"] == "independent"


@pytest.mark.parametrize("res", ["day", "week"])
def test_sleep_chart_marks_short_nights_and_draws_need_and_mean(year, refs, res):
    h, m = year
    d = charts.dashboard_data(m, h.sessions, resolution=res)
    spec = charts.sleep_chart(d.frame, refs, resolution=res, sleep_need_h=8.5).to_dict()
    bars, second, need, low = spec["layer"]
    assert bars["encoding"]["y"]["field"] == "sleep_h"
    assert need["encoding"]["y"]["datum"] == 8.5
    assert low["encoding"]["y"]["datum"] == 7.0
    if res == "day":
        assert bars["encoding"]["color"]["condition"][0]["test"] == "(datum.sleep_h < 6.0)"
        assert second["encoding"]["y"]["field"] == "sleep_7d_mean"
    else:
        assert second["mark"]["type"] == "point" and second["encoding"]["y"]["field"] == "sleep_min"


def test_intensity_chart_stacks_the_four_classes(year):
    h, m = year
    spec = charts.intensity_chart(charts.dashboard_data(m, h.sessions).frame).to_dict()
    assert spec["transform"][0]["fold"] == ["n_easy", "n_moderate", "n_hard", "n_unknown"]
    assert spec["encoding"]["color"]["scale"]["domain"] == list(charts.INTENSITY_CLASSES)
    assert spec["encoding"]["y"] == {"aggregate": "sum", "field": "sessions", "type": "quantitative",
                                     "title": "Sessions"}


def test_dashboard_chart_is_one_chart_with_a_shared_brush(year, refs):
    h, m = year
    spec = charts.dashboard_chart(charts.dashboard_data(m, h.sessions, h.ratings), refs).to_dict()
    assert len(spec["vconcat"]) == 7
    assert [p["name"] for p in spec["params"]] == ["period"]
    assert len(spec["datasets"]) == 1
    domains = [x["scale"].get("domain") for x in _walk(spec["vconcat"][1:], "x") if isinstance(x, dict)
               and "scale" in x]
    assert domains and all(d == {"param": "period"} for d in domains)


def test_ten_years_plot_without_maxrows_and_stay_small(decade, refs):
    h, m = decade
    d = charts.dashboard_data(m, h.sessions, h.ratings)
    assert d.resolution == "week"
    spec = charts.dashboard_chart(d, refs).to_dict()  # no MaxRowsError: inline CSV, ~520 rows
    sent = _csv(spec)
    assert len(sent) == len(d.frame) < 530
    assert len(json.dumps(spec)) < 150_000
    # weekly means times the days they cover add up to the daily table (partial weeks included)
    assert (d.frame["load"] * d.frame["days"]).sum() == pytest.approx(m["load"].sum(), rel=1e-3)  # 0.1 AU rounding
    assert sent["load"].tolist() == d.frame["load"].tolist()
    assert sent["n_easy"].sum() + sent["n_moderate"].sum() + sent["n_hard"].sum() + sent["n_unknown"].sum() == len(
        h.sessions)


def test_dashboard_chart_renders_offline_to_svg(year, refs):
    import vl_convert as vlc

    h, m = year
    svg = vlc.vegalite_to_svg(charts.dashboard_chart(charts.dashboard_data(m, h.sessions, h.ratings), refs).to_dict())
    for i in range(7):
        assert f"concat_{i}_group" in svg


def test_weekly_load_chart_of_the_landing_page_still_validates():
    s = _sessions([{"date": "2024-01-01", "sport": "run", "load": 10.0, "duration_min": 30}])
    spec = charts.weekly_load_chart(charts.weekly_load(s)).to_dict()
    assert spec["mark"]["type"] == "bar"


# ---------------------------------------------------------------- chart references


def test_chart_references_read_thresholds_from_the_cause_model(refs):
    kb = {e.id: e for e in load_knowledge().evidence}
    assert refs.acwr_high.value == kb["ls_acwr"].when.gt and refs.acwr_high.metric == "acwr_uncoupled"
    assert refs.sleep_mean_low.value == kb["sl_mean_history"].when.lt
    assert refs.monotony_high.mark == kb["ur_monotony"].mark
    assert refs.acwr_band.source in refs.sources and refs.acwr_band.mark == "std"
    assert refs.symbol("std") == "◇"


def _yaml(**changes) -> str:
    from importlib import resources

    import yaml

    raw = yaml.safe_load(resources.files("heavylegs_core.knowledge").joinpath("chart_references.yaml").read_text())
    for path, value in changes.items():
        node = raw
        *head, last = path.split(".")
        for k in head:
            node = node[k]
        node[last] = value
    return yaml.safe_dump(raw, allow_unicode=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"acwr_band.low": 1.4}, "low must be below high"),
    ({"acwr_band.source": "nobody2020"}, "acwr_band.source: unknown source"),
    ({"from_evidence.acwr_high.evidence": "no_such_item"}, "unknown evidence item 'no_such_item'"),
    ({"from_evidence.acwr_high.evidence": "ls_hard_sessions"}, "not a metric compared with a number"),
    ({"acwr_band.mark": "sure"}, "acwr_band.mark"),
    ({"acwr_band.colour": "red"}, "acwr_band.colour"),
])
def test_invalid_chart_references_name_the_place(changes, message):
    with pytest.raises(ChartReferencesError, match=message):
        parse_chart_references(_yaml(**changes), load_knowledge().evidence)


def test_nights_and_sessions_only_shapes_do_not_break_the_frame():
    nights = normalise_nights(pd.DataFrame({"date": pd.date_range("2024-01-01", periods=10), "sleep_h": 7.0}))
    s = _sessions([{"date": "2024-01-05", "sport": "run", "load": 50.0}])
    m = daily_metrics(s, nights)
    d = charts.dashboard_data(m, s)
    assert d.sports == ("run",) and len(d.frame) == len(m)


def test_saved_assessment_markers_appear_only_on_days_with_an_assessment(year, refs):
    """Empty CSV cells reach the browser as "", so days without an assessment must draw no marker."""
    h, m = year
    none = charts.dashboard_data(m, h.sessions, h.ratings)
    days = pd.DataFrame({"date": pd.to_datetime(["2026-06-01", "2026-08-03"]), "note": ["sleep", "load_spike"]})
    two = charts.dashboard_data(m, h.sessions, h.ratings, assessments=days)

    def dashed_rules(data) -> int:
        svg = vlc.vegalite_to_svg(charts.dashboard_chart(data, refs).to_dict())
        return svg.count('stroke-dasharray="2,3"')

    assert dashed_rules(two) - dashed_rules(none) == 2
