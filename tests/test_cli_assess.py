"""CLI contract of `heavylegs questions`, `heavylegs causes` and `heavylegs assess`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heavylegs_core.cli import main
from heavylegs_core.knowledge import educational_note

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "data" / "answers"
EXAMPLES = sorted(ANSWERS.glob("*.json"))
P01 = ROOT / "data" / "pmdata" / "p01" / "pmsys"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_example_answer_files_are_committed() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"worked_example.json", "red_flag_dvt.json", "timing_midway.json"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_assesses_in_json_and_text(capsys, path: Path) -> None:
    code, out, err = run(capsys, "assess", "--answers", str(path), "--as-of", "2026-11-22", "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert {"model_version", "as_of", "triage", "contributors", "todays_call"} <= set(doc)
    assert doc["as_of"] == "2026-11-22"
    assert doc["educational_note"] == educational_note()
    assert len(doc["contributors"]) == 18
    if doc["triage"]["level"] != "none":
        assert doc["todays_call"]["id"] == "see_doctor"
    code, text, _ = run(capsys, "assess", "--answers", str(path))
    assert code == 0
    assert educational_note() in text and "TODAY:" in text and " in 100" in text
    assert "you have" not in text.lower().replace("you have felt", "").replace("you have run", "").replace(
        "you have not", "")


def test_worked_example_file_reproduces_causes_md_ranking(capsys) -> None:
    _, out, _ = run(capsys, "assess", "--answers", str(ANSWERS / "worked_example.json"), "--format", "json")
    doc = json.loads(out)
    ranking = [c["id"] for c in doc["contributors"]][:5]
    # causes.md's order with its raw priors is under_recovery, iron, sleep, load_spike, under_fuelling
    # (77/64/60/52/48); the ranking priors (half-way to the median, causes.yaml caps) keep the first
    # three and swap the last two (tests/test_model.py checks the arithmetic both ways)
    assert ranking[:3] == ["under_recovery", "iron_deficiency", "sleep"]
    assert set(ranking[3:]) == {"load_spike", "under_fuelling"}
    top = doc["contributors"][0]
    assert top["out_of_100"] == 66 and top["recheck_days"] == 14
    assert [e["points"] for e in top["evidence"]] == [3.0, 3.0, 3.0]
    assert doc["triage"] == {"level": "none", "flags": [], "acknowledge_required": False,
                             "screen_complete": True, "unanswered": []}
    assert doc["todays_call"]["id"] == "rest"


def test_red_flag_file_sets_triage_and_shows_the_action_first(capsys) -> None:
    path = str(ANSWERS / "red_flag_dvt.json")
    _, out, _ = run(capsys, "assess", "--answers", path, "--format", "json", "--emergency-number", "112")
    doc = json.loads(out)
    assert doc["triage"]["level"] == "urgent"
    assert doc["triage"]["flags"][0]["id"] == "rf_dvt" and "112" in doc["triage"]["flags"][0]["action"]
    assert doc["todays_call"]["id"] == "see_doctor"
    _, text, _ = run(capsys, "assess", "--answers", path)
    warn = text.index("WARNING SIGNS: URGENT")
    assert warn < text.index("TODAY:") < text.index("Likely contributors")
    assert text.index("Get medical advice today") < text.index("Why: Possible deep vein thrombosis")


def test_not_sure_counts_as_yes(capsys) -> None:
    _, out, _ = run(capsys, "assess", "--answers", str(ANSWERS / "red_flag_not_sure_chest.json"), "--format", "json")
    doc = json.loads(out)
    assert doc["triage"]["level"] == "emergency" and doc["triage"]["flags"][0]["answer"] == "not_sure"


def test_timing_case_file(capsys) -> None:
    _, out, _ = run(capsys, "assess", "--answers", str(ANSWERS / "timing_midway.json"), "--format", "json")
    doc = json.loads(out)
    assert doc["contributors"][0]["id"] in {"pacing", "under_fuelling"}
    assert doc["todays_call"]["id"] == "ease"


def test_assess_with_training_and_sleep_history(capsys) -> None:
    code, out, err = run(capsys, "assess", "--answers", str(ANSWERS / "timing_midway.json"),
                         "--training", str(P01 / "srpe.csv"), "--sleep", str(P01 / "wellness.csv"),
                         "--as-of", "2019-12-01", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["history_used"] is True and doc["as_of"] == "2019-12-01"
    ids = {e["id"] for c in doc["contributors"] for e in c["evidence"] + c["not_counted"]}
    assert ids & {"sl_mean_history", "ur_rest_history", "ur_monotony", "pa_moderate_history"}


@pytest.mark.parametrize(("content", "fragment"), [
    ('{"in_run": "midway", "feeling": "bad"}', "unknown question id 'feeling'"),
    ('{"course": "forever"}', "question 'course': invalid answer 'forever'"),
    ('{"age": 300}', "question 'age': 300 is out of range"),
    ('{"in_run": ', "not valid JSON"),
    ('["midway"]', "must be a JSON object"),
])
def test_bad_answers_exit_2_naming_the_problem(capsys, tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "assess", "--answers", str(path), "--format", "json")
    assert code == 2 and out == ""
    assert err.startswith(f"heavylegs: error: {path}: ") and fragment in err
    assert "Traceback" not in err


def test_missing_answers_file_exits_2(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "assess", "--answers", str(tmp_path / "nope.json"))
    assert code == 2 and out == "" and "file not found" in err


def test_bad_answers_fail_before_reading_history(capsys, tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"x": 1}', encoding="utf-8")
    code, _, err = run(capsys, "assess", "--answers", str(path), "--training", str(tmp_path / "missing.csv"))
    assert code == 2 and "unknown question id 'x'" in err and "missing.csv" not in err


def test_questions_json_lists_the_stable_ids(capsys) -> None:
    code, out, _ = run(capsys, "questions", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert isinstance(rows, list)
    by_id = {r["id"]: r for r in rows}
    assert [o["id"] for o in by_id["in_run"]["options"]] == ["start_then_eases", "midway", "start_to_finish"]
    assert [o["id"] for o in by_id["course"]["options"]][:3] == ["one_run", "several_days", "worsening_weekly"]
    assert [o["id"] for o in by_id["sex"]["options"]] == ["female", "male", "other"]
    assert by_id["age"]["type"] == "number"
    flags = [r for r in rows if r["section"] == "red_flags"]
    assert flags and rows[: len(flags)] == flags
    for r in flags:
        assert r["tier"] in {"emergency", "urgent", "gp_soon"}
        assert [o["id"] for o in r["options"]] == ["yes", "no", "not_sure"]
    # warning signs have no "don't know" (an unanswered one must not read as "no")
    assert all(r["dont_know"] == (None if r["section"] == "red_flags" else "dont_know") for r in rows)
    assert all(r["text"] and "step" in r for r in rows)
    code, text, _ = run(capsys, "questions")
    assert code == 0 and "in_run" in text and educational_note() in text


def test_causes_ships_the_honesty_statement_and_marks(capsys) -> None:
    code, out, _ = run(capsys, "causes", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert "No study has measured" in doc["honesty_statement"]
    assert {m["symbol"] for m in doc["marks"].values()} == {"✔", "◇", "⚖"}
    assert len(doc["causes"]) == 18
    for c in doc["causes"]:
        assert c["prior_mark"] in doc["marks"] and c["sources"] and c["actions"]
        for e in c["evidence"]:
            assert e["lr"] > 0 and e["mark"] in doc["marks"] and e["source"] in doc["sources"]
    code, text, _ = run(capsys, "causes")
    assert code == 0 and text.startswith("heavylegs cause model")
    assert "HONESTY: No study has measured" in text and "⚖" in text and "Re-check after" in text


def test_text_view_puts_the_knowledge_base_advice_under_the_warning_signs(capsys) -> None:
    from heavylegs_core.knowledge import load_knowledge

    code, text, _ = run(capsys, "assess", "--answers", str(ANSWERS / "red_flag_dvt.json"))
    assert code == 0
    lines = text.splitlines()
    start = lines.index("  Act on this first. The contributors below are shown for the coach only and do not")
    assert lines[start + 1:start + 3] == ["  lower this advice.", ""]
    assert " ".join(x.strip() for x in lines[start:start + 2]) == load_knowledge().text("flags_first")
