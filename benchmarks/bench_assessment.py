"""The assessment app's performance budget, measured beside a one-widget notebook in one run.

- time to ``.hl-ready``: median of ROUNDS, fresh kernel and browser context each,
  alternating with the baseline (budget: within 1.25× of the baseline);
- a changed answer: seconds from choosing an option to the results being redrawn,
  widget round trip through the kernel, median of 10 changes (budget: under 300 ms);
- kernel memory (RSS) after a 10-year history (SYNTHETIC, ``heavylegs_core.synthetic``,
  uploaded as a canonical CSV through the app's file upload) is loaded (budget: 250 MB).

    .venv/bin/python benchmarks/bench_assessment.py [--rounds 5]

Exits non-zero only when the time-to-ready ratio misses its target by more than 20 %.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _browser import BASELINE, CHROMIUM_ARGS, chromium, measure, served

from heavylegs_core.importers import ImportResult, write_canonical_csv
from heavylegs_core.paths import NOTEBOOKS_DIR
from heavylegs_core.synthetic import synthetic_history

APP = "01_assessment.ipynb"
READY_RATIO = 1.25
UPDATE_MS = 300
RSS_MB = 250


def ten_year_csv(folder: Path) -> Path:
    """A 10-year synthetic history written as the canonical CSV ``heavylegs import`` produces."""
    h = synthetic_history(10)
    path = folder / "synthetic-10-years.csv"
    path.write_text(write_canonical_csv(ImportResult(sessions=h.sessions, nights=h.nights)))
    return path


def answer_round_trips(page, n: int = 10) -> list[float]:
    """Seconds from choosing a sex (it moves the iron and fuelling priors) to new results."""
    times = []
    for i in range(n):
        before = page.evaluate("document.querySelector('.hl-results').innerHTML")
        t0 = time.perf_counter()
        page.locator(".hl-q-sex select").select_option(label="Female" if i % 2 == 0 else "Male")
        page.wait_for_function("b => document.querySelector('.hl-results').innerHTML !== b", arg=before)
        times.append(time.perf_counter() - t0)
    return times


def load_history(page, csv: Path) -> None:
    for _ in range(30):
        title = page.locator(".hl-step").inner_text()
        if "history" in title:
            break
        page.locator("button.hl-next").click()
        page.wait_for_function("t => document.querySelector('.hl-step').innerText !== t", arg=title)
    with page.expect_file_chooser() as chooser:
        page.locator(".hl-upload").click()
    chooser.value.set_files(str(csv))
    page.locator(".hl-history table").wait_for(state="visible", timeout=180_000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    exe = chromium()
    with tempfile.TemporaryDirectory() as tmp, \
            served({APP: nbformat.read(NOTEBOOKS_DIR / APP, as_version=4)}) as (base, voila), \
            sync_playwright() as p:
        csv = ten_year_csv(Path(tmp))
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        ready: dict[str, list[float]] = {BASELINE: [], APP: []}
        for name in ready:
            measure(browser, base + name, voila)  # warm-up
        for _ in range(args.rounds):
            for name, runs in ready.items():
                runs.append(measure(browser, base + name, voila)["ready"])

        def drive(page) -> dict[str, float]:
            trips = answer_round_trips(page)
            t0 = time.perf_counter()
            load_history(page, csv)
            return {"update_ms": statistics.median(trips) * 1000, "update_max_ms": max(trips) * 1000,
                    "history_s": time.perf_counter() - t0}

        run = measure(browser, base + APP, voila, then=drive)
        browser.close()
    b, a = statistics.median(ready[BASELINE]), statistics.median(ready[APP])
    ratio = a / b
    print(f"assessment app, time to .hl-ready, median of {args.rounds} (fresh kernel and context each):")
    print(f"  one-widget baseline {b:6.2f} s   assessment {a:6.2f} s   ratio {ratio:.2f} (budget {READY_RATIO})")
    print(f"  changed answer -> new results: median {run['update_ms']:.0f} ms, max {run['update_max_ms']:.0f} ms "
          f"over 10 changes (budget {UPDATE_MS} ms)")
    print(f"  10-year synthetic history uploaded and assessed in {run['history_s']:.1f} s; "
          f"kernel RSS {run['rss']:.0f} MiB (budget {RSS_MB} MB)")
    return 1 if ratio > READY_RATIO * 1.2 else 0


if __name__ == "__main__":
    raise SystemExit(main())
