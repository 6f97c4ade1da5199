"""The roster's widgets (the state and the operations on the records are :mod:`.model`).

Every callback reports failures in the ``.hl-error`` box and hands what the page sent
to one model operation; the model validates it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from heavylegs_core.apps.assessment.model import MAX_NAME
from heavylegs_core.apps.assessment.view import AssessmentApp, import_received
from heavylegs_core.apps.roster.model import (
    FOLLOWUP_LABELS,
    NONE_CHOSEN,
    SEXES,
    RosterModel,
)
from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.coach import SavedAssessment
from heavylegs_core.io.store import FOLLOWUP_RESPONSES
from heavylegs_core.io.uploads import Received
from heavylegs_core.knowledge import Knowledge, load_knowledge
from heavylegs_core.views.guard import guard as guard_widget
from heavylegs_core.views.guard import guard_tree
from heavylegs_core.views.html import esc
from heavylegs_core.views.upload_widget import UploadArea
from heavylegs_core.views.widgets import (
    ErrorBox,
    describe_error,
    mark_ready,
    reports_errors,
)

ROSTER_CSS = """
.hl-roster table.hl-table { border-collapse: collapse; margin: 6px 0; font-size: 0.92em; }
.hl-roster table.hl-table th, .hl-roster table.hl-table td { border: 1px solid #d1d5db; padding: 3px 7px;
  text-align: left; vertical-align: top; }
.hl-roster .hl-due-badge { background: #fde68a; color: #78350f; border-radius: 3px; padding: 0 4px; }
.hl-roster .hl-tri-emergency, .hl-roster .hl-tri-urgent { color: #991b1b; font-weight: 600; }
.hl-roster .hl-tri-gp_soon { color: #9a3412; font-weight: 600; }
.hl-roster .hl-up { color: #991b1b; } .hl-roster .hl-down { color: #166534; }
.hl-roster .hl-notice { border-left: 4px solid #2563eb; background: #eff6ff; padding: 4px 12px; margin: 6px 0; }
.hl-roster .hl-status { color: #166534; }
"""


class RosterApp(widgets.VBox):
    """The whole roster, as one widget (``hl-app hl-roster``; ``hl-ready`` once built)."""

    def __init__(self, db_path: str | Path | None = None, *, today: dt.date | None = None,
                 kb: Knowledge | None = None):
        self.model = RosterModel(db_path=None, today=today or dt.date.today(), kb=kb or load_knowledge())
        self.kb = self.model.kb
        self.errors = ErrorBox()
        self.status = widgets.HTML()
        self.status.add_class("hl-status")
        self.assessment: AssessmentApp | None = None
        guard = reports_errors(self.errors)

        # -- where the records live
        self.notice = widgets.HTML()
        self.notice.add_class("hl-storage-notice")
        # -- roster, due today, new athlete
        self.due = widgets.HTML()
        self.due.add_class("hl-due")
        self.table = widgets.HTML()
        self.table.add_class("hl-roster-table")
        self.pick = widgets.Dropdown(options=[(NONE_CHOSEN, None)], value=None, description="Athlete",
                                     layout=widgets.Layout(width="auto", max_width="100%"))
        self.pick.add_class("hl-athlete")
        self.pick.observe(guard(self._picked), names="value")
        self.reload = widgets.Button(description="Reload the records", icon="refresh",
                                     tooltip="Show changes saved from another session or the command line",
                                     layout=widgets.Layout(width="auto"))
        self.reload.add_class("hl-reload")
        self.reload.on_click(guard(lambda _: self.refresh()))
        self.new_name = widgets.Text(description="Name", placeholder="first name or initials",
                                     continuous_update=False)
        self.new_name.add_class("hl-new-name")
        self.new_sex = widgets.Dropdown(options=SEXES, value=None, description="Sex")
        self.new_age = widgets.Text(description="Age", placeholder="years, optional", continuous_update=False)
        self.new_age.add_class("hl-new-age")
        self.new_tz = widgets.Text(value="UTC", description="Time zone", placeholder="e.g. Europe/Oslo",
                                   continuous_update=False, style={"description_width": "initial"})
        self.new_tz.add_class("hl-new-tz")
        self.add_button = widgets.Button(description="Add athlete", button_style="primary")
        self.add_button.add_class("hl-add-athlete")
        self.add_button.on_click(guard(self._add_athlete))
        new_box = widgets.VBox([widgets.HTML("<h3>Add an athlete</h3>"),
                                widgets.HBox([self.new_name, self.new_sex], layout=widgets.Layout(flex_flow="row wrap")),
                                widgets.HBox([self.new_age, self.new_tz], layout=widgets.Layout(flex_flow="row wrap")),
                                self.add_button])

        # -- one athlete
        self.summary = widgets.HTML()
        self.summary.add_class("hl-athlete-summary")
        # files stream to the server in chunks (heavylegs_core.views.upload_widget): exports of several GB fit
        self.history_uploader = UploadArea("Import history", self._history_uploaded, errors=self.errors,
                                           classes=("hl-history-upload",))
        self.history_upload = self.history_uploader.widget
        self.import_progress = widgets.IntProgress(min=0, max=1, value=0, description="Import",
                                                   layout=widgets.Layout(display="none"))
        self.timeline = widgets.HTML()
        self.timeline.add_class("hl-timeline")
        self.actions = widgets.SelectMultiple(options=[], rows=6, description="Actions",
                                              layout=widgets.Layout(width="100%"))
        self.actions.add_class("hl-actions")
        self.save_actions = widgets.Button(description="Save the chosen actions", layout=widgets.Layout(width="auto"))
        self.save_actions.add_class("hl-save-actions")
        self.save_actions.on_click(guard(self._save_actions))
        self.actions_box = widgets.VBox([
            widgets.HTML("<h3>Actions to try</h3><p>From the latest assessment: choose what the athlete will "
                         "try before the re-check (hold Ctrl or ⌘ to choose several).</p>"),
            self.actions, self.save_actions])
        self.new_assessment = widgets.Button(description="New assessment", button_style="primary",
                                             layout=widgets.Layout(width="auto"))
        self.new_assessment.add_class("hl-new-assessment")
        self.new_assessment.on_click(guard(lambda _: self.start_assessment()))
        self.response = widgets.ToggleButtons(options=[(FOLLOWUP_LABELS[r], r) for r in FOLLOWUP_RESPONSES],
                                              value=None, description="Since then")
        self.response.add_class("hl-followup-response")
        self.start_followup = widgets.Button(description="Start follow-up", layout=widgets.Layout(width="auto"))
        self.start_followup.add_class("hl-start-followup")
        self.start_followup.on_click(guard(lambda _: self.start_assessment(followup=self.response.value,
                                                                             required=True)))
        self.followup_box = widgets.VBox([
            widgets.HTML("<h3>Follow-up</h3><p>At the re-check, say how the legs are since the change: the "
                         "answers are prefilled from the last assessment, and the warning-sign questions are "
                         "asked again. Failing to improve lowers the everyday contributors and raises the "
                         "advice to see a doctor.</p>"),
            self.response, self.start_followup])
        self.assessment_title = widgets.HTML()
        self.assessment_slot = widgets.VBox()
        self.save_assessment = widgets.Button(description="Save this assessment", button_style="success",
                                              layout=widgets.Layout(width="auto"))
        self.save_assessment.add_class("hl-save-assessment")
        self.save_assessment.on_click(guard(lambda _: self.save_current()))
        self.cancel_assessment = widgets.Button(description="Discard", layout=widgets.Layout(width="auto"))
        self.cancel_assessment.add_class("hl-cancel-assessment")
        self.cancel_assessment.on_click(guard(lambda _: self._close_assessment()))
        self.assessment_box = widgets.VBox(
            [self.assessment_title, self.assessment_slot, widgets.HBox([self.save_assessment, self.cancel_assessment])],
            layout=widgets.Layout(display="none", border="1px solid #d1d5db", padding="6px"))
        self.assessment_box.add_class("hl-assessment-box")
        self.compare_a = widgets.Dropdown(options=[], description="Earlier")
        self.compare_b = widgets.Dropdown(options=[], description="Later")
        self.compare_a.add_class("hl-compare-a")
        self.compare_b.add_class("hl-compare-b")
        for w in (self.compare_a, self.compare_b):
            w.observe(guard(lambda _: self.show_comparison()), names="value")
        self.comparison = widgets.HTML()
        self.comparison.add_class("hl-compare")
        self.compare_box = widgets.VBox([widgets.HTML("<h3>Compare two assessments</h3>"),
                                         widgets.HBox([self.compare_a, self.compare_b],
                                                      layout=widgets.Layout(flex_flow="row wrap")),
                                         self.comparison])
        self.report_which = widgets.Dropdown(options=[], description="Assessment",
                                             style={"description_width": "initial"})
        self.report_which.add_class("hl-report-which")
        self.make_report = widgets.Button(description="Make the printable report", layout=widgets.Layout(width="auto"))
        self.make_report.add_class("hl-make-report")
        self.make_report.on_click(guard(lambda _: self.prepare_report()))
        self.report_link = widgets.HTML()
        self.report_link.add_class("hl-report-link")
        self.report_box = widgets.VBox([
            widgets.HTML("<h3>Session report</h3><p>One HTML file to print or keep: warning signs first, "
                         "today's call, the contributors with their evidence and actions, and the history "
                         "charts.</p>"),
            widgets.HBox([self.report_which, self.make_report], layout=widgets.Layout(flex_flow="row wrap")),
            self.report_link])
        self.athlete_box = widgets.VBox(
            [widgets.HTML("<h2>Athlete</h2>"), self.summary, self.history_upload, self.import_progress,
             widgets.HTML("<h3>Assessments over time</h3>"), self.timeline, self.actions_box,
             widgets.HTML("<h3>Assess</h3>"), self.new_assessment, self.followup_box, self.assessment_box,
             self.compare_box, self.report_box],
            layout=widgets.Layout(display="none"))
        self.athlete_box.add_class("hl-athlete-box")

        # -- keep the records
        self.export_one = widgets.Button(description="Download this athlete", layout=widgets.Layout(width="auto"))
        self.export_all = widgets.Button(description="Download all athletes", layout=widgets.Layout(width="auto"))
        self.export_one.add_class("hl-export-athlete")
        self.export_all.add_class("hl-export-all")
        self.export_one.on_click(guard(lambda _: self.prepare_export(all_athletes=False)))
        self.export_all.on_click(guard(lambda _: self.prepare_export(all_athletes=True)))
        self.portable_link = widgets.HTML()
        self.portable_link.add_class("hl-portable-link")
        self.portable_uploader = UploadArea("Import records", self._portable_uploaded, errors=self.errors,
                                            classes=("hl-portable-upload",))
        self.portable_upload = self.portable_uploader.widget
        self.portable_upload.accept = ".json,.gz"
        keep_box = widgets.VBox([
            widgets.HTML("<h2>Keep the records</h2><p>Download one athlete or all of them as a single portable "
                         "file, and import such a file here or on another machine (it is checked completely "
                         "first: a damaged file changes nothing).</p>"),
            widgets.HBox([self.export_one, self.export_all]), self.portable_link, self.portable_upload])

        super().__init__([
            widgets.HTML(f"<style>{ROSTER_CSS}</style>"), self.errors, self.notice, self.status,
            widgets.HTML("<h2>Due today</h2>"), self.due, widgets.HTML("<h2>Athletes</h2>"), self.table,
            widgets.HBox([self.pick, self.reload], layout=widgets.Layout(flex_flow="row wrap")), new_box,
            self.athlete_box, keep_box,
        ], layout=widgets.Layout(width="100%", max_width="1100px"))
        self.add_class("hl-app")
        self.add_class("hl-roster")
        try:
            self.model.db_path = RosterModel.open(db_path, today=self.model.today, kb=self.kb).db_path
            self.notice.value = self.model.notice_html()
            self.refresh()
        except Exception as exc:  # noqa: BLE001 - shown to the user, the app stays up
            self.errors.show(describe_error(exc))
        for w, label, limit in ((self.new_name, "Name", MAX_NAME), (self.new_age, "Age", 10),
                                (self.new_tz, "Time zone", 64)):
            guard_widget(w, self.errors, label=label, max_chars=limit)
        guard_tree(self, self.errors)  # report and undo state the page sends that a control refuses
        mark_ready(self)

    @property
    def today(self) -> dt.date:
        """The day the coach works on (re-checks due, the day assessed)."""
        return self.model.today

    @today.setter
    def today(self, day: dt.date) -> None:
        self.model.today = day

    @property
    def db_path(self) -> Path | None:
        """Where the records are (None when they cannot be opened)."""
        return self.model.db_path

    # ----------------------------------------------------------------- redraw
    def refresh(self) -> None:
        """Redraw the roster, what is due and the picked athlete from the records."""
        names = self.refresh_roster_only()
        keep = self.pick.value if self.pick.value in names else None
        self.pick.options = [(NONE_CHOSEN, None)] + [(n, n) for n in names]
        self.pick.value = keep
        self.model.picked = keep
        self._show_athlete()

    def refresh_roster_only(self) -> list[str]:
        """Redraw the roster table and what is due (the picked athlete stays as shown); returns the names."""
        self.table.value, self.due.value, names = self.model.roster()
        return names

    def _picked(self, change: dict) -> None:
        try:
            self.model.pick(change["new"], [v for _, v in self.pick.options if v is not None])
        finally:
            if self.pick.value != self.model.picked:
                self.pick.value = self.model.picked
        self._close_assessment()
        self.report_link.value = ""
        self.portable_link.value = ""
        self.status.value = ""
        self._show_athlete()

    def _show_athlete(self) -> None:
        page = self.model.athlete_page()
        if page is None:
            self.athlete_box.layout.display = "none"
            self.export_one.disabled = True
            return
        saved = self.model.saved
        self.summary.value = page.summary
        self.timeline.value = page.timeline
        self.report_which.options = list(reversed(page.assessments))
        self.report_which.value = saved[-1].uid if saved else None
        self.compare_a.options = page.assessments
        self.compare_b.options = page.assessments
        if len(saved) >= 2:
            self.compare_a.value, self.compare_b.value = saved[-2].uid, saved[-1].uid
        self.compare_box.layout.display = None if len(saved) >= 2 else "none"
        self.report_box.layout.display = None if saved else "none"
        self.followup_box.layout.display = None if saved else "none"
        self.actions.options = [(label, i) for i, label in enumerate(page.actions)]
        self.actions.value = page.chosen
        self.actions_box.layout.display = None if page.actions else "none"
        self.export_one.disabled = False
        self.athlete_box.layout.display = None
        self.show_comparison()

    # ----------------------------------------------------------------- athletes and history
    def _add_athlete(self, _: Any = None) -> None:
        name = self.model.add_athlete(self.new_name.value, sex=self.new_sex.value, age_text=self.new_age.value,
                                      tz=self.new_tz.value)
        self.new_name.value = ""
        self.new_age.value = ""
        self.refresh()
        self.pick.value = name
        self.status.value = f"<p>Added {esc(name)}.</p>"

    def _history_uploaded(self, files: list[Received]) -> None:
        tz, profile = self.model.athlete_tz_profile()
        history = import_received(files, self.import_progress, tz=tz, profile=profile)
        status = self.model.add_history(history)
        self._show_athlete()
        self.refresh_roster_only()
        self.status.value = status

    # ----------------------------------------------------------------- assessments
    def start_assessment(self, followup: str | None = None, *, required: bool = False) -> AssessmentApp:
        """Open an assessment for the picked athlete; a follow-up is prefilled from the last one.

        ``followup`` is ``better``, ``same`` or ``worse`` (how the legs are since
        the change); the warning-sign questions are always asked afresh.
        """
        started = self.model.start_assessment(followup, required=required)
        app = AssessmentApp(model=started.model)
        app.name.value = started.name
        app.name.disabled = True
        if started.prefill:
            app.apply_answers(started.prefill, where="the last assessment")
        if started.history is not None:
            app.set_history(started.history)
        app._build(app.history_step)
        for w in (app.sample, app.upload):  # history comes from the records (imported above)
            w.layout.display = "none"
        self.assessment = app
        self.assessment_title.value = started.title
        self.assessment_slot.children = (app,)
        self.assessment_box.layout.display = None
        self.status.value = ""
        return app

    def save_current(self) -> SavedAssessment:
        """Save the open assessment (all shown warning-sign questions must be answered)."""
        app = self.assessment
        if app is None:
            raise UserError("there is no assessment open: start one first", where="assessment")
        app.refresh()
        saved, status = self.model.save_assessment(app.model)
        self._close_assessment()
        self._show_athlete()
        self.refresh_roster_only()
        self.report_which.value = saved.uid
        self.status.value = status
        return saved

    def _close_assessment(self) -> None:
        self.assessment = None
        self.model.previous_uid = None
        self.assessment_slot.children = ()
        self.assessment_box.layout.display = "none"

    def _save_actions(self, _: Any = None) -> None:
        status = self.model.choose_actions(tuple(self.actions.value))
        self._show_athlete()
        self.status.value = status

    def show_comparison(self) -> None:
        """Compare the two assessments chosen (earlier and later)."""
        self.comparison.value = self.model.comparison(self.compare_a.value, self.compare_b.value)

    def prepare_report(self) -> str:
        """Make the chosen assessment's printable report and offer it as a download; returns the HTML."""
        html, self.report_link.value = self.model.report(self.report_which.value)
        return html

    # ----------------------------------------------------------------- portable file
    def prepare_export(self, *, all_athletes: bool) -> bytes:
        """Offer the records (the picked athlete, or everyone) as a portable file download; returns its bytes."""
        data, self.portable_link.value = self.model.export(all_athletes=all_athletes)
        return data

    def _portable_uploaded(self, files: list[Received]) -> None:
        status = self.model.import_portable(files)
        self.refresh()
        self.status.value = status


def roster_app(**kwargs: Any) -> RosterApp:
    """Build the roster app (what the notebook shows)."""
    return RosterApp(**kwargs)
