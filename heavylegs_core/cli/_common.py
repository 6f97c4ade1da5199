"""Options and output helpers shared by the subcommands (interfaces.md section 1)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heavylegs_core.base.atomic import write_atomic
from heavylegs_core.base.errors import Problem, UserError

if TYPE_CHECKING:
    from heavylegs_core.domain.history import History


def timezone(value: str) -> str:
    """argparse type for ``--tz``: an IANA time-zone name such as ``Europe/Oslo``."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {value!r}: use an IANA name such as Europe/Oslo or UTC"
        ) from None
    return value


def iso_date(value: str) -> dt.date:
    """argparse type for ``--as-of``: a calendar date ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date {value!r}: use YYYY-MM-DD") from None


def add_history_sources(parser: argparse.ArgumentParser, *, training_required: bool, as_of_help: str) -> None:
    """Add ``--training SRC... --sleep SRC... --as-of DATE --tz ZONE`` (interfaces.md section 1)."""
    parser.add_argument("--training", nargs="+", required=training_required, default=[], metavar="SRC",
                        help="training files (anything 'heavylegs import' reads)")
    parser.add_argument("--sleep", nargs="+", default=[], metavar="SRC",
                        help="sleep files (anything 'heavylegs import' reads)")
    parser.add_argument("--as-of", type=iso_date, metavar="DATE", help=as_of_help)
    parser.add_argument("--tz", type=timezone, default="UTC", metavar="ZONE",
                        help="the athlete's IANA time zone for calendar dates (default UTC)")


def load_history(training: list, sleep: list, tz: str, profile: Any = None) -> History:
    """The :class:`~heavylegs_core.domain.history.History` of a command's ``--training`` and ``--sleep``
    files (:func:`heavylegs_core.io.history.load_history`); warnings go to stderr.

    A ``--training`` set without sessions, or a ``--sleep`` set without nights,
    is a user error naming the option.
    """
    from heavylegs_core.io.history import load_history as read_history

    history = read_history([*training, *sleep], tz=tz, profile=profile,
                           label=", ".join(Path(p).name for p in [*training, *sleep]))
    problems = []
    why = skipped_text(history.skipped)
    if history.sessions.empty:
        problems.append(Problem(f"no training sessions in the --training files ({', '.join(map(str, training))})"
                                f"{why}: pass a training export", "--training"))
    if sleep and history.nights.empty:
        problems.append(Problem(f"no sleep nights in the --sleep files ({', '.join(map(str, sleep))}){why}: "
                                "pass a sleep export", "--sleep"))
    if problems:
        raise UserError(problems)
    for note in history.warnings:
        sys.stderr.write(f"heavylegs: warning: {note}\n")
    return history


def skipped_text(skipped: dict[str, int]) -> str:
    """`` (skipped: 2 x reason; ...)`` for an error message, or ``""`` when nothing was skipped."""
    if not skipped:
        return ""
    return " (skipped: " + "; ".join(f"{n} x {reason}" for reason, n in sorted(skipped.items())) + ")"


def add_format(parser: argparse.ArgumentParser) -> None:
    """Add ``--format {text,json}`` (text is for people, json for scripts)."""
    parser.add_argument(
        "--format", choices=("text", "json"), default="text",
        help="text for people (default), json for scripts: one JSON document on stdout",
    )


def add_out(parser: argparse.ArgumentParser, suffix: str = ".csv") -> None:
    """Add ``--out FILE``: written atomically, untouched when the command fails."""
    parser.add_argument("--out", type=Path, metavar=f"FILE{suffix}",
                        help="write the result to this file (atomically)")


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def print_json(document: Any) -> None:
    """Print one JSON document on stdout; NaN becomes ``null``."""
    text = json.dumps(_clean(document), ensure_ascii=False, allow_nan=False)
    sys.stdout.write(text + "\n")


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        obj = obj.item()
    return _jsonable(obj)


def write_output(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; a missing folder is a user error."""
    if not path.parent.exists():
        raise UserError(f"folder {path.parent} does not exist: create it first", where=str(path))
    write_atomic(path, text)
