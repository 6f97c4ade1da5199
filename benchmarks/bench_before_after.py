"""The same work timed on an earlier revision and on this tree, in one run (issue 22: within 5 %).

A refactor must not cost speed. This benchmark checks out ``--before REV`` into a
temporary git worktree and times, alternating before and after round by round so that
drift of a shared machine hits both alike:

- the command line: ``--help``, ``import``, ``metrics``, ``assess``, ``report`` and a
  coach's ``athletes`` round (add, import-history, assess, report) on bundled data;
- the apps in a real browser (Debian Chromium): time to ``.hl-ready`` of the landing
  page, the assessment and the dashboard, each tree served by its own ``heavylegs app``
  without preheated kernels, each page in a fresh kernel and browser context.

Both trees run in this virtual environment; ``PYTHONPATH`` points the "before" processes
(and their kernels) at the worktree's package. Medians of ``--rounds`` rounds and the
ratio after / before are printed; targets: every ratio at most 1.05, on CPU time for the
commands (their wall time is printed beside) and on the page's own clock for the apps.

    .venv/bin/python benchmarks/bench_before_after.py --before 71bed56 [--rounds 7] [--no-browser]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _targets import Target, report

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TARGET_RATIO = 1.05
PAGES = {"00_start.ipynb": "landing page", "01_assessment.ipynb": "assessment app",
         "02_dashboard.ipynb": "dashboard (PMData p01)"}
ANSWERS = {"heavy_legs": 6, "in_run": "start_to_finish", "course": "several_days", "sex": "female", "age": 34}


@contextlib.contextmanager
def worktree(rev: str) -> Iterator[Path]:
    """A detached git worktree of ``rev`` in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="heavylegs-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", "--force", str(folder), rev], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, capture_output=True,
                       check=False)
        shutil.rmtree(folder, ignore_errors=True)


def environment(tree: Path, data: Path) -> dict[str, str]:
    """The environment of a process running ``tree``'s package, with its own user data and cache folders.

    Each tree keeps its own cache of first views: they share a file name per view, and a
    tree that found the other's entry stale would replace it, so that every page of both
    would be drawn afresh instead of read from the cache.
    """
    return {**os.environ, "PYTHONPATH": str(tree), "HEAVYLEGS_DATA_DIR": str(data),
            "XDG_CACHE_HOME": str(data.parent / f"cache-{tree.name}")}


def cli_steps(tree: Path, work: Path) -> list[tuple[str, list[list[str]]]]:
    """The command-line work: (name, commands run one after the other), paths inside ``tree``."""
    pm = tree / "data" / "pmdata" / "p01"
    srpe, wellness, sleep = pm / "pmsys" / "srpe.csv", pm / "pmsys" / "wellness.csv", pm / "fitbit" / "sleep.json"
    answers = work / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    cli = [PY, "-m", "heavylegs_core.cli"]
    db = work / "athletes.sqlite"
    return [
        ("heavylegs --help", [[*cli, "--help"]]),
        ("import (PMData p01: sRPE and Fitbit sleep)", [[*cli, "import", str(srpe), str(sleep), "--out",
                                                         str(work / "canonical.csv")]]),
        ("metrics (p01, 2 years)", [[*cli, "metrics", "--training", str(srpe), "--sleep", str(wellness),
                                     "--out", str(work / "metrics.csv")]]),
        ("assess --format json (with history)", [[*cli, "assess", "--answers", str(answers), "--training",
                                                  str(srpe), "--sleep", str(wellness), "--format", "json"]]),
        ("report (HTML, charts inline)", [[*cli, "report", "--answers", str(answers), "--training", str(srpe),
                                           "--sleep", str(wellness), "--out", str(work / "report.html")]]),
        ("athletes: add, import-history, assess, report", [
            [*cli, "athletes", "add", "Ann", "--tz", "UTC", "--db", str(db)],
            [*cli, "athletes", "import-history", "Ann", str(srpe), str(wellness), "--db", str(db)],
            [*cli, "athletes", "assess", "Ann", "--answers", str(answers), "--as-of", "2020-03-01",
             "--db", str(db)],
            [*cli, "athletes", "report", "Ann", "--out", str(work / "saved.html"), "--db", str(db)],
        ]),
    ]


def run_steps(commands: list[list[str]], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """CPU seconds (user + system, of the commands' processes) and wall seconds to run ``commands``
    in turn; a failing command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    for cmd in commands:
        done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"failed in {cwd}: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def bench_cli(trees: dict[str, Path], rounds: int) -> dict[str, dict[str, list[float]]]:
    """CPU seconds per step and tree (and, under "<step> (wall)", wall seconds), alternating trees
    within every round. CPU time is the measure: on a shared machine other processes inflate the
    wall clock of whichever tree ran beside them."""
    times: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-cli-") as tmp:
        for r in range(rounds + 1):  # the first round warms the OS caches and is not counted
            for label, tree in trees.items():
                work = Path(tmp) / label / str(r)
                work.mkdir(parents=True)
                env = environment(tree, work / "data")
                for name, commands in cli_steps(tree, work):
                    cpu, wall = run_steps(commands, env, tree)
                    if r:
                        times.setdefault(f"{name} (CPU)", {}).setdefault(label, []).append(cpu)
                        times.setdefault(f"{name} (wall)", {}).setdefault(label, []).append(wall)
    return times


@contextlib.contextmanager
def app_server(tree: Path, data: Path) -> Iterator[tuple[str, object]]:
    """``heavylegs app`` of ``tree`` (no preheated kernels) on a free port: (render URL prefix, process)."""
    from _browser import running

    from heavylegs_core.serve import server

    port = server.free_port()
    with running([PY, "-m", "heavylegs_core.cli", "app", "--no-browser", "--no-preheat", "--port", str(port)], port,
                 cwd=tree, env=environment(tree, data), up_path="voila/tree/") as got:
        yield got


def bench_apps(trees: dict[str, Path], rounds: int) -> dict[str, dict[str, list[float]]]:
    """Seconds to ``.hl-ready`` per page and tree, the trees alternating page by page."""
    from _browser import CHROMIUM_ARGS, chromium, measure
    from playwright.sync_api import sync_playwright

    times: dict[str, dict[str, list[float]]] = {}
    with contextlib.ExitStack() as stack, sync_playwright() as p:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="heavylegs-bench-apps-")))
        servers = {label: stack.enter_context(app_server(tree, tmp / label)) for label, tree in trees.items()}
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        for r in range(rounds + 1):  # the first round warms up and is not counted
            for page in PAGES:
                for label, (base, proc) in servers.items():
                    seconds = measure(browser, base + page, proc)["ready"]
                    if r:
                        times.setdefault(page, {}).setdefault(label, []).append(seconds)
        browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, metavar="REV", help="the earlier revision (a commit or tag)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true", help="time the command line only")
    args = ap.parse_args(argv)
    rows: list[tuple[str, float, float]] = []
    with worktree(args.before) as before:
        trees = {"before": before, "after": ROOT}
        measured = bench_cli(trees, args.rounds)
        if not args.no_browser:
            measured |= {f"time to ready, {PAGES[k]}": v for k, v in bench_apps(trees, args.rounds).items()}
    print(f"before = {args.before}, after = this tree; medians of {args.rounds} alternating rounds (s)")
    print(f"  {'what':60s} {'before':>8s} {'after':>8s} {'ratio':>6s}")
    targets = []
    for name, by in measured.items():
        b, a = statistics.median(by["before"]), statistics.median(by["after"])
        rows.append((name, b, a))
        print(f"  {name:60s} {b:8.3f} {a:8.3f} {a / b:6.3f}")
        if not name.endswith("(wall)"):  # printed beside the CPU time, not a target
            targets.append(Target(f"After / before: {name}", a, "s", TARGET_RATIO, kind="ratio", baseline=b,
                                  note=f"before = {args.before}"))
    return report(targets)


if __name__ == "__main__":
    raise SystemExit(main())
