"""The benchmarks' in-page clock (benchmarks/_browser.py): time to ready counts only once ``.hl-ready`` shows.

The README's time-to-ready figures rest on it, so it is checked in Chromium on a page that
hides its ``.hl-ready`` element in each way the clock must see through before showing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _browser import clock_script

URL = "http://clock.heavylegs.test/"
PAGE = """<!doctype html><html><body>
<div id="box" class="hl-ready" style="display: none">ready</div>
<div class="hl-chart"><svg><g class="role-mark"></g></svg></div>
<script>
const box = document.getElementById("box"), steps = [
  () => { box.style.display = "block"; box.style.visibility = "hidden"; },  // laid out, not visible
  () => { box.style.visibility = "visible"; box.style.height = "0px"; box.style.overflow = "hidden"; },  // no size
  () => { box.style.height = ""; window.shownAt = performance.now(); },  // visible
  () => { document.querySelector(".role-mark").innerHTML = "<path d='M0 0L1 1'></path>";
          window.markedAt = performance.now(); },
];
steps.forEach((step, i) => setTimeout(step, 150 * (i + 1)));
</script></body></html>"""


@pytest.mark.e2e
def test_ready_is_taken_when_the_element_first_shows_and_marks_when_attached(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route(URL, lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE))
        page.add_init_script(clock_script(marks=True))  # as the benchmarks install it
        page.goto(URL)
        page.wait_for_function("window.__hlSeen && Object.keys(window.__hlSeen).length === 2", timeout=10_000)
        seen = page.evaluate("window.__hlSeen")
        shown, marked = page.evaluate("[window.shownAt, window.markedAt]")
    finally:
        context.close()
    assert seen["ready"] >= shown  # not while hidden by display, visibility or a zero height
    assert seen["drawn"] >= marked >= shown
