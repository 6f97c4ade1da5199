"""The assessment app driven without a kernel: set values, click, read the results."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from heavylegs_core.apps.assessment.view import AssessmentApp
from heavylegs_core.io.uploads import MAX_UPLOAD_FILES
from tests.upload_client import deliver, done_status

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
            # a warning sign has yes / no / not sure only: an unanswered one never reads as "no"
            offered = "dont_know" in [v for _, v in field.control.options]
            assert offered == (field.q.section != "red_flags"), field.q.id
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
    deliver(app.uploader, [(fit.name, fit.read_bytes())])
    assert app.errors.layout.display == "none", app.errors.value
    assert app.history_summary["Days of history"] >= 1
    assert "fenix2" in app.history_html.value


def test_a_bad_upload_names_the_file_and_keeps_the_app_usable(app):
    app._build(app.history_step)
    deliver(app.uploader, [("notes.csv", b"hello,world")])
    assert "notes.csv" in app.errors.value
    assert "/tmp" not in app.errors.value and "uploads" not in app.errors.value  # never the private path
    answer(app, "in_run", "midway")
    assert app.errors.layout.display == "none"


def test_a_page_announcing_more_files_than_the_limit_is_refused(app):
    app._build(app.history_step)
    app.upload.status = done_status([(i, f"f{i}.csv", 1) for i in range(MAX_UPLOAD_FILES + 1)])
    assert "not valid" in app.errors.value
    assert app.metrics is None


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


def test_questions_that_do_not_apply_are_hidden_and_ignored(app):
    conditional = next(q for q in app.kb.questions if q.show_if is not None and q.show_if.q == "legs")
    answer(app, "legs", "both")
    answer(app, conditional.id, conditional.option_ids()[0])
    control = app.fields[conditional.id].control
    assert control.layout.display == "none" and not app.fields[conditional.id].shown
    assert conditional.id not in app.answers
    answer(app, "legs", "one")
    assert control.layout.display is None and app.fields[conditional.id].shown
    assert conditional.id in app.answers
    # showing or hiding one question never changes the layout another question shares
    others = [f.control.layout.display for q, f in app.fields.items() if app.kb.question(q).show_if is None]
    assert others and all(d is None for d in others)


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


# ---------------------------------------------------------------- what the page receives (issue #11)


def test_a_steps_widgets_are_built_when_it_is_first_shown(app):
    built = set(app.fields)
    assert built == {"sex", "age"}  # only the first step exists when the page opens
    assert all(page.children == () for page in app._pages[1:])
    app.next.click()
    step = app._pages[1]
    new = set(app.fields) - built
    assert new and step.children, "the red-flag step exists once shown"
    assert all(page.children == () for page in app._pages[2:]), "later steps are not built yet"
    controls = [c for c in step.children if "hl-question" in c._dom_classes]
    assert {app.fields[q].control for q in new} == set(controls)
    for qid in new:  # one widget per question: the control, labelled with the question (escaped) and its help
        field = app.fields[qid]
        assert field.control._dom_classes == ("hl-question", f"hl-q-{qid}")
        assert field.control.description_allow_html
        assert f'<span class="hl-q">{html.escape(field.q.text, quote=True)}</span>' in field.control.description


def test_questions_share_their_looks_and_the_styles_are_sent_once(app):
    for i in range(len(app.steps)):
        app._build(i)
    layouts = {id(f.control.layout) for f in app.fields.values()}
    styles = {id(f.control.style) for f in app.fields.values()}
    assert len(layouts) == 1 and len(styles) == 2  # one layout; one style per kind of control
    walk_to(app, app._last_red_flag_step + 1)
    assert "<style" not in app.results.value  # not re-sent with every redraw of the results
    assert ".hl-contributor" in app.looks_css.value and ".hl-question" in app.looks_css.value
    assert app.looks_css.layout.display == "none"
    assert app.resume.icon == ""  # no icon font fetched for the resume button
    # an embedding app (the roster) hides the history's own controls: no question goes with them
    shown = {q for q, f in app.fields.items() if f.shown}
    assert len(shown) > 70
    for w in (app.sample, app.upload, app.history_html, app.history_chart, app.downloads, app.looks_css):
        w.layout.display = "none"
    assert all(app.fields[q].control.layout.display is None for q in shown)


def test_load_per_period_keeps_every_sessions_totals():
    from heavylegs_core.domain.records import normalise_sessions
    from heavylegs_core.views.charts import load_per_period

    rows = [("2024-01-07", "run", 10.0, 30), ("2024-01-08", "run", 20.0, 40), ("2024-01-08", "ride", 5.0, 60),
            ("2024-01-31", "run", 7.0, 20), ("2024-02-01", "run", 3.0, 10)]
    s = normalise_sessions(pd.DataFrame({"date": [d for d, *_ in rows],
                                         "start": [f"{d}T08:00:00+00:00" for d, *_ in rows],
                                         "sport": [r[1] for r in rows], "load": [r[2] for r in rows],
                                         "duration_min": [r[3] for r in rows]}))
    weeks = load_per_period(s, "week")
    got = {(str(w.date()), sp): (ld, n, m) for w, sp, ld, n, m in weeks.itertuples(index=False)}
    # Sunday 7 January closes the week of Monday 1 January; 31 January (Wednesday) and 1 February share a week
    assert got == {("2024-01-01", "run"): (10.0, 1, 30.0), ("2024-01-08", "ride"): (5.0, 1, 60.0),
                   ("2024-01-08", "run"): (20.0, 1, 40.0), ("2024-01-29", "run"): (10.0, 2, 30.0)}
    months = load_per_period(s, "month")
    got = {(str(w.date()), sp): ld for w, sp, ld, *_ in months.itertuples(index=False)}
    assert got == {("2024-01-01", "ride"): 5.0, ("2024-01-01", "run"): 37.0, ("2024-02-01", "run"): 3.0}
    for table in (weeks, months):
        assert table["load"].sum() == s["load"].sum() and table["sessions"].sum() == len(s)
    with pytest.raises(ValueError, match="unknown load period 'day'"):
        load_per_period(s, "day")


def _chart_rows(spec: dict) -> pd.DataFrame:
    (text,) = spec["datasets"].values()  # the chart's one inline CSV dataset
    return pd.read_csv(io.StringIO(text), parse_dates=["start"])


def test_a_ten_year_history_chart_is_monthly_complete_and_small():
    from heavylegs_core.apps.assessment.view import history_load_chart
    from heavylegs_core.domain.synthetic import synthetic_history

    s = synthetic_history(10).sessions
    spec = history_load_chart(s).to_dict()
    rows = _chart_rows(spec)
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearmonth" and "Monthly" in spec["title"]["text"]
    assert rows["load"].sum() == pytest.approx(s["load"].sum()) and rows["sessions"].sum() == len(s)
    # one row per month and sport: every month's bar is that month's total, the first and last included
    month = s["date"].dt.strftime("%Y-%m")
    expected = s.groupby([month, "sport"])["load"].sum()
    got = rows.set_index([rows["start"].dt.strftime("%Y-%m"), "sport"])["load"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    assert rows["start"].min().strftime("%Y-%m") == month.min()
    assert len(json.dumps(spec)) < 20_000  # bytes sent to the page for the whole decade


def test_a_short_history_chart_stays_weekly():
    from heavylegs_core.apps.assessment.view import history_load_chart
    from heavylegs_core.domain.synthetic import synthetic_history

    s = synthetic_history(1.5).sessions
    spec = history_load_chart(s).to_dict()
    rows = _chart_rows(spec)
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearweek"
    assert (rows["start"].dt.day_of_week == 0).all()  # Mondays
    assert rows["load"].sum() == pytest.approx(s["load"].sum())
