"""The dashboard's widgets and chart (the state and the numbers are :mod:`.model`).

:func:`dashboard_app` builds the app's root widget: an athlete picker (the
bundled PMData participants, synthetic demo histories, uploaded files), the
ACWR kind and km/miles toggles, ONE interactive chart (the whole history with
a date brush, and the detail panels that follow it; :mod:`heavylegs_core.views.charts`),
the summary table of the brushed period, PNG/SVG export and the usual ``hl-*`` hooks.
Every callback hands what the page sent to one model operation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from heavylegs_core.apps.dashboard.model import (
    DEFAULT_SLEEP_NEED_H,
    DashboardModel,
    status_html,
    summary_view,
)
from heavylegs_core.base.paths import PMDATA_ATTRIBUTION
from heavylegs_core.io.uploads import Received
from heavylegs_core.views.chart_options import ACWR_KINDS, ACWR_LABELS
from heavylegs_core.views.chart_widget import offline_chart, to_spec
from heavylegs_core.views.guard import guard_tree
from heavylegs_core.views.html import esc
from heavylegs_core.views.upload_widget import UploadArea
from heavylegs_core.views.view_cache import cached_educational_note, cached_view
from heavylegs_core.views.widgets import (
    ErrorBox,
    SharedLooks,
    app_root,
    mark_ready,
    reports_errors,
)

if TYPE_CHECKING:  # pandas, the metrics and the charts load on first use (a cached first view needs none)
    from heavylegs_core.domain.history import History
    from heavylegs_core.domain.profile import AthleteProfile


def dashboard_view(history: History, *, acwr_kind: str = "uncoupled", unit: str = "km",
                   sleep_need_h: float = DEFAULT_SLEEP_NEED_H, notes: Sequence[str] = ()) -> dict[str, Any]:
    """What the app draws for one history, as JSON-able values (so it can be cached).

    ``spec``: the Vega-Lite spec of :func:`heavylegs_core.views.charts.dashboard_chart`;
    ``status``: the history line (HTML); ``summary``: the whole-history summary
    table (HTML, :func:`period_summary`); ``caveat``: the short ACWR caveat (text).
    ``sleep_need_h`` in hours.
    """
    from heavylegs_core.knowledge.chart_references import load_chart_references
    from heavylegs_core.views.charts import dashboard_chart, dashboard_data

    refs = load_chart_references()
    data = dashboard_data(history.metrics, history.sessions, history.ratings, unit=unit, assessments=history.assessments)
    spec = to_spec(dashboard_chart(data, refs, acwr_kind=acwr_kind, sleep_need_h=sleep_need_h))
    return {"spec": spec, "status": status_html(history, data.resolution, notes),
            "summary": summary_view(history, None, unit=unit, acwr_kind=acwr_kind, sleep_need_h=sleep_need_h),
            "caveat": refs.acwr_caveat.short}


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
    model = DashboardModel.create(athlete=athlete, history=history, profile=profile)

    def live_view(notes: Sequence[str] = ()) -> dict[str, Any]:
        return dashboard_view(model.ensure(), acwr_kind=model.acwr_kind, unit=model.unit,
                              sleep_need_h=model.sleep_need_h, notes=notes)

    def view(notes: Sequence[str] = ()) -> dict[str, Any]:
        cache = None if notes else model.cache_key()
        if cache is None:
            return live_view(notes)
        name, inputs = cache
        return cached_view("dashboard", name, live_view, inputs=inputs)

    shown = view()

    pick = widgets.Dropdown(options=model.options, value=model.key, description="Athlete",
                            style={"description_width": "initial"}, layout=widgets.Layout(width="auto"))
    # Widgets that keep their default look share one Layout and one style model each (ErrorBox
    # and the chart have their own): the browser builds every model before the app shows.
    looks = SharedLooks()
    plain, html = looks.plain, looks.html

    acwr = widgets.ToggleButtons(options=[("Coupled", "coupled"), ("Uncoupled", "uncoupled"), ("EWMA", "ewma")],
                                 value=model.acwr_kind, description="ACWR",
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

    @reports_errors(errors)
    def on_brush(change: dict) -> None:
        summary.value = model.brush(getattr(change["new"], "value", None))

    def redraw(notes: Sequence[str] = ()) -> None:
        new = view(notes)
        chart.spec = new["spec"]
        chart.selections.observe(on_brush, ["period"])  # a new chart brings a new selections object
        status.value = new["status"]
        summary.value = new["summary"]
        download.value = ""

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        model.pick(change["new"])
        redraw()

    @reports_errors(errors)
    def on_acwr(change: dict) -> None:
        model.set_acwr(change["new"])
        redraw()

    @reports_errors(errors)
    def on_unit(change: dict) -> None:
        model.set_unit(change["new"])
        redraw()

    def on_upload(files: list[Received]) -> None:
        notes = model.upload(files, tz=tz.value.strip() or "UTC")
        pick.unobserve(on_pick, names="value")  # the picker follows; the chart is drawn once below
        try:
            pick.options = model.options
            pick.value = model.key
        finally:
            pick.observe(on_pick, names="value")
        redraw(notes)

    def exporter(fmt: str):
        @reports_errors(errors)
        def on_click(_button: widgets.Button) -> None:
            stem = f"heavylegs-dashboard-{dt.date.today():%Y%m%d}"
            download.value = model.export(chart.spec, fmt, stem)

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
                   f'<p class="hl-note" role="note"><small>{esc(cached_educational_note())}</small></p>')
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
                        "errors": errors, "model": model}
    guard_tree(root, errors)  # state the page sends around the controls: refused, shown in errors
    return mark_ready(root)


__all__ = ["dashboard_app", "dashboard_view"]
