"""Lesson 5's apps: how the cause model reasons.

Apps: :func:`case_app` (a case the student edits answer by answer, with every
contribution to one cause listed in evidence points) and :func:`quiz_app`. The numbers
come from :mod:`heavylegs_core.apps.lessons.cause_model.model`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from heavylegs_core.apps.lessons.cause_model.model import (
    CASE,
    CASE_QUESTIONS,
    FOCUS,
    QUESTIONS,
    CaseModel,
    answer_options,
    cause_options,
    question_html,
)
from heavylegs_core.apps.lessons.common import note_html
from heavylegs_core.apps.lessons.quiz.view import quiz_app as _quiz_app
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors


def case_app(answers: Mapping[str, Any] | None = None, focus: str = FOCUS) -> widgets.VBox:
    """Edit the case answer by answer; the focused cause's contributions and the ranking follow."""
    errors = ErrorBox()
    start = dict(CASE if answers is None else answers)
    pickers: dict[str, widgets.Dropdown] = {}
    rows: list[widgets.Widget] = []
    for qid in CASE_QUESTIONS:
        label = widgets.HTML(question_html(qid))
        pick = widgets.Dropdown(options=answer_options(qid), value=start.get(qid),
                                layout=widgets.Layout(width="min(100%, 32em)"), description="Answer")
        pickers[qid] = pick
        rows.append(widgets.VBox([label, pick]))
    cause = widgets.Dropdown(options=cause_options(), value=focus,
                             description="Follow the cause", style={"description_width": "initial"})
    out = widgets.HTML(CaseModel(start, focus).result().html)
    out.add_class("hl-case-result")

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        out.value = CaseModel({q: p.value for q, p in pickers.items()}, cause.value).result().html

    for p in (*pickers.values(), cause):
        p.observe(on_change, names="value")
    case = widgets.VBox(rows, layout=widgets.Layout(width="min(100%, 36em)"))
    result = widgets.VBox([cause, out], layout=widgets.Layout(width="min(100%, 40em)"))
    box = widgets.Box([case, result], layout=widgets.Layout(display="flex", flex_flow="row wrap", grid_gap="1em"))
    return mark_ready(app_root([box, errors, widgets.HTML(note_html())], name="lesson-case"))


def quiz_app() -> widgets.VBox:
    """Lesson 5's check-your-understanding questions."""
    return _quiz_app(QUESTIONS, name="lesson-quiz")
