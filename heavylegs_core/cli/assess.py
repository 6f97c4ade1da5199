"""``heavylegs assess``: triage, ranked contributors, actions and today's call.

The answers file is a JSON object ``{question_id: answer}`` (ids from
``heavylegs questions``). With ``--training`` (and ``--sleep``) files, the
daily-metrics row of the as-of day is used as evidence too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heavylegs_core.base.errors import UserError
from heavylegs_core.cli._common import (
    add_format,
    add_history_sources,
    load_history,
    print_json,
)

if TYPE_CHECKING:
    import datetime as dt

    from heavylegs_core.domain.model import Assessment
    from heavylegs_core.domain.profile import AthleteProfile

NAME = "assess"
HELP = "assess heavy legs: warning signs first, then likely contributors with evidence, actions and today's call"

#: Contributors shown in the text view: the top ones, and any at or above this share.
TEXT_TOP = 5
TEXT_MIN_PROBABILITY = 0.25
#: The width the text view wraps the knowledge base's advice under the warning signs to.
TEXT_WRAP = 88


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``heavylegs assess``."""
    parser.add_argument("--answers", required=True, type=Path, metavar="FILE.json",
                        help="the answers: a JSON object {question_id: answer}")
    add_history_sources(parser, training_required=False,
                        as_of_help="the day to assess, YYYY-MM-DD (default: the last day with data, else today)")
    parser.add_argument("--emergency-number", metavar="NUMBER",
                        help="the emergency number to show in warning-sign advice (e.g. 112, 911, 999)")
    add_format(parser)


def read_answers(path: Path) -> dict[str, Any]:
    """The answers file as a dict; a missing or malformed file is a UserError."""
    import json


    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("file not found", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the answers file ({exc.__class__.__name__})", where=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                        where=str(path)) from None
    if not isinstance(data, dict):
        raise UserError("the answers must be a JSON object {question_id: answer}", where=str(path))
    return data


def history_row(training: list[str], sleep: list[str], tz: str, profile: AthleteProfile,
                as_of: dt.date | None) -> tuple[dict[str, Any], dt.date]:
    """The history evidence (the daily-metrics row of the as-of day) from training and sleep files."""
    evidence = load_history(training, sleep, tz, profile).evidence(as_of)
    return evidence.row, evidence.day


def render_text(a: Assessment) -> str:
    """The assessment as a block a coach can read."""
    import textwrap

    from heavylegs_core.knowledge import load_knowledge

    out = [f"heavylegs assessment{f' for {a.as_of}' if a.as_of else ''} (model {a.model_version})",
           a.educational_note, ""]
    if a.triage.level != "none":
        out.append(f"WARNING SIGNS: {a.triage.level.upper().replace('_', ' ')}")
        for f in a.triage.flags:
            out.append(f"  ! {f.action}")
            out.append(f"    Why: {f.concern} ({f.id}{', answered not sure' if f.answer == 'not_sure' else ''})")
        out += [*textwrap.wrap(load_knowledge().text("flags_first"), TEXT_WRAP, initial_indent="  ",
                               subsequent_indent="  "), ""]
    else:
        out += ["Warning signs: none reported.", ""]
    c = a.todays_call
    out += [f"TODAY: {c.id.replace('_', ' ')}: {c.text}", f"  Because: {c.why}", ""]
    out.append(f"Likely contributors ({a.reference_class}; causes often combine):")
    shown = [x for i, x in enumerate(a.contributors) if i < TEXT_TOP or x.probability >= TEXT_MIN_PROBABILITY]
    for i, x in enumerate(shown, 1):
        bar = "#" * round(x.probability * 20)
        out.append(f"{i:>2}. {x.name}: {x.out_of_100} in 100  [{bar:<20}]  "
                   f"(starting estimate {round(x.prior * 100)} in 100)")
        for e in x.evidence:
            arrow = "points towards" if e.points > 0 else "points away"
            out.append(f"      {arrow} {e.points:+.1f} ({e.label}): {e.text}")
        if x.capped:
            out.append("      (positive points capped at the model's limit)")
        if not x.evidence:
            out.append("      no specific evidence either way: this is the starting estimate")
        out.append("      What to do:")
        out += [f"        - {t}" for t in x.actions]
        out.append(f"      Re-check in {x.recheck_days} days.")
    rest = a.contributors[len(shown):]
    if rest:
        out += ["", "Also considered: " + "; ".join(f"{x.short} {x.out_of_100}" for x in rest) + "."]
    if a.notes:
        out += ["", "Notes:"] + [f"  - {n}" for n in a.notes]
    out += ["", f"{a.answered} question(s) answered; training history {'used' if a.history_used else 'not given'}.",
            "About these numbers: " + a.honesty_statement]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    """Assess and print the result; exit 0, or 2 on a user error."""
    import datetime as dt

    from heavylegs_core.domain.model import DEFAULT_EMERGENCY_NUMBER, assess, engine
    from heavylegs_core.domain.profile import AthleteProfile

    answers = read_answers(args.answers)
    eng = engine()
    eng.validate_answers(answers, where=str(args.answers))  # fail before reading any history
    if args.sleep and not args.training:
        raise UserError("--sleep needs --training as well (the metrics start at the first session)",
                        where="--sleep")
    profile = AthleteProfile.from_answers(answers)
    metrics = None
    as_of = args.as_of
    if args.training:
        metrics, as_of = history_row(args.training, args.sleep, args.tz, profile, args.as_of)
    if as_of is None:
        as_of = dt.datetime.now(dt.UTC).date()
    result = assess(answers, metrics, profile=profile, as_of=as_of,
                    emergency_number=args.emergency_number or DEFAULT_EMERGENCY_NUMBER,
                    where=str(args.answers))
    if args.format == "json":
        print_json(result.to_dict())
    else:
        sys.stdout.write(render_text(result))
    return 0
