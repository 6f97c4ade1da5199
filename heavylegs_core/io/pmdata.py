"""Readers for the PMData logs (Thambawita et al. 2020, CC BY 4.0).

``pmsys/srpe.csv`` holds one row per session (end time in UTC, activity
names, CR-10 exertion, minutes); ``pmsys/wellness.csv`` one morning
questionnaire per row, including the hours slept the night before (whole
hours) and sleep quality on a 1-5 scale where 0 means "not answered".
"""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.records import normalise_nights, normalise_sessions

SRPE_COLUMNS = ("end_date_time", "activity_names", "perceived_exertion", "duration_min")
WELLNESS_COLUMNS = ("effective_time_frame", "sleep_duration_h", "sleep_quality")

_SPORT_WORDS = {
    "running": "run", "run": "run", "jogging": "run",
    "cycling": "ride", "biking": "ride", "spinning": "ride",
    "swimming": "swim", "walking": "walk", "hiking": "walk",
    "strength": "strength", "weights": "strength", "gym": "strength",
}


def _sport(names: str) -> str:
    """Map a PMData activity list such as ``"['individual', 'running']"`` to a sport."""
    try:
        words = ast.literal_eval(names) if isinstance(names, str) else []
    except (ValueError, SyntaxError):
        words = [names]
    for word in words if isinstance(words, list) else [words]:
        sport = _SPORT_WORDS.get(str(word).strip().lower())
        if sport:
            return sport
    return "other"


def _check_columns(df: pd.DataFrame, needed: tuple[str, ...], path: Path, what: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise UserError(
            f"not a PMData {what} file: missing column(s) {', '.join(missing)}", where=str(path)
        )


def read_srpe(path: str | Path, tz: str = "UTC") -> pd.DataFrame:
    """Sessions from a PMData ``pmsys/srpe.csv`` as canonical records.

    The start is the logged end time minus the duration (minutes); ``date`` is
    the calendar date of the start in time zone ``tz``. Load is not filled in
    here: see :func:`heavylegs_core.domain.records.with_loads`.
    """
    path = Path(path)
    raw = pd.read_csv(path)
    _check_columns(raw, SRPE_COLUMNS, path, "srpe")
    end = pd.to_datetime(raw["end_date_time"], utc=True, errors="coerce")
    bad = end.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise UserError(f"cannot read the date in end_date_time {raw['end_date_time'].iloc[row - 2]!r}",
                        where=f"{path}:{row}")
    duration = pd.to_numeric(raw["duration_min"], errors="coerce")
    start = (end - pd.to_timedelta(duration.fillna(0), unit="min")).dt.tz_convert(tz)
    sessions = pd.DataFrame({
        "start": start.map(lambda t: t.isoformat()),
        "date": start.dt.tz_localize(None).dt.normalize(),
        "sport": raw["activity_names"].map(_sport),
        "duration_min": duration,
        "rpe": pd.to_numeric(raw["perceived_exertion"], errors="coerce"),
        "name": raw["activity_names"].astype(str),
        "source": path.name,
    })
    return normalise_sessions(sessions)


def read_wellness_sleep(path: str | Path, tz: str = "UTC") -> pd.DataFrame:
    """Nights from a PMData ``pmsys/wellness.csv`` as canonical records.

    The report's local date (time zone ``tz``) is the morning the sleeper woke
    up. ``sleep_duration_h`` is in whole hours; a 0 (not answered) is treated
    as unknown. When several reports share a date the last one wins.
    """
    path = Path(path)
    raw = pd.read_csv(path)
    _check_columns(raw, WELLNESS_COLUMNS, path, "wellness")
    when = pd.to_datetime(raw["effective_time_frame"], utc=True, errors="coerce").dt.tz_convert(tz)
    hours = pd.to_numeric(raw["sleep_duration_h"], errors="coerce")
    quality = pd.to_numeric(raw["sleep_quality"], errors="coerce")
    nights = pd.DataFrame({
        "date": when.dt.tz_localize(None).dt.normalize(),
        "sleep_h": hours.where(hours > 0),
        "quality": quality.where(quality.between(1, 5)),
        "source": path.name,
    }).dropna(subset=["date"])
    nights = nights.drop_duplicates(subset="date", keep="last")
    return normalise_nights(nights)
