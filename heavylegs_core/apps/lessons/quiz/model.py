"""The quiz without widgets: a question, the feedback on an answer and the revealed answer.

All text is escaped. The widgets are in :mod:`heavylegs_core.apps.lessons.quiz.view`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from heavylegs_core.views.html import esc


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


def question_html(question: Question, number: int) -> str:
    """The question's text, numbered from 1."""
    return f"<p><strong>Question {number}.</strong> {esc(question.text)}</p>"


@dataclass(frozen=True)
class QuizModel:
    """A quiz: its questions (at least one), numbered from 1, and what Check and Reveal show."""

    questions: Sequence[Question]

    def __post_init__(self) -> None:
        if not self.questions:
            raise ValueError("a quiz needs at least one question")
        object.__setattr__(self, "questions", tuple(self.questions))

    def question(self, number: int) -> Question:
        """Question ``number`` (1-based)."""
        if not 1 <= number <= len(self.questions):
            raise ValueError(f"the quiz has questions 1 to {len(self.questions)}, not {number!r}")
        return self.questions[number - 1]

    def check(self, number: int, chosen: int | None) -> str:
        """The feedback on the answer ``chosen`` (option index, None when nothing is picked) to question ``number``."""
        return feedback_html(self.question(number), chosen)

    def reveal(self, number: int) -> str:
        """The right answer to question ``number`` and why."""
        return reveal_html(self.question(number))
