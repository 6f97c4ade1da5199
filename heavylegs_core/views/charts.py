"""Chart builders: small functions that take tidy frames and return Altair charts.

Domain maths stays in pandas (tested), display-only transforms stay in
Vega-Lite. Every chart uses the registered ``heavylegs`` theme; thresholds come
from the knowledge base or the profile, never from chart code.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Literal

import altair as alt
import pandas as pd

from heavylegs_core.domain.history import empty_assessments, empty_ratings
from heavylegs_core.domain.metrics import (
    BREAK_DAYS,
    CHRONIC_DAYS,
    HARD_MIN_RPE,
    INTENSITY_CLASSES,
    MODERATE_MIN_RPE,
    SHORT_NIGHT_H,
    intensity_class,
)
from heavylegs_core.knowledge.chart_references import ChartReferences
from heavylegs_core.views import theme
from heavylegs_core.views.chart_options import (
    ACWR_KINDS,
    ACWR_LABELS,
    KM_PER_MILE,
    UNITS,
)

__all__ = [
    "ACWR_KINDS", "INTENSITY_CLASSES", "KM_PER_MILE", "LOAD_PERIODS", "MAX_WEEKLY_BARS", "RESOLUTIONS", "UNITS",
    "DashboardData", "acwr_chart", "assessments_for", "choose_resolution", "dashboard_chart", "dashboard_data",
    "frame_columns", "inline_csv", "intensity_chart", "intensity_per_week", "load_by_sport", "load_chart",
    "load_per_period", "load_period", "monotony_strain_chart", "overview_chart", "period_load_chart", "ratings_for",
    "resample_timeline", "sleep_chart", "tsb_chart", "weekly_load", "weekly_load_chart", "weekly_monotony_strain",
]


LoadPeriod = Literal["week", "month"]
LOAD_PERIODS: tuple[str, ...] = ("week", "month")
#: A history load chart spanning more weeks than this draws one bar per month: about 520 weekly
#: bars (10 years) on a 700 px chart would be ~1 px each, and the data sent would grow with them.
MAX_WEEKLY_BARS = 104


def load_per_period(sessions: pd.DataFrame, period: LoadPeriod = "week") -> pd.DataFrame:
    """Training load summed per ISO week (Monday start) or per calendar month, and sport.

    Input: canonical sessions with ``date``, ``sport``, ``load`` (arbitrary units) and
    ``duration_min``. Output columns: ``start`` (the period's Monday or first day of
    the month, datetime), ``sport``, ``load`` (AU, the period's total), ``sessions``
    (count), ``minutes`` (sum of ``duration_min``). Every session counts in exactly one
    row, so the totals over all rows equal the sessions' totals.
    """
    _check(period, LOAD_PERIODS, "load period")
    if sessions.empty:
        return pd.DataFrame(columns=["start", "sport", "load", "sessions", "minutes"])
    day = sessions["date"].dt.normalize()
    start = day - pd.to_timedelta(day.dt.day_of_week, unit="D") if period == "week" else \
        day - pd.to_timedelta(day.dt.day - 1, unit="D")
    return (
        sessions.assign(start=start)
        .groupby(["start", "sport"], as_index=False)
        .agg(load=("load", "sum"), sessions=("load", "size"), minutes=("duration_min", "sum"))
        .sort_values(["start", "sport"], kind="stable")
        .reset_index(drop=True)
    )


def load_period(sessions: pd.DataFrame) -> LoadPeriod:
    """``"week"`` when the sessions span at most :data:`MAX_WEEKLY_BARS` ISO weeks, else ``"month"``."""
    if sessions.empty:
        return "week"
    first, last = sessions["date"].min(), sessions["date"].max()
    weeks = ((last.normalize() - pd.Timedelta(days=last.day_of_week))
             - (first.normalize() - pd.Timedelta(days=first.day_of_week))).days // 7 + 1
    return "week" if weeks <= MAX_WEEKLY_BARS else "month"


def weekly_load(sessions: pd.DataFrame) -> pd.DataFrame:
    """Training load summed per ISO week (Monday start) and sport.

    Input: canonical sessions with ``date`` and ``load`` (arbitrary units).
    Output columns: ``week`` (Monday, datetime), ``sport``, ``load`` (AU),
    ``sessions`` (count), ``minutes`` (sum of ``duration_min``).
    """
    return load_per_period(sessions, "week").rename(columns={"start": "week"})


def weekly_load_chart(weekly: pd.DataFrame, *, title: str = "Weekly training load") -> alt.Chart:
    """Stacked bars of weekly load (AU) coloured by sport, with tooltips.

    ``weekly`` is the output of :func:`weekly_load`.
    """
    return period_load_chart(weekly.rename(columns={"week": "start"}), "week", title=title)


def period_load_chart(per_period: pd.DataFrame, period: LoadPeriod, *, title: str | None = None) -> alt.Chart:
    """Stacked bars of load (AU) per week or per month, coloured by sport, with tooltips.

    ``per_period`` is the output of :func:`load_per_period` for ``period``. The data is
    sent as inline CSV (dates as UTC days; a few times smaller than JSON records).
    """
    _check(period, LOAD_PERIODS, "load period")
    unit, name, fmt = ("utcyearweek", "Week", "%d %b") if period == "week" else ("utcyearmonth", "Month", "%b %Y")
    title = title or f"{name}ly training load"
    return (
        alt.Chart(inline_csv(per_period[["start", "sport", "load", "sessions", "minutes"]]),
                  title=alt.Title(title, subtitle=f"Session load (RPE × minutes; else heart-rate TRIMP; else "
                                                  f"minutes), summed per {name.lower()}"))
        .mark_bar(width=alt.RelativeBandSize(0.85))
        .encode(
            # a period-long band per bar (a plain temporal axis would draw hairline bars)
            x=alt.X("start:T", timeUnit=unit, title=f"{name} starting", axis=alt.Axis(format=fmt)),
            y=alt.Y("sum(load):Q", title="Load (AU)"),
            color=alt.Color("sport:N", title="Sport", scale=theme.sport_scale()),
            tooltip=[
                alt.Tooltip("start:T", timeUnit="utcyearmonthdate", title=f"{name} of",
                            format="%d %b %Y" if period == "week" else "%B %Y"),
                alt.Tooltip("sport:N", title="Sport"),
                alt.Tooltip("load:Q", title="Load (AU)", format=",.0f"),
                alt.Tooltip("sessions:Q", title="Sessions"),
                alt.Tooltip("minutes:Q", title="Minutes", format=",.0f"),
            ],
        )
        .properties(width="container")
    )


# ---------------------------------------------------------------------------
# The load and sleep dashboard (issue #7)
# ---------------------------------------------------------------------------

AcwrKind = Literal["coupled", "uncoupled", "ewma"]
Unit = Literal["km", "mi"]
Resolution = Literal["day", "week"]
RESOLUTIONS: tuple[str, ...] = ("day", "week")
#: Histories longer than this many days are drawn as weekly values (the browser stays
#: responsive and the page small); the summary table always uses the daily table.
MAX_DAILY_DAYS = 731
INTENSITY_LABELS: dict[str, str] = {
    "easy": f"easy (RPE < {MODERATE_MIN_RPE:g})",
    "moderate": f"moderate (RPE {MODERATE_MIN_RPE:g}–<{HARD_MIN_RPE:g})",
    "hard": f"hard (RPE ≥ {HARD_MIN_RPE:g})",
    "RPE unknown": "RPE unknown",
}
INK = "#111827"
_INTENSITY_SCALE = alt.Scale(domain=list(INTENSITY_CLASSES), range=["#7fb3d5", theme.ACCENT, theme.WARN, "#d1d5db"])
BRUSH = "period"


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}: choose one of {', '.join(allowed)}")


def choose_resolution(n_days: int) -> Resolution:
    """``"day"`` for histories up to :data:`MAX_DAILY_DAYS` days, else ``"week"``."""
    return "day" if n_days <= MAX_DAILY_DAYS else "week"


def _week_start(dates: pd.Series) -> pd.Series:
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def resample_timeline(metrics: pd.DataFrame, resolution: Resolution, *, unit: Unit = "km") -> pd.DataFrame:
    """The dashboard's time line: the daily metrics table, per day or per ISO week.

    Input: the daily metrics table (:func:`heavylegs_core.domain.metrics.daily_metrics`).
    Output, one row per day (``resolution="day"``) or per week starting Monday
    (``"week"``): ``date`` (day or week start), ``load`` (AU/day; per week the
    mean daily load, so it shares the axis with CTL/ATL), ``ctl``, ``atl``,
    ``tsb`` (AU/day; per week the means), ``acwr_coupled``, ``acwr_uncoupled``,
    ``acwr_ewma`` (ratios; per week the means of the days with a value; empty on
    days whose ratio is not meaningful, ``acwr_meaningful`` false in the daily
    table), ``acwr_break`` (1 on a day, or a week, whose ratios are all not
    meaningful because the 28-day window holds a break of 10 or more days
    without load; else 0),
    ``sleep_h`` (h; per week the mean of the nights with data), ``sleep_min``
    (h; the shortest night), ``nights`` (nights with data), ``short_nights``
    (nights under :data:`heavylegs_core.domain.metrics.SHORT_NIGHT_H` h),
    ``sleep_7d_mean`` (h; per week the mean of the week's nights),
    ``sleep_need_h`` (h), ``distance`` (run distance in ``unit``; per week the
    total), ``days`` (calendar days in the row). Values are rounded for display
    (loads 0.1 AU, ratios 0.01, hours 0.01).
    """
    _check(resolution, RESOLUTIONS, "resolution")
    _check(unit, UNITS, "unit")
    m = metrics
    per = 1.0 if unit == "km" else 1.0 / KM_PER_MILE
    flag = m["acwr_meaningful"] if "acwr_meaningful" in m.columns else pd.Series(pd.NA, index=m.index,
                                                                                 dtype="boolean")
    flag = flag.astype("boolean")
    after_break = (~flag).fillna(False).to_numpy(dtype=bool)
    meaningful = flag.fillna(False).to_numpy(dtype=bool)
    day = pd.DataFrame({
        "date": m["date"], "load": m["load"], "ctl": m["ctl"], "atl": m["atl"], "tsb": m["tsb"],
        "acwr_coupled": m["acwr_coupled"].where(~after_break), "acwr_uncoupled": m["acwr_uncoupled"].where(~after_break),
        "acwr_ewma": m["acwr_ewma"].where(~after_break), "acwr_break": after_break.astype("float64"),
        "acwr_ok": meaningful.astype("float64"),
        "sleep_h": m["sleep_h"], "sleep_min": m["sleep_h"], "nights": m["sleep_h"].notna().astype("int64"),
        "short_nights": (m["sleep_h"] < SHORT_NIGHT_H).astype("int64"), "sleep_7d_mean": m["sleep_7d_mean"],
        "sleep_need_h": m["sleep_need_h"], "distance": m["run_km"] * per, "days": 1,
    })
    if resolution == "week":
        day = (day.assign(date=_week_start(day["date"])).groupby("date", as_index=False)
               .agg(load=("load", "mean"), ctl=("ctl", "mean"), atl=("atl", "mean"), tsb=("tsb", "mean"),
                    acwr_coupled=("acwr_coupled", "mean"), acwr_uncoupled=("acwr_uncoupled", "mean"),
                    acwr_ewma=("acwr_ewma", "mean"), acwr_break=("acwr_break", "max"), acwr_ok=("acwr_ok", "max"),
                    sleep_h=("sleep_h", "mean"), sleep_min=("sleep_min", "min"),
                    nights=("nights", "sum"), short_nights=("short_nights", "sum"),
                    sleep_need_h=("sleep_need_h", "last"), distance=("distance", "sum"), days=("days", "sum")))
        day["sleep_7d_mean"] = day["sleep_h"]
        day["acwr_break"] = day["acwr_break"] * (1.0 - day["acwr_ok"])  # only weeks without a meaningful day
    day = day.drop(columns="acwr_ok")
    for cols, digits in ((["load", "ctl", "atl", "tsb"], 1), (["acwr_coupled", "acwr_uncoupled", "acwr_ewma"], 2),
                         (["sleep_h", "sleep_min", "sleep_7d_mean", "sleep_need_h", "distance"], 2)):
        day[cols] = day[cols].astype("float64").round(digits)
    return day.reset_index(drop=True)


def load_by_sport(sessions: pd.DataFrame, resolution: Resolution) -> pd.DataFrame:
    """Load per sport and day, or per sport and week as the mean daily load (AU/day).

    Input: canonical sessions with ``date``, ``sport`` and ``load`` (AU).
    Output (wide): ``date`` (day or week start) and one column ``load_<sport>``
    (AU/day, 0.1) per sport present, in :data:`heavylegs_core.views.theme.SPORT_COLOURS`
    order; 0 where that sport has no load.
    """
    _check(resolution, RESOLUTIONS, "resolution")
    s = sessions.loc[sessions["load"].notna(), ["date", "sport", "load"]]
    s = s.assign(sport=s["sport"].where(s["sport"].isin(list(theme.SPORT_COLOURS)), "other"))
    if resolution == "week":
        s = s.assign(date=_week_start(s["date"]), load=s["load"] / 7.0)
    wide = s.pivot_table(index="date", columns="sport", values="load", aggfunc="sum", fill_value=0.0)
    wide = wide[[c for c in theme.SPORT_COLOURS if c in wide.columns]].round(1)
    wide.columns = [f"load_{c}" for c in wide.columns]
    return wide.reset_index()


def weekly_monotony_strain(metrics: pd.DataFrame) -> pd.DataFrame:
    """Foster monotony (ratio) and strain (AU) of each calendar week (Monday to Sunday).

    The daily table's 7-day values taken on each Sunday, i.e. over that
    Monday-Sunday week (ddof = 1; empty for an even week or a week without a
    full 7 days of load history). Output: ``date`` (the Monday), ``monotony``
    (0.01), ``strain`` (AU, 1), ``week_load`` (AU, the week's total).
    """
    m = metrics.loc[metrics["date"].dt.day_of_week == 6, ["date", "monotony", "strain"]]
    week_load = metrics.assign(date=_week_start(metrics["date"])).groupby("date")["load"].sum(min_count=1)
    out = pd.DataFrame({"date": m["date"] - pd.Timedelta(days=6), "monotony": m["monotony"].round(2),
                        "strain": m["strain"].round(0)})
    out["week_load"] = out["date"].map(week_load).round(0)
    return out.reset_index(drop=True)


def intensity_per_week(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions per week by intensity class from their CR-10 RPE.

    Classes (:data:`INTENSITY_CLASSES`): easy (RPE below
    ``metrics.MODERATE_MIN_RPE``), moderate, hard (RPE at least
    ``metrics.HARD_MIN_RPE``), and "RPE unknown" so that no session is hidden.
    Output (wide): ``date`` (the Monday) and the session counts ``n_easy``,
    ``n_moderate``, ``n_hard``, ``n_unknown``.
    """
    cols = [_intensity_col(k) for k in INTENSITY_CLASSES]
    if sessions.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                             **{c: pd.Series(dtype="int64") for c in cols}})
    df = pd.DataFrame({"date": _week_start(sessions["date"]), "intensity": intensity_class(sessions["rpe"])})
    wide = pd.crosstab(df["date"], df["intensity"]).reindex(columns=list(INTENSITY_CLASSES), fill_value=0)
    wide.columns = cols
    return wide.reset_index().rename_axis(columns=None)


def _intensity_col(cls: str) -> str:
    return "n_unknown" if cls == "RPE unknown" else f"n_{cls}"


def ratings_for(ratings: pd.DataFrame, resolution: Resolution) -> pd.DataFrame:
    """Heavy-legs ratings (0-10) per day, or per week as the mean with a count.

    Output: ``date`` (day or week start), ``heavy_legs`` (0.1), ``ratings`` (count).
    """
    _check(resolution, RESOLUTIONS, "resolution")
    r = ratings.loc[ratings["heavy_legs"].notna(), ["date", "heavy_legs"]]
    if resolution == "week":
        r = r.assign(date=_week_start(r["date"]))
    out = r.groupby("date", as_index=False).agg(heavy_legs=("heavy_legs", "mean"), ratings=("heavy_legs", "size"))
    return out.round({"heavy_legs": 1})


def assessments_for(assessments: pd.DataFrame, resolution: Resolution) -> pd.DataFrame:
    """Saved assessments per day or week: ``date`` and ``assessment`` (the notes, joined by "; ")."""
    _check(resolution, RESOLUTIONS, "resolution")
    a = assessments.loc[:, ["date", "note"]]
    if resolution == "week":
        a = a.assign(date=_week_start(a["date"]))
    out = a.groupby("date", as_index=False)["note"].agg(lambda notes: "; ".join(dict.fromkeys(map(str, notes))))
    return out.rename(columns={"note": "assessment"})


@dataclass(frozen=True)
class DashboardData:
    """What the dashboard draws: ONE frame (one row per day or week) and how it was made.

    ``frame`` holds :func:`resample_timeline` joined with :func:`load_by_sport`,
    :func:`ratings_for`, :func:`assessments_for`, :func:`weekly_monotony_strain` and
    :func:`intensity_per_week` on ``date`` (weekly values sit on the week's
    Monday). ``sports`` lists the ``load_<sport>`` columns present.
    """

    frame: pd.DataFrame
    sports: tuple[str, ...]
    resolution: Resolution
    unit: Unit


def dashboard_data(metrics: pd.DataFrame, sessions: pd.DataFrame, ratings: pd.DataFrame | None = None, *,
                   unit: Unit = "km", resolution: Resolution | None = None,
                   assessments: pd.DataFrame | None = None) -> DashboardData:
    """Everything the dashboard draws, aggregated for the browser in one frame.

    ``resolution`` defaults to :func:`choose_resolution` of the history length,
    so 10 years of daily data become about 520 weekly rows. Sessions and
    ratings outside the metrics table's days are left out.
    """
    res = resolution or choose_resolution(len(metrics))
    r = empty_ratings() if ratings is None else ratings
    a = empty_assessments() if assessments is None else assessments
    frame = resample_timeline(metrics, res, unit=unit)
    sport = load_by_sport(sessions, res)
    parts = [sport, ratings_for(r, res), assessments_for(a, res), weekly_monotony_strain(metrics),
             intensity_per_week(sessions)]
    for part in parts:
        frame = frame.merge(part, on="date", how="left")
    sports = tuple(c.removeprefix("load_") for c in sport.columns if c.startswith("load_"))
    return DashboardData(frame=frame, sports=sports, resolution=res, unit=unit)


def frame_columns(data: DashboardData, acwr_kind: AcwrKind) -> list[str]:
    """The columns of ``data.frame`` the dashboard sends to the browser (nothing unused)."""
    _check(acwr_kind, ACWR_KINDS, "ACWR kind")
    cols = ["date", "load", "ctl", "atl", "tsb", f"acwr_{acwr_kind}", "acwr_break", "sleep_h", "sleep_min",
            "short_nights", "distance"]
    if data.resolution == "day":
        cols.append("sleep_7d_mean")
    cols += [f"load_{s}" for s in data.sports]
    cols += ["heavy_legs", "ratings", "assessment", "monotony", "strain", "week_load"]
    return cols + [_intensity_col(k) for k in INTENSITY_CLASSES]


Frame = pd.DataFrame | None


def inline_csv(df: pd.DataFrame) -> alt.InlineData:
    """``df`` as inline CSV data for Vega-Lite, typed explicitly (a few times smaller than JSON records).

    Date columns become ``YYYY-MM-DD`` parsed as UTC days (so the browser's time
    zone never moves a day and the brush reports exact UTC timestamps);
    numeric columns are parsed as numbers, missing values as empty cells
    (null); other columns stay text. No row limit applies to inline data.
    """
    out = df.copy()
    parse: dict[str, str] = {}
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
            parse[col] = "utc:'%Y-%m-%d'"
        elif pd.api.types.is_numeric_dtype(out[col]):
            parse[col] = "number"
    text = out.to_csv(index=False, lineterminator="\n", na_rep="")
    return alt.InlineData(values=text, format=alt.CsvDataFormat(type="csv", parse=parse))


def _data(df: Frame) -> dict:
    """Chart keyword for ``df``: inline CSV, or nothing so that the chart inherits its parent's data."""
    return {} if df is None else {"data": inline_csv(df)}


def _x(brush: alt.Parameter | None, *, title: str | None = None) -> alt.X:
    scale = alt.Scale(type="utc", domain=brush) if brush is not None else alt.Scale(type="utc")
    return alt.X("date:T", title=title, axis=alt.Axis(format="%b %Y", labelOverlap=True), scale=scale)


def _date_tip(resolution: Resolution, *, week: bool = False) -> alt.Tooltip:
    title = "Week of" if week or resolution == "week" else "Day"
    return alt.Tooltip("date:T", timeUnit="utcyearmonthdate", title=title, format="%a %d %b %Y")


def _per(resolution: Resolution) -> str:
    return "weekly means" if resolution == "week" else "daily"


def overview_chart(frame: Frame, *, brush: alt.Parameter | None = None) -> alt.Chart:
    """The whole history as a small area of fitness (CTL, AU/day), carrying the date brush.

    ``frame`` is ``DashboardData.frame`` (or :func:`resample_timeline` output),
    or None to use the parent chart's data (as in :func:`dashboard_chart`).
    """
    chart = (
        alt.Chart(title=alt.Title("Whole history: drag across it to pick a period",
                                  subtitle="Fitness (CTL, AU/day). The charts below and the summary table "
                                           "follow the period you pick; double-click to reset"),
                  **_data(frame))
        .mark_area(opacity=0.5, line=True)
        .encode(x=_x(None), y=alt.Y("ctl:Q", title="CTL", axis=alt.Axis(tickCount=2)),
                tooltip=[alt.Tooltip("date:T", timeUnit="utcyearmonthdate", title="Date", format="%d %b %Y"),
                         alt.Tooltip("ctl:Q", title="Fitness, CTL (AU/day)", format=".1f")])
        .properties(height=60)
    )
    return chart.add_params(brush) if brush is not None else chart


def load_chart(frame: Frame, *, sports: tuple[str, ...], resolution: Resolution, unit: Unit,
               brush: alt.Parameter | None = None) -> alt.LayerChart:
    """Load bars coloured by sport, CTL and ATL lines, heavy-legs ratings as markers.

    Bars: the ``load_<sport>`` columns (AU/day) stacked. Lines: fitness CTL
    (solid) and fatigue ATL (dashed), AU/day. Markers: ``heavy_legs`` ratings
    (0-10) on their own axis on the right, and dotted vertical rules on days
    with a saved assessment (``assessment``: its top contributor). Tooltips
    give the run distance in ``unit``.
    """
    _check(unit, UNITS, "unit")
    x = _x(brush)
    fold = [f"load_{s}" for s in sports]
    bars = alt.Chart(**_data(frame)).transform_fold(fold, as_=["sport", "sport_load"]).transform_calculate(
        sport="replace(datum.sport, 'load_', '')").transform_filter("datum.sport_load > 0").mark_bar(clip=True).encode(
        x=x, y=alt.Y("sum(sport_load):Q", title="Load (AU/day)"),
        color=alt.Color("sport:N", title="Sport", scale=theme.sport_scale()),
        tooltip=[_date_tip(resolution), alt.Tooltip("sport:N", title="Sport"),
                 alt.Tooltip("sport_load:Q", title="Load (AU/day)", format=",.1f")])
    lines = alt.Chart(**_data(frame)).transform_fold(["ctl", "atl"], as_=["series", "value"]).transform_calculate(
        series="datum.series == 'ctl' ? 'Fitness (CTL)' : 'Fatigue (ATL)'").mark_line(clip=True, color=INK).encode(
        x=x, y=alt.Y("value:Q", title="Load (AU/day)"),
        strokeDash=alt.StrokeDash("series:N", title="Line",
                                  scale=alt.Scale(domain=["Fitness (CTL)", "Fatigue (ATL)"], range=[[1, 0], [5, 3]])),
        tooltip=[_date_tip(resolution), alt.Tooltip("ctl:Q", title="Fitness, CTL (AU/day)", format=".1f"),
                 alt.Tooltip("atl:Q", title="Fatigue, ATL (AU/day)", format=".1f"),
                 alt.Tooltip("load:Q", title="Load (AU/day)", format=",.1f"),
                 alt.Tooltip("distance:Q", title=f"Run distance ({unit})", format=",.1f")])
    marks = alt.Chart(**_data(frame)).transform_filter("isValid(datum.heavy_legs)").mark_point(clip=True,
        shape="triangle-up", filled=True, size=70, color=theme.WARN).encode(
        x=x, y=alt.Y("heavy_legs:Q", title="Heavy legs (0–10)", scale=alt.Scale(domain=[0, 10])),
        tooltip=[_date_tip(resolution), alt.Tooltip("heavy_legs:Q", title="Heavy legs (0–10)", format=".1f"),
                 alt.Tooltip("ratings:Q", title="Ratings")])
    # empty CSV cells arrive in the browser as "", not null
    saved = alt.Chart(**_data(frame)).transform_filter(
        "isValid(datum.assessment) && length(datum.assessment) > 0").mark_rule(
        clip=True, color=theme.WARN, strokeDash=[2, 3], strokeWidth=1.5).encode(
        x=x, tooltip=[_date_tip(resolution), alt.Tooltip("assessment:N", title="Assessment saved; top contributor")])
    return alt.layer(alt.layer(bars, lines, saved), marks, title=alt.Title(
        f"Training load ({_per(resolution)}), fitness and fatigue",
        subtitle=["Bars: load by sport. Lines: CTL (42-day, solid) and ATL (7-day, dashed).",
                  "▲ heavy-legs rating (right axis). Red dotted verticals: days with a saved assessment."]),
    ).resolve_scale(y="independent", color="independent")


def tsb_chart(frame: Frame, *, resolution: Resolution, brush: alt.Parameter | None = None) -> alt.Chart:
    """Form, TSB = CTL − ATL of the previous day (AU/day): above zero fresher, below zero more tired."""
    return alt.Chart(title=alt.Title(f"Form, TSB ({_per(resolution)})",
                                     subtitle="CTL − ATL of the day before; below 0 = carrying fatigue"),
                     **_data(frame)).mark_bar(clip=True).encode(
        x=_x(brush), y=alt.Y("tsb:Q", title="TSB (AU/day)"),
        color=alt.when(alt.datum.tsb >= 0).then(alt.value(theme.ACCENT)).otherwise(alt.value(theme.WARN)),
        tooltip=[_date_tip(resolution), alt.Tooltip("tsb:Q", title="Form, TSB (AU/day)", format=".1f")],
    ).properties(height=110)


AFTER_BREAK = "after a break: not meaningful"
"""The ACWR chart's legend label for days whose ratio rests on a break."""
BREAK_WHY = (f"not meaningful after a break: the last {CHRONIC_DAYS} days include {BREAK_DAYS} or more days in a "
             "row without training, so the ratio shows the break, not the training.")
BREAK_GREY = "#9ca3af"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width)


def acwr_chart(frame: Frame, refs: ChartReferences, *, kind: AcwrKind, resolution: Resolution,
               brush: alt.Parameter | None = None) -> alt.LayerChart:
    """The acute:chronic workload ratio of ``kind`` (column ``acwr_<kind>``), the band and the caveat.

    The band (e.g. 0.8-1.3) and the dashed upper line come from ``refs`` (the
    chart references file and the cause model), shown with their sources and
    honesty marks; the subtitle carries the short caveat on the ratio's limits.
    Days (or weeks) whose ratio rests on a break (``acwr_break`` = 1, see
    :func:`resample_timeline`) are not part of the line: they are shaded grey
    and labelled "after a break: not meaningful".
    """
    _check(kind, ACWR_KINDS, "ACWR kind")
    col = f"acwr_{kind}"
    band, high = refs.acwr_band, refs.acwr_high
    one = alt.Data(values=[{}])
    rect = alt.Chart(one).mark_rect(color=theme.ACCENT, opacity=0.12).encode(
        y=alt.datum(band.low), y2=alt.datum(band.high))
    rule = alt.Chart(one).mark_rule(color=theme.WARN, strokeDash=[4, 3]).encode(y=alt.datum(high.value))
    # the line and the shading read ONE data set, on the layer (two charts with the same inline CSV
    # each would parse its dates twice in Vega-Lite and draw nothing)
    line = alt.Chart().mark_line(clip=True).encode(
        x=_x(brush), y=alt.Y(f"{col}:Q", title="Ratio"),
        tooltip=[_date_tip(resolution), alt.Tooltip(f"{col}:Q", title=f"ACWR, {ACWR_LABELS[kind]}", format=".2f"),
                 alt.Tooltip("load:Q", title="Load (AU/day)", format=",.1f"),
                 alt.Tooltip("ctl:Q", title="Fitness, CTL (AU/day)", format=".1f")])
    step = "week" if resolution == "week" else "day"
    gap = alt.Chart().transform_filter("datum.acwr_break === 1").transform_calculate(
        end=f"utcOffset('{step}', datum.date, 1)", status=json.dumps(AFTER_BREAK),
        why=json.dumps(BREAK_WHY)).mark_rect(clip=True, opacity=0.35).encode(
        x=_x(brush), x2="end:T",
        color=alt.Color("status:N", title=None, scale=alt.Scale(domain=[AFTER_BREAK], range=[BREAK_GREY]),
                        legend=alt.Legend(orient="top", labelLimit=400)),
        tooltip=[_date_tip(resolution), alt.Tooltip("why:N", title="ACWR")])
    subtitle = [f"Shaded: {band.label} {refs.symbol(band.mark)} ({band.source}).",
                f"Dashed at {high.value:g}: {high.label} {refs.symbol(high.mark)} ({high.source}).",
                *_wrap(f"Grey: {BREAK_WHY}", 100),
                *_wrap(refs.acwr_caveat.short, 100)]
    return alt.layer(rect, rule, line, gap, **_data(frame), title=alt.Title(
        f"Acute:chronic workload ratio, {ACWR_LABELS[kind]} ({_per(resolution)})", subtitle=subtitle))


def monotony_strain_chart(frame: Frame, refs: ChartReferences, *,
                          brush: alt.Parameter | None = None) -> alt.LayerChart:
    """Weekly strain (bars, AU) and monotony (line, ratio) with the cause model's monotony line.

    Reads ``monotony``, ``strain`` and ``week_load`` on the weeks' Mondays
    (:func:`weekly_monotony_strain`); other rows are skipped.
    """
    x = _x(brush)
    tips = [_date_tip("week", week=True),
            alt.Tooltip("week_load:Q", title="Week's load (AU)", format=",.0f"),
            alt.Tooltip("monotony:Q", title="Monotony (mean ÷ SD)", format=".2f"),
            alt.Tooltip("strain:Q", title="Strain (AU)", format=",.0f")]
    bars = alt.Chart(**_data(frame)).transform_filter("isValid(datum.strain)").mark_bar(clip=True, color="#cbd5e1").encode(
        x=x, y=alt.Y("strain:Q", title="Strain (AU)"), tooltip=tips)
    line = alt.Chart(**_data(frame)).transform_filter("isValid(datum.monotony)").mark_line(clip=True,
        color=INK, point=alt.OverlayMarkDef(size=12, color=INK)).encode(
        x=x, y=alt.Y("monotony:Q", title="Monotony"), tooltip=tips)
    m = refs.monotony_high
    rule = alt.Chart(alt.Data(values=[{}])).mark_rule(color=theme.WARN, strokeDash=[4, 3]).encode(
        y=alt.datum(m.value))
    return alt.layer(bars, alt.layer(line, rule), title=alt.Title(
        "Weekly monotony and strain (Monday–Sunday)",
        subtitle=f"Bars: strain (AU). Line: monotony; dashed at {m.value:g}: {m.label} "
                 f"{refs.symbol(m.mark)} ({m.source})")).resolve_scale(y="independent")


def sleep_chart(frame: Frame, refs: ChartReferences, *, resolution: Resolution, sleep_need_h: float,
                brush: alt.Parameter | None = None) -> alt.LayerChart:
    """Sleep (h) against the athlete's need (h, profile), short nights marked, with the 7-day mean.

    Daily: one bar per night, short nights (under ``metrics.SHORT_NIGHT_H`` h)
    in the warning colour, the 7-day mean as a line. Weekly: the mean per week,
    and a marker at the shortest night of weeks with short nights. Rules: the
    athlete's sleep need, and the cause model's 7-day-mean line.
    """
    x = _x(brush)
    tips = [_date_tip(resolution), alt.Tooltip("sleep_h:Q", title="Sleep (h)", format=".2f"),
            alt.Tooltip("short_nights:Q", title=f"Nights under {SHORT_NIGHT_H:g} h")]
    if resolution == "day":
        tips.append(alt.Tooltip("sleep_7d_mean:Q", title="7-day mean (h)", format=".2f"))
        bars = alt.Chart(**_data(frame)).mark_bar(clip=True).encode(
            x=x, y=alt.Y("sleep_h:Q", title="Sleep (h)"), tooltip=tips,
            color=alt.when(alt.datum.sleep_h < SHORT_NIGHT_H).then(alt.value(theme.WARN)
                                                                   ).otherwise(alt.value("#93c5fd")))
        second = alt.Chart(**_data(frame)).mark_line(clip=True, color=INK).encode(x=x, y="sleep_7d_mean:Q", tooltip=tips)
        what, legend = "nights", f"Red bars: nights under {SHORT_NIGHT_H:g} h. Black line: 7-day mean."
    else:
        bars = alt.Chart(**_data(frame)).mark_bar(clip=True, color="#93c5fd").encode(
            x=x, y=alt.Y("sleep_h:Q", title="Sleep (h)"), tooltip=tips)
        second = alt.Chart(**_data(frame)).transform_filter(alt.datum.short_nights > 0).mark_point(clip=True,
            shape="diamond", filled=True, color=theme.WARN, size=30).encode(
            x=x, y="sleep_min:Q", tooltip=[*tips, alt.Tooltip("sleep_min:Q", title="Shortest night (h)",
                                                              format=".2f")])
        what = "weekly means"
        legend = f"Bars: the week's mean. Red diamonds: the shortest night of weeks with nights under {SHORT_NIGHT_H:g} h."
    one = alt.Data(values=[{}])
    need = alt.Chart(one).mark_rule(color=theme.ACCENT, strokeDash=[6, 3], size=2).encode(y=alt.datum(sleep_need_h))
    low = refs.sleep_mean_low
    rule = alt.Chart(one).mark_rule(color=theme.WARN, strokeDash=[2, 2]).encode(y=alt.datum(low.value))
    return alt.layer(bars, second, need, rule, title=alt.Title(
        f"Sleep per night ({what})",
        subtitle=[legend, (f"Blue dashes: sleep need {sleep_need_h:g} h (profile). Red dotted line at {low.value:g} h: "
                           f"{low.label} {refs.symbol(low.mark)} ({low.source}).")]))


def intensity_chart(frame: Frame, *, brush: alt.Parameter | None = None) -> alt.Chart:
    """Sessions per week, stacked by intensity class from session RPE (:func:`intensity_per_week` columns)."""
    cols = [_intensity_col(k) for k in INTENSITY_CLASSES]
    names = dict(zip(cols, INTENSITY_CLASSES, strict=True))
    order = {k: i for i, k in enumerate(INTENSITY_CLASSES)}
    return alt.Chart(title=alt.Title("Intensity mix per week", subtitle="Sessions by session RPE (CR-10)"),
                     **_data(frame)).transform_fold(cols, as_=["intensity", "sessions"]).transform_filter(
        "datum.sessions > 0").transform_calculate(
        intensity=" : ".join(f"datum.intensity == '{c}' ? '{n}'" for c, n in names.items()) + " : datum.intensity",
        intensity_order=" : ".join(f"datum.intensity == '{c}' ? {order[n]}" for c, n in names.items()) + " : 9",
    ).mark_bar(clip=True).encode(
        x=_x(brush), y=alt.Y("sum(sessions):Q", title="Sessions"),
        color=alt.Color("intensity:N", title="Intensity", scale=_INTENSITY_SCALE,
                        legend=alt.Legend(labelExpr=_label_expr(INTENSITY_LABELS))),
        order=alt.Order("intensity_order:Q"),
        tooltip=[_date_tip("week", week=True), alt.Tooltip("intensity:N", title="Intensity"),
                 alt.Tooltip("sessions:Q", title="Sessions")],
    ).properties(height=130)


def _label_expr(labels: dict[str, str]) -> str:
    parts = " : ".join(f"datum.label == '{k}' ? '{v}'" for k, v in labels.items())
    return f"{parts} : datum.label"


def dashboard_chart(data: DashboardData, refs: ChartReferences, *, acwr_kind: AcwrKind = "uncoupled",
                    sleep_need_h: float = 8.0) -> alt.VConcatChart:
    """The whole dashboard as ONE chart: the overview carrying the ``period`` brush, then the details.

    The data is sent once, as the top-level CSV every panel inherits
    (:func:`frame_columns`); the detail panels share the time axis and follow
    the brush (Vega-Lite zooms them in the browser), and the kernel reads the
    brush as ``selections.period``: ``{"date": [start, end]}`` in ms since
    1970 (UTC).
    """
    _check(acwr_kind, ACWR_KINDS, "ACWR kind")
    brush = alt.selection_interval(encodings=["x"], name=BRUSH)
    res = data.resolution
    charts = [
        overview_chart(None, brush=brush),
        load_chart(None, sports=data.sports, resolution=res, unit=data.unit, brush=brush),
        tsb_chart(None, resolution=res, brush=brush),
        acwr_chart(None, refs, kind=acwr_kind, resolution=res, brush=brush),
        monotony_strain_chart(None, refs, brush=brush),
        sleep_chart(None, refs, resolution=res, sleep_need_h=sleep_need_h, brush=brush),
        intensity_chart(None, brush=brush),
    ]
    frame = data.frame[frame_columns(data, acwr_kind)]
    return alt.vconcat(*charts, data=inline_csv(frame), spacing=28).resolve_scale(
        color="independent", strokeDash="independent")
