"""Time to ready, page weight and kernel memory of the load and sleep dashboard, 1 and 10 years.

Voila serves a temporary folder holding four notebooks: the one-widget baseline of
``bench_ready.py`` and two that call ``dashboard_app`` with the SYNTHETIC demo histories
of 1 and 10 years (``heavylegs_core.domain.synthetic``), plus the 10-year page with the chart
JavaScript sent over the websocket instead of the template's static file (as when it
was inlined in the widget: the comparison for the page weight). Each page is opened
ROUNDS times in a fresh browser context (no cache), alternating with the baseline, and
measured for:

- seconds from navigation to ``.hl-ready`` visible, and to the chart's marks drawn;
- bytes received over HTTP (as sent, gzip) and the websocket (payloads, decompressed),
  counted in the page (see :mod:`_browser`);
- resident memory (RSS) of the page's kernel once the chart is drawn.

    .venv/bin/python benchmarks/bench_dashboard.py [--rounds 3]

As ``heavylegs app`` and Binder's build do, the chart JavaScript is published and the
first views (the synthetic histories included) are cached before Voila starts.
Targets, for the 1- and 10-year pages: time to ready within 1.25x the baseline and page
weight under 2 MB (the bundle-over-websocket page is a comparison, not a target).
Prints medians and ratios to the baseline; exits non-zero only when a target is missed
by more than 20 %.
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

READY_RATIO = 1.25
PAGE_MB = 2.0
PAGES = {"dashboard_1y.ipynb": "synthetic-1y", "dashboard_10y.ipynb": "synthetic-10y",
         "dashboard_10y_bundle_over_ws.ipynb": "synthetic-10y"}


def dashboard_notebook(athlete: str, *, bundle_over_websocket: bool = False) -> nbformat.NotebookNode:
    """A notebook showing the dashboard for one demo history (what 02_dashboard.ipynb does).

    ``bundle_over_websocket`` disables the static bundle, so the chart JavaScript
    travels over the websocket as it did when it was inlined (the comparison case).
    """
    nb = nbformat.v4.new_notebook()
    off = "from heavylegs_core.views import chart_widget\nchart_widget.publish_chart_js = lambda: None\n" if bundle_over_websocket else ""
    nb.cells = [nbformat.v4.new_code_cell(
        f"{off}from heavylegs_core.apps.dashboard.view import dashboard_app\ndashboard_app(athlete={athlete!r})")]
    return nb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    exe = chromium()
    pages = {name: dashboard_notebook(athlete, bundle_over_websocket="over_ws" in name)
             for name, athlete in PAGES.items()}
    with served(pages) as (base, voila), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        results: dict[str, list[dict[str, float]]] = {n: [] for n in [BASELINE, *PAGES]}
        for name in results:  # warm-up: OS caches, chart bundle published
            measure(browser, base + name, voila, marks=name != BASELINE)
        for _ in range(args.rounds):
            for name, runs in results.items():
                runs.append(measure(browser, base + name, voila, marks=name != BASELINE))
        browser.close()
    med = {n: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for n, runs in results.items()}
    b = med[BASELINE]
    print(f"dashboard, median of {args.rounds} (fresh kernel and browser context each; synthetic histories)")
    print(f"  {'page':36s} {'ready s':>8s} {'ratio':>6s} {'drawn s':>8s} {'HTTP KB':>8s} {'WS KB':>7s} "
          f"{'total KB':>9s} {'ratio':>6s} {'kernel MiB':>11s}")
    for name, m in med.items():
        total = m["http"] + m["ws"]
        label = "one-widget baseline" if name == BASELINE else name
        print(f"  {label:36s} {m['ready']:8.2f} {m['ready'] / b['ready']:6.2f} {m['drawn']:8.2f} "
              f"{m['http'] / 1024:8.0f} {m['ws'] / 1024:7.0f} {total / 1024:9.0f} "
              f"{total / (b['http'] + b['ws']):6.2f} {m['rss']:11.0f}")
    targets = []
    for name, athlete in PAGES.items():
        if "over_ws" in name:
            continue
        m = med[name]
        targets += [
            Target(f"Time to ready, dashboard, {athlete}", m["ready"], "s", READY_RATIO, kind="ratio",
                   baseline=b["ready"], note="fresh kernel, no preheat"),
            Target(f"Page weight, dashboard, {athlete}", (m["http"] + m["ws"]) / 1e6, "MB", PAGE_MB,
                   baseline=(b["http"] + b["ws"]) / 1e6, note="chart drawn"),
        ]
    return report(targets)


if __name__ == "__main__":
    raise SystemExit(main())
