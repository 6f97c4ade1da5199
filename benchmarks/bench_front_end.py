"""heavylegs' page front end against Voila's own, first visits with preheated kernels (issue #11).

The heavylegs template runs ``heavylegs-page.js`` (built from ``frontend/``) where Voila's
lab template runs Voila's JavaScript. Two servers run side by side, both ``heavylegs app``'s
Voila with one preheated kernel per notebook on the same notebooks: one with the heavylegs
template, one with Voila's own ``lab`` template. Each round visits each page once on each
server, in a fresh browser context (a first visit: empty HTTP cache), alternating which
server goes first (each visit as :func:`_browser.measure` makes it, the same as in
``bench_preheat.py``). Any other host fails at once in the browser's resolver (Voila's template
links a font from a CDN). Before every visit both servers' pools are full and idle.

    .venv/bin/python benchmarks/bench_front_end.py [--rounds 6]

Two servers are not quite one: an A/A run of this method (the same template on both) gave
ratios of 0.975 and 1.085 on this machine (README, "Earlier changes and what was tried"),
so a ratio within about 10 % of 1 says nothing. Target: the heavylegs front end is never
slower than Voila's (ratio at most 1.0); exits non-zero only when a ratio is over 1.2.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _browser import BASELINE, CHROMIUM_ARGS, chromium, measure, served
from _targets import Target, report
from bench_preheat import FILL_DELAY_S, settle

from heavylegs_core.base.paths import NOTEBOOKS_DIR

APPS = {"00_start.ipynb": "landing page", "01_assessment.ipynb": "assessment app", "02_dashboard.ipynb": "dashboard"}
FRONT_ENDS = {"heavylegs": "heavylegs-page.js", "lab": "Voila's own (lab template)"}
#: Every host but the loopback one fails at once, in the browser's resolver: no request is routed
#: through Playwright (which would cost each request a round trip, so more for the page with more
#: requests) and none waits for a network that is not there.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args(argv)
    names = [BASELINE, *APPS]
    pages = {n: nbformat.read(NOTEBOOKS_DIR / n, as_version=4) for n in APPS}
    times: dict[tuple[str, str], list[float]] = {(n, t): [] for n in names for t in FRONT_ENDS}
    with contextlib.ExitStack() as stack:
        servers = {t: stack.enter_context(served(pages, preheat=True, fill_delay=FILL_DELAY_S, template=t))
                   for t in FRONT_ENDS}
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=chromium(), args=[*CHROMIUM_ARGS, OFFLINE])
        for r in range(args.rounds + 1):  # round 0 warms the browser and OS caches
            for name in names:
                for template in (list(FRONT_ENDS) if r % 2 == 0 else list(FRONT_ENDS)[::-1]):
                    for _, voila in servers.values():
                        settle(voila, len(names))
                    base, voila = servers[template]
                    ready = measure(browser, base + name, voila)["ready"]
                    if r:
                        times[(name, template)].append(ready)
                    time.sleep(FILL_DELAY_S + 0.5)  # let the pool start the replacement
        browser.close()
    print(f"time to .hl-ready, preheated kernel, first visit, median of {args.rounds} (min-max):")
    print(f"  {'page':22s} {'heavylegs-page.js':>22s} {'Voila front end':>22s} {'ratio':>6s}")
    targets = []
    for name in names:
        ours, voilas = times[(name, "heavylegs")], times[(name, "lab")]
        label = "one-widget baseline" if name == BASELINE else APPS[name]
        print(f"  {label:22s} {statistics.median(ours):8.2f} ({min(ours):.2f}-{max(ours):.2f}) "
              f"{statistics.median(voilas):8.2f} ({min(voilas):.2f}-{max(voilas):.2f}) "
              f"{statistics.median(ours) / statistics.median(voilas):6.2f}")
        targets.append(Target(f"Time to ready, preheated, first visit, {label}, heavylegs front end",
                              statistics.median(ours), "s", 1.0, kind="ratio", baseline=statistics.median(voilas),
                              note="baseline: Voila's own front end, same notebook, second server"))
    return report(targets)


if __name__ == "__main__":
    raise SystemExit(main())
