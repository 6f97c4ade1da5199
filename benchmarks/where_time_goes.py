"""Where the time to ready goes, per page: kernel start, imports, building the app, the browser.

Not a benchmark with targets (``run_all.py`` does not run it): a diagnostic for issue #11.
Each app's notebook cell is wrapped so that the kernel records wall-clock times (the
kernel and the browser run on the same machine, so the clocks agree):

- ``kernel up``: from navigation to the cell starting (Voila starts the kernel, the
  kernel imports ipykernel and connects);
- ``imports``: the app module's import (``from heavylegs_core.x import app``);
- ``build``: calling the app builder (data, charts, widgets);
- ``HTML done``: navigation to the page's DOMContentLoaded (Voila streams the page as
  the cell finishes);
- ``ws open``: navigation to the widget manager's websocket opening (Voila's JavaScript
  loaded and run);
- ``ready``: navigation to ``.hl-ready`` visible (widget state fetched and rendered).

    .venv/bin/python benchmarks/where_time_goes.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _browser import CHROMIUM_ARGS, chromium, served

APPS = {
    "baseline.ipynb": ("import ipywidgets as w", "w.Button(description='ok')"),
    "landing.ipynb": ("from heavylegs_core.apps.landing.view import landing_app", "landing_app()"),
    "assessment.ipynb": ("from heavylegs_core.apps.assessment.view import assessment_app", "assessment_app()"),
    "dashboard.ipynb": ("from heavylegs_core.apps.dashboard.view import dashboard_app", "dashboard_app()"),
}


def timed_notebook(imports: str, build: str, out: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import time as _t, json as _j\n_a = _t.time()\n"
        f"{imports}\n_b = _t.time()\n_w = {build}\n"
        "_w.add_class('hl-app'); _w.add_class('hl-ready')\n"
        f"_j.dump({{'start': _a, 'imported': _b, 'built': _t.time()}}, open({str(out)!r}, 'w'))\n_w")]
    return nb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="heavylegs-where-") as tmp:
        stamps = {name: Path(tmp) / f"{name}.json" for name in APPS}
        pages = {name: timed_notebook(*code, stamps[name]) for name, code in APPS.items()}
        rows: dict[str, list[dict[str, float]]] = {n: [] for n in APPS}
        with served(pages) as (base, _voila), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            for r in range(args.rounds + 1):  # round 0 warms up
                for name in APPS:
                    stamps[name].unlink(missing_ok=True)
                    context = browser.new_context()
                    page = context.new_page()
                    seen: dict[str, float] = {}
                    page.on("domcontentloaded", lambda *_a, s=seen: s.setdefault("html", time.time()))
                    page.on("websocket", lambda _ws, s=seen: s.setdefault("ws", time.time()))
                    t0 = time.time()
                    page.goto(base + name, wait_until="commit")
                    page.locator(".hl-ready").first.wait_for(state="visible", timeout=180_000)
                    ready = time.time()
                    k = json.loads(stamps[name].read_text())
                    context.close()
                    if r:
                        rows[name].append({"kernel up": k["start"] - t0, "imports": k["imported"] - k["start"],
                                           "build": k["built"] - k["imported"], "HTML done": seen["html"] - t0,
                                           "ws open": seen["ws"] - t0, "ready": ready - t0})
            browser.close()
    cols = list(next(iter(rows.values()))[0])
    print(f"seconds, median of {args.rounds} (fresh kernel and browser context each)")
    print(f"  {'page':18s}" + "".join(f"{c:>11s}" for c in cols))
    for name, runs in rows.items():
        print(f"  {name:18s}" + "".join(f"{statistics.median(x[c] for x in runs):11.2f}" for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
