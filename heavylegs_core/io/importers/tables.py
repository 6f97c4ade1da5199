"""Activity lists: Strava ``activities.csv``, Garmin Connect "Export CSV", Garmin
``summarizedActivities.json``, Whoop ``workouts.csv``, generic CSV.

Units (canonical output): duration minutes, distance km, heart rate bpm.

Strava ``activities.csv`` (formats.md section 1.2): read with position-aware
column names because five names repeat with different units. Header cells are
stripped of HTML. ``Activity Date`` is UTC in one of several localised forms
(US ``Jan 27, 2021, 1:57:47 PM``, en-GB ``22 May 2024, 08:19:26``, ...).
Distance comes from the second ``Distance`` column (always metres) when it
exists, else from the first (km, but metres for swims). Duration is
``Moving Time`` (seconds) when present, else the first ``Elapsed Time``. The
old 10-column snake_case export (distance in metres) is read too. Activity
files named in ``Filename`` are read only for what the row lacks (heart rate,
duration or distance), and FIT files through the summary fast path, so a
large export imports quickly.

Garmin Connect CSV (section 2.1): localised headers (English, Danish, Polish,
German, Dutch, French, Spanish), values with thousands separators or decimal
commas, ``--`` for missing, ``hh:mm:ss`` times; ``Date`` is local time. The
export does not say whether distances are km or miles: they are read as km
unless the header says otherwise (e.g. ``Distance (mi)``), with a warning.

Generic CSV: columns found by header synonyms (:data:`._csv.GENERIC`); units from
the header (``distance_mi``, ``Distance (km)``, ``duration_s``, ``Time
(h:mm:ss)``...); a numeric duration without a unit is read as minutes and a
distance without a unit as km, each with a warning.

Garmin account export ``*_summarizedActivities.json``: distance in
centimetres, durations in milliseconds, ``startTimeGmt`` in epoch ms (UTC);
the reported "row" is the 1-based position of the item. Whoop
``workouts.csv``: local times with a ``Cycle timezone`` column such as
``UTC-04:00``; distance in metres.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.io.importers import activity
from heavylegs_core.io.importers._base import (
    ImportResult,
    ReadContext,
    Source,
    guess_decimal_comma,
    json_number,
    key,
    load_json,
    local_times,
    parse_times,
    session_frame,
    to_number,
    to_seconds,
)
from heavylegs_core.io.importers._csv import (
    cell_column,
    cell_numbers,
    generic_mapping,
    keyed_cells,
    no_usable_columns,
)
from heavylegs_core.io.importers._csv import positions as _positions
from heavylegs_core.io.importers._csv import read_cells as _read_cells
from heavylegs_core.io.importers.sports import is_transition, sport_of

MILE_KM = 1.609344

GARMIN: dict[str, tuple[str, ...]] = {
    "sport": ("activitytype", "aktivitetstype", "typaktywności", "typaktywnosci", "aktivitätstyp",
              "aktivitatstyp", "activiteittype", "typedactivité", "typedactivite", "tipodeactividad"),
    "date": ("date", "dato", "data", "datum", "fecha"),
    "name": ("title", "titel", "tytuł", "tytul", "titre", "título", "titulo"),
    "distance": ("distance", "dystans", "distanz", "afstand", "distancia"),
    "duration": ("time", "tid", "czas", "zeit", "tijd", "temps", "tiempo", "activitytime"),
    "moving": ("movingtime", "bevægelsestid", "czasruchu", "bewegungszeit"),
    "elapsed": ("elapsedtime", "forløbettid", "czasupływający", "verstrichenezeit"),
    "avg_hr": ("avghr", "gennemsnitligpuls", "średnietętno", "sredniętetno", "średniehr",
               "øherzfrequenz", "herzfrequenz", "gemhartslag", "fcmoy", "fcmedia"),
    "max_hr": ("maxhr", "maksspuls", "makspuls", "maksymalnetętno", "maksymalnehr", "maxherzfrequenz",
               "maxhartslag", "fcmax", "fcmáxima"),
}


def _find(pos: dict[str, list[int]], names: tuple[str, ...]) -> int | None:
    for n in names:
        if n in pos:
            return pos[n][0]
    return None


def _numbers(body: pd.DataFrame, col: int | None, header: str, src: Source, rows: np.ndarray,
             decimal_comma: bool = False) -> pd.Series:
    if col is None:
        return pd.Series(np.nan, index=body.index, dtype="float64")
    vals = to_number(body[col], decimal_comma)
    _raise_bad(vals, body[col], header, src, rows, "number")
    return vals


def _raise_bad(vals: pd.Series, cells: pd.Series, header: str, src: Source, rows: np.ndarray,
               what: str) -> None:
    bad = vals.attrs.get("bad")
    if bad is not None and bad.any():
        problems = [Problem(f"cannot read the {what} {cells.iloc[i]!r} in column {header!r}",
                            src.name, int(rows[i])) for i in np.flatnonzero(bad)[:10]]
        raise UserError(problems)


def _seconds(body: pd.DataFrame, col: int | None, header: str, src: Source, rows: np.ndarray,
             unit_s: float = 1.0, decimal_comma: bool = False) -> pd.Series:
    if col is None:
        return pd.Series(np.nan, index=body.index, dtype="float64")
    vals = to_seconds(body[col], unit_s, decimal_comma)
    _raise_bad(vals, body[col], header, src, rows, "duration")
    return vals


def _str(body: pd.DataFrame, col: int | None) -> pd.Series:
    if col is None:
        return pd.Series([None] * len(body), index=body.index, dtype="object")
    return body[col].where(body[col].str.strip() != "", None)


# ----------------------------------------------------------------- generic

def _duration_unit(header: str) -> float | None:
    h = header.lower()
    k = key(header)
    if re.search(r"\b(min|mins|minutes)\b|_min\b|\(min", h) or k in ("minutes", "mins", "durationmin"):
        return 60.0
    if re.search(r"\b(s|sec|secs|seconds)\b|_s\b|\(s\)", h) or k in ("seconds", "durations"):
        return 1.0
    if re.search(r"\b(h|hr|hrs|hours)\b|_h\b|\(h\)", h) or k in ("hours", "durationh"):
        return 3600.0
    return None


def _distance_unit(header: str) -> float | None:
    """Kilometres per unit of the column, from its header (None when not stated)."""
    h = header.lower()
    if re.search(r"\b(mi|miles?)\b|_mi\b|\(mi", h):
        return MILE_KM
    if re.search(r"\b(km|kilometres|kilometers)\b|_km\b|\(km", h) or key(header) == "km":
        return 1.0
    if re.search(r"\b(m|meters|metres)\b|_m\b|\(m\)", h):
        return 0.001
    return None


def read_generic_csv(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from any CSV with recognisable headers (see :data:`._csv.GENERIC`)."""
    headers, body, rows = _read_cells(src)
    mapping = generic_mapping(headers)
    if "date" not in mapping or not ({"duration", "distance"} & set(mapping)):
        raise no_usable_columns(",".join(headers).encode(), src.name)
    result = ImportResult()
    starts = parse_times(body[mapping["date"]], source=src.name, column=headers[mapping["date"]],
                         rows=rows, assume_tz=ctx.tz, to_tz=ctx.tz, notes=result.warnings)
    dc = any(guess_decimal_comma(body[c]) for f, c in mapping.items()
             if f in ("duration", "distance", "rpe"))
    dur_s = pd.Series(np.nan, index=body.index, dtype="float64")
    if "duration" in mapping:
        col = mapping["duration"]
        unit = _duration_unit(headers[col])
        clocks = body[col].str.contains(":", regex=False).any()
        if unit is None and not clocks:
            unit = 60.0
            result.warnings.append(f"{src.name}: column {headers[col]!r} states no unit: read as minutes")
        dur_s = _seconds(body, col, headers[col], src, rows, unit or 60.0, dc)
    dist_km = pd.Series(np.nan, index=body.index, dtype="float64")
    if "distance" in mapping:
        col = mapping["distance"]
        unit = _distance_unit(headers[col])
        if unit is None:
            unit = 1.0
            result.warnings.append(f"{src.name}: column {headers[col]!r} states no unit: read as km "
                                   "(name it distance_mi for miles)")
        dist_km = _numbers(body, col, headers[col], src, rows, dc) * unit
    sport_col = _str(body, mapping.get("sport"))
    sports = sport_col.map(lambda s: sport_of(s) if s is not None else "other")
    if "sport" not in mapping:
        result.warnings.append(f"{src.name}: no sport column: sessions recorded as 'other'")
    df = session_frame(
        starts, sport=sports, duration_min=dur_s / 60.0, distance_km=dist_km,
        rpe=_numbers(body, mapping.get("rpe"), headers[mapping["rpe"]] if "rpe" in mapping else "",
                     src, rows, dc),
        avg_hr=_numbers(body, mapping.get("avg_hr"),
                        headers[mapping["avg_hr"]] if "avg_hr" in mapping else "", src, rows, dc),
        max_hr=_numbers(body, mapping.get("max_hr"),
                        headers[mapping["max_hr"]] if "max_hr" in mapping else "", src, rows, dc),
        name=_str(body, mapping.get("name")).where(lambda s: s.notna(), sport_col),
        source=src.basename, _row=rows,
    )
    empty_date = starts.isna()
    result.skip("row without a date", int(empty_date.sum()))
    result.sessions = df[~empty_date.to_numpy()]
    return result


# ------------------------------------------------------------------ Strava

def read_strava_csv(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from a Strava ``activities.csv`` (and its activity files when reachable)."""
    headers, body, rows = _read_cells(src)
    pos = _positions(headers)
    result = ImportResult()
    old = "activityid" not in pos
    if old:
        date_col, type_col, name_col = pos["date"][0], pos["type"][0], _find(pos, ("name",))
        elapsed = _seconds(body, pos["elapsedtime"][0], "elapsed_time", src, rows)
        moving = pd.Series(np.nan, index=body.index, dtype="float64")
        dist_m = _numbers(body, pos["distance"][0], "distance", src, rows)
        avg_hr = max_hr = rpe = pd.Series(np.nan, index=body.index, dtype="float64")
        file_col = pos["filename"][0]
    else:
        date_col, type_col = pos["activitydate"][0], pos["activitytype"][0]
        name_col = _find(pos, ("activityname",))
        elapsed = _seconds(body, pos["elapsedtime"][0], "Elapsed Time", src, rows) \
            if "elapsedtime" in pos else pd.Series(np.nan, index=body.index, dtype="float64")
        moving = _seconds(body, _find(pos, ("movingtime",)), "Moving Time", src, rows)
        types = _str(body, type_col)
        dists = pos.get("distance", [])
        if len(dists) >= 2:
            dist_m = _numbers(body, dists[1], "Distance", src, rows)
        else:
            dist_m = pd.Series(np.nan, index=body.index, dtype="float64")
        if dists:
            first = _numbers(body, dists[0], "Distance", src, rows)
            is_swim = types.map(lambda t: sport_of(t) == "swim").to_numpy()
            display_m = np.where(is_swim, first, first * 1000.0)
            dist_m = dist_m.where(dist_m.notna(), pd.Series(display_m, index=body.index))
        avg_hr = _numbers(body, _find(pos, ("averageheartrate",)), "Average Heart Rate", src, rows)
        max_hr = pd.Series(np.nan, index=body.index, dtype="float64")
        for col in pos.get("maxheartrate", []):
            max_hr = max_hr.where(max_hr.notna(), _numbers(body, col, "Max Heart Rate", src, rows))
        rpe = _numbers(body, _find(pos, ("perceivedexertion",)), "Perceived Exertion", src, rows)
        file_col = _find(pos, ("filename",))
    starts = parse_times(body[date_col], source=src.name, column=headers[date_col], rows=rows,
                         assume_tz="UTC", to_tz=ctx.tz)
    dur_s = moving.where(moving.notna() & (moving > 0), elapsed)
    sport_raw = _str(body, type_col)
    df = session_frame(
        starts, sport=sport_raw.map(lambda s: sport_of(s)), duration_min=dur_s / 60.0,
        distance_km=dist_m / 1000.0, rpe=rpe, avg_hr=avg_hr, max_hr=max_hr,
        name=_str(body, name_col).where(lambda s: s.notna(), sport_raw), source=src.basename, _row=rows,
    )
    files = _str(body, file_col)
    need = files.notna() & (df["duration_min"].isna() | df["distance_km"].isna() | df["avg_hr"].isna())
    if need.any():
        _join_activity_files(df, files, need, src, ctx, result)
    missing_date = starts.isna().to_numpy()
    result.skip("row without a date", int(missing_date.sum()))
    result.sessions = df[~missing_date]
    return result


def _join_activity_files(df: pd.DataFrame, files: pd.Series, need: pd.Series, src: Source,
                         ctx: ReadContext, result: ImportResult) -> None:
    todo = np.flatnonzero(need.to_numpy())
    if src.sibling is None:
        result.warnings.append(
            f"{src.name}: read without its activities/ folder, so {len(todo)} activities could not be "
            "completed from their files (import the whole export folder or zip)")
        return
    readers = ((activity.is_fit, activity.read_fit_quick), (activity.is_gpx, activity.read_gpx),
               (activity.is_tcx, activity.read_tcx))
    missing = 0
    for done, i in enumerate(todo):
        name = str(files.iloc[i])
        if ctx.progress is not None and done % 10 == 0:
            ctx.progress(done, len(todo), f"{src.name}: activity files")
        member = src.sibling(name)
        if member is None:
            missing += 1
            continue
        try:
            head = member.head()
            reader = next((r for d, r in readers if d(head, member.path)), None)
            if reader is None:
                result.warnings.append(f"{member.name}: not a FIT, GPX or TCX file; row "
                                       f"{int(df['_row'].iloc[i])} kept without it")
                continue
            got = reader(member, ctx)
        except UserError as exc:
            result.warnings.append(f"{member.name}: {exc.problems[0].message}; row "
                                   f"{int(df['_row'].iloc[i])} kept without it")
            continue
        result.warnings.extend(got.warnings)
        if not len(got.sessions):
            continue
        s = got.sessions.iloc[0]
        idx = df.index[i]
        for col in ("duration_min", "distance_km", "avg_hr", "max_hr"):
            cur = df.at[idx, col]
            if cur is None or (isinstance(cur, float) and math.isnan(cur)):
                df.at[idx, col] = s[col]
    if missing:
        result.warnings.append(f"{src.name}: {missing} activity file(s) named in the Filename column "
                               "were not found in the export")


# ------------------------------------------------------------------ Garmin

def read_garmin_csv(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from a Garmin Connect activity-list CSV (any supported language)."""
    headers, body, rows = _read_cells(src)
    pos = _positions(headers)
    col = {f: _find(pos, names) for f, names in GARMIN.items()}
    result = ImportResult()
    if col["date"] is None or col["sport"] is None:
        raise no_usable_columns(",".join(headers).encode(), src.name)
    dc = any(guess_decimal_comma(body[c]) for f, c in col.items()
             if c is not None and f in ("distance",))
    starts = parse_times(body[col["date"]], source=src.name, column=headers[col["date"]], rows=rows,
                         assume_tz=ctx.tz, to_tz=ctx.tz, notes=result.warnings)
    dur = pd.Series(np.nan, index=body.index, dtype="float64")
    for f in ("duration", "moving", "elapsed"):
        if col[f] is not None:
            dur = dur.where(dur.notna(), _seconds(body, col[f], headers[col[f]], src, rows, 60.0, dc))
    dist = pd.Series(np.nan, index=body.index, dtype="float64")
    if col["distance"] is not None:
        header = headers[col["distance"]]
        unit = _distance_unit(header)
        if unit is None:
            unit = 1.0
            result.warnings.append(
                f"{src.name}: Garmin's CSV does not state its distance unit: read as km (if your "
                "Garmin Connect shows miles, rename the column to 'Distance (mi)')")
        dist = _numbers(body, col["distance"], header, src, rows, dc) * unit
    types = _str(body, col["sport"])
    sports = types.map(lambda s: sport_of(s))
    swim = (sports == "swim").to_numpy()
    if swim.any():  # Garmin lists pool swims in metres ("1,500") even in a km account
        dist = dist.where(~(swim & (dist > 20)), dist / 1000.0)
    df = session_frame(
        starts, sport=sports, duration_min=dur / 60.0, distance_km=dist,
        avg_hr=_numbers(body, col["avg_hr"], "Avg HR", src, rows, dc),
        max_hr=_numbers(body, col["max_hr"], "Max HR", src, rows, dc),
        name=_str(body, col["name"]).where(lambda s: s.notna(), types), source=src.basename, _row=rows,
    )
    transition = types.map(is_transition).to_numpy()
    result.skip("multisport transition segment", int(transition.sum()))
    missing_date = starts.isna().to_numpy()
    result.skip("row without a date", int(missing_date.sum()))
    result.sessions = df[~missing_date & ~transition]
    return result


# ------------------------------------------------------------------ Garmin account export

def read_garmin_activities(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from Garmin ``*_summarizedActivities.json`` (cm, ms, epoch ms)."""
    doc = load_json(src)
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
        ms = json_number(t, src.name, n, "startTimeGmt")
        if math.isnan(ms):
            raise UserError(Problem("the activity has no startTimeGmt", src.name, n))
        start = pd.Timestamp(int(ms), unit="ms", tz="UTC").tz_convert(ctx.tz)
        dur = json_number(a.get("duration", a.get("elapsedDuration")), src.name, n, "duration")
        rows.append({
            "start": start.isoformat(), "date": pd.Timestamp(start.date()),
            "sport": sport_of(atype, a.get("sportType")),
            "duration_min": dur / 60000.0,
            "distance_km": json_number(a.get("distance"), src.name, n, "distance") / 100000.0,
            "avg_hr": json_number(a.get("avgHr"), src.name, n, "avgHr"),
            "max_hr": json_number(a.get("maxHr"), src.name, n, "maxHr"),
            "name": a.get("name") or atype, "source": src.basename, "_row": n,
        })
    result.sessions = pd.DataFrame(rows)
    return result


# ------------------------------------------------------------------ Whoop

def read_whoop_workouts(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from Whoop ``workouts.csv`` (minutes, metres, local times with their offset)."""
    body, rows = keyed_cells(src)
    starts = local_times(cell_column(body, "workoutstarttime"), cell_column(body, "cycletimezone"), src, rows,
                         "Workout start time", ctx.tz)
    names = cell_column(body, "activityname")
    df = pd.DataFrame({
        "start": [t.isoformat() if t is not None else None for t in starts],
        "date": [pd.Timestamp(t.date()) if t is not None else pd.NaT for t in starts],
        "sport": names.map(lambda s: sport_of(s)),
        "duration_min": cell_numbers(body, "durationmin", src, rows, "Duration (min)"),
        "distance_km": cell_numbers(body, "distancemeters", src, rows, "Distance (meters)") / 1000.0,
        "avg_hr": cell_numbers(body, "averagehrbpm", src, rows, "Average HR (bpm)"),
        "max_hr": cell_numbers(body, "maxhrbpm", src, rows, "Max HR (bpm)"),
        "name": names, "source": src.basename, "_row": rows,
    })
    result = ImportResult()
    no_start = df["date"].isna().to_numpy()
    result.skip("row without a date", int(no_start.sum()))
    result.sessions = df[~no_start]
    return result
