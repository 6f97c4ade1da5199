"""Never lose data: a writer killed with SIGKILL at random moments leaves the store intact.

Each trial starts a writer process on the same database. The writer saves
batches in a loop (one batch = one transaction of 60 sessions and 30 nights
through :meth:`Store.add_history_rows`, then one assessment through
:meth:`Store.save_assessment`), announcing each transaction on stdout. The test
kills it at a random moment and then checks that ``PRAGMA integrity_check`` is
``ok`` and that the contents are exactly the state before or after the
interrupted save: every batch is either complete or absent, the complete ones
are a prefix of what the writer started, and nothing saved earlier changed.

``HEAVYLEGS_CRASH_TRIALS`` sets the number of trials (default 100).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from heavylegs_core.io.store import SCHEMA_VERSION

TRIALS = int(os.environ.get("HEAVYLEGS_CRASH_TRIALS", "100"))
SESSIONS_PER_BATCH = 60
NIGHTS_PER_BATCH = 30

WRITER = textwrap.dedent("""
    import datetime as dt, sys
    from heavylegs_core.io.store import open_store
    db, first, n_sessions, n_nights = sys.argv[1], *map(int, sys.argv[2:5])
    s = open_store(db)
    if not any(a.name == "crash" for a in s.athletes()):
        s.add_athlete("crash")
    doc = {"model_version": "crash-test", "triage": {"level": "none", "flags": []},
           "contributors": [{"id": "sleep", "recheck_days": 7, "actions": ["sleep more"]}],
           "todays_call": {"id": "continue", "text": "", "why": ""}}
    out = sys.stdout
    out.write("ready\\n"); out.flush()
    base = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for j in range(first, first + 100000):
        t0 = base + dt.timedelta(days=j * n_nights)
        starts = [t0 + dt.timedelta(hours=3 * i) for i in range(n_sessions)]
        sessions = [{"start": t.isoformat(), "date": t.date().isoformat(), "sport": "run",
                     "duration_min": 30.0 + i % 7, "load": 100.0 + i, "load_source": "srpe",
                     "source": f"batch-{j}"} for i, t in enumerate(starts)]
        nights = [{"date": (t0 + dt.timedelta(days=i)).date().isoformat(), "sleep_h": 7.0 + (i % 5) / 10,
                   "quality": None, "source": f"batch-{j}"} for i in range(n_nights)]
        out.write(f"B {j}\\n"); out.flush()
        s.add_history_rows("crash", sessions, nights)
        out.write(f"H {j}\\n"); out.flush()
        s.save_assessment("crash", {"batch": j}, {**doc, "as_of": t0.date().isoformat()})
        out.write(f"C {j}\\n"); out.flush()
""")


def state(db: Path) -> tuple[dict[int, tuple[int, int]], list[int]]:
    """Per batch: (sessions, nights); and the batches with an assessment, in order."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        batches: dict[int, list[int]] = {}
        for src, n in con.execute("SELECT source, count(*) FROM sessions GROUP BY source"):
            batches.setdefault(int(src.removeprefix("batch-")), [0, 0])[0] = n
        for src, n in con.execute("SELECT source, count(*) FROM nights GROUP BY source"):
            batches.setdefault(int(src.removeprefix("batch-")), [0, 0])[1] = n
        assessed = [json.loads(a)["batch"] for (a,) in con.execute("SELECT answers FROM assessments ORDER BY id")]
    finally:
        con.close()
    return {k: (v[0], v[1]) for k, v in batches.items()}, assessed


def test_killed_writer_never_corrupts_or_half_saves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "athletes.sqlite3"
    rng = random.Random(20261122)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    next_batch, mid_transaction, saved_total = 0, 0, 0
    for trial in range(TRIALS):
        before = state(db) if db.exists() else ({}, [])
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(next_batch),
                                 str(SESSIONS_PER_BATCH), str(NIGHTS_PER_BATCH)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line != b"ready\n":
            proc.kill()
            pytest.fail(f"writer failed to start: {line!r} {proc.communicate()[1].decode()}")
        time.sleep(rng.uniform(0.0, 0.12))
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        events = rest.decode().split()
        if events and events[-2] in ("B", "H"):
            mid_transaction += 1

        batches, assessed = state(db)
        # nothing saved before this trial changed
        for k, v in before[0].items():
            assert batches[k] == v
        assert assessed[:len(before[1])] == before[1]
        # every batch is all or nothing, and the saved ones are a prefix of what the writer started
        assert all(v == (SESSIONS_PER_BATCH, NIGHTS_PER_BATCH) for v in batches.values()), (trial, batches)
        assert sorted(batches) == list(range(len(batches)))
        # an assessment exists only after its batch's history, and in order
        assert assessed == list(range(len(assessed)))
        assert len(batches) - 1 <= len(assessed) <= len(batches)
        saved_total += len(batches) - len(before[0])
        # killed between the two saves of a batch: the next writer redoes it (its history is
        # recognised as already stored and only the assessment is added)
        next_batch = len(assessed)
    with capsys.disabled():
        sys.stdout.write(f"\n[crash test] {TRIALS} SIGKILL trials, {mid_transaction} killed inside a save, "
                         f"{saved_total} batches committed, integrity ok and all-or-nothing in every trial\n")
    assert mid_transaction > 0
