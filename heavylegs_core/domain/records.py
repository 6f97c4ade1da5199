"""Canonical training sessions and sleep nights (interfaces.md section 2).

Every importer produces these two tables and every metric consumes them, so a
Strava export, a FIT file and the PMData logs all look the same downstream.

Sessions, one row each (units in the names): ``kind`` ("session"), ``start``
(ISO 8601 with offset), ``date`` (local calendar date of the start),
``sport``, ``duration_min``, ``distance_km``, ``rpe`` (CR-10, 0-10),
``avg_hr`` and ``max_hr`` (beats per minute), ``load`` (arbitrary units),
``load_source`` ("srpe", "trimp" or "duration"), ``name``, ``source``.

Nights, one row each: ``kind`` ("night"), ``date`` (the date the sleeper woke
up), ``sleep_h`` (hours), ``quality`` (1-5, higher is better), ``source``.

The ONE declaration of both records is :data:`SESSION_SCHEMA` and
:data:`NIGHT_SCHEMA` below: for every field its name, type, unit, whether it
is required and its valid range. Everything else is derived from them: the
column tuples and dtypes here, the importers' range checks
(``heavylegs_core.io.importers.SESSION_LIMITS``), the portable file's
validation (``heavylegs_core.io.portable.PSession`` / ``PNight``) and the
store's column lists (``heavylegs_core.io.store.SESSION_FIELDS``); a test
checks that the store's SQL migration declares the same columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from heavylegs_core.domain.profile import AthleteProfile

if TYPE_CHECKING:  # the schema needs neither; the table functions import them (the store opens without pandas)
    import pandas as pd

SPORTS: tuple[str, ...] = ("run", "ride", "swim", "walk", "strength", "other")
LOAD_SOURCES: tuple[str, ...] = ("srpe", "trimp", "duration")

#: The kinds of value a field holds: free text, one of ``choices``, an ISO 8601
#: time with UTC offset, a calendar date (YYYY-MM-DD in files), a finite number.
ColumnType = Literal["text", "choice", "timestamp", "date", "number"]


@dataclass(frozen=True, slots=True)
class Column:
    """One field of a canonical record.

    ``unit`` is the unit of a number (None for other types); ``required`` says
    the record is invalid without it; ``lo``/``hi`` bound a number (inclusive,
    None = unbounded) and ``why`` says the range in words, for messages;
    ``choices`` are the values a ``choice`` field accepts.
    """

    name: str
    type: ColumnType
    doc: str
    unit: str | None = None
    required: bool = False
    lo: float | None = None
    hi: float | None = None
    why: str = ""
    choices: tuple[str, ...] = ()

    @property
    def dtype(self) -> str:
        """The pandas dtype of the column in a canonical table (``kind``, a constant, is a string column)."""
        return {"number": "float64", "date": "datetime64[ns]"}.get(self.type, "object")

    @property
    def sql_type(self) -> str:
        """The SQLite column type in the athlete store (``REAL`` for numbers, else ``TEXT``)."""
        return "REAL" if self.type == "number" else "TEXT"

    @property
    def bounded(self) -> bool:
        """True when the field has a valid range."""
        return self.lo is not None or self.hi is not None


@dataclass(frozen=True, slots=True)
class Schema:
    """The columns of one kind of canonical record (``kind`` is the first, constant column)."""

    kind: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every column name, ``kind`` first: the canonical table's columns in order."""
        return tuple(c.name for c in self.columns)

    @property
    def fields(self) -> tuple[Column, ...]:
        """The columns without ``kind``: what the store and the portable file hold per record."""
        return tuple(c for c in self.columns if c.name != "kind")

    @property
    def field_names(self) -> tuple[str, ...]:
        """The names of :attr:`fields`."""
        return tuple(c.name for c in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the required fields (without ``kind``)."""
        return tuple(c.name for c in self.fields if c.required)

    def of_type(self, *types: ColumnType) -> tuple[str, ...]:
        """The names of the columns of these types, in order."""
        return tuple(c.name for c in self.columns if c.type in types)

    def limits(self) -> dict[str, tuple[float, float, str]]:
        """``{name: (lo, hi, why)}`` of every bounded number (an open end is ±inf)."""
        return {c.name: (-math.inf if c.lo is None else c.lo, math.inf if c.hi is None else c.hi, c.why)
                for c in self.columns if c.bounded}

    def __getitem__(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


_HR = "heart rate lies between 20 and 250 bpm"

#: THE canonical session (interfaces.md section 2): one declaration, everything else derives from it.
SESSION_SCHEMA = Schema("session", (
    Column("kind", "choice", "always 'session'", required=True, choices=("session",)),
    Column("start", "timestamp", "start time, ISO 8601 with UTC offset", required=True),
    Column("date", "date", "local calendar date of the start", required=True),
    Column("sport", "choice", "the canonical sport", required=True, choices=SPORTS),
    Column("duration_min", "number", "duration", unit="min", required=True, lo=0, hi=30 * 60,
           why="a session lasts from 0 to 30 hours"),
    Column("distance_km", "number", "distance covered", unit="km", lo=0, hi=1000,
           why="a session covers from 0 to 1000 km"),
    Column("rpe", "number", "session rating of perceived exertion", unit="CR-10", lo=0, hi=10,
           why="RPE is on the CR-10 scale, 0 to 10"),
    Column("avg_hr", "number", "average heart rate", unit="bpm", lo=20, hi=250, why=_HR),
    Column("max_hr", "number", "maximum heart rate", unit="bpm", lo=20, hi=250, why=_HR),
    Column("load", "number", "session load (see load_source)", unit="AU", lo=0,
           why="a training load is never negative"),
    Column("load_source", "choice", "how load was computed", choices=LOAD_SOURCES),
    Column("name", "text", "the activity's name in its source"),
    Column("source", "text", "input file name(s), joined by ' + ' when merged"),
))

#: THE canonical night (interfaces.md section 2).
NIGHT_SCHEMA = Schema("night", (
    Column("kind", "choice", "always 'night'", required=True, choices=("night",)),
    Column("date", "date", "the calendar date the sleeper woke up", required=True),
    Column("sleep_h", "number", "time asleep", unit="h", required=True, lo=0, hi=24,
           why="a night's sleep lasts from 0 to 24 hours"),
    Column("quality", "number", "sleep quality, higher is better; empty when unknown", unit="1-5",
           lo=1, hi=5, why="quality is on a 1-5 scale"),
    Column("source", "text", "input file name(s)"),
))

SESSION_COLUMNS: tuple[str, ...] = SESSION_SCHEMA.names
NIGHT_COLUMNS: tuple[str, ...] = NIGHT_SCHEMA.names

_NUMERIC_SESSION = SESSION_SCHEMA.of_type("number")


_EMPTY: dict[str, pd.DataFrame] = {}


def _empty(schema: Schema) -> pd.DataFrame:
    """A fresh empty canonical table: built once (building one is slow), then copied.

    The copy is shallow; with pandas' copy-on-write a change to it never reaches the template.
    """
    import pandas as pd

    if schema.kind not in _EMPTY:
        _EMPTY[schema.kind] = _normalise(pd.DataFrame(columns=list(schema.names)), schema)
    return _EMPTY[schema.kind].copy(deep=False)


def empty_sessions() -> pd.DataFrame:
    """An empty sessions table with the canonical columns and dtypes."""
    return _empty(SESSION_SCHEMA)


def empty_nights() -> pd.DataFrame:
    """An empty nights table with the canonical columns and dtypes."""
    return _empty(NIGHT_SCHEMA)


def normalise_sessions(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical session columns and dtypes.

    Missing optional columns are added empty; ``date`` becomes a ``datetime64``
    calendar date (midnight, no time zone); numeric columns become float.
    Rows are sorted by ``start``.
    """
    return _normalise(df, SESSION_SCHEMA).sort_values(["date", "start"], kind="stable").reset_index(drop=True)


def normalise_nights(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical night columns and dtypes (hours, 1-5)."""
    return _normalise(df, NIGHT_SCHEMA).sort_values("date", kind="stable").reset_index(drop=True)


def _normalise(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """``df`` with exactly ``schema``'s columns, in order, with its dtypes (unsorted)."""
    import numpy as np
    import pandas as pd

    out = df.copy()
    for c in schema.columns:
        if c.name not in out.columns:
            out[c.name] = np.nan if c.type == "number" else None
    out = out.loc[:, list(schema.names)]
    out["kind"] = schema.kind
    for c in schema.fields:
        if c.type == "number":
            out[c.name] = pd.to_numeric(out[c.name], errors="coerce").astype(c.dtype)
        elif c.type == "date":
            out[c.name] = pd.to_datetime(out[c.name]).dt.normalize().astype(c.dtype)
        else:
            out[c.name] = out[c.name].astype(c.dtype)
    return out


def banister_trimp(duration_min: float, avg_hr: float, profile: AthleteProfile) -> float:
    """Banister exponential TRIMP of one session (arbitrary units).

    ``TRIMP = duration_min × ΔHR × a·e^(b·ΔHR)`` with
    ``ΔHR = (avg_hr − rest_hr) / (max_hr − rest_hr)`` (heart rates in bpm) and
    ``a, b = 0.64, 1.92`` for men, ``0.86, 1.67`` for women (Morton,
    Fitz-Clarke & Banister 1990; science.md section 5). Applied to the session's
    average heart rate. Returns NaN when the profile lacks sex or heart rates.
    An average below resting heart rate scores 0.

    >>> round(banister_trimp(30, 130, AthleteProfile(sex="male", max_hr=200, rest_hr=40)), 2)
    31.8
    """
    if not profile.can_trimp or not (duration_min >= 0) or not (avg_hr > 0):
        return math.nan
    assert profile.max_hr is not None and profile.rest_hr is not None
    dhr = (avg_hr - profile.rest_hr) / (profile.max_hr - profile.rest_hr)
    if dhr <= 0:
        return 0.0
    dhr = min(dhr, 1.0)
    a, b = (0.64, 1.92) if profile.sex == "male" else (0.86, 1.67)
    return duration_min * dhr * a * math.exp(b * dhr)


def with_loads(sessions: pd.DataFrame, profile: AthleteProfile | None = None) -> pd.DataFrame:
    """Fill ``load`` and ``load_source`` for every session (interfaces.md section 2).

    Per session: Foster sRPE ``rpe × duration_min`` when RPE is known;
    otherwise Banister TRIMP when the average heart rate and the profile allow
    it; otherwise the duration in minutes. A session without duration gets no
    load (NaN) and no source. Returns a new frame.
    """
    import numpy as np
    import pandas as pd

    profile = profile or AthleteProfile()
    out = sessions.copy()
    dur = out["duration_min"].astype("float64")
    rpe = out["rpe"].astype("float64")
    hr = out["avg_hr"].astype("float64")
    srpe = rpe * dur
    trimp = pd.Series(
        [banister_trimp(d, h, profile) for d, h in zip(dur, hr, strict=True)],
        index=out.index, dtype="float64",
    )
    has_dur = dur.notna()
    use_srpe = has_dur & rpe.notna()
    use_trimp = has_dur & ~use_srpe & trimp.notna()
    use_dur = has_dur & ~use_srpe & ~use_trimp
    out["load"] = np.select([use_srpe, use_trimp, use_dur], [srpe, trimp, dur], default=np.nan)
    out["load_source"] = np.select(
        [use_srpe, use_trimp, use_dur], ["srpe", "trimp", "duration"], default=None
    )
    out["load_source"] = out["load_source"].astype("object")
    return out
