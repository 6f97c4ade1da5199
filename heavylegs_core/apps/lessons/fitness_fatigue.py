"""Lesson 1: fitness, fatigue and form (the Banister impulse-response model).

Apps: :func:`block_app` (sliders for the time constants and a training block),
:func:`athlete_app` (CTL, ATL and TSB of a real PMData athlete) and
:func:`quiz_app`. ``FACTS`` holds every number the lesson's text states,
computed with :mod:`heavylegs_core.domain.metrics` (science.md section 1).
"""

from __future__ import annotations

import math

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from heavylegs_core.apps.lessons import PMDATA_ATTRIBUTION, Question, note_html
from heavylegs_core.apps.lessons import quiz_app as _quiz_app
from heavylegs_core.base.paths import pmdata_file, pmdata_participants
from heavylegs_core.domain.metrics import (
    ATL_DAYS,
    CTL_DAYS,
    KMode,
    daily_metrics,
    decay_constant,
    fitness_fatigue,
)
from heavylegs_core.views import theme
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.charts import inline_csv
from heavylegs_core.views.html import esc
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors

SERIES_COLOURS = {"fitness (CTL)": theme.ACCENT, "fatigue (ATL)": theme.WARN, "form (TSB)": "#3aa6a0"}

# The default block of the lesson's simulator.
DEFAULT_LOAD = 60.0       # AU/day during the block
DEFAULT_BLOCK_DAYS = 42   # days of the block
DEFAULT_AFTER_SHARE = 0.3  # daily load after the block, as a share of the block's load
AFTER_DAYS = 28           # days shown after the block
REAL_ATHLETE = "p02"      # the PMData participant with the most sRPE sessions in the bundled subset


def days_to_share(tau_days: float, share: float = 0.95, *, k_mode: KMode = "exp") -> int:
    """Days of a constant load (any AU/day) until the recursion reaches ``share`` of that load (days).

    Starts from 0 the day before the first loaded day (GoldenCheetah semantics).
    """
    if not 0 < share < 1:
        raise ValueError(f"share must be between 0 and 1, got {share!r}")
    # Long enough for any share below 1 - 1e-9 with tau up to a few hundred days.
    n = math.ceil(tau_days * 25) + 1
    values = fitness_fatigue(np.ones(n), tau_days, k_mode=k_mode)
    hit = np.flatnonzero(values >= share)
    if len(hit) == 0:
        raise ValueError(f"share {share} not reached within {n} days")
    return int(hit[0]) + 1


def half_life(tau_days: float, *, k_mode: KMode = "exp") -> float:
    """Days until the effect of one day's load has halved (days): ln 0.5 / ln(1 - k)."""
    return math.log(0.5) / math.log(1.0 - decay_constant(tau_days, k_mode))


def simulate_block(load: float = DEFAULT_LOAD, block_days: int = DEFAULT_BLOCK_DAYS,
                   after_share: float = DEFAULT_AFTER_SHARE, *, tau_fitness: float = CTL_DAYS,
                   tau_fatigue: float = ATL_DAYS, after_days: int = AFTER_DAYS) -> pd.DataFrame:
    """CTL, ATL and TSB for a block of constant daily load followed by an easier period.

    ``load`` is AU/day during ``block_days`` days; after the block the daily load
    is ``after_share`` x ``load`` for ``after_days`` days. Both recursions start at
    0 the day before day 0. Returns one row per day: ``day`` (0-based), ``load``
    (AU), ``ctl`` and ``atl`` (AU/day, time constants ``tau_fitness`` and
    ``tau_fatigue`` in days) and ``tsb`` (AU/day, CTL - ATL of the previous day,
    0 on day 0, as in the daily metrics table).
    """
    if load < 0 or not 0 <= after_share <= 1:
        raise ValueError("load must be >= 0 AU and after_share between 0 and 1")
    if block_days < 1 or after_days < 0:
        raise ValueError("block_days must be >= 1 and after_days >= 0")
    if tau_fatigue >= tau_fitness:
        raise ValueError("the fatigue time constant must be shorter than the fitness time constant")
    daily = np.concatenate((np.full(block_days, float(load)), np.full(after_days, float(load) * after_share)))
    ctl = fitness_fatigue(daily, tau_fitness)
    atl = fitness_fatigue(daily, tau_fatigue)
    tsb = np.concatenate(([0.0], (ctl - atl)[:-1]))
    return pd.DataFrame({"day": np.arange(len(daily)), "load": daily, "ctl": ctl, "atl": atl, "tsb": tsb})


def block_summary(sim: pd.DataFrame, block_days: int) -> dict[str, float | int | None]:
    """Key numbers of :func:`simulate_block`: CTL and TSB at the block's end (AU/day), lowest TSB
    (AU/day), and the first day after the block with positive form (days after the block; None if never)."""
    end = sim.iloc[block_days - 1]
    after = sim[(sim["day"] >= block_days) & (sim["tsb"] > 0)]
    return {
        "ctl_end": float(end["ctl"]),
        "tsb_end": float(sim.iloc[min(block_days, len(sim) - 1)]["tsb"]),
        "tsb_min": float(sim["tsb"].min()),
        "fresh_after": int(after["day"].iloc[0] - block_days + 1) if len(after) else None,
    }


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


def _summary_html(summary: dict[str, float | int | None]) -> str:
    fresh = ("form turns positive on day "
             f"{summary['fresh_after']} after the block" if summary["fresh_after"] is not None
             else "form stays negative in the 4 weeks shown")
    return (f'<p class="hl-lesson-summary" aria-live="polite">At the end of the block fitness is '
            f"<strong>{summary['ctl_end']:.1f} AU/day</strong>; the next day form is "
            f"<strong>{summary['tsb_end']:.1f} AU/day</strong> (lowest {summary['tsb_min']:.1f}); "
            f"{esc(fresh)}.</p>")


def block_app() -> widgets.VBox:
    """Sliders for the two time constants and a training block; the chart and summary follow them."""
    errors = ErrorBox()
    style = {"description_width": "14em"}
    lay = widgets.Layout(width="min(100%, 34em)")
    tau_fit = widgets.IntSlider(value=CTL_DAYS, min=14, max=70, description="Fitness time constant (days)",
                                style=style, layout=lay)
    tau_fat = widgets.IntSlider(value=ATL_DAYS, min=2, max=13, description="Fatigue time constant (days)",
                                style=style, layout=lay)
    load = widgets.IntSlider(value=int(DEFAULT_LOAD), min=10, max=150, step=5,
                             description="Block load (AU/day)", style=style, layout=lay)
    weeks = widgets.IntSlider(value=DEFAULT_BLOCK_DAYS // 7, min=1, max=16, description="Block length (weeks)",
                              style=style, layout=lay)
    after = widgets.IntSlider(value=int(DEFAULT_AFTER_SHARE * 100), min=0, max=100, step=10,
                              description="Load after the block (%)", style=style, layout=lay)

    def build() -> tuple[alt.LayerChart, str]:
        days = weeks.value * 7
        sim = simulate_block(load.value, days, after.value / 100, tau_fitness=tau_fit.value,
                             tau_fatigue=tau_fat.value)
        chart = pmc_chart(sim, title="A training block and what follows",
                          subtitle=f"{days} days at {load.value} AU/day, then {after.value} % of it")
        return chart, _summary_html(block_summary(sim, days))

    first_chart, first_text = build()
    chart = offline_chart(first_chart)
    summary = widgets.HTML(first_text)

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        new_chart, text = build()
        chart.chart = new_chart
        summary.value = text

    for w in (tau_fit, tau_fat, load, weeks, after):
        w.observe(on_change, names="value")
    root = app_root([tau_fit, tau_fat, load, weeks, after, summary, chart, errors, widgets.HTML(note_html())],
                    name="lesson-block")
    return mark_ready(root)


def athlete_metrics(participant: str) -> pd.DataFrame:
    """The daily metrics table of one bundled PMData participant (sRPE sessions and wellness sleep)."""
    from heavylegs_core.domain.records import with_loads
    from heavylegs_core.io.pmdata import read_srpe, read_wellness_sleep

    if participant not in pmdata_participants():
        raise ValueError(f"unknown PMData participant {participant!r}")
    sessions = with_loads(read_srpe(pmdata_file(participant, "srpe.csv")))
    nights = read_wellness_sleep(pmdata_file(participant, "wellness.csv"))
    return daily_metrics(sessions, nights)


def athlete_chart(participant: str) -> alt.LayerChart:
    """CTL, ATL and TSB of a PMData participant from the package's daily metrics table."""
    m = athlete_metrics(participant)
    return pmc_chart(m[["date", "load", "ctl", "atl", "tsb"]], x="date",
                     title=f"Fitness, fatigue and form of PMData {participant}",
                     subtitle="sRPE load (AU); τ = 42 and 7 days")


def athlete_app(participant: str = REAL_ATHLETE) -> widgets.VBox:
    """The same three curves on a real athlete; a dropdown picks the participant."""
    errors = ErrorBox()
    pick = widgets.Dropdown(options=pmdata_participants(), value=participant, description="PMData athlete",
                            style={"description_width": "initial"})
    chart = offline_chart(athlete_chart(participant))

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        chart.chart = athlete_chart(change["new"])

    pick.observe(on_pick, names="value")
    root = app_root([pick, chart, errors, widgets.HTML(note_html(PMDATA_ATTRIBUTION))], name="lesson-athlete")
    return mark_ready(root)


def _facts() -> dict[str, str]:
    sim = simulate_block()
    s = block_summary(sim, DEFAULT_BLOCK_DAYS)
    real = athlete_metrics(REAL_ATHLETE)
    peak = real.loc[real["ctl"].idxmax()]
    return {
        "k_ctl": f"{decay_constant(CTL_DAYS):.4f}",
        "k_atl": f"{decay_constant(ATL_DAYS):.4f}",
        "ctl_95_exp": f"{days_to_share(CTL_DAYS):d} days",
        "ctl_95_inverse": f"{days_to_share(CTL_DAYS, k_mode='inverse'):d} days",
        "atl_95": f"{days_to_share(ATL_DAYS):d} days",
        "ctl_half_life": f"{half_life(CTL_DAYS):.0f} days",
        "atl_half_life": f"{half_life(ATL_DAYS):.0f} days",
        "block_ctl_end": f"{s['ctl_end']:.0f} AU/day",
        "block_tsb_end": f"{s['tsb_end']:.0f} AU/day",
        "block_fresh_after": f"{s['fresh_after']} days",
        "real_ctl_peak": f"{peak['ctl']:.0f} AU/day",
        "real_ctl_peak_month": f"{peak['date']:%B %Y}",
    }


FACTS: dict[str, str] = _facts()
"""Every number lesson 1 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "An athlete trains at the same daily load for three weeks. Which curve is closer to that load?",
        ("Fitness (CTL)", "Fatigue (ATL)", "Both are equally close"),
        1,
        f"Fatigue has the short time constant (7 days), so it reaches 95 % of a steady load in about "
        f"{FACTS['atl_95']}; fitness needs about {FACTS['ctl_95_exp']}.",
    ),
    Question(
        "After a hard block the athlete cuts the load sharply. What happens to form (TSB) over the next days?",
        ("It falls further", "It rises, because fatigue drops faster than fitness",
         "It stays the same until fitness has dropped"),
        1,
        "Fatigue forgets quickly and fitness slowly, so the gap CTL − ATL closes and turns positive: "
        "this is the idea behind a taper.",
    ),
    Question(
        "What does a CTL of 50 AU/day mean?",
        ("The athlete is 50 % fit", "A weighted average of recent daily load of about 50 AU",
         "The athlete can train 50 minutes without fatigue"),
        1,
        "CTL is an exponentially weighted average of daily load in the load's own units; it is not a "
        "measured physiological quantity and cannot be compared across load sources.",
    ),
)


def quiz_app() -> widgets.VBox:
    """Lesson 1's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
