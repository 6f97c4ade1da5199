"""``heavylegs metrics``: the daily metrics table (interfaces.md sections 1 and 3)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.cli._common import (
    add_format,
    add_history_sources,
    add_out,
    print_json,
    write_output,
)

if TYPE_CHECKING:
    import pandas as pd

    from heavylegs_core.domain.profile import AthleteProfile

NAME = "metrics"
HELP = "the daily training-load and sleep metrics table (CTL/ATL/TSB, ACWR, monotony, spike, sleep)"

TEXT_DAYS = 14
TEXT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (column, header, format)
    ("date", "date", ""),
    ("load", "load", ".0f"),
    ("ctl", "CTL", ".1f"),
    ("atl", "ATL", ".1f"),
    ("tsb", "TSB", ".1f"),
    ("acwr_coupled", "ACWR", ".2f"),
    ("acwr_ewma", "ACWR-e", ".2f"),
    ("monotony", "monot", ".2f"),
    ("strain", "strain", ".0f"),
    ("run_km", "run km", ".1f"),
    ("spike_ratio", "spike", ".2f"),
    ("days_since_rest", "no rest", "d"),
    ("sleep_h", "sleep h", ".1f"),
    ("sleep_7d_mean", "sleep 7d", ".1f"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``heavylegs metrics``."""
    add_history_sources(parser, training_required=True,
                        as_of_help="last day of the table, YYYY-MM-DD (default: the last day with data)")
    add_out(parser)
    add_format(parser)
    prof = parser.add_argument_group("athlete profile (optional; a missing value falls back safely)")
    prof.add_argument("--sex", choices=("female", "male", "other"),
                      help="for the sex-specific Banister TRIMP weighting (female or male)")
    prof.add_argument("--max-hr", type=float, metavar="BPM", help="maximum heart rate, beats per minute")
    prof.add_argument("--rest-hr", type=float, metavar="BPM", help="resting heart rate, beats per minute")
    prof.add_argument("--sleep-need", type=float, metavar="HOURS",
                      help="the athlete's sleep need in hours per night (default 8)")


_PROFILE_OPTIONS = {"sex": "--sex", "max_hr": "--max-hr", "rest_hr": "--rest-hr", "sleep_need_h": "--sleep-need"}


def _profile(args: argparse.Namespace) -> AthleteProfile:
    """The athlete profile from the command-line options, validated."""
    from pydantic import ValidationError

    from heavylegs_core.domain.profile import AthleteProfile

    values = {"sex": args.sex, "max_hr": args.max_hr, "rest_hr": args.rest_hr,
              "sleep_need_h": args.sleep_need}
    try:
        return AthleteProfile(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            option = _PROFILE_OPTIONS.get(field, "--max-hr/--rest-hr")
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(f"{message} (got {err['input']!r})" if field else message, option))
        raise UserError(problems) from None


def _read(args: argparse.Namespace, profile: AthleteProfile) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Sessions from every --training file and nights from every --sleep file (and training file)."""
    import pandas as pd

    from heavylegs_core.domain.records import (
        empty_nights,
        empty_sessions,
        normalise_nights,
    )
    from heavylegs_core.io.importers import (
        DUPLICATE_MERGED,
        ImportResult,
        combine_results,
        load_sources,
    )

    problems: list[Problem] = []
    sessions: list[pd.DataFrame] = []
    nights: list[pd.DataFrame] = []
    notes: list[str] = []
    seen: set[tuple[str, Path]] = set()
    for role, paths in (("training", args.training), ("sleep", args.sleep)):
        for path in paths:
            if (role, Path(path).resolve()) in seen:  # the same file given twice is read once
                notes.append(f"{path}: given twice: read once")
                continue
            seen.add((role, Path(path).resolve()))
            try:
                result = load_sources([path], args.tz, profile)
            except UserError as exc:
                problems.extend(exc.problems)
                continue
            notes.extend(result.warnings)
            notes.extend(f"{path}: skipped {n} row(s): {why}" for why, n in result.skipped.items())
            if role == "training":
                if result.sessions.empty:
                    hint = (" (it holds sleep nights: pass it with --sleep)" if len(result.nights)
                            else "")
                    problems.append(Problem(f"no training sessions in this file{hint}", str(path)))
                    continue
                sessions.append(result.sessions)
                if len(result.nights):
                    nights.append(result.nights)
            else:
                if result.nights.empty:
                    hint = (" (it holds training sessions: pass it with --training)"
                            if len(result.sessions) else "")
                    problems.append(Problem(f"no sleep nights in this file{hint}", str(path)))
                    continue
                nights.append(result.nights)
    if problems:
        raise UserError(problems)
    # the same session (or night) in two files counts once, as in 'heavylegs import' and 'assess'
    both = combine_results([ImportResult(sessions=s) for s in sessions], profile)
    merged = both.skipped.get(DUPLICATE_MERGED, 0)
    if merged:
        notes.append(f"--training: merged {merged} duplicate session(s) (the same session in two files)")
    all_sessions = both.sessions if sessions else empty_sessions()
    all_nights = normalise_nights(pd.concat(nights, ignore_index=True)) if nights else empty_nights()
    return all_sessions, all_nights, notes


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-ready dicts: ISO dates, ``None`` for an empty cell."""
    import numpy as np

    columns: dict[str, list[Any]] = {}
    for name in table.columns:
        col = table[name]
        if name == "date":
            columns[name] = [d.date().isoformat() for d in col]
        elif str(col.dtype) == "Int64":
            columns[name] = [None if v is None else int(v) for v in col.astype(object).where(col.notna(), None)]
        elif str(col.dtype) == "boolean":
            columns[name] = [None if v is None else bool(v) for v in col.astype(object).where(col.notna(), None)]
        else:
            arr = col.to_numpy(dtype="float64")
            columns[name] = [None if not np.isfinite(v) else float(v) for v in arr]
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _cell(value: Any, fmt: str) -> str:
    import math

    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if fmt == "":
        return value.date().isoformat() if hasattr(value, "date") else str(value)
    return format(int(value) if fmt == "d" else float(value), fmt)


def _text_cell(rec: dict[str, Any], col: str, fmt: str) -> str:
    """One cell of the text table: the streak bound where the days since rest are unknown,
    and ``*`` after an ACWR whose 28 days hold a break (``acwr_meaningful`` false)."""
    text = _cell(rec[col], fmt)
    if col == "days_since_rest" and text == "-":
        bound = _cell(rec.get("days_since_rest_at_least"), "d")
        return text if bound == "-" else f">={bound}"
    if col.startswith("acwr_") and text != "-" and rec.get("acwr_meaningful") is False:
        return text + "*"
    return text


def _text(table: pd.DataFrame) -> str:
    """The last days of the table as a readable block for a coach."""
    from heavylegs_core.domain.metrics import BREAK_DAYS
    from heavylegs_core.knowledge import educational_note

    tail = table.tail(TEXT_DAYS)
    rows = [[header for _, header, _ in TEXT_COLUMNS]]
    rows += [[_text_cell(rec, col, fmt) for col, _, fmt in TEXT_COLUMNS]
             for rec in tail.to_dict("records")]
    widths = [max(len(r[i]) for r in rows) for i in range(len(TEXT_COLUMNS))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    first, last = table["date"].iloc[0].date(), table["date"].iloc[-1].date()
    history = table.dropna(subset=["load"])
    head = [f"Daily metrics, {first} to {last} ({len(table)} days; last {len(tail)} shown)."]
    if len(history):
        head.append(f"Load history from {history['date'].iloc[0].date()}: "
                    f"{int(history['sessions'].sum())} sessions, {history['load'].sum():.0f} AU in total.")
    foot = [
        ("load: AU (RPE x minutes, else TRIMP, else minutes). CTL/ATL: 42/7-day weighted averages; "
         "TSB: yesterday's CTL - ATL."),
        ("ACWR: 7-day / 28-day mean load (ACWR-e: exponentially weighted); empty until 28 days of history. "
         "It is a popular heuristic, not a validated injury predictor. * after a ratio: not meaningful, the "
         f"28 days hold a break of {BREAK_DAYS}+ days without load."),
        ("spike: longest recent run / longest run in the 30 days before it (above 1.1 is a warning sign). "
         "no rest: days since a day without training (>=N: no rest day on record, so at least N). "
         "Empty cell (-): not enough data."),
        educational_note(),
    ]
    return "\n".join([*head, "", *lines, "", *foot]) + "\n"


def run(args: argparse.Namespace) -> int:
    """Compute the table and print or write it; exit status 0, or 2 on a user error."""
    import pandas as pd

    from heavylegs_core.domain.metrics import daily_metrics

    profile = _profile(args)
    if args.out is not None and not Path(args.out).parent.exists():
        raise UserError(f"folder {Path(args.out).parent} does not exist: create it first", where=str(args.out))
    sessions, nights, notes = _read(args, profile)
    table = daily_metrics(sessions, nights, profile=profile, as_of=args.as_of)
    if table.empty or table["load"].isna().all():
        first = sessions["date"].min()
        if args.as_of is None or pd.isna(first):
            raise UserError("no dated training sessions in the --training files", where="--training")
        raise UserError(f"no training data on or before {args.as_of}: the first session is on {first.date()}",
                        where="--as-of")
    for note in notes:
        sys.stderr.write(f"heavylegs: warning: {note}\n")
    if args.out is not None:
        out = table.copy()
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        write_output(Path(args.out), out.to_csv(index=False, lineterminator="\n"))
    if args.format == "json":
        print_json(_records(table))
    elif args.out is not None:
        sys.stdout.write(f"wrote {len(table)} days of metrics to {args.out}\n")
    else:
        sys.stdout.write(_text(table))
    return 0
