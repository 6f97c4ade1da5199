"""The assessment app driven without a kernel: set values, click, read the results."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from heavylegs_core.assessment_app import MAX_FILES, AssessmentApp, safe_filename

REALDATA = Path(__file__).parent / "data" / "realdata"
XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture
def app() -> AssessmentApp:
    return AssessmentApp(today=dt.date(2026, 11, 22))


def answer(app: AssessmentApp, qid: str, value) -> None:
    """Answer a question the way a user does: go to its step, then set the control."""
    for i, (_, _) in enumerate(app.steps):
        app._build(i)
        if qid in app.fields:
            break
    field = app.fields[qid]
    field.control.value = value if field.q.type == "single" else str(value)


def upload_item(name: str, data: bytes) -> dict:
    """A FileUpload value item as ipywidgets 8 holds it."""
    return {"name": name, "type": "", "size": len(data), "content": memoryview(data),
            "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}


def walk_to(app: AssessmentApp, index: int) -> None:
    """Click Next until step ``index``, or until the red-flag gate stops the flow."""
    while (app.stack.selected_index or 0) < index and not app.next.disabled:
        app.next.click()
        if app.gate.layout.display != "none":
            return


def data_link(html: str, mime: str) -> bytes:
    m = re.search(rf'href="data:{re.escape(mime)};base64,([^"]+)"', html)
    assert m, html[:300]
    return base64.b64decode(m.group(1))


def test_the_app_is_ready_and_starts_with_the_athlete(app):
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    assert "Step 1 of" in app.step_title.value
    assert app.back.disabled
    assert app.results.layout.display == "none"  # no results before the safety screen


def test_red_flags_come_first(app):
    walk_to(app, 1)
    first = app.fields
    assert any(q.startswith("rf_") for q in first)
    assert app.kb.question(next(q for q in first if q.startswith("rf_"))).section == "red_flags"


@pytest.mark.parametrize("reply", ["yes", "not_sure"])
def test_a_red_flag_stops_the_flow_with_the_action_and_the_number(app, reply):
    app.country.value = "United States or Canada (911)"
    walk_to(app, 1)
    answer(app, "rf_chest_pain", reply)
    walk_to(app, app._last_red_flag_step + 1)
    assert app.gate.layout.display != "none" and app.wizard.layout.display == "none"
    assert "911" in app.gate_html.value
    assert app.results.layout.display == "none"  # no explanation before the action
    app.ack.click()
    assert app.wizard.layout.display != "none"
    assert app.stack.selected_index == app._last_red_flag_step + 1
    # the triage message stays at the top of the results, and today's call is see_doctor
    body = app.results.value
    assert body.index('class="hl-triage') < body.index("Likely contributors")
    assert app.result.todays_call.id == "see_doctor"


def test_no_red_flag_means_no_gate(app):
    walk_to(app, app._last_red_flag_step + 1)
    assert app.gate.layout.display == "none"
    assert app.results.layout.display != "none"
    assert 'class="hl-triage' not in app.results.value


def test_changing_an_answer_updates_the_results_live(app):
    walk_to(app, app._last_red_flag_step + 1)
    before = app.result.ranking()
    answer(app, "in_run", "start_then_eases")
    first = app.result.ranking()[0]
    assert app.result.ranking() != before
    assert app.result.contributor(first).name in app.results.value
    assert "About" in app.results.value and "in 100" in app.results.value


def test_every_question_can_be_left_as_dont_know(app):
    for i in range(len(app.steps)):
        app._build(i)
    for field in app.fields.values():
        if field.q.type == "single":
            assert "dont_know" in [v for _, v in field.control.options]
        else:
            field.control.value = ""
            assert field.answer() is None


def test_a_bad_number_is_reported_and_the_app_stays_usable(app):
    answer(app, "age", "forty")
    assert "not a number" in app.errors.value and app.errors.layout.display != "none"
    answer(app, "age", "41")
    assert app.errors.layout.display == "none"
    assert app.result.to_dict()["answered"] >= 1


def test_a_sample_athlete_history_feeds_the_assessment(app):
    app._build(app.history_step)
    app.sample.value = "p02"
    assert app.metrics and app.result.history_used
    assert "Days since a rest day" in app.history_html.value
    assert app.history_chart.children, "one chart of the history"
    assert app.history_as_of == dt.date(2020, 3, 29) or app.history_as_of.year == 2020


def test_uploading_a_real_fit_file(app):
    app._build(app.history_step)
    fit = REALDATA / "fit" / "fitparse__activity-small-fenix2-run.fit"
    app.upload.value = (upload_item(fit.name, fit.read_bytes()),)
    assert app.errors.layout.display == "none", app.errors.value
    assert app.history_summary["Days of history"] >= 1
    assert "fenix2" in app.history_html.value


def test_a_bad_upload_names_the_file_and_keeps_the_app_usable(app):
    app._build(app.history_step)
    app.upload.value = (upload_item("notes.csv", b"hello,world"),)
    assert "notes.csv" in app.errors.value
    assert "/tmp" not in app.errors.value  # the private temporary path is never shown
    answer(app, "in_run", "midway")
    assert app.errors.layout.display == "none"


def test_too_many_files_at_once_is_refused(app):
    app._build(app.history_step)
    files = tuple(upload_item(f"f{i}.csv", b"x") for i in range(MAX_FILES + 1))
    app.upload.value = files
    assert "too many" in app.errors.value


def test_user_text_is_escaped_everywhere(app):
    app.name.value = XSS
    walk_to(app, app._last_red_flag_step + 1)
    assert "<img" not in app.results.value and "<script>alert" not in app.results.value
    assert "&lt;img" in app.results.value
    app._prepare_downloads()
    report = data_link(app.downloads.value, "text/html").decode()
    assert "<img src=x" not in report and "<script>alert" not in report


def test_downloads_and_resume_round_trip(app):
    walk_to(app, app._last_red_flag_step + 1)
    answer(app, "in_run", "midway")
    answer(app, "course", "several_days")
    app._prepare_downloads()
    doc = json.loads(data_link(app.downloads.value, "application/json"))
    assert doc["answers"]["in_run"] == "midway"
    assert doc["result"]["contributors"][0]["id"] == app.result.ranking()[0]
    report = data_link(app.downloads.value, "text/html").decode()
    assert "not a diagnosis" in report and "Today:" in report

    other = AssessmentApp()
    other._build(other.keep_step)
    raw = json.dumps(doc).encode()
    other.resume.value = (upload_item("saved.json", raw),)
    assert other.answers["in_run"] == "midway" and other.answers["course"] == "several_days"
    assert other.result.ranking() == app.result.ranking()


def test_resuming_a_bad_file_changes_nothing(app):
    app._build(app.keep_step)
    answer(app, "in_run", "midway")
    bad = json.dumps({"answers": {"in_run": "sideways"}}).encode()
    app.resume.value = (upload_item("bad.json", bad),)
    assert "sideways" in app.errors.value
    assert app.answers["in_run"] == "midway"


def test_file_names_are_made_safe():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\a\\run.fit") == "run.fit"
    assert safe_filename("<x>.csv") == "_x_.csv"


def test_questions_that_do_not_apply_are_hidden_and_ignored(app):
    conditional = next(q for q in app.kb.questions if q.show_if is not None and q.show_if.q == "legs")
    answer(app, "legs", "both")
    answer(app, conditional.id, conditional.option_ids()[0])
    assert app.fields[conditional.id].layout.display == "none"
    assert conditional.id not in app.answers
    answer(app, "legs", "one")
    assert app.fields[conditional.id].layout.display is None
    assert conditional.id in app.answers


def test_an_unexpected_failure_while_answering_is_shown_not_swallowed(app, monkeypatch):
    walk_to(app, app._last_red_flag_step + 1)

    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(app.engine, "assess", broken)
    answer(app, "in_run", "midway")
    assert "model exploded" in app.errors.value and app.errors.layout.display != "none"


def test_the_dashboard_opens_inside_the_assessment_for_this_athlete(app):
    app._build(app.history_step)
    assert app.open_dashboard.layout.display == "none"
    app.sample.value = "p03"
    app.open_dashboard.click()
    assert app.errors.layout.display == "none", app.errors.value
    (dash,) = app.dashboard_box.children
    assert "hl-dashboard" in dash._dom_classes
    app.sample.value = None
    assert app.dashboard_box.children == ()


def test_report_carries_the_history_charts_inline(app):
    app._build(app.history_step)
    app.sample.value = "p01"
    assert app.errors.value == ""
    app._prepare_downloads()
    report = data_link(app.downloads.value, "text/html").decode()
    body = report[report.index("<body"):]
    assert body.count("<svg") >= 2  # weekly load and form; no script, no external URL
    assert "<script" not in body.lower() and "https://" not in body
