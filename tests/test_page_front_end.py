"""heavylegs' page front end in the browser (``frontend/src/index.js``, issue #11).

The apps' own tests drive it through every widget they use. These tests cover what no app
shows on a good day: a widget the page cannot draw is reported in the page (``.hl-error``)
while the rest still works, outputs other than widgets are drawn as Voila draws them, and
closing a page shuts its kernel down (as Voila's front end does), so that an idle server
does not keep a kernel per closed tab until the culler comes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import ARTIFACTS, kernels
from playwright.sync_api import expect

from heavylegs_core.serve import server

pytestmark = pytest.mark.e2e

PAGE = "front_end.ipynb"
CELLS = [
    # a widget whose JavaScript module no page has, inside a box with a working button
    ("import ipywidgets as w\n"
    "from traitlets import Unicode\n"
    "class Stranger(w.DOMWidget):\n"
    "    _model_module = Unicode('no-such-module').tag(sync=True)\n"
    "    _view_module = Unicode('no-such-module').tag(sync=True)\n"
    "    _model_name = Unicode('StrangerModel').tag(sync=True)\n"
    "    _view_name = Unicode('StrangerView').tag(sync=True)\n"
    "clicks = w.IntText(value=0, description='clicks')\n"
    "button = w.Button(description='Add one')\n"
    "button.on_click(lambda _: setattr(clicks, 'value', clicks.value + 1))\n"
    "button.add_class('hl-ready')\n"
    "w.VBox([Stranger(), button, clicks])"),
    "from IPython.display import HTML\nHTML('<p class=\"fe-html\">drawn as <b>HTML</b></p>')",
    "6 * 7",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, psutil.Process]]:
    """``heavylegs app``'s Voila (no preheated kernels) on a folder with :data:`PAGE`."""
    folder: Path = tmp_path_factory.mktemp("front-end")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    nbformat.write(nb, folder / PAGE)
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    with server.running(server.voila_command(port, notebooks=folder), url=base + "/",
                        log=ARTIFACTS / "voila-front-end.log") as proc:
        yield f"{base}/voila/render/{PAGE}", psutil.Process(proc.pid)


def test_a_widget_the_page_cannot_draw_is_reported_and_the_rest_works(guarded_page, served):
    page = guarded_page
    page.goto(served[0])
    page.locator(".hl-ready").wait_for(state="visible", timeout=120_000)
    error = page.locator(".hl-error.hl-page-error")
    expect(error).to_have_count(1)
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("could not be drawn")
    expect(error).to_contain_text("no-such-module")
    page.get_by_role("button", name="Add one").click()
    expect(page.get_by_label("clicks")).to_have_value("1")  # the kernel answered through the page


def test_html_and_text_outputs_are_drawn_as_voila_draws_them(guarded_page, served):
    page = guarded_page
    page.goto(served[0])
    page.locator(".hl-ready").wait_for(state="visible", timeout=120_000)
    expect(page.locator(".jp-OutputArea-output p.fe-html b")).to_have_text("HTML")
    expect(page.locator(".jp-OutputArea-output pre").filter(has_text="42")).to_have_count(1)
    expect(page.locator("script[type='application/vnd.voila.cell-output+json']")).to_have_count(0)


def test_closing_the_page_shuts_its_kernel_down(context, served):
    """(On a plain page: a page whose requests Playwright routes, as ``guarded_page``'s are, may
    close before its last request is let through.)"""
    url, voila = served
    before = {k.pid for k in kernels(voila)}
    page = context.new_page()
    page.goto(url)
    page.locator(".hl-ready").wait_for(state="visible", timeout=120_000)
    own = {k.pid for k in kernels(voila)} - before
    assert len(own) == 1, "the page did not start one kernel"
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 30
    while own & {k.pid for k in kernels(voila)} and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not own & {k.pid for k in kernels(voila)}, "closing the page left its kernel running"
