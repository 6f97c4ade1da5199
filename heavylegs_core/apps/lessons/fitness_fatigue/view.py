"""Lesson 1's apps: fitness, fatigue and form (the Banister impulse-response model).

Apps: :func:`block_app` (sliders for the time constants and a training block),
:func:`athlete_app` (CTL, ATL and TSB of a real PMData athlete) and
:func:`quiz_app`; the charts they show (:func:`pmc_chart`). The numbers come from
:mod:`heavylegs_core.apps.lessons.fitness_fatigue.model`.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd

from heavylegs_core.apps.lessons.athlete_picker import athlete_picker_app
from heavylegs_core.apps.lessons.common import note_html
from heavylegs_core.apps.lessons.fitness_fatigue import model
from heavylegs_core.apps.lessons.fitness_fatigue.model import (
    QUESTIONS,
    REAL_ATHLETE,
    BlockModel,
    BlockResult,
)
from heavylegs_core.apps.lessons.quiz.view import quiz_app as _quiz_app
from heavylegs_core.base.paths import pmdata_participants
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import inline_csv
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors

SERIES_COLOURS = {"fitness (CTL)": theme.ACCENT, "fatigue (ATL)": theme.WARN, "form (TSB)": "#3aa6a0"}


def _long(df: pd.DataFrame, x: str) -> pd.DataFrame:
    out = df[[x, "ctl", "atl", "tsb"]].rename(
        columns={"ctl": "fitness (CTL)", "atl": "fatigue (ATL)", "tsb": "form (TSB)"})
    return out.melt(id_vars=[x], var_name="series", value_name="value").dropna(subset=["value"])


def pmc_chart(df: pd.DataFrame, *, x: str = "day", title: str, subtitle: str = "") -> alt.LayerChart:
    """Load bars plus CTL, ATL and TSB lines (AU/day). ``x`` is ``"day"`` (number) or ``"date"``."""
    xtype = "Q" if x == "day" else "T"
    xenc = alt.X(f"{x}:{xtype}", title="day" if x == "day" else None)
    bars = alt.Chart(inline_csv(df[[x, "load"]])).mark_bar(color="#d1d5db").encode(
        x=xenc, y=alt.Y("load:Q", title="AU/day"),
        tooltip=[alt.Tooltip(f"{x}:{xtype}"), alt.Tooltip("load:Q", title="load (AU)", format=".0f")])
    lines = alt.Chart(inline_csv(_long(df, x))).mark_line().encode(
        x=xenc, y=alt.Y("value:Q", title="AU/day"),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=list(SERIES_COLOURS), range=list(SERIES_COLOURS.values()))),
        tooltip=[alt.Tooltip(f"{x}:{xtype}"), "series:N", alt.Tooltip("value:Q", format=".1f")])
    zero = alt.Chart(inline_csv(pd.DataFrame({"y": [0.0]}))).mark_rule(color=theme.MUTED).encode(y="y:Q")
    return alt.layer(bars, zero, lines).properties(title=alt.Title(title, subtitle=subtitle))


def block_chart(result: BlockResult) -> alt.LayerChart:
    """The simulated block (:meth:`BlockModel.result`) as a PMC chart."""
    return pmc_chart(result.sim, title=result.title, subtitle=result.subtitle)


def block_app() -> widgets.VBox:
    """Sliders for the two time constants and a training block; the chart and summary follow them."""
    errors = ErrorBox()
    start = BlockModel()
    style = {"description_width": "14em"}
    lay = widgets.Layout(width="min(100%, 34em)")
    tau_fit = widgets.IntSlider(value=start.tau_fitness, min=14, max=70, description="Fitness time constant (days)",
                                style=style, layout=lay)
    tau_fat = widgets.IntSlider(value=start.tau_fatigue, min=2, max=13, description="Fatigue time constant (days)",
                                style=style, layout=lay)
    load = widgets.IntSlider(value=start.load, min=10, max=150, step=5,
                             description="Block load (AU/day)", style=style, layout=lay)
    weeks = widgets.IntSlider(value=start.weeks, min=1, max=16, description="Block length (weeks)",
                              style=style, layout=lay)
    after = widgets.IntSlider(value=start.after_percent, min=0, max=100, step=10,
                              description="Load after the block (%)", style=style, layout=lay)

    first = start.result()
    chart = offline_chart(block_chart(first))
    summary = widgets.HTML(first.summary_html)

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        result = BlockModel(tau_fit.value, tau_fat.value, load.value, weeks.value, after.value).result()
        chart.chart = block_chart(result)
        summary.value = result.summary_html

    for w in (tau_fit, tau_fat, load, weeks, after):
        w.observe(on_change, names="value")
    root = app_root([tau_fit, tau_fat, load, weeks, after, summary, chart, errors, widgets.HTML(note_html())],
                    name="lesson-block")
    return mark_ready(root)


def athlete_chart(participant: str) -> alt.LayerChart:
    """CTL, ATL and TSB of a PMData participant from the package's daily metrics table."""
    m = model.athlete_metrics(participant)
    return pmc_chart(m[["date", "load", "ctl", "atl", "tsb"]], x="date",
                     title=f"Fitness, fatigue and form of PMData {participant}",
                     subtitle="sRPE load (AU); τ = 42 and 7 days")


def athlete_app(participant: str = REAL_ATHLETE) -> widgets.VBox:
    """The same three curves on a real athlete; a dropdown picks the participant."""
    return athlete_picker_app(athlete_chart, pmdata_participants(), participant)


def quiz_app() -> widgets.VBox:
    """Lesson 1's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
