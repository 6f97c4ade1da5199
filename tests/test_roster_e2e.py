"""The roster app in Voila and Debian Chromium, as a coach uses it over two visits.

Creates an athlete (with a script payload in the name), imports real PMData exports,
runs an assessment, chooses actions, runs a follow-up prefilled from the first,
compares the two, and downloads the printable report and the portable file.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import Page, expect

from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.knowledge import load_knowledge

pytestmark = pytest.mark.e2e

PAYLOAD = '<img src=x onerror="window.__xss=1">'
RED_FLAGS = [q.id for q in load_knowledge().questions if q.section == "red_flags"]


def answer_assessment(page: Page, rating: str, in_run: str | None) -> None:
    """Walk the embedded assessment: every shown warning sign "No", then the rating (and the pattern)."""
    box = page.locator(".hl-assessment-box")
    for _ in range(30):
        title = box.locator(".hl-step").inner_text()
        for qid in RED_FLAGS:
            select = box.locator(f".hl-q-{qid} select")
            if select.count() and select.is_visible():
                select.select_option(label="No")
        if "Your heavy legs" in title:
            break
        box.locator("button.hl-next").click()
        page.wait_for_function("t => document.querySelector('.hl-assessment-box .hl-step').innerText !== t",
                               arg=title)
    else:
        raise AssertionError("never reached the heavy-legs step")
    rating_box = box.locator(".hl-q-heavy_legs input")
    rating_box.fill(rating)
    rating_box.press("Enter")
    if in_run:
        box.locator(".hl-q-in_run select").select_option(label=in_run)
    expect(box.locator(".hl-results")).to_be_visible()
    page.wait_for_timeout(300)  # let the last change reach the kernel before saving


def test_create_assess_follow_up_and_download_the_report(guarded_page, voila_url, tmp_path: Path):
    page = guarded_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{voila_url}/voila/render/03_roster.ipynb")
    expect(page.locator(".hl-roster.hl-ready")).to_be_visible(timeout=120_000)
    expect(page.locator(".hl-storage-notice")).to_contain_text("Binder")
    db = Path(page.locator(".hl-storage-notice code").first.inner_text())

    # 1. a new athlete (a unique name, with a script payload that must stay text)
    name = f"Test {time.time_ns()} {PAYLOAD}"
    page.locator(".hl-new-name input").fill(name)
    page.locator(".hl-new-name input").press("Tab")
    page.locator(".hl-new-age input").fill("34")
    page.locator(".hl-new-age input").press("Tab")
    page.locator("button.hl-add-athlete").click()
    expect(page.locator(".hl-athlete-summary")).to_contain_text(name, timeout=30_000)
    expect(page.locator(".hl-roster-table")).to_contain_text(name)

    # 2. real exports into the athlete's records
    with page.expect_file_chooser() as chooser:
        page.locator(".hl-history-upload .hl-upload-pick").click()
    chooser.value.set_files([str(pmdata_file("p01", "srpe.csv")), str(pmdata_file("p01", "wellness.csv"))])
    expect(page.locator(".hl-status")).to_contain_text("added 34 sessions", timeout=60_000)

    # 3. the first assessment, saved, with two actions chosen
    page.locator("button.hl-new-assessment").click()
    answer_assessment(page, "7", "From start to finish")
    page.locator("button.hl-save-assessment").click()
    expect(page.locator(".hl-status")).to_contain_text("re-check on", timeout=30_000)
    expect(page.locator(".hl-timeline")).to_contain_text("7 / 10")
    options = page.locator(".hl-actions select option")
    page.locator(".hl-actions select").select_option(index=[0, 1])
    assert options.count() >= 2
    page.locator("button.hl-save-actions").click()
    expect(page.locator(".hl-status")).to_contain_text("2 actions recorded")

    # 4. the follow-up: prefilled, warning signs asked again
    page.locator(".hl-followup-response button", has_text="About the same").click()
    page.locator("button.hl-start-followup").click()
    box = page.locator(".hl-assessment-box")
    expect(box).to_be_visible()
    answer_assessment(page, "8", None)
    expect(box.locator(".hl-q-in_run select option:checked")).to_have_text("From start to finish")
    page.locator("button.hl-save-assessment").click()
    expect(page.locator(".hl-timeline")).to_contain_text("follow-up: About the same", timeout=30_000)
    expect(page.locator(".hl-timeline")).to_contain_text("8 / 10")

    # 5. the two side by side
    compare = page.locator(".hl-compare")
    expect(compare).to_contain_text("Answers that changed")
    expect(compare).to_contain_text("8 out of 10")

    # 6. the printable report, downloaded
    page.locator("button.hl-make-report").click()
    link = page.locator(".hl-report-link a")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<script" not in html.lower() and "https://" not in html
    assert "<svg" in html  # the history charts, inline
    body = html[html.index("<body"):]
    assert body.index("Warning signs") < body.index('class="hl-contributor')  # warning signs first

    # 7. the portable file of this athlete
    page.locator("button.hl-export-athlete").click()
    with page.expect_download() as download:
        page.locator(".hl-portable-link a").click()
    portable = tmp_path / "athlete.json.gz"
    download.value.save_as(portable)
    doc = json.loads(gzip.decompress(portable.read_bytes()))
    assert [a["name"] for a in doc["athletes"]] == [name]
    assert len(doc["athletes"][0]["assessments"]) == 2 and len(doc["athletes"][0]["sessions"]) == 34

    # the records hold both assessments, linked, with the actions
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT s.uid, s.previous_uid, (SELECT count(*) FROM actions x WHERE "
                           "x.assessment_id = s.id) FROM assessments s JOIN athletes a ON a.id = s.athlete_id "
                           "WHERE a.name = ? ORDER BY s.id", (name,)).fetchall()
    assert len(rows) == 2 and rows[1][1] == rows[0][0] and rows[0][2] == 2

    expect(page.locator(".hl-error").first).to_be_hidden()
    assert page.evaluate("window.__xss") is None and not dialogs
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "roster-flow.png"), full_page=True)
