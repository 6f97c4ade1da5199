"""Lesson 2's apps: the acute:chronic workload ratio and its critics.

Apps: :func:`ratios_app` (coupled, uncoupled and EWMA ratios on the same loads),
:func:`coupling_app` (Lolli 2019's coupling shown by simulation),
:func:`spike_app` (the single-run spike, Frandsen 2025) and :func:`quiz_app`; the charts
they show (:func:`ratios_chart`, :func:`coupling_chart`). The numbers come from
:mod:`heavylegs_core.apps.lessons.acwr.model`.
"""

from __future__ import annotations

import json

import altair as alt
import ipywidgets as widgets
import pandas as pd

from heavylegs_core.apps.lessons.acwr import model
from heavylegs_core.apps.lessons.acwr.model import (
    QUESTIONS,
    SCENARIOS,
    CouplingModel,
    CouplingResult,
    SpikeModel,
)
from heavylegs_core.apps.lessons.common import PMDATA_ATTRIBUTION, note_html
from heavylegs_core.apps.lessons.quiz.view import quiz_app as _quiz_app
from heavylegs_core.knowledge.chart_references import load_chart_references
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import AFTER_BREAK, BREAK_GREY, BREAK_WHY, inline_csv
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors

RATIO_COLOURS = {"coupled (7 ÷ 28 days)": theme.MUTED, "uncoupled (7 ÷ 21 days before)": theme.ACCENT,
                 "EWMA (7 ÷ 28, Williams 2017)": "#e07b39"}


def ratios_chart(m: pd.DataFrame, title: str) -> alt.LayerChart:
    """The three ratios over time with the published 0.8–1.3 band (shown as a heuristic).

    Ratios after a break (:func:`~heavylegs_core.apps.lessons.acwr.model.ratio_points`) are hollow
    grey points, not part of the lines.
    """
    refs = load_chart_references()
    long = model.ratio_points(m)
    band = alt.Chart(inline_csv(pd.DataFrame({"lo": [refs.acwr_band.low], "hi": [refs.acwr_band.high]}))).mark_rect(
        color="#e5e7eb", opacity=0.6).encode(y="lo:Q", y2="hi:Q")
    tip = alt.Tooltip("date:T", format="%a %d %b %Y")
    # the lines and the points share one inline data set on their layer (two charts with the same
    # inline CSV each would parse its dates twice in Vega-Lite and draw nothing)
    lines = alt.Chart().mark_line().encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title="ratio"),
        color=alt.Color("ratio:N", title=None, legend=alt.Legend(labelLimit=400),
                        scale=alt.Scale(domain=list(RATIO_COLOURS), range=list(RATIO_COLOURS.values()))),
        tooltip=[tip, "ratio:N", alt.Tooltip("value:Q", format=".2f")])
    broken = alt.Chart().transform_filter("isValid(datum.after_break)").transform_calculate(
        status=json.dumps(AFTER_BREAK)).mark_point(filled=False, color=BREAK_GREY, size=28).encode(
        x=alt.X("date:T", title=None), y=alt.Y("after_break:Q", title="ratio"),
        shape=alt.Shape("status:N", title=None, scale=alt.Scale(domain=[AFTER_BREAK], range=["circle"]),
                        legend=alt.Legend(labelLimit=400, symbolStrokeColor=BREAK_GREY)),
        tooltip=[tip, "ratio:N", alt.Tooltip("after_break:Q", title="value (not meaningful)", format=".2f")])
    loads = alt.Chart(inline_csv(m[["date", "load"]])).mark_bar(color="#9ca3af").encode(
        x=alt.X("date:T", title=None), y=alt.Y("load:Q", title="load (AU)"),
        tooltip=[tip, alt.Tooltip("load:Q", format=".0f")],
    ).properties(height=90)
    top = alt.layer(band, alt.layer(lines, broken, data=inline_csv(long))).properties(title=alt.Title(
        title, subtitle=[refs.acwr_band.label, f"Hollow grey points: {BREAK_WHY}"]))
    return alt.vconcat(top, loads)


def scenario_chart(scenario: str) -> alt.LayerChart:
    """The ratios chart of one load history (:data:`SCENARIOS`)."""
    return ratios_chart(model.scenario_metrics(scenario), scenario)


def ratios_app(scenario: str = SCENARIOS[0]) -> widgets.VBox:
    """A dropdown of load histories; the chart shows the three ratios computed by the package."""
    errors = ErrorBox()
    pick = widgets.Dropdown(options=SCENARIOS, value=scenario, description="Load history",
                            style={"description_width": "initial"})
    chart = offline_chart(scenario_chart(scenario))
    caveat = widgets.HTML(model.caveat_html())

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        chart.chart = scenario_chart(change["new"])

    pick.observe(on_pick, names="value")
    root = app_root([pick, chart, caveat, errors, widgets.HTML(note_html(PMDATA_ATTRIBUTION))],
                    name="lesson-acwr")
    return mark_ready(root)


def coupling_chart(result: CouplingResult) -> alt.Chart:
    """Acute against chronic load, coupled and uncoupled side by side (:meth:`CouplingModel.result`)."""
    sim, r = result.sim, result.correlations
    long = pd.concat([
        pd.DataFrame({"acute": sim["acute"], "chronic": sim["chronic_coupled"],
                      "window": f"coupled chronic (r = {r['coupled']:.2f})"}),
        pd.DataFrame({"acute": sim["acute"], "chronic": sim["chronic_uncoupled"],
                      "window": f"uncoupled chronic (r = {r['uncoupled']:.2f})"}),
    ])
    return alt.Chart(inline_csv(long)).mark_circle(size=14, opacity=0.5, color=theme.ACCENT).encode(
        x=alt.X("chronic:Q", title="chronic load (AU/day)", scale=alt.Scale(zero=False)),
        y=alt.Y("acute:Q", title="acute load (AU/day)", scale=alt.Scale(zero=False)),
    ).properties(width=260, height=220).facet(column=alt.Column("window:N", title=None)).properties(
        title=alt.Title(f"{len(sim)} simulated athletes whose weekly loads are unrelated",
                        subtitle="Each dot is one athlete on day 28"))


def coupling_app() -> widgets.VBox:
    """Rerun the coupling simulation with a new random draw; r stays near 0.5 for the coupled form."""
    errors = ErrorBox()
    start = CouplingModel()
    seed = widgets.IntSlider(value=start.seed, min=1, max=5000, description="Random draw",
                             style={"description_width": "initial"}, continuous_update=False)
    first = start.result()
    chart = offline_chart(coupling_chart(first))
    summary = widgets.HTML(first.summary_html)

    @reports_errors(errors)
    def on_seed(change: dict) -> None:
        result = CouplingModel(change["new"]).result()
        chart.chart = coupling_chart(result)
        summary.value = result.summary_html

    seed.observe(on_seed, names="value")
    return mark_ready(app_root([seed, summary, chart, errors], name="lesson-coupling"))


def spike_app() -> widgets.VBox:
    """Sliders for the usual long run and today's run; the spike ratio and its band follow."""
    errors = ErrorBox()
    start = SpikeModel()
    style = {"description_width": "14em"}
    usual = widgets.FloatSlider(value=start.usual_long_km, min=4, max=35, step=0.5,
                                description="Longest run, last 30 days (km)", style=style)
    new = widgets.FloatSlider(value=start.new_run_km, min=2, max=45, step=0.5, description="Today's run (km)",
                              style=style)
    out = widgets.HTML(start.result().summary_html)

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        out.value = SpikeModel(usual.value, new.value).result().summary_html

    usual.observe(on_change, names="value")
    new.observe(on_change, names="value")
    return mark_ready(app_root([usual, new, out, errors, widgets.HTML(note_html())], name="lesson-spike"))


def quiz_app() -> widgets.VBox:
    """Lesson 2's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
