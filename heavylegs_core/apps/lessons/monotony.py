"""Lesson 3: monotony, strain and "too many moderate sessions".

Apps: :func:`week_app` (edit a week day by day and see Foster's monotony and
strain), :func:`athlete_app` (intensity mix and weekly monotony of a PMData
athlete) and :func:`quiz_app`. Monotony and strain come from
:func:`heavylegs_core.domain.metrics.daily_metrics` (Foster 1998; ddof = 1, science.md
section 3); ``FACTS`` holds the numbers the lesson's text states.
"""

from __future__ import annotations

import datetime as dt
import math

import altair as alt
import ipywidgets as widgets
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
from heavylegs_core.domain.metrics import HARD_MIN_RPE, MODERATE_MIN_RPE, daily_metrics
from heavylegs_core.knowledge.chart_references import load_chart_references
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import (
    inline_csv,
    intensity_chart,
    intensity_per_week,
    weekly_monotony_strain,
)
from heavylegs_core.views.html import esc
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKS: dict[str, tuple[float, ...]] = {
    "hard/easy week": (450, 100, 0, 400, 100, 0, 350),
    "moderate most days": (250, 150, 200, 250, 150, 200, 200),
    "Foster-style example": (0, 80, 40, 0, 90, 60, 80),
}
"""Teaching weeks: daily session-RPE load (AU), Monday to Sunday. The first two have the same total."""
ATHLETES = ("p01", "p02", "p04")  # PMData participants with enough sessions for weekly values


def week_numbers(loads: tuple[float, ...] | list[float]) -> dict[str, float]:
    """Weekly load (AU), monotony (ratio; inf for a week of identical non-zero loads) and strain (AU)
    of one Monday-to-Sunday week of daily loads (AU), from the package's daily metrics table."""
    if len(loads) != 7 or min(loads) < 0:
        raise ValueError("a week needs 7 daily loads of at least 0 AU")
    total = float(sum(loads))
    if total == 0:
        return {"week_load": 0.0, "monotony": math.nan, "strain": math.nan}
    # One token session (1 AU) a week earlier starts the load history, so the 7-day window of
    # the week's Sunday is complete even when the week starts with rest days; it lies outside that window.
    padded = [1.0] + [0.0] * 6 + [float(x) for x in loads]
    m = daily_metrics(sessions_from_loads(padded, start=START - dt.timedelta(days=7)),
                      as_of=START + dt.timedelta(days=6)).iloc[-1]
    mono = float(m["monotony"])
    if math.isnan(mono) and len(set(loads)) == 1:
        mono = math.inf  # identical non-zero loads: maximally monotonous (science.md 3.3)
    return {"week_load": float(m["acute_load"]) * 7, "monotony": mono, "strain": float(m["strain"])}


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


def _week_html(n: dict[str, float]) -> str:
    limit = load_chart_references().monotony_high
    if n["week_load"] == 0:
        return '<p class="hl-lesson-summary" aria-live="polite">A week without training has no monotony.</p>'
    mono = "very high (every day the same)" if math.isinf(n["monotony"]) else f"{n['monotony']:.2f}"
    strain = "very high" if math.isinf(n["monotony"]) else f"{n['strain']:.0f} AU"
    above = (math.isinf(n["monotony"]) or n["monotony"] > limit.value)
    flag = (f" Above {limit.value:g}, the heuristic the cause model uses for a monotonous week."
            if above else f" At or below {limit.value:g}, the heuristic the cause model uses.")
    return (f'<p class="hl-lesson-summary" aria-live="polite">Weekly load <strong>{n["week_load"]:.0f} AU'
            f"</strong>, monotony <strong>{esc(mono)}</strong>, strain <strong>{esc(strain)}</strong>."
            f"{esc(flag)}</p>")


def week_app(week: str = "hard/easy week") -> widgets.VBox:
    """A preset dropdown and one slider per day; monotony and strain follow every change."""
    errors = ErrorBox()
    preset = widgets.Dropdown(options=list(WEEKS), value=week, description="Start from",
                              style={"description_width": "initial"})
    sliders = [widgets.IntSlider(value=int(v), min=0, max=600, step=10, description=f"{d} (AU)",
                                 continuous_update=False) for d, v in zip(DAYS, WEEKS[week], strict=True)]
    chart = offline_chart(week_chart(WEEKS[week], week))
    summary = widgets.HTML(_week_html(week_numbers(WEEKS[week])))
    busy = {"preset": False}

    @reports_errors(errors)
    def on_day(_change: dict) -> None:
        if busy["preset"]:
            return
        loads = [s.value for s in sliders]
        chart.chart = week_chart(loads, "Your week")
        summary.value = _week_html(week_numbers(loads))

    @reports_errors(errors)
    def on_preset(change: dict) -> None:
        busy["preset"] = True
        try:
            for s, v in zip(sliders, WEEKS[change["new"]], strict=True):
                s.value = int(v)
        finally:
            busy["preset"] = False
        chart.chart = week_chart(WEEKS[change["new"]], change["new"])
        summary.value = _week_html(week_numbers(WEEKS[change["new"]]))

    preset.observe(on_preset, names="value")
    for s in sliders:
        s.observe(on_day, names="value")
    days = widgets.Box(sliders, layout=widgets.Layout(display="flex", flex_flow="row wrap"))
    return mark_ready(app_root([preset, days, summary, chart, errors, widgets.HTML(note_html())],
                               name="lesson-week"))


def athlete_data(participant: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions per week by intensity, and weekly monotony and strain, of a PMData participant."""
    from heavylegs_core.domain.records import with_loads
    from heavylegs_core.io.pmdata import read_srpe

    if participant not in ATHLETES:
        raise ValueError(f"unknown participant {participant!r}; choose one of {ATHLETES}")
    sessions = with_loads(read_srpe(pmdata_file(participant, "srpe.csv")))
    return intensity_per_week(sessions), weekly_monotony_strain(daily_metrics(sessions))


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


def athlete_app(participant: str = "p02") -> widgets.VBox:
    """A real athlete's intensity mix and weekly monotony; a dropdown picks the participant."""
    errors = ErrorBox()
    pick = widgets.Dropdown(options=ATHLETES, value=participant, description="PMData athlete",
                            style={"description_width": "initial"})
    chart = offline_chart(athlete_chart(participant))

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        chart.chart = athlete_chart(change["new"])

    pick.observe(on_pick, names="value")
    return mark_ready(app_root([pick, chart, errors, widgets.HTML(note_html(PMDATA_ATTRIBUTION))],
                               name="lesson-athlete"))


def intensity_shares(participant: str) -> dict[str, float]:
    """Share (0-1) of a participant's sessions with known RPE that were easy, moderate and hard."""
    mix, _ = athlete_data(participant)
    counts = {k: float(mix[f"n_{k}"].sum()) for k in ("easy", "moderate", "hard")}
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()}


def _facts() -> dict[str, str]:
    he, mod, fos = (week_numbers(WEEKS[k]) for k in WEEKS)
    shares = intensity_shares("p02")
    return {
        "week_total": f"{he['week_load']:.0f} AU",
        "he_monotony": f"{he['monotony']:.2f}",
        "he_strain": f"{he['strain']:.0f} AU",
        "mod_monotony": f"{mod['monotony']:.2f}",
        "mod_strain": f"{mod['strain']:.0f} AU",
        "foster_monotony": f"{fos['monotony']:.2f}",
        "foster_strain": f"{fos['strain']:.0f} AU",
        "p02_moderate": f"{shares['moderate'] * 100:.0f} %",
        "p02_hard": f"{shares['hard'] * 100:.0f} %",
        "moderate_rpe": f"{MODERATE_MIN_RPE:.0f}",
        "hard_rpe": f"{HARD_MIN_RPE:.0f}",
    }


FACTS: dict[str, str] = _facts()
"""Every number lesson 3 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "Two weeks have the same total load. One alternates hard and easy days, the other has a moderate session "
        "every day. Which has the higher monotony?",
        ("The hard/easy week", "The moderate week", "They are equal, because the totals are equal"),
        1,
        f"Monotony is the daily mean divided by the day-to-day SD: the moderate week varies little, so its "
        f"monotony is {FACTS['mod_monotony']} against {FACTS['he_monotony']}.",
    ),
    Question(
        "What is strain?",
        ("The weekly load multiplied by monotony", "The hardest session of the week",
         "The weekly load divided by the chronic load"),
        0,
        "Foster defined strain as the weekly load times monotony, so the same load done monotonously counts "
        "for more.",
    ),
    Question(
        "Why might 'too many moderate sessions' leave the legs heavy?",
        ("Moderate sessions burn no glycogen",
         "Easy days are not easy enough to recover, and hard days cannot be hard enough",
         "Moderate sessions do not count as training"),
        1,
        "A grey zone of moderate days removes the contrast between hard and easy: recovery never completes and "
        "monotony rises.",
    ),
)


def quiz_app() -> widgets.VBox:
    """Lesson 3's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
