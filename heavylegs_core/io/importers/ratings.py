"""Heavy-legs ratings (CSV) and saved assessments (the assessment app's JSON download).

Neither is training or sleep, so they are not in the format registry
(:data:`heavylegs_core.io.importers.FORMATS`, whose readers return sessions and
nights); the dashboard picks these files out of an upload before handing the
rest to :func:`heavylegs_core.io.importers.load_sources`. Each reader returns
``None`` for a file that is not of its kind, and raises
:class:`heavylegs_core.base.errors.UserError` (naming the file and row) for one
that is but cannot be read.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import Problem, UserError

#: The largest saved-assessment file read (bytes).
MAX_ASSESSMENT_BYTES = 2 * 1024 * 1024
#: Header names (case-insensitive) of a heavy-legs rating column, 0-10 (higher = heavier).
RATING_COLUMNS: tuple[str, ...] = ("heavy_legs", "heavy legs", "heavylegs", "heavy_legs_rating", "heavy-legs")
#: Header names (case-insensitive) of the ratings file's date column.
DATE_COLUMNS: tuple[str, ...] = ("date", "day")


def read_ratings_csv(path: Path, *, display_name: str | None = None) -> pd.DataFrame | None:
    """Heavy-legs ratings from a CSV with a date column and a heavy-legs column, else None.

    Headers (case-insensitive): a date column named one of :data:`DATE_COLUMNS`
    and a rating column named one of :data:`RATING_COLUMNS`. Ratings are
    0-10 (higher = heavier); an empty cell is skipped; anything else (a
    rating outside 0-10, a date that cannot be read) raises
    :class:`UserError` naming the row. Returns ``date``, ``heavy_legs``,
    ``source``.
    """
    name = display_name or path.name
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None
    cols = {str(c).strip().lower(): c for c in head.columns}
    rating = next((cols[c] for c in RATING_COLUMNS if c in cols), None)
    date = next((cols[c] for c in DATE_COLUMNS if c in cols), None)
    if rating is None or date is None:
        return None
    df = pd.read_csv(path, usecols=[date, rating], dtype=str, encoding="utf-8-sig", keep_default_na=False)
    problems: list[Problem] = []
    dates = pd.to_datetime(df[date].str.strip(), errors="coerce", format="mixed")
    values = pd.to_numeric(df[rating].str.strip().replace("", np.nan), errors="coerce")
    for i in range(len(df)):
        raw = df[rating].iat[i].strip()
        if not raw:
            continue
        if pd.isna(dates.iat[i]):
            problems.append(Problem(f"cannot read the date {df[date].iat[i]!r}", name, i + 1))
        v = values.iat[i]
        if not (isinstance(v, float) and math.isfinite(v) and 0 <= v <= 10):
            problems.append(Problem(f"heavy-legs rating {raw!r} is not a number from 0 to 10", name, i + 1))
    if problems:
        raise UserError(problems[:20])
    keep = values.notna()
    days = dates[keep]
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    return pd.DataFrame({"date": days.dt.normalize().astype("datetime64[ns]"),
                         "heavy_legs": values[keep].astype("float64"), "source": name}).reset_index(drop=True)


def read_assessment_json(path: Path, *, display_name: str | None = None) -> pd.DataFrame | None:
    """A saved heavylegs assessment (the assessment app's JSON download), else None.

    Returns one row: ``date`` (the result's ``as_of`` day, else the day it was
    saved) and ``note`` (the top contributor's name, interfaces.md section 4).
    A file that says it is an assessment but lacks a readable date raises
    :class:`UserError`.
    """
    name = display_name or path.name
    try:
        doc = json.loads(path.read_bytes()[:MAX_ASSESSMENT_BYTES + 1].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("heavylegs") != "assessment":
        return None
    result = doc.get("result") if isinstance(doc.get("result"), dict) else {}
    when = result.get("as_of") or str(doc.get("saved_at", ""))[:10]
    try:
        day = pd.Timestamp(dt.date.fromisoformat(str(when)))
    except ValueError:
        raise UserError(Problem(f"a saved assessment without a readable date ({when!r})", name)) from None
    top = next((c.get("name") for c in result.get("contributors", []) if isinstance(c, dict) and c.get("name")),
               None)
    note = f"{top} (top contributor)" if top else "no contributor stood out"
    return pd.DataFrame({"date": [day.as_unit("ns")], "note": [str(note)[:120]]})


__all__ = [
    "DATE_COLUMNS",
    "MAX_ASSESSMENT_BYTES",
    "RATING_COLUMNS",
    "read_assessment_json",
    "read_ratings_csv",
]
