"""Sleep exports of watches and rings: Garmin, Fitbit, Oura, Whoop (nights only).

Units (canonical output): night ``sleep_h`` hours asleep (awake time
excluded), ``quality`` 1-5. For JSON files the reported "row" is the 1-based
position of the item. (The training exports of the same devices, Garmin
``summarizedActivities.json`` and Whoop ``workouts.csv``, are read by
:mod:`.tables` with the other activity lists.)

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
  (min)``, ``Sleep performance %``, local ``Wake onset`` with its ``Cycle
  timezone``; naps and unscored sleeps skipped).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.io.importers._base import (
    ImportResult,
    ReadContext,
    Source,
    json_number,
    load_json,
    local_times,
)
from heavylegs_core.io.importers._csv import cell_column, cell_numbers, keyed_cells


def score_to_quality(score: float | None) -> float:
    """A 0-100 sleep score on the 1-5 quality scale: 0-19 -> 1, 20-39 -> 2, ... 80-100 -> 5.

    >>> score_to_quality(85), score_to_quality(42), score_to_quality(None)
    (5.0, 3.0, nan)
    """
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return math.nan
    return float(min(5, 1 + int(max(0.0, float(score)) // 20)))


def _date(value: object, where: str, row: int, field: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        raise UserError(Problem(f"cannot read the date {value!r} in field {field}: use YYYY-MM-DD",
                                where, row)) from None


def _nights(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "sleep_h", "quality", "source", "_row"])


# ----------------------------------------------------------------- Garmin

SKIPPED_CONFIRMATION = {"OFF_WRIST": "Garmin night marked off-wrist",
                        "UNCONFIRMED": "Garmin night not confirmed by the watch"}


def read_garmin_sleep(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights from Garmin ``*_sleepData.json`` (seconds; wake-up date ``calendarDate``)."""
    doc = load_json(src)
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
        parts = [json_number(night.get(f), src.name, n, f)
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
                     "quality": score_to_quality(json_number(score, src.name, n, "overallScore")),
                     "source": src.basename, "_row": n})
    result.nights = _nights(rows)
    return result


# ----------------------------------------------------------------- Fitbit

def read_fitbit_sleep(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights from Fitbit sleep JSON: the main sleep of each ``dateOfSleep`` (minutes asleep)."""
    doc = load_json(src)
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
        minutes = json_number(log.get("minutesAsleep"), src.name, n, "minutesAsleep")
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
    body, rows = keyed_cells(src)
    result = ImportResult()
    if "type" in body.columns and "day" in body.columns:
        kind = cell_column(body, "type").str.strip().str.lower()
        deleted = (kind == "deleted").to_numpy()
        result.skip("Oura record deleted by the user", int(deleted.sum()))
        keep = kind.isin(["long_sleep", "sleep", "late_nap"]).to_numpy()
        result.skip("Oura rest period (not sleep)", int((~keep & ~deleted).sum()))
        secs = cell_numbers(body, "totalsleepduration", src, rows, "total_sleep_duration")
        days = _day(cell_column(body, "day"), src, rows, "day")
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
    secs = cell_numbers(body, total, src, rows, "Total Sleep Time")
    score = cell_numbers(body, "sleepscore", src, rows, "Sleep Score")
    days = _day(cell_column(body, "date"), src, rows, "date")
    result.nights = pd.DataFrame({"date": days, "sleep_h": secs / 3600.0,
                                  "quality": score.map(score_to_quality), "source": src.basename,
                                  "_row": rows})
    return result


def read_whoop_sleep(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights from Whoop ``sleeps.csv`` or ``physiological_cycles.csv``."""
    body, rows = keyed_cells(src)
    result = ImportResult()
    nap = cell_column(body, "nap").str.strip().str.lower().isin(["true", "1", "yes"]).to_numpy()
    result.skip("Whoop nap", int(nap.sum()))
    mins = cell_numbers(body, "asleepdurationmin", src, rows, "Asleep duration (min)")
    unscored = mins.isna().to_numpy() & ~nap
    result.skip("Whoop sleep not scored (no duration)", int(unscored.sum()))
    keep = ~nap & ~unscored
    wake = local_times(cell_column(body, "wakeonset"), cell_column(body, "cycletimezone"), src, rows,
                        "Wake onset", ctx.tz)
    perf = cell_numbers(body, "sleepperformance", src, rows, "Sleep performance %")
    days = [pd.Timestamp(w.date()) if w is not None else pd.NaT for w in wake]
    df = pd.DataFrame({"date": days, "sleep_h": mins / 60.0, "quality": perf.map(score_to_quality),
                       "source": src.basename, "_row": rows})
    no_day = df["date"].isna().to_numpy() & keep
    if no_day.any():
        i = int(np.flatnonzero(no_day)[0])
        raise UserError(Problem("the sleep has no Wake onset time", src.name, int(rows[i])))
    result.nights = df[keep]
    return result
