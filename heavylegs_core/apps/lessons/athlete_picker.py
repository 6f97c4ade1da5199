"""The lessons' real-athlete piece: a PMData participant picker over one chart (a view).

Every lesson that shows a real athlete uses it, so the picker, the chart, the error box
and the attribution look and behave the same in all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from heavylegs_core.apps.lessons.common import PMDATA_ATTRIBUTION, note_html
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors


def athlete_picker_app(chart_of: Callable[[str], Any], participants: Sequence[str], participant: str) -> widgets.VBox:
    """The root widget (``hl-lesson-athlete``): a dropdown of ``participants`` and the Altair chart
    ``chart_of(participant)`` of the one picked, redrawn when the pick changes."""
    errors = ErrorBox()
    pick = widgets.Dropdown(options=list(participants), value=participant, description="PMData athlete",
                            style={"description_width": "initial"})
    chart = offline_chart(chart_of(participant))

    @reports_errors(errors)
    def on_pick(change: dict) -> None:
        chart.chart = chart_of(change["new"])

    pick.observe(on_pick, names="value")
    root = app_root([pick, chart, errors, widgets.HTML(note_html(PMDATA_ATTRIBUTION))], name="lesson-athlete")
    return mark_ready(root)
