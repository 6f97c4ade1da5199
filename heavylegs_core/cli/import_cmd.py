"""``heavylegs import FILE_OR_DIR... [--tz ZONE] [--out FILE.csv] [--format json]`` (interfaces.md 1-2).

Reads training and sleep exports (files, unpacked export folders, zips),
detecting each format from its content, and shows the canonical sessions and
nights.

- ``--out FILE.csv`` writes ONE canonical CSV holding sessions and nights
  (columns: the union of the session and night columns, ``kind`` says which
  a row is); ``heavylegs import FILE.csv`` reads it back unchanged. Written
  atomically; nothing is written when any input has a problem.
- ``--format json`` prints one JSON document::

      {"sessions": [{...canonical session...}, ...],
       "nights": [{...canonical night...}, ...],
       "skipped": {"<reason>": <count>, ...},
       "warnings": ["<file>: <note>", ...]}

  Dates are ``YYYY-MM-DD``, empty cells are ``null``.
- text (default) prints a short summary: counts, date range, every skip
  reason with its count, and the warnings.

Exit 0 on success, 2 with one ``heavylegs: error: <file>[:<row>]: ...`` line
per problem on stderr otherwise. An import that finds no session and no night
at all is such a problem (one line naming the files and why rows were skipped):
it never replaces an existing ``--out`` file with an empty table.
"""

from __future__ import annotations

import argparse
import sys

from heavylegs_core.base.errors import UserError
from heavylegs_core.cli._common import (
    add_format,
    add_out,
    print_json,
    skipped_text,
    timezone,
    write_output,
)

NAME = "import"
HELP = ("read training and sleep exports (FIT, GPX, TCX, Strava, Garmin, Fitbit, Oura, Whoop, "
        "Apple Health, PMData, CSV) into canonical sessions and nights")

EPILOG = """formats (detected from the content, not only the name):
  training: FIT / FIT.gz, GPX, TCX, Strava export (zip, folder or activities.csv),
            Garmin Connect activity CSV, Garmin account export (summarizedActivities.json),
            Whoop workouts.csv, Apple Health workouts, PMData srpe.csv,
            any CSV with a date column and a duration or distance column
  sleep:    Garmin sleepData.json, Fitbit sleep JSON (also PMData fitbit/sleep.json),
            Oura sleepmodel.csv / Trends CSV, Whoop sleeps.csv / physiological_cycles.csv,
            Apple Health export.zip / export.xml, PMData wellness.csv
  and the canonical CSV written by --out."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``FILE_OR_DIR...``, ``--tz``, ``--out``, ``--format``."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR",
                        help="export files, unpacked export folders or zip archives")
    parser.add_argument("--tz", type=timezone, default="UTC",
                        help="the athlete's IANA time zone, e.g. Europe/Oslo (default UTC)")
    add_out(parser)
    add_format(parser)


def _progress() -> object:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, label: str) -> None:
        sys.stderr.write(f"\rreading {done}/{total} {label[-50:]:<50}")
        if done >= total and label == "done":
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _rows(df) -> list[dict]:
    import pandas as pd

    out = df.copy()
    if len(out):
        out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


def run(args: argparse.Namespace) -> int:
    """Import, then write ``--out`` and print the summary or the JSON document."""
    from heavylegs_core.io.importers import load_sources, write_canonical_csv

    result = load_sources(args.paths, tz=args.tz, progress=_progress())
    if result.sessions.empty and result.nights.empty:
        raise nothing_imported(args.paths, result.skipped, out=args.out)
    if args.out is not None:
        write_output(args.out, write_canonical_csv(result))
    if args.format == "json":
        print_json({"sessions": _rows(result.sessions), "nights": _rows(result.nights),
                    "skipped": dict(sorted(result.skipped.items())), "warnings": list(result.warnings)})
        return 0
    lines = [_count_line("session", result.sessions), _count_line("night", result.nights)]
    if len(result.sessions):
        by_sport = result.sessions["sport"].value_counts()
        lines.append("  by sport: " + ", ".join(f"{k} {v}" for k, v in by_sport.items()))
    if result.skipped:
        lines.append("skipped (counted, not imported):")
        lines += [f"  {n} x {reason}" for reason, n in sorted(result.skipped.items())]
    if result.warnings:
        lines.append("warnings:")
        lines += [f"  {w}" for w in result.warnings]
    if args.out is not None:
        lines.append(f"written: {args.out}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def nothing_imported(paths: list[str], skipped: dict[str, int], *, out: object = None) -> UserError:
    """The error of an import that found no session and no night: it names the files and the skips.

    An import that finds nothing is a mistake (the wrong file, an empty export), not a result:
    writing an empty table over ``--out`` would lose what was there.
    """
    where = ", ".join(str(p) for p in paths)
    why = skipped_text(skipped)
    kept = f"; {out} was left unchanged" if out is not None else ""
    return UserError(f"nothing to import: no training session or sleep night found{why}; "
                     f"check that these are the exports you meant{kept}", where=where)


def _count_line(kind: str, df) -> str:
    n = len(df)
    if not n:
        return f"0 {kind}s"
    first, last = df["date"].min().date(), df["date"].max().date()
    return f"{n} {kind}{'s' if n != 1 else ''} from {first} to {last}"
