"""CSV basics shared by format detection and the CSV readers.

Detection (:mod:`.detectors`) and reading (:mod:`.tables`, :mod:`.sleep`)
both need the delimiter, the header cells and the generic CSV's header
synonyms; they live here, below both, so that neither imports the other.
Imports only :mod:`._base`.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.io.importers._base import Source, clean_header, key, to_number


def head_text(head: bytes) -> str:
    """The first bytes of a file as text (UTF-8, a byte-order mark dropped, bad bytes replaced)."""
    return head.decode("utf-8-sig", errors="replace").lstrip("\ufeff")


def looks_like_csv(head: bytes) -> bool:
    """Delimited text: printable, a first line holding a comma, semicolon or tab."""
    if b"\x00" in head[:1024]:
        return False
    text = head_text(head)
    if not text.strip() or text.lstrip().startswith(("<", "{", "[")):
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:  # a header and at least one row
        return False
    return any(d in lines[0] for d in (",", ";", "\t"))


def sniff_delimiter(head: bytes) -> str:
    """The delimiter of the CSV's header line: ``;`` or tab when they outnumber commas."""
    lines = head_text(head).splitlines()
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def header_cells(head: bytes) -> list[str]:
    """The cleaned header cells (HTML tags stripped) of a CSV, using its own delimiter."""
    text = head_text(head)
    delim = sniff_delimiter(head)
    try:
        row = next(csv.reader([text.split("\n", 1)[0].rstrip("\r")], delimiter=delim))
    except (StopIteration, csv.Error):
        return []
    # a header cell may hold HTML with the delimiter inside quotes; csv handles the quotes
    return [clean_header(c) for c in row]


def header_keys(head: bytes) -> set[str]:
    """The header cells as comparison keys."""
    return {key(c) for c in header_cells(head)} if looks_like_csv(head) else set()


# ----------------------------------------------------------------- whole tables

def read_cells(src: Source) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """Header cells (cleaned) and all data cells as strings; row numbers (header = row 1)."""
    data = src.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    delim = sniff_delimiter(data[:4096])
    try:
        raw = pd.read_csv(io.StringIO(text), sep=delim, header=None, dtype=str, keep_default_na=False,
                          skip_blank_lines=True, engine="python" if delim == "\t" else "c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"cannot read this CSV file: {str(exc).strip()}", where=src.name) from None
    if raw.empty:
        raise UserError("the CSV file is empty", where=src.name)
    headers = [clean_header(c) for c in raw.iloc[0].tolist()]
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    rows = np.arange(len(body)) + 2
    return headers, body, rows


def no_usable_columns(head: bytes, where: str) -> UserError:
    """The error for a CSV none of whose columns heavylegs can use."""
    cells = [c for c in header_cells(head) if c][:8]
    found = ", ".join(repr(c) for c in cells) or "none"
    return UserError(
        f"this CSV has no usable columns (found {found}): a training CSV needs a date column "
        "(date or start) and a duration column (duration_min, time) or a distance column "
        "(distance_km)", where=where)


def keyed_cells(src: Source) -> tuple[pd.DataFrame, np.ndarray]:
    """All cells as strings with the header keys as column names (first of a repeated name kept)."""
    headers, body, rows = read_cells(src)
    body.columns = [key(h) for h in headers]
    body = body.loc[:, ~body.columns.duplicated()]
    return body, rows


def cell_column(body: pd.DataFrame, name: str) -> pd.Series:
    """The column called ``name`` (a header key), or empty cells when there is none."""
    if name in body.columns:
        return body[name]
    return pd.Series([""] * len(body), index=body.index, dtype="object")


def cell_numbers(body: pd.DataFrame, name: str, src: Source, rows: np.ndarray, label: str) -> pd.Series:
    """The numbers of column ``name``; a cell that is not one raises, naming ``label`` and the row."""
    cells = cell_column(body, name)
    vals = to_number(cells)
    bad = vals.attrs["bad"]
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise UserError(Problem(f"cannot read the number {cells.iloc[i]!r} in column {label!r}",
                                src.name, int(rows[i])))
    return vals


# ----------------------------------------------------------------- the generic CSV's headers

#: Generic CSV: canonical field -> header keys that mean it (first match wins).
GENERIC: dict[str, tuple[str, ...]] = {
    "date": ("start", "starttime", "startdate", "datetime", "timestamp", "date", "activitydate",
             "day", "when", "dato", "data", "datum", "fecha"),
    "sport": ("sport", "activitytype", "type", "activity", "sporttype", "discipline"),
    "duration": ("durationmin", "durationminutes", "minutes", "mins", "duration", "durations",
                 "durationsec", "durationseconds", "seconds", "durationh", "durationhours", "hours",
                 "movingtime", "time", "elapsedtime", "totaltime", "tid", "czas"),
    "distance": ("distancekm", "km", "distance", "distancemi", "distancemiles", "miles", "mi",
                 "distancem", "distancemeters", "distancemetres", "meters", "metres", "dist",
                 "dystans", "distanz", "afstand"),
    "rpe": ("rpe", "perceivedexertion", "sessionrpe", "borg", "cr10", "effort", "exertion"),
    "avg_hr": ("avghr", "averagehr", "averageheartrate", "avgheartrate", "meanhr", "heartrate", "hr",
               "avghrbpm", "averageheartratebpm"),
    "max_hr": ("maxhr", "maximumhr", "maxheartrate", "maximumheartrate", "maxhrbpm"),
    "name": ("name", "title", "activityname", "description", "notes", "workout"),
}


def positions(headers: list[str]) -> dict[str, list[int]]:
    """Header key -> the positions of the columns with that key, in order."""
    pos: dict[str, list[int]] = {}
    for i, h in enumerate(headers):
        pos.setdefault(key(h), []).append(i)
    return pos


def generic_mapping(headers: list[str]) -> dict[str, int]:
    """Canonical field -> column position for a generic CSV header."""
    pos = positions(headers)
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for field, names in GENERIC.items():
        for n in names:
            if n in pos and pos[n][0] not in used:
                mapping[field] = pos[n][0]
                used.add(pos[n][0])
                break
    return mapping
