"""Training lists and sleep exports: Strava, Garmin, generic CSV, Fitbit, Oura, Whoop, Apple Health."""

from __future__ import annotations

import datetime as dt
import json
import math
import zipfile

import pytest

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.io.importers import load_sources
from tests import import_fixtures as fx


def _check_strava(res, truth):
    sessions = res.sessions.reset_index(drop=True)
    kept = [t for t in truth if t["minutes"] is not None]
    assert len(sessions) == len(kept)
    for (_, s), t in zip(sessions.iterrows(), kept, strict=True):
        assert s["sport"] == t["sport"]
        assert s["duration_min"] == pytest.approx(t["minutes"], rel=0.01)
        assert s["distance_km"] == pytest.approx(t["km"], rel=0.01)
        if t["hr"] is None:
            assert math.isnan(s["avg_hr"])
        else:
            assert s["avg_hr"] == pytest.approx(t["hr"], abs=0.5)
    assert res.skipped["session without a duration"] == len(truth) - len(kept)


def test_strava_folder(tmp_path):
    truth = fx.make_strava_export(tmp_path / "export", n=12)
    res = load_sources([tmp_path / "export"])
    _check_strava(res, truth)
    assert res.sessions["date"].iloc[0] == dt.datetime(2024, 5, 1)
    assert res.sessions["rpe"].iloc[0] == 6
    assert res.sessions["load_source"].iloc[0] == "srpe"
    # profile.csv is not an activity list: counted, not an error
    assert res.skipped["other table of a Strava export (activities.csv lists the activities)"] == 1


def test_strava_zip_equals_folder(tmp_path):
    fx.make_strava_export(tmp_path / "export", n=12)
    z = fx.zip_folder(tmp_path / "export", tmp_path / "export_123.zip")
    a = load_sources([tmp_path / "export"]).sessions
    b = load_sources([z]).sessions
    assert a.drop(columns="source").equals(b.drop(columns="source"))


def test_strava_activity_files_fill_missing_heart_rate(tmp_path):
    truth = fx.make_strava_export(tmp_path / "export", n=6, with_hr_columns=False, us_dates=True)
    # an export whose header has no heart-rate columns at all (old layout)
    csv_path = tmp_path / "export" / "activities.csv"
    text = csv_path.read_text(encoding="utf-8").replace("Average Heart Rate", "Average Watts Extra")
    csv_path.write_text(text, encoding="utf-8")
    res = load_sources([tmp_path / "export"])
    s = res.sessions
    assert s["avg_hr"].iloc[1] == pytest.approx(142)  # from the TCX.gz file
    assert s["avg_hr"].iloc[2] == pytest.approx(truth[2]["hr"], abs=0.5)  # from the FIT.gz file
    assert s["date"].iloc[0] == dt.datetime(2024, 5, 1)


def test_strava_csv_alone_warns_that_files_are_unreachable(tmp_path):
    fx.make_strava_export(tmp_path / "export", n=6, with_hr_columns=False)
    csv_path = tmp_path / "export" / "activities.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace("Average Heart Rate", "X"), encoding="utf-8")
    alone = tmp_path / "activities.csv"
    alone.write_bytes(csv_path.read_bytes())
    res = load_sources([alone])
    assert len(res.sessions) == 5
    assert any("without its activities/ folder" in w for w in res.warnings)


def test_strava_old_snake_case_export(tmp_path):
    (tmp_path / "activities").mkdir()
    (tmp_path / "activities" / "1.gpx").write_text(fx.gpx_text(dt.datetime(2014, 9, 12, 16, 54, 28), 30, 5.0),
                                                   encoding="utf-8")
    (tmp_path / "activities.csv").write_text(
        "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        "99,2014-09-12 16:54:28,Run,Run,,1800,5000.0,false,,activities/1.gpx\n", encoding="utf-8")
    res = load_sources([tmp_path])
    s = res.sessions.iloc[0]
    assert (s["sport"], s["duration_min"], s["distance_km"]) == ("run", 30.0, 5.0)
    assert s["avg_hr"] == 150


def test_generic_csv_miles_decimal_comma_and_missing(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("Date;Sport;Duration (min);Distance (mi);RPE;Avg HR\n"
                 "2024-03-01 07:00;Running;45;6,2;5;150\n"
                 "2024-03-02 07:00;Cycling;1.234,5;--;;\n"
                 "2024-03-03 07:00;Yoga;--;--;3;\n", encoding="utf-8")
    res = load_sources([p], tz="Europe/Oslo")
    s = res.sessions
    assert list(s["sport"]) == ["run", "ride"]
    assert s["distance_km"].iloc[0] == pytest.approx(6.2 * 1.609344)
    assert s["duration_min"].iloc[1] == pytest.approx(1234.5)
    assert s["start"].iloc[0] == "2024-03-01T07:00:00+01:00"
    assert res.skipped == {"session without a duration": 1}


def test_generic_csv_with_clock_durations_and_thousands(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text('date,type,time,distance_m\n2024-03-01,run,"1:02:03","12,000.5"\n', encoding="utf-8")
    s = load_sources([p]).sessions.iloc[0]
    assert s["duration_min"] == pytest.approx(62.05)
    assert s["distance_km"] == pytest.approx(12.0005)


def test_garmin_csv_english(tmp_path):
    p = tmp_path / "Activities.csv"
    p.write_text(fx.GARMIN_EN + 'Running,2024-09-07 15:13:23,false,"Godawari Running","13.78","972","02:13:04",'
                 '"148","183","4.7","114","246","9:39","3:59","682","682","02:10:00","02:20:00"\n'
                 'Lap Swimming,2024-09-08 07:00:00,false,"Pool","1,500","300","00:40:00","--","--","--","--",'
                 '"--","--","--","--","--","00:38:00","00:45:00"\n', encoding="utf-8")
    res = load_sources([p], tz="Asia/Kathmandu")
    s = res.sessions
    assert list(s["sport"]) == ["run", "swim"]
    assert s["duration_min"].iloc[0] == pytest.approx(133 + 4 / 60)
    assert s["distance_km"].iloc[0] == pytest.approx(13.78)
    assert s["distance_km"].iloc[1] == pytest.approx(1.5)
    assert s["avg_hr"].iloc[0] == 148
    assert s["start"].iloc[0] == "2024-09-07T15:13:23+05:45"
    assert any("distance unit" in w for w in res.warnings)


def test_garmin_csv_danish_decimal_comma(tmp_path):
    p = tmp_path / "Activities.csv"
    p.write_text(fx.GARMIN_DA + 'Løb,2023-04-02 09:00:00,Nej,"Morgenløb","5,81","400","00:31:10","151","170"\n',
                 encoding="utf-8")
    s = load_sources([p]).sessions.iloc[0]
    assert (s["sport"], s["distance_km"], s["avg_hr"]) == ("run", 5.81, 151)
    assert s["duration_min"] == pytest.approx(31 + 10 / 60)


def test_garmin_summarized_activities_units(tmp_path):
    p = tmp_path / "me_0_summarizedActivities.json"
    p.write_text(fx.garmin_summarized([
        fx.garmin_activity(dt.datetime(2024, 5, 2, 5, 0), 50, 10.0, 150),
        fx.garmin_activity(dt.datetime(2024, 5, 3, 5, 0), 30, 1.2, None, atype="lap_swimming"),
    ]), encoding="utf-8")
    s = load_sources([p]).sessions
    assert list(s["sport"]) == ["run", "swim"]
    assert s["duration_min"].tolist() == [50.0, 30.0]
    assert s["distance_km"].tolist() == pytest.approx([10.0, 1.2])
    assert s["avg_hr"].iloc[0] == 150


def test_garmin_sleep_json(tmp_path):
    p = tmp_path / "2024_sleepData.json"
    p.write_text(json.dumps([fx.garmin_night("2024-05-02", 3600, 14400, 5400, score=85),
                             fx.garmin_night("2024-05-03", 3000, 12000, 4000, score=None),
                             fx.garmin_night("2024-05-04", 1, 1, 1, confirmation="OFF_WRIST")]), encoding="utf-8")
    res = load_sources([p])
    n = res.nights
    assert n["sleep_h"].tolist() == pytest.approx([6.5, 19000 / 3600])
    assert n["quality"].iloc[0] == 5
    assert math.isnan(n["quality"].iloc[1])
    assert res.skipped == {"Garmin night marked off-wrist": 1}


def test_pmdata_fitbit_sleep_json():
    path = pmdata_file("p01", "sleep.json")
    logs = json.loads(path.read_text(encoding="utf-8"))
    res = load_sources([path])
    main = {}
    for log in logs:
        if log.get("mainSleep", True):
            main[log["dateOfSleep"]] = max(main.get(log["dateOfSleep"], 0), log["minutesAsleep"])
    assert len(res.nights) == len(main)
    first = res.nights.iloc[0]
    assert first["sleep_h"] == pytest.approx(main[first["date"].strftime("%Y-%m-%d")] / 60)
    assert sum(res.skipped.values()) == len(logs) - len(main)


def test_fitbit_nap_is_counted(tmp_path):
    p = tmp_path / "sleep-2024-05-01.json"
    p.write_text(json.dumps([
        {"logId": 1, "dateOfSleep": "2024-05-02", "startTime": "2024-05-01T23:00:00.000", "duration": 27000000,
         "minutesAsleep": 420, "minutesAwake": 30, "type": "stages", "mainSleep": True},
        {"logId": 2, "dateOfSleep": "2024-05-02", "startTime": "2024-05-02T14:00:00.000", "duration": 1800000,
         "minutesAsleep": 25, "minutesAwake": 5, "type": "classic", "mainSleep": False}]), encoding="utf-8")
    res = load_sources([p])
    assert res.nights["sleep_h"].tolist() == [7.0]
    assert res.skipped == {"nap (not the main sleep of the day)": 1}


def test_oura_sleepmodel(tmp_path):
    p = tmp_path / "sleepmodel.csv"
    p.write_text(
        "id;average_breath;average_heart_rate;awake_time;bedtime_end;bedtime_start;day;deep_sleep_duration;"
        "efficiency;light_sleep_duration;lowest_heart_rate;rem_sleep_duration;total_sleep_duration;type\n"
        "a;14.5;55;1800;2024-06-01T06:45:00+00:00;2024-05-31T23:15:00+00:00;2024-06-01;5400;90;14400;48;"
        "5400;25200;long_sleep\n"
        "b;14.5;60;300;2024-06-01T15:30:00+00:00;2024-06-01T15:00:00+00:00;2024-06-01;0;90;1500;55;0;1500;"
        "late_nap\n"
        "c;;;;;;2024-06-02;;;;;;;deleted\n", encoding="utf-8")
    res = load_sources([p])
    assert res.nights["sleep_h"].tolist() == [7.0]
    assert res.skipped["Oura record deleted by the user"] == 1
    assert res.skipped["nap or extra sleep period (the main sleep of the day is kept)"] == 1


def test_whoop_sleeps_and_workouts(tmp_path):
    sleeps = tmp_path / "sleeps.csv"
    sleeps.write_text(
        "Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Sleep performance %,"
        "Respiratory rate (rpm),Asleep duration (min),In bed duration (min),Light sleep duration (min),"
        "Deep (SWS) duration (min),REM duration (min),Awake duration (min),Sleep need (min),Sleep debt (min),"
        "Sleep efficiency %,Sleep consistency %,Nap\n"
        "2024-05-02 23:10:00,,UTC-04:00,2024-05-02 23:10:00,2024-05-03 06:40:00,91,15.1,420,450,200,110,110,"
        "30,480,20,93,80,false\n"
        "2024-05-02 23:10:00,,UTC-04:00,2024-05-03 13:00:00,2024-05-03 13:30:00,,,25,30,25,0,0,5,,,83,,true\n"
        "2024-05-01 23:00:00,2024-05-02 23:10:00,UTC-04:00,2024-05-01 23:00:00,2024-05-02 07:00:00,,,,,,,,,,,,,"
        "false\n", encoding="utf-8")
    workouts = tmp_path / "workouts.csv"
    workouts.write_text(
        "Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end time,Duration (min),"
        "Activity name,Activity Strain,Energy burned (cal),Max HR (bpm),Average HR (bpm),HR Zone 1 %,HR Zone 2 %,"
        "HR Zone 3 %,HR Zone 4 %,HR Zone 5 %,GPS enabled,Distance (meters),Altitude gain (meters),"
        "Altitude change (meters)\n"
        "2024-05-02 23:10:00,,UTC-04:00,2024-05-03 18:00:00,2024-05-03 18:45:00,45,Running,12.1,600,181,152,"
        "5,20,40,30,5,true,8000,50,2\n", encoding="utf-8")
    res = load_sources([sleeps, workouts])
    assert res.nights["sleep_h"].tolist() == [7.0]
    assert res.nights["quality"].tolist() == [5.0]
    assert res.skipped["Whoop nap"] == 1
    assert res.skipped["Whoop sleep not scored (no duration)"] == 1
    s = res.sessions.iloc[0]
    assert (s["sport"], s["duration_min"], s["distance_km"], s["avg_hr"]) == ("run", 45.0, 8.0, 152.0)
    assert s["start"] == "2024-05-03T22:00:00+00:00"


def test_apple_health_sleep_sources_and_workouts(tmp_path):
    nights = [fx.apple_night(dt.date(2024, 5, 2)), fx.apple_night(dt.date(2024, 5, 3)),
              fx.apple_night(dt.date(2024, 5, 3), source="iPhone", asleep_h=5.0)]
    workout = ('<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="42.5" durationUnit="min" '
               'sourceName="Apple Watch" startDate="2024-05-02 18:00:00 +0100" endDate="2024-05-02 18:42:30 +0100">'
               '<WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum="8.1" unit="km"/>'
               '<WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="148" maximum="171" '
               'unit="count/min"/></Workout>\n')
    xml = tmp_path / "unpacked" / "apple_health_export" / "export.xml"
    xml.parent.mkdir(parents=True)
    xml.write_text(fx.apple_export(nights, workout, filler_records=50), encoding="utf-8")
    (xml.parent / "workout-routes").mkdir()
    (xml.parent / "workout-routes" / "route_2024-05-02.gpx").write_text(
        fx.gpx_text(dt.datetime(2024, 5, 2, 17, 0), 42.5, 8.1), encoding="utf-8")
    z = fx.zip_folder(tmp_path / "unpacked", tmp_path / "export.zip")
    for src in (xml, z):
        res = load_sources([src])
        assert res.nights["date"].tolist() == [dt.datetime(2024, 5, 2), dt.datetime(2024, 5, 3)]
        assert res.nights["sleep_h"].tolist() == pytest.approx([7.0, 7.0])
        s = res.sessions.iloc[0]
        assert (s["sport"], s["duration_min"], s["distance_km"], s["avg_hr"]) == ("run", 42.5, 8.1, 148.0)
        assert res.skipped["Apple sleep segments of a second source for the same night (one source is used)"] == 4
    assert res.skipped["Apple workout route file (the workout comes from export.xml)"] == 1


def test_apple_broken_ios16_dtd_is_ignored(tmp_path):
    text = fx.apple_export([fx.apple_night(dt.date(2024, 5, 2))])
    broken = text.replace("<!ATTLIST ExportDate value CDATA #REQUIRED>", "<!ATTLIST ExportDate value CDATA #REQ")
    p = tmp_path / "export.xml"
    p.write_text(broken, encoding="utf-8")
    assert load_sources([p]).nights["sleep_h"].tolist() == pytest.approx([7.0])


def test_apple_entity_expansion_is_refused(tmp_path):
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n <!ENTITY a "aaaaaaaaaa">\n'
           ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<HealthData><Record type="&b;"/></HealthData>\n')
    p = tmp_path / "export.xml"
    p.write_text(lol, encoding="utf-8")
    with pytest.raises(UserError, match="declares entities"):
        load_sources([p])


def test_duplicate_session_from_two_sources_is_merged(tmp_path):
    start = dt.datetime(2024, 5, 2, 5, 0)
    gpx = tmp_path / "run.gpx"
    gpx.write_text(fx.gpx_text(start, 50, 10.0, hr=150), encoding="utf-8")
    garmin = tmp_path / "me_summarizedActivities.json"
    garmin.write_text(fx.garmin_summarized([fx.garmin_activity(start + dt.timedelta(seconds=20), 49.5, 10.02, None)]),
                      encoding="utf-8")
    res = load_sources([garmin, gpx])
    assert len(res.sessions) == 1
    s = res.sessions.iloc[0]
    assert s["avg_hr"] == 150  # filled from the GPX
    assert s["duration_min"] == 49.5  # the first source wins where both have a value
    assert s["source"] == "me_summarizedActivities.json + run.gpx"
    assert res.skipped == {"duplicate session merged (the same session in two sources)": 1}


def test_duplicate_night_from_two_sources_is_merged(tmp_path):
    g = tmp_path / "x_sleepData.json"
    g.write_text(json.dumps([fx.garmin_night("2024-05-02", 3600, 14400, 5400, score=None)]), encoding="utf-8")
    f = tmp_path / "sleep-2024-05-01.json"
    f.write_text(json.dumps([{"dateOfSleep": "2024-05-02", "minutesAsleep": 400, "mainSleep": True}]),
                 encoding="utf-8")
    res = load_sources([g, f])
    assert res.nights["sleep_h"].tolist() == [6.5]
    assert res.skipped == {"duplicate night merged (the same night in two sources)": 1}


def test_progress_callback_reports_every_source(tmp_path):
    fx.make_strava_export(tmp_path / "export", n=6)
    calls = []
    load_sources([tmp_path / "export"], progress=lambda done, total, label: calls.append((done, total)))
    assert calls[0] == (0, 1)  # activities.csv; profile.csv is skipped, activities/ read through the CSV
    assert calls[-1] == (1, 1)


def test_nested_zip_is_read(tmp_path):
    inner = tmp_path / "UploadedFiles_0-_Part1.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(fx.REAL / "fit" / "runpandas__run.fit", "run.fit")
    outer = tmp_path / "garmin.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip")
    res = load_sources([outer])
    assert res.sessions["distance_km"].iloc[0] == pytest.approx(5.83977)


def test_garmin_account_export_folder(tmp_path):
    root = tmp_path / "garmin" / "DI_CONNECT"
    well = root / "3f1c9a1e-uuid" / "DI-Connect-Wellness"
    fit = root / "DI-Connect-Fitness"
    agg = root / "DI-Connect-Aggregator"
    for d in (well, fit, agg):
        d.mkdir(parents=True)
    (well / "2024-04-01_2024-07-10_123_sleepData.json").write_text(
        json.dumps([fx.garmin_night("2024-05-02", 3600, 14400, 5400)]), encoding="utf-8")
    (fit / "me@example.org_0_summarizedActivities.json").write_text(
        fx.garmin_summarized([fx.garmin_activity(dt.datetime(2024, 5, 2, 5, 0), 50, 10.0, 150)]), encoding="utf-8")
    (agg / "UDSFile_2024-04-01_2024-07-10.json").write_text(
        json.dumps([{"calendarDate": "2024-05-02", "totalSteps": 12000, "restingHeartRate": 48}]), encoding="utf-8")
    res = load_sources([tmp_path / "garmin"])
    assert len(res.sessions) == 1 and len(res.nights) == 1
    assert res.skipped == {"file in a folder or zip that is not a training or sleep export": 1}


def test_oura_trends_csv(tmp_path):
    p = tmp_path / "oura_trends.csv"
    p.write_text("date,Sleep Score,Total Bedtime,Total Sleep Duration,Bedtime Start,Bedtime End\n"
                 "2024-08-08,84,28800,25200,2024-08-07T23:32:00+03:00,2024-08-08T07:32:00+03:00\n"
                 "2024-08-09,55,27000,21600,2024-08-08T23:30:00+03:00,2024-08-09T07:00:00+03:00\n", encoding="utf-8")
    n = load_sources([p]).nights
    assert n["sleep_h"].tolist() == [7.0, 6.0]
    assert n["quality"].tolist() == [5.0, 3.0]


def test_ambiguous_day_month_dates_are_flagged(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("date,sport,duration_min\n04/05/2024 07:00,run,30\n06/05/2024 07:00,run,40\n", encoding="utf-8")
    res = load_sources([p])
    assert res.sessions["date"].tolist() == [dt.datetime(2024, 5, 4), dt.datetime(2024, 5, 6)]
    assert any("day/month or month/day" in w for w in res.warnings)
    p.write_text("date,sport,duration_min\n04/25/2024 07:00,run,30\n", encoding="utf-8")
    res = load_sources([p])
    assert res.sessions["date"].tolist() == [dt.datetime(2024, 4, 25)]
    assert res.warnings == []
