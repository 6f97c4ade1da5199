"""`heavylegs report`: one self-contained, printable HTML file, triage first, charts inline, text escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from heavylegs_core.cli import main
from heavylegs_core.domain.model import assess
from heavylegs_core.views.html import esc
from heavylegs_core.views.report import inline_svg

ROOT = Path(__file__).resolve().parents[1]
P01 = ROOT / "data" / "pmdata" / "p01" / "pmsys"
ANSWERS = ROOT / "data" / "answers"
URL = re.compile(r"https?://", re.IGNORECASE)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_with_history_is_self_contained(capsys, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, _, err = run(capsys, "report", "--answers", str(ANSWERS / "worked_example.json"),
                       "--training", str(P01 / "srpe.csv"), "--sleep", str(P01 / "wellness.csv"),
                       "--athlete", "Ann", "--out", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 3  # weekly load, form (TSB), sleep
    assert "Weekly training load" in html and "Form, TSB" in html and "Sleep per night" in html
    # every chart has its marks drawn (bars, lines), not only axes and rules
    figures = html.split('<figure class="hl-chart">')[1:]
    assert len(figures) == 3 and all(f.split("</figure>")[0].count("<path") > 50 for f in figures)
    assert not URL.search(html), URL.search(html)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""\s(?:src|href)\s*=\s*["'](?!#)""", html)
    assert "@media print" in html
    assert "Training and sleep history" in html
    # order: triage message, today's call, contributors, history, answers
    positions = [html.index(k) for k in ("Warning signs: none reported", "Today:", "Likely contributors",
                                         "Training and sleep history", "<h2>Answers")]
    assert positions == sorted(positions)
    # the evidence behind each contributor is open, so it prints
    assert "<details open" in html and not re.search(r"<details(?![^>]*open)", html)


def test_red_flag_comes_first_and_text_is_escaped(capsys, tmp_path: Path) -> None:
    answers = json.loads((ANSWERS / "red_flag_dvt.json").read_text(encoding="utf-8"))
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out = tmp_path / "report.html"
    code, _, err = run(capsys, "report", "--answers", str(path), "--athlete", "<img src=x onerror=alert(1)>",
                       "--out", str(out), "--as-of", "2026-11-22")
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.index("<section class=\"hl-triage ") < html.index("Today:")
    flags = assess(answers).triage.flags
    assert flags and all(html.index(esc(f.action)) < html.index("Today:") for f in flags)
    assert "Warning signs: none reported" not in html
    assert "<svg" not in html  # no history, no charts
    assert not URL.search(html)


def test_failed_report_writes_nothing(capsys, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("previous report", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"in_run": "sometimes"}', encoding="utf-8")
    code, _, err = run(capsys, "report", "--answers", str(bad), "--training", str(P01 / "srpe.csv"),
                       "--out", str(out))
    assert code == 2 and err.startswith("heavylegs: error:") and "in_run" in err
    assert out.read_text(encoding="utf-8") == "previous report"
    code, _, err = run(capsys, "report", "--answers", str(ANSWERS / "worked_example.json"),
                       "--out", str(tmp_path / "missing" / "r.html"))
    assert code == 2 and "does not exist" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "report.html"]


def test_inline_svg_drops_namespace_urls_and_refuses_external_references() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="2">'
           '<use xlink:href="#a"/></svg>')
    assert inline_svg(svg) == '<svg width="2"><use href="#a"/></svg>'
    with pytest.raises(ValueError, match="external"):
        inline_svg('<svg><image href="https://example.org/x.png"/></svg>')
