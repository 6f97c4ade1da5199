"""The roster's state and operations on the athlete records, without widgets (the view is :mod:`.view`).

A coach picks or adds an athlete, imports their training and sleep exports into
the athlete records (SQLite, :mod:`heavylegs_core.io.store`), runs an assessment or
a follow-up prefilled from the last one, chooses the actions to try, compares two
assessments, and downloads a printable report. The records live in the user data
folder (``$HEAVYLEGS_DATA_DIR``), never in a folder Voila or Jupyter serves; the
portable file (:mod:`heavylegs_core.io.portable`) carries them to another machine and
out of a Binder session, whose storage is wiped when it ends.

Every value from the browser is validated here before it reaches the store. The
store is opened for each operation, so two app sessions (or the CLI) can use the
same records.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from heavylegs_core.apps.assessment.model import MAX_NAME, AssessmentModel
from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.coach import (
    Comparison,
    SavedAssessment,
    TimelineRow,
    compare,
    timeline,
)
from heavylegs_core.domain.history import History
from heavylegs_core.domain.model import Assessment, is_shown
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.io.store import FOLLOWUP_RESPONSES, Store, default_path, open_store
from heavylegs_core.io.uploads import Received, safe_filename, size_text
from heavylegs_core.knowledge import Knowledge, load_knowledge
from heavylegs_core.views.html import esc

#: Largest portable file accepted from the browser (bytes, as uploaded).
#: Largest portable file read (bytes): the whole document is parsed and checked in memory.
MAX_PORTABLE_BYTES = 500 * 1024 * 1024
SEXES = (("—", None), ("Female", "female"), ("Male", "male"), ("Other", "other"))
NONE_CHOSEN = "—"
#: The comparison lists contributors in either top TOP_SHOWN, or that moved by MOVED_POINTS in 100 or more.
TOP_SHOWN = 5
MOVED_POINTS = 5


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
            f"<p class='hl-note'>{esc(kb.text('comparison_caveat'))}</p>")


def _assessment_label(s: SavedAssessment, kb: Knowledge) -> str:
    return f"{s.as_of} · {_call_label(kb, s.todays_call)}"




class AthletePage(NamedTuple):
    """What the view shows of the picked athlete: summary and timeline (HTML), the saved
    assessments as ``(label, uid)`` oldest first, the actions offered (labels) and those chosen (indices)."""

    summary: str
    timeline: str
    assessments: list[tuple[str, str]]
    actions: list[str]
    chosen: tuple[int, ...]


class Started(NamedTuple):
    """An assessment opened for an athlete: its model, the answers to prefill, the stored
    history (None without training), the heading (HTML) and the athlete's name."""

    model: AssessmentModel
    prefill: dict[str, Any]
    history: History | None
    title: str
    name: str


@dataclass
class RosterModel:
    """The athlete records at ``db_path`` as a coach works with them on ``today``."""

    db_path: Path | None = None
    today: dt.date = field(default_factory=dt.date.today)
    kb: Knowledge = field(default_factory=load_knowledge)
    picked: str | None = None
    saved: list[SavedAssessment] = field(default_factory=list)
    offered: list[tuple[str, str]] = field(default_factory=list)
    previous_uid: str | None = None

    @classmethod
    def open(cls, db_path: str | Path | None = None, *, today: dt.date | None = None,
             kb: Knowledge | None = None) -> RosterModel:
        """The roster of the records at ``db_path`` (default: the user data folder's)."""
        return cls(db_path=Path(db_path) if db_path is not None else default_path(),
                   today=today or dt.date.today(), kb=kb or load_knowledge())

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        """The athlete records, opened for one operation (so other sessions can use them too)."""
        if self.db_path is None:
            raise UserError("the athlete records cannot be opened (see the message above)", where="records")
        with open_store(self.db_path) as s:
            yield s

    def notice_html(self) -> str:
        """Where the records are kept, and the Binder warning (HTML)."""
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

    def require_athlete(self) -> str:
        """The picked athlete's name; none picked is an error."""
        if self.picked is None:
            raise UserError("pick an athlete first", where="athlete")
        return self.picked

    # ----------------------------------------------------------------- the roster
    def roster(self) -> tuple[str, str, list[str]]:
        """The roster table and what is due (HTML) and the athletes' names."""
        with self.store() as s:
            rows = s.roster(self.today)
            return roster_html(rows, self.kb), due_html(s.due(self.today), self.today), [r.athlete for r in rows]

    def pick(self, name: str | None, names: list[str]) -> None:
        """Pick ``name`` (one of ``names``, or None); anything else is an error and picks nobody."""
        if name is not None and name not in names:
            self.picked = None
            raise UserError("choose an athlete from the list", where="athlete")
        self.picked = name
        self.previous_uid = None

    def athlete_page(self) -> AthletePage | None:
        """The picked athlete's page, or None when nobody is picked."""
        name = self.picked
        if name is None:
            return None
        with self.store() as s:
            a = s.athlete(name)
            counts = s.counts(name)
            saved = s.assessments(name)
        self.saved = saved
        units = {"sleep_need_h": " h", "max_hr": " bpm", "rest_hr": " bpm", "age": " years"}
        prof = ", ".join(f"{k.removesuffix('_h').replace('_', ' ')} {v:g}{units.get(k, '')}"
                         if isinstance(v, int | float) else f"{k.replace('_', ' ')} {v}"
                         for k, v in a.profile.items() if v is not None)
        summary = (
            f"<p><strong>{esc(a.name)}</strong> ({esc(a.tz)}); profile: {esc(prof or 'none')}. "
            f"Records: {counts.get('sessions', 0)} sessions, {counts.get('nights', 0)} nights, "
            f"{len(saved)} assessments.</p>"
            "<p>Import the athlete's training and sleep exports here: they are added to the records "
            "(files already imported are recognised and skipped).</p>")
        last = saved[-1] if saved else None
        self.offered = [(c["id"], t) for c in (last.result.get("contributors") or [])[:5]
                        for t in c.get("actions", [])] if last else []
        names = {c.id: c.name for c in self.kb.causes}
        chosen = set(last.actions) if last else set()
        return AthletePage(summary=summary, timeline=timeline_html(timeline(saved, self.today), self.kb),
                           assessments=[(_assessment_label(x, self.kb), x.uid) for x in saved],
                           actions=[f"{names.get(c, c)}: {t}" for c, t in self.offered],
                           chosen=tuple(i for i, pair in enumerate(self.offered) if pair in chosen))

    # ----------------------------------------------------------------- athletes and history
    def add_athlete(self, name: str, *, sex: Any, age_text: str, tz: str) -> str:
        """Add an athlete (name, sex, age in years as typed, IANA time zone); returns a status line (HTML)."""
        name = name.strip()
        if not name:
            raise UserError("type the athlete's name first", where="name")
        if len(name) > MAX_NAME:
            raise UserError(f"the name is longer than {MAX_NAME} characters", where="name")
        age_text = age_text.strip()
        age: int | None = None
        if age_text:
            try:
                age = int(age_text)
            except ValueError:
                raise UserError(f"{age_text!r} is not a whole number of years", where="age") from None
            if not 10 <= age <= 100:
                raise UserError(f"age {age} is outside 10 to 100 years", where="age")
        if sex not in {v for _, v in SEXES}:
            raise UserError("choose female, male or other (or leave it empty)", where="sex")
        with self.store() as s:
            s.add_athlete(name, tz=tz.strip() or "UTC", profile={"sex": sex, "age": age})
        return name

    def athlete_tz_profile(self) -> tuple[str, Any]:
        """The picked athlete's time zone and stored profile (what an import of their files needs)."""
        with self.store() as s:
            a = s.athlete(self.require_athlete())
        return a.tz, AthleteProfile(**a.profile)

    def add_history(self, history: History) -> str:
        """Add imported records to the picked athlete's; returns a status line (HTML)."""
        name = self.require_athlete()
        with self.store() as s:
            got = s.add_history(name, history.sessions, history.nights)
        return (f"<p>{esc(name)}: added {got.sessions_added} sessions ({got.sessions_duplicate} "
                f"already in the records) and {got.nights_added} nights "
                f"({got.nights_duplicate} already in the records).</p>")

    # ----------------------------------------------------------------- assessments
    def start_assessment(self, followup: str | None = None, *, required: bool = False) -> Started:
        """Open an assessment for the picked athlete; a follow-up is prefilled from the last one.

        ``followup`` is ``better``, ``same`` or ``worse`` (how the legs are since
        the change); the warning-sign questions are always asked afresh.
        """
        name = self.require_athlete()
        if required and followup is None:
            raise UserError("choose how the legs are since the last assessment: better, the same or worse",
                            where="follow-up")
        if followup is not None and followup not in FOLLOWUP_RESPONSES:
            raise UserError("choose better, the same or worse", where="follow-up")
        with self.store() as s:
            a = s.athlete(name)
            prefill: dict[str, Any] = {}
            self.previous_uid = None
            if followup is not None:
                prefill, last = s.followup_answers(name, followup, self.today)
                self.previous_uid = last.uid
            history = s.history(name)
        for k in ("sex", "age"):
            if a.profile.get(k) is not None and k not in prefill:
                prefill[k] = a.profile[k]
        model = AssessmentModel.create(self.kb, today=self.today)
        model.history_day = self.today  # days after the last session up to today count as rest days
        kind = f"Follow-up ({FOLLOWUP_LABELS[followup].lower()})" if followup else "New assessment"
        title = (f"<h3>{esc(kind)} for {esc(a.name)}, {self.today:%d %b %Y}</h3><p>Go through the steps; the "
                 "warning-sign questions must be answered again. Then save it to the records.</p>")
        return Started(model, prefill, history if history.has_training(self.today) else None, title,
                       a.name[:MAX_NAME])

    def save_assessment(self, assessment: AssessmentModel) -> tuple[SavedAssessment, str]:
        """Save an assessment (every shown warning-sign question answered); returns it and a status line."""
        name = self.require_athlete()
        result = assessment.assess()
        flags = [q for q in self.kb.questions if q.section == "red_flags" and is_shown(q, assessment.answers)]
        missing = [q for q in flags if assessment.answers.get(q.id) is None]
        if missing:
            raise UserError(f"answer the warning-sign questions first ({len(missing)} of {len(flags)} not "
                            "answered): they come before anything else and are never carried over",
                            where="assessment")
        with self.store() as s:
            saved = s.save_assessment(name, assessment.answers, result, previous_uid=self.previous_uid)
        self.previous_uid = None
        return saved, (f"<p>Saved {esc(name)}'s assessment of {esc(saved.as_of)}; re-check on "
                       f"{esc(saved.recheck_on or '—')}. Choose the actions to try below.</p>")

    def choose_actions(self, picked: tuple[Any, ...]) -> str:
        """Record the offered actions at indices ``picked`` on the latest assessment; returns a status line."""
        name = self.require_athlete()
        if not all(isinstance(i, int) and 0 <= i < len(self.offered) for i in picked):
            raise UserError("choose actions from the list", where="actions")
        if not self.saved:
            raise UserError("there is no assessment to attach actions to", where="actions")
        with self.store() as s:
            saved = s.choose_actions(self.saved[-1].uid, [self.offered[i] for i in picked])
        return (f"<p>{esc(name)}: {len(saved.actions)} actions recorded; re-check on "
                f"{esc(saved.recheck_on or '—')}.</p>")

    def saved_one(self, uid: str | None) -> SavedAssessment | None:
        """The picked athlete's saved assessment ``uid`` (None for None); another uid is an error."""
        if uid is None:
            return None
        found = next((x for x in self.saved if x.uid == uid), None)
        if found is None:
            raise UserError("choose an assessment from the list", where="assessment")
        return found

    def comparison(self, uid_a: str | None, uid_b: str | None) -> str:
        """The two assessments compared, earlier first (HTML; empty until both are chosen)."""
        a, b = self.saved_one(uid_a), self.saved_one(uid_b)
        if a is None or b is None:
            return ""
        if a.uid == b.uid:
            return "<p>Choose two different assessments.</p>"
        if (b.as_of, b.created_at) < (a.as_of, a.created_at):
            a, b = b, a
        return comparison_html(compare(a, b, self.kb), self.kb)

    def report(self, uid: str | None) -> tuple[str, str]:
        """The printable report of a saved assessment as saved (HTML) and its download link (HTML)."""
        # an action: the report's code only then
        from heavylegs_core.views.report import report_page

        saved = self.saved_one(uid)
        if saved is None:
            raise UserError("choose an assessment first", where="report")
        with self.store() as s:
            history = s.history(saved.athlete, answers=saved.answers, label="stored history")
        html = report_page(saved.answers, Assessment.from_dict(saved.result), history=history,
                           athlete=saved.athlete, question_text={q.id: q.text for q in self.kb.questions})
        filename = f"heavylegs-report-{safe_filename(saved.athlete)}-{saved.as_of}.html"
        link = "<p>" + download_link(html.encode(), "text/html", filename,
                                     f"Download the report of {saved.as_of} (HTML)") + "</p>"
        return html, link

    # ----------------------------------------------------------------- portable file
    def export(self, *, all_athletes: bool) -> tuple[bytes, str]:
        """The records (the picked athlete, or everyone) as a portable file and its download link (HTML)."""
        # an action: the portable file's code only then
        from heavylegs_core.io.portable import dumps, export_document

        names = None if all_athletes else [self.require_athlete()]
        with self.store() as s:
            data = dumps(export_document(s, names), compress=True)
        who = "all-athletes" if names is None else safe_filename(names[0])
        filename = f"heavylegs-{who}-{self.today}.json.gz"
        label = "all athletes" if names is None else names[0]
        return data, ("<p>" + download_link(data, "application/gzip", filename, f"Download the records of {label}")
                      + f" ({len(data) / 1024:,.0f} KB)</p>")

    def import_portable(self, files: list[Received]) -> str:
        """Import one uploaded portable file (checked completely first); returns a status line (HTML)."""
        # an action: the portable file's code only then
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
        return "<p>Imported: " + esc(", ".join(f"{v} {k}" for k, v in added.items())) + ".</p>"
