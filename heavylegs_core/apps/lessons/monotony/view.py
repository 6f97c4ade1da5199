"""Lesson 3's apps: monotony, strain and "too many moderate sessions".

Apps: :func:`week_app` (edit a week day by day and see Foster's monotony and
strain), :func:`athlete_app` (intensity mix and weekly monotony of a PMData
athlete) and :func:`quiz_app`; the charts they show (:func:`week_chart`,
:func:`athlete_chart`). The numbers come from
:mod:`heavylegs_core.apps.lessons.monotony.model`.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd

from heavylegs_core.apps.lessons.athlete_picker import athlete_picker_app
from heavylegs_core.apps.lessons.common import note_html
from heavylegs_core.apps.lessons.monotony import model
from heavylegs_core.apps.lessons.monotony.model import (
    ATHLETES,
    DAYS,
    DEFAULT_ATHLETE,
    DEFAULT_WEEK,
    QUESTIONS,
    WEEKS,
    WeekModel,
    WeekResult,
)
from heavylegs_core.apps.lessons.quiz.view import quiz_app as _quiz_app
from heavylegs_core.knowledge.chart_references import load_chart_references
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import (
    inline_csv,
    intensity_chart,
    intensity_per_week,
    weekly_monotony_strain,
)
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors


def week_chart(loads: tuple[float, ...] | list[float], title: str) -> alt.Chart:
    """The week's daily loads as bars with the daily mean as a line."""
    df = pd.DataFrame({"day": DAYS, "load": [float(x) for x in loads]})
    bars = alt.Chart(inline_csv(df)).mark_bar(color=theme.ACCENT).encode(
        x=alt.X("day:N", sort=list(DAYS), title=None), y=alt.Y("load:Q", title="session-RPE load (AU)"),
        tooltip=["day:N", alt.Tooltip("load:Q", format=".0f")])
    mean = alt.Chart(inline_csv(pd.DataFrame({"mean": [df["load"].mean()]}))).mark_rule(
        color=theme.WARN, strokeDash=[4, 3]).encode(y="mean:Q")
    return alt.layer(bars, mean).properties(
        title=alt.Title(title, subtitle="Dashed line: the daily mean"), height=200)


def week_result_chart(result: WeekResult) -> alt.Chart:
    """The week of :meth:`WeekModel.result` as :func:`week_chart`."""
    return week_chart(result.loads, result.title)


def week_app(week: str = DEFAULT_WEEK) -> widgets.VBox:
    """A preset dropdown and one slider per day; monotony and strain follow every change."""
    errors = ErrorBox()
    preset = widgets.Dropdown(options=list(WEEKS), value=week, description="Start from",
                              style={"description_width": "initial"})
    first = WeekModel.preset(week).result()
    sliders = [widgets.IntSlider(value=int(v), min=0, max=600, step=10, description=f"{d} (AU)",
                                 continuous_update=False) for d, v in zip(DAYS, first.loads, strict=True)]
    chart = offline_chart(week_result_chart(first))
    summary = widgets.HTML(first.summary_html)
    busy = {"preset": False}

    @reports_errors(errors)
    def on_day(_change: dict) -> None:
        if busy["preset"]:
            return
        result = WeekModel([s.value for s in sliders]).result()
        chart.chart = week_result_chart(result)
        summary.value = result.summary_html

    @reports_errors(errors)
    def on_preset(change: dict) -> None:
        result = WeekModel.preset(change["new"]).result()
        busy["preset"] = True
        try:
            for s, v in zip(sliders, result.loads, strict=True):
                s.value = int(v)
        finally:
            busy["preset"] = False
        chart.chart = week_result_chart(result)
        summary.value = result.summary_html

    preset.observe(on_preset, names="value")
    for s in sliders:
        s.observe(on_day, names="value")
    days = widgets.Box(sliders, layout=widgets.Layout(display="flex", flex_flow="row wrap"))
    return mark_ready(app_root([preset, days, summary, chart, errors, widgets.HTML(note_html())],
                               name="lesson-week"))


def athlete_data(participant: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions per week by intensity, and weekly monotony and strain, of a PMData participant
    (the chart data of :func:`athlete_chart`, from :func:`~heavylegs_core.apps.lessons.monotony.model.athlete_history`)."""
    sessions, metrics = model.athlete_history(participant)
    return intensity_per_week(sessions), weekly_monotony_strain(metrics)


def athlete_chart(participant: str) -> alt.VConcatChart:
    """Intensity mix per week above weekly monotony (PMData)."""
    mix, weekly = athlete_data(participant)
    limit = load_chart_references().monotony_high.value
    mono = alt.Chart(inline_csv(weekly[["date", "monotony"]].dropna())).mark_bar(color=theme.ACCENT).encode(
        x=alt.X("date:T", title=None), y=alt.Y("monotony:Q", title="monotony"),
        tooltip=[alt.Tooltip("date:T", title="Week of", format="%d %b %Y"), "monotony:Q"])
    rule = alt.Chart(inline_csv(pd.DataFrame({"y": [limit]}))).mark_rule(color=theme.WARN).encode(y="y:Q")
    return alt.vconcat(intensity_chart(mix), alt.layer(mono, rule).properties(
        height=130, title=alt.Title(f"Weekly monotony, PMData {participant}",
                                    subtitle=f"Red line: {limit:g}, a heuristic (Foster)")))


def athlete_app(participant: str = DEFAULT_ATHLETE) -> widgets.VBox:
    """A real athlete's intensity mix and weekly monotony; a dropdown picks the participant."""
    return athlete_picker_app(athlete_chart, ATHLETES, participant)


def quiz_app() -> widgets.VBox:
    """Lesson 3's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
