"""Run every benchmark in this folder (``bench_*.py``) and report which failed.

    python3 dev.py bench            # all of them
    python3 dev.py bench ready      # only benchmarks whose name contains "ready"

Each benchmark prints its own medians and ratios; this runner exits non-zero when a
benchmark exits non-zero (a missed ratio target, or a crash).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(word in s.stem for word in argv)]
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        if subprocess.call([sys.executable, str(script)], cwd=HERE.parent):
            failed.append(script.stem)
    if failed:
        print(f"\nbenchmarks that failed or missed a target: {', '.join(failed)}")
        return 1
    print(f"\n{len(scripts)} benchmark(s) done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
