"""heavylegs' page front end in the browser (``frontend/src/index.js``, issue #11).

The apps' own tests drive it through every widget they use. These tests cover what no app
shows on a good day: a widget the page cannot draw is reported in the page (``.hl-error``)
while the rest still works, outputs other than widgets are drawn as Voila draws them (printed
text as text, and no empty box for an output with nothing to show), a page whose kernel stops
or whose connection is lost says so (``.hl-kernel-lost``, from the kernel connection's status
signals: ``frontend/src/kernel-watch.js``), and closing a page shuts its kernel down (as Voila's
front end does), so that an idle server does not keep a kernel per closed tab until the culler
comes.
"""

from __future__ import annotations

import json
import re
import signal
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
    # printed text (a stream output), with markup that must stay text
    "print('printed <b>line</b> & more')",
    # an output with nothing this page can draw: no box at all, not an empty one
    "from IPython.display import display\ndisplay({'application/x-heavylegs-nothing': 'x'}, raw=True)",
]
#: Outputs drawn as boxes with nothing in them (no text, no widget, no image)
EMPTY_BOXES = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).filter(
  (n) => !n.textContent.trim() && !n.querySelector('svg, img, canvas, input, button, select')).length"""
STOPPED_BANNER = ".hl-error.hl-kernel-lost"


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


def test_printed_text_is_shown_as_text_and_no_output_is_an_empty_box(guarded_page, served):
    """A print() shows its line, escaped; a stream output in Voila's JSON too; nothing draws an empty box.

    The pinned Voila renders a cell's stream outputs on the server (nbconvert's ``stream_stdout``
    block); the page front end draws a stream output it finds in the JSON as text as well
    (the init script below adds two to the page, as another Voila version could send them,
    before the front end reads the outputs: it does so once it has the kernel's widgets), and
    leaves out an output it has nothing to draw for.
    """
    page = guarded_page
    streamed = {"output_type": "stream", "name": "stdout", "text": ["streamed <i>line</i>", " & more\n"]}
    empty = {"output_type": "stream", "name": "stdout", "text": ""}
    page.add_init_script(f"""document.addEventListener('DOMContentLoaded', () => {{
  const cells = document.getElementById('rendered_cells');
  for (const output of {json.dumps([streamed, empty])}) {{
    const script = document.createElement('script');
    script.type = 'application/vnd.voila.cell-output+json';
    script.textContent = JSON.stringify(output);
    cells.appendChild(script);
  }}
}});""")
    page.goto(served[0])
    page.locator(".hl-ready").wait_for(state="visible", timeout=120_000)
    printed = page.locator(".jp-OutputArea-output pre").filter(has_text="printed <b>line</b> & more")
    expect(printed).to_have_count(1)
    expect(printed).to_be_visible()
    stream = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout'] pre")
    expect(stream).to_have_count(1)
    expect(stream).to_have_text("streamed <i>line</i> & more")
    expect(page.locator(".jp-OutputArea-output pre b, .jp-OutputArea-output pre i")).to_have_count(0)
    assert page.evaluate(EMPTY_BOXES) == 0


def _kernel_process(kernel_id: str) -> psutil.Process:
    """The kernel's process, found by the connection file Jupyter names after the kernel id."""
    for proc in psutil.process_iter(["cmdline"]):
        if any(f"kernel-{kernel_id}.json" in part for part in proc.info["cmdline"] or []):
            return proc
    raise AssertionError(f"no process for kernel {kernel_id}")


def test_a_killed_kernel_shows_the_session_stopped_banner(guarded_page, served):
    page = guarded_page
    page.goto(served[0])
    page.locator(".hl-ready").wait_for(state="visible", timeout=120_000)
    expect(page.locator(STOPPED_BANNER)).to_have_count(0)
    kernel_id = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    kernel = _kernel_process(kernel_id)
    kernel.send_signal(signal.SIGKILL)
    kernel.wait(timeout=30)
    banner = page.locator(STOPPED_BANNER)
    expect(banner).to_be_visible(timeout=60_000)
    expect(banner).to_have_count(1)
    expect(banner).to_have_attribute("role", "alert")
    # the server is up: the page learnt it from the kernel status the server sent
    expect(banner).to_have_attribute("data-reason", re.compile(r"^kernel-(restarting|autorestarting|dead)$"))
    expect(banner).to_contain_text("This session has stopped.")
    expect(banner).to_contain_text("Athlete records you saved are safe")
    restart = banner.get_by_role("button", name="Restart")
    expect(restart).to_be_focused()
    expect(restart).to_have_class("hl-restart")
    restart.click()
    page.locator(".hl-ready").wait_for(state="visible", timeout=120_000)
    expect(page.locator(STOPPED_BANNER)).to_have_count(0)
    assert json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"] != kernel_id


def test_a_lost_connection_shows_the_banner_once_it_does_not_come_back(guarded_page, served):
    """The kernel's websocket closes and every new one is refused: after the grace time, the banner."""
    page = guarded_page
    sockets: list = []

    def kernel_socket(ws) -> None:
        if sockets:  # the page tries again: the connection does not come back
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/api/kernels/[0-9a-f-]+/channels"), kernel_socket)
    page.goto(served[0])
    page.locator(".hl-ready").wait_for(state="visible", timeout=120_000)
    assert len(sockets) == 1
    sockets[0].close()
    started = time.monotonic()
    banner = page.locator(STOPPED_BANNER)
    expect(banner).to_have_attribute("data-reason", "connection-lost", timeout=60_000)
    assert time.monotonic() - started >= 4  # not before the grace time (5 s)
    expect(banner).to_have_count(1)
    expect(banner.get_by_role("button", name="Restart")).to_be_focused()


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
