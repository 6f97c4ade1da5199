"""The roster app without a kernel: athletes, history import, assessments, follow-ups, comparison,
reports and the portable file, as a coach drives them through the widgets."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import html as htmllib
import json
import re
from pathlib import Path

import pytest

from heavylegs_core.apps.roster.view import RosterApp
from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.domain.coach import answer_label, compare, timeline
from heavylegs_core.io.store import open_store
from heavylegs_core.knowledge import load_knowledge
from heavylegs_core.views.widgets import reports_errors
from tests.upload_client import deliver, done_status

DAY = dt.date(2020, 3, 1)
XSS = '<img src=x onerror="window.__xss=1">'
KB = load_knowledge()
RED_FLAGS = {q.id: "no" for q in KB.questions if q.section == "red_flags"}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BINDER_LAUNCH_HOST", raising=False)
    monkeypatch.delenv("BINDER_REPO_URL", raising=False)
    monkeypatch.delenv("BINDER_REQUEST", raising=False)
    (tmp_path / "data").mkdir()
    return tmp_path / "data" / "athletes.sqlite3"


def err(app: RosterApp) -> str:
    """The error box's text, unescaped."""
    return htmllib.unescape(app.errors.value)


def add(app: RosterApp, name: str, *, age: str = "", sex: str | None = None, tz: str = "UTC") -> None:
    app.new_name.value, app.new_age.value, app.new_sex.value, app.new_tz.value = name, age, sex, tz
    app.add_button.click()


def pmdata_files(pid: str = "p01") -> list[tuple[str, bytes]]:
    return [(n, pmdata_file(pid, n).read_bytes()) for n in ("srpe.csv", "wellness.csv")]


def decode_link(html: str) -> bytes:
    m = re.search(r'href="data:[^;]+;base64,([^"]+)"', html)
    assert m, html
    return base64.b64decode(m.group(1))


def assess_and_save(app: RosterApp, answers: dict, *, followup: str | None = None):
    if followup:
        app.response.value = followup
        app.start_followup.click()
    else:
        app.new_assessment.click()
    assert app.errors.value == "", app.errors.value
    a = app.assessment
    assert a is not None
    a.apply_answers({**a.answers, **answers})
    app.save_assessment.click()
    assert app.errors.value == "", app.errors.value
    return app.report_which.value


# ----------------------------------------------------------------- athletes
def test_empty_roster_says_what_to_do_and_where_records_live(db: Path) -> None:
    app = RosterApp(today=DAY)
    assert "hl-ready" in app._dom_classes and "hl-roster" in app._dom_classes
    assert "No athletes yet" in app.table.value
    assert str(db) in app.notice.value and "Binder" in app.notice.value
    assert app.athlete_box.layout.display == "none"


def test_binder_sessions_get_a_stronger_warning(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    app = RosterApp(today=DAY)
    assert "hl-binder-notice" in app.notice.value and "deleted when this session ends" in app.notice.value


@pytest.mark.parametrize(("name", "age", "tz", "message"), [
    ("", "", "UTC", "type the athlete's name"),
    ("Bo", "thirty", "UTC", "not a whole number"),
    ("Bo", "7", "UTC", "outside 10 to 100"),
    ("Bo", "", "Mars/Olympus", "Mars/Olympus"),
    ("B" * 81, "", "UTC", "longer than 80"),
])
def test_bad_athlete_details_are_refused_in_the_error_box(db: Path, name: str, age: str, tz: str,
                                                          message: str) -> None:
    app = RosterApp(today=DAY)
    add(app, name, age=age, tz=tz)
    assert message in err(app)
    assert app.errors.layout.display is None
    with open_store(db) as s:
        assert s.athletes() == []


def test_added_athlete_is_picked_and_escaped_everywhere(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, XSS, age="34", sex="female", tz="Europe/Oslo")
    assert app.errors.value == ""
    assert app.pick.value == XSS and app.athlete_box.layout.display is None
    for html in (app.table.value, app.summary.value, app.status.value):
        assert "<img" not in html and "&lt;img" in html
    add(app, XSS)
    assert "already" in err(app)


def test_a_name_not_in_the_list_is_refused(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann")
    reports_errors(app.errors)(app._picked)({"new": "Mallory"})  # a forged change reaching the observer
    assert app.pick.value is None and "choose an athlete from the list" in err(app)


def test_records_under_the_notebooks_folder_are_refused_visibly(monkeypatch: pytest.MonkeyPatch) -> None:
    from heavylegs_core.base.paths import NOTEBOOKS_DIR

    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(NOTEBOOKS_DIR / "data"))
    app = RosterApp(today=DAY)
    assert "HEAVYLEGS_DATA_DIR" in err(app)
    assert "hl-ready" in app._dom_classes
    assert not (NOTEBOOKS_DIR / "data").exists()


# ----------------------------------------------------------------- history
def test_history_import_counts_new_and_already_stored(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann")
    deliver(app.history_uploader, pmdata_files())
    assert "added 34 sessions (0 already in the records) and 138 nights" in app.status.value
    deliver(app.history_uploader, pmdata_files())
    assert "added 0 sessions (34 already in the records) and 0 nights (138 already" in app.status.value
    assert "34" in app.table.value


def test_a_bad_history_file_changes_nothing_and_names_the_upload(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann")
    deliver(app.history_uploader, [("notes.csv", b"hello, world\n")])
    assert "notes.csv" in err(app) and "/tmp" not in err(app) and "uploads" not in err(app)
    with open_store(db) as s:
        assert s.counts("Ann")["sessions"] == 0


# ----------------------------------------------------------------- assessments and follow-ups
def test_saving_needs_the_warning_signs_answered(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann")
    app.new_assessment.click()
    app.assessment.apply_answers({"in_run": "start_to_finish"})
    app.save_assessment.click()
    assert "answer the warning-sign questions first" in err(app)
    with open_store(db) as s:
        assert s.assessments("Ann") == []


def test_assess_choose_actions_follow_up_and_compare(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann", age="34", sex="female")
    deliver(app.history_uploader, pmdata_files())
    first_uid = assess_and_save(app, {**RED_FLAGS, "in_run": "start_to_finish", "course": "several_days",
                                      "heavy_legs": 7})
    with open_store(db) as s:
        first = s.assessment(first_uid)
    assert first.answers["sex"] == "female" and first.answers["age"] == 34  # from the profile
    assert first.result["history_used"]  # the stored history is evidence
    assert "re-check on 2020-03-08" in app.status.value
    assert "7 / 10" in app.timeline.value
    # choose two of the offered actions
    app.actions.value = (0, 1)
    app.save_actions.click()
    with open_store(db) as s:
        assert len(s.assessment(first_uid).actions) == 2
    assert "2 actions recorded" in app.status.value
    # at the re-check date the roster says it is due
    app.today = first.recheck_on
    app.refresh()
    assert "Ann" in app.due.value and "due today" in app.due.value
    # the follow-up is prefilled and asks the warning signs and the rating afresh
    app.today = DAY + dt.timedelta(days=14)
    app.response.value = "same"
    app.start_followup.click()
    a = app.assessment
    assert a.answers["in_run"] == "start_to_finish" and a.answers["response_to_change"] == "same"
    assert a.answers["change_days"] == 14
    assert not set(RED_FLAGS) & set(a.answers) and "heavy_legs" not in a.answers
    a.apply_answers({**a.answers, **RED_FLAGS, "heavy_legs": 8})
    app.save_assessment.click()
    assert app.errors.value == ""
    with open_store(db) as s:
        second = s.last_assessment("Ann")
    assert second.previous_uid == first_uid
    assert second.triage_level == "gp_soon"  # no better after 14 days: see a GP
    assert "follow-up: About the same" in app.timeline.value
    # the comparison shows what changed
    assert app.compare_box.layout.display is None
    html = app.comparison.value
    assert "8 out of 10" in html and "7 out of 10" in html and "see a GP soon" in html
    assert "▼" in html  # the everyday contributors went down
    assert "more contributors outside the top 5" in html  # the unchanged tail is summarised, not listed


def test_follow_up_needs_a_response_and_an_earlier_assessment(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann")
    app.start_followup.click()
    assert "better, the same or worse" in err(app)
    app.response.value = "better"
    app.start_followup.click()
    assert "no earlier assessment" in err(app)


def test_report_download_is_self_contained_and_escaped(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, XSS)
    deliver(app.history_uploader, pmdata_files())
    assess_and_save(app, {**RED_FLAGS, "rf_dvt": "not_sure", "in_run": "midway"})
    app.make_report.click()
    assert app.errors.value == ""
    html = decode_link(app.report_link.value).decode()
    assert "<img src=x" not in html and "&lt;img" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "<script" not in html.lower()
    assert html.index("hl-triage") < html.index("hl-contributor")  # warning signs first
    assert "<svg" in html  # history charts inline


# ----------------------------------------------------------------- portable file
def test_download_and_import_round_trip_into_another_machine(db: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from heavylegs_core.io.portable import export_document

    app = RosterApp(today=DAY)
    add(app, "Ann")
    deliver(app.history_uploader, pmdata_files())
    assess_and_save(app, {**RED_FLAGS, "in_run": "start_to_finish"})
    app.export_all.click()
    data = decode_link(app.portable_link.value)
    assert json.loads(gzip.decompress(data))["athletes"][0]["name"] == "Ann"

    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(tmp_path / "other"))
    other = RosterApp(today=DAY)
    deliver(other.portable_uploader, [("heavylegs-all.json.gz", data)])
    assert other.errors.value == "" and "1 athletes" in other.status.value
    with open_store(db) as a, open_store(tmp_path / "other" / "athletes.sqlite3") as b:
        assert export_document(a, exported_at="x") == export_document(b, exported_at="x")


def test_a_malformed_portable_file_changes_nothing(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann")
    deliver(app.portable_uploader, [("bad.json", b'{"format": "heavylegs-athletes"')])
    assert "bad.json" in err(app) and "not valid JSON" in err(app)
    with open_store(db) as s:
        assert [a.name for a in s.athletes()] == ["Ann"]


def test_two_sessions_share_the_records(db: Path) -> None:
    coach, assistant = RosterApp(today=DAY), RosterApp(today=DAY)
    add(coach, "Ann")
    add(assistant, "Bo")
    coach.reload.click()
    assert "Bo" in coach.table.value and coach.pick.value == "Ann"  # the picked athlete stays picked
    assistant.reload.click()
    assert "Ann" in assistant.table.value


# ----------------------------------------------------------------- pure pieces
def test_timeline_marks_only_the_latest_recheck_due(db: Path) -> None:
    from heavylegs_core.domain.model import assess

    with open_store(db) as s:
        s.add_athlete("Ann")
        r1 = assess({"in_run": "start_to_finish", "heavy_legs": 6}, as_of=DAY)
        a = s.save_assessment("Ann", {"in_run": "start_to_finish", "heavy_legs": 6}, r1)
        r2 = assess({"in_run": "midway"}, as_of=DAY + dt.timedelta(days=3))
        s.save_assessment("Ann", {"in_run": "midway"}, r2, previous_uid=a.uid)
        rows = timeline(s.assessments("Ann"), DAY + dt.timedelta(days=60))
    assert [r.recheck_due for r in rows] == [False, True]
    assert rows[0].rating == 6 and rows[1].rating is None
    assert rows[0].top[0][1] == r1.contributors[0].out_of_100


def test_compare_lists_changed_answers_in_questionnaire_order_and_every_contributor(db: Path) -> None:
    from heavylegs_core.domain.model import assess

    with open_store(db) as s:
        s.add_athlete("Ann")
        x = {"course": "one_run", "in_run": "start_then_eases"}
        y = {"course": "several_days", "in_run": "start_then_eases", "sleep_hours": 5.5}
        a = s.save_assessment("Ann", x, assess(x, as_of=DAY))
        b = s.save_assessment("Ann", y, assess(y, as_of=DAY))
    c = compare(a, b, KB)
    assert [ch.question for ch in c.answers] == [KB.question("course").text, KB.question("sleep_hours").text]
    assert c.answers[1].before == "—" and c.answers[1].after == "5.5 hours"
    ids_a = {x["name"] for x in a.result["contributors"]}
    ids_b = {x["name"] for x in b.result["contributors"]}
    assert {r.name for r in c.ranking} == ids_a | ids_b
    assert [r.rank_after for r in c.ranking if r.rank_after] == sorted(r.rank_after for r in c.ranking if r.rank_after)


def test_answer_labels_use_the_questionnaire_words() -> None:
    assert answer_label(KB, "in_run", "midway") == next(o.label for o in KB.question("in_run").options
                                                        if o.id == "midway")
    assert answer_label(KB, "in_run", "dont_know") == "Don't know"
    assert answer_label(KB, "in_run", None) == "—"
    assert answer_label(KB, "heavy_legs", 7) == "7 out of 10"


def test_state_a_page_script_forges_is_refused_visibly_and_the_app_goes_on(db: Path) -> None:
    app = RosterApp(today=DAY)
    add(app, "Ann")
    app.pick.set_state({"index": 999})  # an index the list does not have
    assert app.errors.layout.display is None and app.pick.value == "Ann"
    app.new_name.set_state({"value": "x" * 5000})  # far over the name limit
    assert "Name" in err(app) and app.new_name.value == ""
    app.history_upload.set_state({"status": done_status([(i, f"f{i}.csv", 1) for i in range(6000)])})
    assert "not valid" in err(app)
    token = app.history_upload.token
    app.history_upload.set_state({"token": "A" * 43})  # the page may report a status, nothing else
    assert app.history_upload.token == token
    app.save_actions.set_state({"disabled": True})  # a change the page view never makes
    assert app.save_actions.disabled is False
    add(app, "Bo")  # still working
    assert app.pick.value == "Bo"
