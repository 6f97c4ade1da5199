"""The canonical CSV: one file holding sessions and nights (``heavylegs import --out``).

Columns: the union of the session and night columns of interfaces.md
section 2, in this order: ``kind, start, date, sport, duration_min,
distance_km, rpe, avg_hr, max_hr, load, load_source, name, source, sleep_h,
quality``. ``kind`` is ``session`` or ``night``; cells that do not apply to a
row's kind are empty. Dates are ``YYYY-MM-DD``, starts ISO 8601 with offset,
numbers are written with full precision so that reading the file back gives
the same values (the round trip is tested). Units: minutes, km, bpm, hours.
"""

from __future__ import annotations

import io

import pandas as pd

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.domain.records import (
    NIGHT_COLUMNS,
    NIGHT_SCHEMA,
    SESSION_COLUMNS,
    SESSION_SCHEMA,
    normalise_nights,
    normalise_sessions,
)
from heavylegs_core.io.importers._base import ImportResult, ReadContext, Source

CANONICAL_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys((*SESSION_COLUMNS, *NIGHT_COLUMNS)))
#: Columns read as text (everything but numbers and dates), from the canonical schema.
_TEXT = tuple(dict.fromkeys((*SESSION_SCHEMA.of_type("text", "choice", "timestamp"),
                             *NIGHT_SCHEMA.of_type("text", "choice", "timestamp"))))
_SESSION_TEXT = tuple(c for c in SESSION_SCHEMA.field_names if c in _TEXT)
_NIGHT_TEXT = tuple(c for c in NIGHT_SCHEMA.field_names if c in _TEXT)


def to_canonical_csv(result: ImportResult) -> str:
    """The canonical CSV text of ``result`` (sessions first, then nights)."""
    s = result.sessions.copy()
    n = result.nights.copy()
    frames = []
    for df in (s, n):
        if len(df):
            df = df.copy()
            df["date"] = pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%d")
            frames.append(df)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for col in CANONICAL_COLUMNS:
        if col not in table.columns:
            table[col] = None
    table = table.loc[:, list(CANONICAL_COLUMNS)]
    buf = io.StringIO()
    table.to_csv(buf, index=False, float_format=None, lineterminator="\n")
    return buf.getvalue()


def read_canonical(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions and nights from a canonical CSV (loads already present are kept)."""
    try:
        with src.open() as fh:
            raw = pd.read_csv(fh, dtype=dict.fromkeys(_TEXT, "string"), keep_default_na=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"cannot read this CSV file: {str(exc).strip()}", where=src.name) from None
    raw["_row"] = range(2, len(raw) + 2)
    kinds = raw["kind"].astype("string")
    unknown = raw[~kinds.isin(["session", "night"])]
    if len(unknown):
        raise UserError(Problem(f"unknown kind {unknown['kind'].iloc[0]!r} in column kind: "
                                "use session or night", src.name, int(unknown["_row"].iloc[0])))
    sessions = raw[kinds == "session"].copy()
    nights = raw[kinds == "night"].copy()
    if len(sessions):
        # a canonical CSV may lack ``start``: such a session has only its date
        missing = [c for c in SESSION_SCHEMA.required if c != "start" and c not in raw.columns]
        if missing:
            raise UserError(f"canonical CSV lacks column(s) {', '.join(missing)}", where=src.name)
        sports = SESSION_SCHEMA["sport"].choices
        bad = sessions[~sessions["sport"].isin(sports)]
        if len(bad):
            raise UserError(Problem(f"unknown sport {bad['sport'].iloc[0]!r} in column sport: use one "
                                    f"of {', '.join(sports)}", src.name, int(bad["_row"].iloc[0])))
        if "load_source" in sessions.columns:
            ls = sessions["load_source"]
            bad = sessions[ls.notna() & ~ls.isin(SESSION_SCHEMA["load_source"].choices)]
            if len(bad):
                raise UserError(Problem(f"unknown load_source {bad['load_source'].iloc[0]!r}",
                                        src.name, int(bad["_row"].iloc[0])))
    if len(nights) and "sleep_h" not in raw.columns:
        raise UserError("canonical CSV has nights but no sleep_h column", where=src.name)
    for df in (sessions, nights):
        if len(df):
            dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
            if dates.isna().any():
                i = int(dates.isna().to_numpy().nonzero()[0][0])
                raise UserError(Problem(f"cannot read the date {df['date'].iloc[i]!r} in column date: "
                                        "use YYYY-MM-DD", src.name, int(df["_row"].iloc[i])))
    s = sessions[[c for c in (*SESSION_COLUMNS, "_row") if c in sessions.columns]].copy()
    for col in _SESSION_TEXT:
        if col in s.columns:
            s[col] = s[col].astype("object").where(s[col].notna(), None)
    n = nights[[c for c in (*NIGHT_COLUMNS, "_row") if c in nights.columns]].copy()
    for col in _NIGHT_TEXT:
        if col in n.columns:
            n[col] = n[col].astype("object").where(n[col].notna(), None)
    return ImportResult(sessions=s if len(s) else normalise_sessions(s),
                        nights=n if len(n) else normalise_nights(n))
