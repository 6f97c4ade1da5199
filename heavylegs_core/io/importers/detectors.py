"""Content-based format detection from a file's first bytes (and, as a hint only, its name).

The CSV basics (delimiter, header cells, the generic CSV's header synonyms) come
from :mod:`._csv`, which the readers share: detection never imports a reader.
"""

from __future__ import annotations

import re
from pathlib import Path

from heavylegs_core.io.importers._csv import (
    generic_mapping,
    head_text,
    header_cells,
    header_keys,
    looks_like_csv,
)

__all__ = [
    "header_cells",
    "header_keys",
    "is_apple",
    "is_fitbit_sleep_json",
    "is_garmin_activities_json",
    "is_garmin_csv",
    "is_garmin_sleep_json",
    "is_generic_csv",
    "is_oura_csv",
    "is_strava_csv",
    "is_whoop_sleep_csv",
    "is_whoop_workouts_csv",
    "looks_like_csv",
]


def is_strava_csv(head: bytes, path: Path) -> bool:
    """Strava ``activities.csv``: current (``Activity ID, Activity Date``) or old snake_case header."""
    keys = header_keys(head)
    modern = {"activityid", "activitydate", "activitytype"} <= keys
    old = {"id", "date", "type", "elapsedtime", "distance", "filename"} <= keys
    return modern or old


GARMIN_TYPE = {"activitytype", "aktivitetstype", "typaktywności", "typaktywnosci", "aktivitätstyp",
               "aktivitatstyp", "activiteittype", "typedactivité", "typedactivite", "tipodeactividad"}
GARMIN_DATE = {"date", "dato", "data", "datum", "fecha"}


def is_garmin_csv(head: bytes, path: Path) -> bool:
    """Garmin Connect "Export CSV": an activity-type column, a date column and Garmin-only columns."""
    keys = header_keys(head)
    garmin_only = {"avghr", "aerobicte", "gennemsnitligpuls", "maksspuls", "maxhr", "tid", "czas",
                   "title", "titel", "tytuł", "favorite", "favorit", "ulubiony"}
    return bool(keys & GARMIN_TYPE) and bool(keys & GARMIN_DATE) and len(keys & garmin_only) >= 2


def _json_head(head: bytes) -> str:
    return head_text(head).lstrip()


def is_garmin_activities_json(head: bytes, path: Path) -> bool:
    """Garmin ``*_summarizedActivities.json`` (``[{"summarizedActivitiesExport": [...]}]``)."""
    t = _json_head(head)
    return t.startswith(("[", "{")) and "summarizedActivitiesExport" in t


def is_garmin_sleep_json(head: bytes, path: Path) -> bool:
    """Garmin ``*_sleepData.json``: a list of nights with ``sleepStartTimestampGMT``."""
    t = _json_head(head)
    return t.startswith("[") and ("sleepStartTimestampGMT" in t
                                  or ("deepSleepSeconds" in t and "calendarDate" in t))


def is_fitbit_sleep_json(head: bytes, path: Path) -> bool:
    """Fitbit ``sleep-*.json`` / PMData ``fitbit/sleep.json``: logs with ``dateOfSleep``."""
    t = _json_head(head)
    return t.startswith(("[", "{")) and "dateOfSleep" in t and "minutesAsleep" in t


def is_oura_csv(head: bytes, path: Path) -> bool:
    """Oura ``sleepmodel.csv`` (semicolons, API v2 names) or a Trends CSV."""
    keys = header_keys(head)
    model = {"bedtimestart", "bedtimeend", "totalsleepduration"} <= keys
    trends = {"bedtimestart", "bedtimeend"} <= keys and bool(keys & {"totalsleeptime", "totalsleepduration"})
    return model or trends


def is_whoop_sleep_csv(head: bytes, path: Path) -> bool:
    """Whoop ``sleeps.csv`` or ``physiological_cycles.csv``."""
    keys = header_keys(head)
    return {"sleeponset", "wakeonset", "asleepdurationmin"} <= keys


def is_whoop_workouts_csv(head: bytes, path: Path) -> bool:
    """Whoop ``workouts.csv``."""
    keys = header_keys(head)
    return {"workoutstarttime", "durationmin", "activityname"} <= keys


_APPLE = re.compile(rb"<HealthData[\s>]|<!DOCTYPE HealthData|HealthKit Export")


def is_apple(head: bytes, path: Path) -> bool:
    """Apple Health ``export.xml`` (any localised name)."""
    return head.lstrip()[:1] == b"<" and _APPLE.search(head) is not None


def is_generic_csv(head: bytes, path: Path) -> bool:
    """Any CSV whose headers name a date and a duration or distance (see ``_csv.GENERIC``)."""
    if not looks_like_csv(head):
        return False
    mapping = generic_mapping(header_cells(head))
    return "date" in mapping and ("duration" in mapping or "distance" in mapping)
