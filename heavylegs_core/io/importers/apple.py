"""Apple Health ``export.xml`` (alone or inside ``export.zip``), streamed in bounded memory.

The file is fed in 1 MB chunks to an lxml parser with a *target* (entity
resolution, network access and DTD loading off, ``huge_tree`` off): no tree is
built, each start tag is looked at once and only sleep segments and workouts
are kept, so memory stays flat whatever the export's size (gigabytes are
common). A zip is read straight from its member, never unpacked to disk.

Security and known export bugs: the internal DTD at the top of the file is
dropped before parsing (iOS 16 shipped a malformed one); a DTD that declares
entities (``<!ENTITY``) is refused, since that is how entity-expansion
("billion laughs") attacks work, and Apple's own DTD declares none.

Sleep: ``HKCategoryTypeIdentifierSleepAnalysis`` records whose value is one of
the *Asleep* values (Core, Deep, REM, Unspecified and the legacy Asleep).
Segments are grouped into sleep periods (a gap over 2 h starts a new period);
when several sources (Watch, iPhone, third-party apps) recorded the same
period, the source with the most sleep is used and the others are counted as
skipped. Sleep hours are the union of that source's asleep intervals. The
night's date is the local wake-up date, using the record's ``HKTimeZone``
metadata when present, else the import time zone. When two periods end on
the same date the longer one is the night; the other is counted as a nap.
In-bed-only nights (no asleep data) are skipped and counted.

Workouts: ``<Workout>`` elements become sessions (``duration`` with its
``durationUnit``; distance from ``totalDistance`` or, on iOS 16+, the
``WorkoutStatistics`` distance sum; heart rate from its statistics).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from typing import IO

import pandas as pd

from heavylegs_core.base.errors import UserError
from heavylegs_core.io.importers._base import ImportResult, ReadContext, Source
from heavylegs_core.io.importers.activity import refuse_entities, xml_error
from heavylegs_core.io.importers.sports import sport_of

SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
ASLEEP = frozenset({
    "HKCategoryValueSleepAnalysisAsleep", "HKCategoryValueSleepAnalysisAsleepUnspecified",
    "HKCategoryValueSleepAnalysisAsleepCore", "HKCategoryValueSleepAnalysisAsleepDeep",
    "HKCategoryValueSleepAnalysisAsleepREM",
})
IN_BED = "HKCategoryValueSleepAnalysisInBed"
PERIOD_GAP_S = 2 * 3600
MAX_PROLOGUE = 4 * 1024 * 1024
DURATION_UNIT_S = {"min": 60.0, "s": 1.0, "sec": 1.0, "hr": 3600.0, "h": 3600.0}
DISTANCE_UNIT_KM = {"km": 1.0, "m": 0.001, "mi": 1.609344, "yd": 0.0009144, "ft": 0.0003048}
_ROOT = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class _Prologue:
    """A byte stream that drops the DTD before the root element (and refuses entity declarations)."""

    def __init__(self, raw: IO[bytes], where: str, ctx: ReadContext, size: int | None):
        self.raw, self.where, self.ctx, self.size = raw, where, ctx, size
        self.read_bytes = 0
        self.next_report = 0
        buf = b""
        while True:
            chunk = raw.read(65536)
            buf += chunk
            start = buf.lstrip()
            m = _ROOT.search(buf)
            if m or not chunk:
                break
            if len(buf) > MAX_PROLOGUE:
                raise UserError("refused: the XML prologue (DTD) is larger than 4 MB", where=where)
        head = buf[: m.start()] if m else buf
        refuse_entities(head + b"<x", where)
        d = _DOCTYPE.search(head)
        if d:
            head = head[: d.start()]
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        self.pending = start + (buf[m.start():] if m else b"")
        self.read_bytes = len(buf)

    def read(self, n: int = -1) -> bytes:
        if self.pending:
            out, self.pending = self.pending, b""
            return out
        data = self.raw.read(n if n and n > 0 else 1 << 20)
        self.read_bytes += len(data)
        if self.ctx.progress is not None and self.read_bytes >= self.next_report:
            self.next_report = self.read_bytes + (32 << 20)
            self.ctx.progress(self.read_bytes, self.size or 0, f"{self.where}: reading")
        return data


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None


class _Collector:
    """lxml parser target: sees every start tag, keeps only sleep segments and workouts (no tree)."""

    def __init__(self) -> None:
        self.segments: list[list[object]] = []
        self.current: list[object] | None = None
        self.in_bed = 0
        self.bad_dates = 0
        self.workouts: list[tuple[dict[str, str], list[dict[str, str]]]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "Record":
            self.current = None
            if attrib.get("type") == SLEEP_TYPE:
                value = attrib.get("value")
                if value in ASLEEP:
                    s, e = _time(attrib.get("startDate")), _time(attrib.get("endDate"))
                    if s is None or e is None:
                        self.bad_dates += 1
                    else:
                        self.current = [s.timestamp(), e.timestamp(), attrib.get("sourceName") or "?", None]
                        self.segments.append(self.current)
                elif value == IN_BED:
                    self.in_bed += 1
        elif tag == "MetadataEntry":
            if self.current is not None and attrib.get("key") == "HKTimeZone":
                self.current[3] = attrib.get("value")
        elif tag == "Workout":
            self.current = None
            self.workouts.append((dict(attrib), []))
        elif tag == "WorkoutStatistics":
            if self.workouts:
                self.workouts[-1][1].append(dict(attrib))
        elif tag in ("Correlation", "ActivitySummary", "ClinicalRecord", "Audiogram", "VisionPrescription"):
            self.current = None

    def close(self) -> None:
        return None


def read_apple(src: Source, ctx: ReadContext) -> ImportResult:
    """Nights (and workouts) from an Apple Health export, streamed."""
    from lxml import etree

    result = ImportResult()
    collector = _Collector()
    parser = etree.XMLParser(target=collector, resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    with src.open() as raw:
        stream = _Prologue(raw, src.name, ctx, src.size)
        try:
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                parser.feed(chunk)
            parser.close()
        except etree.XMLSyntaxError as exc:
            raise UserError(f"not well-formed XML: {xml_error(exc)}", where=src.name) from None
    if collector.bad_dates:
        result.warnings.append(
            f"{src.name}: {collector.bad_dates} sleep records with unreadable dates were left out")
        result.skip("Apple sleep record with an unreadable date", collector.bad_dates)
    segments = [(float(s), float(e), str(k), z) for s, e, k, z in collector.segments]  # type: ignore[arg-type]
    result.nights = _nights(segments, ctx, src, result, collector.in_bed)
    rows = [w for w in (_workout(a, stats, ctx, src.basename) for a, stats in collector.workouts) if w]
    if rows:
        result.sessions = pd.DataFrame(rows)
    return result


def _workout(el: dict[str, str], stats: list[dict[str, str]], ctx: ReadContext,
             source: str) -> dict[str, object]:
    start = _time(el.get("startDate"))
    end = _time(el.get("endDate"))
    if start is None:
        return {}
    dur_s = math.nan
    if el.get("duration"):
        unit = DURATION_UNIT_S.get(el.get("durationUnit") or "min")
        dur_s = float(el["duration"]) * unit if unit else math.nan
    elif end is not None:
        dur_s = (end - start).total_seconds()
    dist_km = math.nan
    if el.get("totalDistance"):
        unit = DISTANCE_UNIT_KM.get(el.get("totalDistanceUnit") or "km")
        dist_km = float(el["totalDistance"]) * unit if unit else math.nan
    avg_hr = max_hr = math.nan
    for stat in stats:
        kind = stat.get("type") or ""
        if "Distance" in kind and stat.get("sum") and math.isnan(dist_km):
            unit = DISTANCE_UNIT_KM.get(stat.get("unit") or "km")
            dist_km = float(stat["sum"]) * unit if unit else math.nan
        if kind.endswith("HeartRate"):
            avg_hr = float(stat.get("average") or "nan")
            max_hr = float(stat.get("maximum") or "nan")
    local = pd.Timestamp(start).tz_convert(ctx.tz)
    atype = (el.get("workoutActivityType") or "").removeprefix("HKWorkoutActivityType")
    return {"start": local.isoformat(), "date": pd.Timestamp(local.date()),
            "sport": sport_of(atype), "duration_min": dur_s / 60.0, "distance_km": dist_km,
            "avg_hr": avg_hr, "max_hr": max_hr, "name": atype or "Workout",
            "source": source}


def _union_s(intervals: list[tuple[float, float]]) -> tuple[float, float]:
    total = 0.0
    cur_s = cur_e = None
    last_end = -math.inf
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
        last_end = max(last_end, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total, last_end


def _nights(segments: list[tuple[float, float, str, str | None]], ctx: ReadContext, src: Source,
            result: ImportResult, in_bed: int) -> pd.DataFrame:
    cols = ["date", "sleep_h", "quality", "source"]
    if not segments:
        if in_bed:
            result.skip("Apple in-bed record without asleep data", in_bed)
        return pd.DataFrame(columns=cols)
    segments.sort()
    periods: list[list[tuple[float, float, str, str | None]]] = [[segments[0]]]
    end = segments[0][1]
    for seg in segments[1:]:
        if seg[0] - end > PERIOD_GAP_S:
            periods.append([seg])
        else:
            periods[-1].append(seg)
        end = max(end, seg[1])
    best: dict[dt.date, float] = {}
    for period in periods:
        by_source: dict[str, list[tuple[float, float]]] = {}
        zones: dict[str, str | None] = {}
        for s, e, source, tzname in period:
            by_source.setdefault(source, []).append((s, e))
            zones[source] = zones.get(source) or tzname
        unions = {k: _union_s(v) for k, v in by_source.items()}
        chosen = max(unions, key=lambda k: unions[k][0])
        result.skip("Apple sleep segments of a second source for the same night (one source is used)",
                    sum(len(v) for k, v in by_source.items() if k != chosen))
        total, last_end = unions[chosen]
        zone = _zone(zones[chosen], ctx.tz)
        day = dt.datetime.fromtimestamp(last_end, tz=zone).date()
        if day in best:
            result.skip("nap or extra sleep period (the longest period of the day is kept)")
            best[day] = max(best[day], total)
        else:
            best[day] = total
    return pd.DataFrame({"date": [pd.Timestamp(d) for d in best],
                         "sleep_h": [v / 3600.0 for v in best.values()],
                         "quality": math.nan, "source": src.basename}, columns=cols)


def _zone(name: str | None, default: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or default)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(default)
