"""The roster app: a coach's athletes, their assessments over time, follow-ups and reports.

A coach picks or adds an athlete, imports their training and sleep exports into
the athlete records (SQLite, :mod:`heavylegs_core.io.store`), runs an assessment or
a follow-up prefilled from the last one, chooses the actions to try, compares two
assessments, and downloads a printable report. The records live in the user data
folder (``$HEAVYLEGS_DATA_DIR``), never in a folder Voila or Jupyter serves; the
portable file (:mod:`heavylegs_core.io.portable`) carries them to another machine and
out of a Binder session, whose storage is wiped when it ends.

Every callback reports failures in the ``.hl-error`` box; every value from the
browser is validated here before it reaches the store. The store is opened for
each operation, so two app sessions (or the CLI) can use the same records.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from heavylegs_core.apps.assessment import (
    MAX_NAME,
    AssessmentApp,
    import_with_progress,
)
from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.coach import Comparison, TimelineRow, compare, timeline
from heavylegs_core.domain.model import is_shown
from heavylegs_core.io.store import (
    FOLLOWUP_RESPONSES,
    SavedAssessment,
    Store,
    default_path,
    open_store,
)
from heavylegs_core.io.uploads import Received, safe_filename, size_text
from heavylegs_core.knowledge import Knowledge, load_knowledge
from heavylegs_core.views.guard import guard as guard_widget
from heavylegs_core.views.guard import guard_tree
from heavylegs_core.views.html import esc
from heavylegs_core.views.upload_widget import UploadArea
from heavylegs_core.views.widgets import ErrorBox, mark_ready, reports_errors

#: Largest portable file accepted from the browser (bytes, as uploaded).
#: Largest portable file read (bytes): the whole document is parsed and checked in memory.
MAX_PORTABLE_BYTES = 500 * 1024 * 1024
SEXES = (("—", None), ("Female", "female"), ("Male", "male"), ("Other", "other"))
NONE_CHOSEN = "—"
#: The comparison lists contributors in either top TOP_SHOWN, or that moved by MOVED_POINTS in 100 or more.
TOP_SHOWN = 5
MOVED_POINTS = 5

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

TRIAGE_LABELS = {"none": "none", "gp_soon": "see a GP soon", "urgent": "urgent: today",
                 "emergency": "emergency"}
FOLLOWUP_LABELS = {"better": "Clearly better", "same": "About the same", "worse": "Worse"}


def on_binder() -> bool:
    """Whether this kernel runs on mybinder.org (its launcher sets these variables)."""
    return any(k in os.environ for k in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REQUEST"))


def data_url(data: bytes, mime: str) -> str:
    """A ``data:`` URL (base64) for a download link."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def download_link(data: bytes, mime: str, filename: str, text: str) -> str:
    """An HTML download link for ``data`` (``filename`` must already be safe)."""
    return f'<a download="{esc(filename)}" href="{data_url(data, mime)}">{esc(text)}</a>'


# ----------------------------------------------------------------- HTML pieces (pure, escaped)
def _triage_cell(level: str) -> str:
    return f'<span class="hl-tri-{esc(level)}">{esc(TRIAGE_LABELS.get(level, level))}</span>'


def _call_label(kb: Knowledge, call_id: str | None) -> str:
    return next((c.label for c in kb.calls if c.id == call_id), call_id or "—")


def roster_html(rows: list[Any], kb: Knowledge) -> str:
    """The roster table (one row per athlete, from :meth:`Store.roster`)."""
    if not rows:
        return "<p>No athletes yet: add the first one below.</p>"
    cause_names = {c.id: c.name for c in kb.causes}
    body = "".join(
        f"<tr><td>{esc(r.athlete)}</td><td>{r.sessions}</td><td>{r.nights}</td><td>{r.assessments}</td>"
        f"<td>{esc(r.last_assessment or '—')}</td>"
        f"<td>{_triage_cell(r.triage_level) if r.triage_level else '—'}</td>"
        f"<td>{esc(cause_names.get(r.top_contributor or '', '—'))}</td>"
        f"<td>{esc(r.recheck_on or '—')}{' <span class=hl-due-badge>due</span>' if r.recheck_due else ''}</td></tr>"
        for r in rows)
    return ("<table class='hl-table'><tr><th>Athlete</th><th>Sessions</th><th>Nights</th><th>Assessments</th>"
            "<th>Last assessed</th><th>Warning signs</th><th>Top contributor</th><th>Re-check</th></tr>"
            f"{body}</table>")


def due_html(items: list[Any], today: dt.date) -> str:
    """What is due today: each athlete whose latest assessment's re-check date has come."""
    if not items:
        return f"<p>No re-checks due today ({today:%d %b %Y}).</p>"
    lis = "".join(
        f"<li><strong>{esc(d.athlete)}</strong>: re-check "
        f"{'due today' if d.days_overdue == 0 else f'{d.days_overdue} days overdue'} "
        f"(assessed {esc(d.as_of)}). Pick them below and start a follow-up.</li>" for d in items)
    return f"<p>Re-checks due today ({today:%d %b %Y}):</p><ul class='hl-due-list'>{lis}</ul>"


def timeline_html(rows: list[TimelineRow], kb: Knowledge) -> str:
    """The athlete's assessments over time: rating, warning signs, call, top contributors, actions, re-check."""
    if not rows:
        return "<p>No assessments yet: start one below.</p>"
    body = []
    for r in rows:
        top = "<br>".join(f"{esc(n)} (about {p} in 100)" for n, p in r.top) or "—"
        acts = "<br>".join(f"{esc(a)}" for _, a in r.actions) or "—"
        follow = f"<br><em>follow-up: {esc(FOLLOWUP_LABELS.get(r.followup, r.followup))}</em>" if r.followup else ""
        due = " <span class='hl-due-badge'>due</span>" if r.recheck_due else ""
        rating = "—" if r.rating is None else f"{r.rating:g} / 10"
        body.append(f"<tr><td>{esc(r.as_of)}{follow}</td><td>{esc(rating)}</td><td>{_triage_cell(r.triage_level)}</td>"
                    f"<td>{esc(_call_label(kb, r.todays_call))}</td><td>{top}</td><td>{acts}</td>"
                    f"<td>{esc(r.recheck_on or '—')}{due}</td></tr>")
    return ("<table class='hl-table hl-timeline-table'><tr><th>Assessed</th><th>Heavy legs</th><th>Warning signs</th>"
            "<th>Today's call</th><th>Top contributors</th><th>Actions chosen</th><th>Re-check</th></tr>"
            + "".join(body) + "</table>")


def comparison_html(c: Comparison, kb: Knowledge) -> str:
    """Two assessments side by side: warning signs, today's call, changed answers and the ranking."""
    head = (f"<table class='hl-table'><tr><th></th><th>{esc(c.a_as_of)}</th><th>{esc(c.b_as_of)}</th></tr>"
            f"<tr><th>Warning signs</th><td>{_triage_cell(c.triage[0])}</td><td>{_triage_cell(c.triage[1])}</td></tr>"
            f"<tr><th>Today's call</th><td>{esc(_call_label(kb, c.todays_call[0]))}</td>"
            f"<td>{esc(_call_label(kb, c.todays_call[1]))}</td></tr></table>")
    if c.answers:
        answers = ("<table class='hl-table'><tr><th>Question</th><th>Before</th><th>After</th></tr>"
                   + "".join(f"<tr><td>{esc(x.question)}</td><td>{esc(x.before)}</td><td>{esc(x.after)}</td></tr>"
                             for x in c.answers) + "</table>")
    else:
        answers = "<p>The answers are the same.</p>"

    def cell(rank: int | None, n: int | None) -> str:
        return "not listed" if rank is None else f"#{rank}, about {n} in 100"

    shown = [r for r in c.ranking if min(r.rank_before or 99, r.rank_after or 99) <= TOP_SHOWN
             or abs(r.change) >= MOVED_POINTS]
    rank_rows = "".join(
        f"<tr><td>{esc(r.name)}</td><td>{cell(r.rank_before, r.before)}</td><td>{cell(r.rank_after, r.after)}</td>"
        f"<td class='{'hl-up' if r.change > 0 else 'hl-down' if r.change < 0 else ''}'>"
        f"{'▲' if r.change > 0 else '▼' if r.change < 0 else '='} {abs(r.change)}</td></tr>" for r in shown)
    rest = len(c.ranking) - len(shown)
    more = (f"<p>{rest} more contributor{'s' if rest != 1 else ''} outside the top {TOP_SHOWN} moved by less than "
            f"{MOVED_POINTS} in 100.</p>") if rest else ""
    ranking = ("<table class='hl-table'><tr><th>Contributor</th><th>Before</th><th>After</th><th>Change</th></tr>"
               f"{rank_rows}</table>{more}") if c.ranking else "<p>Neither assessment lists a contributor.</p>"
    return (f"{head}<h4>Answers that changed</h4>{answers}<h4>Contributors</h4>{ranking}"
            "<p class='hl-note'>Educational, not a diagnosis: the ranking points towards contributors to "
            "discuss, it does not say what anyone has.</p>")


def _assessment_label(s: SavedAssessment, kb: Knowledge) -> str:
    return f"{s.as_of} · {_call_label(kb, s.todays_call)}"


class RosterApp(widgets.VBox):
    """The whole roster, as one widget (``hl-app hl-roster``; ``hl-ready`` once built)."""

    def __init__(self, db_path: str | Path | None = None, *, today: dt.date | None = None,
                 kb: Knowledge | None = None):
        self.kb = kb or load_knowledge()
        self.today = today or dt.date.today()
        self.errors = ErrorBox()
        self.status = widgets.HTML()
        self.status.add_class("hl-status")
        self.assessment: AssessmentApp | None = None
        self._previous_uid: str | None = None
        self._saved: list[SavedAssessment] = []
        self._offered: list[tuple[str, str]] = []
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
        self.db_path: Path | None = None
        try:
            self.db_path = Path(db_path) if db_path is not None else default_path()
            self.notice.value = self._notice_html()
            self.refresh()
        except Exception as exc:  # noqa: BLE001 - shown to the user, the app stays up
            from heavylegs_core.views.widgets import describe_error

            self.errors.show(describe_error(exc))
        for w, label, limit in ((self.new_name, "Name", MAX_NAME), (self.new_age, "Age", 10),
                                (self.new_tz, "Time zone", 64)):
            guard_widget(w, self.errors, label=label, max_chars=limit)
        guard_tree(self, self.errors)  # report and undo state the page sends that a control refuses
        mark_ready(self)

    # ----------------------------------------------------------------- store access
    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        """The athlete records, opened for one operation (so other sessions can use them too)."""
        if self.db_path is None:
            raise UserError("the athlete records cannot be opened (see the message above)", where="records")
        with open_store(self.db_path) as s:
            yield s

    def _notice_html(self) -> str:
        assert self.db_path is not None
        where = (f"<p>Records are saved as you go in <code>{esc(self.db_path)}</code>, outside anything this "
                 "server shows (set <code>HEAVYLEGS_DATA_DIR</code> to keep them elsewhere).</p>")
        if on_binder():
            return ("<div class='hl-notice hl-binder-notice' role='status'><strong>On Binder, everything is "
                    "deleted when this session ends.</strong> Download the records (bottom of the page) before "
                    f"you close it, and import the file next time.</div>{where}")
        return (f"<div class='hl-notice' role='status'>{where}<p>On Binder or a shared computer, download the "
                "records (bottom of the page) before you leave: Binder deletes everything when the session "
                "ends.</p></div>")

    def _require_athlete(self) -> str:
        name = self.pick.value
        if name is None:
            raise UserError("pick an athlete first", where="athlete")
        return name

    # ----------------------------------------------------------------- redraw
    def refresh(self) -> None:
        """Redraw the roster, what is due and the picked athlete from the records."""
        names = self.refresh_roster_only()
        keep = self.pick.value if self.pick.value in names else None
        self.pick.options = [(NONE_CHOSEN, None)] + [(n, n) for n in names]
        self.pick.value = keep
        self._show_athlete()

    def _picked(self, change: dict) -> None:
        name = change["new"]
        if name is not None and name not in [v for _, v in self.pick.options]:
            self.pick.value = None
            raise UserError("choose an athlete from the list", where="athlete")
        self._close_assessment()
        self.report_link.value = ""
        self.portable_link.value = ""
        self.status.value = ""
        self._show_athlete()

    def _show_athlete(self) -> None:
        name = self.pick.value
        if name is None:
            self.athlete_box.layout.display = "none"
            self.export_one.disabled = True
            return
        with self.store() as s:
            a = s.athlete(name)
            counts = s.counts(name)
            saved = s.assessments(name)
        self._saved = saved
        units = {"sleep_need_h": " h", "max_hr": " bpm", "rest_hr": " bpm", "age": " years"}
        prof = ", ".join(f"{k.removesuffix('_h').replace('_', ' ')} {v:g}{units.get(k, '')}"
                         if isinstance(v, int | float) else f"{k.replace('_', ' ')} {v}"
                         for k, v in a.profile.items() if v is not None)
        self.summary.value = (
            f"<p><strong>{esc(a.name)}</strong> ({esc(a.tz)}); profile: {esc(prof or 'none')}. "
            f"Records: {counts.get('sessions', 0)} sessions, {counts.get('nights', 0)} nights, "
            f"{len(saved)} assessments.</p>"
            "<p>Import the athlete's training and sleep exports here: they are added to the records "
            "(files already imported are recognised and skipped).</p>")
        self.timeline.value = timeline_html(timeline(saved, self.today), self.kb)
        options = [(_assessment_label(x, self.kb), x.uid) for x in saved]
        self.report_which.options = list(reversed(options))
        self.report_which.value = saved[-1].uid if saved else None
        self.compare_a.options = options
        self.compare_b.options = options
        if len(saved) >= 2:
            self.compare_a.value, self.compare_b.value = saved[-2].uid, saved[-1].uid
        self.compare_box.layout.display = None if len(saved) >= 2 else "none"
        self.report_box.layout.display = None if saved else "none"
        self.followup_box.layout.display = None if saved else "none"
        last = saved[-1] if saved else None
        self._offered = [(c["id"], t) for c in (last.result.get("contributors") or [])[:5]
                         for t in c.get("actions", [])] if last else []
        names = {c.id: c.name for c in self.kb.causes}
        self.actions.options = [(f"{names.get(c, c)}: {t}", i) for i, (c, t) in enumerate(self._offered)]
        chosen = set(last.actions) if last else set()
        self.actions.value = tuple(i for i, pair in enumerate(self._offered) if pair in chosen)
        self.actions_box.layout.display = None if self._offered else "none"
        self.export_one.disabled = False
        self.athlete_box.layout.display = None
        self.show_comparison()

    # ----------------------------------------------------------------- athletes and history
    def _add_athlete(self, _: Any = None) -> None:
        name = self.new_name.value.strip()
        if not name:
            raise UserError("type the athlete's name first", where="name")
        if len(name) > MAX_NAME:
            raise UserError(f"the name is longer than {MAX_NAME} characters", where="name")
        age_text = self.new_age.value.strip()
        age: int | None = None
        if age_text:
            try:
                age = int(age_text)
            except ValueError:
                raise UserError(f"{age_text!r} is not a whole number of years", where="age") from None
            if not 10 <= age <= 100:
                raise UserError(f"age {age} is outside 10 to 100 years", where="age")
        sex = self.new_sex.value
        if sex not in {v for _, v in SEXES}:
            raise UserError("choose female, male or other (or leave it empty)", where="sex")
        tz = self.new_tz.value.strip() or "UTC"
        with self.store() as s:
            s.add_athlete(name, tz=tz, profile={"sex": sex, "age": age})
        self.new_name.value = ""
        self.new_age.value = ""
        self.refresh()
        self.pick.value = name
        self.status.value = f"<p>Added {esc(name)}.</p>"

    def _history_uploaded(self, files: list[Received]) -> None:
        from heavylegs_core.domain.profile import AthleteProfile

        name = self._require_athlete()
        with self.store() as s:
            a = s.athlete(name)
        imported = import_with_progress([f.path for f in files], self.import_progress, tz=a.tz,
                                        profile=AthleteProfile(**a.profile),
                                        names={str(f.path): f.name for f in files})
        with self.store() as s:
            got = s.add_history(name, imported.sessions, imported.nights)
        self._show_athlete()
        self.refresh_roster_only()
        self.status.value = (f"<p>{esc(name)}: added {got.sessions_added} sessions ({got.sessions_duplicate} "
                             f"already in the records) and {got.nights_added} nights "
                             f"({got.nights_duplicate} already in the records).</p>")

    def refresh_roster_only(self) -> list[str]:
        """Redraw the roster table and what is due (the picked athlete stays as shown); returns the names."""
        with self.store() as s:
            rows = s.roster(self.today)
            self.table.value = roster_html(rows, self.kb)
            self.due.value = due_html(s.due(self.today), self.today)
        return [r.athlete for r in rows]

    # ----------------------------------------------------------------- assessments
    def start_assessment(self, followup: str | None = None, *, required: bool = False) -> AssessmentApp:
        """Open an assessment for the picked athlete; a follow-up is prefilled from the last one.

        ``followup`` is ``better``, ``same`` or ``worse`` (how the legs are since
        the change); the warning-sign questions are always asked afresh.
        """
        from heavylegs_core.domain.coach import history_table

        name = self._require_athlete()
        if required and followup is None:
            raise UserError("choose how the legs are since the last assessment: better, the same or worse",
                            where="follow-up")
        with self.store() as s:
            a = s.athlete(name)
            prefill: dict[str, Any] = {}
            self._previous_uid = None
            if followup is not None:
                prefill, last = s.followup_answers(name, followup, self.today)
                self._previous_uid = last.uid
            history = history_table(s, name, self.today)
        app = AssessmentApp(self.kb, today=self.today)
        app.name.value = a.name[:MAX_NAME]
        app.name.disabled = True
        for k in ("sex", "age"):
            if a.profile.get(k) is not None and k not in prefill:
                prefill[k] = a.profile[k]
        if prefill:
            app.apply_answers(prefill, where="the last assessment")
        if history is not None:
            table, sessions = history
            app.set_history(table, label=f"{a.name}'s records ({len(sessions)} sessions)", sessions=sessions)
        app._build(app.history_step)
        for w in (app.sample, app.upload):  # history comes from the records (imported above)
            w.layout.display = "none"
        self.assessment = app
        kind = f"Follow-up ({FOLLOWUP_LABELS[followup].lower()})" if followup else "New assessment"
        self.assessment_title.value = (
            f"<h3>{esc(kind)} for {esc(a.name)}, {self.today:%d %b %Y}</h3><p>Go through the steps; the "
            "warning-sign questions must be answered again. Then save it to the records.</p>")
        self.assessment_slot.children = (app,)
        self.assessment_box.layout.display = None
        self.status.value = ""
        return app

    def save_current(self) -> SavedAssessment:
        """Save the open assessment (all shown warning-sign questions must be answered)."""
        app = self.assessment
        if app is None:
            raise UserError("there is no assessment open: start one first", where="assessment")
        name = self._require_athlete()
        result = app.refresh()
        flags = [q for q in self.kb.questions if q.section == "red_flags" and is_shown(q, app.answers)]
        missing = [q for q in flags if app.answers.get(q.id) is None]
        if missing:
            raise UserError(f"answer the warning-sign questions first ({len(missing)} of {len(flags)} not "
                            "answered): they come before anything else and are never carried over",
                            where="assessment")
        with self.store() as s:
            saved = s.save_assessment(name, app.answers, result, previous_uid=self._previous_uid)
        self._close_assessment()
        self._show_athlete()
        self.refresh_roster_only()
        self.report_which.value = saved.uid
        self.status.value = (f"<p>Saved {esc(name)}'s assessment of {esc(saved.as_of)}; re-check on "
                             f"{esc(saved.recheck_on or '—')}. Choose the actions to try below.</p>")
        return saved

    def _close_assessment(self) -> None:
        self.assessment = None
        self._previous_uid = None
        self.assessment_slot.children = ()
        self.assessment_box.layout.display = "none"

    def _save_actions(self, _: Any = None) -> None:
        name = self._require_athlete()
        picked = self.actions.value
        if not all(isinstance(i, int) and 0 <= i < len(self._offered) for i in picked):
            raise UserError("choose actions from the list", where="actions")
        if not self._saved:
            raise UserError("there is no assessment to attach actions to", where="actions")
        with self.store() as s:
            saved = s.choose_actions(self._saved[-1].uid, [self._offered[i] for i in picked])
        self._show_athlete()
        self.status.value = (f"<p>{esc(name)}: {len(saved.actions)} actions recorded; re-check on "
                             f"{esc(saved.recheck_on or '—')}.</p>")

    def _uid(self, widget: widgets.Dropdown) -> SavedAssessment | None:
        uid = widget.value
        if uid is None:
            return None
        found = next((x for x in self._saved if x.uid == uid), None)
        if found is None:
            raise UserError("choose an assessment from the list", where="assessment")
        return found

    def show_comparison(self) -> None:
        """Compare the two assessments chosen (earlier and later)."""
        a, b = self._uid(self.compare_a), self._uid(self.compare_b)
        if a is None or b is None:
            self.comparison.value = ""
            return
        if a.uid == b.uid:
            self.comparison.value = "<p>Choose two different assessments.</p>"
            return
        if (b.as_of, b.created_at) < (a.as_of, a.created_at):
            a, b = b, a
        self.comparison.value = comparison_html(compare(a, b, self.kb), self.kb)

    def prepare_report(self) -> str:
        """Make the chosen assessment's printable report and offer it as a download; returns the HTML."""
        from heavylegs_core.domain.coach import saved_report_html

        saved = self._uid(self.report_which)
        if saved is None:
            raise UserError("choose an assessment first", where="report")
        with self.store() as s:
            html = saved_report_html(s, saved)
        filename = f"heavylegs-report-{safe_filename(saved.athlete)}-{saved.as_of}.html"
        self.report_link.value = "<p>" + download_link(html.encode(), "text/html", filename,
                                                       f"Download the report of {saved.as_of} (HTML)") + "</p>"
        return html

    # ----------------------------------------------------------------- portable file
    def prepare_export(self, *, all_athletes: bool) -> bytes:
        """Offer the records (the picked athlete, or everyone) as a portable file download; returns its bytes."""
        from heavylegs_core.io.portable import dumps, export_document

        names = None if all_athletes else [self._require_athlete()]
        with self.store() as s:
            data = dumps(export_document(s, names), compress=True)
        who = "all-athletes" if names is None else safe_filename(names[0])
        filename = f"heavylegs-{who}-{self.today}.json.gz"
        label = "all athletes" if names is None else names[0]
        self.portable_link.value = ("<p>" + download_link(data, "application/gzip", filename,
                                                          f"Download the records of {label}")
                                    + f" ({len(data) / 1024:,.0f} KB)</p>")
        return data

    def _portable_uploaded(self, files: list[Received]) -> None:
        from heavylegs_core.io.portable import import_bytes

        if len(files) != 1:
            raise UserError("import one portable file at a time", where="import")
        f = files[0]
        if f.size > MAX_PORTABLE_BYTES:
            raise UserError(f"{size_text(f.size)} is too large for a portable file of heavylegs records "
                            f"(at most {size_text(MAX_PORTABLE_BYTES)}): is it an export for 'Import history'?",
                            where=f.name)
        with self.store() as s:
            added = import_bytes(s, f.path.read_bytes(), f.name)
        self.refresh()
        self.status.value = "<p>Imported: " + esc(", ".join(f"{v} {k}" for k, v in added.items())) + ".</p>"


def roster_app(**kwargs: Any) -> RosterApp:
    """Build the roster app (what the notebook shows)."""
    return RosterApp(**kwargs)
