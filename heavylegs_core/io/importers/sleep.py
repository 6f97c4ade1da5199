"""JSON and CSV exports of watches and rings: Garmin, Fitbit, Oura, Whoop.

Units (canonical output): session duration minutes, distance km, heart rate
bpm; night ``sleep_h`` hours asleep (awake time excluded), ``quality`` 1-5.
For JSON files the reported "row" is the 1-based position of the item.

- Garmin account export ``*_summarizedActivities.json``: distance in
  centimetres, durations in milliseconds, ``startTimeGmt`` in epoch ms (UTC).
- Garmin ``*_sleepData.json``: sleep = deep + light + REM seconds; the date is
  ``calendarDate`` (the wake-up date); quality from ``sleepScores.overallScore``
  (0-100, see :func:`score_to_quality`); off-wrist and unconfirmed nights are
  skipped and counted.
- Fitbit ``sleep-*.json`` (and PMData ``fitbit/sleep.json``): ``minutesAsleep``
  of the main sleep of each ``dateOfSleep``; naps are skipped and counted.
- Oura ``sleepmodel.csv`` (semicolons; seconds; ``day`` = wake-up day; the
  ``long_sleep`` of a day, else its longest ``sleep``) and the legacy Trends
  CSV (``Total Sleep Time`` / ``Total Sleep Duration`` seconds, ``Sleep Score``).
- Whoop ``sleeps.csv`` / ``physiological_cycles.csv`` (``Asleep duration
  (min)``, ``Sleep performance %``, local ``Wake onset``; naps and unscored
  sleeps skipped) and ``workouts.csv`` (local times with a ``Cycle timezone``
  column such as ``UTC-04:00``; distance in metres).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.io.importers._base import (
    ImportResult,
    ReadContext,
    Source,
    key,
    to_number,
)
from heavylegs_core.io.importers.sports import is_transition, sport_of


def score_to_quality(score: float | None) -> float:
    """A 0-100 sleep score on the 1-5 quality scale: 0-19 -> 1, 20-39 -> 2, ... 80-100 -> 5.

    >>> score_to_quality(85), score_to_quality(42), score_to_quality(None)
    (5.0, 3.0, nan)
    """
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return math.nan
    return float(min(5, 1 + int(max(0.0, float(score)) // 20)))


def _load_json(src: Source) -> object:
    try:
        return json.loads(src.read_bytes().decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"not valid JSON: {exc}", where=src.name) from None


def _num(value: object, where: str, row: int, field: str) -> float:
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(str(value))
        except ValueError:
            raise UserError(Problem(f"field {field} holds {value!r}, not a number", where, row)) from None
    return float(value)


def _date(value: object, where: str, row: int, field: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        raise UserError(Problem(f"cannot read the date {value!r} in field {field}: use YYYY-MM-DD",
                                where, row)) from None


def _nights(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "sleep_h", "quality", "source", "_row"])


# ----------------------------------------------------------------- Garmin

def read_garmin_activities(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from Garmin ``*_summarizedActivities.json`` (cm, ms, epoch ms)."""
    doc = _load_json(src)
    items: list[object] = []
    if isinstance(doc, list):
        for part in doc:
            if isinstance(part, dict) and "summarizedActivitiesExport" in part:
                items.extend(part["summarizedActivitiesExport"] or [])
            else:
                items.append(part)
    elif isinstance(doc, dict):
        items = list(doc.get("summarizedActivitiesExport") or [])
    result = ImportResult()
    rows = []
    for n, a in enumerate(items, start=1):
        if not isinstance(a, dict):
            raise UserError(Problem("an activity is not a JSON object", src.name, n))
        atype = a.get("activityType")
        if isinstance(atype, dict):
            atype = atype.get("typeKey")
        if is_transition(atype):
            result.skip("multisport transition segment")
            continue
        t = a.get("startTimeGmt", a.get("beginTimestamp"))
        ms = _num(t, src.name, n, "startTimeGmt")
        if math.isnan(ms):
            raise UserError(Problem("the activity has no startTimeGmt", src.name, n))
        start = pd.Timestamp(int(ms), unit="ms", tz="UTC").tz_convert(ctx.tz)
        dur = _num(a.get("duration", a.get("elapsedDuration")), src.name, n, "duration")
        rows.append({
            "start": start.isoformat(), "date": pd.Timestamp(start.date()),
            "sport": sport_of(atype, a.get("sportType")),
            "duration_min": dur / 60000.0,
            "distance_km": _num(a.get("distance"), src.name, n, "distance") / 100000.0,
            "avg_hr": _num(a.get("avgHr"), src.name, n, "avgHr"),
            "max_hr": _num(a.get("maxHr"), src.name, n, "maxHr"),
            "name": a.get("name") or atype, "source": src.basename, "_row": n,
        })
    result.sessions = pd.DataFrame(rows)
    return result


SKIPPED_CONFIRMATION = {"OFF_WRIST": "Garmin night marked off-wrist",
                        "UNCONFIRMED": "Garmin night not confirmed by the watch"}


def read_garmin_sleep(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights from Garmin ``*_sleepData.json`` (seconds; wake-up date ``calendarDate``)."""
    doc = _load_json(src)
    if not isinstance(doc, list):
        raise UserError("expected a JSON list of nights", where=src.name)
    result = ImportResult()
    rows = []
    for n, night in enumerate(doc, start=1):
        if not isinstance(night, dict):
            raise UserError(Problem("a night is not a JSON object", src.name, n))
        why = SKIPPED_CONFIRMATION.get(str(night.get("sleepWindowConfirmationType", "")).upper())
        if why:
            result.skip(why)
            continue
        parts = [_num(night.get(f), src.name, n, f)
                 for f in ("deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds")]
        known = [p for p in parts if not math.isnan(p)]
        if not known:
            result.skip("Garmin night without sleep stages")
            continue
        scores = night.get("sleepScores") or {}
        score = scores.get("overallScore") if isinstance(scores, dict) else None
        if isinstance(score, dict):  # some exports nest {"value": 82}
            score = score.get("value")
        rows.append({"date": _date(night.get("calendarDate"), src.name, n, "calendarDate"),
                     "sleep_h": sum(known) / 3600.0,
                     "quality": score_to_quality(_num(score, src.name, n, "overallScore")),
                     "source": src.basename, "_row": n})
    result.nights = _nights(rows)
    return result


# ----------------------------------------------------------------- Fitbit

def read_fitbit_sleep(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights from Fitbit sleep JSON: the main sleep of each ``dateOfSleep`` (minutes asleep)."""
    doc = _load_json(src)
    if isinstance(doc, dict):
        doc = doc.get("sleep", [])
    if not isinstance(doc, list):
        raise UserError("expected a JSON list of sleep logs", where=src.name)
    result = ImportResult()
    best: dict[pd.Timestamp, dict[str, object]] = {}
    for n, log in enumerate(doc, start=1):
        if not isinstance(log, dict):
            raise UserError(Problem("a sleep log is not a JSON object", src.name, n))
        main = log.get("mainSleep", log.get("isMainSleep", True))
        if main is False:
            result.skip("nap (not the main sleep of the day)")
            continue
        day = _date(log.get("dateOfSleep"), src.name, n, "dateOfSleep")
        minutes = _num(log.get("minutesAsleep"), src.name, n, "minutesAsleep")
        row = {"date": day, "sleep_h": minutes / 60.0, "quality": math.nan,
               "source": src.basename, "_row": n}
        if day in best:
            result.skip("second main sleep on the same date (the longer one is kept)")
            prev = best[day]["sleep_h"]
            if not (isinstance(prev, float) and prev >= row["sleep_h"]):
                best[day] = row
        else:
            best[day] = row
    result.nights = _nights(list(best.values()))
    return result


# ------------------------------------------------------------------- CSVs

def _csv(src: Source) -> tuple[pd.DataFrame, np.ndarray]:
    from heavylegs_core.io.importers.tables import _read_cells

    headers, body, rows = _read_cells(src)
    body.columns = [key(h) for h in headers]
    body = body.loc[:, ~body.columns.duplicated()]
    return body, rows


def _col(body: pd.DataFrame, name: str) -> pd.Series:
    if name in body.columns:
        return body[name]
    return pd.Series([""] * len(body), index=body.index, dtype="object")


def _nums(body: pd.DataFrame, name: str, src: Source, rows: np.ndarray, label: str) -> pd.Series:
    cells = _col(body, name)
    vals = to_number(cells)
    bad = vals.attrs["bad"]
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise UserError(Problem(f"cannot read the number {cells.iloc[i]!r} in column {label!r}",
                                src.name, int(rows[i])))
    return vals


def _day(cells: pd.Series, src: Source, rows: np.ndarray, label: str) -> list[pd.Timestamp]:
    out = []
    for cell, row in zip(cells, rows, strict=True):
        try:
            out.append(pd.Timestamp(dt.date.fromisoformat(str(cell).strip()[:10])))
        except ValueError:
            raise UserError(Problem(f"cannot read the date {cell!r} in column {label!r}: use YYYY-MM-DD",
                                    src.name, int(row))) from None
    return out


def read_oura(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights from Oura ``sleepmodel.csv`` or a legacy Trends CSV."""
    body, rows = _csv(src)
    result = ImportResult()
    if "type" in body.columns and "day" in body.columns:
        kind = _col(body, "type").str.strip().str.lower()
        deleted = (kind == "deleted").to_numpy()
        result.skip("Oura record deleted by the user", int(deleted.sum()))
        keep = kind.isin(["long_sleep", "sleep", "late_nap"]).to_numpy()
        result.skip("Oura rest period (not sleep)", int((~keep & ~deleted).sum()))
        secs = _nums(body, "totalsleepduration", src, rows, "total_sleep_duration")
        days = _day(_col(body, "day"), src, rows, "day")
        df = pd.DataFrame({"date": days, "sleep_h": secs / 3600.0, "quality": math.nan,
                           "source": src.basename, "_row": rows, "_long": (kind == "long_sleep").to_numpy()})
        df = df[keep]
        # per day: the long sleep, else the longest period
        df = df.sort_values(["date", "_long", "sleep_h"], ascending=[True, False, False])
        dup = df.duplicated("date", keep="first").to_numpy()
        result.skip("nap or extra sleep period (the main sleep of the day is kept)", int(dup.sum()))
        result.nights = df[~dup].drop(columns="_long")
        return result
    total = "totalsleepduration" if "totalsleepduration" in body.columns else "totalsleeptime"
    secs = _nums(body, total, src, rows, "Total Sleep Time")
    score = _nums(body, "sleepscore", src, rows, "Sleep Score")
    days = _day(_col(body, "date"), src, rows, "date")
    result.nights = pd.DataFrame({"date": days, "sleep_h": secs / 3600.0,
                                  "quality": score.map(score_to_quality), "source": src.basename,
                                  "_row": rows})
    return result


_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})$")


def _offset(text: object, src: Source, row: int) -> dt.timezone | None:
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


def _local_times(cells: pd.Series, zones: pd.Series, src: Source, rows: np.ndarray, label: str,
                 tz: str) -> list[pd.Timestamp | None]:
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
            off = _offset(zone, src, int(row))
            # a wall-clock time in a daylight-saving gap or overlap: as _base.localise reads it
            t = t.tz_localize(off) if off is not None else t.tz_localize(tz, ambiguous=True,
                                                                         nonexistent="shift_forward")
        out.append(t.tz_convert(tz))
    return out


def read_whoop_sleep(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights from Whoop ``sleeps.csv`` or ``physiological_cycles.csv``."""
    body, rows = _csv(src)
    result = ImportResult()
    nap = _col(body, "nap").str.strip().str.lower().isin(["true", "1", "yes"]).to_numpy()
    result.skip("Whoop nap", int(nap.sum()))
    mins = _nums(body, "asleepdurationmin", src, rows, "Asleep duration (min)")
    unscored = mins.isna().to_numpy() & ~nap
    result.skip("Whoop sleep not scored (no duration)", int(unscored.sum()))
    keep = ~nap & ~unscored
    wake = _local_times(_col(body, "wakeonset"), _col(body, "cycletimezone"), src, rows,
                        "Wake onset", ctx.tz)
    perf = _nums(body, "sleepperformance", src, rows, "Sleep performance %")
    days = [pd.Timestamp(w.date()) if w is not None else pd.NaT for w in wake]
    df = pd.DataFrame({"date": days, "sleep_h": mins / 60.0, "quality": perf.map(score_to_quality),
                       "source": src.basename, "_row": rows})
    no_day = df["date"].isna().to_numpy() & keep
    if no_day.any():
        i = int(np.flatnonzero(no_day)[0])
        raise UserError(Problem("the sleep has no Wake onset time", src.name, int(rows[i])))
    result.nights = df[keep]
    return result


def read_whoop_workouts(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from Whoop ``workouts.csv`` (minutes, metres, local times with their offset)."""
    body, rows = _csv(src)
    starts = _local_times(_col(body, "workoutstarttime"), _col(body, "cycletimezone"), src, rows,
                          "Workout start time", ctx.tz)
    names = _col(body, "activityname")
    df = pd.DataFrame({
        "start": [t.isoformat() if t is not None else None for t in starts],
        "date": [pd.Timestamp(t.date()) if t is not None else pd.NaT for t in starts],
        "sport": names.map(lambda s: sport_of(s)),
        "duration_min": _nums(body, "durationmin", src, rows, "Duration (min)"),
        "distance_km": _nums(body, "distancemeters", src, rows, "Distance (meters)") / 1000.0,
        "avg_hr": _nums(body, "averagehrbpm", src, rows, "Average HR (bpm)"),
        "max_hr": _nums(body, "maxhrbpm", src, rows, "Max HR (bpm)"),
        "name": names, "source": src.basename, "_row": rows,
    })
    result = ImportResult()
    no_start = df["date"].isna().to_numpy()
    result.skip("row without a date", int(no_start.sum()))
    result.sessions = df[~no_start]
    return result
