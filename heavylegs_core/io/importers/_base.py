"""Shared building blocks of the importers: results, formats, sources, checks.

A :class:`Source` is one readable input (a plain file, a member of a zip, a
gzip-compressed file) with a display name used in every message. Readers take
a source and a :class:`ReadContext` (time zone, progress callback) and return
an :class:`ImportResult` whose tables may carry a private ``_row`` column (the
spreadsheet row number, header = row 1) so that impossible values can be
reported by file, row and field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.domain.records import empty_nights, empty_sessions

HEAD_BYTES = 4096
#: Largest decompressed size accepted for one gzip file or zip member (bytes).
MAX_UNPACKED_BYTES = 8 * 1024**3
#: A zip member above this size (bytes) must not be compressed more than MAX_RATIO times.
RATIO_CHECK_BYTES = 10 * 1024**2
MAX_RATIO = 400
#: Largest content read whole into memory (activity files, CSV, JSON), bytes.
MAX_IN_MEMORY_BYTES = 1024**3

Progress = Callable[[int, int, str], None]


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

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` rows left out for ``reason``."""
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + int(n)


@dataclass
class ReadContext:
    """Settings every reader gets: the athlete's IANA time zone and a progress callback."""

    tz: str = "UTC"
    progress: Progress | None = None


@dataclass(frozen=True)
class Source:
    """One input to read: ``name`` is shown to the user, ``opener`` gives fresh binary streams.

    ``path`` is the real file when the source is a plain file on disk;
    ``sibling(relative_name)`` finds another member of the same export (used
    by the Strava reader to follow its ``Filename`` column), or ``None``.
    """

    name: str
    opener: Callable[[], IO[bytes]]
    path: Path | None = None
    sibling: Callable[[str], Source | None] | None = None
    size: int | None = None

    @property
    def basename(self) -> str:
        """The file name without folders and without a trailing ``.gz``."""
        base = PurePosixPath(self.name.replace("\\", "/")).name
        return base[:-3] if base.lower().endswith(".gz") else base

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """A binary stream of the (decompressed) content."""
        raw = self.opener()
        try:
            if raw.read(2) == b"\x1f\x8b":
                raw.seek(0)
                limit = MAX_UNPACKED_BYTES
                if self.size:
                    limit = min(limit, max(RATIO_CHECK_BYTES, MAX_RATIO * self.size))
                with gzip.GzipFile(fileobj=raw) as gz:
                    yield _Capped(gz, self.name, limit)
            else:
                raw.seek(0)
                yield raw
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            if isinstance(exc, UserError):  # pragma: no cover - UserError is not OSError
                raise
            raise UserError(f"cannot decompress this file: {exc}", where=self.name) from None
        finally:
            raw.close()

    def head(self, n: int = HEAD_BYTES) -> bytes:
        """The first ``n`` bytes of the decompressed content."""
        with self.open() as fh:
            return fh.read(n)

    def read_bytes(self) -> bytes:
        """The whole decompressed content; refused above MAX_IN_MEMORY_BYTES."""
        parts: list[bytes] = []
        total = 0
        with self.open() as fh:
            while chunk := fh.read(1 << 20):
                total += len(chunk)
                if total > MAX_IN_MEMORY_BYTES:
                    raise UserError(f"too large for this format: over {MAX_IN_MEMORY_BYTES // 1024**2} MB",
                                    where=self.name)
                parts.append(chunk)
        return b"".join(parts)


class _Capped(io.RawIOBase):
    """A gzip reader that refuses to decompress more than ``limit`` bytes (gzip bombs)."""

    def __init__(self, inner: IO[bytes], name: str, limit: int):
        self.inner, self.name, self.count, self.limit = inner, name, 0, limit

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.inner.read(n if n is not None and n >= 0 else 1 << 20)
        self.count += len(data)
        if self.count > self.limit:
            raise UserError(
                f"refused: decompresses to more than {self.limit / 1024**2:.0f} MB, over {MAX_RATIO} times "
                "its compressed size, which looks like a compression bomb", where=self.name)
        return data

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def file_source(path: Path, display: str | None = None,
                sibling: Callable[[str], Source | None] | None = None) -> Source:
    """A :class:`Source` for a plain file on disk."""
    return Source(display or str(path), lambda: path.open("rb"), path=path, sibling=sibling,
                  size=path.stat().st_size)


Reader = Callable[[Source, ReadContext], ImportResult]


@dataclass(frozen=True)
class Format:
    """One input format: ``detect(head, path)`` and ``read(path, tz)``.

    ``read_source(source, context)`` is the streaming entry point used for
    zip members, gzip files and folders; formats without it are read from a
    temporary copy through ``read``.
    """

    name: str
    detect: Callable[[bytes, Path], bool]
    read: Callable[[Path, str], ImportResult]
    read_source: Reader | None = None
    kind: str = "any"


def format_from_reader(name: str, detect: Callable[[bytes, Path], bool], reader: Reader,
                       kind: str) -> Format:
    """A :class:`Format` whose ``read(path, tz)`` calls the streaming ``reader``."""

    def read(path: Path, tz: str) -> ImportResult:
        return reader(file_source(Path(path)), ReadContext(tz=tz))

    return Format(name, detect, read, reader, kind)


# ---------------------------------------------------------------- text helpers

_TAG = re.compile(r"<[^>]*>")


def clean_header(cell: object) -> str:
    """A header cell without HTML tags, quotes, BOM and surrounding spaces."""
    text = _TAG.sub("", str(cell)).replace("\ufeff", "").strip().strip('"').strip()
    return re.sub(r"\s+", " ", text)


def key(text: str) -> str:
    """A lower-case comparison key: letters and digits only (``Avg. HR`` -> ``avghr``)."""
    return re.sub(r"[^0-9a-zà-ÿąćęłńóśźżø]+", "", text.lower())


MISSING = {"", "--", "nan", "none", "null", "n/a", "na", "-"}
_THOUSANDS_ONLY = re.compile(r"^[-+]?\d{1,3}(,\d{3})+$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,(\d{1,2}|\d{4,})$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


def guess_decimal_comma(values: pd.Series) -> bool:
    """True when the column's numbers use a decimal comma (``5,81``), not a thousands comma."""
    text = values.dropna().astype(str).str.strip().str.lstrip("'")
    return bool(text.str.match(_DECIMAL_COMMA).any())


def to_number(values: pd.Series, decimal_comma: bool = False) -> pd.Series:
    """Parse localised numbers: ``"1,393"``, ``"5,81"``, ``"1.234,5"``, ``--`` (missing), ``'-16``.

    Returns floats with NaN for missing cells, and ``None``-marked failures as
    the string ``"<bad>"`` replaced by NaN plus a boolean mask in ``.attrs['bad']``.
    """
    text = values.astype("string").str.strip().str.lstrip("'").str.strip()
    missing = text.isna() | text.str.lower().isin(MISSING)
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(" ", "", regex=False)
        text = text.str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False).str.replace(" ", "", regex=False)
    num = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
    out = pd.Series(num.to_numpy(), index=values.index, dtype="float64")
    out.attrs["bad"] = (out.isna() & ~missing).to_numpy()
    return out


def to_seconds(values: pd.Series, numeric_unit_s: float = 1.0,
               decimal_comma: bool = False) -> pd.Series:
    """Durations as seconds: ``hh:mm:ss[.f]`` / ``mm:ss`` clocks, or numbers times ``numeric_unit_s``."""
    text = values.astype("string").str.strip()
    clock = text.str.extract(_CLOCK)
    has_clock = clock[1].notna()
    secs = pd.Series(np.nan, index=values.index, dtype="float64")
    if has_clock.any():
        h = pd.to_numeric(clock[0], errors="coerce").fillna(0)
        m = pd.to_numeric(clock[1], errors="coerce")
        s = pd.to_numeric(clock[2].str.replace(",", ".", regex=False), errors="coerce")
        secs[has_clock] = (h * 3600 + m * 60 + s)[has_clock]
    num = to_number(values.where(~has_clock), decimal_comma)
    bad = num.attrs["bad"] & ~has_clock.to_numpy()
    # a malformed clock such as "01:00:19.49.7" is neither a clock nor a number
    secs = secs.where(has_clock, num * numeric_unit_s)
    secs.attrs["bad"] = bad
    return secs


DATE_FORMATS: tuple[str, ...] = (
    "ISO8601",
    "%b %d, %Y, %I:%M:%S %p",
    "%d %b %Y, %H:%M:%S",
    "%b %d, %Y %I:%M:%S %p",
    "%d %b %Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y, %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)


def parse_times(values: pd.Series, *, source: str, column: str, rows: np.ndarray,
                assume_tz: str, to_tz: str, notes: list[str] | None = None) -> pd.Series:
    """Parse a column of timestamps into aware times in ``to_tz``.

    Tries :data:`DATE_FORMATS` on the whole column and keeps the first that
    reads every non-empty cell (so day-first and month-first never mix within a
    file). Naive times are taken to be in ``assume_tz``. Raises a
    :class:`UserError` naming the first unreadable cell's row.
    """
    text = values.astype("string").str.strip()
    present = text.notna() & ~text.str.lower().isin(MISSING)
    best: pd.Series | None = None
    best_ok = -1
    for fmt in DATE_FORMATS:
        parsed = _try_format(text.where(present), fmt)
        ok = int(parsed.notna().sum())
        if ok > best_ok:
            best, best_ok = parsed, ok
        if ok == int(present.sum()):
            break
    assert best is not None
    chosen = fmt
    if notes is not None and "%d/%m" in chosen and best_ok:
        swapped = _try_format(text.where(present), chosen.replace("%d/%m", "%m/%d"))
        if int(swapped.notna().sum()) == best_ok:
            notes.append(f"{source}: the dates in column {column!r} could be day/month or month/day: "
                         "read as day/month (write them as YYYY-MM-DD to be sure)")
    failed = present & best.isna()
    if failed.any():
        i = int(np.flatnonzero(failed.to_numpy())[0])
        raise UserError(Problem(
            f"cannot read the date {text.iloc[i]!r} in column {column!r}: "
            "use a form such as 2024-05-22 08:19:26", source, int(rows[i])))
    return localise(best, assume_tz, to_tz)


def _try_format(text: pd.Series, fmt: str) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="object")
    try:
        if fmt == "ISO8601":
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=False)
        else:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        # mixed offsets: parse element-wise
        parsed = pd.Series([_one_time(t) for t in text], index=text.index, dtype="object")
    for i, t in zip(text.index, parsed, strict=True):
        out[i] = t
    return out


def _one_time(value: object) -> pd.Timestamp | None:
    if value is None or value is pd.NA:
        return None
    try:
        return pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return None


def localise(times: pd.Series, assume_tz: str, to_tz: str) -> pd.Series:
    """Aware timestamps in ``to_tz`` from a column of naive or aware timestamps."""
    out = []
    for t in times:
        if t is None or pd.isna(t):
            out.append(pd.NaT)
            continue
        ts = pd.Timestamp(t)
        ts = ts.tz_localize(assume_tz, ambiguous=True, nonexistent="shift_forward") \
            if ts.tzinfo is None else ts
        out.append(ts.tz_convert(to_tz))
    return pd.Series(out, index=times.index, dtype="object")


_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})$")


def utc_offset(text: object, src: Source, row: int) -> dt.timezone | None:
    """A fixed offset written as ``UTC-04:00``, ``+0200``, ``UTC`` ...; None for an empty cell."""
    if text is None or not str(text).strip():
        return None
    s = str(text).strip()
    if s.upper() in ("UTC", "GMT", "Z"):
        return dt.UTC
    m = _OFFSET.match(s)
    if not m:
        raise UserError(Problem(f"cannot read the time zone {s!r} in column 'Cycle timezone'",
                                src.name, row))
    sign = 1 if m.group(1) == "+" else -1
    return dt.timezone(sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))


def local_times(cells: pd.Series, zones: pd.Series, src: Source, rows: np.ndarray, label: str,
                tz: str) -> list[pd.Timestamp | None]:
    """Aware times in ``tz`` from wall-clock cells, each with its own offset cell (Whoop's ``Cycle timezone``).

    A cell without an offset (and an empty offset cell) is read in ``tz``;
    an empty cell gives None.
    """
    out: list[pd.Timestamp | None] = []
    for cell, zone, row in zip(cells, zones, rows, strict=True):
        text = str(cell).strip()
        if not text:
            out.append(None)
            continue
        try:
            t = pd.Timestamp(text)
        except ValueError:
            raise UserError(Problem(f"cannot read the date {text!r} in column {label!r}",
                                    src.name, int(row))) from None
        if t.tzinfo is None:
            off = utc_offset(zone, src, int(row))
            # a wall-clock time in a daylight-saving gap or overlap: as localise reads it
            t = t.tz_localize(off) if off is not None else t.tz_localize(tz, ambiguous=True,
                                                                         nonexistent="shift_forward")
        out.append(t.tz_convert(tz))
    return out


def session_frame(starts: pd.Series, **columns: object) -> pd.DataFrame:
    """A sessions table from aware start times (any zone already converted) and other columns."""
    df = pd.DataFrame({"start": [t.isoformat() if not pd.isna(t) else None for t in starts]},
                      index=starts.index)
    df["date"] = [pd.Timestamp(t.date()) if not pd.isna(t) else pd.NaT for t in starts]
    for name, col in columns.items():
        df[name] = col
    return df


# ---------------------------------------------------------------- JSON helpers

def load_json(src: Source) -> object:
    """The JSON document of a source (UTF-8, a byte-order mark allowed); UserError when it is not JSON."""
    try:
        return json.loads(src.read_bytes().decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"not valid JSON: {exc}", where=src.name) from None


def json_number(value: object, where: str, row: int, field: str) -> float:
    """A JSON value as a float (NaN when null or empty); UserError naming the item and field otherwise."""
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(str(value))
        except ValueError:
            raise UserError(Problem(f"field {field} holds {value!r}, not a number", where, row)) from None
    return float(value)
