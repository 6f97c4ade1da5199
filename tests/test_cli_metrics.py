"""``heavylegs metrics`` as a user runs it (interfaces.md sections 1 and 3)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heavylegs_core.base.paths import pmdata_file, pmdata_participants
from heavylegs_core.cli import main
from heavylegs_core.domain.metrics import METRIC_COLUMNS, daily_metrics
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.domain.records import SESSION_COLUMNS, banister_trimp
from heavylegs_core.io.importers import load_sources
from heavylegs_core.knowledge import educational_note

PARTICIPANTS = pmdata_participants()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main(["metrics", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def pm_args(pid: str) -> list[str | Path]:
    return ["--training", pmdata_file(pid, "srpe.csv"), "--sleep", pmdata_file(pid, "wellness.csv")]


def expected_table(pid: str, tz: str = "UTC") -> pd.DataFrame:
    res = load_sources([pmdata_file(pid, "srpe.csv"), pmdata_file(pid, "wellness.csv")], tz=tz)
    return daily_metrics(res.sessions, res.nights)


def assert_one_error_line(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("heavylegs: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


# ----------------------------------------------------------------------------- the acceptance runs


@pytest.mark.parametrize("pid", PARTICIPANTS)
def test_json_for_every_participant(capsys: pytest.CaptureFixture[str], pid: str) -> None:
    code, out, err = run_cli(capsys, *pm_args(pid), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    expected = expected_table(pid)
    assert len(rows) == len(expected)
    assert [r["date"] for r in rows] == [d.strftime("%Y-%m-%d") for d in expected["date"]]
    for row in rows:
        assert tuple(row) == METRIC_COLUMNS
    for name in METRIC_COLUMNS[1:]:
        got = [r[name] for r in rows]
        want = expected[name].to_numpy(dtype="float64", na_value=np.nan)
        assert all((g is None) == math.isnan(w) for g, w in zip(got, want, strict=True)), name
        np.testing.assert_allclose([g for g in got if g is not None], want[~np.isnan(want)], rtol=1e-15)
    assert rows[0]["acwr_coupled"] is None  # empty cells are null


@pytest.mark.parametrize("pid", PARTICIPANTS)
def test_out_csv_for_every_participant(capsys: pytest.CaptureFixture[str], pid: str, tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    code, out, err = run_cli(capsys, *pm_args(pid), "--out", target)
    assert code == 0, err
    assert str(target) in out
    back = pd.read_csv(target)
    expected = expected_table(pid)
    assert tuple(back.columns) == METRIC_COLUMNS
    assert back["date"].tolist() == [d.strftime("%Y-%m-%d") for d in expected["date"]]
    for name in METRIC_COLUMNS[1:]:
        np.testing.assert_allclose(back[name].to_numpy(dtype="float64"),
                                   expected[name].to_numpy(dtype="float64", na_value=np.nan), rtol=1e-15)
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no temporary file left behind


def test_json_and_out_together(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "m.csv"
    code, out, _ = run_cli(capsys, *pm_args("p02"), "--format", "json", "--out", target)
    assert code == 0
    assert len(json.loads(out)) == len(pd.read_csv(target))


def test_acceptance_command_in_a_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "heavylegs_core.cli", "metrics", *map(str, pm_args("p01")), "--format", "json"],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert isinstance(json.loads(proc.stdout), list)


def test_text_format_shows_the_last_two_weeks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, *pm_args("p02"))
    assert code == 0
    dated = [line for line in out.splitlines() if line.lstrip()[:4] in ("2019", "2020")]
    assert len(dated) == 14
    assert dated[-1].lstrip().startswith("2020-03-30")
    assert educational_note() in out
    assert "not a validated injury predictor" in out


def test_text_shows_the_streak_bound_and_marks_ratios_after_a_break(capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Path) -> None:
    streak = tmp_path / "streak.csv"
    streak.write_text("date,sport,duration_min,rpe\n" + "".join(
        f"2026-11-{d:02d},run,45,5\n" for d in range(1, 29)), encoding="utf-8")
    code, out, _ = run_cli(capsys, "--training", streak)
    assert code == 0
    last = next(line for line in out.splitlines() if line.lstrip().startswith("2026-11-28"))
    assert ">=28" in last.split()  # no rest day on record: at least 28 days
    code, out, _ = run_cli(capsys, *pm_args("p01"), "--as-of", "2020-01-09")
    last = next(line for line in out.splitlines() if line.lstrip().startswith("2020-01-09"))
    assert "3.41*" in last.split()  # the coupled ratio after weeks off, marked as not meaningful
    assert "* after a ratio: not meaningful" in out
    code, out, _ = run_cli(capsys, *pm_args("p01"), "--as-of", "2020-01-09", "--format", "json")
    row = json.loads(out)[-1]
    assert row["acwr_meaningful"] is False and row["acwr_uncoupled"] == pytest.approx(17.5)


def test_duplicated_exports_count_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = pmdata_file("p02", "srpe.csv")
    copy = tmp_path / "srpe (1).csv"
    copy.write_bytes(src.read_bytes())
    code, once, _ = run_cli(capsys, "--training", src, "--format", "json")
    assert code == 0
    for twice in ([src, src], [src, copy]):
        code, out, err = run_cli(capsys, "--training", *twice, "--format", "json")
        assert code == 0, err
        assert json.loads(out) == json.loads(once)
        assert err.startswith("heavylegs: warning: ")


def test_as_of_and_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, *pm_args("p02"), "--as-of", "2020-03-28", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows[-1]["date"] == "2020-03-28"
    assert rows[-1]["acwr_coupled"] == pytest.approx(1.2509, abs=5e-5)  # science.md 9.2
    code, out, _ = run_cli(capsys, *pm_args("p02"), "--as-of", "2020-04-10", "--format", "json")
    rows = json.loads(out)
    assert rows[-1]["date"] == "2020-04-10"
    assert [r["load"] for r in rows[-11:]] == [0.0] * 11
    code, out, _ = run_cli(capsys, *pm_args("p01"), "--tz", "Europe/Oslo", "--format", "json")
    assert code == 0
    expected = expected_table("p01", tz="Europe/Oslo")
    got = [math.nan if r["load"] is None else r["load"] for r in json.loads(out)]
    np.testing.assert_array_equal(got, expected["load"].to_numpy())


# ----------------------------------------------------------------------------- user mistakes: exit 2, one line


def test_wellness_file_as_training_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    wellness = pmdata_file("p01", "wellness.csv")
    code, out, err = run_cli(capsys, "--training", wellness, "--format", "json")
    assert_one_error_line(code, out, err, str(wellness), "no training sessions", "--sleep")


def test_random_text_file_is_rejected(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("dear diary, legs heavy again\nmore words\n")
    code, out, err = run_cli(capsys, "--training", junk)
    assert_one_error_line(code, out, err, str(junk))


def test_training_file_with_a_header_but_no_sessions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "srpe.csv"
    empty.write_text("end_date_time,activity_names,perceived_exertion,duration_min\n")
    code, out, err = run_cli(capsys, "--training", empty)
    assert_one_error_line(code, out, err, str(empty), "no training sessions")


def test_training_file_as_sleep_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    srpe = pmdata_file("p01", "srpe.csv")
    code, out, err = run_cli(capsys, "--training", srpe, "--sleep", srpe)
    assert_one_error_line(code, out, err, str(srpe), "no sleep nights")


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "--training", tmp_path / "nope.csv")
    assert_one_error_line(code, out, err, "nope.csv", "no such file")


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--max-hr", "300", "--max-hr"),
        ("--rest-hr", "5", "--rest-hr"),
        ("--sleep-need", "20", "--sleep-need"),
        ("--sex", "robot", "--sex"),
        ("--format", "yaml", "--format"),
        ("--tz", "Mars/Olympus", "Mars/Olympus"),
        ("--as-of", "2020-13-01", "2020-13-01"),
        ("--max-hr", "fast", "--max-hr"),
    ],
)
def test_invalid_options(capsys: pytest.CaptureFixture[str], option: str, value: str, needle: str) -> None:
    try:
        code = main(["metrics", "--training", str(pmdata_file("p01", "srpe.csv")), option, value])
    except SystemExit as exc:  # argparse-level errors exit from the parser
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert_one_error_line(code, out, err, needle)


def test_rest_hr_above_max_hr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--training", pmdata_file("p01", "srpe.csv"),
                             "--max-hr", "150", "--rest-hr", "110", "--sex", "male")
    assert code == 0  # valid pair
    code, out, err = run_cli(capsys, "--training", pmdata_file("p01", "srpe.csv"),
                             "--max-hr", "110", "--rest-hr", "115")
    assert_one_error_line(code, out, err, "rest_hr must be lower than max_hr")


def test_unknown_option_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["metrics", "--training", str(pmdata_file("p01", "srpe.csv")), "--fromat", "json"])
    assert info.value.code == 2
    assert "--fromat" in capsys.readouterr().err


def test_as_of_before_any_session(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, *pm_args("p02"), "--as-of", "2019-01-01")
    assert_one_error_line(code, out, err, "--as-of", "2019-11-03")


def test_failed_command_leaves_the_output_untouched(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "metrics.csv"
    target.write_text("old content\n")
    code, _, _ = run_cli(capsys, "--training", pmdata_file("p01", "wellness.csv"), "--out", target)
    assert code == 2
    assert target.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]
    code, _, err = run_cli(capsys, *pm_args("p01"), "--out", tmp_path / "missing" / "m.csv")
    assert code == 2
    assert "does not exist" in err
    assert not (tmp_path / "missing").exists()


# ----------------------------------------------------------------------------- canonical CSV and the profile


def write_canonical(path: Path) -> None:
    rows = [
        {"kind": "session", "start": "2024-03-01T07:00:00+00:00", "date": "2024-03-01", "sport": "run",
         "duration_min": 30, "distance_km": 6.0, "avg_hr": 130, "source": "watch"},
        {"kind": "session", "start": "2024-03-02T07:00:00+00:00", "date": "2024-03-02", "sport": "run",
         "duration_min": 45, "distance_km": 9.0, "rpe": 6, "source": "watch"},
    ]
    frame = pd.DataFrame(rows).reindex(columns=list(SESSION_COLUMNS))
    frame["kind"] = "session"
    nights = pd.DataFrame([{"kind": "night", "date": "2024-03-02", "sleep_h": 5.5, "source": "watch"}])
    pd.concat([frame, nights]).to_csv(path, index=False)


def test_canonical_csv_and_profile_flags(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "canonical.csv"
    write_canonical(src)
    code, out, err = run_cli(capsys, "--training", src, "--format", "json",
                             "--sex", "male", "--max-hr", "200", "--rest-hr", "40", "--sleep-need", "7.5")
    assert code == 0, err
    rows = json.loads(out)
    profile = AthleteProfile(sex="male", max_hr=200, rest_hr=40)
    assert rows[0]["load"] == pytest.approx(banister_trimp(30, 130, profile))  # 31.80 (science.md 5)
    assert rows[1]["load"] == 270.0
    assert rows[1]["run_km"] == 9.0
    assert rows[1]["spike_ratio"] == pytest.approx(1.5)
    assert rows[1]["sleep_h"] == 5.5  # nights in a training file are used too
    assert rows[1]["sleep_need_h"] == 7.5
    # without heart-rate parameters the TRIMP session degrades to its duration in minutes
    code, out, _ = run_cli(capsys, "--training", src, "--format", "json")
    assert code == 0
    assert json.loads(out)[0]["load"] == 30.0
