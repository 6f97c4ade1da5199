"""Athlete store benchmarks (not a test): a coach's squad in the SQLite store.

A synthetic squad (``--athletes`` athletes, ``--days`` days of one session and one
night a day each, ``--assessments`` saved assessments each) is written to a
temporary database. Reported as medians of ``--repeat`` runs:

- ``add_history``: one athlete's history saved through :meth:`Store.add_history_rows`
  (one transaction, duplicate check per session), against the floor measured in the
  same run: a bare ``executemany`` of the same rows into the same tables in one
  transaction (no duplicate check);
- ``re-import``: the same history again (every row recognised as a duplicate);
- ``roster`` and ``due`` for the whole squad; ``export`` of the whole squad to the
  portable document and ``import`` of it into an empty store.

Usage: .venv/bin/python benchmarks/bench_store.py [--athletes 30] [--days 730] [--assessments 10] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heavylegs_core.io.portable import dumps, export_document, import_bytes
from heavylegs_core.io.store import NIGHT_FIELDS, SESSION_FIELDS, Store

RESULT = {"model_version": "bench", "triage": {"level": "none", "flags": []},
          "contributors": [{"id": "sleep", "recheck_days": 7, "actions": ["sleep more"]}],
          "todays_call": {"id": "continue", "text": "", "why": ""}}


def history(days: int) -> tuple[list[dict], list[dict]]:
    """One session and one night a day (units: minutes, km, AU, hours)."""
    t0 = dt.datetime(2023, 1, 1, 7, 0, tzinfo=dt.UTC)
    sessions, nights = [], []
    for i in range(days):
        t = t0 + dt.timedelta(days=i)
        sessions.append({"start": t.isoformat(), "date": t.date().isoformat(), "sport": "run",
                         "duration_min": 30.0 + i % 40, "distance_km": 5.0 + i % 10, "rpe": 3.0 + i % 6,
                         "avg_hr": None, "max_hr": None, "load": (30.0 + i % 40) * (3 + i % 6),
                         "load_source": "srpe", "name": f"Run {i}", "source": "bench"})
        nights.append({"date": t.date().isoformat(), "sleep_h": 6.5 + (i % 5) / 4, "quality": 3.0, "source": "bench"})
    return sessions, nights


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=30)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--assessments", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sessions, nights = history(args.days)
    med: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        add, again, floor = [], [], []
        for r in range(args.repeat):
            with Store(Path(tmp) / f"h{r}.sqlite3") as s:
                s.add_athlete("a")
                add.append(timed(lambda s=s: s.add_history_rows("a", sessions, nights)))
                again.append(timed(lambda s=s: s.add_history_rows("a", sessions, nights)))
            with Store(Path(tmp) / f"f{r}.sqlite3") as s:
                aid = s.add_athlete("a").id

                def bare(s: Store = s, aid: int = aid) -> None:
                    from heavylegs_core.io.store import _start_ts

                    with s.transaction() as c:
                        c.executemany(
                            f"INSERT INTO sessions (athlete_id, start_ts, {', '.join(SESSION_FIELDS)}) "
                            f"VALUES (?, ?, {', '.join('?' * len(SESSION_FIELDS))})",
                            [(aid, _start_ts(x["start"]), *(x[k] for k in SESSION_FIELDS)) for x in sessions])
                        c.executemany(f"INSERT INTO nights (athlete_id, {', '.join(NIGHT_FIELDS)}) "
                                      f"VALUES (?, {', '.join('?' * len(NIGHT_FIELDS))})",
                                      [(aid, *(x[k] for k in NIGHT_FIELDS)) for x in nights])
                floor.append(timed(bare))
        med["add_history"], med["re-import"], med["floor"] = (statistics.median(x) for x in (add, again, floor))

        squad = Path(tmp) / "squad.sqlite3"
        with Store(squad) as s:
            for k in range(args.athletes):
                name = f"athlete {k:03d}"
                s.add_athlete(name)
                s.add_history_rows(name, sessions, nights)
                for j in range(args.assessments):
                    day = (dt.date(2023, 1, 1) + dt.timedelta(days=j * 14)).isoformat()
                    s.save_assessment(name, {"j": j}, {**RESULT, "as_of": day})
            on = dt.date(2024, 6, 1)
            med["roster"] = statistics.median(timed(lambda: s.roster(on)) for _ in range(args.repeat))
            med["due"] = statistics.median(timed(lambda: s.due(on)) for _ in range(args.repeat))
            data = b""

            def export() -> None:
                nonlocal data
                data = dumps(export_document(s), compress=True)
            med["export"] = statistics.median(timed(export) for _ in range(args.repeat))
        imports = []
        for r in range(args.repeat):
            with Store(Path(tmp) / f"i{r}.sqlite3") as target:
                imports.append(timed(lambda t=target: import_bytes(t, data)))
        med["import"] = statistics.median(imports)

    rows = args.days
    print(f"one athlete, {rows} sessions + {rows} nights, median of {args.repeat}:")
    print(f"  add_history  {med['add_history'] * 1000:8.1f} ms  ({2 * rows / med['add_history']:,.0f} rows/s)"
          f"  = {med['add_history'] / med['floor']:.2f} x the bare executemany floor ({med['floor'] * 1000:.1f} ms)")
    print(f"  re-import    {med['re-import'] * 1000:8.1f} ms  (all duplicates)"
          f"  = {med['re-import'] / med['floor']:.2f} x the floor")
    total = args.athletes * rows * 2
    print(f"squad of {args.athletes} athletes ({total:,} rows, {args.athletes * args.assessments} assessments):")
    print(f"  roster       {med['roster'] * 1000:8.1f} ms")
    print(f"  due          {med['due'] * 1000:8.1f} ms")
    print(f"  export       {med['export'] * 1000:8.1f} ms  ({len(data) / 1e6:.2f} MB gzip)")
    print(f"  import       {med['import'] * 1000:8.1f} ms  (into an empty store, one transaction)")


if __name__ == "__main__":
    main()
