"""Run the benchmarks and end with ONE table of every performance target (issue #11).

    python3 dev.py bench            # all of them (about 28 minutes on a quiet 2-core machine)
    python3 dev.py bench ready      # only benchmarks whose name contains "ready"

Each benchmark prints its own medians and ratios against baselines measured in the
same run, and its targets (``_targets.py``); this runner collects the targets of all
of them into one markdown table. It exits non-zero when a benchmark crashed or missed
a target by more than 20 %.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _targets import RESULTS_ENV, load, table

# The order and the arguments of a full run. Browser benchmarks first, while the machine is
# freshest; bench_assessment skips the time to ready, which bench_ready measures beside the
# other apps against the same baseline.
PLAN: list[tuple[str, list[str]]] = [
    ("bench_ready", ["--rounds", "5"]),
    ("bench_preheat", ["--rounds", "5"]),
    ("bench_front_end", ["--rounds", "6"]),
    ("bench_dashboard", ["--rounds", "3"]),
    ("bench_assessment", ["--rounds", "0"]),
    ("bench_import", ["--repeat", "3"]),
    ("bench_upload", ["--repeat", "3"]),
    ("bench_metrics", []),
    ("bench_assess", ["--repeats", "3"]),
    ("bench_store", []),
]


def load_average() -> str:
    """The load average and, on Linux, the share of time runnable tasks waited for a CPU (PSI)."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    text = f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"
    try:
        fields = Path("/proc/pressure/cpu").read_text().split()
        text += f"; CPU pressure {fields[fields.index('some') + 2].split('=')[1]} % (60 s)"
    except (OSError, ValueError, IndexError):
        pass
    return text


#: Benchmarks that need an argument only their user can give; run them by hand.
BY_HAND: dict[str, str] = {"bench_before_after": "needs --before REV, the revision to compare with"}


def main(argv: list[str]) -> int:
    plan = [(name, args) for name, args in PLAN if not argv or any(w in name for w in argv)]
    known = {name for name, _ in PLAN} | set(BY_HAND)
    plan += [(s.stem, []) for s in sorted(HERE.glob("bench_*.py"))
             if s.stem not in known and (not argv or any(w in s.stem for w in argv))]
    failed = []
    t0 = time.monotonic()
    print(f"machine load at start: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-results-") as tmp:
        results = Path(tmp) / "targets.jsonl"
        env = {**os.environ, RESULTS_ENV: str(results)}
        for name, args in plan:
            print(f"\n=== {name} {' '.join(args)} === ({load_average()})", flush=True)
            if subprocess.call([sys.executable, str(HERE / f"{name}.py"), *args], cwd=HERE.parent, env=env):
                failed.append(name)
        targets = load(results)
    minutes = (time.monotonic() - t0) / 60
    print(f"\n=== summary: {len(plan)} benchmark(s) in {minutes:.1f} min; machine load at end: {load_average()} ===\n")
    print(table(targets) if targets else "(no targets reported)")
    if failed:
        print(f"\nbenchmarks that crashed or missed a target by more than 20 %: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
