"""`heavylegs athletes ...`: the coach's scripted workflow, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heavylegs_core.cli import main
from heavylegs_core.io.store import open_store

ROOT = Path(__file__).resolve().parents[1]
P01 = ROOT / "data" / "pmdata" / "p01"
EXAMPLE = ROOT / "data" / "answers" / "worked_example.json"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "userdata"
    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(d))
    return d


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def test_coach_workflow(capsys, tmp_path: Path, data_dir: Path) -> None:
    ok(capsys, "athletes", "add", "Ann", "--tz", "Europe/Oslo", "--sex", "female", "--max-hr", "190")
    out = ok(capsys, "athletes", "import-history", "Ann", str(P01 / "pmsys" / "srpe.csv"),
             str(P01 / "pmsys" / "wellness.csv"), "--format", "json")
    first = json.loads(out)
    assert first["sessions_added"] > 0 and first["nights_added"] > 0
    again = json.loads(ok(capsys, "athletes", "import-history", "Ann", str(P01 / "pmsys" / "srpe.csv"),
                          "--format", "json"))
    assert again["sessions_added"] == 0 and again["sessions_duplicate"] == first["sessions_added"]

    out = ok(capsys, "athletes", "assess", "Ann", "--answers", str(EXAMPLE), "--as-of", "2019-12-01",
             "--choose", "sleep:1", "--format", "json")
    doc = json.loads(out)
    assert doc["assessment"]["history_used"] is True
    assert doc["saved"]["actions"][0]["cause_id"] == "sleep"
    recheck = doc["saved"]["recheck_on"]
    assert recheck is not None

    assert json.loads(ok(capsys, "athletes", "due", "--on", "2019-12-02", "--format", "json")) == []
    due = json.loads(ok(capsys, "athletes", "due", "--on", recheck, "--format", "json"))
    assert [d["athlete"] for d in due] == ["Ann"] and due[0]["days_overdue"] == 0
    assert "heavylegs athletes assess Ann --followup" in ok(capsys, "athletes", "due", "--on", recheck)

    code, out, err = run(capsys, "athletes", "assess", "Ann", "--followup", "worse", "--as-of", "2019-12-22",
                         "--format", "json")
    assert code == 0 and "warning-sign answers" in err
    follow = json.loads(out)
    assert follow["saved"]["previous_uid"] == doc["saved"]["uid"]
    assert follow["assessment"]["triage"]["level"] == "gp_soon"
    assert follow["assessment"]["todays_call"]["id"] == "see_doctor"

    listed = json.loads(ok(capsys, "athletes", "list", "--format", "json"))
    assert listed[0]["athlete"] == "Ann" and listed[0]["assessments"] == 2
    assert listed[0]["last_assessment"] == "2019-12-22" and listed[0]["recheck_due"] is True  # long past
    shown = json.loads(ok(capsys, "athletes", "show", "Ann", "--format", "json"))
    assert [a["as_of"] for a in shown["assessments"]] == ["2019-12-01", "2019-12-22"]
    assert shown["profile"]["max_hr"] == 190

    # the printable report of a saved assessment, with the stored history up to its day
    report = tmp_path / "ann.html"
    ok(capsys, "athletes", "report", "Ann", "--assessment", doc["saved"]["uid"], "--out", str(report))
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "http://" not in html and "https://" not in html
    assert "as of 2019-12-01" in html
    code, _, err = run(capsys, "athletes", "report", "Ann", "--assessment", "0" * 32, "--out", str(report))
    assert code == 2 and "no assessment" in err

    # export, wipe (Binder), import: the same records
    portable = tmp_path / "squad.json.gz"
    ok(capsys, "athletes", "export", str(portable))
    ok(capsys, "athletes", "remove", "Ann", "--yes")
    assert json.loads(ok(capsys, "athletes", "list", "--format", "json")) == []
    added = json.loads(ok(capsys, "athletes", "import", str(portable), "--format", "json"))
    assert added["athletes"] == 1 and added["assessments"] == 2 and added["actions"] == 1
    assert json.loads(ok(capsys, "athletes", "show", "Ann", "--format", "json")) == shown
    assert (data_dir / "athletes.sqlite3").exists()


def test_user_mistakes_exit_2_without_traceback(capsys, tmp_path: Path) -> None:
    cases = [
        (["athletes", "show", "Nobody"], "no athlete called 'Nobody'"),
        (["athletes", "add", "Ann", "--tz", "Mars/Base"], "unknown time zone"),
        (["athletes", "add", "Ann", "--age", "3"], "profile.age"),
        (["athletes", "assess", "Ann"], "give --answers"),
        (["athletes", "remove", "Ann"], "--yes"),
        (["athletes", "assess", "Ann", "--followup", "same"], "no earlier assessment"),
        (["athletes", "assess", "Ann", "--answers", str(EXAMPLE), "--choose", "nonsense:9"], "--choose"),
        (["athletes", "import", str(tmp_path / "missing.json")], "file not found"),
        (["athletes", "edit", "Ann"], "nothing to change"),
        (["athletes", "frobnicate"], "invalid choice"),
    ]
    ok(capsys, "athletes", "add", "Ann")
    for argv, message in cases:
        code, _out, err = _run_or_exit(capsys, argv)
        assert code == 2, argv
        assert message in err, (argv, err)
        assert "Traceback" not in err and err.startswith("heavylegs: error:")
    # a failed assess saved nothing
    with open_store() as s:
        assert s.counts("Ann")["assessments"] == 0


def _run_or_exit(capsys, argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI; argument errors exit through SystemExit(2) from the parser."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_to_missing_folder_writes_nothing(capsys, tmp_path: Path) -> None:
    ok(capsys, "athletes", "add", "Ann")
    code, _, err = run(capsys, "athletes", "export", str(tmp_path / "nope" / "x.json"))
    assert code == 2 and "does not exist" in err


def test_db_option_uses_another_file(capsys, tmp_path: Path, data_dir: Path) -> None:
    db = tmp_path / "club.sqlite3"
    ok(capsys, "athletes", "add", "Ann", "--db", str(db))
    assert json.loads(ok(capsys, "athletes", "list", "--format", "json")) == []
    assert [r["athlete"] for r in json.loads(ok(capsys, "athletes", "list", "--db", str(db), "--format", "json"))] \
        == ["Ann"]


def test_import_an_assessment_downloaded_from_the_app(capsys, tmp_path: Path) -> None:
    import datetime as dt

    from heavylegs_core.domain.model import assess
    from heavylegs_core.views.report import session_payload

    answers = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    result = assess(answers, as_of=dt.date(2025, 5, 1))
    payload = session_payload(answers, result, athlete="Ann")
    path = tmp_path / "download.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    ok(capsys, "athletes", "add", "Ann")
    out = ok(capsys, "athletes", "import-assessment", "Ann", str(path))
    assert "2025-05-01" in out
    with open_store() as s:
        saved = s.last_assessment("Ann")
        assert saved.answers == answers and saved.result == result.to_dict()
        assert saved.created_at == payload["saved_at"]
    # a tampered download (unknown answer) is refused and saves nothing
    payload["answers"]["in_run"] = "sometimes"
    path.write_text(json.dumps(payload), encoding="utf-8")
    code, _, err = run(capsys, "athletes", "import-assessment", "Ann", str(path))
    assert code == 2 and "in_run" in err
    path.write_text(json.dumps({"heavylegs": "assessment", "answers": {}, "result": {"triage": {}}}),
                    encoding="utf-8")
    code, _, err = run(capsys, "athletes", "import-assessment", "Ann", str(path))
    assert code == 2 and "triage" in err
    with open_store() as s:
        assert s.counts("Ann")["assessments"] == 1
