"""Content-based format detection from a file's first bytes (and, as a hint only, its name)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from heavylegs_core.io.importers._base import clean_header, key


def _text(head: bytes) -> str:
    return head.decode("utf-8-sig", errors="replace").lstrip("\ufeff")


def looks_like_csv(head: bytes) -> bool:
    """Delimited text: printable, a first line holding a comma, semicolon or tab."""
    if b"\x00" in head[:1024]:
        return False
    text = _text(head)
    if not text.strip() or text.lstrip().startswith(("<", "{", "[")):
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:  # a header and at least one row
        return False
    return any(d in lines[0] for d in (",", ";", "\t"))


def sniff_delimiter(head: bytes) -> str:
    """The delimiter of the CSV's header line: ``;`` or tab when they outnumber commas."""
    lines = _text(head).splitlines()
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def header_cells(head: bytes) -> list[str]:
    """The cleaned header cells (HTML tags stripped) of a CSV, using its own delimiter."""
    text = _text(head)
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
    return _text(head).lstrip()


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
    """Any CSV whose headers name a date and a duration or distance (see ``tables.GENERIC``)."""
    if not looks_like_csv(head):
        return False
    from heavylegs_core.io.importers.tables import generic_mapping

    mapping = generic_mapping(header_cells(head))
    return "date" in mapping and ("duration" in mapping or "distance" in mapping)
