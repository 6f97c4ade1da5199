"""The bad-input corpus: every case exits 2 with its exact message and writes nothing."""

from __future__ import annotations

import pytest

from heavylegs_core.cli import main
from tests.bad_inputs.cases import CASES


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input(case, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    args = case.make(folder)
    out = tmp_path / "out.csv"
    out.write_text("previous content\n", encoding="utf-8")
    code = main(["import", *args, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    expected = [line.replace("{dir}", str(folder)) for line in case.expected]
    assert captured.err.splitlines() == expected
    assert out.read_text(encoding="utf-8") == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.csv"]  # no temporary file left
