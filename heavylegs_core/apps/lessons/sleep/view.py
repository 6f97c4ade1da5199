"""Lesson 4's apps: sleep and recovery.

Apps: :func:`week_app` (seven nights and a sleep need; debt, mean and short
nights follow) and :func:`athlete_app` (a PMData participant's Fitbit nights
against a chosen need), plus :func:`quiz_app`; the charts they show
(:func:`week_chart`, :func:`athlete_chart`). The numbers come from
:mod:`heavylegs_core.apps.lessons.sleep.model`.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd

from heavylegs_core.apps.lessons.common import PMDATA_ATTRIBUTION, note_html
from heavylegs_core.apps.lessons.quiz.view import quiz_app as _quiz_app
from heavylegs_core.apps.lessons.sleep.model import (
    EXAMPLE_NEED_H,
    EXAMPLE_WEEK,
    NIGHTS,
    QUESTIONS,
    REAL_ATHLETE,
    SleepAthleteModel,
    SleepAthleteResult,
    SleepWeekModel,
)
from heavylegs_core.base.paths import pmdata_participants
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import inline_csv
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors


def week_chart(hours: tuple[float, ...] | list[float], need_h: float) -> alt.LayerChart:
    """The week's nights as bars against the need (dashed line)."""
    df = pd.DataFrame({"night": NIGHTS, "sleep_h": [float(h) for h in hours]})
    bars = alt.Chart(inline_csv(df)).mark_bar().encode(
        x=alt.X("night:N", sort=list(NIGHTS), title="night ending"),
        y=alt.Y("sleep_h:Q", title="hours asleep", scale=alt.Scale(domain=[0, 12])),
        color=alt.when(alt.datum.sleep_h < need_h).then(alt.value(theme.WARN)).otherwise(alt.value(theme.ACCENT)),
        tooltip=["night:N", alt.Tooltip("sleep_h:Q", format=".1f", title="hours")])
    need = alt.Chart(inline_csv(pd.DataFrame({"need": [need_h]}))).mark_rule(
        color=theme.MUTED, strokeDash=[4, 3]).encode(y="need:Q")
    return alt.layer(bars, need).properties(
        title=alt.Title("A week of nights", subtitle=f"Dashed line: a need of {need_h:g} h; red nights fall short"),
        height=200)


def week_app() -> widgets.VBox:
    """One slider per night and one for the need; debt, mean and short nights follow."""
    errors = ErrorBox()
    need = widgets.FloatSlider(value=EXAMPLE_NEED_H, min=6.0, max=10.0, step=0.5, description="Sleep need (h)",
                               style={"description_width": "initial"}, continuous_update=False)
    sliders = [widgets.FloatSlider(value=h, min=3.0, max=11.0, step=0.5, description=f"{d} (h)",
                                   continuous_update=False) for d, h in zip(NIGHTS, EXAMPLE_WEEK, strict=True)]
    first = SleepWeekModel(EXAMPLE_WEEK, need.value).result()
    chart = offline_chart(week_chart(first.hours, first.need_h))
    summary = widgets.HTML(first.summary_html)

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        result = SleepWeekModel([s.value for s in sliders], need.value).result()
        chart.chart = week_chart(result.hours, result.need_h)
        summary.value = result.summary_html

    for w in (need, *sliders):
        w.observe(on_change, names="value")
    nights = widgets.Box(sliders, layout=widgets.Layout(display="flex", flex_flow="row wrap"))
    return mark_ready(app_root([need, nights, summary, chart, errors, widgets.HTML(note_html())],
                               name="lesson-sleep-week"))


def athlete_chart(result: SleepAthleteResult) -> alt.LayerChart:
    """Nightly sleep (points), its 7-day mean (line) and the need (dashed) of a PMData participant
    (:meth:`SleepAthleteModel.result`)."""
    m, need_h = result.metrics, result.need_h
    base = inline_csv(m[["date", "sleep_h", "sleep_7d_mean"]])
    dots = alt.Chart(base).mark_circle(size=18, color="#9ca3af").encode(
        x=alt.X("date:T", title=None), y=alt.Y("sleep_h:Q", title="hours asleep"),
        tooltip=[alt.Tooltip("date:T", format="%a %d %b %Y"), alt.Tooltip("sleep_h:Q", format=".1f")])
    mean = alt.Chart(base).mark_line(color=theme.ACCENT).encode(x="date:T", y="sleep_7d_mean:Q")
    need = alt.Chart(inline_csv(pd.DataFrame({"need": [need_h]}))).mark_rule(
        color=theme.WARN, strokeDash=[4, 3]).encode(y="need:Q")
    return alt.layer(dots, mean, need).properties(title=alt.Title(
        f"Fitbit sleep of PMData {result.participant}",
        subtitle=f"Dots: nights; line: 7-day mean; dashed: a need of {need_h:g} h"))


def athlete_app(participant: str = REAL_ATHLETE) -> widgets.VBox:
    """A real participant's nights; dropdown and need slider redraw the chart and the summary."""
    errors = ErrorBox()
    pick = widgets.Dropdown(options=pmdata_participants(), value=participant, description="PMData athlete",
                            style={"description_width": "initial"})
    need = widgets.FloatSlider(value=EXAMPLE_NEED_H, min=6.0, max=10.0, step=0.5, description="Sleep need (h)",
                               style={"description_width": "initial"}, continuous_update=False)
    first = SleepAthleteModel(participant, need.value).result()
    chart = offline_chart(athlete_chart(first))
    summary = widgets.HTML(first.summary_html)

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        result = SleepAthleteModel(pick.value, need.value).result()
        chart.chart = athlete_chart(result)
        summary.value = result.summary_html

    pick.observe(on_change, names="value")
    need.observe(on_change, names="value")
    return mark_ready(app_root([pick, need, summary, chart, errors, widgets.HTML(note_html(PMDATA_ATTRIBUTION))],
                               name="lesson-sleep-athlete"))


def quiz_app() -> widgets.VBox:
    """Lesson 4's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
