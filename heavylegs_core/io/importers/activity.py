"""Single activity files: FIT / FIT.gz (fitdecode), GPX and TCX (lxml, hardened).

Units of the canonical output: duration in minutes (the device's timer
time where the file has one, otherwise last minus first timestamp), distance
in km, heart rate in beats per minute (the session's own average when the
file states one, otherwise the mean over the samples).

- FIT: one session per ``session`` message; multisport files give one row per
  sport, transitions are skipped and counted. Chained FIT files are read to
  the end. A file damaged part-way keeps everything decoded before the damage
  and says so in ``ImportResult.warnings``.
- GPX: every ``trkpt`` of every track; distance is the haversine length of
  consecutive points within a segment; heart rate from the Garmin
  ``TrackPointExtension`` ``hr`` element. Strava's numeric ``<type>`` codes
  (9 = run, 1 = ride) are understood.
- TCX: one session per ``Activity``; duration and distance are the sums of
  the laps' ``TotalTimeSeconds`` and ``DistanceMeters``.

XML is parsed with entity resolution, network access and DTD loading off;
a document that declares entities is refused outright. Leading whitespace or
a byte-order mark before ``<?xml`` (Strava exports) is stripped first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from heavylegs_core.base.errors import UserError
from heavylegs_core.io.importers._base import ImportResult, ReadContext, Source
from heavylegs_core.io.importers.sports import is_transition, sport_of

FIT_EPOCH_LIMIT = 0x10000000  # FIT date_time values below this are relative (seconds since power-on)
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)  # FIT date_time 0
STRAVA_GPX_TYPES = {"9": "run", "1": "ride"}


# ----------------------------------------------------------------- XML safety

_ROOT = re.compile(rb"<[A-Za-z_]")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def strip_xml_lead(data: bytes) -> bytes:
    """``data`` without a UTF-8 byte-order mark and whitespace before ``<?xml``."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()


def refuse_entities(prologue: bytes, where: str) -> None:
    """Raise if the XML prologue (before the root element) declares entities."""
    m = _ROOT.search(prologue)
    head = prologue[: m.start()] if m else prologue
    if _ENTITY.search(head):
        raise UserError(
            "refused: this XML declares entities in its DTD (<!ENTITY ...>), which can be used to "
            "blow up memory; export the file again from the app or device", where=where)


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True)


def parse_xml(data: bytes, where: str):
    """A hardened lxml parse of a small XML document (an activity file)."""
    from lxml import etree

    data = strip_xml_lead(data)
    refuse_entities(data[:65536], where)
    try:
        return etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UserError(f"not well-formed XML: {xml_error(exc)}", where=where) from None


def xml_error(exc: Exception) -> str:
    """lxml's message without its ``(<string>, line N)`` suffix."""
    return re.sub(r" \((<string>|[^()]*), line \d+\)$", "", str(exc))


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child_text(el, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return None


def _haversine_m(lat: np.ndarray, lon: np.ndarray) -> float:
    if len(lat) < 2:
        return 0.0
    r = 6371008.8
    p1, p2 = np.radians(lat[:-1]), np.radians(lat[1:])
    dphi = p2 - p1
    dlmb = np.radians(lon[1:] - lon[:-1])
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return float(np.sum(2 * r * np.arcsin(np.sqrt(np.clip(a, 0, 1)))))


def _ts(text: str | None) -> pd.Timestamp | None:
    if not text:
        return None
    try:
        t = pd.Timestamp(text)
    except ValueError:
        return None
    return t.tz_localize("UTC") if t.tzinfo is None else t


def _hr_stats(values: list[float]) -> tuple[float, float]:
    hr = np.array([v for v in values if v and v > 0], dtype="float64")
    if not len(hr):
        return math.nan, math.nan
    return float(hr.mean()), float(hr.max())


def _row(start: pd.Timestamp, tz: str, sport: str, duration_s: float, distance_m: float,
         avg_hr: float, max_hr: float, name: str | None, source: str) -> dict[str, object]:
    local = start.tz_convert(tz)
    return {
        "start": local.isoformat(), "date": pd.Timestamp(local.date()), "sport": sport,
        "duration_min": duration_s / 60.0,
        "distance_km": distance_m / 1000.0 if distance_m is not None else math.nan,
        "avg_hr": avg_hr, "max_hr": max_hr, "name": name, "source": source,
    }


def _result(rows: list[dict[str, object]]) -> ImportResult:
    return ImportResult(sessions=pd.DataFrame(rows))


# ------------------------------------------------------------------------ GPX

def is_gpx(head: bytes, path: Path) -> bool:
    """GPX: an XML document whose root element is ``<gpx``."""
    h = strip_xml_lead(head)
    return h.startswith(b"<") and re.search(rb"<gpx[\s>]", h) is not None


def read_gpx(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from a GPX file: one per ``<trk>`` that has timed points."""
    root = parse_xml(src.read_bytes(), src.name)
    if _local(root.tag) != "gpx":
        raise UserError("not a GPX file (the root element is not <gpx>)", where=src.name)
    meta_name = None
    for el in root:
        if _local(el.tag) == "metadata":
            meta_name = _child_text(el, "name")
    rows: list[dict[str, object]] = []
    result = ImportResult()
    for trk in (el for el in root if _local(el.tag) == "trk"):
        name = _child_text(trk, "name") or meta_name
        gtype = _child_text(trk, "type")
        sport = STRAVA_GPX_TYPES.get(gtype or "") or sport_of(gtype, name)
        times: list[pd.Timestamp] = []
        hrs: list[float] = []
        dist = 0.0
        for seg in (el for el in trk if _local(el.tag) == "trkseg"):
            lat, lon = [], []
            for pt in seg:
                if _local(pt.tag) != "trkpt":
                    continue
                try:
                    lat.append(float(pt.get("lat")))
                    lon.append(float(pt.get("lon")))
                except (TypeError, ValueError):
                    raise UserError("a track point lacks a valid lat/lon", where=src.name) from None
                t = _ts(_child_text(pt, "time"))
                if t is not None:
                    times.append(t)
                for ext in pt.iter("{*}hr"):
                    with contextlib.suppress(TypeError, ValueError):
                        hrs.append(float(ext.text))
                    break
            dist += _haversine_m(np.array(lat), np.array(lon))
        if not times:
            result.skip("GPX track without timestamps (a route, not a recorded activity)")
            continue
        avg, mx = _hr_stats(hrs)
        rows.append(_row(min(times), ctx.tz, sport, (max(times) - min(times)).total_seconds(),
                         dist, avg, mx, name, src.basename))
    if not rows and not result.skipped:
        raise UserError("GPX file holds no track (<trk>) with points", where=src.name)
    out = _result(rows)
    out.skipped = result.skipped
    return out


# ------------------------------------------------------------------------ TCX

def is_tcx(head: bytes, path: Path) -> bool:
    """TCX: an XML document whose root is ``<TrainingCenterDatabase``."""
    h = strip_xml_lead(head)
    return h.startswith(b"<") and b"<TrainingCenterDatabase" in h


def read_tcx(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from a TCX file: one per ``<Activity>``."""
    root = parse_xml(src.read_bytes(), src.name)
    rows: list[dict[str, object]] = []
    for act in root.iter("{*}Activity"):
        sport = sport_of(act.get("Sport"))
        start = _ts(_child_text(act, "Id"))
        dur = dist = 0.0
        has_dist = False
        hrs: list[float] = []
        first_lap_start = None
        for lap in (el for el in act if _local(el.tag) == "Lap"):
            first_lap_start = first_lap_start or _ts(lap.get("StartTime"))
            try:
                dur += float(_child_text(lap, "TotalTimeSeconds") or "nan")
            except ValueError:
                raise UserError("a lap's TotalTimeSeconds is not a number", where=src.name) from None
            d = _child_text(lap, "DistanceMeters")
            if d:
                dist += float(d)
                has_dist = True
            for tp in lap.iter("{*}Trackpoint"):
                for hr in tp:
                    if _local(hr.tag) == "HeartRateBpm":
                        v = _child_text(hr, "Value")
                        if v:
                            hrs.append(float(v))
        start = first_lap_start or start
        if start is None or math.isnan(dur):
            raise UserError("a TCX activity lacks its start time or lap durations", where=src.name)
        avg, mx = _hr_stats(hrs)
        notes = _child_text(act, "Notes")
        rows.append(_row(start, ctx.tz, sport, dur, dist if has_dist else math.nan, avg, mx,
                         notes or act.get("Sport"), src.basename))
    if not rows:
        raise UserError("TCX file holds no <Activity>", where=src.name)
    return _result(rows)


# ------------------------------------------------------------------------ FIT

def is_fit(head: bytes, path: Path) -> bool:
    """FIT: bytes 8-11 of the header are ``.FIT``."""
    return len(head) >= 12 and head[8:12] == b".FIT" and head[0] in (12, 14)


def _fit_time(value: object) -> pd.Timestamp | None:
    """An absolute FIT ``date_time`` (seconds since 1989-12-31 UTC) as a UTC timestamp, else None."""
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= FIT_EPOCH_LIMIT:
        return pd.Timestamp(FIT_EPOCH + dt.timedelta(seconds=value))
    return None


def read_fit(src: Source, ctx: ReadContext) -> ImportResult:
    """Sessions from a FIT (or gzip-compressed FIT) activity file."""
    import fitdecode

    data = src.read_bytes()
    sessions: list[dict[str, object]] = []
    sport_names: list[str | None] = []
    records: list[tuple[object, float, float]] = []
    file_type = None
    local_anchor: tuple[dt.datetime, int] | None = None
    damage: str | None = None
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        try:
            # processor=None: skip fitdecode's per-field conversions (about 40 % faster);
            # date_time fields then stay integers and are converted by _fit_time
            with fitdecode.FitReader(io.BytesIO(data), processor=None) as reader:
                for frame in reader:
                    if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                        continue
                    name = frame.name
                    if name == "record":
                        records.append((frame.get_value("timestamp", fallback=None),
                                        frame.get_value("heart_rate", fallback=None),
                                        frame.get_value("distance", fallback=None)))
                    elif name == "session":
                        sessions.append({f: frame.get_value(f, fallback=None) for f in (
                            "start_time", "timestamp", "sport", "sub_sport", "total_timer_time",
                            "total_elapsed_time", "total_distance", "avg_heart_rate", "max_heart_rate")})
                    elif name == "sport":
                        sport_names.append(frame.get_value("name", fallback=None))
                    elif name == "file_id" and file_type is None:
                        file_type = frame.get_value("type", fallback=None)
                    elif name == "activity":
                        lt = frame.get_value("local_timestamp", fallback=None)
                        ts = frame.get_value("timestamp", fallback=None)
                        if isinstance(lt, int) and isinstance(ts, int):
                            local_anchor = (FIT_EPOCH.replace(tzinfo=None) + dt.timedelta(seconds=lt), ts)
        except fitdecode.FitError as exc:
            damage = str(exc)
        except (ValueError, KeyError, IndexError, TypeError, struct_error()) as exc:
            damage = f"{type(exc).__name__}: {exc}"
        caught = [str(w.message) for w in wlist]
    if file_type is not None and file_type != "activity":
        raise UserError(f"this FIT file is a {file_type!r} file, not an activity", where=src.name)
    if not sessions and not records:
        if damage:
            raise UserError(f"not a readable FIT activity: damaged or cut short before any session or record "
                            f"data ({damage})", where=src.name)
        raise UserError("not a readable FIT activity: no session or record data", where=src.name)
    result = ImportResult()
    if damage:
        result.warnings.append(
            f"{src.name}: the file is damaged ({damage}); kept the {len(records)} records and "
            f"{len(sessions)} session summaries read before the damage")
    for msg in dict.fromkeys(caught):
        result.warnings.append(f"{src.name}: {msg}")

    def to_abs(value: object) -> pd.Timestamp | None:
        t = _fit_time(value)
        if t is not None:
            return t
        if isinstance(value, int) and 0 <= value < FIT_EPOCH_LIMIT and local_anchor is not None:
            local = local_anchor[0] - dt.timedelta(seconds=local_anchor[1] - value)
            return pd.Timestamp(local).tz_localize(ctx.tz, ambiguous=True, nonexistent="shift_forward")
        return None

    rec_t = [to_abs(t) for t, _, _ in records]
    if any(isinstance(t, int) and t < FIT_EPOCH_LIMIT for t, _, _ in records) and local_anchor is not None:
        result.warnings.append(f"{src.name}: the device stored only relative times; the start "
                               "was taken from its local clock in time zone " + ctx.tz)
    rec_hr = np.array([h if isinstance(h, int | float) else np.nan for _, h, _ in records], dtype="float64")
    rec_epoch = np.array([t.timestamp() if t is not None else np.nan for t in rec_t], dtype="float64")
    rows: list[dict[str, object]] = []
    if len(sport_names) != len(sessions):
        sport_names = [None] * len(sessions)
    for s, label in zip(sessions, sport_names, strict=True):
        if is_transition(s["sport"]):
            result.skip("multisport transition segment")
            continue
        start = to_abs(s["start_time"])
        if start is None and len(rec_t) and rec_t[0] is not None:
            start = rec_t[0]
        if start is None:
            raise UserError("the FIT session has no usable start time", where=src.name)
        dur = s["total_timer_time"] if s["total_timer_time"] is not None else s["total_elapsed_time"]
        if dur is None:
            result.skip("FIT session without a duration")
            continue
        elapsed = s["total_elapsed_time"] or dur
        avg, mx = s["avg_heart_rate"], s["max_heart_rate"]
        if avg is None or mx is None:
            t0 = start.timestamp()
            inside = (rec_epoch >= t0) & (rec_epoch <= t0 + elapsed + 1)
            savg, smax = _hr_stats(list(rec_hr[inside & ~np.isnan(rec_hr)]))
            avg = savg if avg is None else avg
            mx = smax if mx is None else mx
        dist = s["total_distance"]
        rows.append(_row(start, ctx.tz, sport_of(s["sub_sport"] if s["sport"] is None else s["sport"]),
                         float(dur), float(dist) if dist is not None else math.nan,
                         float(avg) if avg is not None else math.nan,
                         float(mx) if mx is not None else math.nan,
                         label or str(s["sport"] or "activity").replace("_", " ").capitalize(),
                         src.basename))
    if not sessions:
        known = [(t, i) for i, t in enumerate(rec_t) if t is not None]
        if not known:
            raise UserError("the FIT records carry no usable timestamps", where=src.name)
        t0, t1 = known[0][0], known[-1][0]
        dists = [d for _, _, d in records if isinstance(d, int | float)]
        avg, mx = _hr_stats(list(rec_hr[~np.isnan(rec_hr)]))
        result.warnings.append(f"{src.name}: no session summary in the file; duration and distance "
                               "were computed from the recorded points, and the sport is unknown")
        rows.append(_row(t0, ctx.tz, "other", (t1 - t0).total_seconds(),
                         max(dists) if dists else math.nan, avg, mx, "activity", src.basename))
    out = _result(rows)
    out.skipped, out.warnings = result.skipped, result.warnings
    return out


def struct_error() -> type[Exception]:
    """``struct.error``, raised by fitdecode on some malformed files."""
    import struct

    return struct.error


# ------------------------------------------------------- FIT summary fast path

_SESSION_FIELDS = {2: "start_time", 5: "sport", 6: "sub_sport", 7: "total_elapsed_time", 8: "total_timer_time",
                   9: "total_distance", 16: "avg_heart_rate", 17: "max_heart_rate"}
_SCALE = {"total_elapsed_time": 1000.0, "total_timer_time": 1000.0, "total_distance": 100.0}
_INVALID = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


def _crc16(data: bytes, start: int, end: int) -> int:
    """The FIT file CRC (CRC-16, reflected polynomial 0xA001, start 0), byte-table version."""
    crc, table = 0, _CRC_TABLE
    for b in data[start:end]:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


def fit_summary(data: bytes) -> list[dict[str, object]] | None:
    """The ``session`` messages of a FIT activity, found by skipping every other message undecoded.

    Walks the record headers (normal and compressed-timestamp, developer fields,
    chained files) and decodes only ``file_id`` and ``session`` messages, using
    fitdecode's profile for names and scales, and checks the file CRC. Many times
    faster than a full decode; returns ``None`` on anything unexpected (CRC
    mismatch, truncation, not an activity, no session), so the caller falls
    back to the full decoder.
    Units as in the FIT profile: seconds, metres, bpm; ``start_time`` raw FIT
    seconds.
    """
    from fitdecode import profile

    sport_enum = profile.FIELD_TYPES["sport"].enum
    sub_enum = profile.FIELD_TYPES["sub_sport"].enum
    sessions: list[dict[str, object]] = []
    pos, n = 0, len(data)
    try:
        while pos < n:
            hsize = data[pos]
            if hsize not in (12, 14) or data[pos + 8:pos + 12] != b".FIT":
                return None
            end = pos + hsize + int.from_bytes(data[pos + 4:pos + 8], "little")
            if end + 2 > n:
                return None
            defs: dict[int, tuple[int, bool, list[tuple[int, int, int]], int]] = {}
            p = pos + hsize
            while p < end:
                h = data[p]
                p += 1
                if h & 0x80:
                    local = (h >> 5) & 0x03
                elif h & 0x40:
                    local = h & 0x0F
                    big = data[p + 1] == 1
                    gnum = int.from_bytes(data[p + 2:p + 4], "big" if big else "little")
                    count = data[p + 4]
                    p += 5
                    fields, size = [], 0
                    for _ in range(count):
                        fields.append((data[p], size, data[p + 1]))
                        size += data[p + 1]
                        p += 3
                    if h & 0x20:
                        dev = data[p]
                        p += 1
                        for _ in range(dev):
                            size += data[p + 1]
                            p += 3
                    defs[local] = (gnum, big, fields, size)
                    continue
                else:
                    local = h & 0x0F
                gnum, big, fields, size = defs[local]
                if gnum == 0:
                    for num, off, sz in fields:
                        if num == 0 and sz == 1 and data[p + off] != 4:
                            return None  # not an activity file
                elif gnum == 18:
                    msg: dict[str, object] = dict.fromkeys(_SESSION_FIELDS.values())
                    for num, off, sz in fields:
                        name = _SESSION_FIELDS.get(num)
                        if name is None or sz not in _INVALID:
                            continue
                        raw = int.from_bytes(data[p + off:p + off + sz], "big" if big else "little")
                        if raw == _INVALID[sz]:
                            continue
                        if name == "sport":
                            msg[name] = sport_enum.get(raw, raw)
                        elif name == "sub_sport":
                            msg[name] = sub_enum.get(raw, raw)
                        else:
                            msg[name] = raw / _SCALE[name] if name in _SCALE else raw
                    sessions.append(msg)
                p += size
            stored = int.from_bytes(data[end:end + 2], "little")
            if stored and _crc16(data, pos, end) != stored:
                return None  # damaged: let the full decoder report it
            pos = end + 2
    except (IndexError, KeyError):
        return None
    return sessions or None


def read_fit_quick(src: Source, ctx: ReadContext) -> ImportResult:
    """Like :func:`read_fit`, through :func:`fit_summary` when the sessions say everything needed.

    Falls back to the full decoder when the fast path finds anything
    unexpected or a session lacks its start time, duration or heart rate.
    """
    data = src.read_bytes()
    summary = fit_summary(data)
    if summary is None:
        return read_fit(src, ctx)
    rows = []
    transitions = 0
    for s in summary:
        if is_transition(s["sport"]):
            transitions += 1
            continue
        start = _fit_time(s["start_time"])
        dur = s["total_timer_time"] if s["total_timer_time"] is not None else s["total_elapsed_time"]
        if start is None or dur is None or s["avg_heart_rate"] is None:
            return read_fit(src, ctx)
        dist = s["total_distance"]
        rows.append(_row(start, ctx.tz, sport_of(s["sub_sport"] if s["sport"] is None else s["sport"]),
                         float(dur), float(dist) if dist is not None else math.nan,  # type: ignore[arg-type]
                         float(s["avg_heart_rate"]),  # type: ignore[arg-type]
                         float(s["max_heart_rate"]) if s["max_heart_rate"] is not None else math.nan,  # type: ignore[arg-type]
                         str(s["sport"] or "activity").replace("_", " ").capitalize(), src.basename))
    if not rows:
        return read_fit(src, ctx)
    out = _result(rows)
    out.skip("multisport transition segment", transitions)
    return out
