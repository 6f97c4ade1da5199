"""The load and sleep dashboard app (issue #7): did load outrun recovery?

:func:`dashboard_app` builds the app's root widget: an athlete picker (the
bundled PMData participants, synthetic demo histories, uploaded files), the
ACWR kind and km/miles toggles, ONE interactive chart (the whole history with
a date brush, and the detail panels that follow it; :mod:`heavylegs_core.views.charts`),
a summary table of the brushed period computed in Python from the daily metrics
table (``heavylegs metrics``), PNG/SVG export and the usual ``hl-*`` hooks.

The pure pieces (importing uploads, reading heavy-legs ratings, the selected
period, the period summary, export bytes) are functions of their own, tested
without a kernel. Uploaded files are written only to a temporary directory
outside anything Voila serves, parsed, and deleted at once.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from heavylegs_core import EDUCATIONAL_NOTE
from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.base.paths import (
    PMDATA_ATTRIBUTION,
    pmdata_file,
    pmdata_participants,
)
from heavylegs_core.io.uploads import Received, safe_filename, shown_where
from heavylegs_core.views.chart_options import (
    ACWR_KINDS,
    ACWR_LABELS,
    KM_PER_MILE,
    UNITS,
)
from heavylegs_core.views.chart_widget import offline_chart, to_spec
from heavylegs_core.views.guard import guard_tree
from heavylegs_core.views.html import esc
from heavylegs_core.views.upload_widget import UploadArea
from heavylegs_core.views.view_cache import cached_view
from heavylegs_core.views.widgets import (
    ErrorBox,
    SharedLooks,
    app_root,
    mark_ready,
    reports_errors,
)

if TYPE_CHECKING:  # pandas, the metrics and the charts load on first use (a cached first view needs none)
    import pandas as pd

    from heavylegs_core.domain.profile import AthleteProfile
    from heavylegs_core.domain.synthetic import History

#: Synthetic demo histories offered in the picker: option value -> years.
SYNTHETIC: dict[str, float] = {"synthetic-1y": 1.0, "synthetic-10y": 10.0}
UPLOADED = "uploaded"
GIVEN = "given"
MAX_ASSESSMENT_BYTES = 2 * 1024 * 1024
RATING_COLUMNS: tuple[str, ...] = ("heavy_legs", "heavy legs", "heavylegs", "heavy_legs_rating", "heavy-legs")
DATE_COLUMNS: tuple[str, ...] = ("date", "day")
EXPORT_FORMATS: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}


# ---------------------------------------------------------------------------
# Pure pieces
# ---------------------------------------------------------------------------

def sample_history(participant: str) -> History:
    """A bundled PMData participant: session RPE log and Fitbit sleep (real data, CC BY 4.0)."""
    from heavylegs_core.domain.synthetic import History, empty_ratings
    from heavylegs_core.io.importers import load_sources

    if participant not in pmdata_participants():
        raise UserError(f"unknown sample athlete {participant!r}", where="athlete")
    res = load_sources([pmdata_file(participant, "srpe.csv"), pmdata_file(participant, "sleep.json")])
    return History(sessions=res.sessions, nights=res.nights, ratings=empty_ratings(),
                   label=f"PMData {participant} (real data)")


def read_ratings_csv(path: Path, *, display_name: str | None = None) -> pd.DataFrame | None:
    """Heavy-legs ratings from a CSV with a date column and a heavy-legs column, else None.

    Headers (case-insensitive): a date column named one of :data:`DATE_COLUMNS`
    and a rating column named one of :data:`RATING_COLUMNS`. Ratings are
    0-10 (higher = heavier); an empty cell is skipped; anything else (a
    rating outside 0-10, a date that cannot be read) raises
    :class:`UserError` naming the row. Returns ``date``, ``heavy_legs``,
    ``source``.
    """
    import numpy as np
    import pandas as pd

    name = display_name or path.name
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None
    cols = {str(c).strip().lower(): c for c in head.columns}
    rating = next((cols[c] for c in RATING_COLUMNS if c in cols), None)
    date = next((cols[c] for c in DATE_COLUMNS if c in cols), None)
    if rating is None or date is None:
        return None
    df = pd.read_csv(path, usecols=[date, rating], dtype=str, encoding="utf-8-sig", keep_default_na=False)
    problems: list[Problem] = []
    dates = pd.to_datetime(df[date].str.strip(), errors="coerce", format="mixed")
    values = pd.to_numeric(df[rating].str.strip().replace("", np.nan), errors="coerce")
    for i in range(len(df)):
        raw = df[rating].iat[i].strip()
        if not raw:
            continue
        if pd.isna(dates.iat[i]):
            problems.append(Problem(f"cannot read the date {df[date].iat[i]!r}", name, i + 1))
        v = values.iat[i]
        if not (isinstance(v, float) and math.isfinite(v) and 0 <= v <= 10):
            problems.append(Problem(f"heavy-legs rating {raw!r} is not a number from 0 to 10", name, i + 1))
    if problems:
        raise UserError(problems[:20])
    keep = values.notna()
    days = dates[keep]
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    return pd.DataFrame({"date": days.dt.normalize().astype("datetime64[ns]"),
                         "heavy_legs": values[keep].astype("float64"), "source": name}).reset_index(drop=True)


def read_assessment_json(path: Path, *, display_name: str | None = None) -> pd.DataFrame | None:
    """A saved heavylegs assessment (the assessment app's JSON download), else None.

    Returns one row: ``date`` (the result's ``as_of`` day, else the day it was
    saved) and ``note`` (the top contributor's name, interfaces.md section 4).
    A file that says it is an assessment but lacks a readable date raises
    :class:`UserError`.
    """
    import pandas as pd

    name = display_name or path.name
    try:
        doc = json.loads(path.read_bytes()[:MAX_ASSESSMENT_BYTES + 1].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("heavylegs") != "assessment":
        return None
    result = doc.get("result") if isinstance(doc.get("result"), dict) else {}
    when = result.get("as_of") or str(doc.get("saved_at", ""))[:10]
    try:
        day = pd.Timestamp(dt.date.fromisoformat(str(when)))
    except ValueError:
        raise UserError(Problem(f"a saved assessment without a readable date ({when!r})", name)) from None
    top = next((c.get("name") for c in result.get("contributors", []) if isinstance(c, dict) and c.get("name")),
               None)
    note = f"{top} (top contributor)" if top else "no contributor stood out"
    return pd.DataFrame({"date": [day.as_unit("ns")], "note": [str(note)[:120]]})


def import_uploads(files: Sequence[Received], *, tz: str = "UTC",
                   profile: AthleteProfile | None = None) -> tuple[History, list[str]]:
    """Read uploaded files (:class:`heavylegs_core.io.uploads.Received`: name, path on disk, size).

    Saved assessments (:func:`read_assessment_json`) and heavy-legs ratings
    (:func:`read_ratings_csv`) are picked out; everything else goes to
    :func:`heavylegs_core.io.importers.load_sources`. Problems name the uploaded file,
    not its private path. Training and sleep records are needed to plot anything.
    Returns the history and one-line notes for the user (skipped rows, warnings).
    """
    import pandas as pd

    from heavylegs_core.domain.synthetic import (
        History,
        empty_assessments,
        empty_ratings,
    )
    from heavylegs_core.io.importers import load_sources

    if not files:
        raise UserError("no file was uploaded", where="upload")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(f"unknown time zone {tz!r}: use an IANA name such as Europe/Oslo", where="time zone") from exc
    ratings: list[pd.DataFrame] = []
    assessments: list[pd.DataFrame] = []
    notes: list[str] = []
    paths: list[Path] = []
    for f in files:
        suffix = f.path.suffix.lower()
        if suffix == ".json":
            saved = read_assessment_json(f.path, display_name=f.name)
            if saved is not None:
                assessments.append(saved)
                notes.append(f"{f.name}: a saved assessment of {saved['date'].iloc[0]:%d %b %Y}")
                continue
        if suffix == ".csv":
            found = read_ratings_csv(f.path, display_name=f.name)
            if found is not None:
                ratings.append(found)
                notes.append(f"{f.name}: {len(found)} heavy-legs ratings")
                if len(pd.read_csv(f.path, nrows=0, encoding="utf-8-sig").columns) <= 3:
                    continue  # a ratings-only file: nothing for the training importers
        paths.append(f.path)
    sessions = nights = None
    if paths:
        try:
            res = load_sources(paths, tz=tz, profile=profile)
        except UserError as exc:
            raise UserError([type(p)(p.message, shown_where(p.where, {str(f.path): f.name for f in files}), p.row)
                             for p in exc.problems]) from None
        sessions, nights = res.sessions, res.nights
        notes += [f"skipped {n} rows: {why}" for why, n in res.skipped.items()] + list(res.warnings)
    from heavylegs_core.domain.records import empty_nights, empty_sessions

    history = History(
        sessions=empty_sessions() if sessions is None else sessions,
        nights=empty_nights() if nights is None else nights,
        ratings=pd.concat(ratings, ignore_index=True) if ratings else empty_ratings(),
        label="Uploaded files",
        assessments=pd.concat(assessments, ignore_index=True) if assessments else empty_assessments(),
    )
    if history.sessions.empty and history.nights.empty:
        raise UserError("the files hold no training sessions or nights of sleep to plot", where="upload")
    return history, notes


def selected_period(value: Mapping[str, Any] | None, field: str = "date") -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The brushed period as two calendar days, from an interval selection value.

    ``value`` is ``JupyterChart.selections.period.value``: ``{field: [a, b]}``
    with ms since 1970 (UTC) or ISO strings; empty means no brush (None).
    Anything else raises ValueError or TypeError (browser input is untrusted).
    """
    import pandas as pd

    if not value:
        return None
    if set(value) != {field}:
        raise ValueError(f"unexpected selection fields {sorted(value)!r}")
    ends = value[field]
    if not isinstance(ends, list | tuple) or len(ends) != 2:
        raise ValueError("a period needs a start and an end")
    days = []
    for v in ends:
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            raise TypeError(f"not a time: {v!r}")
        if isinstance(v, str):
            ts = pd.Timestamp(v)
            ts = ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo else ts
        else:
            if not math.isfinite(v):
                raise ValueError(f"not a time: {v!r}")
            ts = pd.Timestamp(int(v), unit="ms")
        days.append(ts.normalize())
    lo, hi = sorted(days)
    return lo, hi


def _fmt(v: float, spec: str) -> str:
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def period_summary(metrics: pd.DataFrame, ratings: pd.DataFrame, period: tuple[pd.Timestamp, pd.Timestamp] | None,
                   *, unit: str = "km", acwr_kind: str = "uncoupled", sleep_need_h: float = 8.0,
                   assessments: pd.DataFrame | None = None) -> pd.DataFrame:
    """The numbers of a period, from the DAILY metrics table (whatever the chart's resolution).

    Returns rows of ``measure``, ``value`` (text) and ``unit``: the period
    (first and last day, days), sessions, total and mean daily load (AU,
    AU/day), run distance (km or mi), fitness CTL and form TSB on the last
    day (AU/day), the highest ACWR of ``acwr_kind`` and the days above the
    published band (both without the days whose ratio is not meaningful,
    ``acwr_meaningful`` false: after a break), how many such days were left
    out, the highest monotony, nights with sleep data, mean sleep
    (h), nights under :data:`heavylegs_core.domain.metrics.SHORT_NIGHT_H` h and under
    the sleep need, heavy-legs ratings (count, mean 0-10) and saved
    assessments (count). ``period`` None means the whole history.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}: choose one of {', '.join(UNITS)}")
    if acwr_kind not in ACWR_KINDS:
        raise ValueError(f"unknown ACWR kind {acwr_kind!r}: choose one of {', '.join(ACWR_KINDS)}")
    import pandas as pd

    from heavylegs_core.domain.metrics import SHORT_NIGHT_H
    from heavylegs_core.domain.synthetic import empty_assessments
    from heavylegs_core.knowledge.chart_references import load_chart_references

    band = load_chart_references().acwr_band
    m = metrics
    if period is not None:
        m = m.loc[(m["date"] >= period[0]) & (m["date"] <= period[1])]
    r = ratings
    a = empty_assessments() if assessments is None else assessments
    if period is not None:
        r = r.loc[(r["date"] >= period[0]) & (r["date"] <= period[1])]
        a = a.loc[(a["date"] >= period[0]) & (a["date"] <= period[1])]
    rows: list[tuple[str, str, str]] = []
    if m.empty:
        return pd.DataFrame([("Period", "no days with data in the selected period", "")],
                            columns=["measure", "value", "unit"])
    first, last = m["date"].iloc[0], m["date"].iloc[-1]
    per = 1.0 if unit == "km" else 1.0 / KM_PER_MILE
    acwr = m[f"acwr_{acwr_kind}"]
    after_break = ((~m["acwr_meaningful"].astype("boolean")).fillna(False) if "acwr_meaningful" in m.columns
                   else pd.Series(False, index=m.index))
    left_out = int((after_break & acwr.notna()).sum())
    acwr = acwr[~after_break]  # a ratio after a break reflects the break, not the training
    sleep = m["sleep_h"].dropna()
    rows += [
        ("Period", f"{first:%d %b %Y} – {last:%d %b %Y}", f"{len(m)} days"),
        ("Sessions", f"{int(m['sessions'].fillna(0).sum())}", "count"),
        ("Total load", _fmt(m["load"].sum(min_count=1), ",.0f"), "AU"),
        ("Mean daily load", _fmt(m["load"].mean(), ",.1f"), "AU/day"),
        ("Run distance", _fmt(m["run_km"].sum() * per, ",.1f"), unit),
        ("Fitness (CTL) on the last day", _fmt(m["ctl"].iloc[-1], ".1f"), "AU/day"),
        ("Form (TSB) on the last day", _fmt(m["tsb"].iloc[-1], ".1f"), "AU/day"),
        (f"Highest ACWR, {ACWR_LABELS[acwr_kind]}", _fmt(acwr.max(), ".2f"), "ratio"),
        (f"Days with ACWR above {band.high:g}", f"{int((acwr > band.high).sum())}", "days"),
        ("ACWR days left out (after a break: not meaningful)", f"{left_out}", "days"),
        ("Highest 7-day monotony", _fmt(m["monotony"].max(), ".2f"), "ratio"),
        ("Nights with sleep data", f"{len(sleep)}", "nights"),
        ("Mean sleep", _fmt(sleep.mean() if len(sleep) else math.nan, ".2f"), "h"),
        (f"Nights under {SHORT_NIGHT_H:g} h", f"{int((sleep < SHORT_NIGHT_H).sum())}", "nights"),
        (f"Nights under your need ({sleep_need_h:g} h)", f"{int((sleep < sleep_need_h).sum())}", "nights"),
        ("Heavy-legs ratings", f"{len(r)}", "count"),
        ("Mean heavy-legs rating", _fmt(r["heavy_legs"].mean() if len(r) else math.nan, ".1f"), "0–10"),
        ("Saved assessments", f"{len(a)}", "count"),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "unit"])


def summary_html(summary: pd.DataFrame, *, caption: str) -> str:
    """The summary table as escaped HTML inside an ``hl-results`` element."""
    body = "".join(f"<tr><th scope='row'>{esc(a)}</th><td>{esc(b)}</td><td>{esc(c)}</td></tr>"
                   for a, b, c in summary.itertuples(index=False))
    return (f'<div class="hl-results hl-summary"><table><caption>{esc(caption)}</caption>'
            f"<thead><tr><th>Measure</th><th>Value</th><th>Unit</th></tr></thead><tbody>{body}</tbody></table></div>")


def export_bytes(spec: Mapping[str, Any], fmt: str) -> bytes:
    """The chart as PNG (2× scale, for slides) or SVG bytes, rendered in the kernel by vl-convert."""
    import vl_convert as vlc

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "png":
        return vlc.vegalite_to_png(dict(spec), scale=2)
    return vlc.vegalite_to_svg(dict(spec)).encode("utf-8")


def download_link(data: bytes, fmt: str, stem: str) -> str:
    """An ``<a download>`` link carrying ``data`` as a base64 data URI (the name is sanitised)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    name = safe_filename(f"{stem}.{fmt}")
    href = f"data:{EXPORT_FORMATS[fmt]};base64,{base64.b64encode(data).decode('ascii')}"
    return (f'<a class="hl-download" download="{esc(name)}" href="{href}">Save {esc(name)} '
            f"({len(data) / 1024:.0f} KB)</a>")


# ---------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------

@dataclass
class _State:
    """What the app shows. ``history`` and ``metrics`` stay None while a cached view is shown,
    until an interaction needs them (:func:`dashboard_app`'s ``ensure``)."""

    key: str
    history: History | None = None
    metrics: pd.DataFrame | None = None
    acwr_kind: str = "uncoupled"
    unit: str = "km"
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None


def _metrics(history: History, profile: AthleteProfile) -> pd.DataFrame:
    from heavylegs_core.domain.metrics import daily_metrics

    if history.sessions.empty and history.nights.empty:
        raise UserError("this athlete has no sessions or nights to plot", where="athlete")
    return daily_metrics(history.sessions, history.nights, profile=profile)


def _status_html(history: History, metrics: pd.DataFrame, resolution: str, notes: Sequence[str] = ()) -> str:
    first_day, last_day = metrics["date"].iloc[0], metrics["date"].iloc[-1]
    lines = [(f"<b>{esc(history.label)}</b>: {len(history.sessions)} sessions, {len(history.nights)} nights, "
              f"{len(history.ratings)} heavy-legs ratings, {len(history.assessments)} saved assessments, "
              f"{first_day:%d %b %Y} – {last_day:%d %b %Y}.")]
    if resolution == "week":
        lines.append("A long history: the charts show weekly values (the table uses every day).")
    lines += [esc(n) for n in notes]
    return "<div>" + "<br>".join(lines) + "</div>"


def _summary_view(history: History, metrics: pd.DataFrame, period: tuple[pd.Timestamp, pd.Timestamp] | None, *,
                  unit: str, acwr_kind: str, sleep_need_h: float) -> str:
    table = period_summary(metrics, history.ratings, period, unit=unit, acwr_kind=acwr_kind,
                           sleep_need_h=sleep_need_h, assessments=history.assessments)
    caption = "Selected period" if period else "Whole history (drag across the top chart to pick a period)"
    return summary_html(table, caption=caption)


def dashboard_view(history: History, metrics: pd.DataFrame, *, acwr_kind: str = "uncoupled", unit: str = "km",
                   sleep_need_h: float = 8.0, notes: Sequence[str] = ()) -> dict[str, Any]:
    """What the app draws for one history, as JSON-able values (so it can be cached).

    ``spec``: the Vega-Lite spec of :func:`heavylegs_core.views.charts.dashboard_chart`;
    ``status``: the history line (HTML); ``summary``: the whole-history summary
    table (HTML, :func:`period_summary`); ``caveat``: the short ACWR caveat (text).
    ``sleep_need_h`` in hours.
    """
    from heavylegs_core.knowledge.chart_references import load_chart_references
    from heavylegs_core.views.charts import dashboard_chart, dashboard_data

    refs = load_chart_references()
    data = dashboard_data(metrics, history.sessions, history.ratings, unit=unit, assessments=history.assessments)
    spec = to_spec(dashboard_chart(data, refs, acwr_kind=acwr_kind, sleep_need_h=sleep_need_h))
    return {"spec": spec, "status": _status_html(history, metrics, data.resolution, notes),
            "summary": _summary_view(history, metrics, None, unit=unit, acwr_kind=acwr_kind,
                                     sleep_need_h=sleep_need_h),
            "caveat": refs.acwr_caveat.short}


def _load_history(key: str) -> History:
    from heavylegs_core.domain.synthetic import synthetic_history

    if key in SYNTHETIC:
        return synthetic_history(SYNTHETIC[key])
    if key in pmdata_participants():
        return sample_history(key)
    raise UserError(f"unknown athlete {key!r}", where="athlete")


def dashboard_app(*, athlete: str | None = None, history: History | None = None,
                  profile: AthleteProfile | None = None) -> widgets.VBox:
    """Build the load and sleep dashboard; returns the root widget (``hl-app hl-dashboard``).

    ``athlete`` picks the first view: a PMData id (``"p01"`` ...) or a key of
    :data:`SYNTHETIC`; ``history`` shows a given athlete's records instead
    (e.g. inside the assessment's results). ``profile`` supplies the sleep need
    (h) and heart-rate settings.

    The views of the bundled and synthetic athletes with the default profile are
    cached across kernels (:func:`heavylegs_core.views.view_cache.cached_view`, keyed by the code
    and the data): the page then opens without pandas or Altair, which load on the
    first interaction that needs the daily table.
    """
    errors = ErrorBox()
    people = pmdata_participants()
    options: list[tuple[str, str]] = [(f"PMData {p} (real data)", p) for p in people]
    options += [(f"Synthetic demo, {y:g} year{'s' if y != 1 else ''} (generated, not a real person)", k)
                for k, y in SYNTHETIC.items()]
    if history is not None:
        options.insert(0, (history.label or "This athlete", GIVEN))
    first = GIVEN if history is not None else (athlete or (people[0] if people else "synthetic-1y"))
    if first not in {v for _, v in options}:
        raise UserError(f"unknown athlete {first!r}", where="athlete")
    histories: dict[str, History] = {GIVEN: history} if history is not None else {}
    given_profile = profile
    profiles: list[AthleteProfile] = [profile] if profile is not None else []

    def the_profile() -> AthleteProfile:
        if not profiles:
            from heavylegs_core.domain.profile import AthleteProfile

            profiles.append(AthleteProfile())
        return profiles[0]

    def load(key: str) -> History:
        if key not in histories:
            histories[key] = _load_history(key)
        return histories[key]

    state = _State(key=first)

    def ensure() -> None:
        """Load the current athlete's history and daily table, if a cached view left them out."""
        if state.history is None or state.metrics is None:
            h = load(state.key)
            state.history, state.metrics = h, _metrics(h, the_profile())

    def live_view(notes: Sequence[str] = ()) -> dict[str, Any]:
        ensure()
        return dashboard_view(state.history, state.metrics, acwr_kind=state.acwr_kind, unit=state.unit,
                              sleep_need_h=float(the_profile().sleep_need_h), notes=notes)

    def view(notes: Sequence[str] = ()) -> dict[str, Any]:
        if given_profile is not None or state.key in (GIVEN, UPLOADED) or notes:
            return live_view(notes)
        inputs = (pmdata_file(state.key, "srpe.csv"), pmdata_file(state.key, "sleep.json")) \
            if state.key in people else ()
        return cached_view("dashboard", f"{state.key}_{state.acwr_kind}_{state.unit}", live_view, inputs=inputs)

    shown = view()

    pick = widgets.Dropdown(options=options, value=first, description="Athlete",
                            style={"description_width": "initial"}, layout=widgets.Layout(width="auto"))
    # Widgets that keep their default look share one Layout and one style model each (ErrorBox
    # and the chart have their own): the browser builds every model before the app shows.
    looks = SharedLooks()
    plain, html = looks.plain, looks.html

    acwr = widgets.ToggleButtons(options=[("Coupled", "coupled"), ("Uncoupled", "uncoupled"), ("EWMA", "ewma")],
                                 value=state.acwr_kind, description="ACWR",
                                 tooltips=[ACWR_LABELS[k] for k in ACWR_KINDS], layout=plain, style=looks.toggle_style)
    unit = widgets.ToggleButtons(options=[("km", "km"), ("miles", "mi")], value="km", description="Distance",
                                 layout=plain, style=looks.toggle_style)
    # no icon: the icon font alone would add about 76 KB to the page
    tz = widgets.Text(value="UTC", description="Time zone", placeholder="e.g. Europe/Oslo",
                      style={"description_width": "initial"}, layout=widgets.Layout(width="240px"))
    status = html(shown["status"])
    status.add_class("hl-status")
    summary = html(shown["summary"])
    png = widgets.Button(description="Export PNG", tooltip="Render the dashboard as a PNG image for slides",
                         layout=plain, style=looks.button_style)
    svg = widgets.Button(description="Export SVG", tooltip="Render the dashboard as an SVG image",
                         layout=plain, style=looks.button_style)
    download = html()
    chart = offline_chart(shown["spec"])

    def update_summary() -> None:
        ensure()
        summary.value = _summary_view(state.history, state.metrics, state.period, unit=state.unit,
                                      acwr_kind=state.acwr_kind, sleep_need_h=float(the_profile().sleep_need_h))

    @reports_errors(errors)
    def on_brush(change: dict) -> None:
        state.period = selected_period(getattr(change["new"], "value", None))
        update_summary()

    def redraw(notes: Sequence[str] = ()) -> None:
        new = view(notes)
        chart.spec = new["spec"]
        chart.selections.observe(on_brush, ["period"])  # a new chart brings a new selections object
        state.period = None
        status.value = new["status"]
        summary.value = new["summary"]
        download.value = ""

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        key = change["new"]
        if key == UPLOADED and UPLOADED not in histories:
            raise UserError("upload files first", where="athlete")
        if key not in {v for _, v in pick.options}:
            raise UserError(f"unknown athlete {key!r}", where="athlete")
        h = histories.get(key)
        state.key = key
        state.history, state.metrics = (h, _metrics(h, the_profile())) if h is not None else (None, None)
        redraw()

    @reports_errors(errors)
    def on_acwr(change: dict) -> None:
        if change["new"] not in ACWR_KINDS:
            raise UserError(f"unknown ACWR kind {change['new']!r}", where="ACWR")
        state.acwr_kind = change["new"]
        redraw()

    @reports_errors(errors)
    def on_unit(change: dict) -> None:
        if change["new"] not in UNITS:
            raise UserError(f"unknown unit {change['new']!r}", where="distance")
        state.unit = change["new"]
        redraw()

    def on_upload(files: list[Received]) -> None:
        h, notes = import_uploads(files, tz=tz.value.strip() or "UTC", profile=the_profile())
        metrics = _metrics(h, the_profile())
        histories[UPLOADED] = h
        state.key, state.history, state.metrics = UPLOADED, h, metrics
        pick.unobserve(on_pick, names="value")  # the picker follows; the chart is drawn once below
        try:
            if UPLOADED not in {v for _, v in pick.options}:
                pick.options = [*pick.options, ("Uploaded files", UPLOADED)]
            pick.value = UPLOADED
        finally:
            pick.observe(on_pick, names="value")
        redraw(notes)

    def exporter(fmt: str):
        @reports_errors(errors)
        def on_click(_button: widgets.Button) -> None:
            stem = f"heavylegs-dashboard-{dt.date.today():%Y%m%d}"
            download.value = download_link(export_bytes(chart.spec, fmt), fmt, stem)

        return on_click

    # files stream to the server in chunks (heavylegs_core.views.upload_widget), so exports of several GB fit
    uploader = UploadArea("Upload files", on_upload, errors=errors,
                          classes=("hl-dashboard-upload",))
    upload = uploader.widget
    pick.observe(on_pick, names="value")
    acwr.observe(on_acwr, names="value")
    unit.observe(on_unit, names="value")
    png.on_click(exporter("png"))
    svg.on_click(exporter("svg"))
    chart.selections.observe(on_brush, ["period"])

    caveat = html(f'<p class="hl-note hl-acwr-note" role="note"><small>ACWR: {esc(shown["caveat"])}'
                  "</small></p>")
    # static text in as few widgets as possible: every widget is three models for the browser to build
    heading = html("<h2>Load and sleep: did load outrun recovery?</h2>"
                   f'<p class="hl-note" role="note"><small>{esc(EDUCATIONAL_NOTE)}</small></p>')
    root = app_root(
        [
            heading,
            pick,
            widgets.HBox([upload, tz], layout=plain),
            widgets.HBox([acwr, unit], layout=plain),
            status,
            errors,
            chart,
            caveat,
            summary,
            widgets.HBox([png, svg, download], layout=plain),
            html(f'<p class="hl-attribution"><small>{esc(PMDATA_ATTRIBUTION)}</small></p>'),
        ],
        name="dashboard",
    )
    root.hl_controls = {"chart": chart, "pick": pick, "acwr": acwr, "unit": unit, "upload": upload, "uploader": uploader, "tz": tz,
                        "summary": summary, "status": status, "png": png, "svg": svg, "download": download,
                        "errors": errors, "state": state}
    guard_tree(root, errors)  # state the page sends around the controls: refused, shown in errors
    return mark_ready(root)


__all__ = [
    "SYNTHETIC", "dashboard_app", "dashboard_view", "download_link", "export_bytes", "import_uploads",
    "period_summary", "read_assessment_json", "read_ratings_csv", "sample_history", "selected_period", "summary_html",
]
