"""Time to ready, page weight and kernel memory of the apps, beside a one-widget notebook (issue #11).

With Voila already running (as on Binder: no preheated kernels; warmed up once), each
page is opened ROUNDS times in a fresh browser context and a fresh kernel, alternating
with the baseline (``_browser.py`` says what is measured). By default: the landing page,
the assessment app and the dashboard (its default view, a real PMData athlete). As
``heavylegs app`` and Binder's build do, the chart JavaScript is published and the
first views are cached before Voila starts (``heavylegs_core.serve.server.prebuild``).

"Ready" is ``.hl-ready`` visible: the app is built and interactive. For pages with a
chart at first view, the page weight is taken once the chart's marks are drawn (so it
includes the offline chart JavaScript), and "drawn" reports when that happened.

    .venv/bin/python benchmarks/bench_ready.py [--rounds 5] [NOTEBOOK ...]

Targets: time to ready within 1.25x the baseline; page weight (HTTP as sent, gzip, plus
websocket payloads) under 2 MB. Exits non-zero only when a target is missed by more
than 20 %.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _browser import BASELINE, CHROMIUM_ARGS, chromium, measure, served
from _targets import Target, report

from heavylegs_core.base.paths import NOTEBOOKS_DIR

APPS = {"00_start.ipynb": "landing page", "01_assessment.ipynb": "assessment app",
        "02_dashboard.ipynb": "dashboard (PMData p01)"}
CHARTS_AT_OPEN = ("00_start.ipynb", "02_dashboard.ipynb")
READY_RATIO = 1.25
PAGE_MB = 2.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("notebooks", nargs="*", default=list(APPS))
    args = ap.parse_args(argv)
    exe = chromium()
    pages = {n: nbformat.read(NOTEBOOKS_DIR / n, as_version=4) for n in args.notebooks}
    with served(pages) as (base, voila), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        results: dict[str, list[dict[str, float]]] = {n: [] for n in [BASELINE, *pages]}
        for name in results:  # warm-up: OS caches
            measure(browser, base + name, voila, marks=name in CHARTS_AT_OPEN)
        for _ in range(args.rounds):
            for name, runs in results.items():
                runs.append(measure(browser, base + name, voila, marks=name in CHARTS_AT_OPEN))
        browser.close()
    med = {n: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for n, runs in results.items()}
    b = med[BASELINE]["ready"]
    print(f"time to .hl-ready, median of {args.rounds} (fresh kernel and browser context each):")
    print(f"  {'page':32s} {'median s':>9s} {'min s':>7s} {'max s':>7s} {'ratio':>6s} {'drawn s':>8s} "
          f"{'KB recv':>8s} {'kernel MiB':>11s}")
    for name, runs in results.items():
        times = [r["ready"] for r in runs]
        m = med[name]
        label = "one-widget baseline" if name == BASELINE else name
        print(f"  {label:32s} {m['ready']:9.2f} {min(times):7.2f} {max(times):7.2f} {m['ready'] / b:6.2f} "
              f"{m['drawn']:8.2f} {(m['http'] + m['ws']) / 1024:8.0f} {m['rss']:11.0f}")
    targets = []
    for name in pages:
        label = APPS.get(name, name)
        targets.append(Target(f"Time to ready, {label}", med[name]["ready"], "s", READY_RATIO, kind="ratio",
                              baseline=b, note="fresh kernel, no preheat; baseline: one-widget notebook"))
    for name in pages:
        m, mb = med[name], med[BASELINE]
        targets.append(Target(f"Page weight, {APPS.get(name, name)}", (m["http"] + m["ws"]) / 1e6, "MB", PAGE_MB,
                              baseline=(mb["http"] + mb["ws"]) / 1e6,
                              note="charts drawn" if name in CHARTS_AT_OPEN else "at ready"))
    return report(targets)


if __name__ == "__main__":
    raise SystemExit(main())
