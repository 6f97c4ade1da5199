"""The one duplicate-session rule: when two session records are the same session.

Used by the importers (:func:`heavylegs_core.io.importers.load_sources` merges
the same session found in two files) and by the athlete store
(:meth:`heavylegs_core.io.store.Store.add_history` leaves out a session it
already holds), so an import and a save never disagree about what counts twice.

Two sessions are the same session when EITHER

1. they start at the same instant and have the same sport (the same record
   read again: a file imported twice, the same export under another time
   zone); OR
2. they come from different sources, start at most :data:`DUP_START_MIN`
   minutes apart, have compatible sports (equal, or one of them ``other``: a
   device that did not know the sport) and durations that agree within
   :data:`DUP_DURATION_MIN` minutes or :data:`DUP_DURATION_FRAC` of the longer,
   whichever is more (a watch and an app recording the same run).

Records from the SAME source are never matched by rule 2: one file lists two
sessions only when there were two (a warm-up and the run after it). Sources
are compared as whole strings (a merged session's ``"a.fit + b.gpx"`` is a
source of its own), and an unknown source equals another unknown source.
A session without a duration only matches by rule 1.

Pure: no files, no tables; times are seconds since the epoch.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

#: Rule 2: the largest gap between the two starts (minutes, inclusive).
DUP_START_MIN = 10.0
#: Rule 2: durations agree when they differ by at most this many minutes ...
DUP_DURATION_MIN = 10.0
#: ... or by at most this fraction of the longer one, whichever allows more.
DUP_DURATION_FRAC = 0.2
#: Rule 1: starts this close (seconds) are the same instant (rounding of stored times).
SAME_INSTANT_S = 1e-3


class SessionFacts(NamedTuple):
    """What the rule looks at in a session: start (seconds since the epoch, UTC), sport,
    duration (minutes; NaN or None when unknown) and source (file name, or None)."""

    start_s: float
    sport: str | None
    duration_min: float | None
    source: str | None


def start_seconds(start: str) -> float:
    """An ISO 8601 start as seconds since the epoch (a time without offset is read as UTC)."""
    t = dt.datetime.fromisoformat(start)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp()


def same_duration(a: float, b: float) -> bool:
    """True when two durations (minutes) agree as the rule requires."""
    return abs(a - b) <= max(DUP_DURATION_MIN, DUP_DURATION_FRAC * max(a, b))


def compatible_sports(a: str | None, b: str | None) -> bool:
    """True when the sports are equal or one of them is ``other``."""
    return a == b or "other" in (a, b)


def _known(v: float | None) -> bool:
    return v is not None and not math.isnan(v)


def same_session(a: SessionFacts, b: SessionFacts) -> bool:
    """True when ``a`` and ``b`` are the same session (see the module docstring for the rule).

    >>> t = start_seconds("2024-05-02T07:00:00+02:00")
    >>> same_session(SessionFacts(t, "run", 50, "a.fit"), SessionFacts(t + 180, "other", 52, "b.gpx"))
    True
    >>> same_session(SessionFacts(t, "run", 10, "log.csv"), SessionFacts(t + 600, "run", 10, "log.csv"))
    False
    >>> same_session(SessionFacts(t, "run", 50, "log.csv"), SessionFacts(t, "run", 50, "log.csv"))
    True
    """
    if not (_known(a.start_s) and _known(b.start_s)):
        return False
    gap = abs(a.start_s - b.start_s)
    if gap <= SAME_INSTANT_S and a.sport == b.sport:
        return True
    if a.source == b.source or gap > DUP_START_MIN * 60.0 or not compatible_sports(a.sport, b.sport):
        return False
    if not (_known(a.duration_min) and _known(b.duration_min)):
        return False
    return same_duration(float(a.duration_min), float(b.duration_min))  # type: ignore[arg-type]


__all__ = [
    "DUP_DURATION_FRAC",
    "DUP_DURATION_MIN",
    "DUP_START_MIN",
    "SAME_INSTANT_S",
    "SessionFacts",
    "compatible_sports",
    "same_duration",
    "same_session",
    "start_seconds",
]
