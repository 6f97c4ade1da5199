"""Shared pieces of the browser benchmarks: Voila on a temporary folder, Chromium, measurements.

A page is measured in a fresh browser context (no cache) for: seconds from navigation to
``.hl-ready`` visible (and to a chart's marks, when asked); bytes received over HTTP
(the Resource Timing API's ``transferSize``: headers and body as sent, gzip included; an
answer from the browser's cache counts 0); the number of HTTP loads (cache hits included);
bytes received over the websocket (payloads, decompressed); and the resident memory (RSS) of
the page's kernel.

Everything is counted in the page (:data:`BYTE_COUNTER`, :data:`RECEIVED`), not through a
DevTools Protocol session: with Chrome's ``Network`` domain enabled to count bytes, every
request and websocket frame is also sent to the benchmark, and the preheated pages took
0.10-0.18 s longer to be ready (medians of 6, the same server, visits alternating).

The times are taken in the page (:data:`READY_CLOCK`): from the navigation's start
(``performance.timeOrigin``) to the first animation frame in which ``.hl-ready`` is visible
(a box of non-zero size, not hidden by ``display``, ``visibility`` or ``content-visibility``),
or a chart's marks are attached. Playwright's own wait for the same states is kept as a
check and reported as ``ready_polled``, but it is not the measure: Playwright looks again
after 0, 20, 50, 100 and 100 ms and then only every 500 ms, so from about 0.3 s on its
figure lands anywhere up to half a second after the page was ready (measured on the
preheated pages: 0.22-0.46 s late, median of 4).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import CHROMIUM_ARGS

__all__ = ["BASELINE", "CHROMIUM_ARGS", "MARKS", "chromium", "clock_script", "clocked", "kernel_rss", "measure",
           "served"]

from heavylegs_core.base.paths import PROJECT_ROOT
from heavylegs_core.serve import server

BASELINE = "_baseline_one_widget.ipynb"
MARKS = ".hl-chart svg .role-mark path, .hl-chart svg .role-mark line, .hl-chart svg path[role='graphics-symbol']"
#: Run in the page before its own scripts: counts the bytes of every websocket message received
#: (``window.__hlWsBytes``; text as UTF-8, binary as is: the payloads, decompressed).
BYTE_COUNTER = """(() => {
  window.__hlWsBytes = 0;
  const Native = window.WebSocket, utf8 = new TextEncoder();
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", e => { const d = e.data;
        window.__hlWsBytes += typeof d === "string" ? utf8.encode(d).length : (d.byteLength ?? d.size ?? 0); });
    }
  };
})()"""
#: Evaluated in the page: [HTTP bytes as sent (the navigation and every resource's ``transferSize``:
#: headers and body as received, 0 for an answer from the browser's cache), websocket payload
#: bytes, number of HTTP loads (cache hits included)].
RECEIVED = """(() => {
  const loads = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  return [loads.reduce((n, e) => n + e.transferSize, 0), window.__hlWsBytes || 0, loads.length];
})()"""
#: Run in the page before its own scripts: on every animation frame until found, it records
#: (``performance.now()``, ms since the navigation started) when each watched selector is first
#: visible or attached, in ``window.__hlSeen`` (the keys watched: ``window.__hlWatch``). Checking once per frame (not on every DOM
#: change) adds no layout work the frame would not do anyway.
READY_CLOCK = """(watch => {
  const seen = window.__hlSeen = {};
  window.__hlWatch = Object.keys(watch);
  const visible = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true}); };
  const look = () => {
    const now = performance.now();
    for (const [key, [selector, state]] of Object.entries(watch)) {
      const el = key in seen ? null : document.querySelector(selector);
      if (el && (state === "attached" || visible(el))) seen[key] = now;
    }
    if (Object.keys(seen).length < Object.keys(watch).length) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})"""


def baseline_notebook() -> nbformat.NotebookNode:
    """A notebook with one widget that carries the same hooks as an app."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as w\n"
        "b = w.Button(description='ok')\n"
        "b.add_class('hl-app'); b.add_class('hl-ready')\n"
        "b"
    )]
    return nb


def chromium() -> str:
    """Debian's Chromium, or exit with the instruction to install it."""
    exe = shutil.which("chromium")
    if not exe:
        sys.exit("benchmark: Debian chromium is needed (apt-get install chromium)")
    return exe


@contextlib.contextmanager
def served(notebooks: dict[str, nbformat.NotebookNode], *, preheat: bool = False,
           fill_delay: float = server.PREHEAT_FILL_DELAY_S,
           template: str | None = None) -> Iterator[tuple[str, psutil.Process]]:
    """Voila (as ``heavylegs app`` runs it) on a temporary folder with ``notebooks`` and the baseline.

    As ``heavylegs app`` (and Binder's build) does, :func:`heavylegs_core.serve.server.prebuild`
    runs first: the chart JavaScript is published and the first views are cached.
    ``preheat`` keeps one preheated kernel ready for every notebook (``heavylegs app``'s
    options; ``fill_delay``: seconds before a used kernel is replaced). ``template``: a Voila
    template in place of ``voila.json``'s heavylegs template. Yields the render URL prefix and
    the Voila process.
    """
    server.prebuild()
    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-") as tmp:
        folder = Path(tmp)
        nbformat.write(baseline_notebook(), folder / BASELINE)
        for name, nb in notebooks.items():
            nbformat.write(nb, folder / name)
        port = server.free_port()
        extra = server.preheat_options([BASELINE, *notebooks], fill_delay=fill_delay) if preheat else []
        if template is not None:
            extra.append(f"--VoilaConfiguration.template={template}")
        with running(server.voila_command(port, notebooks=folder, extra=extra), port) as got:
            yield got


@contextlib.contextmanager
def running(command: list[str], port: int, *, cwd: Path = PROJECT_ROOT, env: dict[str, str] | None = None,
            up_path: str = "") -> Iterator[tuple[str, psutil.Process]]:
    """A server started with ``command`` on ``port``, once ``up_path`` answers: (render URL prefix, process).

    Stopped (and waited for) on leaving, whatever happened inside.
    """
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server.wait_until_up(f"http://{server.HOST}:{port}/{up_path}", proc)
        yield f"http://{server.HOST}:{port}/voila/render/", psutil.Process(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def kernel_rss(voila: psutil.Process, before: set[int]) -> float:
    """RSS (MiB) of the kernel started for this page (the newest kernel child of Voila)."""
    kernels = [p for p in voila.children(recursive=True)
               if p.pid not in before and "ipykernel" in " ".join(p.cmdline())]
    return max((k.memory_info().rss for k in kernels), default=0) / 2**20


def clock_script(*, marks: bool = False) -> str:
    """:data:`READY_CLOCK` watching ``.hl-ready`` (and a chart's :data:`MARKS` when ``marks``), for ``add_init_script``."""
    watch = {"ready": [".hl-ready", "visible"], **({"drawn": [MARKS, "attached"]} if marks else {})}
    return f"{READY_CLOCK}({json.dumps(watch)})"


def clocked(page, url: str) -> tuple[dict[str, float], float]:
    """Go to ``url`` in ``page`` (which runs :func:`clock_script`) and wait for what the clock watches.

    Returns the clock's times (ms since the navigation started, by key) and Playwright's
    polled seconds to ``.hl-ready`` visible.
    """
    t0 = time.perf_counter()
    page.goto(url)
    page.locator(".hl-ready").first.wait_for(state="visible", timeout=180_000)
    polled = time.perf_counter() - t0
    page.wait_for_function("window.__hlWatch.every(key => key in window.__hlSeen)", timeout=180_000)
    return page.evaluate("window.__hlSeen"), polled


def measure(browser, url: str, voila: psutil.Process, *, marks: bool = False, then=None,
            context=None) -> dict[str, float]:
    """Open ``url`` in a fresh context; ``then(page, received)`` may act on the ready page and return extra figures.

    ``received()`` gives the bytes received so far (HTTP as sent plus websocket payloads).
    ``context``: open the page in this browser context instead (its HTTP cache holds what
    earlier pages loaded) and leave the context open.
    """
    before = {p.pid for p in voila.children(recursive=True)}
    own = context is None
    if own:
        context = browser.new_context()
    page = context.new_page()
    page.add_init_script(clock_script(marks=marks))
    page.add_init_script(BYTE_COUNTER)
    seen, polled = clocked(page, url)
    page.wait_for_timeout(1500)  # late frames
    out = {"ready": seen["ready"] / 1000, "drawn": seen.get("drawn", seen["ready"]) / 1000, "ready_polled": polled}
    if then is not None:
        out.update(then(page, lambda: sum(page.evaluate(RECEIVED)[:2])))
        page.wait_for_timeout(1500)
    out.update(zip(("http", "ws", "requests"), page.evaluate(RECEIVED), strict=True))  # including during ``then``
    out["rss"] = kernel_rss(voila, before)
    page.close(run_before_unload=True)
    if own:
        context.close()
    return out

