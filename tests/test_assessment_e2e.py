"""The assessment app in Voila and Debian Chromium: the whole flow, as a coach would use it.

Walks the red-flag path, a real FIT upload and a live update, checks that a script
payload typed into the app never runs, and records the timings the performance budget
is judged by (test-artifacts/assessment_timings.json; no timed assertions here).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import Page, expect

FIT = Path(__file__).parent / "data" / "realdata" / "fit" / "fitparse__activity-small-fenix2-run.fit"
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

pytestmark = pytest.mark.e2e


def next_until(page: Page, title_part: str) -> None:
    """Click Next until the step title contains ``title_part``."""
    for _ in range(30):
        title = page.locator(".hl-step").inner_text()
        if title_part in title:
            return
        page.locator("button.hl-next").click()
        page.wait_for_function("t => document.querySelector('.hl-step').innerText !== t", arg=title)
    raise AssertionError(f"no step titled {title_part!r}")


def pick(page: Page, qid: str, label: str) -> None:
    page.locator(f".hl-q-{qid} select").select_option(label=label)


def test_the_whole_assessment_flow(guarded_page, voila_url):
    page = guarded_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    t0 = time.perf_counter()
    page.goto(f"{voila_url}/voila/render/01_assessment.ipynb")
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    ready_s = time.perf_counter() - t0

    # 1. athlete: a hostile name must stay text
    page.locator(".hl-name input").fill(PAYLOAD)
    page.locator(".hl-name input").press("Tab")
    expect(page.locator(".hl-step")).to_contain_text("Step 1")

    # 2. safety first: "not sure" about chest pain stops the flow with the action and the number
    page.locator("button.hl-next").click()
    expect(page.locator(".hl-q-rf_chest_pain select")).to_be_visible()
    pick(page, "rf_chest_pain", "Not sure (counts as yes)")
    for _ in range(5):
        if page.locator(".hl-gate").is_visible():
            break
        page.locator("button.hl-next").click()
        page.wait_for_timeout(200)
    gate = page.locator(".hl-gate")
    expect(gate).to_be_visible()
    expect(gate).to_contain_text("999")
    expect(page.locator(".hl-results")).to_be_hidden()
    page.locator("button.hl-acknowledge").click()
    results = page.locator(".hl-results")
    expect(results).to_be_visible()
    expect(results.locator(".hl-triage")).to_be_visible()
    expect(results).to_contain_text("Today:")

    # 3. the heavy legs themselves; a changed answer updates the results live
    next_until(page, "Your heavy legs")
    pick(page, "in_run", "From start to finish")
    page.wait_for_timeout(500)
    before = results.inner_text()
    t1 = time.perf_counter()
    pick(page, "in_run", "At the start, then it eases after 10-15 minutes")
    page.wait_for_function("b => document.querySelector('.hl-results').innerText !== b", arg=before)
    update_ms = (time.perf_counter() - t1) * 1000
    expect(results.locator(".hl-contributor").first).to_be_visible()
    results.locator("details.hl-because summary").first.click()
    expect(results.locator("details.hl-because").first).to_contain_text("(")

    # 4. history: upload a real FIT file
    next_until(page, "history")
    with page.expect_file_chooser() as chooser:
        page.locator(".hl-upload .hl-upload-pick").click()
    chooser.value.set_files(str(FIT))
    expect(page.locator(".hl-history table")).to_be_visible(timeout=60_000)
    expect(page.locator(".hl-history")).to_contain_text("Days since a rest day")
    marks = page.locator(".hl-chart svg path[role='graphics-symbol'], .hl-chart svg .mark-rect path")
    expect(marks.first).to_be_attached(timeout=60_000)
    expect(page.locator(".hl-error")).to_be_hidden()

    # 5. nothing the user typed ran as code
    assert page.evaluate("window.__xss") is None
    assert not dialogs
    expect(results).to_contain_text("<img src=x")  # shown as text, escaped

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "assessment-flow.png"), full_page=True)
    # recorded for the performance budget (benchmarks/bench_assessment.py measures it properly)
    (ARTIFACTS / "assessment_timings.json").write_text(json.dumps(
        {"ready_s": round(ready_s, 2), "answer_update_ms": round(update_ms, 1)}, indent=2))


def test_the_app_is_readable_on_a_phone(guarded_page, voila_url):
    page = guarded_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{voila_url}/voila/render/01_assessment.ipynb")
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    width = page.evaluate("document.querySelector('.hl-app').getBoundingClientRect().width")
    assert width <= 360
    # keyboard only: Tab reaches the name box, then Next can be pressed with Enter
    page.locator(".hl-name input").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('hl-next')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('hl-next')")
    page.keyboard.press("Enter")
    expect(page.locator(".hl-step")).to_contain_text("Step 2")
    page.screenshot(path=str(ARTIFACTS / "assessment-phone.png"), full_page=True)


def test_each_question_is_labelled_by_its_text_in_full_on_a_phone(guarded_page, voila_url):
    from heavylegs_core.knowledge import load_knowledge

    q = load_knowledge().question("rf_chest_pain")
    page = guarded_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{voila_url}/voila/render/01_assessment.ipynb")
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    expect(page.locator(".hl-q-rf_chest_pain")).to_have_count(0)  # a step's widgets come when it is shown
    page.locator("button.hl-next").click()
    box = page.locator(".hl-q-rf_chest_pain")
    # the question's own text is the control's label (a screen reader announces it with the control)
    expect(box.get_by_label(q.text)).to_be_visible()
    expect(box).to_contain_text(q.help)
    label = box.locator(".widget-label")
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the question is not cut"
    assert label.evaluate("e => e.getBoundingClientRect().right") <= 360
    pick(page, "rf_chest_pain", "No")
    expect(box.locator("select option:checked")).to_have_text("No")
    expect(page.locator(".hl-error")).to_be_hidden()
