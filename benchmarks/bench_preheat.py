"""Time to ready with preheated kernels, as ``heavylegs app`` serves the workbook (issue #11).

``heavylegs app`` runs standalone Voila with one preheated kernel per app notebook
(:func:`heavylegs_core.serve.server.preheat_options`): the kernel has already run the
notebook when the page is requested, so opening a page costs only the browser's work
(Voila's JavaScript, the websocket, the widgets). Here Voila serves the landing page,
the assessment app, the dashboard and the one-widget baseline, each with a pool of one
preheated kernel. Each page is visited ROUNDS times, alternating with the baseline: a
first visit in a fresh browser context (empty HTTP cache: someone opening the app for
the first time, or on a new device), then a repeat visit in a new tab of the same context
(a coach who opened the app before: the browser's HTTP cache holds the page's front end).
Before every opening the pools are full and the machine idle again. A used kernel is replaced
after ``heavylegs app``'s delay (:data:`heavylegs_core.serve.server.PREHEAT_FILL_DELAY_S`, 5 s):
with a shorter one, the replacement kernel would start, and Voila would render its page,
while the page being measured is still loading, which ``heavylegs app`` avoids.

    .venv/bin/python benchmarks/bench_preheat.py [--rounds 5]

Target: median time to ``.hl-ready`` under 1.5 s for each app, on the first visit (the
repeat visit is reported against the same figure). Prints medians and the ratio to the
preheated baseline for each kind of visit, with Playwright's polled figure for the same state
("polled", see :mod:`_browser`), the number of HTTP requests and the bytes received; exits
non-zero only when a target is missed by more than 20 %.

It also prints, without a target, the path a coach usually takes: the landing page in a
fresh context, then the assessment and the dashboard opened in the same tab.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import nbformat
import psutil
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _browser import (
    BASELINE,
    CHROMIUM_ARGS,
    chromium,
    clock_script,
    clocked,
    measure,
    served,
)
from _targets import Target, report

from heavylegs_core.base.paths import NOTEBOOKS_DIR
from heavylegs_core.serve import server

APPS = {"00_start.ipynb": "landing page", "01_assessment.ipynb": "assessment app", "02_dashboard.ipynb": "dashboard"}
READY_S = 1.5
FILL_DELAY_S = server.PREHEAT_FILL_DELAY_S


def kernels(voila: psutil.Process) -> list[psutil.Process]:
    return [p for p in voila.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def settle(voila: psutil.Process, pools: int, timeout: float = 180.0) -> None:
    """Wait until ``pools`` kernels exist and Voila and its kernels are idle (the pools are full)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = [voila, *voila.children(recursive=True)]
        try:
            for p in procs:
                p.cpu_percent(None)
            time.sleep(1.0)
            busy = sum(p.cpu_percent(None) for p in procs)
        except psutil.NoSuchProcess:
            continue
        if len(kernels(voila)) >= pools and busy < 5.0:
            return
    raise RuntimeError("the preheated kernel pools did not fill in time")


def visit(browser, url: str, voila: psutil.Process, pools: int, marks: bool) -> dict[str, float]:
    """A first visit (fresh browser context, empty HTTP cache), then a repeat visit in the same context.

    The repeat visit is a coach who opened the app before: the browser's HTTP cache holds what the
    first visit loaded. Keys of the first visit as :func:`_browser.measure` names them; those of
    the repeat visit prefixed with ``repeat_``.
    """
    context = browser.new_context()
    try:
        first = measure(browser, url, voila, marks=marks, context=context)
        time.sleep(FILL_DELAY_S + 0.5)  # let the pool start the replacement
        settle(voila, pools)
        again = measure(browser, url, voila, marks=marks, context=context)
    finally:
        context.close()
    return {**first, **{f"repeat_{k}": v for k, v in again.items()}}


def same_tab(browser, base: str, voila: psutil.Process, pools: int) -> dict[str, float]:
    """The landing page in a fresh context, then each app in the same tab, as a coach follows the links."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(clock_script())
    out = {}
    try:
        for name in APPS:
            settle(voila, pools)
            # the tab keeps its renderer, and the JavaScript it has compiled, as when a coach follows a link
            out[name] = clocked(page, base + name)[0]["ready"] / 1000
            page.wait_for_timeout(1500)  # late frames
            time.sleep(FILL_DELAY_S + 0.5)  # let the pool start the replacement
    finally:
        context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    exe = chromium()
    pages = {n: nbformat.read(NOTEBOOKS_DIR / n, as_version=4) for n in APPS}
    names = [BASELINE, *pages]
    with served(pages, preheat=True, fill_delay=FILL_DELAY_S) as (base, voila), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        results: dict[str, list[dict[str, float]]] = {n: [] for n in names}
        tabs: list[dict[str, float]] = []
        for r in range(args.rounds + 1):  # round 0 warms the browser and OS caches
            for name in names:
                settle(voila, len(names))
                run = visit(browser, base + name, voila, len(names), marks=name in ("00_start.ipynb", "02_dashboard.ipynb"))
                time.sleep(FILL_DELAY_S + 0.5)  # let the pool start the replacement
                if r:
                    results[name].append(run)
            tab = same_tab(browser, base, voila, len(names))
            if r:
                tabs.append(tab)
        browser.close()
    med = {n: {k: statistics.median(x[k] for x in runs) for k in runs[0]} for n, runs in results.items()}
    for prefix, title in (("", "first visit (fresh browser context, empty HTTP cache)"),
                          ("repeat_", "repeat visit (a new tab, same context: warm HTTP cache)")):
        b = med[BASELINE][prefix + "ready"]
        print(f"time to .hl-ready with preheated kernels, {title}, median of {args.rounds}:")
        print(f"  {'page':24s} {'median s':>9s} {'min s':>7s} {'max s':>7s} {'ratio':>6s} {'drawn s':>8s} "
              f"{'polled s':>9s} {'requests':>9s} {'KB recv':>8s}")
        for name, runs in results.items():
            times = [x[prefix + "ready"] for x in runs]
            m = med[name]
            label = "one-widget baseline" if name == BASELINE else APPS[name]
            print(f"  {label:24s} {m[prefix + 'ready']:9.2f} {min(times):7.2f} {max(times):7.2f} "
                  f"{m[prefix + 'ready'] / b:6.2f} {m[prefix + 'drawn']:8.2f} {m[prefix + 'ready_polled']:9.2f} "
                  f"{m[prefix + 'requests']:9.0f} "
                  f"{(m[prefix + 'http'] + m[prefix + 'ws']) / 1024:8.0f}")
    print(f"in one tab: the landing page (fresh context), then each app as a link opens it, median of {args.rounds}:")
    print(f"  {'page':24s} {'median s':>9s} {'min s':>7s} {'max s':>7s}")
    for name, label in APPS.items():
        times = [t[name] for t in tabs]
        print(f"  {label:24s} {statistics.median(times):9.2f} {min(times):7.2f} {max(times):7.2f}")
    b, rb = med[BASELINE]["ready"], med[BASELINE]["repeat_ready"]
    return report([Target(f"Time to ready, preheated kernel, first visit, {APPS[n]}", med[n]["ready"], "s", READY_S,
                          kind="max", baseline=b, note="baseline: preheated one-widget notebook")
                   for n in APPS]
                  + [Target(f"Time to ready, preheated kernel, repeat visit, {APPS[n]}", med[n]["repeat_ready"], "s",
                            READY_S, kind="max", baseline=rb,
                            note="warm HTTP cache; baseline: preheated one-widget notebook, repeat visit")
                     for n in APPS])


if __name__ == "__main__":
    raise SystemExit(main())
