"""Real histories and real exports (issue 21): nothing crashes, nothing is lost.

Every case of :mod:`tests.awkward_corpus` goes through every command that takes
a history (``import``, ``metrics``, ``assess``, ``report`` and ``athletes
import-history``), in-process as a user runs them. Each command either succeeds with sensible content, or refuses with
one ``heavylegs: error:`` line per problem, exit status 2, no traceback, and an
existing ``--out`` file left byte for byte as it was.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heavylegs_core.cli import main
from tests.awkward_corpus import CASES, Case, Inputs

ANSWERS = {"in_run": "start_to_finish", "course": "several_days"}
PREVIOUS = b"previous content, not to be lost\n"
BY_NAME = {c.name: c for c in CASES}


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def sources(inp: Inputs) -> list[str]:
    args = ["--training", *map(str, inp.training)]
    if inp.sleep:
        args += ["--sleep", *map(str, inp.sleep)]
    return [*args, "--tz", inp.tz]


def made(case: Case, tmp_path: Path) -> tuple[Inputs, Path, Path]:
    """The case's files in ``tmp_path / "in"``, an answers file, and a folder of existing outputs."""
    folder = tmp_path / "in"
    folder.mkdir()
    inp = case.make(folder)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    outs = tmp_path / "out"
    outs.mkdir()
    for name in ("import.csv", "metrics.csv", "report.html"):
        (outs / name).write_bytes(PREVIOUS)
    return inp, answers, outs


def assert_refused(code: int, out: str, err: str, case: Case, command: str) -> None:
    assert code == 2, f"{command}: exit {code}\n{err}"
    assert out == "", f"{command} printed on stdout when refusing: {out!r}"
    lines = err.splitlines()
    assert lines, f"{command}: no message"
    assert all(line.startswith("heavylegs: error: ") for line in lines), f"{command}:\n{err}"
    assert "Traceback" not in err
    assert any(all(m in line for m in case.truth.error_mentions) for line in lines), f"{command}:\n{err}"


def assert_succeeded(code: int, err: str, command: str) -> None:
    assert code == 0, f"{command}: exit {code}\n{err}"
    assert "Traceback" not in err
    assert all(line.startswith("heavylegs: warning: ") for line in err.splitlines()), f"{command}:\n{err}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_command_succeeds_or_refuses_cleanly(case: Case, tmp_path: Path, capsys) -> None:
    inp, answers, outs = made(case, tmp_path)
    files = [*map(str, inp.training), *map(str, inp.sleep)]
    results = {
        "import": run(capsys, "import", *files, "--tz", inp.tz, "--out", outs / "import.csv"),
        "metrics": run(capsys, "metrics", *sources(inp), "--out", outs / "metrics.csv"),
        "assess": run(capsys, "assess", "--answers", answers, *sources(inp), "--format", "json"),
        "report": run(capsys, "report", "--answers", answers, *sources(inp), "--out", outs / "report.html"),
    }
    db = ["--db", str(tmp_path / "athletes.sqlite3")]
    assert run(capsys, "athletes", "add", "Ann", "--tz", inp.tz, *db)[0] == 0
    results["athletes import-history"] = run(capsys, "athletes", "import-history", "Ann", *files, *db)
    for command, (code, out, err) in results.items():
        if case.truth.usable:
            assert_succeeded(code, err, command)
        else:
            assert_refused(code, out, err, case, command)
    if case.truth.usable:
        assert (outs / "import.csv").read_bytes().startswith(b"kind,start,date,")
        assert (outs / "metrics.csv").read_bytes().startswith(b"date,load,")
        assert (outs / "report.html").read_bytes().startswith(b"<!DOCTYPE html>")
        doc = json.loads(results["assess"][1])
        assert doc["history_used"] and doc["contributors"]
    else:
        for name in ("import.csv", "metrics.csv", "report.html"):
            assert (outs / name).read_bytes() == PREVIOUS, f"{name} was changed by a failed command"
    assert sorted(p.name for p in outs.iterdir()) == ["import.csv", "metrics.csv", "report.html"]
    code, out, _ = run(capsys, "athletes", "show", "Ann", "--format", "json", *db)
    assert code == 0
    assert (json.loads(out)["sessions"] > 0) == case.truth.usable


@pytest.mark.parametrize("case", [c for c in CASES if c.truth.usable], ids=lambda c: c.name)
def test_imports_keep_every_session_once_on_its_local_date(case: Case, tmp_path: Path, capsys) -> None:
    inp, _, _ = made(case, tmp_path)
    code, out, err = run(capsys, "import", *inp.training, *inp.sleep, "--tz", inp.tz, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    t = case.truth
    if t.sessions is not None:
        assert len(doc["sessions"]) == t.sessions
    dates = {s["date"] for s in doc["sessions"]}
    assert set(t.dates) <= dates, sorted(dates)
    if t.nights is not None:
        assert len(doc["nights"]) == t.nights
    hours = {n["date"]: n["sleep_h"] for n in doc["nights"]}
    for day, want in t.sleep.items():
        assert 0 < hours[day] < 24
        assert hours[day] == pytest.approx(want, abs=1e-9), day  # the true elapsed time, not wall-clock


@pytest.mark.parametrize("case", [c for c in CASES if c.truth.usable], ids=lambda c: c.name)
def test_metrics_are_finite_and_ratios_after_a_break_are_marked(case: Case, tmp_path: Path, capsys) -> None:
    inp, _, outs = made(case, tmp_path)
    code, _, err = run(capsys, "metrics", *sources(inp), "--out", outs / "metrics.csv")
    assert code == 0, err
    table = pd.read_csv(outs / "metrics.csv")
    numbers = table.drop(columns=["date", "acwr_meaningful"]).to_numpy(dtype="float64")
    assert not np.isinf(numbers).any()  # a zero denominator leaves a cell empty, never infinite
    assert pd.to_datetime(table["date"]).diff().dropna().eq(pd.Timedelta(days=1)).all()  # every day, once
    flag = table["acwr_meaningful"]
    ratios = table[["acwr_coupled", "acwr_uncoupled", "acwr_ewma"]]
    assert (flag.isna() == ratios.isna().all(axis=1)).all()
    meaningful = ratios[flag.astype(str) == "True"]
    assert not (meaningful > 5).any().any(), "a ratio above 5 that is not marked as after a break"
    last = table.iloc[-1]
    if case.truth.streak is not None:
        assert math.isnan(last["days_since_rest"])
        assert last["days_since_rest_at_least"] == case.truth.streak


def test_the_gap_of_months_is_marked_and_not_read_as_a_load_spike(tmp_path: Path, capsys) -> None:
    case = BY_NAME["gaps of months"]
    inp, answers, outs = made(case, tmp_path)
    code, _, err = run(capsys, "metrics", *sources(inp), "--out", outs / "metrics.csv")
    assert code == 0, err
    table = pd.read_csv(outs / "metrics.csv", parse_dates=["date"])
    back = table[table["date"] >= "2025-08-04"]
    # day k back (k = 0, 1, ...): the 28-day window holds 27 - k days of the break, 10 or more up to k = 17
    assert (back.head(18)["acwr_meaningful"].astype(str) == "False").all()
    assert (back.iloc[18:]["acwr_meaningful"].astype(str) == "True").all()
    assert back["acwr_uncoupled"].max() > 5  # the raw ratio is kept as computed (the peer's digits) ...
    spike_day = back.loc[back["acwr_uncoupled"].idxmax(), "date"].date()
    code, out, err = run(capsys, "assess", "--answers", answers, *sources(inp), "--as-of", str(spike_day),
                         "--format", "json")
    assert code == 0, err
    fired = {e["id"] for c in json.loads(out)["contributors"] for e in (*c["evidence"], *c["not_counted"])}
    assert "ls_acwr" not in fired  # ... but the cause model does not read it as a load jump


@pytest.mark.parametrize("command", ["assess", "report"])
def test_a_streak_without_a_rest_day_cites_the_lower_bound(command: str, tmp_path: Path, capsys) -> None:
    inp, answers, outs = made(BY_NAME["a 28-day streak without a rest day"], tmp_path)
    if command == "assess":
        code, out, err = run(capsys, "assess", "--answers", answers, *sources(inp), "--format", "json")
        assert code == 0, err
        under = next(c for c in json.loads(out)["contributors"] if c["id"] == "under_recovery")
        texts = [e["text"] for e in under["evidence"]]
    else:
        code, _, err = run(capsys, "report", "--answers", answers, *sources(inp), "--out", outs / "report.html")
        assert code == 0, err
        html = (outs / "report.html").read_text(encoding="utf-8")
        assert "at least 28 (no rest day recorded)" in html
        texts = [html]
    assert any("No rest day in at least 28 days" in t for t in texts), texts


def test_a_decade_of_daily_training_is_read_whole(tmp_path: Path, capsys) -> None:
    inp, answers, outs = made(BY_NAME["10 years of daily training"], tmp_path)
    code, _, err = run(capsys, "report", "--answers", answers, *sources(inp), "--out", outs / "report.html")
    assert code == 0, err
    html = (outs / "report.html").read_text(encoding="utf-8")
    assert "<td>3653</td>" in html and "at least 3,653 (no rest day recorded)" in html


def test_an_import_that_finds_nothing_names_the_file_and_why(tmp_path: Path, capsys) -> None:
    inp, _, outs = made(BY_NAME["GPX whose track has no points"], tmp_path)
    code, out, err = run(capsys, "import", *inp.training, "--out", outs / "import.csv")
    assert (code, out) == (2, "")
    assert err.splitlines() == [(
        f"heavylegs: error: {inp.training[0]}: nothing to import: no training session or sleep night found "
        "(skipped: 1 x GPX track without timestamps (a route, not a recorded activity)); check that these "
        f"are the exports you meant; {outs / 'import.csv'} was left unchanged")]
    assert (outs / "import.csv").read_bytes() == PREVIOUS
