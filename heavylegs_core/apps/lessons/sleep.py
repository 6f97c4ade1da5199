"""Lesson 4: sleep and recovery.

Apps: :func:`week_app` (seven nights and a sleep need; debt, mean and short
nights follow) and :func:`athlete_app` (a PMData participant's Fitbit nights
against a chosen need), plus :func:`quiz_app`. Sleep numbers come from
:func:`heavylegs_core.domain.metrics.daily_metrics` (science.md section 6); ``FACTS``
holds the numbers the lesson's text states.
"""

from __future__ import annotations

import datetime as dt
import functools

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from heavylegs_core.apps.lessons import PMDATA_ATTRIBUTION, START, Question, note_html
from heavylegs_core.apps.lessons import quiz_app as _quiz_app
from heavylegs_core.base.paths import pmdata_file, pmdata_participants
from heavylegs_core.domain.metrics import SHORT_NIGHT_H, daily_metrics
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import inline_csv
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors

NIGHTS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EXAMPLE_WEEK: tuple[float, ...] = (7.5, 6.0, 5.5, 7.0, 8.0, 6.5, 9.0)
"""The lesson's example week: hours slept in the nights ending Monday to Sunday."""
EXAMPLE_NEED_H = 8.0
REAL_ATHLETE = "p04"


def _empty_sessions() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "load": pd.Series(dtype="float64")})


def week_numbers(hours: tuple[float, ...] | list[float], need_h: float = EXAMPLE_NEED_H) -> dict[str, float]:
    """Sleep debt over the 7 nights (h), their mean (h) and short nights (< 6 h) among the last 3,
    from the package's daily metrics table with a profile whose sleep need is ``need_h`` (h)."""
    if len(hours) != 7 or min(hours) < 0 or max(hours) > 24:
        raise ValueError("a week needs 7 nights of 0-24 hours")
    nights = pd.DataFrame({"date": pd.to_datetime([START + dt.timedelta(days=i) for i in range(7)]),
                           "sleep_h": [float(h) for h in hours]})
    m = daily_metrics(_empty_sessions(), nights, profile=AthleteProfile(sleep_need_h=need_h)).iloc[-1]
    return {"debt_h": float(m["sleep_debt_7d"]), "mean_h": float(m["sleep_7d_mean"]),
            "short_nights": float(m["short_nights_3d"])}


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


def _week_html(n: dict[str, float], need_h: float) -> str:
    return (f'<p class="hl-lesson-summary" aria-live="polite">With a need of {need_h:g} h: sleep debt '
            f"<strong>{n['debt_h']:.1f} h</strong> over the week, mean <strong>{n['mean_h']:.1f} h</strong>, "
            f"<strong>{n['short_nights']:.0f}</strong> of the last 3 nights under {SHORT_NIGHT_H:g} h.</p>")


def week_app() -> widgets.VBox:
    """One slider per night and one for the need; debt, mean and short nights follow."""
    errors = ErrorBox()
    need = widgets.FloatSlider(value=EXAMPLE_NEED_H, min=6.0, max=10.0, step=0.5, description="Sleep need (h)",
                               style={"description_width": "initial"}, continuous_update=False)
    sliders = [widgets.FloatSlider(value=h, min=3.0, max=11.0, step=0.5, description=f"{d} (h)",
                                   continuous_update=False) for d, h in zip(NIGHTS, EXAMPLE_WEEK, strict=True)]
    chart = offline_chart(week_chart(EXAMPLE_WEEK, need.value))
    summary = widgets.HTML(_week_html(week_numbers(EXAMPLE_WEEK, need.value), need.value))

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        hours = [s.value for s in sliders]
        chart.chart = week_chart(hours, need.value)
        summary.value = _week_html(week_numbers(hours, need.value), need.value)

    for w in (need, *sliders):
        w.observe(on_change, names="value")
    nights = widgets.Box(sliders, layout=widgets.Layout(display="flex", flex_flow="row wrap"))
    return mark_ready(app_root([need, nights, summary, chart, errors, widgets.HTML(note_html())],
                               name="lesson-sleep-week"))


@functools.cache
def fitbit_nights(participant: str) -> pd.DataFrame:
    """A PMData participant's Fitbit nights (``date``, ``sleep_h`` in hours), read by the package's importer."""
    from heavylegs_core.io.importers import load_sources

    if participant not in pmdata_participants():
        raise ValueError(f"unknown PMData participant {participant!r}")
    nights = load_sources([pmdata_file(participant, "sleep.json")], "UTC").nights
    return nights[["date", "sleep_h"]].reset_index(drop=True)


def athlete_metrics(participant: str, need_h: float = EXAMPLE_NEED_H) -> pd.DataFrame:
    """The sleep columns of the daily metrics table for a participant's Fitbit nights."""
    m = daily_metrics(_empty_sessions(), fitbit_nights(participant), profile=AthleteProfile(sleep_need_h=need_h))
    return m[["date", "sleep_h", "sleep_7d_mean", "sleep_debt_7d", "short_nights_3d"]]


def sleep_summary(participant: str, need_h: float = EXAMPLE_NEED_H) -> dict[str, float]:
    """Nights recorded, mean and SD of hours asleep (h; the SD is night-to-night variability of duration),
    shares (0-1) of nights under 7 h and under the need, and the median 7-day debt (h)."""
    m = athlete_metrics(participant, need_h)
    h = m["sleep_h"].dropna()
    return {"nights": float(len(h)), "mean_h": float(h.mean()), "sd_h": float(h.std(ddof=1)),
            "under_7": float((h < 7).mean()), "under_need": float((h < need_h).mean()),
            "median_debt_h": float(m["sleep_debt_7d"].median())}


def athlete_chart(participant: str, need_h: float) -> alt.LayerChart:
    """Nightly sleep (points), its 7-day mean (line) and the need (dashed) of a PMData participant."""
    m = athlete_metrics(participant, need_h)
    base = inline_csv(m[["date", "sleep_h", "sleep_7d_mean"]])
    dots = alt.Chart(base).mark_circle(size=18, color="#9ca3af").encode(
        x=alt.X("date:T", title=None), y=alt.Y("sleep_h:Q", title="hours asleep"),
        tooltip=[alt.Tooltip("date:T", format="%a %d %b %Y"), alt.Tooltip("sleep_h:Q", format=".1f")])
    mean = alt.Chart(base).mark_line(color=theme.ACCENT).encode(x="date:T", y="sleep_7d_mean:Q")
    need = alt.Chart(inline_csv(pd.DataFrame({"need": [need_h]}))).mark_rule(
        color=theme.WARN, strokeDash=[4, 3]).encode(y="need:Q")
    return alt.layer(dots, mean, need).properties(title=alt.Title(
        f"Fitbit sleep of PMData {participant}",
        subtitle=f"Dots: nights; line: 7-day mean; dashed: a need of {need_h:g} h"))


def _athlete_html(participant: str, need_h: float) -> str:
    s = sleep_summary(participant, need_h)
    return (f'<p class="hl-lesson-summary" aria-live="polite">{s["nights"]:.0f} nights, mean '
            f"{s['mean_h']:.1f} h (night-to-night SD {s['sd_h']:.1f} h); {s['under_7'] * 100:.0f} % under 7 h, "
            f"{s['under_need'] * 100:.0f} % under {need_h:g} h; median 7-day debt {s['median_debt_h']:.1f} h.</p>")


def athlete_app(participant: str = REAL_ATHLETE) -> widgets.VBox:
    """A real participant's nights; dropdown and need slider redraw the chart and the summary."""
    errors = ErrorBox()
    pick = widgets.Dropdown(options=pmdata_participants(), value=participant, description="PMData athlete",
                            style={"description_width": "initial"})
    need = widgets.FloatSlider(value=EXAMPLE_NEED_H, min=6.0, max=10.0, step=0.5, description="Sleep need (h)",
                               style={"description_width": "initial"}, continuous_update=False)
    chart = offline_chart(athlete_chart(participant, need.value))
    summary = widgets.HTML(_athlete_html(participant, need.value))

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        chart.chart = athlete_chart(pick.value, need.value)
        summary.value = _athlete_html(pick.value, need.value)

    pick.observe(on_change, names="value")
    need.observe(on_change, names="value")
    return mark_ready(app_root([pick, need, summary, chart, errors, widgets.HTML(note_html(PMDATA_ATTRIBUTION))],
                               name="lesson-sleep-athlete"))


def pooled_shares() -> dict[str, float]:
    """Nights and shares (0-1) under 7 h and under 8 h over all bundled participants' Fitbit nights."""
    h = np.concatenate([fitbit_nights(p)["sleep_h"].dropna().to_numpy() for p in pmdata_participants()])
    return {"nights": float(len(h)), "under_7": float((h < 7).mean()), "under_8": float((h < 8).mean())}


def _facts() -> dict[str, str]:
    w8 = week_numbers(EXAMPLE_WEEK, 8.0)
    w7 = week_numbers(EXAMPLE_WEEK, 7.0)
    pooled = pooled_shares()
    real = sleep_summary(REAL_ATHLETE)
    return {
        "week_mean": f"{w8['mean_h']:.1f} h",
        "week_debt_8": f"{w8['debt_h']:.1f} h",
        "week_debt_7": f"{w7['debt_h']:.1f} h",
        "pooled_nights": f"{pooled['nights']:.0f} nights",
        "pooled_under_7": f"{pooled['under_7'] * 100:.0f} %",
        "pooled_under_8": f"{pooled['under_8'] * 100:.0f} %",
        "real_mean": f"{real['mean_h']:.1f} h",
        "real_sd": f"{real['sd_h']:.1f} h",
    }


FACTS: dict[str, str] = _facts()
"""Every number lesson 4 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "A runner sleeps 9 h on Sunday after a week of short nights. What happens to the 7-day sleep debt?",
        ("It is cleared", "It does not go down: a long night adds no negative debt",
         "It doubles"),
        1,
        "Each night's deficit is max(0, need − slept): a long night adds nothing, but it cannot cancel the "
        "earlier short nights inside the 7-day window either.",
    ),
    Question(
        "What does the 2021 athlete sleep consensus recommend as a sleep target?",
        ("Exactly 8 hours for everyone", "An individual target that takes the athlete's own sleep need into account",
         "As little as the athlete can cope with"),
        1,
        "Walsh and colleagues judged one number for everyone unlikely to be ideal and recommend individualised "
        "targets; habitual sleep under 7 h is the pattern to watch.",
    ),
    Question(
        f"Changing the sleep need from 8 h to 7 h for the example week lowers its debt from {FACTS['week_debt_8']} "
        "to what?",
        (FACTS["week_debt_7"], FACTS["week_debt_8"], "0.0 h"),
        0,
        "The debt is measured against the need, so the same nights give a smaller debt for a runner who needs "
        "less: this is why the workbook lets the user set the need.",
    ),
)


def quiz_app() -> widgets.VBox:
    """Lesson 4's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
