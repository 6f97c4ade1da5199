"""Import training sessions and sleep nights from the files people already have.

Every input goes through :func:`load_sources`, which detects each file's
format from its content (not only its name) and returns canonical records
(:mod:`heavylegs_core.records`). Formats register themselves in
:data:`FORMATS`: a detector that looks at the first bytes and the file name,
and a reader that returns an :class:`ImportResult`.

A bad file raises :class:`heavylegs_core.errors.UserError` naming the file, the
row and the field; nothing is written anywhere by an import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from heavylegs_core.errors import Problem, UserError
from heavylegs_core.profile import AthleteProfile
from heavylegs_core.records import (
    SESSION_COLUMNS,
    empty_nights,
    empty_sessions,
    normalise_nights,
    normalise_sessions,
    with_loads,
)

HEAD_BYTES = 4096


@dataclass
class ImportResult:
    """What one or more files yielded.

    ``skipped`` counts rows left out on purpose, by reason (never silently);
    ``warnings`` are one-line notes for the user (e.g. a corrupt FIT file
    whose first part was kept).
    """

    sessions: pd.DataFrame = field(default_factory=empty_sessions)
    nights: pd.DataFrame = field(default_factory=empty_nights)
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Format:
    """One input format: ``detect(head, path)`` and ``read(path, tz)``."""

    name: str
    detect: Callable[[bytes, Path], bool]
    read: Callable[[Path, str], ImportResult]


FORMATS: list[Format] = []


def register(fmt: Format) -> Format:
    """Add a format to the registry (earlier registrations are tried first)."""
    FORMATS.append(fmt)
    return fmt


def _csv_header(head: bytes) -> list[str]:
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return [h.strip().strip('"').lower() for h in first[0].split(",")] if first else []


def _is_canonical(head: bytes, path: Path) -> bool:
    cols = _csv_header(head)
    return "kind" in cols and "date" in cols and ("sport" in cols or "sleep_h" in cols)


def _read_canonical(path: Path, tz: str) -> ImportResult:
    """Read a canonical CSV as written by ``heavylegs import --out``."""
    try:
        raw = pd.read_csv(path, dtype={"start": "string", "name": "string", "source": "string"})
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read this CSV file: {exc}", where=str(path)) from None
    kinds = set(raw["kind"].dropna().unique())
    unknown = kinds - {"session", "night"}
    if unknown:
        raise UserError(f"unknown kind {sorted(unknown)[0]!r} in column kind: use session or night",
                        where=str(path))
    sessions = raw[raw["kind"] == "session"]
    nights = raw[raw["kind"] == "night"]
    missing = [c for c in ("date", "sport", "duration_min") if c not in raw.columns] if len(sessions) else []
    if missing:
        raise UserError(f"canonical CSV lacks column(s) {', '.join(missing)}", where=str(path))
    return ImportResult(
        sessions=normalise_sessions(sessions[[c for c in SESSION_COLUMNS if c in sessions.columns]]),
        nights=normalise_nights(nights),
    )


def _is_pmdata_srpe(head: bytes, path: Path) -> bool:
    cols = _csv_header(head)
    return {"end_date_time", "perceived_exertion", "duration_min"} <= set(cols)


def _is_pmdata_wellness(head: bytes, path: Path) -> bool:
    cols = _csv_header(head)
    return {"effective_time_frame", "sleep_duration_h"} <= set(cols)


def _read_pmdata_srpe(path: Path, tz: str) -> ImportResult:
    from heavylegs_core.pmdata import read_srpe

    return ImportResult(sessions=read_srpe(path, tz))


def _read_pmdata_wellness(path: Path, tz: str) -> ImportResult:
    from heavylegs_core.pmdata import read_wellness_sleep

    return ImportResult(nights=read_wellness_sleep(path, tz))


register(Format("canonical-csv", _is_canonical, _read_canonical))
register(Format("pmdata-srpe", _is_pmdata_srpe, _read_pmdata_srpe))
register(Format("pmdata-wellness", _is_pmdata_wellness, _read_pmdata_wellness))


def detect(path: Path) -> Format:
    """The registered format of ``path``, judged from its first bytes and its name."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except FileNotFoundError:
        raise UserError("no such file", where=str(path)) from None
    except IsADirectoryError:
        head = b""
    except PermissionError:
        raise UserError("cannot read this file (permission denied)", where=str(path)) from None
    for fmt in FORMATS:
        if fmt.detect(head, path):
            return fmt
    raise UserError(
        "unrecognised file: not a training or sleep export heavylegs can read "
        "(see 'heavylegs import --help' for the formats)",
        where=str(path),
    )


def load_sources(
    paths: Iterable[str | Path], tz: str = "UTC", profile: AthleteProfile | None = None
) -> ImportResult:
    """Read every file, merge the records and fill each session's load.

    Problems from all files are collected and raised together as one
    :class:`UserError` (one line each), so nothing partial is returned.
    """
    results: list[ImportResult] = []
    problems: list[Problem] = []
    for p in paths:
        path = Path(p)
        try:
            results.append(detect(path).read(path, tz))
        except UserError as exc:
            problems.extend(exc.problems)
    if problems:
        raise UserError(problems)
    merged = ImportResult()
    frames_s = [r.sessions for r in results if len(r.sessions)]
    frames_n = [r.nights for r in results if len(r.nights)]
    if frames_s:
        merged.sessions = with_loads(normalise_sessions(pd.concat(frames_s, ignore_index=True)), profile)
    if frames_n:
        merged.nights = normalise_nights(pd.concat(frames_n, ignore_index=True))
    for r in results:
        for reason, n in r.skipped.items():
            merged.skipped[reason] = merged.skipped.get(reason, 0) + n
        merged.warnings.extend(r.warnings)
    return merged
