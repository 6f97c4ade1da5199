"""Time to ready and page weight of the landing page (and any app), beside a one-widget notebook.

With Voila already running (and warmed up once), each page is opened ROUNDS times in a
fresh browser context and kernel, alternating with the baseline (``_browser.py`` says
what is measured).

    .venv/bin/python benchmarks/bench_ready.py [--rounds 5] [NOTEBOOK ...]

Prints medians and the ratio to the baseline. Exits 0: a measurement, not a test.
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

from heavylegs_core.paths import NOTEBOOKS_DIR


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("notebooks", nargs="*", default=["00_start.ipynb"])
    args = ap.parse_args(argv)
    exe = chromium()
    pages = {n: nbformat.read(NOTEBOOKS_DIR / n, as_version=4) for n in args.notebooks}
    with served(pages) as (base, voila), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        results: dict[str, list[dict[str, float]]] = {n: [] for n in [BASELINE, *pages]}
        for name in results:  # warm-up: OS caches, chart bundle
            measure(browser, base + name, voila)
        for _ in range(args.rounds):
            for name, runs in results.items():
                runs.append(measure(browser, base + name, voila))
        browser.close()
    med = {n: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for n, runs in results.items()}
    b = med[BASELINE]["ready"]
    print(f"time to .hl-ready, median of {args.rounds} (fresh kernel and browser context each):")
    print(f"  {'page':32s} {'median s':>9s} {'min s':>7s} {'max s':>7s} {'ratio':>6s} {'KB recv':>8s} {'kernel MiB':>11s}")
    for name, runs in results.items():
        times = [r["ready"] for r in runs]
        m = med[name]
        label = "one-widget baseline" if name == BASELINE else name
        print(f"  {label:32s} {m['ready']:9.2f} {min(times):7.2f} {max(times):7.2f} {m['ready'] / b:6.2f} "
              f"{(m['http'] + m['ws']) / 1024:8.0f} {m['rss']:11.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
