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

from heavylegs_core.cli._common import add_history_sources

if TYPE_CHECKING:
    import pandas as pd

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


def history_charts(sessions: pd.DataFrame, table: pd.DataFrame, *, sleep_need_h: float = 8.0,
                   with_sleep: bool = False) -> tuple[str, ...]:
    """Inline SVG charts: weekly load by sport, form (TSB), and sleep when sleep data is given."""
    from heavylegs_core.knowledge.chart_references import load_chart_references
    from heavylegs_core.views.charts import (
        dashboard_data,
        frame_columns,
        inline_csv,
        sleep_chart,
        tsb_chart,
        weekly_load,
        weekly_load_chart,
    )
    from heavylegs_core.views.report import chart_svg

    width = 640
    svgs = [chart_svg(weekly_load_chart(weekly_load(sessions)).properties(width=width))]
    data = dashboard_data(table, sessions)
    frame = data.frame[frame_columns(data, "uncoupled")]
    svgs.append(chart_svg(tsb_chart(frame, resolution=data.resolution).properties(width=width)))
    if with_sleep and table["sleep_h"].notna().any():
        # the layered sleep chart reads its bars from the top-level data (its rule layers carry their own)
        chart = sleep_chart(None, load_chart_references(), resolution=data.resolution, sleep_need_h=sleep_need_h)
        chart.data = inline_csv(frame)
        svgs.append(chart_svg(chart.properties(width=width)))
    return tuple(svgs)


def build_report(answers: dict[str, Any], *, training: list[str], sleep: list[str], tz: str,
                 as_of: Any, athlete: str, emergency_number: str | None, where: str,
                 profile: AthleteProfile | None = None) -> str:
    """Read the history files, assess and render the report HTML (UserError for bad answers or files)."""
    from heavylegs_core.base.errors import UserError
    from heavylegs_core.cli._common import load_history
    from heavylegs_core.cli.assess import _profile
    from heavylegs_core.domain.model import engine

    engine().validate_answers(answers, where=where)
    if sleep and not training:
        raise UserError("--sleep needs --training as well (the metrics start at the first session)", where="--sleep")
    prof = profile or _profile(answers)
    if not training:
        return render_report(answers, None, None, as_of=as_of, athlete=athlete, profile=prof,
                             emergency_number=emergency_number, where=where)
    result = load_history(training, sleep, tz, prof)
    label = ", ".join(Path(p).name for p in [*training, *sleep])
    return render_report(answers, result.sessions, result.nights if sleep else None, as_of=as_of,
                         athlete=athlete, profile=prof, emergency_number=emergency_number, where=where,
                         label=label)


def render_report(answers: dict[str, Any], sessions: pd.DataFrame | None, nights: pd.DataFrame | None, *,
                  as_of: Any, athlete: str, profile: AthleteProfile, emergency_number: str | None,
                  where: str, label: str = "stored history") -> str:
    """Assess ``answers`` with canonical ``sessions``/``nights`` (or none) and render the report HTML."""
    import datetime as dt

    from heavylegs_core.base.errors import UserError
    from heavylegs_core.domain.history_summary import history_summary
    from heavylegs_core.domain.metrics import daily_metrics
    from heavylegs_core.domain.model import DEFAULT_EMERGENCY_NUMBER, assess, engine
    from heavylegs_core.views.report import report_html

    metrics = None
    summary: dict[str, Any] = {}
    charts: tuple[str, ...] = ()
    if sessions is not None and not sessions.empty:
        table = daily_metrics(sessions, nights, profile=profile, as_of=as_of)
        if table.empty or table["load"].isna().all():
            first = sessions["date"].min().date()
            raise UserError(f"no training data on or before {as_of}: the first session is on {first}",
                            where="--as-of")
        row = table.iloc[-1].to_dict()
        as_of = row.pop("date").date()
        metrics = row
        summary = history_summary(table, label)
        shown = sessions[sessions["date"].dt.date <= as_of]
        charts = history_charts(shown, table, sleep_need_h=profile.sleep_need_h,
                                with_sleep=nights is not None and not nights.empty)
    if as_of is None:
        as_of = dt.datetime.now(dt.UTC).date()
    res = assess(answers, metrics, profile=profile, as_of=as_of,
                 emergency_number=emergency_number or DEFAULT_EMERGENCY_NUMBER, where=where)
    return report_html(answers, res, athlete=athlete, summary=summary,
                       question_text={q.id: q.text for q in engine().kb.questions}, charts_svg=charts)


def run(args: argparse.Namespace) -> int:
    """Write the report; exit 0, or 2 on a user error (no file written)."""
    import sys

    from heavylegs_core.cli._common import write_output
    from heavylegs_core.cli.assess import read_answers

    answers = read_answers(args.answers)
    html = build_report(answers, training=args.training, sleep=args.sleep, tz=args.tz, as_of=args.as_of,
                        athlete=args.athlete, emergency_number=args.emergency_number, where=str(args.answers))
    write_output(args.out, html)
    sys.stdout.write(f"Report written to {args.out}.\n")
    return 0
