"""Benchmark: the cause model on clinical vignettes, scored as symptom-checker studies score.

Run from the project root::

    .venv/bin/python benchmarks/bench_vignettes.py                 # both bundled sets
    .venv/bin/python benchmarks/bench_vignettes.py --set dev --detail
    .venv/bin/python benchmarks/bench_vignettes.py --before cc7f129  # an earlier engine, same run

The vignettes (``data/vignettes/dev.yaml`` and ``heldout.yaml``) were written
from the evidence base and NHS/NICE guidance, with their gold urgency and
acceptable causes, before the engine was run on them; ``heldout`` was kept out
of every change to the knowledge base. Each story is answered through
``heavylegs assess``'s engine and scored (:mod:`heavylegs_core.domain.evaluation`):
triage exact, safe, emergencies missed, over/under-triage, top-1 and top-3
cause, red flags outweighed and crashes, printed beside the published figures.

``--before REV`` also scores the engine of an earlier git revision on the same
stories, in a subprocess with that revision's package on the path. Answers the
earlier questionnaire does not know (new questions or options) are dropped for
it, as a runner of that version could not have given them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from heavylegs_core.domain.evaluation import (
    PUBLISHED,
    Report,
    Vignette,
    evaluate,
    flag_tiers,
    format_report,
    vignette_set,
)
from heavylegs_core.domain.model import engine

#: Run inside the earlier revision: read [(answers, metrics)] as JSON on stdin, answer each with
#: that revision's engine (dropping what its questionnaire does not know), print the results.
_OLD_RUNNER = r"""
import json, sys
from heavylegs_core.knowledge import load_knowledge
try:  # the layout since issue 22
    from heavylegs_core.domain.model import assess
except ImportError:  # an older revision
    from heavylegs_core.model import assess
kb = load_knowledge()
opts = {q.id: (set(q.option_ids()) if q.type == "single" else None, q.min, q.max) for q in kb.questions}
out = []
for answers, metrics in json.load(sys.stdin):
    kept = {}
    for k, v in answers.items():
        if k not in opts:
            continue
        options, lo, hi = opts[k]
        if options is not None and v not in options and v != "dont_know":
            continue
        if options is None and isinstance(v, (int, float)) and not (lo <= v <= hi):
            continue
        kept[k] = v
    try:
        out.append(assess(kept, metrics or None).to_dict())
    except Exception as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"})
print(json.dumps(out))
"""


def score_now(vignettes: list[Vignette]) -> Report:
    """Score today's engine."""
    eng = engine()
    return evaluate(vignettes, lambda a, m: eng.assess(a, m or None).to_dict(), flag_tiers())


def score_revision(vignettes: list[Vignette], rev: str) -> Report:
    """Score the engine of git revision ``rev`` (a temporary worktree, its package on PYTHONPATH)."""
    with tempfile.TemporaryDirectory(prefix="heavylegs-before-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            cases = [({"sex": v.sex, "age": v.age, **v.answers}, v.metrics) for v in vignettes]
            proc = subprocess.run([sys.executable, "-c", _OLD_RUNNER], input=json.dumps(cases), text=True,
                                  capture_output=True, check=True, cwd=tree, env={"PYTHONPATH": str(tree), "PATH": ""})
            docs = iter(json.loads(proc.stdout))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True,
                           check=False)

    def old_assess(answers: dict[str, Any], metrics: dict[str, float]) -> dict[str, Any]:
        doc = next(docs)
        if "error" in doc:
            raise RuntimeError(doc["error"])
        return doc
    return evaluate(vignettes, old_assess, flag_tiers())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=["dev", "heldout", "all"], default="all")
    ap.add_argument("--detail", action="store_true", help="list every miss")
    ap.add_argument("--before", metavar="REV", help="also score the engine of this git revision")
    args = ap.parse_args(argv)
    names = ["dev", "heldout"] if args.set == "all" else [args.set]
    for name in names:
        vignettes = vignette_set(name)
        if args.before:
            print(format_report(f"{name} @ {args.before}", score_revision(vignettes, args.before),
                                detail=args.detail))
            print()
        print(format_report(f"{name} (this tree)", score_now(vignettes), detail=args.detail))
        print()
    print("published, for comparison:")
    for who, what in PUBLISHED:
        print(f"  {who}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
