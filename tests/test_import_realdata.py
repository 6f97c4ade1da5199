"""Every real file in tests/data/realdata imports with the right sport, date, duration, distance and HR.

Expected values are read independently of the importers: FIT with fitdecode's
raw frames plus the figures stated in MANIFEST.md, GPX with gpxpy, TCX with
the standard library's ElementTree.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import fitdecode
import gpxpy
import pytest

from heavylegs_core.io.importers import load_sources

REAL = Path(__file__).parent / "data" / "realdata"
NS = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}

# (file, sport, date, distance km) as stated in MANIFEST.md / formats.md section 5
MANIFEST = [
    ("fitparse__2013-02-06-12-11-14.fit", "run", "2013-02-06", 4.8),
    ("fitparse__activity-small-fenix2-run.fit", "run", "2015-08-15", 9.0),
    ("fitparse__developer-types-sample.fit", "run", "2017-01-17", 6.75),
    ("fitparse__compressed-speed-distance.fit", "run", None, 10.2),
    ("fitparse__strava-android-app-201.10-b1218918.fit", "run", "2021-09-27", 11.27),
    ("runpandas__run.fit", "run", "2019-09-14", 5.84),
]


def _fit_sessions(path: Path) -> tuple[list[dict], list[tuple]]:
    sessions, records = [], []
    try:
        with fitdecode.FitReader(str(path)) as reader:
            for fr in reader:
                if isinstance(fr, fitdecode.FitDataMessage):
                    if fr.name == "session":
                        sessions.append({f.name: f.value for f in fr.fields})
                    elif fr.name == "record":
                        records.append((fr.get_value("timestamp", fallback=None),
                                        fr.get_value("heart_rate", fallback=None)))
    except fitdecode.FitError:
        pass
    return sessions, records


@pytest.mark.parametrize(("name", "sport", "date", "km"), MANIFEST)
def test_fit_matches_manifest(name, sport, date, km):
    res = load_sources([REAL / "fit" / name])
    assert len(res.sessions) == 1
    s = res.sessions.iloc[0]
    assert s["sport"] == sport
    if date:
        assert s["date"] == dt.datetime.fromisoformat(date)
    # the manifest rounds to its last digit: allow that rounding plus 1 %
    assert s["distance_km"] == pytest.approx(km, rel=0.01, abs=0.05)


@pytest.mark.parametrize("path", sorted((REAL / "fit").glob("*.fit")), ids=lambda p: p.name)
def test_fit_matches_raw_frames(path):
    res = load_sources([path])
    expected, records = _fit_sessions(path)
    kept = [e for e in expected if e["sport"] != "transition"]
    assert len(res.sessions) == len(kept)
    for s, e in zip(res.sessions.itertuples(), kept, strict=True):
        assert s.duration_min == pytest.approx(e["total_timer_time"] / 60, rel=0.01)
        assert s.distance_km == pytest.approx(e["total_distance"] / 1000, rel=0.01, abs=1e-6)
        if isinstance(e["start_time"], dt.datetime):
            assert s.start == e["start_time"].isoformat()
        hr = e.get("avg_heart_rate")
        if hr is None:
            samples = [h for t, h in records if h]
            if samples:  # single-session files: the mean of the recorded samples
                assert s.avg_hr == pytest.approx(sum(samples) / len(samples), abs=1.0)
            else:
                assert s.avg_hr != s.avg_hr  # NaN: no heart rate in the file
        else:
            assert s.avg_hr == hr
            assert s.max_hr == e["max_heart_rate"]


def test_chained_multisport_fit_is_read_to_the_end():
    res = load_sources([REAL / "fit" / "fitparse__sample_mulitple_header.fit"])
    assert list(res.sessions["sport"]) == ["swim", "ride", "run"]
    assert res.skipped == {"multisport transition segment": 2}


def test_compressed_timestamp_fit_gets_its_date_from_the_device_clock():
    res = load_sources([REAL / "fit" / "fitparse__compressed-speed-distance.fit"], tz="Europe/Oslo")
    s = res.sessions.iloc[0]
    assert s["date"] == dt.datetime(2012, 2, 13)
    assert any("relative times" in w for w in res.warnings)


def test_corrupt_strava_fit_keeps_what_was_read_and_says_so():
    res = load_sources([REAL / "fit" / "fitparse__strava-android-app-201.10-b1218918.fit"])
    s = res.sessions.iloc[0]
    assert s["duration_min"] == pytest.approx(3558 / 60)
    assert len(res.warnings) == 1
    assert "damaged" in res.warnings[0]
    assert "473 records" in res.warnings[0]


def test_truncated_fit_keeps_the_records_before_the_cut(tmp_path):
    data = (REAL / "fit" / "runpandas__run.fit").read_bytes()
    cut = tmp_path / "cut.fit"
    cut.write_bytes(data[: len(data) // 2])
    res = load_sources([cut])
    s = res.sessions.iloc[0]
    assert s["date"] == dt.datetime(2019, 9, 14)
    assert 0 < s["duration_min"] < 52.8
    assert any("damaged" in w for w in res.warnings)


def test_fit_gz_reads_like_fit(tmp_path):
    src = REAL / "fit" / "runpandas__run.fit"
    gz = tmp_path / "12246019233.fit.gz"
    with src.open("rb") as fin, gzip.open(gz, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    a = load_sources([src]).sessions
    b = load_sources([gz]).sessions
    cols = ["start", "sport", "duration_min", "distance_km", "avg_hr"]
    assert a[cols].equals(b[cols])


@pytest.mark.parametrize("path", sorted((REAL / "gpx").glob("*.gpx")), ids=lambda p: p.name)
def test_gpx_matches_gpxpy(path):
    gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
    res = load_sources([path])
    assert len(res.sessions) == 1
    s = res.sessions.iloc[0]
    assert s["sport"] == "run"
    start, end = gpx.get_time_bounds()
    assert s["date"] == dt.datetime(start.year, start.month, start.day)
    assert s["duration_min"] == pytest.approx((end - start).total_seconds() / 60, rel=0.01)
    assert s["distance_km"] == pytest.approx(gpx.length_2d() / 1000, rel=0.01)
    hrs = [float(e.text) for trk in gpx.tracks for seg in trk.segments for p in seg.points
           for ext in p.extensions for e in ext.iter() if e.tag.endswith("}hr")]
    if hrs:
        assert s["avg_hr"] == pytest.approx(sum(hrs) / len(hrs), rel=0.01)
        assert s["max_hr"] == max(hrs)
    else:
        assert s["avg_hr"] != s["avg_hr"]


@pytest.mark.parametrize("path", sorted((REAL / "tcx").glob("*.tcx")), ids=lambda p: p.name)
def test_tcx_matches_elementtree(path):
    root = ET.fromstring(path.read_bytes())
    laps = root.findall(".//t:Lap", NS)
    secs = sum(float(lap.find("t:TotalTimeSeconds", NS).text) for lap in laps)
    metres = sum(float(lap.find("t:DistanceMeters", NS).text) for lap in laps)
    hrs = [float(v.text) for v in root.findall(".//t:Trackpoint/t:HeartRateBpm/t:Value", NS)]
    first = dt.datetime.fromisoformat(laps[0].get("StartTime"))
    res = load_sources([path])
    s = res.sessions.iloc[0]
    assert s["sport"] == "run"
    assert s["date"] == dt.datetime(first.year, first.month, first.day)
    assert s["duration_min"] == pytest.approx(secs / 60, rel=0.01)
    assert s["distance_km"] == pytest.approx(metres / 1000, rel=0.01)
    assert s["avg_hr"] == pytest.approx(sum(hrs) / len(hrs), rel=0.01)


def test_strava_whitespace_before_xml_declaration(tmp_path):
    for sub, name in (("tcx", "tcxparser__test.tcx"), ("gpx", "runpandas__strava_export.gpx")):
        data = (REAL / sub / name).read_bytes()
        padded = tmp_path / name
        padded.write_bytes(b"          " + data)
        a = load_sources([REAL / sub / name]).sessions
        b = load_sources([padded]).sessions
        assert a["distance_km"].iloc[0] == b["distance_km"].iloc[0]


def test_date_follows_the_athletes_time_zone():
    path = REAL / "tcx" / "tcxparser__test.tcx"  # starts 2012-12-26T21:29:53Z
    assert load_sources([path], tz="Asia/Tokyo").sessions["date"].iloc[0] == dt.datetime(2012, 12, 27)
    assert load_sources([path], tz="Asia/Tokyo").sessions["start"].iloc[0] == "2012-12-27T06:29:53+09:00"


@pytest.mark.parametrize("path", sorted((REAL / "fit").glob("*.fit")), ids=lambda p: p.name)
def test_fit_fast_path_agrees_with_full_decode(path):
    from heavylegs_core.io.importers._base import ReadContext, file_source
    from heavylegs_core.io.importers.activity import (
        fit_summary,
        read_fit,
        read_fit_quick,
    )

    cols = ["start", "sport", "duration_min", "distance_km", "avg_hr", "max_hr"]
    full = read_fit(file_source(path), ReadContext()).sessions[cols]
    quick = read_fit_quick(file_source(path), ReadContext()).sessions[cols]
    assert quick.equals(full)
    summary = fit_summary(path.read_bytes())
    if "strava-android" in path.name:
        assert summary is None  # damaged: the full decoder reports it
    else:
        assert summary is not None


def test_fit_fast_path_refuses_a_flipped_byte(tmp_path):
    from heavylegs_core.io.importers.activity import fit_summary

    data = bytearray((REAL / "fit" / "runpandas__run.fit").read_bytes())
    data[len(data) // 2] ^= 0xFF
    assert fit_summary(bytes(data)) is None
