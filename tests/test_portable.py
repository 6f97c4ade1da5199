"""Portable athlete files: bit-for-bit round trip, merge, and malformed files that change nothing."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.domain.model import assess
from heavylegs_core.io.importers import load_sources
from heavylegs_core.io.portable import dumps, export_document, export_file, import_file
from heavylegs_core.io.store import Store, open_store

ANSWERS = {"in_run": "start_to_finish", "course": "several_days", "sex": "female", "rf_dvt": "no"}
TABLES = ("athletes", "sessions", "nights", "assessments", "actions")


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(tmp_path / "data"))
    s = open_store()
    s.add_athlete("Ann <b>&", tz="Europe/Oslo", profile={"sex": "female", "max_hr": 191.5}, notes="ünïcode ✓")
    s.add_athlete("Bob", profile={"sex": "male"})
    res = load_sources([pmdata_file("p01", "srpe.csv"), pmdata_file("p01", "wellness.csv")], "Europe/Oslo")
    s.add_history("Ann <b>&", res.sessions, res.nights)
    res2 = load_sources([pmdata_file("p02", "srpe.csv")])
    s.add_history("Bob", res2.sessions, None)
    r = assess(ANSWERS, as_of=dt.date(2019, 12, 1))
    first = s.save_assessment("Ann <b>&", ANSWERS, r, actions=[(r.contributors[0].id, r.contributors[0].actions[0])])
    fa, _ = s.followup_answers("Ann <b>&", "worse", dt.date(2019, 12, 20))
    s.save_assessment("Ann <b>&", fa, assess(fa, as_of=dt.date(2019, 12, 20)), previous_uid=first.uid)
    yield s
    s.close()


def dump_rows(store: Store) -> dict[str, list[tuple]]:
    """Every record of every table, without the local integer ids (which differ between machines)."""
    q = {
        "athletes": "SELECT uid, name, tz, profile, notes, created_at FROM athletes ORDER BY uid",
        "sessions": "SELECT a.uid, s.start, s.start_ts, s.date, s.sport, s.duration_min, s.distance_km, s.rpe, "
                    "s.avg_hr, s.max_hr, s.load, s.load_source, s.name, s.source FROM sessions s "
                    "JOIN athletes a ON a.id = s.athlete_id ORDER BY a.uid, s.start, s.sport",
        "nights": "SELECT a.uid, n.date, n.sleep_h, n.quality, n.source FROM nights n "
                  "JOIN athletes a ON a.id = n.athlete_id ORDER BY a.uid, n.date",
        "assessments": "SELECT a.uid, s.uid, s.created_at, s.as_of, s.model_version, s.answers, s.result, "
                       "s.triage_level, s.todays_call, s.recheck_on, s.previous_uid FROM assessments s "
                       "JOIN athletes a ON a.id = s.athlete_id ORDER BY s.uid",
        "actions": "SELECT s.uid, x.cause_id, x.action, x.chosen_at FROM actions x "
                   "JOIN assessments s ON s.id = x.assessment_id ORDER BY s.uid, x.cause_id, x.action",
    }
    return {t: [tuple(r) for r in store.conn.execute(sql)] for t, sql in q.items()}


@pytest.mark.parametrize("name", ["all.json", "all.json.gz"])
def test_round_trip_is_bit_for_bit(source: Store, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    export_file(source, path)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    with open_store(tmp_path / "other.sqlite3") as other:
        added = import_file(other, path)
        assert added["athletes"] == 2 and added["assessments"] == 2 and added["actions"] == 1
        assert dump_rows(other) == dump_rows(source)
        assert all(dump_rows(other)[t] for t in TABLES)
        stamp = "2026-01-01T00:00:00+00:00"
        assert dumps(export_document(other, exported_at=stamp)) == dumps(export_document(source, exported_at=stamp))
        # importing the same file again adds nothing and changes nothing
        before = dump_rows(other)
        assert set(import_file(other, path).values()) == {0}
        assert dump_rows(other) == before
        assert other.integrity_ok()


def test_export_one_athlete(source: Store, tmp_path: Path) -> None:
    path = tmp_path / "bob.json"
    doc = export_file(source, path, ["Bob"])
    assert [a["name"] for a in doc["athletes"]] == ["Bob"]
    with open_store(tmp_path / "other.sqlite3") as other:
        import_file(other, path)
        assert [a.name for a in other.athletes()] == ["Bob"]
        assert other.session_rows("Bob") == source.session_rows("Bob")


def test_import_merges_new_records_into_an_existing_athlete(source: Store, tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    export_file(source, path)
    with open_store(tmp_path / "other.sqlite3") as other:
        import_file(other, path)
        # the athlete carries on elsewhere: a new night and a new assessment
        other.add_history_rows("Bob", [], [{"date": "2030-01-01", "sleep_h": 6.5, "quality": None, "source": "x"}])
        other.save_assessment("Bob", ANSWERS, assess(ANSWERS, as_of=dt.date(2030, 1, 1)))
        back = tmp_path / "back.json"
        export_file(other, back)
    added = import_file(source, back)
    assert added == {"athletes": 0, "sessions": 0, "nights": 1, "assessments": 1, "actions": 0}
    assert source.counts("Bob")["assessments"] == 1


def _mutations() -> list[tuple[str, object]]:
    """(what is wrong, how to break a valid document)."""
    def setp(path: tuple, value: object):
        def f(doc: dict) -> None:
            node = doc
            for k in path[:-1]:
                node = node[k]
            node[path[-1]] = value
        return f
    return [
        ("wrong version", setp(("version",), 2)),
        ("unknown sport", setp(("athletes", 0, "sessions", 5, "sport"), "skating")),
        ("NaN-free numbers only", setp(("athletes", 0, "sessions", 5, "duration_min"), "30")),
        ("bad date", setp(("athletes", 0, "nights", 3, "date"), "2019-13-45")),
        ("bad triage level", setp(("athletes", 0, "assessments", 1, "result", "triage", "level"), "panic")),
        ("extra field", setp(("athletes", 1, "hobby"), "chess")),
        ("bad time zone", setp(("athletes", 1, "tz"), "Nowhere/Land")),
        ("bad profile", setp(("athletes", 1, "profile", "max_hr"), 999)),
        ("dangling follow-up", setp(("athletes", 0, "assessments", 1, "previous_uid"), "f" * 32)),
        ("start without offset", setp(("athletes", 1, "sessions", 0, "start"), "2019-11-01T08:00:00")),
    ]


@pytest.mark.parametrize(("what", "mutate"), _mutations(), ids=[m[0] for m in _mutations()])
def test_malformed_file_changes_nothing(source: Store, tmp_path: Path, what: str, mutate) -> None:
    path = tmp_path / "all.json"
    doc = export_file(source, path)
    # import into a store where Bob is absent, so a valid file WOULD write something
    with open_store(tmp_path / "other.sqlite3") as other:
        other.add_athlete("Zoe")
        before = dump_rows(other)
        broken = json.loads(json.dumps(doc))
        broken["athletes"][1]["name"] = "Bob2"
        mutate(broken)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(UserError):
            import_file(other, bad)
        assert dump_rows(other) == before


@pytest.mark.parametrize("payload", [
    b"", b"{", b"[]", b'{"format": "other"}', b"\xff\xfe\x00",
    gzip.compress(b'{"format": "heavylegs-athletes"')[:-6],  # truncated gzip
    gzip.compress(b"not json"),
])
def test_garbage_files_are_user_errors(source: Store, tmp_path: Path, payload: bytes) -> None:
    before = dump_rows(source)
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(payload)
    with pytest.raises(UserError):
        import_file(source, bad)
    assert dump_rows(source) == before


def test_name_conflict_changes_nothing(source: Store, tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    export_file(source, path)
    with open_store(tmp_path / "other.sqlite3") as other:
        other.add_athlete("Bob")  # a different Bob already lives here
        before = dump_rows(other)
        with pytest.raises(UserError, match="another athlete called 'Bob'"):
            import_file(other, path)
        assert dump_rows(other) == before


def test_import_bytes_for_uploads(source: Store, tmp_path: Path) -> None:
    from heavylegs_core.io.portable import import_bytes

    data = dumps(export_document(source), compress=True)
    with open_store(tmp_path / "other.sqlite3") as other:
        assert import_bytes(other, data, "upload.json.gz")["athletes"] == 2
        assert dump_rows(other) == dump_rows(source)
