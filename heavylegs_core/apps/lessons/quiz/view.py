"""The quiz as widgets: radio buttons (arrow keys work), a Check and a Reveal button per question.

Check gives immediate feedback; Reveal shows the right answer and why
(:class:`~heavylegs_core.apps.lessons.quiz.model.QuizModel` makes both).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from heavylegs_core.apps.lessons.quiz.model import Question, QuizModel, question_html
from heavylegs_core.views.widgets import ErrorBox, app_root, mark_ready, reports_errors


def quiz(model: QuizModel, number: int, errors: ErrorBox) -> widgets.VBox:
    """Question ``number`` (1-based) of ``model`` as widgets: radio buttons, Check and Reveal answer."""
    question = model.question(number)
    text = widgets.HTML(question_html(question, number))
    choice = widgets.RadioButtons(options=[(opt, i) for i, opt in enumerate(question.options)],
                                  value=None, layout=widgets.Layout(width="auto"))
    check = widgets.Button(description="Check", button_style="primary", tooltip="Check your answer")
    reveal = widgets.Button(description="Reveal answer", tooltip="Show the right answer and why")
    feedback = widgets.HTML("")

    @reports_errors(errors)
    def on_check(_button: widgets.Button) -> None:
        feedback.value = model.check(number, choice.value)

    @reports_errors(errors)
    def on_reveal(_button: widgets.Button) -> None:
        feedback.value = model.reveal(number)

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
    model = QuizModel(questions)
    errors = ErrorBox()
    items = [quiz(model, i, errors) for i in range(1, len(model.questions) + 1)]
    return mark_ready(app_root([*items, errors], name=name))
