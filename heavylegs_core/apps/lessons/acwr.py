"""Lesson 2: the acute:chronic workload ratio and its critics.

Apps: :func:`ratios_app` (coupled, uncoupled and EWMA ratios on the same loads),
:func:`coupling_app` (Lolli 2019's coupling shown by simulation),
:func:`spike_app` (the single-run spike, Frandsen 2025) and :func:`quiz_app`.
Every ratio comes from :func:`heavylegs_core.domain.metrics.daily_metrics` (or its
squad form); ``FACTS`` holds the numbers the lesson states (science.md section 2).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from heavylegs_core.apps.lessons import (
    PMDATA_ATTRIBUTION,
    START,
    Question,
    note_html,
    sessions_from_loads,
)
from heavylegs_core.apps.lessons import quiz_app as _quiz_app
from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.domain.metrics import daily_metrics, daily_metrics_panel
from heavylegs_core.knowledge.chart_references import load_chart_references
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import inline_csv
from heavylegs_core.views.html import esc
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors

RATIO_COLOURS = {"coupled (7 ÷ 28 days)": theme.MUTED, "uncoupled (7 ÷ 21 days before)": theme.ACCENT,
                 "EWMA (7 ÷ 28, Williams 2017)": "#e07b39"}
RATIO_COLUMNS = {"acwr_coupled": "coupled (7 ÷ 28 days)", "acwr_uncoupled": "uncoupled (7 ÷ 21 days before)",
                 "acwr_ewma": "EWMA (7 ÷ 28, Williams 2017)"}
SCENARIOS = ("steady, then a doubled week", "back after two weeks off", "PMData p02 (real)")


class SpikeBand(NamedTuple):
    """One band of Frandsen et al. 2025 (BJSM 59:1203-10): spike ratio above ``low`` up to ``high``."""

    low: float
    high: float | None
    label: str
    hazard_ratio: float | None
    ci: str


SPIKE_BANDS: tuple[SpikeBand, ...] = (
    SpikeBand(0.0, 1.1, "up to 10 % longer (reference)", None, ""),
    SpikeBand(1.1, 1.3, "10–30 % longer", 1.64, "1.31–2.05"),
    SpikeBand(1.3, 2.0, "30–100 % longer", 1.52, "1.16–2.00"),
    SpikeBand(2.0, None, "more than twice as long", 2.28, "1.50–3.48"),
)
"""Overuse-injury hazard-rate ratios by single-run spike (5,205 runners; science.md section 4)."""


# --------------------------------------------------------------------------- scenarios

def scenario_loads(name: str) -> np.ndarray:
    """Daily loads (AU) of a teaching scenario: a steady 4 weeks then one doubled week, or a steady
    6 weeks, 2 weeks off and a return at the old load."""
    week = np.array([60, 0, 60, 40, 0, 90, 50], dtype="float64")
    if name == SCENARIOS[0]:
        return np.concatenate([np.tile(week, 5), week * 2, np.tile(week, 2)])
    if name == SCENARIOS[1]:
        return np.concatenate([np.tile(week, 6), np.zeros(14), np.tile(week, 3)])
    raise ValueError(f"unknown scenario {name!r}; choose one of {SCENARIOS}")


def scenario_metrics(name: str) -> pd.DataFrame:
    """The daily metrics table of a scenario (or of the real PMData athlete)."""
    if name == SCENARIOS[2]:
        from heavylegs_core.domain.records import with_loads
        from heavylegs_core.io.pmdata import read_srpe

        return daily_metrics(with_loads(read_srpe(pmdata_file("p02", "srpe.csv"))))
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {SCENARIOS}")
    loads = scenario_loads(name)
    return daily_metrics(sessions_from_loads(loads), as_of=START + dt.timedelta(days=len(loads) - 1))


def ratio_points(m: pd.DataFrame) -> pd.DataFrame:
    """The three ratios of a daily metrics table in long form, split by whether they are meaningful.

    One row per day and ratio with a value: ``date``, ``ratio`` (its label),
    ``value`` (the ratio where it is meaningful, else empty: the line breaks
    there) and ``after_break`` (the ratio on days whose 28-day window holds a
    break of 10 or more days without load, ``acwr_meaningful`` false; else empty).
    """
    long = (m[["date", *RATIO_COLUMNS]].rename(columns=RATIO_COLUMNS)
            .assign(broken=(~m["acwr_meaningful"].astype("boolean")).fillna(False).to_numpy(dtype=bool))
            .melt(id_vars=["date", "broken"], var_name="ratio", value_name="ratio_value")
            .dropna(subset=["ratio_value"]))
    return pd.DataFrame({"date": long["date"], "ratio": long["ratio"],
                         "value": long["ratio_value"].where(~long["broken"]),
                         "after_break": long["ratio_value"].where(long["broken"])}).reset_index(drop=True)


def ratios_chart(m: pd.DataFrame, title: str) -> alt.LayerChart:
    """The three ratios over time with the published 0.8–1.3 band (shown as a heuristic).

    Ratios after a break (:func:`ratio_points`) are hollow grey points, not part of the lines.
    """
    from heavylegs_core.views.charts import AFTER_BREAK, BREAK_GREY, BREAK_WHY

    refs = load_chart_references()
    long = ratio_points(m)
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


def ratios_app(scenario: str = SCENARIOS[0]) -> widgets.VBox:
    """A dropdown of load histories; the chart shows the three ratios computed by the package."""
    errors = ErrorBox()
    pick = widgets.Dropdown(options=SCENARIOS, value=scenario, description="Load history",
                            style={"description_width": "initial"})
    chart = offline_chart(ratios_chart(scenario_metrics(scenario), scenario))
    caveat = widgets.HTML(f'<p class="hl-caveat"><small>{esc(load_chart_references().acwr_caveat.short)}</small></p>')

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        chart.chart = ratios_chart(scenario_metrics(change["new"]), change["new"])

    pick.observe(on_pick, names="value")
    root = app_root([pick, chart, caveat, errors, widgets.HTML(note_html(PMDATA_ATTRIBUTION))],
                    name="lesson-acwr")
    return mark_ready(root)


# --------------------------------------------------------------------------- coupling

def coupling_simulation(athletes: int = 1000, *, seed: int = 2019, mean_au: float = 400.0,
                        sd_au: float = 100.0) -> pd.DataFrame:
    """Lolli et al. 2019's thought experiment: every athlete's four weekly loads are independent draws.

    Each athlete trains the same load on each day of a week, the week's daily load drawn
    independently from a normal distribution (mean ``mean_au``, SD ``sd_au`` AU/day,
    floored at 1). Returns one row per athlete with, from the package's metrics on day
    28: ``acute`` (AU/day, 7-day mean), ``chronic_coupled`` (28-day mean) and
    ``chronic_uncoupled`` (the 21 days before the acute week, as acute ÷ uncoupled ratio).
    """
    if athletes < 3:
        raise ValueError("the simulation needs at least 3 athletes")
    rng = np.random.default_rng(seed)
    weekly = np.maximum(rng.normal(mean_au, sd_au, size=(athletes, 4)), 1.0)
    daily = np.repeat(weekly, 7, axis=1)
    dates = pd.to_datetime([START + dt.timedelta(days=d) for d in range(28)])
    sessions = pd.DataFrame({"athlete": np.repeat(np.arange(athletes), 28), "date": np.tile(dates, athletes),
                             "sport": "run", "load": daily.ravel()})
    m = daily_metrics_panel(sessions)
    last = m[m["date"] == dates[-1]]
    return pd.DataFrame({"acute": last["acute_load"].to_numpy(),
                         "chronic_coupled": last["chronic_load"].to_numpy(),
                         "chronic_uncoupled": (last["acute_load"] / last["acwr_uncoupled"]).to_numpy()})


def coupling_correlations(sim: pd.DataFrame) -> dict[str, float]:
    """Pearson r of the acute load with the coupled and with the uncoupled chronic load."""
    return {"coupled": float(sim["acute"].corr(sim["chronic_coupled"])),
            "uncoupled": float(sim["acute"].corr(sim["chronic_uncoupled"]))}


def coupling_chart(sim: pd.DataFrame) -> alt.Chart:
    """Acute against chronic load, coupled and uncoupled side by side."""
    r = coupling_correlations(sim)
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
    seed = widgets.IntSlider(value=2019, min=1, max=5000, description="Random draw",
                             style={"description_width": "initial"}, continuous_update=False)
    sim = coupling_simulation(seed=seed.value)
    chart = offline_chart(coupling_chart(sim))

    def text(r: dict[str, float]) -> str:
        return (f'<p class="hl-lesson-summary" aria-live="polite">Correlation of acute with chronic load: '
                f"<strong>{r['coupled']:.2f}</strong> coupled, <strong>{r['uncoupled']:.2f}</strong> uncoupled.</p>")

    summary = widgets.HTML(text(coupling_correlations(sim)))

    @reports_errors(errors)
    def on_seed(change: dict) -> None:
        new = coupling_simulation(seed=change["new"])
        chart.chart = coupling_chart(new)
        summary.value = text(coupling_correlations(new))

    seed.observe(on_seed, names="value")
    return mark_ready(app_root([seed, summary, chart, errors], name="lesson-coupling"))


# --------------------------------------------------------------------------- spike

def spike_history(usual_long_km: float, new_run_km: float) -> pd.DataFrame:
    """Four weeks of runs (three a week: 60 %, 60 % and 100 % of ``usual_long_km``), then one run of
    ``new_run_km`` (km). Loads are the distances (AU = km) so that ACWR and spike share one history."""
    if not (usual_long_km > 0 and new_run_km > 0):
        raise ValueError("distances must be positive (km)")
    week = np.array([0.6, 0, 0.6, 0, 0, 1.0, 0]) * usual_long_km
    km = np.concatenate([np.tile(week, 4), [0, 0, float(new_run_km)]])
    return sessions_from_loads(km, distance_km=km)


def spike_band(ratio: float) -> SpikeBand:
    """The Frandsen 2025 band of a spike ratio."""
    for band in SPIKE_BANDS:
        if ratio <= band.low:
            continue
        if band.high is None or ratio <= band.high:
            return band
    return SPIKE_BANDS[0]


def spike_result(usual_long_km: float, new_run_km: float) -> dict[str, float]:
    """``spike_ratio`` and ``acwr_uncoupled`` on the day of the new run, from the package's metrics."""
    m = daily_metrics(spike_history(usual_long_km, new_run_km)).iloc[-1]
    return {"spike_ratio": float(m["spike_ratio"]), "acwr_uncoupled": float(m["acwr_uncoupled"])}


def _spike_html(usual: float, new: float) -> str:
    r = spike_result(usual, new)
    band = spike_band(r["spike_ratio"])
    hr = ("the reference group" if band.hazard_ratio is None
          else f"an overuse-injury hazard ratio of {band.hazard_ratio:.2f} (95 % CI {band.ci}) against the reference")
    return (f'<p class="hl-lesson-summary" aria-live="polite">Spike ratio <strong>{r["spike_ratio"]:.2f}</strong> '
            f"({esc(band.label)}): in Frandsen 2025 this band had {esc(hr)}. The uncoupled ACWR that day is "
            f"{r['acwr_uncoupled']:.2f}.</p>")


def spike_app() -> widgets.VBox:
    """Sliders for the usual long run and today's run; the spike ratio and its band follow."""
    errors = ErrorBox()
    style = {"description_width": "14em"}
    usual = widgets.FloatSlider(value=12, min=4, max=35, step=0.5, description="Longest run, last 30 days (km)",
                                style=style)
    new = widgets.FloatSlider(value=16, min=2, max=45, step=0.5, description="Today's run (km)", style=style)
    out = widgets.HTML(_spike_html(usual.value, new.value))

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        out.value = _spike_html(usual.value, new.value)

    usual.observe(on_change, names="value")
    new.observe(on_change, names="value")
    return mark_ready(app_root([usual, new, out, errors, widgets.HTML(note_html())], name="lesson-spike"))


# --------------------------------------------------------------------------- facts and quiz

def _facts() -> dict[str, str]:
    vec = daily_metrics(sessions_from_loads([50.0] * 28 + [100.0] * 7)).iloc[-1]
    ceiling = daily_metrics(sessions_from_loads([1.0] + [0.0] * 20 + [10.0] * 7)).iloc[-1]
    r = coupling_correlations(coupling_simulation())
    back = scenario_metrics(SCENARIOS[1])
    spike = spike_result(12, 16)
    facts = {
        "vec_coupled": f"{vec['acwr_coupled']:.2f}",
        "vec_uncoupled": f"{vec['acwr_uncoupled']:.2f}",
        "vec_ewma": f"{vec['acwr_ewma']:.2f}",
        "ceiling_coupled": f"{ceiling['acwr_coupled']:.2f}",
        "ceiling_uncoupled": f"{ceiling['acwr_uncoupled']:.0f}",
        "r_coupled": f"{r['coupled']:.2f}",
        "r_uncoupled": f"{r['uncoupled']:.2f}",
        "back_uncoupled_max": f"{back['acwr_uncoupled'].max():.2f}",
        "back_coupled_max": f"{back['acwr_coupled'].max():.2f}",
        "spike_example": f"{spike['spike_ratio']:.2f}",
        "spike_example_acwr": f"{spike['acwr_uncoupled']:.2f}",
    }
    for i, band in enumerate(SPIKE_BANDS[1:], start=1):
        facts[f"spike_hr_{i}"] = f"{band.hazard_ratio:.2f}"
    return facts


FACTS: dict[str, str] = _facts()
"""Every number lesson 2 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "Four weeks at 50 AU a day, then a week at 100 AU a day. Which ratio comes out lowest?",
        ("Coupled", "Uncoupled", "They are the same"),
        0,
        f"The coupled chronic window contains the hard week itself, which pulls the ratio towards 1: "
        f"{FACTS['vec_coupled']} coupled against {FACTS['vec_uncoupled']} uncoupled.",
    ),
    Question(
        "In a simulation where each week's load is drawn independently, why are acute and coupled chronic load "
        "correlated?",
        ("Because fitness protects against injury", "Because the acute week is part of the chronic average",
         "Because the random numbers were badly chosen"),
        1,
        "A part always correlates with a whole that contains it (mathematical coupling, Lolli 2019); the "
        "uncoupled chronic window shows no such correlation.",
    ),
    Question(
        "For a runner, which warning sign has the best support in the 2025 study of 5,205 runners?",
        ("An ACWR above 1.5", "A weekly distance 10 % above last week",
         "One run much longer than the longest of the last 30 days"),
        2,
        "Frandsen 2025 found higher overuse-injury rates after single-run spikes above 10 %; the ACWR did not "
        "show the expected dose-response and the week-to-week change showed none.",
    ),
)


def quiz_app() -> widgets.VBox:
    """Lesson 2's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
