"""The bad-input cases: how each file is made and the message it must produce."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests import import_fixtures as fx

REAL_FIT = fx.REAL / "fit" / "runpandas__run.fit"
GPX_HEAD = ('<?xml version="1.0"?>\n<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">')
TCX_HEAD = ('<?xml version="1.0"?>\n<TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">')
GARMIN_CSV_HEAD = "Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR,Max HR\n"
WHOOP_SLEEP_HEAD = ("Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Sleep performance %,"
                    "Asleep duration (min),In bed duration (min),Nap\n")
WHOOP_WORKOUT_HEAD = ("Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end time,"
                      "Duration (min),Activity name,Max HR (bpm),Average HR (bpm),Distance (meters)\n")
OURA_HEAD = "id;bedtime_end;bedtime_start;day;total_sleep_duration;type\n"


@dataclass(frozen=True)
class Case:
    """``make(folder)`` writes the input(s) and returns the arguments; ``expected`` are stderr lines."""

    name: str
    make: Callable[[Path], list[str]]
    expected: tuple[str, ...]


CASES: list[Case] = []


def case(name: str, *expected: str) -> Callable[[Callable[[Path], list[str]]], Callable[[Path], list[str]]]:
    def wrap(make: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        CASES.append(Case(name, make, tuple(expected)))
        return make
    return wrap


def _write(folder: Path, name: str, data: str | bytes) -> list[str]:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_bytes(data)
    return [str(p)]


E = "heavylegs: error: {dir}/"


# ------------------------------------------------------------- unreadable files

@case("missing file", E + "nothing.fit: no such file or folder")
def _(d: Path) -> list[str]:
    return [str(d / "nothing.fit")]


@case("empty file", E + "empty.csv: the file is empty")
def _(d: Path) -> list[str]:
    return _write(d, "empty.csv", b"")


@case("binary garbage", E + "garbage.bin: unrecognised file: not a training or sleep export heavylegs can read "
      "(see 'heavylegs import --help' for the formats)")
def _(d: Path) -> list[str]:
    return _write(d, "garbage.bin", bytes(range(256)) * 4)


@case("plain text", E + "notes.txt: unrecognised file: not a training or sleep export heavylegs can read "
      "(see 'heavylegs import --help' for the formats)")
def _(d: Path) -> list[str]:
    return _write(d, "notes.txt", "ran 5 km today, legs heavy\n")


@case("unknown JSON", E + "data.json: unrecognised file: not a training or sleep export heavylegs can read "
      "(see 'heavylegs import --help' for the formats)")
def _(d: Path) -> list[str]:
    return _write(d, "data.json", json.dumps({"steps": [1, 2, 3]}))


@case("CSV with no usable columns",
      E + "weights.csv: this CSV has no usable columns (found 'exercise', 'kg', 'reps'): a training CSV needs a "
      "date column (date or start) and a duration column (duration_min, time) or a distance column (distance_km)")
def _(d: Path) -> list[str]:
    return _write(d, "weights.csv", "exercise,kg,reps\nsquat,80,5\n")


@case("folder without any export", E + "empty_folder: no training or sleep export found in this folder or zip")
def _(d: Path) -> list[str]:
    (d / "empty_folder").mkdir()
    (d / "empty_folder" / "readme.txt").write_text("nothing here", encoding="utf-8")
    return [str(d / "empty_folder")]


@case("two bad files report two lines", E + "a.csv: the file is empty", E + "b.csv: the file is empty")
def _(d: Path) -> list[str]:
    return _write(d, "a.csv", b"") + _write(d, "b.csv", b"")


# ------------------------------------------------------------------------- FIT

@case("FIT header only", E + "header.fit: not a readable FIT activity: damaged or cut short before any session or "
      "record data (expected 1 bytes, got 0 @ 14)")
def _(d: Path) -> list[str]:
    data = REAL_FIT.read_bytes()
    return _write(d, "header.fit", data[: data[0]])


@case("FIT cut inside the first messages",
      E + "cut.fit: not a readable FIT activity: damaged or cut short before any session or record data "
      "(expected 4 bytes, got 0 @ 50)")
def _(d: Path) -> list[str]:
    return _write(d, "cut.fit", REAL_FIT.read_bytes()[:50])


@case("gzip file cut short", E + "run.fit.gz: cannot decompress this file: Compressed file ended before the "
      "end-of-stream marker was reached")
def _(d: Path) -> list[str]:
    return _write(d, "run.fit.gz", gzip.compress(REAL_FIT.read_bytes())[:5000])


# --------------------------------------------------------------------- GPX / TCX

@case("GPX not well-formed", E + "broken.gpx: not well-formed XML: Opening and ending tag mismatch: trkseg line 2 "
      "and gpx, line 2, column 93")
def _(d: Path) -> list[str]:
    return _write(d, "broken.gpx", GPX_HEAD + "<trk><trkseg></gpx>")


@case("GPX without tracks", E + "route.gpx: GPX file holds no track (<trk>) with points")
def _(d: Path) -> list[str]:
    return _write(d, "route.gpx", GPX_HEAD + "<wpt lat='1' lon='2'/></gpx>")


@case("GPX point without latitude", E + "nolat.gpx: a track point lacks a valid lat/lon")
def _(d: Path) -> list[str]:
    return _write(d, "nolat.gpx", GPX_HEAD + "<trk><trkseg><trkpt lon='2'><time>2024-01-01T10:00:00Z</time>"
                  "</trkpt></trkseg></trk></gpx>")


@case("GPX external entity (XXE)", E + "xxe.gpx: refused: this XML declares entities in its DTD (<!ENTITY ...>), "
      "which can be used to blow up memory; export the file again from the app or device")
def _(d: Path) -> list[str]:
    return _write(d, "xxe.gpx", '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                  '<gpx version="1.1"><trk><name>&x;</name></trk></gpx>')


@case("GPX billion laughs", E + "lol.gpx: refused: this XML declares entities in its DTD (<!ENTITY ...>), "
      "which can be used to blow up memory; export the file again from the app or device")
def _(d: Path) -> list[str]:
    ents = "".join(f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10)) if i else "lol"}">'
                   for i in range(10))
    return _write(d, "lol.gpx", f'<?xml version="1.0"?>\n<!DOCTYPE gpx [{ents}]>\n<gpx><trk><name>&l9;</name>'
                  "</trk></gpx>")


@case("TCX not well-formed", E + "broken.tcx: not well-formed XML: Premature end of data in tag "
      "TrainingCenterDatabase line 2, line 2, column 92")
def _(d: Path) -> list[str]:
    return _write(d, "broken.tcx", TCX_HEAD)


@case("TCX without activities", E + "empty.tcx: TCX file holds no <Activity>")
def _(d: Path) -> list[str]:
    return _write(d, "empty.tcx", TCX_HEAD + "<Activities/></TrainingCenterDatabase>")


@case("TCX lap time not a number", E + "lap.tcx: a lap's TotalTimeSeconds is not a number")
def _(d: Path) -> list[str]:
    return _write(d, "lap.tcx", TCX_HEAD + '<Activities><Activity Sport="Running"><Id>2024-01-01T10:00:00Z</Id>'
                  '<Lap StartTime="2024-01-01T10:00:00Z"><TotalTimeSeconds>forty</TotalTimeSeconds></Lap>'
                  "</Activity></Activities></TrainingCenterDatabase>")


@case("TCX 40-hour run", E + "long.tcx: impossible value 2400 in field duration_min (a session lasts from 0 to "
      "30 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "long.tcx", fx.tcx_text(fx.dt.datetime(2024, 1, 1, 10), 2400, 300, lead=""))


# ----------------------------------------------------------------------- zips

@case("zip bomb", E + "bomb.zip: refused: member 'zeros.csv' is compressed 1029 times (over 400), which looks "
      "like a zip bomb")
def _(d: Path) -> list[str]:
    p = d / "bomb.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, zf.open("zeros.csv", "w") as fh:
        block = b"\0" * (1 << 20)
        for _ in range(24):
            fh.write(block)
    return [str(p)]


@case("zip path traversal", E + "evil.zip: refused: member name '../../etc/cron.d/x.csv' points outside the "
      "archive (path traversal)")
def _(d: Path) -> list[str]:
    p = d / "evil.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("activities.csv", "date,duration_min\n2024-01-01,30\n")
        zf.writestr("../../etc/cron.d/x.csv", "x")
    return [str(p)]


@case("zip absolute member name", E + "abs.zip: refused: member name '/tmp/x.gpx' points outside the archive "
      "(path traversal)")
def _(d: Path) -> list[str]:
    p = d / "abs.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("/tmp/x.gpx", "<gpx/>")
    return [str(p)]


@case("zip damaged", E + "damaged.zip: not a readable zip archive: File is not a zip file")
def _(d: Path) -> list[str]:
    return _write(d, "damaged.zip", b"PK\x03\x04" + b"\x00" * 200)


@case("bad file inside a zip is named by its member path",
      E + "export.zip/activities/1.gpx: GPX file holds no track (<trk>) with points")
def _(d: Path) -> list[str]:
    p = d / "export.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("activities/1.gpx", GPX_HEAD + "</gpx>")
    return [str(p)]


# ---------------------------------------------------------------- generic CSV

@case("negative duration", E + "log.csv:3: impossible value -30 in field duration_min (a session lasts from 0 "
      "to 30 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min\n2024-01-01,run,30\n2024-01-02,run,-30\n")


@case("40-hour run in a CSV", E + "log.csv:2: impossible value 2400 in field duration_min (a session lasts from "
      "0 to 30 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min\n2024-01-01,run,2400\n")


@case("unreadable date", E + "log.csv:3: cannot read the date 'yesterday' in column 'date': use a form such as "
      "2024-05-22 08:19:26")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min\n2024-01-01,run,30\nyesterday,run,30\n")


@case("impossible month", E + "log.csv:2: cannot read the date '2024-13-01' in column 'date': use a form such as "
      "2024-05-22 08:19:26")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min\n2024-13-01,run,30\n")


@case("duration not a number", E + "log.csv:2: cannot read the duration 'half an hour' in column 'duration_min'")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min\n2024-01-01,run,half an hour\n")


@case("heart rate out of range", E + "log.csv:2: impossible value 400 in field avg_hr (heart rate lies between 20 "
      "and 250 bpm)")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min,avg_hr\n2024-01-01,run,30,400\n")


@case("RPE beyond CR-10", E + "log.csv:2: impossible value 15 in field rpe (RPE is on the CR-10 scale, 0 to 10)")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min,rpe\n2024-01-01,run,30,15\n")


@case("negative distance", E + "log.csv:2: impossible value -5 in field distance_km (a session covers from 0 to "
      "1000 km)")
def _(d: Path) -> list[str]:
    return _write(d, "log.csv", "date,sport,duration_min,distance_km\n2024-01-01,run,30,-5\n")


# ---------------------------------------------------------------- vendor CSVs

@case("Strava date unreadable", E + "activities.csv:2: cannot read the date 'someday' in column 'Activity Date': "
      "use a form such as 2024-05-22 08:19:26")
def _(d: Path) -> list[str]:
    row = fx.strava_row(id=1, date="someday", name="Run", type="Run", elapsed=1800, distance_display="5.00")
    return _write(d, "activities.csv", fx.csv_text(fx.STRAVA_HEADER, [row]))


@case("Strava distance with a unit", E + "activities.csv:2: cannot read the number '12km' in column 'Distance'")
def _(d: Path) -> list[str]:
    row = fx.strava_row(id=1, date="22 May 2024, 08:19:26", name="Run", type="Run", elapsed=1800,
                        distance_display="12km")
    return _write(d, "activities.csv", fx.csv_text(fx.STRAVA_HEADER, [row]))


@case("Garmin CSV distance not a number", E + "Activities.csv:2: cannot read the number 'far' in column 'Distance'")
def _(d: Path) -> list[str]:
    return _write(d, "Activities.csv", GARMIN_CSV_HEAD + 'Running,2024-09-07 15:13:23,false,"Run","far","900",'
                  '"01:00:00","150","170"\n')


@case("Garmin CSV date unreadable", E + "Activities.csv:2: cannot read the date '07/09/2024 25:61' in column "
      "'Date': use a form such as 2024-05-22 08:19:26")
def _(d: Path) -> list[str]:
    return _write(d, "Activities.csv", GARMIN_CSV_HEAD + 'Running,07/09/2024 25:61,false,"Run","5","900",'
                  '"01:00:00","150","170"\n')


@case("Whoop unknown time zone", E + "sleeps.csv:2: cannot read the time zone 'Mars/Olympus' in column "
      "'Cycle timezone'")
def _(d: Path) -> list[str]:
    return _write(d, "sleeps.csv", WHOOP_SLEEP_HEAD + "2024-05-02 23:10:00,,Mars/Olympus,2024-05-02 23:10:00,"
                  "2024-05-03 06:40:00,91,420,450,false\n")


@case("Whoop sleep over 24 hours", E + "sleeps.csv:2: impossible value 25 in field sleep_h (a night's sleep lasts "
      "from 0 to 24 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "sleeps.csv", WHOOP_SLEEP_HEAD + "2024-05-02 23:10:00,,UTC+01:00,2024-05-02 23:10:00,"
                  "2024-05-03 06:40:00,91,1500,1510,false\n")


@case("Whoop workout negative duration", E + "workouts.csv:2: impossible value -45 in field duration_min (a session "
      "lasts from 0 to 30 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "workouts.csv", WHOOP_WORKOUT_HEAD + "2024-05-02 23:10:00,,UTC-04:00,2024-05-03 18:00:00,"
                  "2024-05-03 18:45:00,-45,Running,181,152,8000\n")


@case("Oura duration not a number", E + "sleepmodel.csv:2: cannot read the number 'long' in column "
      "'total_sleep_duration'")
def _(d: Path) -> list[str]:
    return _write(d, "sleepmodel.csv", OURA_HEAD + "a;2024-06-01T06:45:00+00:00;2024-05-31T23:15:00+00:00;"
                  "2024-06-01;long;long_sleep\n")


@case("Oura day unreadable", E + "sleepmodel.csv:2: cannot read the date '01.06.24' in column 'day': use "
      "YYYY-MM-DD")
def _(d: Path) -> list[str]:
    return _write(d, "sleepmodel.csv", OURA_HEAD + "a;2024-06-01T06:45:00+00:00;2024-05-31T23:15:00+00:00;"
                  "01.06.24;25200;long_sleep\n")


# ----------------------------------------------------------------------- JSON

@case("Garmin sleep JSON cut short", E + "x_sleepData.json: not valid JSON: Expecting ',' delimiter: line 1 "
      "column 101 (char 100)")
def _(d: Path) -> list[str]:
    text = json.dumps([fx.garmin_night("2024-05-02", 3600, 14400, 5400)])
    return _write(d, "x_sleepData.json", text[:100])


@case("Garmin sleep over 24 hours", E + "x_sleepData.json:1: impossible value 27.7778 in field sleep_h (a night's "
      "sleep lasts from 0 to 24 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "x_sleepData.json", json.dumps([fx.garmin_night("2024-05-02", 50000, 50000, 0)]))


@case("Garmin sleep negative seconds", E + "x_sleepData.json:2: impossible value -1 in field sleep_h (a night's "
      "sleep lasts from 0 to 24 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "x_sleepData.json", json.dumps([fx.garmin_night("2024-05-02", 3600, 14400, 5400),
                                                     fx.garmin_night("2024-05-03", -3600, 0, 0)]))


@case("Garmin sleep date unreadable", E + "x_sleepData.json:1: cannot read the date 'May 2' in field calendarDate: "
      "use YYYY-MM-DD")
def _(d: Path) -> list[str]:
    return _write(d, "x_sleepData.json", json.dumps([fx.garmin_night("May 2", 3600, 14400, 5400)]))


@case("Garmin activity without start", E + "me_summarizedActivities.json:1: the activity has no startTimeGmt")
def _(d: Path) -> list[str]:
    a = fx.garmin_activity(fx.dt.datetime(2024, 5, 2, 5), 50, 10, 150)
    del a["startTimeGmt"], a["beginTimestamp"]
    return _write(d, "me_summarizedActivities.json", fx.garmin_summarized([a]))


@case("Garmin activity negative distance", E + "me_summarizedActivities.json:1: impossible value -10 in field "
      "distance_km (a session covers from 0 to 1000 km)")
def _(d: Path) -> list[str]:
    return _write(d, "me_summarizedActivities.json",
                  fx.garmin_summarized([fx.garmin_activity(fx.dt.datetime(2024, 5, 2, 5), 50, -10, 150)]))


@case("Fitbit minutes not a number", E + "sleep-2024-05-01.json:1: field minutesAsleep holds 'lots', not a number")
def _(d: Path) -> list[str]:
    return _write(d, "sleep-2024-05-01.json", json.dumps([{"dateOfSleep": "2024-05-02", "minutesAsleep": "lots"}]))


@case("Fitbit sleep over 24 hours", E + "sleep-2024-05-01.json:1: impossible value 26.6667 in field sleep_h (a "
      "night's sleep lasts from 0 to 24 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "sleep-2024-05-01.json", json.dumps([{"dateOfSleep": "2024-05-02", "minutesAsleep": 1600}]))


# ---------------------------------------------------------------------- Apple

@case("Apple billion laughs", E + "export.xml: refused: this XML declares entities in its DTD (<!ENTITY ...>), "
      "which can be used to blow up memory; export the file again from the app or device")
def _(d: Path) -> list[str]:
    ents = "".join(f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10)) if i else "lol"}">'
                   for i in range(10))
    return _write(d, "export.xml", f'<?xml version="1.0"?>\n<!DOCTYPE HealthData [{ents}]>\n'
                  '<HealthData><Record type="&l9;"/></HealthData>')


@case("Apple export cut short", E + "export.xml: not well-formed XML: Premature end of data in tag HealthData "
      "line 2, line 3, column 2")
def _(d: Path) -> list[str]:
    text = fx.apple_export([fx.apple_night(fx.dt.date(2024, 5, 2))])
    cut = text[: text.index("<ExportDate")]
    return _write(d, "export.xml", cut)


@case("Apple export in a zip with an entity", E + "export.zip/apple_health_export/export.xml: refused: this XML "
      "declares entities in its DTD (<!ENTITY ...>), which can be used to blow up memory; export the file again "
      "from the app or device")
def _(d: Path) -> list[str]:
    p = d / "export.zip"
    buf = io.StringIO()
    buf.write('<?xml version="1.0"?>\n<!DOCTYPE HealthData [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
              "<HealthData>&x;</HealthData>")
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("apple_health_export/export.xml", buf.getvalue())
    return [str(p)]


# ------------------------------------------------------------------ canonical

CANON_HEAD = "kind,start,date,sport,duration_min,distance_km,rpe,avg_hr,max_hr,load,load_source,name,source,sleep_h,quality\n"


@case("canonical CSV unknown kind", E + "c.csv:2: unknown kind 'workout' in column kind: use session or night")
def _(d: Path) -> list[str]:
    return _write(d, "c.csv", CANON_HEAD + "workout,,2024-01-01,run,30,,,,,,,,,,\n")


@case("canonical CSV unknown sport", E + "c.csv:2: unknown sport 'jog' in column sport: use one of run, ride, "
      "swim, walk, strength, other")
def _(d: Path) -> list[str]:
    return _write(d, "c.csv", CANON_HEAD + "session,,2024-01-01,jog,30,,,,,,,,,,\n")


@case("canonical CSV bad date", E + "c.csv:3: cannot read the date '2024-02-30' in column date: use YYYY-MM-DD")
def _(d: Path) -> list[str]:
    return _write(d, "c.csv", CANON_HEAD + "night,,2024-02-28,,,,,,,,,,,7,\nnight,,2024-02-30,,,,,,,,,,,7,\n")


@case("canonical CSV sleep over 24 hours", E + "c.csv:2: impossible value 30 in field sleep_h (a night's sleep "
      "lasts from 0 to 24 hours)")
def _(d: Path) -> list[str]:
    return _write(d, "c.csv", CANON_HEAD + "night,,2024-02-28,,,,,,,,,,,30,\n")


@case("gzip bomb", E + "zeros.fit.gz: refused: decompresses to more than 10 MB, over 400 times its compressed size, "
      "which looks like a compression bomb")
def _(d: Path) -> list[str]:
    head = REAL_FIT.read_bytes()[:14]  # a valid FIT header, then megabytes of zeros
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        gz.write(head)
        block = b"\0" * (1 << 20)
        for _ in range(16):
            gz.write(block)
    return _write(d, "zeros.fit.gz", buf.getvalue())
