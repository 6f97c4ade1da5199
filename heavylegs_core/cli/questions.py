"""``heavylegs questions``: the questionnaire, generated from the knowledge base."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from heavylegs_core.cli._common import add_format, print_json

NAME = "questions"
HELP = "the questionnaire (warning signs first, then the heavy legs, then context), from the knowledge base"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``heavylegs questions``."""
    add_format(parser)


def question_rows() -> list[dict[str, Any]]:
    """Every question as a JSON-ready row, in wizard order (red flags first)."""
    from heavylegs_core.knowledge import DONT_KNOW, load_knowledge

    kb = load_knowledge()
    rows = []
    for q in kb.questions:
        row: dict[str, Any] = {
            "id": q.id, "section": q.section, "step": q.step, "step_title": q.step_title,
            "step_order": q.step_order, "type": q.type, "text": q.text, "help": q.help,
            "options": [{"id": o.id, "label": o.label} for o in q.options],
            # warning signs have no "don't know": yes, no or not sure (which counts as yes)
            "dont_know": DONT_KNOW if q.dont_know else None,
        }
        if q.type == "number":
            row.update({"min": q.min, "max": q.max, "unit": q.unit})
        if q.tier is not None:
            row["tier"] = q.tier
        if q.show_if is not None:
            row["show_if"] = q.show_if.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
        rows.append(row)
    return rows


def _text() -> str:
    from heavylegs_core.knowledge import load_knowledge

    kb = load_knowledge()
    lines = [("heavylegs questionnaire. Answer what you can: 'dont_know' (or leaving a question out) "
             "moves nothing."), ("Warning-sign questions: answer every one; 'not_sure' counts as 'yes', and one left "
              "unanswered means the screen is incomplete (no training call is given).")]
    step = None
    for q in kb.questions:
        if q.step != step:
            step = q.step
            lines += ["", f"== {q.step_order}. {q.step_title} =="]
        tier = f" [{q.tier}]" if q.tier else ""
        lines.append(f"{q.id}{tier}: {q.text}")
        if q.type == "single":
            lines.append("    options: " + " | ".join(f"{o.id} ({o.label})" for o in q.options))
        else:
            unit = f" {q.unit}" if q.unit else ""
            lines.append(f"    number from {q.min:g} to {q.max:g}{unit}")
        if q.show_if is not None and q.show_if.q:
            lines.append(f"    asked when {q.show_if.q} is {' or '.join(q.show_if.is_ or ())}")
    lines += ["", kb.educational_note]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the questionnaire as text or JSON (an array of question rows)."""
    if args.format == "json":
        print_json(question_rows())
    else:
        sys.stdout.write(_text())
    return 0
