"""``heavylegs import``: canonical CSV round trip, JSON document, text summary, atomic --out."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.cli import main
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.io.importers import load_sources, write_canonical_csv
from tests import import_fixtures as fx

SOURCES = [str(fx.REAL / "fit"), str(fx.REAL / "gpx"), str(fx.REAL / "tcx"),
           str(pmdata_file("p01", "srpe.csv")), str(pmdata_file("p01", "sleep.json"))]


def test_out_round_trips_unchanged(tmp_path, capsys):
    first = tmp_path / "a.csv"
    assert main(["import", *SOURCES, "--tz", "Europe/Oslo", "--out", str(first)]) == 0
    second = tmp_path / "b.csv"
    assert main(["import", str(first), "--out", str(second)]) == 0
    assert second.read_bytes() == first.read_bytes()
    original = load_sources(SOURCES, tz="Europe/Oslo")
    again = load_sources([first])
    pd.testing.assert_frame_equal(again.sessions.drop(columns="source"), original.sessions.drop(columns="source"))
    pd.testing.assert_frame_equal(again.nights.drop(columns="source"), original.nights.drop(columns="source"))
    assert set(again.sessions["source"]) == set(original.sessions["source"])
    header = first.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["kind", "start", "date", "sport", "duration_min", "distance_km", "rpe", "avg_hr", "max_hr",
                      "load", "load_source", "name", "source", "sleep_h", "quality"]
    capsys.readouterr()


def test_round_trip_keeps_profile_based_loads(tmp_path):
    profile = AthleteProfile(sex="female", max_hr=190, rest_hr=50)
    res = load_sources([fx.REAL / "fit" / "runpandas__run.fit"], profile=profile)
    assert res.sessions["load_source"].iloc[0] == "trimp"
    path = tmp_path / "c.csv"
    path.write_text(write_canonical_csv(res), encoding="utf-8")
    back = load_sources([path])  # no profile now: the written TRIMP load is kept
    assert back.sessions["load"].iloc[0] == res.sessions["load"].iloc[0]
    assert back.sessions["load_source"].iloc[0] == "trimp"


def test_json_document(tmp_path, capsys):
    fx.make_strava_export(tmp_path / "export", n=6)
    assert main(["import", str(tmp_path / "export"), str(pmdata_file("p01", "wellness.csv")), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"sessions", "nights", "skipped", "warnings"}
    assert len(doc["sessions"]) == 5
    s = doc["sessions"][0]
    assert s["date"] == "2024-05-01" and s["sport"] == "run" and s["kind"] == "session"
    swim = next(x for x in doc["sessions"] if x["sport"] == "swim")
    assert swim["avg_hr"] is None
    assert doc["skipped"]["session without a duration"] == 1
    assert doc["nights"][0]["kind"] == "night"


def test_text_summary_lists_skips_and_warnings(tmp_path, capsys):
    assert main(["import", str(fx.REAL / "fit")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("11 sessions from 2012-02-13 to 2021-09-27\n0 nights\n")
    assert "3 x multisport transition segment" in out
    assert "damaged" in out


def test_out_into_missing_folder_is_an_error(tmp_path, capsys):
    code = main(["import", str(fx.REAL / "tcx"), "--out", str(tmp_path / "nope" / "x.csv")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_unknown_time_zone_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["import", str(fx.REAL / "tcx"), "--tz", "Mars/Olympus"])
    assert exc.value.code == 2
    assert "unknown time zone" in capsys.readouterr().err


def test_import_output_feeds_metrics(tmp_path, capsys):
    out = tmp_path / "canon.csv"
    assert main(["import", str(fx.REAL / "tcx" / "tcxparser__test.tcx"), str(pmdata_file("p01", "sleep.json")),
                 "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["metrics", "--training", str(out), "--sleep", str(out), "--as-of", "2012-12-27",
                 "--format", "json"]) == 0
    rows = {r["date"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["2012-12-26"]["run_km"] == pytest.approx(4.689, abs=0.001)
    assert rows["2012-12-26"]["load"] == pytest.approx(33.213)
