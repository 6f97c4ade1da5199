"""One duplicate-session rule (issue 22): the importers and the store agree on what counts twice,
and a byte-identical file given twice to one import counts once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from heavylegs_core.domain.duplicates import SessionFacts, same_session, start_seconds
from heavylegs_core.io.importers import (
    DUPLICATE_FILE,
    DUPLICATE_MERGED,
    DUPLICATE_PATH,
    ImportResult,
    combine_results,
    load_sources,
)
from heavylegs_core.io.store import Store, open_store
from tests import import_fixtures as fx

T0 = dt.datetime(2024, 5, 2, 7, 0, tzinfo=dt.UTC)


def row(minutes_later: float = 0.0, *, sport: str = "run", duration: float = 50.0, source: str = "watch.fit",
        tz: dt.tzinfo = dt.UTC) -> dict[str, object]:
    start = (T0 + dt.timedelta(minutes=minutes_later)).astimezone(tz)
    return {"start": start.isoformat(), "date": start.date().isoformat(), "sport": sport, "duration_min": duration,
            "distance_km": None, "rpe": None, "avg_hr": None, "max_hr": None, "load": duration,
            "load_source": "duration", "name": "x", "source": source}


def facts(r: dict[str, object]) -> SessionFacts:
    return SessionFacts(start_seconds(str(r["start"])), str(r["sport"]), float(r["duration_min"]),  # type: ignore[arg-type]
                        str(r["source"]))


OSLO = dt.timezone(dt.timedelta(hours=2))
#: (what, first, second, the same session?)
PAIRS = [
    ("the same record again", row(), row(), True),
    ("the same instant written in another offset", row(), row(tz=OSLO), True),
    ("the same source lists two sessions 5 minutes apart", row(), row(5, duration=52), False),
    ("the same source, a warm-up and the run after it", row(duration=10), row(10, duration=10), False),
    ("another device, 3 minutes later, a similar duration", row(), row(3, duration=52, source="app.gpx"), True),
    ("another device that did not know the sport", row(), row(3, sport="other", source="app.gpx"), True),
    ("a different sport", row(), row(3, sport="ride", source="app.gpx"), False),
    ("starts 10 minutes apart (the limit)", row(), row(10, source="app.gpx"), True),
    ("starts 11 minutes apart", row(), row(11, source="app.gpx"), False),
    ("durations 15 minutes apart on a 45-minute run", row(duration=30), row(2, duration=45, source="b"), False),
    ("durations within a fifth of a long ride", row(duration=100), row(2, duration=118, source="b"), True),
    ("the same start, another sport, the same source", row(), row(sport="swim"), False),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "athletes.sqlite3")
    s.add_athlete("Ann")
    yield s
    s.close()


@pytest.mark.parametrize(("what", "a", "b", "same"), PAIRS, ids=[p[0] for p in PAIRS])
def test_the_rule(what: str, a: dict, b: dict, same: bool) -> None:
    assert same_session(facts(a), facts(b)) is same
    assert same_session(facts(b), facts(a)) is same  # symmetric


@pytest.mark.parametrize(("what", "a", "b", "same"), PAIRS, ids=[p[0] for p in PAIRS])
def test_the_importers_and_the_store_apply_the_same_rule(store: Store, what: str, a: dict, b: dict,
                                                         same: bool) -> None:
    merged = combine_results([ImportResult(sessions=pd.DataFrame([a])), ImportResult(sessions=pd.DataFrame([b]))])
    assert merged.skipped.get(DUPLICATE_MERGED, 0) == int(same), "importers"
    assert len(merged.sessions) == 2 - int(same)
    store.add_history_rows("Ann", [a], [])
    got = store.add_history_rows("Ann", [b], [])
    assert (got.sessions_added, got.sessions_duplicate) == (1 - int(same), int(same)), "store"
    # and in one batch: the store compares the rows of one save with each other too
    store.remove_athlete("Ann")
    store.add_athlete("Ann")
    got = store.add_history_rows("Ann", [a, b], [])
    assert got.sessions_duplicate == int(same)


def test_a_session_without_a_duration_matches_only_itself() -> None:
    t = start_seconds("2024-05-02T07:00:00+00:00")
    assert same_session(SessionFacts(t, "run", None, "a"), SessionFacts(t, "run", None, "a"))
    assert not same_session(SessionFacts(t, "run", None, "a"), SessionFacts(t + 60, "run", 50.0, "b"))
    assert not same_session(SessionFacts(float("nan"), "run", 50.0, "a"), SessionFacts(t, "run", 50.0, "b"))


# ------------------------------------------------------------- the same file twice

def _gpx(path: Path, start: dt.datetime, minutes: float = 45) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fx.gpx_text(start, minutes, 9.0), encoding="utf-8")
    return path


def test_byte_identical_files_in_two_folders_count_once(tmp_path: Path) -> None:
    start = dt.datetime(2024, 5, 2, 6, 30)
    a = _gpx(tmp_path / "a" / "export.gpx", start)
    b = tmp_path / "b" / "export.gpx"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    for given in ([a, b], [tmp_path / "a", tmp_path / "b"], [tmp_path]):
        res = load_sources(given)
        assert len(res.sessions) == 1, given
        assert res.skipped == {DUPLICATE_FILE: 1}, given
        assert res.sessions["source"].tolist() == ["export.gpx"]


def test_a_copy_under_another_name_counts_once_and_a_path_given_twice_is_read_once(tmp_path: Path) -> None:
    a = _gpx(tmp_path / "run.gpx", dt.datetime(2024, 5, 2, 6, 30))
    copy = tmp_path / "run (1).gpx"
    copy.write_bytes(a.read_bytes())
    res = load_sources([a, copy, a])
    assert len(res.sessions) == 1
    assert res.skipped == {DUPLICATE_FILE: 1, DUPLICATE_PATH: 1}


def test_files_with_the_same_name_and_different_content_are_both_read(tmp_path: Path) -> None:
    a = _gpx(tmp_path / "a" / "export.gpx", dt.datetime(2024, 5, 2, 6, 30))
    b = _gpx(tmp_path / "b" / "export.gpx", dt.datetime(2024, 5, 4, 6, 30))
    assert a.stat().st_size == b.stat().st_size  # hashed, not only compared by size
    res = load_sources([a, b])
    assert len(res.sessions) == 2
    assert res.skipped == {}


def test_a_copy_of_a_file_that_is_no_export_is_reported_like_the_file(tmp_path: Path) -> None:
    _gpx(tmp_path / "a" / "run.gpx", dt.datetime(2024, 5, 2, 6, 30))
    (tmp_path / "a" / "notes.txt").write_text("just notes\n", encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("just notes\n", encoding="utf-8")
    from heavylegs_core.base.errors import UserError

    with pytest.raises(UserError, match="no training or sleep export found") as err:
        load_sources([tmp_path / "a", tmp_path / "b"])
    assert [p.where for p in err.value.problems] == [str(tmp_path / "b")]
