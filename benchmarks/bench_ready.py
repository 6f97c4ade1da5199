"""Time to ready and page weight of the apps, beside a one-widget empty notebook, in one run.

With Voila already running (and warmed up once), each page is opened ROUNDS times in a
fresh browser context (no cache), alternating with the baseline; the time is measured
from navigation start to ``.hl-ready`` being visible, and the bytes are everything the
page received over HTTP and the websocket (Chrome DevTools Protocol counters).

    .venv/bin/python benchmarks/bench_ready.py [--rounds 5] [NOTEBOOK ...]

Prints medians and the ratio to the baseline. Exits 0: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import CHROMIUM_ARGS

from heavylegs_core import server
from heavylegs_core.paths import NOTEBOOKS_DIR, PROJECT_ROOT

BASELINE = "_baseline_one_widget.ipynb"


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


def measure(browser, url: str) -> tuple[float, int]:
    """Seconds from navigation to a visible ``.hl-ready``, and bytes received."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = {"bytes": 0}
    cdp.on("Network.loadingFinished", lambda e: received.__setitem__(
        "bytes", received["bytes"] + int(e.get("encodedDataLength", 0))))
    cdp.on("Network.webSocketFrameReceived", lambda e: received.__setitem__(
        "bytes", received["bytes"] + len(e["response"].get("payloadData", ""))))
    t0 = time.perf_counter()
    page.goto(url)
    page.locator(".hl-ready").first.wait_for(state="visible", timeout=180_000)
    elapsed = time.perf_counter() - t0
    page.wait_for_timeout(1500)  # let late chart frames arrive before counting bytes
    total = received["bytes"]
    page.close(run_before_unload=True)
    context.close()
    return elapsed, total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("notebooks", nargs="*", default=["00_start.ipynb"])
    args = ap.parse_args(argv)
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("bench_ready: Debian chromium is needed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-") as tmp:
        folder = Path(tmp)
        for nb in NOTEBOOKS_DIR.glob("*.ipynb"):
            shutil.copy(nb, folder / nb.name)
        nbformat.write(baseline_notebook(), folder / BASELINE)
        port = server.free_port()
        proc = subprocess.Popen(server.voila_command(port, notebooks=folder), cwd=PROJECT_ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://{server.HOST}:{port}/voila/render/"
        try:
            server.wait_until_up(base.rsplit("/voila", 1)[0] + "/", proc)
            results: dict[str, list[tuple[float, int]]] = {n: [] for n in [BASELINE, *args.notebooks]}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for name in results:  # warm-up: OS caches, chart bundle cache
                    measure(browser, base + name)
                for _ in range(args.rounds):
                    for name, runs in results.items():
                        runs.append(measure(browser, base + name))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    base_t = statistics.median(t for t, _ in results[BASELINE])
    print(f"time to .hl-ready, median of {args.rounds} (fresh kernel and browser context each):")
    print(f"  {'page':32s} {'median s':>9s} {'min s':>7s} {'max s':>7s} {'ratio':>6s} {'KB recv':>8s}")
    for name, runs in results.items():
        times = [t for t, _ in runs]
        kb = statistics.median(b for _, b in runs) / 1024
        label = "one-widget baseline" if name == BASELINE else name
        print(f"  {label:32s} {statistics.median(times):9.2f} {min(times):7.2f} {max(times):7.2f} "
              f"{statistics.median(times) / base_t:6.2f} {kb:8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
