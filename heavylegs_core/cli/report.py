"""``heavylegs report``: a self-contained, printable session report (one HTML file).

The warning-sign (triage) message comes first, then today's call, the
contributors with their evidence and actions, the training history charts
(inline SVG drawn by vl-convert: no script, no external URL) and the answers.
All user text is escaped. The file is written atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heavylegs_core.base.errors import UserError
from heavylegs_core.cli._common import add_history_sources, load_history, write_output
from heavylegs_core.cli.assess import read_answers

if TYPE_CHECKING:
    from heavylegs_core.domain.profile import AthleteProfile

NAME = "report"
HELP = "write a self-contained, printable HTML session report (triage first, charts inline)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``heavylegs report``."""
    parser.add_argument("--answers", required=True, type=Path, metavar="FILE.json",
                        help="the answers: a JSON object {question_id: answer}")
    add_history_sources(parser, training_required=False,
                        as_of_help="the day to assess, YYYY-MM-DD (default: the last day with data, else today)")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.html",
                        help="the report file to write (atomically)")
    parser.add_argument("--athlete", default="", metavar="NAME", help="the athlete's name for the title")
    parser.add_argument("--emergency-number", metavar="NUMBER",
                        help="the emergency number to show in warning-sign advice (e.g. 112, 911, 999)")


def build_report(answers: dict[str, Any], *, training: list[str], sleep: list[str], tz: str,
                 as_of: Any, athlete: str, emergency_number: str | None, where: str,
                 profile: AthleteProfile | None = None) -> str:
    """Read the history files, assess and render the report HTML (UserError for bad answers or files)."""
    import datetime as dt

    from heavylegs_core.domain.model import DEFAULT_EMERGENCY_NUMBER, assess, engine
    from heavylegs_core.domain.profile import AthleteProfile
    from heavylegs_core.views.report import report_page

    engine().validate_answers(answers, where=where)
    if sleep and not training:
        raise UserError("--sleep needs --training as well (the metrics start at the first session)", where="--sleep")
    prof = profile or AthleteProfile.from_answers(answers)
    history = load_history(training, sleep, tz, prof) if training else None
    metrics = None
    if history is not None:
        metrics, as_of = history.evidence(as_of)
    res = assess(answers, metrics, profile=prof, as_of=as_of or dt.datetime.now(dt.UTC).date(),
                 emergency_number=emergency_number or DEFAULT_EMERGENCY_NUMBER, where=where)
    return report_page(answers, res, history=history, athlete=athlete,
                       question_text={q.id: q.text for q in engine().kb.questions})


def run(args: argparse.Namespace) -> int:
    """Write the report; exit 0, or 2 on a user error (no file written)."""
    import sys


    answers = read_answers(args.answers)
    html = build_report(answers, training=args.training, sleep=args.sleep, tz=args.tz, as_of=args.as_of,
                        athlete=args.athlete, emergency_number=args.emergency_number, where=str(args.answers))
    write_output(args.out, html)
    sys.stdout.write(f"Report written to {args.out}.\n")
    return 0
