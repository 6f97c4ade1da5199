"""Atomic writes: all or nothing, with ordinary permissions."""

from __future__ import annotations

import os

import pytest

from heavylegs_core.base.atomic import write_atomic


def test_a_new_file_gets_the_permissions_open_would_give(tmp_path):
    umask = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "out.csv", "a,b\n")
    finally:
        os.umask(umask)
    assert path.read_text() == "a,b\n"
    assert path.stat().st_mode & 0o777 == 0o644


def test_an_existing_file_keeps_its_permissions_and_a_failed_write_keeps_its_content(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    path.chmod(0o600)
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n" and path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(TypeError):
        write_atomic(path, 12345)  # type: ignore[arg-type]
    assert path.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind
