"""The assessment's state and operations, without widgets (the view is :mod:`.view`).

Flow: athlete → the red-flag screen first (a yes or "not sure" stops the flow with the
action and the number to call) → the heavy legs themselves → context, in short steps →
optional history (upload or a sample athlete) → results that update live as answers
change → downloads. Questions come from the knowledge base; every one can be left as
"don't know". Every value that comes from the browser is validated here before use.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.history import History
from heavylegs_core.domain.model import Assessment, Engine, engine, is_shown
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.knowledge import (
    ATHLETE_QUESTIONS,
    Knowledge,
    Question,
    load_knowledge,
)
from heavylegs_core.views.html import esc, quote

UNITS = ("km", "miles")
MAX_NAME = 80
MAX_ANSWERS_BYTES = 256 * 1024  # a saved session (answers and results) to resume from
MAX_NUMBER_CHARS = 40
SAFETY_INTRO = ("<p class='hl-note'>Safety first: these questions come before anything else. "
                "Answer <em>Not sure</em> if in doubt; it counts as a yes.</p>")


def parse_number(text: str, q: Question) -> float | None:
    """A number answer typed by the user: empty means "don't know"; out of range is an error."""
    if not isinstance(text, str):
        raise UserError(f"{q.text} — {quote(text, 40)} is not a number", where="answer")
    text = text.strip().replace(",", ".")
    if len(text) > MAX_NUMBER_CHARS:
        raise UserError(f"{q.text} — {len(text):,} characters is too long for a number", where="answer")
    if not text or text.lower() in ("?", "dont_know", "don't know"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{q.text} — {text!r} is not a number", where="answer") from None
    lo = -math.inf if q.min is None else q.min
    hi = math.inf if q.max is None else q.max
    if not (math.isfinite(value) and lo <= value <= hi):
        raise UserError(f"{q.text} — {value:g} is outside {lo:g} to {hi:g}", where="answer")
    return value


@dataclass(frozen=True)
class Step:
    """One step of the walk-through: ``kind`` is ``athlete``, ``questions``, ``history`` or ``keep``."""

    title: str
    kind: str
    questions: tuple[Question, ...] = ()
    intro: str = ""
    safety: bool = False


def plan_steps(kb: Knowledge) -> list[Step]:
    """The steps in order: the athlete, the knowledge base's question steps, history, keep."""
    steps = [Step("About the athlete", "athlete")]
    first_order = min(s.order for s in kb.steps)
    for step in sorted(kb.steps, key=lambda s: s.order):
        qs = tuple(q for q in kb.questions if q.step == step.id and q.id not in ATHLETE_QUESTIONS)
        if not qs:
            continue
        safety = step.section == "red_flags"
        steps.append(Step(step.title, "questions", qs, SAFETY_INTRO if safety and step.order == first_order else "",
                          safety))
    steps.append(Step("Training and sleep history (optional)", "history"))
    steps.append(Step("Keep this session", "keep"))
    return steps


class Move(NamedTuple):
    """The step to show (None: stay) and whether the safety gate opens first."""

    target: int | None
    gate: bool


@dataclass
class AssessmentModel:
    """What one assessment holds: who, the answers, the history, the result, the safety gate.

    ``given_today`` is the day assessed (None: the current date, read each time, since a
    preheated kernel may wait overnight); ``history_day`` the day whose daily metrics are the
    history evidence (None: the history's last day with data; a coach's records use today,
    so the days since the last session count as rest).
    """

    kb: Knowledge = field(default_factory=load_knowledge)
    engine: Engine = field(default_factory=engine)
    given_today: dt.date | None = None
    name: str = ""
    country: str = ""
    units: str = "km"
    answers: dict[str, Any] = field(default_factory=dict)
    history: History | None = None
    history_day: dt.date | None = None
    result: Assessment | None = None
    acknowledged: bool = False
    steps: list[Step] = field(init=False)

    def __post_init__(self) -> None:
        self.steps = plan_steps(self.kb)
        self.country = self.country or next(iter(self.countries))

    @property
    def countries(self) -> dict[str, str]:
        """The country groups offered and their emergency numbers (``notes.yaml``; red-flags.md rule 5)."""
        return {e.label: e.number for e in self.kb.emergency_numbers}

    @classmethod
    def create(cls, kb: Knowledge | None = None, *, today: dt.date | None = None) -> AssessmentModel:
        """A new assessment with ``kb`` (default: the bundled knowledge and its cached engine)."""
        if kb is None:
            return cls(given_today=today)
        return cls(kb=kb, engine=Engine(kb), given_today=today)

    # ----------------------------------------------------------------- the steps
    @property
    def last_red_flag_step(self) -> int:
        """The index of the last warning-sign step: the safety gate closes after it."""
        return max(i for i, s in enumerate(self.steps) if s.safety)

    def step_index(self, kind: str) -> int:
        """The index of the first step of this ``kind``."""
        return next(i for i, s in enumerate(self.steps) if s.kind == kind)

    def move(self, current: int, delta: int) -> Move:
        """Where moving ``delta`` steps from ``current`` leads, and whether the safety gate opens.

        Leaving a warning-sign step with a warning sign not yet acknowledged opens the
        gate; on the last of those steps it also stops the move (``target`` None).
        """
        target = max(0, min(len(self.steps) - 1, current + delta))
        if delta > 0 and current <= self.last_red_flag_step:
            result = self.assess()
            if result.triage.level != "none" and not self.acknowledged:
                return Move(None if current == self.last_red_flag_step else target, gate=True)
        return Move(target, gate=False)

    def acknowledge(self) -> int:
        """The warning-sign advice was read: the step the walk-through goes on with."""
        self.acknowledged = True
        return self.last_red_flag_step + 1

    @property
    def gate_open(self) -> bool:
        """True when a warning sign needs acknowledging before anything else is shown."""
        return self.result is not None and self.result.triage.level != "none" and not self.acknowledged

    # ----------------------------------------------------------------- who and where
    @property
    def today(self) -> dt.date:
        """The day assessed: the one given, else the current date (read each time)."""
        return self.given_today or dt.date.today()

    def set_name(self, text: str) -> str:
        """The athlete's name (shown, escaped, in results and downloads); too long is cut and an error."""
        name = str(text)
        self.name = name[:MAX_NAME]
        if len(name) > MAX_NAME:
            raise UserError(f"the name was cut to {MAX_NAME} characters", where="name")
        return self.name

    def profile(self) -> AthleteProfile:
        """The athlete profile from the answers (sex and age)."""
        return AthleteProfile.from_answers(self.answers)

    def emergency_number(self) -> str:
        """The number to call, validated against the country list."""
        if self.country not in self.countries:
            raise UserError("choose a country from the list", where="country")
        return self.countries[self.country]

    # ----------------------------------------------------------------- answers and results
    def set_answers(self, given: Mapping[str, Any]) -> dict[str, bool]:
        """Take the answers as the questions hold them (None = unanswered); returns which questions
        with a ``show_if`` are shown. A hidden question's answer does not count."""
        answers = {q: a for q, a in given.items() if a is not None}
        shown: dict[str, bool] = {}
        for q in self.kb.questions:
            if q.show_if is not None and q.id in given:
                shown[q.id] = is_shown(q, answers)
                if not shown[q.id]:
                    answers.pop(q.id, None)
        self.answers = answers
        return shown

    def validate(self, answers: Any, where: str) -> dict[str, Any]:
        """Saved answers checked against the questionnaire (all or nothing)."""
        return self.engine.validate_answers(answers, where)

    @property
    def evidence(self) -> tuple[dict[str, Any] | None, dt.date | None]:
        """The history's evidence row and its day, or (None, None) without a history."""
        if self.history is None:
            return None, None
        ev = self.history.evidence(self.history_day)
        return ev.row, ev.day

    def assess(self) -> Assessment:
        """Assess the current answers with the history's last day as evidence."""
        metrics, day = self.evidence
        result = self.engine.assess(self.answers, metrics, profile=self.profile(), as_of=day or self.today,
                                    emergency_number=self.emergency_number(), where="answers")
        self.result = result
        if result.triage.level == "none":
            self.acknowledged = False
        return result

    # ----------------------------------------------------------------- history
    def use_history(self, history: History | None) -> None:
        """Use ``history`` as evidence (None forgets it); one without training is an error."""
        if history is not None and not history.has_training(self.history_day):
            raise UserError("these files hold no training sessions: add a training export",
                            where=history.label or "history")
        self.history = history

    @property
    def unit(self) -> str:
        """The distance unit of summaries: ``km`` or ``mi``."""
        return "km" if self.units == "km" else "mi"

    def history_summary(self) -> dict[str, str]:
        """The history's key figures in the chosen unit, or {} without a history."""
        return {} if self.history is None else self.history.summary(self.history_day, unit=self.unit)

    def history_html(self) -> str:
        """The summary table and what the importers skipped on purpose (HTML, escaped)."""
        if self.history is None:
            return ""
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in self.history_summary().items())
        skipped = ""
        if self.history.skipped:
            skipped = "<p>Skipped on purpose: " + ", ".join(
                f"{esc(n)} × {esc(reason)}" for reason, n in self.history.skipped.items()) + "</p>"
        return f"<table class='hl-summary'>{rows}</table>{skipped}"

    # ----------------------------------------------------------------- keep and resume
    def payload(self) -> dict[str, Any]:
        """Answers and results as one JSON-ready document (the download to resume from)."""
        # the report's code: only for downloads
        from heavylegs_core.views.report import session_payload

        result = self.result or self.assess()
        doc = session_payload(self.answers, result, athlete=self.name, summary=self.history_summary())
        doc["athlete_details"] = {"units": self.units, "country": self.country}
        return doc

    def report(self) -> str:
        """The printable report (HTML) of the current result, with the history's charts inline."""
        # the report's code: only for downloads
        from heavylegs_core.views.report import report_page

        return report_page(self.answers, self.assess(), history=self.history, athlete=self.name,
                           question_text={q.id: q.text for q in self.kb.questions}, unit=self.unit)

    def read_saved(self, raw: bytes, where: str) -> tuple[dict[str, Any], str | None]:
        """A downloaded session file: its validated answers and the athlete's name (if any)."""
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise UserError("not a saved heavylegs session (not JSON)", where=where) from None
        answers = self.validate(doc.get("answers", doc) if isinstance(doc, dict) else doc, where)
        name = doc.get("athlete") if isinstance(doc, dict) and isinstance(doc.get("athlete"), str) else None
        return answers, None if name is None else name[:MAX_NAME]
