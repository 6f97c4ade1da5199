"""Building blocks of the lesson notebooks (notebooks/11_* to 15_*).

Each lesson module exposes the lesson's apps (root widgets with the ``hl-app``
and ``hl-ready`` classes; every callback wrapped with
:func:`heavylegs_core.views.widgets.reports_errors`) and a ``FACTS`` dict: every number the
lesson's text states, computed by the package and formatted as the text prints
it. ``tests/test_lessons.py`` checks the notebooks' Markdown against ``FACTS``,
so text and code cannot drift apart.

This module holds what every lesson shares: the check-your-understanding quiz
(:func:`quiz`, :func:`quiz_app`) and the PMData attribution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as widgets

from heavylegs_core import EDUCATIONAL_NOTE
from heavylegs_core.base.paths import PMDATA_ATTRIBUTION  # noqa: F401  (re-exported for the lessons)
from heavylegs_core.views.html import esc
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

START = dt.date(2026, 1, 5)  # a Monday; the lessons' simulated histories start here



@dataclass(frozen=True)
class Question:
    """One multiple-choice question: the options, the index of the right one and why it is right."""

    text: str
    options: tuple[str, ...]
    correct: int
    explanation: str

    def __post_init__(self) -> None:
        if len(self.options) < 2:
            raise ValueError("a question needs at least two options")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be different from each other")
        if not 0 <= self.correct < len(self.options):
            raise ValueError(f"correct must index one of the {len(self.options)} options, got {self.correct!r}")


def feedback_html(question: Question, chosen: int | None) -> str:
    """The feedback for an answer (``chosen`` = option index, or None when nothing is picked)."""
    if chosen is None:
        return '<p class="hl-quiz-feedback" role="status">Pick an answer first.</p>'
    if chosen == question.correct:
        return ('<p class="hl-quiz-feedback hl-quiz-right" role="status"><strong>Right.</strong> '
                f"{esc(question.explanation)}</p>")
    return ('<p class="hl-quiz-feedback hl-quiz-wrong" role="status"><strong>Not quite.</strong> '
            "Think again, or reveal the answer.</p>")


def reveal_html(question: Question) -> str:
    """The revealed answer with its explanation."""
    return ('<p class="hl-quiz-feedback hl-quiz-reveal" role="status"><strong>Answer:</strong> '
            f"{esc(question.options[question.correct])}. {esc(question.explanation)}</p>")


def quiz(question: Question, number: int, errors: ErrorBox) -> widgets.VBox:
    """One question as widgets: radio buttons (arrow keys work), a Check and a Reveal button.

    Check gives immediate feedback; Reveal shows the right answer and why. All text is escaped.
    """
    text = widgets.HTML(f"<p><strong>Question {number}.</strong> {esc(question.text)}</p>")
    choice = widgets.RadioButtons(options=[(opt, i) for i, opt in enumerate(question.options)],
                                  value=None, layout=widgets.Layout(width="auto"))
    check = widgets.Button(description="Check", button_style="primary", tooltip="Check your answer")
    reveal = widgets.Button(description="Reveal answer", tooltip="Show the right answer and why")
    feedback = widgets.HTML("")

    @reports_errors(errors)
    def on_check(_button: widgets.Button) -> None:
        feedback.value = feedback_html(question, choice.value)

    @reports_errors(errors)
    def on_reveal(_button: widgets.Button) -> None:
        feedback.value = reveal_html(question)

    @reports_errors(errors)
    def on_change(_change: dict) -> None:
        feedback.value = ""

    check.on_click(on_check)
    reveal.on_click(on_reveal)
    choice.observe(on_change, names="value")
    box = widgets.VBox([text, choice, widgets.HBox([check, reveal]), feedback])
    box.add_class("hl-quiz")
    return box


def quiz_app(questions: Sequence[Question], *, name: str = "quiz") -> widgets.VBox:
    """A check-your-understanding block: one :func:`quiz` per question, numbered from 1.

    The block has no heading of its own: the notebook's Markdown gives it one (so it appears in
    JupyterLab's table of contents).
    """
    if not questions:
        raise ValueError("a quiz needs at least one question")
    errors = ErrorBox()
    items = [quiz(q, i, errors) for i, q in enumerate(questions, start=1)]
    return mark_ready(app_root([*items, errors], name=name))


def note_html(*extra: str) -> str:
    """The educational note (and any attribution lines) as small print."""
    lines = "".join(f"<br>{esc(x)}" for x in extra)
    return f'<p class="hl-note" role="note"><small>{esc(EDUCATIONAL_NOTE)}{lines}</small></p>'


def sessions_from_loads(loads: Sequence[float] | np.ndarray, start: dt.date = START,
                        distance_km: Sequence[float] | np.ndarray | None = None) -> pd.DataFrame:
    """Canonical run sessions from a daily series (AU per day; 0 = rest day, no session).

    ``distance_km`` (km per day, optional) gives each day's run distance.
    """
    import numpy as np
    import pandas as pd

    loads = np.asarray(loads, dtype="float64")
    days = np.flatnonzero(loads > 0)
    out = pd.DataFrame({"date": pd.to_datetime([start + dt.timedelta(days=int(d)) for d in days]),
                        "sport": "run", "load": loads[days]})
    if distance_km is not None:
        out["distance_km"] = np.asarray(distance_km, dtype="float64")[days]
    return out
