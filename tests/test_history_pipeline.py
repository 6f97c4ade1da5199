"""ONE history pipeline: whatever the origin, the same History gives the same evidence and summary.

The command line, the apps, the report and the coach's records all read a training
history through :class:`heavylegs_core.domain.history.History`, built by
:mod:`heavylegs_core.io.history`; these tests hold them to that.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.cli import main
from heavylegs_core.domain.history import History
from heavylegs_core.domain.history_summary import history_summary
from heavylegs_core.domain.metrics import daily_metrics
from heavylegs_core.domain.model import Assessment, engine
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.domain.records import empty_nights, normalise_sessions
from heavylegs_core.io.history import load_history, sample_history
from heavylegs_core.io.importers import load_sources
from heavylegs_core.io.store import open_store
from heavylegs_core.io.uploads import Received

ANSWERS = {"heavy_legs": 6, "in_run": "start_to_finish", "course": "several_days", "sex": "female", "age": 34}


def sessions(days: list[str], load: float = 300.0) -> pd.DataFrame:
    return normalise_sessions(pd.DataFrame({
        "date": pd.to_datetime(days), "start": [f"{d}T07:00:00+00:00" for d in days], "sport": "run",
        "duration_min": 50.0, "rpe": 6.0, "load": load, "load_source": "srpe", "source": "test"}))


def test_evidence_is_the_daily_metrics_row_of_the_day() -> None:
    s = sessions(["2026-03-02", "2026-03-03", "2026-03-05"])
    h = History(sessions=s, nights=empty_nights())
    last = h.evidence()
    table = daily_metrics(s, empty_nights())
    assert last.day == dt.date(2026, 3, 5)
    assert last.row["load"] == table.iloc[-1]["load"] and "date" not in last.row
    later = h.evidence(dt.date(2026, 3, 9))  # days after the last session count as rest days
    assert later.day == dt.date(2026, 3, 9) and later.row["days_since_rest"] == 0
    assert h.table(dt.date(2026, 3, 9)) is h.table(dt.date(2026, 3, 9))  # computed once


def test_a_history_without_training_by_the_day_says_so() -> None:
    h = History(sessions=sessions(["2026-03-02"]), nights=empty_nights())
    assert not h.has_training(dt.date(2026, 3, 1))
    with pytest.raises(UserError, match="no training data on or before 2026-03-01: the first session is on 2026-03-02"):
        h.evidence(dt.date(2026, 3, 1))
    assert not History(sessions=sessions([]), nights=empty_nights()).has_training()


def test_the_summary_is_the_one_history_summary() -> None:
    s = sessions(["2026-03-02", "2026-03-03"])
    h = History(sessions=s, nights=empty_nights(), label="two runs")
    assert h.summary() == history_summary(daily_metrics(s), "two runs")
    assert h.summary(unit="mi") == history_summary(daily_metrics(s), "two runs", unit="mi")


def test_files_and_uploads_give_the_same_history(tmp_path: Path) -> None:
    files = [pmdata_file("p01", "srpe.csv"), pmdata_file("p01", "wellness.csv")]
    direct = load_sources(files, "UTC")
    from_files = load_history(files)
    uploads = []
    for i, f in enumerate(files):
        copy = tmp_path / f"{i:04d}-{f.name}"
        copy.write_bytes(f.read_bytes())
        uploads.append(Received(i, f.name, copy, copy.stat().st_size))
    from_uploads = load_history(uploads)
    pd.testing.assert_frame_equal(from_files.sessions, direct.sessions)
    pd.testing.assert_frame_equal(from_uploads.sessions, from_files.sessions)
    a, b = from_uploads.evidence(), from_files.evidence()
    assert a.day == b.day
    pd.testing.assert_series_equal(pd.Series(a.row, dtype=object), pd.Series(b.row, dtype=object))
    assert from_uploads.label == "srpe.csv, wellness.csv"


def test_an_upload_problem_names_the_file_as_uploaded(tmp_path: Path) -> None:
    bad = tmp_path / "0000-secret-place.csv"
    bad.write_text("hello,world\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_history([Received(0, "notes.csv", bad, bad.stat().st_size)])
    assert "notes.csv" in str(e.value) and "secret-place" not in str(e.value)


def test_the_sample_athlete_is_loaded_one_way() -> None:
    h = sample_history("p01")
    direct = load_sources([pmdata_file("p01", "srpe.csv"), pmdata_file("p01", "sleep.json")], "UTC")
    pd.testing.assert_frame_equal(h.sessions, direct.sessions)
    pd.testing.assert_frame_equal(h.nights, direct.nights)
    assert h.label == "PMData p01 (real data)"
    with pytest.raises(UserError, match="unknown sample athlete"):
        sample_history("p99")


def test_the_stored_history_uses_the_stored_profile(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.sqlite3") as s:
        s.add_athlete("Ann", profile={"sleep_need_h": 9.0})
        s.add_history("Ann", sample_history("p01").sessions, empty_nights())
        h = s.history("Ann", answers={"sex": "female"})
    assert h.profile == AthleteProfile(sleep_need_h=9.0, sex="female")
    assert len(h.sessions) == len(sample_history("p01").sessions)


def test_the_command_line_and_the_store_read_the_same_evidence(tmp_path: Path, capsys) -> None:
    """assess --training and athletes assess on the same records give the same result."""
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    srpe, wellness = pmdata_file("p01", "srpe.csv"), pmdata_file("p01", "wellness.csv")
    assert main(["assess", "--answers", str(answers), "--training", str(srpe), "--sleep", str(wellness),
                 "--as-of", "2020-03-01", "--format", "json"]) == 0
    from_files = json.loads(capsys.readouterr().out)
    db = str(tmp_path / "a.sqlite3")
    assert main(["athletes", "add", "Ann", "--db", db]) == 0
    assert main(["athletes", "import-history", "Ann", str(srpe), str(wellness), "--db", db]) == 0
    capsys.readouterr()
    assert main(["athletes", "assess", "Ann", "--answers", str(answers), "--as-of", "2020-03-01",
                 "--format", "json", "--db", db]) == 0
    from_store = json.loads(capsys.readouterr().out)["assessment"]
    assert from_store["contributors"] == from_files["contributors"]
    assert from_store["todays_call"] == from_files["todays_call"]


def test_a_saved_assessment_is_reported_as_saved_never_assessed_again(tmp_path: Path, capsys, monkeypatch) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    db = str(tmp_path / "a.sqlite3")
    assert main(["athletes", "add", "Ann", "--db", db]) == 0
    assert main(["athletes", "import-history", "Ann", str(pmdata_file("p01", "srpe.csv")), "--db", db]) == 0
    capsys.readouterr()
    assert main(["athletes", "assess", "Ann", "--answers", str(answers), "--as-of", "2020-03-01",
                 "--format", "json", "--db", db]) == 0
    saved = json.loads(capsys.readouterr().out)["assessment"]
    top = saved["contributors"][0]
    # what the coach saw that day stands, whatever the model or the records say today
    monkeypatch.setattr(type(engine()), "assess", lambda *a, **k: pytest.fail("the report assessed again"))
    with open_store(db) as s:
        s.add_history("Ann", sessions(["2020-02-20", "2020-02-21"], load=2000.0), empty_nights())
    out = tmp_path / "report.html"
    assert main(["athletes", "report", "Ann", "--out", str(out), "--db", db]) == 0
    html = out.read_text(encoding="utf-8")
    assert f"{top['out_of_100']} in 100" in html and top["name"] in html
    assert Assessment.from_dict(saved).to_dict() == saved  # the saved document describes the result exactly
