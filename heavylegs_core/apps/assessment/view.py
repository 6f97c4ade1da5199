"""The assessment's widgets (the state and the operations are :mod:`.model`).

Every callback reports failures in the ``.hl-error`` box and hands what the page sent
to one model operation; the model validates it.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from heavylegs_core.apps.assessment.model import (
    MAX_ANSWERS_BYTES,
    MAX_NUMBER_CHARS,
    UNITS,
    AssessmentModel,
    Step,
    parse_number,
)
from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_participants
from heavylegs_core.domain.history import History
from heavylegs_core.domain.model import Assessment
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.io.uploads import Received, safe_filename
from heavylegs_core.knowledge import ATHLETE_QUESTIONS, DONT_KNOW, Knowledge, Question
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.guard import checked_uploads, guard, guard_tree
from heavylegs_core.views.html import esc
from heavylegs_core.views.results_html import RESULTS_CSS, results_html, triage_html
from heavylegs_core.views.upload_widget import UploadArea
from heavylegs_core.views.widgets import (
    ErrorBox,
    SharedLooks,
    mark_ready,
    reports_errors,
)

NOT_CHOSEN = "—"


#: Styles of the questions (the label above its control) and of the results, sent once
#: per page in their own hidden widget rather than with every redraw of the results.
QUESTION_CSS = """
.hl-assessment .hl-question { flex-direction: column; align-items: stretch; width: 100%; height: auto;
  margin: 6px 0; }
.hl-assessment .hl-question > .widget-label { width: auto; max-width: 100%; height: auto; margin: 0 0 4px 0;
  text-align: left; white-space: normal; overflow: visible; line-height: 1.5; }
.hl-assessment .hl-question .hl-help { display: block; }
.hl-assessment .hl-question > select, .hl-assessment .hl-question > input {
  flex: none; height: var(--jp-widgets-inline-height, 28px); max-width: 100%; }
.hl-assessment .hl-question > select { width: 100%; }
.hl-assessment .hl-question > input { width: 16rem; align-self: flex-start; }
@media print {
  .hl-assessment .hl-question { display: flex !important; }
  .hl-assessment .hl-question > select { display: none; }
}
"""


class QuestionField:
    """One question as ONE widget: a control whose label carries the question and its help.

    The label is the control's description (a ``<label>`` tied to the control, so a
    screen reader announces the question with it), and "don't know" is always allowed.
    The control carries the CSS classes ``hl-question`` and ``hl-q-<question id>``.
    """

    def __init__(self, q: Question, on_change: Callable[[str], None], looks: SharedLooks | None = None):
        self.q = q
        self._looks = looks or SharedLooks()
        label = f'<span class="hl-q">{esc(q.text)}</span>' + (
            f'<span class="hl-help">{esc(q.help)}</span>' if q.help else "")
        common = {"description": label, "description_allow_html": True, "layout": self._looks.plain,
                  "_dom_classes": ("hl-question", f"hl-q-{q.id}")}
        if q.type == "single":
            opts = [(NOT_CHOSEN, None)] + [(o.label, o.id) for o in q.options]
            if q.dont_know:
                opts.append(("Don't know", DONT_KNOW))
            self.control: widgets.ValueWidget = widgets.Dropdown(
                options=opts, value=None, style=self._looks.dropdown_style, **common)
        else:
            unit = f" ({q.unit})" if q.unit else ""
            self.control = widgets.Text(value="", placeholder=f"number{unit}, or leave empty",
                                        continuous_update=False, style=self._looks.text_style, **common)
        self._on_change = on_change
        self.control.observe(self._changed, names="value")

    def _changed(self, change: dict) -> None:
        self._on_change(self.q.id)

    @property
    def shown(self) -> bool:
        """Whether the question is shown (``show_if`` may hide it)."""
        return self.control.layout is not self._looks.hidden

    def show(self, shown: bool) -> None:
        """Show or hide the question (a shared layout is swapped in, never changed)."""
        layout = self._looks.plain if shown else self._looks.hidden
        if self.control.layout is not layout:
            self.control.layout = layout

    def answer(self) -> Any:
        """The current answer: an option id, a number, ``"dont_know"`` or None (unanswered)."""
        if self.q.type == "single":
            value = self.control.value
            if value is not None and value != DONT_KNOW and value not in self.q.option_ids():
                raise UserError(f"{self.q.text} — invalid choice {value!r}", where="answer")
            return value
        return parse_number(self.control.value, self.q)

    def set_answer(self, value: Any) -> None:
        """Show a saved answer (already validated)."""
        if self.q.type == "single":
            self.control.value = value if value in (*self.q.option_ids(), DONT_KNOW) else None
        else:
            self.control.value = "" if value is None else f"{float(value):g}"


class AssessmentApp(widgets.VBox):
    """The whole assessment, as one widget (``hl-app``; ``hl-ready`` once built) over an
    :class:`~heavylegs_core.apps.assessment.model.AssessmentModel`."""

    def __init__(self, kb: Knowledge | None = None, *, today: dt.date | None = None,
                 model: AssessmentModel | None = None):
        self.model = model or AssessmentModel.create(kb, today=today)
        self.kb, self.engine = self.model.kb, self.model.engine
        self.errors = ErrorBox()
        self.fields: dict[str, QuestionField] = {}
        self._loading = False
        self._looks = SharedLooks()

        # Steps are built when first shown (a questionnaire of ~90 questions is ~1,000 widgets):
        # answers of steps not built yet live in self._pending.
        self._pending: dict[str, Any] = {}
        builders = {"athlete": self._athlete_step, "history": self._history_step, "keep": self._keep_step}
        self.steps: list[tuple[str, Callable[[], list[widgets.Widget]]]] = [
            (s.title, functools.partial(self._question_step, s) if s.kind == "questions" else builders[s.kind])
            for s in self.model.steps]
        self._last_red_flag_step = self.model.last_red_flag_step
        self.history_step = self.model.step_index("history")
        self.keep_step = self.model.step_index("keep")
        self._pages = [widgets.VBox(layout=self._looks.plain) for _ in self.steps]
        self._built: set[int] = set()
        self._build(0)

        self.stack = widgets.Stack(self._pages, selected_index=0)
        self.progress = widgets.IntProgress(min=1, max=len(self.steps), value=1,
                                            layout=widgets.Layout(width="100%"))
        self.step_title = widgets.HTML()
        self.back = widgets.Button(description="Back", icon="", disabled=True)
        self.next = widgets.Button(description="Next", button_style="primary")
        self.back.add_class("hl-back")
        self.next.add_class("hl-next")
        self.back.on_click(reports_errors(self.errors)(lambda _: self.go(-1)))
        self.next.on_click(reports_errors(self.errors)(lambda _: self.go(+1)))

        self.gate_html = widgets.HTML()
        self.ack = widgets.Button(description="I have read this: continue", button_style="danger",
                                  layout=widgets.Layout(width="auto"))
        self.ack.add_class("hl-acknowledge")
        self.ack.on_click(reports_errors(self.errors)(self._acknowledge))
        self.gate = widgets.VBox([self.gate_html, self.ack], layout=widgets.Layout(display="none"))
        self.gate.add_class("hl-gate")
        self.wizard = widgets.VBox([self.step_title, self.progress, self.stack,
                                    widgets.HBox([self.back, self.next])])
        self.results = widgets.HTML(layout=widgets.Layout(display="none"))
        self.results.add_class("hl-results")
        self.looks_css = widgets.HTML(f"<style>{QUESTION_CSS}{RESULTS_CSS}</style>",
                                      layout=widgets.Layout(display="none"))
        super().__init__([self.looks_css, self.errors, self.gate, self.wizard, self.results],
                         layout=widgets.Layout(width="100%", max_width="1100px"))
        self.add_class("hl-app")
        self.add_class("hl-assessment")
        self._show_step()
        self._guard()
        mark_ready(self)

    # what the model holds, read by the roster and the tests
    @property
    def answers(self) -> dict[str, Any]:
        """The answers that count (shown questions only)."""
        return self.model.answers

    @property
    def result(self) -> Assessment | None:
        """The latest result."""
        return self.model.result

    @property
    def acknowledged(self) -> bool:
        """True once the warning-sign advice was acknowledged."""
        return self.model.acknowledged

    @property
    def today(self) -> dt.date:
        """The day assessed."""
        return self.model.today

    @property
    def metrics(self) -> dict[str, Any] | None:
        """The history evidence (the last day's daily metrics), or None."""
        return self.model.evidence[0]

    @property
    def history_as_of(self) -> dt.date | None:
        """The history's last day, or None."""
        return self.model.evidence[1]

    @property
    def history_summary(self) -> dict[str, str]:
        """The history's key figures in the chosen unit."""
        return self.model.history_summary()

    def profile(self) -> AthleteProfile:
        """The athlete profile from the answers (sex and age)."""
        return self.model.profile()

    def _guard(self) -> None:
        """Report and undo state the page sends that a control refuses (heavylegs_core.views.guard)."""
        guard_tree(self, self.errors)

    # ----------------------------------------------------------------- steps
    def _field(self, q: Question) -> QuestionField:
        field = QuestionField(q, reports_errors(self.errors)(self._answer_changed), self._looks)
        guard(field.control, self.errors, label=q.text,
              max_chars=MAX_NUMBER_CHARS if q.type != "single" else 1000)
        if q.id in self._pending:
            field.set_answer(self._pending.pop(q.id))
        self.fields[q.id] = field
        return field

    def _question_step(self, step: Step) -> list[widgets.Widget]:
        body: list[widgets.Widget] = [self._looks.html(step.intro)] if step.intro else []
        return body + [self._field(q).control for q in step.questions]

    def _build(self, i: int) -> None:
        """Build step ``i`` the first time it is needed."""
        if i in self._built:
            return
        self._built.add(i)
        self._loading = True
        try:
            self._pages[i].children = tuple(self.steps[i][1]())
        finally:
            self._loading = False
        if hasattr(self, "errors") and hasattr(self, "stack"):  # steps built later; __init__ guards the first
            self._guard()

    def _athlete_step(self) -> list[widgets.Widget]:
        self.name = widgets.Text(description="Name (optional)", placeholder="first name or initials",
                                 style={"description_width": "initial"}, continuous_update=False)
        self.name.add_class("hl-name")
        self.country = widgets.Dropdown(options=list(self.model.countries), value=self.model.country,
                                        description="Country, for the emergency number",
                                        style={"description_width": "initial"})
        self.units = widgets.ToggleButtons(options=UNITS, value=self.model.units, description="Units")
        self.name.observe(reports_errors(self.errors)(self._name_changed), names="value")
        self.country.observe(reports_errors(self.errors)(self._country_changed), names="value")
        self.units.observe(reports_errors(self.errors)(self._units_changed), names="value")
        fields = [self._field(self.kb.question(q)) for q in ATHLETE_QUESTIONS
                  if q in {x.id for x in self.kb.questions}]
        return [self.name, *(f.control for f in fields), self.units, self.country]

    def _history_step(self) -> list[widgets.Widget]:
        looks = self._looks
        intro = looks.html(
            "<p>Optional: load the athlete's training and sleep history so that the assessment can use "
            "their real load, rest days and sleep. Files stay in this session only.</p>")
        samples = [("No sample", None)] + [(f"PMData {p} (real, CC BY 4.0)", p) for p in pmdata_participants()]
        self.sample = widgets.Dropdown(options=samples, value=None, description="Sample athlete",
                                       style={"description_width": "initial"})
        self.sample.observe(reports_errors(self.errors)(self._sample_changed), names="value")
        # built when the step is first shown: classes given at creation (one message per widget, not two);
        # files are streamed to the server in chunks (heavylegs_core.views.upload_widget), not sent over the websocket
        self.uploader = UploadArea("Upload exports", self._uploaded,
                                   errors=self.errors, classes=("hl-upload",))
        self.upload = self.uploader.widget
        self.import_progress = widgets.IntProgress(min=0, max=1, value=0, description="Import",
                                                   layout=widgets.Layout(display="none"))
        self.history_html = widgets.HTML(_dom_classes=("hl-history",))
        self.history_chart = widgets.VBox()
        self.open_dashboard = widgets.Button(description="Open the full load and sleep dashboard",
                                             layout=widgets.Layout(width="auto", display="none"),
                                             _dom_classes=("hl-open-dashboard",))
        self.open_dashboard.on_click(reports_errors(self.errors)(self._show_dashboard))
        self.dashboard_box = widgets.VBox()
        return [intro, self.sample, self.upload, self.import_progress, self.history_html, self.history_chart,
                self.open_dashboard, self.dashboard_box]

    def _keep_step(self) -> list[widgets.Widget]:
        self.prepare = widgets.Button(description="Prepare downloads", layout=widgets.Layout(width="auto"),
                                      _dom_classes=("hl-prepare",))
        self.prepare.on_click(reports_errors(self.errors)(self._prepare_downloads))
        looks = self._looks
        self.downloads = widgets.HTML(_dom_classes=("hl-downloads",))
        self.resume = widgets.FileUpload(multiple=False, accept=".json", description="Resume from file", icon="",
                                         _dom_classes=("hl-resume",))
        self.resume.observe(reports_errors(self.errors)(self._resume), names="value")
        return [
            looks.html("<p>Download the answers and results (JSON, to resume later) and a printable "
                       "report. Nothing is stored on the server: on Binder everything is gone when the "
                       "session ends.</p>"),
            self.prepare, self.downloads,
            looks.html("<p>Resume an earlier session from its JSON file:</p>"), self.resume,
        ]

    # ----------------------------------------------------------------- navigation
    def go(self, delta: int) -> None:
        """Move ``delta`` steps; leaving the safety screen with a warning sign opens the gate."""
        current = self.stack.selected_index or 0
        if delta > 0:
            self._take_answers()
        move = self.model.move(current, delta)
        if delta > 0 and current <= self._last_red_flag_step:  # the model assessed the answers
            self._show_result()
        if move.gate:
            self._show_gate()
        if move.target is None:
            return
        self._build(move.target)
        self.stack.selected_index = move.target
        self._show_step()

    def _show_step(self) -> None:
        i = self.stack.selected_index or 0
        title, _ = self.steps[i]
        self.step_title.value = f"<h2 class='hl-step'>Step {i + 1} of {len(self.steps)}: {esc(title)}</h2>"
        self.progress.value = i + 1
        self.back.disabled = i == 0
        self.next.disabled = i == len(self.steps) - 1
        past_safety = i > self._last_red_flag_step
        self.results.layout.display = None if past_safety and not self._gate_open() else "none"

    def _gate_open(self) -> bool:
        return self.gate.layout.display != "none"

    def _show_gate(self) -> None:
        assert self.result is not None
        self.gate_html.value = triage_html(self.result.triage)
        self.gate.layout.display = None
        self.wizard.layout.display = "none"
        self.results.layout.display = "none"

    def _acknowledge(self, _: Any = None) -> None:
        target = self.model.acknowledge()
        self.gate.layout.display = "none"
        self.wizard.layout.display = None
        self._build(target)
        self.stack.selected_index = target
        self._show_step()

    # ----------------------------------------------------------------- answers and results
    def _answer_changed(self, qid: str) -> None:
        if not self._loading:
            self.refresh()

    def _name_changed(self, change: dict) -> None:
        try:
            self.model.set_name(change["new"])
        finally:
            if self.name.value != self.model.name:
                self.name.value = self.model.name
        self.refresh()

    def _country_changed(self, change: dict) -> None:
        self.model.country = change["new"]
        self.refresh()

    def _units_changed(self, change: dict) -> None:
        self.model.units = change["new"]
        self.refresh()

    def _take_answers(self) -> None:
        """Hand the questions' answers to the model; hide the questions it says do not apply."""
        given = dict(self._pending)
        given.update({q: f.answer() for q, f in self.fields.items()})
        for qid, shown in self.model.set_answers(given).items():
            if qid in self.fields:
                self.fields[qid].show(shown)

    def _show_result(self) -> None:
        assert self.result is not None
        self.results.value = results_html(self.result, athlete=self.model.name)  # styled by self.looks_css
        self.errors.clear()

    def refresh(self) -> Assessment:
        """Re-run the assessment on the current answers and history and redraw the results."""
        self._take_answers()
        result = self.model.assess()
        self._show_result()
        return result

    # ----------------------------------------------------------------- history
    def _sample_changed(self, change: dict) -> None:
        # the importers: only once a history is wanted
        from heavylegs_core.io.history import sample_history

        pid = change["new"]
        self.set_history(None if pid is None else sample_history(pid))

    def _uploaded(self, files: list[Received]) -> None:
        """Import the files that arrived (deleted after this call, with the upload's ticket)."""
        self._build(self.history_step)
        self.set_history(import_received(files, self.import_progress, profile=self.profile()))

    def set_history(self, history: History | None) -> None:
        """Use ``history`` as evidence (None forgets it) and redraw."""
        self._build(self.history_step)
        self.dashboard_box.children = ()
        self.open_dashboard.layout.display = "none"
        self.model.use_history(history)
        self.history_html.value = self.model.history_html()
        self.history_chart.children = () if history is None else (offline_chart(history_load_chart(history.sessions)),)
        if history is not None:
            self.open_dashboard.layout.display = None
            self._guard()
        self.refresh()

    def _show_dashboard(self, _: Any = None) -> None:
        """Show this athlete's history in the load and sleep dashboard, below the summary."""
        # another app: only when asked for
        from heavylegs_core.apps.dashboard.view import dashboard_app

        if self.model.history is None:
            raise UserError("load a history first (upload files or pick a sample athlete)", where="history")
        self.dashboard_box.children = (dashboard_app(history=self.model.history, profile=self.profile()),)
        self._guard()
        self.open_dashboard.layout.display = "none"

    # ----------------------------------------------------------------- keep and resume
    def payload(self) -> dict[str, Any]:
        """Answers and results as one JSON-ready document."""
        self._take_answers()
        return self.model.payload()

    def _prepare_downloads(self, _: Any = None) -> None:
        import json

        self._build(self.keep_step)
        self.refresh()
        data = json.dumps(self.model.payload(), indent=2, ensure_ascii=False).encode()
        report = self.model.report().encode()
        stamp = f"{self.today:%Y-%m-%d}"
        self.downloads.value = (
            f'<p><a download="heavylegs-{stamp}.json" href="data:application/json;base64,'
            f'{base64.b64encode(data).decode()}">Download answers and results (JSON)</a></p>'
            f'<p><a download="heavylegs-report-{stamp}.html" href="data:text/html;base64,'
            f'{base64.b64encode(report).decode()}">Download the printable report (HTML)</a></p>'
        )

    def _resume(self, change: dict) -> None:
        if len(change["new"] or ()) > 1:
            raise UserError("resume from one saved session file at a time", where="resume")
        files = checked_uploads(change["new"], max_files=1, max_bytes=MAX_ANSWERS_BYTES, where="resume")
        if not files:
            return
        name, raw = files[0]
        answers, athlete = self.model.read_saved(raw, safe_filename(name))
        self._show_answers(answers)
        if athlete is not None:
            self.name.value = athlete

    def apply_answers(self, answers: Any, *, where: str = "answers") -> None:
        """Validate saved answers and show them in the widgets (all or nothing)."""
        self._show_answers(self.model.validate(answers, where))

    def _show_answers(self, known: dict[str, Any]) -> None:
        self._loading = True
        try:
            for qid, field in self.fields.items():
                field.set_answer(known.get(qid))
        finally:
            self._loading = False
        self._pending = {q: a for q, a in known.items() if q not in self.fields}
        self.refresh()


def import_received(files: list[Received], bar: widgets.IntProgress, *, tz: str = "UTC",
                    profile: AthleteProfile | None = None, extras: bool = False) -> History:
    """The :class:`History` of uploaded files (:func:`heavylegs_core.io.history.load_history`),
    with the import's progress shown in ``bar`` while it runs."""
    # the importers: only once files arrived
    from heavylegs_core.io.history import load_history

    def progress(done: int, total: int, _label: str) -> None:
        bar.max = max(total, 1)
        bar.value = min(done, bar.max)

    bar.layout.display = None
    try:
        return load_history(files, tz=tz, profile=profile, progress=progress, extras=extras,
                            label=", ".join(f.name for f in files))
    finally:
        bar.layout.display = "none"


def history_load_chart(sessions: Any) -> Any:
    """The history step's chart: training load (AU) per week, or per month for histories over two years.

    Every session counts (whole weeks or months, none cut), aggregated in the kernel
    (:func:`heavylegs_core.views.charts.load_per_period`), so the page receives one row per
    bar and sport rather than one per session or day.
    """
    from heavylegs_core.views.charts import (
        load_per_period,
        load_period,
        period_load_chart,
    )

    period = load_period(sessions)
    return period_load_chart(load_per_period(sessions, period), period)


def assessment_app(**kwargs: Any) -> AssessmentApp:
    """Build the assessment app (what the notebook shows)."""
    return AssessmentApp(**kwargs)
