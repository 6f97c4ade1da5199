"""``heavylegs causes``: the cause model with its priors, evidence, remedies and sources."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from heavylegs_core.cli._common import add_format, print_json

NAME = "causes"
HELP = "the cause model: causes, priors, evidence items with likelihood ratios and sources, remedies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``heavylegs causes``."""
    add_format(parser)


def cause_document() -> dict[str, Any]:
    """The whole cause model as one JSON-ready document."""
    from heavylegs_core.domain.model import model_version, points
    from heavylegs_core.knowledge import load_knowledge

    kb = load_knowledge()
    causes = []
    for c in kb.causes:
        ev = []
        for e in kb.evidence_for(c.id):
            ev.append({
                "id": e.id, "text": e.text, "text_absent": e.text_absent,
                "when": e.when.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True),
                "lr": e.lr, "points": round(points(e.lr), 1),
                "lr_absent": e.lr_absent,
                "points_absent": round(points(e.lr_absent), 1) if e.lr_absent else None,
                "group": e.group, "mark": e.mark, "basis": e.basis, "source": e.source,
            })
        causes.append({
            "id": c.id, "name": c.name, "short": c.short, "main_share": c.main_share,
            "prior": c.prior, "prior_mark": c.prior_mark, "prior_basis": c.prior_basis,
            "sex_factor": c.sex_factor, "sex_factor_mark": c.sex_factor_mark,
            "resolution": c.resolution, "recheck_days": c.recheck_days,
            "actions": list(c.actions), "safety_net": c.safety_net,
            "sources": [{"id": s, **kb.sources[s].model_dump()} for s in c.sources],
            "evidence": ev,
        })
    return {
        "model_version": model_version(kb),
        "honesty_statement": kb.honesty_statement,
        "educational_note": kb.educational_note,
        "marks": {k: v.model_dump() for k, v in kb.marks.items()},
        "caps": kb.caps.model_dump(),
        "groups": {k: v.model_dump() for k, v in kb.groups.items()},
        "causes": causes,
        "red_flags": [{"id": f.id, "tier": f.tier, "concern": f.concern, "action": f.action,
                       "source": f.source, "asked": f.question} for f in kb.red_flags],
        "timing_table": [r.model_dump() for r in kb.timing_table],
        "sources": {k: v.model_dump() for k, v in kb.sources.items()},
    }


def _text() -> str:
    from heavylegs_core.domain.model import model_version, points
    from heavylegs_core.knowledge import load_knowledge

    kb = load_knowledge()
    sym = {k: v.symbol for k, v in kb.marks.items()}
    out = [f"heavylegs cause model {model_version(kb)}", "", "HONESTY: " + kb.honesty_statement, ""]
    out += [f"  {v.symbol} {v.meaning}" for v in kb.marks.values()]
    out += ["", "Probabilities combine as: prior odds x likelihood ratios (points = 10 x log10 LR);",
            (f"correlated items count once per group; positive points are capped at "
            f"+{kb.caps.positive_points_per_cause:g} per cause."), ""]
    for c in kb.causes:
        sexf = ""
        if c.sex_factor:
            sexf = " | " + ", ".join(f"{k} x{v:g}" for k, v in c.sex_factor.items())
            sexf += f" {sym[c.sex_factor_mark or 'judge']}"
        out.append(f"## {c.name} [{c.id}]")
        out.append(f"   prior: {round(c.prior * 100)} in 100 contribute, main cause for "
                   f"{c.main_share * 100:g} in 100 {sym[c.prior_mark]}{sexf}")
        for e in kb.evidence_for(c.id):
            lr = f"LR {e.lr:g} ({points(e.lr):+.1f})"
            if e.lr_absent:
                lr += f" / absent LR {e.lr_absent:g} ({points(e.lr_absent):+.1f})"
            grp = f" [group {e.group}]" if e.group else ""
            text = re.sub(r"\{value[^}]*\}", "N", e.text)
            out.append(f"   {sym[e.mark]} {text}  {lr}{grp}")
        out.append("   What to do:")
        out += [f"     - {a}" for a in c.actions]
        out.append(f"     - {c.safety_net}")
        out.append(f"   Re-check after {c.recheck_days} days. Expected course: {c.resolution}")
        out.append("   Sources: " + "; ".join(kb.sources[s].text for s in c.sources))
        out.append("")
    out.append("Timing patterns (source articles' table):")
    for r in kb.timing_table:
        out.append(f"   {r.question}={r.option}: {r.when}; most likely {', '.join(r.most_likely)}. {r.meaning}")
    out += ["", kb.educational_note]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the cause model as text or one JSON document."""
    if args.format == "json":
        print_json(cause_document())
    else:
        sys.stdout.write(_text())
    return 0
