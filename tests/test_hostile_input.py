"""Hostile input through the browser: the assessment app refuses it visibly and runs nothing.

Two kinds of hostility, in Voila and Debian Chromium:

* state a page script sends straight to the kernel through the widget manager
  (``window.heavylegsPage.widgetManager``, heavylegs' page front end), bypassing the controls: wrong
  types, megabytes of text, an index out of range, changes to a button or an output,
  upload reports of files that never arrived, of thousands of files, malformed, or changing
  the upload's ticket. Each must show a clear ``.hl-error`` message, and the app must keep
  answering afterwards;
* script payloads in every text entry point (name, number fields, uploaded file
  names, fields inside uploaded files, a resumed session's JSON): nothing may run
  in the app or in the printable report, which must carry them escaped.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_assessment_e2e import FIT, next_until, pick

pytestmark = pytest.mark.e2e

APP = "/voila/render/01_assessment.ipynb"

# Sets state on the widget model carrying a CSS class, as a hostile page script could.
SET_STATE = """async ([cls, state]) => {
  const wm = window.heavylegsPage.widgetManager;
  const models = await Promise.all(Object.values(wm._models));
  const m = models.find(m => (m.get('_dom_classes') || []).includes(cls));
  if (!m) throw new Error('no widget model with class ' + cls);
  m.set(state);
  m.save_changes();
}"""

PAYLOADS = [
    "<img src=x onerror=window.__xss=1>",
    "<script>window.__xss=2</script>",
    '"><svg onload=window.__xss=3>',
    "javascript:window.__xss=4",
]


def open_app(page: Page, voila_url: str) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(voila_url + APP)
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    return dialogs


def shows_error(page: Page, *parts: str) -> None:
    box = page.locator(".hl-error")
    expect(box).to_be_visible(timeout=30_000)
    for part in parts:
        expect(box).to_contain_text(part)


def answers_still_update_results(page: Page, qid: str, label: str) -> None:
    """A normal answer through the control still reaches the kernel and redraws the results."""
    page.evaluate("() => { window.__hlBefore = document.querySelector('.hl-results').innerHTML; }")
    pick(page, qid, label)
    page.wait_for_function("() => document.querySelector('.hl-results').innerHTML !== window.__hlBefore",
                           timeout=60_000)
    expect(page.locator(".hl-error")).to_be_hidden()


def test_state_sent_around_the_controls_is_refused_with_a_message(guarded_page, voila_url):
    page = guarded_page
    dialogs = open_app(page, voila_url)

    # text widgets: the wrong type, then megabytes
    page.evaluate(SET_STATE, ["hl-name", {"value": {"a": 1}}])
    shows_error(page, "Name (optional): the page sent a change the app cannot accept", "previous value is kept")
    page.evaluate(SET_STATE, ["hl-q-age", {"value": "9" * 2_000_000}])
    shows_error(page, "2,000,000 characters of text; at most 40 are accepted")
    expect(page.locator(".hl-q-age input")).to_have_value("")  # the page shows the kept value again
    page.locator(".hl-q-age input").fill("34")
    page.locator(".hl-q-age input").press("Tab")
    expect(page.locator(".hl-error")).to_be_hidden()

    next_until(page, "Your heavy legs")
    results = page.locator(".hl-results")
    expect(results).to_contain_text("Today:")
    cases = [
        ({"index": 99}, "hl-q-in_run", "index out of bounds"),
        ({"index": "first"}, "hl-q-in_run", "expected an int"),
        ({"disabled": True}, "hl-next", "disabled cannot be changed from the page"),
        ({"value": "tampered results"}, "hl-results", "value cannot be changed from the page"),
    ]
    options = ["From start to finish", "At the start, then it eases after 10-15 minutes"]
    for i, (state, cls, message) in enumerate(cases):
        page.evaluate(SET_STATE, [cls, state])
        shows_error(page, "the page sent a change the app cannot accept", message)
        answers_still_update_results(page, "in_run", options[i % 2])
    expect(results).to_contain_text("Today:")
    expect(results).not_to_contain_text("tampered")
    expect(page.locator("button.hl-next")).to_be_enabled()

    # uploads: a page script reporting files that never arrived, thousands of files, a malformed
    # report, or trying to change the upload's ticket; then a real file still imports
    next_until(page, "history")
    done = {"state": "done", "files_total": 1, "files_done": 1, "bytes_total": 10, "bytes_done": 10}
    page.evaluate(SET_STATE, ["hl-upload", {"status": {**done, "files": [{"index": 0, "name": "week.csv",
                                                                        "size": 10}]}}])
    shows_error(page, "week.csv: the file did not arrive whole")
    page.evaluate(SET_STATE, ["hl-upload", {"status": {**done, "files": [{"index": i, "name": f"f{i}.csv", "size": 1}
                                                                        for i in range(6000)]}}])
    shows_error(page, "the page sent an upload status that is not valid")
    page.evaluate(SET_STATE, ["hl-upload", {"status": {"state": "done", "files_total": "all"}}])
    shows_error(page, "the page sent an upload status that is not valid")
    page.evaluate(SET_STATE, ["hl-upload", {"token": "A" * 43}])
    shows_error(page, "the page sent a change the app cannot accept")
    with page.expect_file_chooser() as chooser:
        page.locator(".hl-upload .hl-upload-pick").click()
    chooser.value.set_files(str(FIT))
    expect(page.locator(".hl-history table")).to_be_visible(timeout=60_000)
    expect(page.locator(".hl-error")).to_be_hidden()

    assert page.evaluate("window.__xss") is None
    assert not dialogs


def gpx_with(name: str, sport: str) -> str:
    """A small valid GPX track whose name and type carry ``name`` and ``sport`` (XML-escaped)."""
    from xml.sax.saxutils import escape

    points = "".join(
        f'<trkpt lat="51.5{i:02d}" lon="-0.1{i:02d}"><ele>10</ele>'
        f"<time>2026-04-20T07:{i:02d}:00Z</time></trkpt>" for i in range(0, 40, 2))
    return ('<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk>'
            f"<name>{escape(name)}</name><type>{escape(sport)}</type><trkseg>{points}</trkseg></trk></gpx>")


def resume(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(".hl-resume").click()
    chooser.value.set_files(str(path))


def report_from_page(page: Page) -> str:
    href = page.locator(".hl-downloads a[download$='.html']").get_attribute("href")
    assert href and href.startswith("data:text/html;base64,")
    return base64.b64decode(href.split(",", 1)[1]).decode("utf-8")


def test_script_payloads_in_every_entry_point_never_run(guarded_page, voila_url, tmp_path: Path):
    page = guarded_page
    dialogs = open_app(page, voila_url)

    # the name and a number field, typed
    name = page.locator(".hl-name input")
    for payload in PAYLOADS:
        name.fill(payload)
        name.press("Tab")
        page.wait_for_timeout(300)
    age = page.locator(".hl-q-age input")
    age.fill(PAYLOADS[0])
    age.press("Tab")
    shows_error(page, f"{PAYLOADS[0]!r} is not a number")  # quoted as text, not markup
    age.fill("41")
    age.press("Tab")
    expect(page.locator(".hl-error")).to_be_hidden()

    # files: hostile file names and hostile fields inside them
    next_until(page, "Your heavy legs")
    next_until(page, "history")
    gpx = tmp_path / f"{PAYLOADS[0]}.gpx"
    gpx.write_text(gpx_with(" ".join(PAYLOADS), PAYLOADS[2]))
    csv = tmp_path / f"{PAYLOADS[2]}.csv"
    csv.write_text("id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
                   + "".join(f'{i},2026-04-{10 + i} 07:00:00,"{PAYLOADS[1]}","{PAYLOADS[0]}",'
                             f'"{PAYLOADS[3]}",1800,5000,false,,\n' for i in range(5)))
    for upload in (gpx, csv):
        with page.expect_file_chooser() as chooser:
            page.locator(".hl-upload .hl-upload-pick").click()
        chooser.value.set_files(str(upload))
        expect(page.locator(".hl-history table:visible, .hl-error:visible").first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(500)
    if page.locator(".hl-open-dashboard").is_visible():  # the imported sessions, names included
        page.locator(".hl-open-dashboard").click()
        page.wait_for_timeout(3000)

    # a resumed session: a hostile athlete name, then hostile answers (refused with a message)
    next_until(page, "Keep this session")
    doc = tmp_path / "session.json"
    doc.write_text(json.dumps({"athlete": PAYLOADS[0], "answers": {"age": 41}}))
    resume(page, doc)
    expect(page.locator(".hl-results")).to_contain_text(f"Results for {PAYLOADS[0]}")  # as text
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"athlete": PAYLOADS[1], "answers": {"in_run": PAYLOADS[1], PAYLOADS[2]: "yes"}}))
    resume(page, bad)
    shows_error(page)
    error_html = page.locator(".hl-error").inner_html()
    assert "<script>" not in error_html and "<svg" not in error_html

    # the printable report escapes every payload, and nothing runs when it is opened
    page.locator("button.hl-prepare").click()
    expect(page.locator(".hl-downloads a[download]")).to_have_count(2, timeout=60_000)
    report = report_from_page(page)
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in report
    for raw in ("<img src=x", "<script>window", "<svg onload", 'href="javascript:'):
        assert raw not in report
    assert page.evaluate("window.__xss") is None
    assert not dialogs
    report_page = page.context.new_page()
    report_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    report_page.set_content(report)
    report_page.wait_for_timeout(500)
    assert report_page.evaluate("window.__xss") is None
    assert re.search(r"javascript:window.__xss=4|&lt;img", report_page.content())
    report_page.close()
    assert not dialogs
