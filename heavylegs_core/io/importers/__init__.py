"""Import training sessions and sleep nights from the files people already have.

Every input goes through :func:`load_sources`, which accepts files, folders
(e.g. an unpacked Strava or Garmin export) and zip archives, detects each
file's format from its content (not only its name) and returns canonical
records (:mod:`heavylegs_core.domain.records`). Formats register themselves in
:data:`FORMATS`: a detector that looks at the first bytes and the file name,
and a reader that returns an :class:`ImportResult`.

Formats (training): canonical CSV (``heavylegs import --out``), PMData
``srpe.csv``, FIT / FIT.gz, GPX, TCX, Strava ``activities.csv`` (alone, in the
unpacked folder or in the zip; activity files joined through ``Filename``),
Garmin Connect activity-list CSV, Garmin account-export
``summarizedActivities.json``, Whoop ``workouts.csv``, Apple Health workouts,
and a generic CSV whose headers name a date and a duration or distance.
Formats (sleep): PMData ``wellness.csv``, Garmin ``sleepData.json``, Fitbit
sleep JSON (also PMData ``fitbit/sleep.json``), Oura ``sleepmodel.csv`` and
Trends CSV, Whoop ``sleeps.csv`` / ``physiological_cycles.csv``, Apple Health
``export.xml`` / ``export.zip`` (streamed).

A bad input raises :class:`heavylegs_core.base.errors.UserError` with one problem
per line naming the file, the row and the field; nothing is written anywhere
by an import. Rows left out on purpose are counted in ``skipped``. The same
session found in two sources is merged (missing fields filled from the
other; "the same session" is the one rule of
:func:`heavylegs_core.domain.duplicates.same_session`, which the athlete store
applies too), and so is the same night. A file whose bytes are those of another
file of the same import is read once.

Modules: :mod:`._base` (results, sources, parsing helpers) and :mod:`._csv`
(CSV basics) at the bottom; :mod:`.detectors` (format detection);
:mod:`.canonical`, :mod:`.activity` (FIT, GPX, TCX), :mod:`.tables` (activity
lists), :mod:`.sleep` (sleep exports), :mod:`.apple` (Apple Health); and
:mod:`.ratings`, the dashboard's heavy-legs ratings and saved assessments,
which are neither training nor sleep and so are not in :data:`FORMATS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.domain.duplicates import (
    DUP_START_MIN,
    SessionFacts,
    same_session,
)
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.domain.records import (
    LOAD_SOURCES,
    NIGHT_COLUMNS,
    NIGHT_SCHEMA,
    SESSION_COLUMNS,
    SESSION_SCHEMA,
    normalise_nights,
    normalise_sessions,
    with_loads,
)
from heavylegs_core.io.importers import activity as act
from heavylegs_core.io.importers import detectors as d
from heavylegs_core.io.importers._base import (
    HEAD_BYTES,
    MAX_RATIO,
    MAX_UNPACKED_BYTES,
    RATIO_CHECK_BYTES,
    Format,
    ImportResult,
    Progress,
    ReadContext,
    Source,
    file_source,
    format_from_reader,
)
from heavylegs_core.io.importers._csv import looks_like_csv, no_usable_columns
from heavylegs_core.io.importers.canonical import read_canonical, to_canonical_csv
from heavylegs_core.io.importers.detectors import is_strava_csv
from heavylegs_core.io.pmdata import read_srpe, read_wellness_sleep

#: The skip reason counted for a session found in two sources and kept once.
DUPLICATE_MERGED = "duplicate session merged (the same session in two sources)"
#: The skip reason counted for a file given twice (the same path) and read once.
DUPLICATE_PATH = "file given twice (read once)"
#: The skip reason counted for a file whose content is byte for byte that of another one
#: given to the same import (``a/export.gpx`` and ``b/export.gpx``): read once.
DUPLICATE_FILE = "identical file given twice (same content, read once)"

__all__ = [
    "DUPLICATE_FILE",
    "DUPLICATE_MERGED",
    "DUPLICATE_PATH",
    "FORMATS",
    "NIGHT_LIMITS",
    "SESSION_LIMITS",
    "Format",
    "ImportResult",
    "ReadContext",
    "Source",
    "combine_results",
    "detect",
    "load_sources",
    "register",
    "write_canonical_csv",
]

FORMATS: list[Format] = []

#: Plausible ranges of canonical session fields (inclusive); values outside are refused.
#: Derived from the one declaration, :data:`heavylegs_core.domain.records.SESSION_SCHEMA`.
SESSION_LIMITS: dict[str, tuple[float, float, str]] = SESSION_SCHEMA.limits()
#: Plausible ranges of canonical night fields (inclusive), from ``NIGHT_SCHEMA``.
NIGHT_LIMITS: dict[str, tuple[float, float, str]] = NIGHT_SCHEMA.limits()
# the duplicate-session rule and its thresholds (DUP_START_MIN ...): heavylegs_core.domain.duplicates
MAX_ZIP_DEPTH = 2


def register(fmt: Format) -> Format:
    """Add a format to the registry (earlier registrations are tried first)."""
    FORMATS.append(fmt)
    return fmt


# --------------------------------------------------------- built-in formats

def _csv_header(head: bytes) -> list[str]:
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return [h.strip().strip('"').lower() for h in first[0].split(",")] if first else []


def _is_canonical(head: bytes, path: Path) -> bool:
    cols = _csv_header(head)
    return "kind" in cols and "date" in cols and ("sport" in cols or "sleep_h" in cols)


def _read_canonical(path: Path, tz: str) -> ImportResult:
    """Read a canonical CSV as written by ``heavylegs import --out``."""
    return read_canonical(file_source(Path(path)), ReadContext(tz=tz))


def _is_pmdata_srpe(head: bytes, path: Path) -> bool:
    cols = _csv_header(head)
    return {"end_date_time", "perceived_exertion", "duration_min"} <= set(cols)


def _is_pmdata_wellness(head: bytes, path: Path) -> bool:
    cols = _csv_header(head)
    return {"effective_time_frame", "sleep_duration_h"} <= set(cols)


def _read_pmdata_srpe(path: Path, tz: str) -> ImportResult:
    return ImportResult(sessions=read_srpe(path, tz))


def _read_pmdata_wellness(path: Path, tz: str) -> ImportResult:
    return ImportResult(nights=read_wellness_sleep(path, tz))


def _lazy(module: str, func: str) -> Callable[[Source, ReadContext], ImportResult]:
    def reader(src: Source, ctx: ReadContext) -> ImportResult:
        import importlib

        return getattr(importlib.import_module(f"heavylegs_core.io.importers.{module}"), func)(src, ctx)

    reader.__name__ = func
    return reader


def _register_builtins() -> None:
    register(Format("canonical-csv", _is_canonical, _read_canonical,
                    _lazy("canonical", "read_canonical"), "both"))
    register(Format("pmdata-srpe", _is_pmdata_srpe, _read_pmdata_srpe, None, "training"))
    register(Format("pmdata-wellness", _is_pmdata_wellness, _read_pmdata_wellness, None, "sleep"))
    register(format_from_reader("fit", act.is_fit, act.read_fit_quick, "training"))
    register(format_from_reader("gpx", act.is_gpx, act.read_gpx, "training"))
    register(format_from_reader("tcx", act.is_tcx, act.read_tcx, "training"))
    register(format_from_reader("apple-health", d.is_apple, _lazy("apple", "read_apple"), "both"))
    register(format_from_reader("strava-activities-csv", d.is_strava_csv,
                                _lazy("tables", "read_strava_csv"), "training"))
    register(format_from_reader("garmin-connect-csv", d.is_garmin_csv,
                                _lazy("tables", "read_garmin_csv"), "training"))
    register(format_from_reader("garmin-summarized-activities", d.is_garmin_activities_json,
                                _lazy("tables", "read_garmin_activities"), "training"))
    register(format_from_reader("garmin-sleep-json", d.is_garmin_sleep_json,
                                _lazy("sleep", "read_garmin_sleep"), "sleep"))
    register(format_from_reader("fitbit-sleep-json", d.is_fitbit_sleep_json,
                                _lazy("sleep", "read_fitbit_sleep"), "sleep"))
    register(format_from_reader("oura-sleep-csv", d.is_oura_csv, _lazy("sleep", "read_oura"), "sleep"))
    register(format_from_reader("whoop-sleep-csv", d.is_whoop_sleep_csv,
                                _lazy("sleep", "read_whoop_sleep"), "sleep"))
    register(format_from_reader("whoop-workouts-csv", d.is_whoop_workouts_csv,
                                _lazy("tables", "read_whoop_workouts"), "training"))
    register(format_from_reader("generic-csv", d.is_generic_csv,
                                _lazy("tables", "read_generic_csv"), "training"))


# ------------------------------------------------------------------ detect

def _detect_source(src: Source) -> Format | None:
    head = src.head(HEAD_BYTES)
    name = Path(src.basename)
    for fmt in FORMATS:
        if fmt.detect(head, name):
            return fmt
    return None


def _unrecognised(src: Source) -> UserError:
    try:
        head = src.head(HEAD_BYTES)
    except UserError as exc:
        return exc
    if looks_like_csv(head):
        return no_usable_columns(head, src.name)
    if not head.strip():
        return UserError("the file is empty", where=src.name)
    return UserError(
        "unrecognised file: not a training or sleep export heavylegs can read "
        "(see 'heavylegs import --help' for the formats)", where=src.name)


def detect(path: Path) -> Format:
    """The registered format of ``path``, judged from its first bytes and its name."""
    path = Path(path)
    try:
        src = file_source(path)
        fmt = _detect_source(src)
    except FileNotFoundError:
        raise UserError("no such file", where=str(path)) from None
    except IsADirectoryError:
        fmt = None
        src = None
    except PermissionError:
        raise UserError("cannot read this file (permission denied)", where=str(path)) from None
    if fmt is None:
        if src is None:
            raise UserError("is a folder: pass it to load_sources, which reads folders", where=str(path))
        raise _unrecognised(src)
    return fmt


# ------------------------------------------------------- folders and zips

def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _safe_member(name: str) -> bool:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in PurePosixPath(name.replace("\\", "/")).parts


def _is_strava(src: Source) -> bool:
    try:
        return is_strava_csv(src.head(HEAD_BYTES), Path(src.basename))
    except (OSError, UserError):
        return False


class _Walker:
    """Turns the user's paths into sources, applying the export layouts' rules."""

    def __init__(self, stack: contextlib.ExitStack, result: ImportResult):
        self.stack, self.result = stack, result
        self.items: list[tuple[Source, bool]] = []  # (source, named explicitly)
        self.groups: list[str] = []  # the user's path each item came from

    def add_path(self, path: Path) -> None:
        before = len(self.items)
        self._add_path(path)
        self.groups += [str(path)] * (len(self.items) - before)

    def _add_path(self, path: Path) -> None:
        if not path.exists():
            raise UserError("no such file or folder", where=str(path))
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            rels = {p.relative_to(path).as_posix(): p for p in files}
            self._add_tree(str(path), rels, lambda rel, r=rels: file_source(r[rel], f"{path}/{rel}"))
        elif _is_zip(path):
            self._add_zip(path, str(path), depth=1)
        else:
            try:
                self.items.append((file_source(path), True))
            except PermissionError:
                raise UserError("cannot read this file (permission denied)", where=str(path)) from None

    def _add_zip(self, opener: Path | Source, display: str, depth: int) -> None:
        try:
            if isinstance(opener, Path):
                zf = self.stack.enter_context(zipfile.ZipFile(opener))
            else:
                zf = self.stack.enter_context(zipfile.ZipFile(self.stack.enter_context(opener.open())))
            infos = [i for i in zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise UserError(f"not a readable zip archive: {exc}", where=display) from None
        problems = [Problem(f"refused: member name {i.filename!r} points outside the archive "
                            "(path traversal)", display) for i in infos if not _safe_member(i.filename)]
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES:
            problems.append(Problem(f"refused: the archive unpacks to {total / 1024**3:.1f} GB, more "
                                    f"than the {MAX_UNPACKED_BYTES // 1024**3} GB limit", display))
        for i in infos:
            if i.file_size > RATIO_CHECK_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                problems.append(Problem(
                    f"refused: member {i.filename!r} is compressed {i.file_size / max(i.compress_size, 1):.0f}"
                    f" times (over {MAX_RATIO}), which looks like a zip bomb", display))
        if problems:
            raise UserError(problems)
        members = {i.filename.replace("\\", "/"): i for i in infos
                   if not PurePosixPath(i.filename).name.startswith(".")
                   and not i.filename.startswith("__MACOSX/")}

        def make(rel: str) -> Source:
            info = members[rel]
            return Source(f"{display}/{rel}", lambda: zf.open(info), size=info.file_size)

        self._add_tree(display, members, make, depth)

    def _add_tree(self, display: str, rels: dict, make: Callable[[str], Source], depth: int = 0) -> None:
        names = sorted(rels)
        joined: set[str] = set()
        strava_roots: set[str] = set()
        skipped_dirs: list[tuple[str, str]] = []
        for rel in names:
            base = PurePosixPath(rel).name.lower()
            folder = str(PurePosixPath(rel).parent)
            prefix = "" if folder == "." else folder + "/"
            if base == "activities.csv" and _is_strava(make(rel)):
                joined.add(prefix + "activities/")
                strava_roots.add(prefix)
            if base in ("export.xml", "eksport.xml") or base.endswith("export.xml"):
                skipped_dirs.append((prefix + "workout-routes/",
                                     "Apple workout route file (the workout comes from export.xml)"))
                skipped_dirs.append((prefix + "electrocardiograms/", "Apple ECG file"))
        for rel in names:
            if any(rel.startswith(j) for j in joined):
                continue  # read through activities.csv's Filename column
            reason = next((why for d, why in skipped_dirs if rel.startswith(d)), None)
            parent = str(PurePosixPath(rel).parent)
            if (("" if parent == "." else parent + "/") in strava_roots and rel.lower().endswith(".csv")
                    and PurePosixPath(rel).name.lower() != "activities.csv"):
                reason = "other table of a Strava export (activities.csv lists the activities)"
            if reason:
                self.result.skip(reason)
                continue
            folder = str(PurePosixPath(rel).parent)
            prefix = "" if folder == "." else folder + "/"

            def sibling(other: str, prefix: str = prefix) -> Source | None:
                target = (prefix + other.replace("\\", "/")).lstrip("/")
                return make(target) if target in rels and _safe_member(other) else None

            src = make(rel)
            src = Source(src.name, src.opener, src.path, sibling, src.size)
            if rel.lower().endswith(".zip") and depth and depth < MAX_ZIP_DEPTH:
                self._add_zip(src, src.name, depth + 1)
                continue
            if rel.lower().endswith(".zip") and not depth:
                path = src.path
                if path is not None:
                    self._add_zip(path, src.name, 1)
                    continue
            self.items.append((src, False))


# -------------------------------------------------------------- checks

def _check_limits(df: pd.DataFrame, limits: dict[str, tuple[float, float, str]],
                  where: str) -> list[Problem]:
    problems: list[Problem] = []
    rows = df["_row"].to_numpy() if "_row" in df.columns else np.full(len(df), None)
    for col, (lo, hi, why) in limits.items():
        if col not in df.columns:
            continue
        vals = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype="float64")
        bad = ~np.isnan(vals) & ((vals < lo) | (vals > hi))
        for i in np.flatnonzero(bad)[:20]:
            row = rows[i]
            problems.append(Problem(
                f"impossible value {_fmt(vals[i])} in field {col} ({why})", where,
                None if row is None or (isinstance(row, float) and math.isnan(row)) else int(row)))
    return problems


def _fmt(v: float) -> str:
    return f"{v:g}"


def _check(res: ImportResult, where: str) -> list[Problem]:
    problems = _check_limits(res.sessions, SESSION_LIMITS, where)
    problems += _check_limits(res.nights, NIGHT_LIMITS, where)
    if len(res.sessions) and res.sessions["date"].isna().any():
        i = int(np.flatnonzero(res.sessions["date"].isna().to_numpy())[0])
        row = res.sessions["_row"].iloc[i] if "_row" in res.sessions.columns else None
        problems.append(Problem("a session has no date", where, None if row is None else int(row)))
    return problems


# ------------------------------------------------------------- merging

def _merge_sessions(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Merge the same session seen twice; returns the table and the merge count.

    "The same session" is the one rule of :func:`heavylegs_core.domain.duplicates.same_session`
    (also the store's). The session from the source given first is kept; its
    empty fields are filled from the other, and ``source`` names both.
    """
    if len(df) < 2:
        return df, 0
    df = df.reset_index(drop=True)
    starts = pd.to_datetime(df["start"], utc=True, errors="coerce", format="ISO8601")
    order = np.argsort(starts.to_numpy(), kind="stable")
    rank = order.copy()  # input position of each sorted row
    df = df.iloc[order].reset_index(drop=True)
    t = pd.to_datetime(df["start"], utc=True, errors="coerce", format="ISO8601")
    t = (t - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy()
    dur = df["duration_min"].to_numpy(dtype="float64")
    sport = df["sport"].to_numpy()
    src = df["source"].astype(str).to_numpy()
    facts = [SessionFacts(float(t[k]), sport[k], float(dur[k]), src[k]) for k in range(len(df))]
    keep = np.ones(len(df), dtype=bool)
    merged = 0
    records = df.to_dict("records")
    for i in range(len(df)):
        if np.isnan(t[i]):
            continue
        j = i - 1
        while j >= 0 and t[i] - t[j] <= DUP_START_MIN * 60.0:
            if keep[j] and not np.isnan(t[j]) and same_session(facts[i], facts[j]):
                win, lose = (j, i) if rank[j] < rank[i] else (i, j)
                keep[lose] = False
                merged += 1
                for col, val in records[lose].items():
                    cur = records[win].get(col)
                    if cur is None or (isinstance(cur, float) and math.isnan(cur)):
                        records[win][col] = val
                if src[lose] not in str(records[win]["source"]).split(" + "):
                    records[win]["source"] = f"{records[win]['source']} + {src[lose]}"
                if records[win]["sport"] == "other" and sport[lose] != "other":
                    records[win]["sport"] = sport[lose]
                break
            j -= 1
    out = pd.DataFrame([r for r, k in zip(records, keep, strict=True) if k], columns=df.columns)
    return out, merged


def _merge_nights(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    if len(df) < 2:
        return df, 0
    out_rows = []
    merged = 0
    for _, grp in df.groupby("date", sort=True):
        row = grp.iloc[0].to_dict()
        for _, other in grp.iloc[1:].iterrows():
            merged += 1
            for col in ("sleep_h", "quality"):
                if pd.isna(row[col]) and not pd.isna(other[col]):
                    row[col] = other[col]
            if str(other["source"]) not in str(row["source"]).split(" + "):
                row["source"] = f"{row['source']} + {other['source']}"
        out_rows.append(row)
    return pd.DataFrame(out_rows, columns=df.columns), merged


# ----------------------------------------------------------- load_sources

def _read_one(fmt: Format, src: Source, ctx: ReadContext) -> ImportResult:
    if fmt.read_source is not None:
        return fmt.read_source(src, ctx)
    if src.path is not None and not src.name.endswith(".gz"):
        return fmt.read(src.path, ctx.tz)
    tmp = Path(tempfile.mkdtemp(prefix="heavylegs-import-"))
    try:
        copy = tmp / src.basename
        with src.open() as fh, copy.open("wb") as out:
            shutil.copyfileobj(fh, out)
        res = fmt.read(copy, ctx.tz)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def _digest(src: Source) -> str:
    """The SHA-256 of a source's bytes as stored (not decompressed)."""
    h = hashlib.sha256()
    with contextlib.closing(src.opener()) as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _identical_files(sources: list[Source]) -> dict[int, int]:
    """``{position: position of the first source with the same bytes}`` for every repeat.

    Names do not matter. Only sources of equal size are hashed, so an import of
    distinct files reads nothing twice. An unreadable source is left for its
    reader to report.
    """
    by_size: dict[int, list[int]] = {}
    for k, src in enumerate(sources):
        if src.size is not None:
            by_size.setdefault(src.size, []).append(k)
    repeats: dict[int, int] = {}
    for group in by_size.values():
        if len(group) < 2:
            continue
        first: dict[str, int] = {}
        for k in group:
            try:
                digest = _digest(sources[k])
            except (OSError, UserError):
                continue
            if digest in first:
                repeats[k] = first[digest]
            else:
                first[digest] = k
    return repeats


def load_sources(
    paths: Iterable[str | Path],
    tz: str = "UTC",
    profile: AthleteProfile | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read every file, folder or zip, merge the records and fill each session's load.

    ``tz`` is the athlete's IANA time zone (dates are local calendar dates in
    it); ``progress(done, total, label)`` is called as sources are read (the
    Strava reader also reports per activity). Problems from all files are
    collected and raised together as one :class:`UserError` (one line each),
    so nothing partial is returned. A path given twice is read once
    (:data:`DUPLICATE_PATH`), and so is a file whose bytes are those of
    another file of the same import, e.g. ``a/export.gpx`` and
    ``b/export.gpx`` (:data:`DUPLICATE_FILE`); the same session found in two
    files is merged (:data:`DUPLICATE_MERGED`). Session durations are minutes, distances
    km, heart rates bpm; night ``sleep_h`` is hours.
    """
    ctx = ReadContext(tz=tz, progress=progress)
    merged = ImportResult()
    results: list[ImportResult] = []
    problems: list[Problem] = []
    with contextlib.ExitStack() as stack:
        walker = _Walker(stack, merged)
        paths_seen = []
        resolved: set[Path] = set()
        for p in paths:
            real = Path(p).resolve()
            if real in resolved:  # the same file or folder given twice is read once
                merged.skip(DUPLICATE_PATH)
                continue
            resolved.add(real)
            paths_seen.append(str(Path(p)))
        failed: set[str] = set()
        for p in paths_seen:
            try:
                walker.add_path(Path(p))
            except UserError as exc:
                problems.extend(exc.problems)
                failed.add(p)
        total = len(walker.items)
        found_in: set[str] = set()
        repeats = _identical_files([src for src, _ in walker.items])
        detected: set[int] = set()
        for done, ((src, explicit), group) in enumerate(zip(walker.items, walker.groups, strict=True)):
            if progress is not None:
                progress(done, total, src.name)
            if repeats.get(done) in detected:  # the bytes of an earlier export (a copy elsewhere): read once
                merged.skip(DUPLICATE_FILE)
                found_in.add(group)
                continue
            try:
                fmt = _detect_source(src)
                if fmt is None:
                    if explicit:
                        raise _unrecognised(src)
                    merged.skip("file in a folder or zip that is not a training or sleep export")
                    continue
                found_in.add(group)
                detected.add(done)
                res = _read_one(fmt, src, ctx)
                found = _check(res, src.name)
                if found:
                    problems.extend(found)
                    continue
                results.append(res)
            except UserError as exc:
                problems.extend(exc.problems)
            except MemoryError:
                problems.append(Problem("too large to read into memory", src.name))
        if progress is not None:
            progress(total, total, "done")
        for p in paths_seen:
            if p not in found_in and p not in failed and Path(p).exists() and (Path(p).is_dir() or _is_zip(Path(p))):
                problems.append(Problem("no training or sleep export found in this folder or zip",
                                        p))
    if problems:
        raise UserError(problems)
    return _combine(results, merged, profile)


def combine_results(results: Iterable[ImportResult], profile: AthleteProfile | None = None) -> ImportResult:
    """One result from several that were read separately, duplicates merged as :func:`load_sources` does.

    The same session (or night) found in two results is kept once, so two
    exports of the same training never add up; skips and warnings are summed.
    """
    return _combine(list(results), ImportResult(), profile)


def _combine(results: list[ImportResult], merged: ImportResult, profile: AthleteProfile | None) -> ImportResult:
    """Merge ``results`` into ``merged``: durations checked, duplicates merged, loads filled."""
    frames_s = [r.sessions for r in results if len(r.sessions)]
    frames_n = [r.nights for r in results if len(r.nights)]
    if frames_s:
        sessions = pd.concat([f.drop(columns=["_row"], errors="ignore") for f in frames_s],
                             ignore_index=True)
        no_dur = pd.to_numeric(sessions["duration_min"], errors="coerce").isna()
        merged.skip("session without a duration", int(no_dur.sum()))
        sessions = sessions[~no_dur]
        sessions = sessions.assign(duration_min=pd.to_numeric(sessions["duration_min"], errors="coerce"))
        sessions, n = _merge_sessions(sessions)
        merged.skip(DUPLICATE_MERGED, n)
        sessions = normalise_sessions(sessions)
        given = sessions["load"].notna() & sessions["load_source"].isin(LOAD_SOURCES)
        kept = sessions.loc[given, ["load", "load_source"]]
        sessions = with_loads(sessions, profile)
        sessions.loc[given, ["load", "load_source"]] = kept  # e.g. a canonical CSV's own loads
        merged.sessions = sessions
    if frames_n:
        nights = pd.concat([f.drop(columns=["_row"], errors="ignore") for f in frames_n],
                           ignore_index=True)
        no_sleep = pd.to_numeric(nights["sleep_h"], errors="coerce").isna()
        merged.skip("night without a sleep duration", int(no_sleep.sum()))
        nights, n = _merge_nights(normalise_nights(nights[~no_sleep]))
        merged.skip("duplicate night merged (the same night in two sources)", n)
        merged.nights = normalise_nights(nights)
    for r in results:
        for reason, n in r.skipped.items():
            merged.skip(reason, n)
        merged.warnings.extend(r.warnings)
    return merged


def write_canonical_csv(result: ImportResult) -> str:
    """The canonical CSV text (sessions, then nights) that ``heavylegs import --out`` writes."""
    return to_canonical_csv(result)


_register_builtins()

# keep the canonical column lists importable from here for callers
CANONICAL_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys((*SESSION_COLUMNS, *NIGHT_COLUMNS)))
