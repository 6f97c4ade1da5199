"""Performance targets: how each benchmark reports them, and the one summary table of ``run_all.py``.

A benchmark builds :class:`Target` rows from its medians and calls :func:`report`, which
prints them as a markdown table, appends them (JSON lines) to the file named by the
``HEAVYLEGS_BENCH_RESULTS`` environment variable when ``run_all.py`` set it, and returns
the exit status: 1 only when a target is missed by more than :data:`TOLERANCE` (20 %),
so that noise on a shared machine does not fail a run that is merely close.

Kinds of target:

- ``ratio``: the measured median divided by a baseline median measured in the same run
  must be at most ``target`` (e.g. time to ready within 1.25x a one-widget notebook);
- ``max``: the measured median must be at most ``target`` (e.g. kernel RSS under 200 MB);
- ``min``: the measured median must be at least ``target`` (e.g. assessments per second).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

TOLERANCE = 0.20
RESULTS_ENV = "HEAVYLEGS_BENCH_RESULTS"


@dataclass(frozen=True)
class Target:
    """One target: ``measured`` (median, in ``unit``) against ``target`` (see the module docstring)."""

    name: str
    measured: float
    unit: str
    target: float
    kind: str = "max"
    baseline: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("ratio", "max", "min"):
            raise ValueError(f"unknown target kind {self.kind!r}: use ratio, max or min")
        if self.kind == "ratio" and not self.baseline:
            raise ValueError(f"{self.name}: a ratio target needs a non-zero baseline")

    @property
    def value(self) -> float:
        """What is compared with ``target``: the ratio for ``ratio`` targets, else the median."""
        return self.measured / self.baseline if self.kind == "ratio" else self.measured

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.kind == "min" else self.value <= self.target

    @property
    def failed(self) -> bool:
        """Missed by more than :data:`TOLERANCE`: the benchmark exits non-zero."""
        if self.kind == "min":
            return self.value < self.target / (1 + TOLERANCE)
        return self.value > self.target * (1 + TOLERANCE)


def _num(x: float | None, unit: str = "") -> str:
    if x is None:
        return "–"
    text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}"
    return f"{text} {unit}".rstrip()


def table(targets: list[Target]) -> str:
    """The targets as a markdown table."""
    rows = ["| target | measured (median) | baseline (same run) | ratio | target | result |",
            "|---|---:|---:|---:|---:|---|"]
    for t in targets:
        ratio = f"{t.measured / t.baseline:.2f}" if t.baseline else "–"
        goal = {"ratio": f"≤ {t.target:g}×", "max": f"< {_num(t.target, t.unit)}",
                "min": f"≥ {_num(t.target, t.unit)}"}[t.kind]
        result = "met" if t.met else ("MISSED (> 20 %)" if t.failed else "missed (within 20 %)")
        name = f"{t.name} ({t.note})" if t.note else t.name
        rows.append(f"| {name} | {_num(t.measured, t.unit)} | {_num(t.baseline, t.unit)} | {ratio} | {goal} "
                    f"| {result} |")
    return "\n".join(rows)


def report(targets: list[Target]) -> int:
    """Print the targets, hand them to ``run_all.py`` if it asked, and return the exit status."""
    print("\ntargets:")
    print(table(targets), flush=True)
    path = os.environ.get(RESULTS_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(asdict(t)) + "\n" for t in targets)
    return 1 if any(t.failed for t in targets) else 0


def load(path: Path) -> list[Target]:
    """The targets appended to ``path`` by :func:`report`."""
    if not path.is_file():
        return []
    return [Target(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
