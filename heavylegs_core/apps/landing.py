"""The landing page app: what the workbook is for, where to go, one real chart."""

from __future__ import annotations

import ipywidgets as widgets

from heavylegs_core import EDUCATIONAL_NOTE
from heavylegs_core.apps.catalogue import Entry, catalogue
from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import (
    PMDATA_ATTRIBUTION,
    pmdata_file,
    pmdata_participants,
)
from heavylegs_core.views.chart_widget import offline_chart, to_spec
from heavylegs_core.views.html import esc
from heavylegs_core.views.view_cache import cached_view
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors


def contents_html(entries: list[Entry]) -> str:
    """The list of apps and lessons as HTML, with relative links that work in Voila and JupyterLab."""
    parts = []
    for kind, heading in (("app", "Apps"), ("lesson", "Lessons")):
        items = [e for e in entries if e.kind == kind]
        if not items:
            continue
        rows = "".join(
            f'<li><a href="{esc(e.file)}">{esc(e.title)}</a>'
            + (f" — {esc(e.summary)}" if e.summary else "") + "</li>"
            for e in items
        )
        parts.append(f"<h3>{heading}</h3><ul>{rows}</ul>")
    if not parts:
        parts.append("<p>No apps or lessons are installed yet.</p>")
    return '<nav class="hl-contents" aria-label="Workbook contents">' + "".join(parts) + "</nav>"


def sample_chart(participant: str):
    """The weekly load chart (Altair) of one bundled PMData participant."""
    from heavylegs_core.domain.records import with_loads
    from heavylegs_core.io.pmdata import read_srpe
    from heavylegs_core.views.charts import weekly_load, weekly_load_chart

    if participant not in pmdata_participants():
        raise UserError(f"unknown sample athlete {participant!r}", where="athlete")
    sessions = with_loads(read_srpe(pmdata_file(participant, "srpe.csv")))
    return weekly_load_chart(weekly_load(sessions), title=f"Weekly training load, PMData {participant}")


def sample_spec(participant: str) -> dict:
    """The Vega-Lite spec of :func:`sample_chart`, cached across kernels (:func:`heavylegs_core.views.view_cache.cached_view`).

    The cache is keyed by the package's code and the participant's ``srpe.csv``, so it
    always equals a fresh ``sample_chart(participant)``; with it the landing page opens
    without importing pandas or Altair.
    """
    if participant not in pmdata_participants():
        raise UserError(f"unknown sample athlete {participant!r}", where="athlete")
    return cached_view("landing", participant, lambda: to_spec(sample_chart(participant)),
                       inputs=(pmdata_file(participant, "srpe.csv"),))


def landing_app() -> widgets.VBox:
    """Build the landing page: contents, the educational note and a sample chart."""
    errors = ErrorBox()
    people = pmdata_participants()
    pick = widgets.Dropdown(options=people, value=people[1] if len(people) > 1 else people[0],
                            description="Sample athlete", style={"description_width": "initial"})
    chart = offline_chart(sample_spec(pick.value))

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        chart.spec = sample_spec(change["new"])

    pick.observe(on_pick, names="value")
    # the static text in one widget: every widget is three models for the browser to build
    intro = widgets.HTML(contents_html(catalogue())
                         + f'<p class="hl-note" role="note"><strong>{esc(EDUCATIONAL_NOTE)}</strong></p>'
                         + "<h3>A real training history</h3>")
    root = app_root(
        [
            intro,
            pick,
            chart,
            widgets.HTML(f'<p class="hl-attribution"><small>{esc(PMDATA_ATTRIBUTION)}</small></p>'),
            errors,
        ],
        name="landing",
    )
    return mark_ready(root)
