"""The assessment app: a coach and an athlete walk through "why are my legs heavy?".

Flow (issue "The assessment app"): athlete → the red-flag screen first (a yes or
"not sure" stops the flow with the action and the number to call) → the heavy legs
themselves → context, in short steps → optional history (upload or a sample
athlete) → results that update live as answers change → downloads.

Questions come from the knowledge base; every one can be left as "don't know".
Every callback reports failures in the ``.hl-error`` box; every value that comes
from the browser is validated here in Python before it is used.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file, pmdata_participants
from heavylegs_core.domain.history_summary import history_summary
from heavylegs_core.domain.model import Assessment, Engine, engine, is_shown
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.io.uploads import Received, safe_filename, shown_where
from heavylegs_core.knowledge import (
    ATHLETE_QUESTIONS,
    DONT_KNOW,
    Knowledge,
    Question,
    load_knowledge,
)
from heavylegs_core.views.chart_widget import offline_chart
from heavylegs_core.views.guard import checked_uploads, guard, guard_tree, quote
from heavylegs_core.views.html import esc
from heavylegs_core.views.results_html import RESULTS_CSS, results_html, triage_html
from heavylegs_core.views.upload_widget import UploadArea
from heavylegs_core.views.widgets import (
    ErrorBox,
    SharedLooks,
    mark_ready,
    reports_errors,
)

#: Emergency numbers by country group (red-flags.md rule 5).
COUNTRIES: dict[str, str] = {
    "United Kingdom (999)": "999",
    "Ireland or the EU (112)": "112",
    "United States or Canada (911)": "911",
    "Australia (000)": "000",
}
UNITS = ("km", "miles")
KM_PER_MILE = 1.609344
MAX_NAME = 80
MAX_ANSWERS_BYTES = 256 * 1024  # a saved session (answers and results) to resume from
MAX_NUMBER_CHARS = 40
NOT_CHOSEN = "—"


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
    """The whole assessment, as one widget (``hl-app``; ``hl-ready`` once built)."""

    def __init__(self, kb: Knowledge | None = None, *, today: dt.date | None = None):
        self.kb = kb or load_knowledge()
        self.engine: Engine = engine() if kb is None else Engine(self.kb)
        self._today = today  # None: the current date, read when needed (a preheated kernel may wait overnight)
        self.answers: dict[str, Any] = {}
        self.metrics: dict[str, Any] | None = None
        self.history_as_of: dt.date | None = None
        self.history_summary: dict[str, Any] = {}
        self.result: Assessment | None = None
        self.acknowledged = False
        self._records: tuple[Any, Any, str] | None = None
        self._table: Any = None  # the daily metrics of the loaded history (for the report's charts)
        self.errors = ErrorBox()
        self.fields: dict[str, QuestionField] = {}
        self._loading = False
        self._looks = SharedLooks()

        # Steps are built when first shown (a questionnaire of ~90 questions is ~1,000 widgets):
        # each entry is (title, builder); answers of steps not built yet live in self._pending.
        self._pending: dict[str, Any] = {}
        self.steps: list[tuple[str, Callable[[], list[widgets.Widget]]]] = [
            ("About the athlete", self._athlete_step)]
        self._last_red_flag_step = 0
        first_order = min(s.order for s in self.kb.steps)
        for step in sorted(self.kb.steps, key=lambda s: s.order):
            qs = [q for q in self.kb.questions if q.step == step.id and q.id not in ATHLETE_QUESTIONS]
            if not qs:
                continue
            intro = ""
            if step.section == "red_flags" and step.order == first_order:
                intro = ("<p class='hl-note'>Safety first: these questions come before anything else. "
                         "Answer <em>Not sure</em> if in doubt; it counts as a yes.</p>")
            self.steps.append((step.title, functools.partial(self._question_step, qs, intro)))
            if step.section == "red_flags":
                self._last_red_flag_step = len(self.steps) - 1
        self.steps.append(("Training and sleep history (optional)", self._history_step))
        self.history_step = len(self.steps) - 1
        self.steps.append(("Keep this session", self._keep_step))
        self.keep_step = len(self.steps) - 1
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

    def _guard(self) -> None:
        """Report and undo state the page sends that a control refuses (heavylegs_core.views.guard)."""
        guard_tree(self, self.errors)

    @property
    def today(self) -> dt.date:
        """The day assessed: the one given to the app, else the current date (read each time)."""
        return self._today or dt.date.today()

    # ----------------------------------------------------------------- steps
    def _field(self, q: Question) -> QuestionField:
        field = QuestionField(q, reports_errors(self.errors)(self._answer_changed), self._looks)
        guard(field.control, self.errors, label=q.text,
              max_chars=MAX_NUMBER_CHARS if q.type != "single" else 1000)
        if q.id in self._pending:
            field.set_answer(self._pending.pop(q.id))
        self.fields[q.id] = field
        return field

    def _question_step(self, qs: list[Question], intro: str) -> list[widgets.Widget]:
        body: list[widgets.Widget] = [self._looks.html(intro)] if intro else []
        return body + [self._field(q).control for q in qs]

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
        self.country = widgets.Dropdown(options=list(COUNTRIES), value=next(iter(COUNTRIES)),
                                        description="Country, for the emergency number",
                                        style={"description_width": "initial"})
        self.units = widgets.ToggleButtons(options=UNITS, value="km", description="Units")
        self.name.observe(reports_errors(self.errors)(self._name_changed), names="value")
        for w in (self.country, self.units):
            w.observe(reports_errors(self.errors)(lambda _: self.refresh()), names="value")
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
        target = max(0, min(len(self.steps) - 1, current + delta))
        if delta > 0 and current <= self._last_red_flag_step:
            self.refresh()
            if self.result is not None and self.result.triage.level != "none" and not self.acknowledged:
                self._show_gate()
                if current == self._last_red_flag_step:
                    return
        self._build(target)
        self.stack.selected_index = target
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
        self.acknowledged = True
        self.gate.layout.display = "none"
        self.wizard.layout.display = None
        self._build(self._last_red_flag_step + 1)
        self.stack.selected_index = self._last_red_flag_step + 1
        self._show_step()

    # ----------------------------------------------------------------- answers and results
    def _answer_changed(self, qid: str) -> None:
        if not self._loading:
            self.refresh()

    def _name_changed(self, change: dict) -> None:
        name = str(change["new"])
        if len(name) > MAX_NAME:
            self.name.value = name[:MAX_NAME]
            raise UserError(f"the name was cut to {MAX_NAME} characters", where="name")
        self.refresh()

    def profile(self) -> AthleteProfile:
        """The athlete profile from the answers (sex and age)."""
        sex = self.answers.get("sex")
        age = self.answers.get("age")
        return AthleteProfile(sex=sex if sex in ("female", "male", "other") else None,
                              age=int(age) if isinstance(age, int | float) else None)

    def emergency_number(self) -> str:
        """The number to call, validated against the country list."""
        if self.country.value not in COUNTRIES:
            raise UserError("choose a country from the list", where="country")
        return COUNTRIES[self.country.value]

    def refresh(self) -> Assessment:
        """Re-run the assessment on the current answers and history and redraw the results."""
        answers = dict(self._pending)
        answers.update({q: f.answer() for q, f in self.fields.items()})
        answers = {q: a for q, a in answers.items() if a is not None}
        for qid, field in self.fields.items():  # questions that only apply to some athletes
            if field.q.show_if is not None:
                shown = is_shown(field.q, answers)
                field.show(shown)
                if not shown:
                    answers.pop(qid, None)
        self.answers = answers
        result = self.engine.assess(answers, self.metrics, profile=self.profile(),
                                    as_of=self.history_as_of or self.today,
                                    emergency_number=self.emergency_number(), where="answers")
        self.result = result
        self.results.value = results_html(result, athlete=self.name.value)  # styled by self.looks_css
        if result.triage.level == "none":
            self.acknowledged = False
        self.errors.clear()
        return result

    # ----------------------------------------------------------------- history
    def _sample_changed(self, change: dict) -> None:
        pid = change["new"]
        if pid is None:
            self.set_history(None)
            return
        if pid not in pmdata_participants():
            raise UserError(f"unknown sample athlete {pid!r}", where="sample")
        self.load_history([pmdata_file(pid, "srpe.csv"), pmdata_file(pid, "wellness.csv")],
                          label=f"PMData {pid}")

    def _uploaded(self, files: list[Received]) -> None:
        """Import the files that arrived (deleted after this call, with the upload's ticket)."""
        self.load_history([f.path for f in files], label=", ".join(f.name for f in files),
                          names={str(f.path): f.name for f in files})

    def load_history(self, paths: list[Path], *, label: str, names: Mapping[str, str] | None = None) -> None:
        """Import ``paths``, compute the daily metrics and use the last day as evidence.

        ``names`` maps a path to the name the user knows it by (an uploaded file's name).
        """
        from heavylegs_core.domain.metrics import daily_metrics

        self._build(self.history_step)
        imported = import_with_progress(paths, self.import_progress, profile=self.profile(), names=names)
        if imported.sessions.empty:
            raise UserError("these files hold no training sessions: add a training export", where=label)
        table = daily_metrics(imported.sessions, imported.nights, profile=self.profile())
        self.set_history(table, label=label, skipped=imported.skipped, sessions=imported.sessions)
        self._records = (imported.sessions, imported.nights, label)
        self.open_dashboard.layout.display = None

    def set_history(self, table: Any, *, label: str = "", skipped: dict[str, int] | None = None,
                    sessions: Any = None) -> None:
        """Use a daily metrics table (or None to forget the history) and redraw."""
        self._build(self.history_step)
        self._records = None
        self.dashboard_box.children = ()
        self.open_dashboard.layout.display = "none"
        if table is None or len(table) == 0:
            self._table = None
            self.metrics, self.history_as_of, self.history_summary = None, None, {}
            self.history_html.value = ""
            self.history_chart.children = ()
            self.refresh()
            return
        self._table = table
        last = table.iloc[-1]
        self.metrics = {k: v for k, v in last.items() if k != "date"}  # the engine drops empty values
        self.history_as_of = last["date"].date() if hasattr(last["date"], "date") else None
        summary = history_summary(table, label, unit="km" if self.units.value == "km" else "mi")
        self.history_summary = summary
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in summary.items())
        skipped_html = ""
        if skipped:
            skipped_html = "<p>Skipped on purpose: " + ", ".join(
                f"{esc(n)} × {esc(reason)}" for reason, n in skipped.items()) + "</p>"
        self.history_html.value = f"<table class='hl-summary'>{rows}</table>{skipped_html}"
        if sessions is not None:
            self.history_chart.children = (offline_chart(history_load_chart(sessions)),)
            self._guard()
        self.refresh()

    def _show_dashboard(self, _: Any = None) -> None:
        """Show this athlete's history in the load and sleep dashboard, below the summary."""
        from heavylegs_core.apps.dashboard import dashboard_app
        from heavylegs_core.domain.synthetic import History, empty_ratings

        if self._records is None:
            raise UserError("load a history first (upload files or pick a sample athlete)", where="history")
        sessions, nights, label = self._records
        history = History(sessions=sessions, nights=nights, ratings=empty_ratings(), label=label)
        self.dashboard_box.children = (dashboard_app(history=history, profile=self.profile()),)
        self._guard()
        self.open_dashboard.layout.display = "none"

    # ----------------------------------------------------------------- keep and resume
    def payload(self) -> dict[str, Any]:
        """Answers and results as one JSON-ready document."""
        from heavylegs_core.views.report import session_payload

        result = self.result or self.refresh()
        doc = session_payload(self.answers, result, athlete=self.name.value, summary=self.history_summary)
        doc["athlete_details"] = {"units": self.units.value, "country": self.country.value}
        return doc

    def _prepare_downloads(self, _: Any = None) -> None:
        from heavylegs_core.views.report import report_html

        self._build(self.keep_step)
        result = self.refresh()
        data = json.dumps(self.payload(), indent=2, ensure_ascii=False).encode()
        charts: tuple[str, ...] = ()
        if self._records is not None and self._table is not None:  # the history charts, inline SVG
            from heavylegs_core.cli.report import history_charts

            sessions, nights, _ = self._records
            charts = history_charts(sessions, self._table, sleep_need_h=self.profile().sleep_need_h,
                                    with_sleep=nights is not None and not nights.empty)
        report = report_html(self.answers, result, athlete=self.name.value, summary=self.history_summary,
                             question_text={q.id: q.text for q in self.kb.questions}, charts_svg=charts).encode()
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
        where = safe_filename(name)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise UserError("not a saved heavylegs session (not JSON)", where=where) from None
        self.apply_answers(doc.get("answers", doc) if isinstance(doc, dict) else doc, where=where)
        if isinstance(doc, dict) and isinstance(doc.get("athlete"), str):
            self.name.value = doc["athlete"][:MAX_NAME]

    def apply_answers(self, answers: Any, *, where: str = "answers") -> None:
        """Validate saved answers and show them in the widgets (all or nothing)."""
        known = self.engine.validate_answers(answers, where)
        self._loading = True
        try:
            for qid, field in self.fields.items():
                field.set_answer(known.get(qid))
        finally:
            self._loading = False
        self._pending = {q: a for q, a in known.items() if q not in self.fields}
        self.refresh()


def import_with_progress(paths: list[Path], bar: widgets.IntProgress, *, tz: str = "UTC",
                         profile: AthleteProfile | None = None, names: Mapping[str, str] | None = None) -> Any:
    """Import uploaded ``paths`` (``load_sources``), showing progress in ``bar`` while it runs.

    Problems name the uploaded file (``names``: path -> the name the user gave it), never
    the private path it was written to. Returns the :class:`~heavylegs_core.io.importers.ImportResult`.
    """
    from heavylegs_core.io.importers import load_sources

    def progress(done: int, total: int, _label: str) -> None:
        bar.max = max(total, 1)
        bar.value = min(done, bar.max)

    bar.layout.display = None
    try:
        return load_sources(paths, tz, profile, progress=progress)
    except UserError as exc:
        raise UserError([type(p)(p.message, shown_where(p.where, names or {}), p.row)
                         for p in exc.problems]) from None
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
