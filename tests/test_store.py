"""The athlete store: schema, athletes, deduplicated history, assessments, follow-ups, re-checks due."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.domain.model import assess
from heavylegs_core.io.importers import load_sources
from heavylegs_core.io.store import (
    SCHEMA_VERSION,
    Store,
    default_path,
    migrations,
    open_store,
)

ANSWERS = {"in_run": "start_to_finish", "course": "several_days", "sex": "female"}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(tmp_path / "data"))
    s = open_store()
    yield s
    s.close()


def test_default_location_is_the_user_data_folder(store: Store, tmp_path: Path) -> None:
    assert store.path == tmp_path / "data" / "athletes.sqlite3" == default_path()
    assert store.path.exists()


def test_schema_is_migrated_in_order_with_wal_and_foreign_keys(store: Store) -> None:
    assert [v for v, _, _ in migrations()] == list(range(1, SCHEMA_VERSION + 1))
    assert store.schema_version() == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"athletes", "sessions", "nights", "assessments", "actions"} <= tables
    # re-opening does not re-apply anything
    again = Store(store.path)
    assert again.schema_version() == SCHEMA_VERSION
    again.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(UserError, match="newer than this heavylegs"):
        Store(path)


def test_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not a heavylegs database"):
        Store(path)


def test_athletes_unique_names_validated_profile(store: Store) -> None:
    a = store.add_athlete("Ann", tz="Europe/Oslo", profile={"sex": "female", "max_hr": 190})
    assert a.profile["sex"] == "female" and a.profile["max_hr"] == 190 and a.tz == "Europe/Oslo"
    with pytest.raises(UserError, match="already exists"):
        store.add_athlete("Ann")
    with pytest.raises(UserError, match="time zone"):
        store.add_athlete("Bob", tz="Mars/Olympus")
    with pytest.raises(UserError, match=r"profile\.max_hr"):
        store.add_athlete("Bob", profile={"max_hr": 500})
    with pytest.raises(UserError, match="no athlete called 'Zed'"):
        store.athlete("Zed")
    assert [x.name for x in store.athletes()] == ["Ann"]
    b = store.update_athlete("Ann", new_name="Anna", profile={**a.profile, "rest_hr": 50})
    assert b.name == "Anna" and b.profile["rest_hr"] == 50 and b.uid == a.uid


def test_history_import_is_deduplicated(store: Store) -> None:
    store.add_athlete("Ann")
    res = load_sources([pmdata_file("p01", "srpe.csv"), pmdata_file("p01", "wellness.csv")])
    first = store.add_history("Ann", res.sessions, res.nights)
    assert first.sessions_added == len(res.sessions) > 0
    assert first.nights_added == len(res.nights) > 0
    again = store.add_history("Ann", res.sessions, res.nights)
    assert (again.sessions_added, again.nights_added) == (0, 0)
    assert (again.sessions_duplicate, again.nights_duplicate) == (len(res.sessions), len(res.nights))
    # the same session from another device, started 3 minutes later with a similar duration
    row = store.session_rows("Ann")[0]
    t = dt.datetime.fromisoformat(row["start"]) + dt.timedelta(minutes=3)
    near = {**row, "start": t.isoformat(), "duration_min": row["duration_min"] + 2, "source": "watch.fit"}
    far = {**row, "start": (t + dt.timedelta(hours=5)).isoformat(), "source": "watch.fit"}
    got = store.add_history_rows("Ann", [near, far], [])
    assert (got.sessions_added, got.sessions_duplicate) == (1, 1)
    # the stored table reads back as canonical records with the same values
    back = store.sessions("Ann")
    assert len(back) == len(res.sessions) + 1
    assert back["load"].sum() == pytest.approx(res.sessions["load"].sum() + far["load"])
    nights = store.nights("Ann")
    assert nights["sleep_h"].sum() == pytest.approx(res.nights["sleep_h"].sum())


def test_assessment_saved_with_answers_result_version_and_actions(store: Store) -> None:
    store.add_athlete("Ann")
    result = assess(ANSWERS, as_of=dt.date(2024, 3, 1))
    top = result.contributors[0]
    saved = store.save_assessment("Ann", ANSWERS, result, actions=[(top.id, top.actions[0])])
    assert saved.answers == ANSWERS
    assert saved.result == result.to_dict()
    assert saved.model_version == result.model_version
    assert saved.as_of == dt.date(2024, 3, 1)
    assert saved.recheck_on == dt.date(2024, 3, 1) + dt.timedelta(days=top.recheck_days)
    assert saved.actions == ((top.id, top.actions[0]),)
    assert dt.datetime.fromisoformat(saved.created_at).tzinfo is not None
    # another action may be chosen later, but only one the assessment offered
    second = result.contributors[1]
    later = store.choose_actions(saved.uid, [(second.id, second.actions[0])])
    assert len(later.actions) == 2
    with pytest.raises(UserError, match="was not offered"):
        store.choose_actions(saved.uid, [(top.id, "run a marathon")])
    assert len(store.assessment(saved.uid).actions) == 2


def test_followup_prefills_and_failure_to_improve_raises_see_a_doctor(store: Store) -> None:
    store.add_athlete("Ann")
    first = assess({**ANSWERS, "rf_dvt": "no", "heavy_legs": 7}, as_of=dt.date(2024, 3, 1))
    saved = store.save_assessment("Ann", {**ANSWERS, "rf_dvt": "no", "heavy_legs": 7}, first)
    answers, last = store.followup_answers("Ann", "same", dt.date(2024, 3, 20))
    assert last.uid == saved.uid
    assert answers["response_to_change"] == "same" and answers["change_days"] == 19
    assert answers["in_run"] == "start_to_finish"
    assert "rf_dvt" not in answers  # warning signs are asked afresh
    assert "heavy_legs" not in answers  # and so is today's rating
    follow = assess(answers, as_of=dt.date(2024, 3, 20))
    assert follow.triage.level == "gp_soon" and follow.todays_call.id == "see_doctor"
    assert follow.contributor("other_medical").probability > first.contributor("other_medical").probability
    # failure to improve lowers the everyday contributors such a change addresses (test of treatment)
    for cid in ("load_spike", "under_recovery", "sleep", "under_fuelling", "pacing"):
        assert follow.contributor(cid).probability < first.contributor(cid).probability, cid
    early = assess({**answers, "change_days": 3}, as_of=dt.date(2024, 3, 20))  # too soon to judge
    assert early.contributor("under_recovery").probability == first.contributor("under_recovery").probability
    better = assess(store.followup_answers("Ann", "better", dt.date(2024, 3, 20))[0], as_of=dt.date(2024, 3, 20))
    assert better.triage.level == "none"
    s2 = store.save_assessment("Ann", answers, follow, previous_uid=saved.uid)
    assert s2.previous_uid == saved.uid and store.last_assessment("Ann").uid == s2.uid
    with pytest.raises(UserError, match="better, same or worse"):
        store.followup_answers("Ann", "meh", dt.date(2024, 3, 20))
    with pytest.raises(UserError, match="before the last assessment"):
        store.followup_answers("Ann", "same", dt.date(2024, 1, 1))


def test_due_lists_latest_assessment_per_athlete(store: Store) -> None:
    for name in ("Ann", "Bob", "Cat"):
        store.add_athlete(name)
    r1 = assess(ANSWERS, as_of=dt.date(2024, 3, 1))
    a1 = store.save_assessment("Ann", ANSWERS, r1)
    store.save_assessment("Bob", ANSWERS, assess(ANSWERS, as_of=dt.date(2024, 3, 10)))
    assert [d.athlete for d in store.due(a1.recheck_on - dt.timedelta(days=1))] == []
    due = store.due(a1.recheck_on)
    assert [(d.athlete, d.days_overdue) for d in due] == [("Ann", 0)]
    assert due[0].top_contributor == r1.contributors[0].id
    later = store.due(a1.recheck_on + dt.timedelta(days=30))
    assert [d.athlete for d in later] == ["Ann", "Bob"]
    assert later[0].days_overdue == 30
    # a newer assessment replaces the older re-check
    store.save_assessment("Ann", ANSWERS, assess(ANSWERS, as_of=a1.recheck_on))
    assert [d.athlete for d in store.due(a1.recheck_on)] == []
    assert [d.athlete for d in store.due(a1.recheck_on, within_days=60)] == ["Bob", "Ann"]


def test_remove_cascades(store: Store) -> None:
    store.add_athlete("Ann")
    store.save_assessment("Ann", ANSWERS, assess(ANSWERS, as_of=dt.date(2024, 3, 1)))
    store.remove_athlete("Ann")
    for table in ("athletes", "assessments", "sessions", "nights", "actions"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert store.integrity_ok()


def test_failed_write_rolls_back(store: Store) -> None:
    store.add_athlete("Ann")
    good = {"start": "2024-01-01T08:00:00+00:00", "date": "2024-01-01", "sport": "run", "duration_min": 30.0}
    bad = {"start": "2024-01-02T08:00:00+00:00", "date": "2024-01-02", "sport": "run", "duration_min": None}
    with pytest.raises(sqlite3.IntegrityError):
        store.add_history_rows("Ann", [good, bad], [])
    assert store.session_rows("Ann") == []


def test_two_connections_concurrently(tmp_path: Path) -> None:
    """Two processes (two app sessions) write to one store at the same time: nothing is lost."""
    db = tmp_path / "shared.sqlite3"
    open_store(db).close()
    script = textwrap.dedent(f"""
        import datetime as dt, sys
        from heavylegs_core.io.store import open_store
        who = sys.argv[1]
        s = open_store({str(db)!r})
        s.add_athlete(who)
        doc = {{"model_version": "t", "as_of": "2024-01-01", "triage": {{"level": "none", "flags": []}},
               "contributors": [{{"id": "sleep", "recheck_days": 7, "actions": ["a"]}}],
               "todays_call": {{"id": "continue", "text": "", "why": ""}}}}
        for i in range(40):
            day = (dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat()
            s.add_history_rows(who, [{{"start": day + "T08:00:00+00:00", "date": day, "sport": "run",
                                      "duration_min": 30.0 + i}}], [{{"date": day, "sleep_h": 7.5}}])
            s.save_assessment(who, {{"i": i}}, {{**doc, "as_of": day}})
        s.close()
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, who], stderr=subprocess.PIPE, text=True)
             for who in ("one", "two")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with open_store(db) as s:
        assert s.integrity_ok()
        for who in ("one", "two"):
            assert s.counts(who) == {"sessions": 40, "nights": 40, "assessments": 40}
            assert [a.answers["i"] for a in s.assessments(who)] == list(range(40))


def test_roster_for_the_coach(store: Store) -> None:
    store.add_athlete("Bob")
    store.add_athlete("Ann")
    store.add_history_rows("Ann", [{"start": "2024-02-28T07:00:00+01:00", "date": "2024-02-28", "sport": "run",
                                    "duration_min": 40.0}], [{"date": "2024-02-29", "sleep_h": 7.0}])
    r = assess(ANSWERS, as_of=dt.date(2024, 3, 1))
    saved = store.save_assessment("Ann", ANSWERS, r)
    rows = store.roster(saved.recheck_on)
    assert [x.athlete for x in rows] == ["Ann", "Bob"]
    ann, bob = rows
    assert (ann.sessions, ann.nights, ann.assessments) == (1, 1, 1)
    assert ann.last_session == dt.date(2024, 2, 28) and ann.last_assessment == dt.date(2024, 3, 1)
    assert ann.top_contributor == r.contributors[0].id and ann.todays_call == r.todays_call.id
    assert ann.recheck_due is True
    assert store.roster(saved.recheck_on - dt.timedelta(days=1))[0].recheck_due is False
    assert (bob.assessments, bob.last_assessment, bob.recheck_due) == (0, None, False)


def test_threads_sharing_one_store_take_turns(store: Store) -> None:
    import threading

    store.add_athlete("Ann")
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(25):
                day = (dt.date(2024, 1, 1) + dt.timedelta(days=k * 100 + i)).isoformat()
                store.add_history_rows("Ann", [], [{"date": day, "sleep_h": 7.0}])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.counts("Ann")["nights"] == 75


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import heavylegs_core.io.store as store_mod

    path = tmp_path / "m.sqlite3"
    with Store(path) as s:
        s.add_athlete("Ann")
    shipped = migrations()
    broken = (len(shipped) + 1, "9999_broken.sql",
              "CREATE TABLE extra (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);\n")
    monkeypatch.setattr(store_mod, "migrations", lambda: [*shipped, broken])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", len(shipped) + 1)
    with pytest.raises(UserError, match="damaged"):
        Store(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(shipped)
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    assert con.execute("SELECT name FROM athletes").fetchall() == [("Ann",)]
    con.close()
    # a good new migration applies once and records its version
    good = (len(shipped) + 1, "9999_good.sql", "CREATE TABLE extra (id INTEGER PRIMARY KEY);\n")
    monkeypatch.setattr(store_mod, "migrations", lambda: [*shipped, good])
    with Store(path) as s:
        assert s.schema_version() == len(shipped) + 1
        assert [a.name for a in s.athletes()] == ["Ann"]


def test_never_inside_the_served_notebooks_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from heavylegs_core.base.paths import NOTEBOOKS_DIR

    with pytest.raises(UserError, match="notebooks folder"):
        Store(NOTEBOOKS_DIR / "athletes.sqlite3")
    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(NOTEBOOKS_DIR / "data"))
    with pytest.raises(UserError, match="HEAVYLEGS_DATA_DIR"):
        open_store()
    assert not (NOTEBOOKS_DIR / "athletes.sqlite3").exists() and not (NOTEBOOKS_DIR / "data").exists()
