"""The landing page's widgets and its one real chart (the contents and the state are :mod:`.model`)."""

from __future__ import annotations

import ipywidgets as widgets

from heavylegs_core.apps.landing.model import LandingModel
from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import (
    PMDATA_ATTRIBUTION,
    pmdata_file,
    pmdata_participants,
)
from heavylegs_core.views.chart_widget import offline_chart, to_spec
from heavylegs_core.views.html import esc
from heavylegs_core.views.view_cache import cached_educational_note, cached_view
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors


def sample_chart(participant: str):
    """The weekly load chart (Altair) of one bundled PMData participant."""
    from heavylegs_core.io.history import sample_history
    from heavylegs_core.views.charts import weekly_load, weekly_load_chart

    if participant not in pmdata_participants():
        raise UserError(f"unknown sample athlete {participant!r}", where="athlete")
    sessions = sample_history(participant).sessions
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
    model = LandingModel.create()
    pick = widgets.Dropdown(options=model.participants, value=model.participant,
                            description="Sample athlete", style={"description_width": "initial"})
    chart = offline_chart(sample_spec(model.participant))

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        chart.spec = sample_spec(model.pick(change["new"]))

    pick.observe(on_pick, names="value")
    # the static text in one widget: every widget is three models for the browser to build
    intro = widgets.HTML(model.intro_html(cached_educational_note()))
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
