"""The athlete store: one embedded SQLite database per user (issue #8, coach workflow).

Athletes, their profile, their imported training sessions and sleep nights
(deduplicated), every assessment with its answers, result, model version and
timestamps, and the actions chosen, live in ``athletes.sqlite3`` in
:func:`heavylegs_core.base.paths.user_data_dir` (``$HEAVYLEGS_DATA_DIR`` overrides
it; never under the served notebooks folder).

Safety:

- WAL journal, ``synchronous=FULL``, foreign keys on, a busy timeout so that two
  app sessions (or an app and the command line) can use the same file at once;
- every write is ONE transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back
  on any error, so a process killed in the middle of a save leaves the database
  as it was before the save or after it (SQLite's journal guarantees it;
  ``tests/test_store_crash.py`` checks it by killing writers);
- the schema is versioned: ``heavylegs_core/io/migrations/NNNN_*.sql`` are applied
  in order, each inside a transaction together with ``PRAGMA user_version``.

Only the standard library is needed to open a store and write to it; pandas is
imported by the functions that take or return tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import math
import os
import re
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from heavylegs_core.base.errors import Problem, StorageError, UserError, storage_error
from heavylegs_core.base.paths import NOTEBOOKS_DIR, user_data_dir
from heavylegs_core.domain.coach import (
    Athlete,
    DueRecheck,
    RosterRow,
    SavedAssessment,
    athlete_profile,
)
from heavylegs_core.domain.duplicates import (
    DUP_START_MIN,
    SessionFacts,
    same_session,
    start_seconds,
)
from heavylegs_core.domain.history import History
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.domain.records import (
    NIGHT_SCHEMA,
    SESSION_SCHEMA,
    Schema,
    empty_nights,
    empty_sessions,
    normalise_nights,
    normalise_sessions,
)

if TYPE_CHECKING:
    import pandas as pd

    from heavylegs_core.domain.model import Assessment

DB_FILENAME = "athletes.sqlite3"
#: Seconds a writer waits for another writer's transaction before giving up.
BUSY_TIMEOUT_S = 30.0
#: The one duplicate-session rule (:func:`heavylegs_core.domain.duplicates.same_session`, also the
#: importers'): a stored session within this many seconds of a new one is compared with it.
DUP_START_S = DUP_START_MIN * 60.0

#: The stored fields of a session and a night: the canonical schema's (heavylegs_core.domain.records),
#: without the constant ``kind``. The SQL migration declares the same columns (a test checks it).
SESSION_FIELDS: tuple[str, ...] = SESSION_SCHEMA.field_names
NIGHT_FIELDS: tuple[str, ...] = NIGHT_SCHEMA.field_names
FOLLOWUP_RESPONSES: tuple[str, ...] = ("better", "same", "worse")
#: Answers a follow-up never copies from the last assessment (besides warning signs and the re-check step).
FRESH_ANSWERS: frozenset[str] = frozenset({"heavy_legs"})
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


# ----------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class HistoryAdded:
    """What :meth:`Store.add_history` did: rows added and duplicates left out."""

    sessions_added: int
    sessions_duplicate: int
    nights_added: int
    nights_duplicate: int


# ----------------------------------------------------------------- helpers
def default_path() -> Path:
    """The database file in the user's data folder (``$HEAVYLEGS_DATA_DIR`` overrides it)."""
    try:
        return user_data_dir() / DB_FILENAME
    except ValueError as exc:
        raise UserError(f"{exc}: set HEAVYLEGS_DATA_DIR to a folder outside it", where="HEAVYLEGS_DATA_DIR") from None
    except OSError as exc:  # the data folder cannot be created: read-only, full or not ours
        raise storage_error(exc, exc.filename or "HEAVYLEGS_DATA_DIR", "athlete records") or exc from None


def _storage_failure(exc: sqlite3.Error, path: Path) -> UserError | None:
    """The one-line error for a full disk or a read-only data folder, else None (a real fault)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    folder = path.parent
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")) and name != "SQLITE_IOERR_SHORT_READ":
        # SQLite reports a full disk as SQLITE_FULL, or as a write I/O error on some systems
        full = name == "SQLITE_FULL"
        with contextlib.suppress(OSError):
            full = full or shutil.disk_usage(folder).free < 64 * 1024
        if full:
            return StorageError("the disk holding the athlete records is full; nothing was changed "
                                "(free some space and try again)", where=str(path), errno=errno.ENOSPC)
    if name.startswith("SQLITE_READONLY") or (name.startswith("SQLITE_CANTOPEN") and not os.access(folder, os.W_OK)):
        return StorageError(f"folder {folder} is read-only, and the athlete database must write there "
                            "(even to read); nothing was changed: make it writable, or set HEAVYLEGS_DATA_DIR "
                            "to a writable folder", where=str(path), errno=errno.EROFS)
    return None


def now_utc() -> str:
    """The current time, ISO 8601 in UTC to the microsecond."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str:
    """``value`` as compact JSON with sorted keys (NaN refused): the stored form."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def migrations() -> list[tuple[int, str, str]]:
    """The packaged migrations as ``(version, file name, SQL)``, in order, numbered 1, 2, ..."""
    files = resources.files("heavylegs_core.io") / "migrations"
    found = []
    for entry in files.iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for i, (version, name, _) in enumerate(found, 1):
        if version != i:
            raise RuntimeError(f"migration {name} is out of sequence: expected number {i:04d}")
    return found


SCHEMA_VERSION = len(migrations())


def _finite(value: Any) -> float | None:
    """A float, or None for missing / NaN (units unchanged)."""
    if value is None:
        return None
    f = float(value)
    return None if math.isnan(f) else f


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _start_ts(start: str) -> float:
    return start_seconds(start)


# ----------------------------------------------------------------- the store
class Store:
    """A connection to the athlete database; use as a context manager or call :meth:`close`.

    ``path`` defaults to :func:`default_path`. Opening creates the file and
    applies any pending migrations. Every public write method is one transaction.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        resolved = self.path.resolve()
        if NOTEBOOKS_DIR.resolve() in resolved.parents:
            raise UserError("athlete records must not live in the notebooks folder, which Voila and Jupyter "
                            "serve: choose a path outside it", where=str(self.path))
        if not self.path.parent.exists():
            raise UserError(f"folder {self.path.parent} does not exist", where=str(self.path))
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                        check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self._lock = threading.RLock()  # one transaction at a time on this connection
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise UserError(f"cannot use write-ahead logging here (journal mode {mode})",
                                where=str(self.path))
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(Exception):
                self.conn.close()
            raise _storage_failure(exc, self.path) or UserError(
                f"not a heavylegs database or damaged ({exc})", where=str(self.path)) from None

    # -- lifecycle
    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): committed at the end, rolled back on any error.

        Other connections (processes) wait up to :data:`BUSY_TIMEOUT_S` for it;
        threads sharing this Store take turns.
        """
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:  # a full disk or read-only folder: one clear line
                err = _storage_failure(exc, self.path)
                if err is None:
                    raise
                raise err from None

    def _migrate(self) -> None:
        current = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise UserError(f"this database has schema version {current}, newer than this heavylegs "
                            f"({SCHEMA_VERSION}): upgrade heavylegs", where=str(self.path))
        for version, _name, sql in migrations():
            if version <= current:
                continue
            with self.transaction() as c:
                # re-read inside the write lock: another process may have migrated meanwhile
                if c.execute("PRAGMA user_version").fetchone()[0] >= version:
                    continue
                for statement in _statements(sql):
                    c.execute(statement)
                c.execute(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        """The ``PRAGMA user_version`` of the database."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity_ok(self) -> bool:
        """True when ``PRAGMA integrity_check`` and ``foreign_key_check`` find nothing wrong."""
        ok = self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return ok and not self.conn.execute("PRAGMA foreign_key_check").fetchall()

    # -- athletes
    def add_athlete(self, name: str, *, tz: str = "UTC", profile: AthleteProfile | Mapping[str, Any] | None = None,
                    notes: str = "") -> Athlete:
        """Create an athlete; the name must be unique (1-100 characters) and ``tz`` an IANA zone."""
        name = _check_name(name)
        _check_tz(tz)
        prof = _profile_dict(profile)
        uid = uuid.uuid4().hex
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM athletes WHERE name = ?", (name,)).fetchone():
                raise UserError(f"an athlete called {name!r} already exists", where="athlete")
            c.execute("INSERT INTO athletes (uid, name, tz, profile, notes, created_at) VALUES (?,?,?,?,?,?)",
                      (uid, name, tz, canonical_json(prof), notes, now_utc()))
        return self.athlete(name)

    def athlete(self, name: str) -> Athlete:
        """The athlete with this name (a UserError naming the known athletes when there is none)."""
        row = self.conn.execute("SELECT * FROM athletes WHERE name = ?", (name,)).fetchone()
        if row is None:
            known = [r[0] for r in self.conn.execute("SELECT name FROM athletes ORDER BY name LIMIT 20")]
            hint = f"known: {', '.join(known)}" if known else "none yet: add one with 'heavylegs athletes add NAME'"
            raise UserError(f"no athlete called {name!r} ({hint})", where="athlete")
        return _athlete(row)

    def athletes(self) -> list[Athlete]:
        """Every athlete, by name."""
        return [_athlete(r) for r in self.conn.execute("SELECT * FROM athletes ORDER BY name")]

    def update_athlete(self, name: str, *, tz: str | None = None,
                       profile: AthleteProfile | Mapping[str, Any] | None = None,
                       notes: str | None = None, new_name: str | None = None) -> Athlete:
        """Change an athlete's time zone, profile (replaced as a whole), notes or name."""
        if tz is not None:
            _check_tz(tz)
        prof = _profile_dict(profile) if profile is not None else None
        new = _check_name(new_name) if new_name is not None else None
        with self.transaction() as c:
            a = self.athlete(name)
            if new is not None and new != name and c.execute(
                    "SELECT 1 FROM athletes WHERE name = ?", (new,)).fetchone():
                raise UserError(f"an athlete called {new!r} already exists", where="athlete")
            c.execute("UPDATE athletes SET tz = ?, profile = ?, notes = ?, name = ? WHERE id = ?",
                      (tz if tz is not None else a.tz,
                       canonical_json(prof) if prof is not None else canonical_json(a.profile),
                       notes if notes is not None else a.notes, new or a.name, a.id))
        return self.athlete(new or name)

    def remove_athlete(self, name: str) -> None:
        """Delete an athlete and everything recorded for them."""
        with self.transaction() as c:
            a = self.athlete(name)
            c.execute("DELETE FROM athletes WHERE id = ?", (a.id,))

    def counts(self, name: str) -> dict[str, int]:
        """How many sessions, nights and assessments an athlete has."""
        a = self.athlete(name)
        out = {}
        for table in ("sessions", "nights", "assessments"):
            out[table] = self.conn.execute(f"SELECT count(*) FROM {table} WHERE athlete_id = ?",
                                           (a.id,)).fetchone()[0]
        return out

    # -- history
    def add_history(self, name: str, sessions: pd.DataFrame | None = None,
                    nights: pd.DataFrame | None = None) -> HistoryAdded:
        """Add canonical sessions and nights (:mod:`heavylegs_core.domain.records`), skipping duplicates.

        A session is a duplicate when it is the same session as a stored one by
        the importers' rule (:func:`heavylegs_core.domain.duplicates.same_session`:
        the same start and sport, or another source's record starting within
        :data:`DUP_START_S` seconds with a compatible sport and a similar
        duration), so re-importing the same file or another device's copy adds
        nothing; a night is a duplicate when one is stored for the same date.
        """
        s_rows = _session_rows(sessions) if sessions is not None else []
        n_rows = _night_rows(nights) if nights is not None else []
        return self.add_history_rows(name, s_rows, n_rows)

    def add_history_rows(self, name: str, sessions: Sequence[Mapping[str, Any]],
                         nights: Sequence[Mapping[str, Any]]) -> HistoryAdded:
        """:meth:`add_history` for plain rows (dicts with :data:`SESSION_FIELDS` / :data:`NIGHT_FIELDS`)."""
        s_add = s_dup = n_add = n_dup = 0
        with self.transaction() as c:
            a = self.athlete(name)
            for r in sessions:
                ts = _start_ts(r["start"])
                new = SessionFacts(ts, r["sport"], _finite(r.get("duration_min")), r.get("source"))
                near = c.execute(
                    "SELECT start_ts, sport, duration_min, source FROM sessions WHERE athlete_id = ? "
                    "AND start_ts BETWEEN ? AND ?", (a.id, ts - DUP_START_S, ts + DUP_START_S)).fetchall()
                if any(same_session(new, SessionFacts(*x)) for x in near):
                    s_dup += 1
                    continue
                _insert_session(c, a.id, r)
                s_add += 1
            for r in nights:
                if c.execute("SELECT 1 FROM nights WHERE athlete_id = ? AND date = ?",
                             (a.id, r["date"])).fetchone():
                    n_dup += 1
                    continue
                _insert_night(c, a.id, r)
                n_add += 1
        return HistoryAdded(s_add, s_dup, n_add, n_dup)

    def session_rows(self, name: str) -> list[dict[str, Any]]:
        """An athlete's sessions as plain rows (:data:`SESSION_FIELDS`), by start time."""
        a = self.athlete(name)
        cols = ", ".join(SESSION_FIELDS)
        return [dict(r) for r in self.conn.execute(
            f"SELECT {cols} FROM sessions WHERE athlete_id = ? ORDER BY start_ts, sport, start",
            (a.id,))]

    def night_rows(self, name: str) -> list[dict[str, Any]]:
        """An athlete's nights as plain rows (:data:`NIGHT_FIELDS`), by date."""
        a = self.athlete(name)
        cols = ", ".join(NIGHT_FIELDS)
        return [dict(r) for r in self.conn.execute(
            f"SELECT {cols} FROM nights WHERE athlete_id = ? ORDER BY date", (a.id,))]

    def sessions(self, name: str) -> pd.DataFrame:
        """An athlete's sessions as a canonical table (interfaces.md section 2)."""
        import pandas as pd


        rows = self.session_rows(name)
        if not rows:
            return empty_sessions()
        return normalise_sessions(pd.DataFrame(rows).assign(kind="session"))

    def nights(self, name: str) -> pd.DataFrame:
        """An athlete's nights as a canonical table (interfaces.md section 2)."""
        import pandas as pd

        rows = self.night_rows(name)
        if not rows:
            return empty_nights()
        return normalise_nights(pd.DataFrame(rows).assign(kind="night"))

    def history(self, name: str, *, answers: Mapping[str, Any] | None = None, label: str | None = None) -> History:
        """An athlete's stored sessions and nights as a :class:`~heavylegs_core.domain.history.History`,
        with the stored profile (sex and age from ``answers`` where the profile has none:
        :func:`heavylegs_core.domain.coach.athlete_profile`)."""
        a = self.athlete(name)
        sessions = self.sessions(name)
        return History(sessions=sessions, nights=self.nights(name), profile=athlete_profile(a, answers),
                       label=label if label is not None else f"{a.name}'s records ({len(sessions)} sessions)")

    # -- assessments
    def save_assessment(self, name: str, answers: Mapping[str, Any], result: Assessment | Mapping[str, Any], *,
                        previous_uid: str | None = None, actions: Iterable[tuple[str, str]] = (),
                        created_at: str | None = None) -> SavedAssessment:
        """Save an assessment with its answers, result and chosen ``(cause_id, action)`` pairs.

        ``result`` is an :class:`~heavylegs_core.domain.model.Assessment` or its
        ``to_dict()``. The re-check date is the as-of date plus the top
        contributor's ``recheck_days`` (none when there is no contributor).
        """
        doc = result.to_dict() if hasattr(result, "to_dict") else dict(result)
        _check_result(doc)
        as_of = doc.get("as_of") or dt.datetime.now(dt.UTC).date().isoformat()
        doc = {**doc, "as_of": as_of}
        uid = uuid.uuid4().hex
        created = created_at or now_utc()
        with self.transaction() as c:
            a = self.athlete(name)
            if previous_uid is not None and not c.execute(
                    "SELECT 1 FROM assessments WHERE uid = ? AND athlete_id = ?", (previous_uid, a.id)).fetchone():
                raise UserError(f"no earlier assessment {previous_uid!r} for {name!r}", where="assessment")
            rowid = _insert_assessment(c, a.id, {
                "uid": uid, "created_at": created, "as_of": as_of, "model_version": doc["model_version"],
                "answers": dict(answers), "result": doc, "recheck_on": recheck_date(doc),
                "previous_uid": previous_uid,
            })
            for cause, action in actions:
                _insert_action(c, rowid, cause, action, created)
        return self.assessment(uid)

    def choose_actions(self, uid: str, actions: Iterable[tuple[str, str]]) -> SavedAssessment:
        """Record the ``(cause_id, action)`` pairs chosen for an assessment (already chosen ones are kept)."""
        with self.transaction() as c:
            row = c.execute("SELECT id, result FROM assessments WHERE uid = ?", (uid,)).fetchone()
            if row is None:
                raise UserError(f"no assessment {uid!r}", where="assessment")
            offered = {(x["id"], t) for x in json.loads(row["result"]).get("contributors", [])
                       for t in x.get("actions", [])}
            when = now_utc()
            for cause, action in actions:
                if (cause, action) not in offered:
                    raise UserError(f"action {action!r} was not offered for {cause!r} in this assessment",
                                    where="assessment")
                c.execute("INSERT OR IGNORE INTO actions (assessment_id, cause_id, action, chosen_at) "
                          "VALUES (?,?,?,?)", (row["id"], cause, action, when))
        return self.assessment(uid)

    def assessment(self, uid: str) -> SavedAssessment:
        """One saved assessment by its uid."""
        row = self.conn.execute(
            "SELECT s.*, a.name AS athlete FROM assessments s JOIN athletes a ON a.id = s.athlete_id "
            "WHERE s.uid = ?", (uid,)).fetchone()
        if row is None:
            raise UserError(f"no assessment {uid!r}", where="assessment")
        return self._saved(row)

    def assessments(self, name: str) -> list[SavedAssessment]:
        """An athlete's assessments, oldest first (by as-of date, then save time)."""
        a = self.athlete(name)
        rows = self.conn.execute(
            "SELECT s.*, ? AS athlete FROM assessments s WHERE athlete_id = ? ORDER BY as_of, created_at, id",
            (a.name, a.id)).fetchall()
        return [self._saved(r) for r in rows]

    def last_assessment(self, name: str) -> SavedAssessment | None:
        """An athlete's latest assessment, or None."""
        items = self.assessments(name)
        return items[-1] if items else None

    def _saved(self, row: sqlite3.Row) -> SavedAssessment:
        acts = tuple((r[0], r[1]) for r in self.conn.execute(
            "SELECT cause_id, action FROM actions WHERE assessment_id = ? ORDER BY id", (row["id"],)))
        return SavedAssessment(
            id=row["id"], uid=row["uid"], athlete=row["athlete"], created_at=row["created_at"],
            as_of=dt.date.fromisoformat(row["as_of"]), model_version=row["model_version"],
            answers=json.loads(row["answers"]), result=json.loads(row["result"]),
            triage_level=row["triage_level"], todays_call=row["todays_call"],
            recheck_on=dt.date.fromisoformat(row["recheck_on"]) if row["recheck_on"] else None,
            previous_uid=row["previous_uid"], actions=acts)

    def roster(self, on: dt.date) -> list[RosterRow]:
        """Every athlete with record counts, the latest assessment and whether its re-check is due by ``on``."""
        rows = self.conn.execute(
            """SELECT a.name, a.tz,
                      (SELECT count(*) FROM sessions s WHERE s.athlete_id = a.id) AS n_sessions,
                      (SELECT count(*) FROM nights n WHERE n.athlete_id = a.id) AS n_nights,
                      (SELECT count(*) FROM assessments t WHERE t.athlete_id = a.id) AS n_assessments,
                      (SELECT max(date) FROM sessions s WHERE s.athlete_id = a.id) AS last_session,
                      (SELECT t.uid FROM assessments t WHERE t.athlete_id = a.id
                       ORDER BY t.as_of DESC, t.created_at DESC, t.id DESC LIMIT 1) AS last_uid
               FROM athletes a ORDER BY a.name""").fetchall()
        out = []
        for r in rows:
            last = self.assessment(r["last_uid"]) if r["last_uid"] else None
            out.append(RosterRow(
                athlete=r["name"], tz=r["tz"], sessions=r["n_sessions"], nights=r["n_nights"],
                assessments=r["n_assessments"],
                last_session=dt.date.fromisoformat(r["last_session"]) if r["last_session"] else None,
                last_assessment=last.as_of if last else None,
                triage_level=last.triage_level if last else None, todays_call=last.todays_call if last else None,
                top_contributor=last.top_contributor if last else None,
                recheck_on=last.recheck_on if last else None,
                recheck_due=bool(last and last.recheck_on and last.recheck_on <= on)))
        return out

    # -- follow-up
    def followup_answers(self, name: str, response: str, on: dt.date) -> tuple[dict[str, Any], SavedAssessment]:
        """Answers for a re-check on ``on``, prefilled from the athlete's latest assessment.

        ``response`` is ``better``, ``same`` or ``worse``; it goes in
        ``response_to_change`` with ``change_days`` = days since that
        assessment (so the model's "no better after 14+ days" flag and the
        evidence that failure to improve lowers benign causes apply). Red-flag
        answers and today's heavy-legs rating are NOT carried over: they must
        be asked afresh.
        """
        if response not in FOLLOWUP_RESPONSES:
            raise UserError(f"unknown follow-up response {response!r}: use better, same or worse",
                            where="--followup")
        last = self.last_assessment(name)
        if last is None:
            raise UserError(f"{name!r} has no earlier assessment to follow up", where="--followup")
        days = (on - last.as_of).days
        if days < 0:
            raise UserError(f"the re-check date {on} is before the last assessment ({last.as_of})",
                            where="--as-of")
        from heavylegs_core.knowledge import load_knowledge

        kb = load_knowledge()
        fresh = {q.id for q in kb.questions if q.section == "red_flags" or q.step == "recheck"} | FRESH_ANSWERS
        answers = {k: v for k, v in last.answers.items() if k not in fresh}
        answers["response_to_change"] = response
        answers["change_days"] = min(days, 365)
        return answers, last

    def due(self, on: dt.date, *, within_days: int = 0) -> list[DueRecheck]:
        """Re-checks due by ``on`` (+ ``within_days``): each athlete's LATEST assessment's re-check date.

        Sorted most overdue first.
        """
        limit = (on + dt.timedelta(days=within_days)).isoformat()
        rows = self.conn.execute(
            """SELECT a.name, s.uid, s.as_of, s.recheck_on, s.result, s.triage_level
               FROM assessments s JOIN athletes a ON a.id = s.athlete_id
               WHERE s.id = (SELECT t.id FROM assessments t WHERE t.athlete_id = s.athlete_id
                             ORDER BY t.as_of DESC, t.created_at DESC, t.id DESC LIMIT 1)
                 AND s.recheck_on IS NOT NULL AND s.recheck_on <= ?
               ORDER BY s.recheck_on, a.name""", (limit,)).fetchall()
        out = []
        for r in rows:
            cs = json.loads(r["result"]).get("contributors") or []
            rc = dt.date.fromisoformat(r["recheck_on"])
            out.append(DueRecheck(r["name"], r["uid"], dt.date.fromisoformat(r["as_of"]), rc, (on - rc).days,
                                  cs[0]["id"] if cs else None, r["triage_level"]))
        return out


# ----------------------------------------------------------------- row helpers (shared with portable)
def recheck_date(result: Mapping[str, Any]) -> str | None:
    """``as_of`` + the top contributor's ``recheck_days`` (YYYY-MM-DD), or None without contributors."""
    cs = result.get("contributors") or []
    if not cs or not result.get("as_of"):
        return None
    return (dt.date.fromisoformat(result["as_of"]) + dt.timedelta(days=int(cs[0]["recheck_days"]))).isoformat()


def _check_result(doc: Mapping[str, Any]) -> None:
    for key in ("model_version", "triage", "contributors", "todays_call"):
        if key not in doc:
            raise UserError(f"the result has no {key!r}: not a heavylegs assessment", where="assessment")


def _insert_session(c: sqlite3.Connection, athlete_id: int, r: Mapping[str, Any]) -> None:
    c.execute(
        f"INSERT INTO sessions (athlete_id, start_ts, {', '.join(SESSION_FIELDS)}) "
        f"VALUES (?, ?, {', '.join('?' * len(SESSION_FIELDS))})",
        (athlete_id, _start_ts(r["start"]), *(r.get(k) for k in SESSION_FIELDS)))


def _insert_night(c: sqlite3.Connection, athlete_id: int, r: Mapping[str, Any]) -> None:
    c.execute(f"INSERT INTO nights (athlete_id, {', '.join(NIGHT_FIELDS)}) "
              f"VALUES (?, {', '.join('?' * len(NIGHT_FIELDS))})",
              (athlete_id, *(r.get(k) for k in NIGHT_FIELDS)))


def _insert_assessment(c: sqlite3.Connection, athlete_id: int, r: Mapping[str, Any]) -> int:
    doc = r["result"]
    cur = c.execute(
        "INSERT INTO assessments (uid, athlete_id, created_at, as_of, model_version, answers, result, "
        "triage_level, todays_call, recheck_on, previous_uid) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (r["uid"], athlete_id, r["created_at"], r["as_of"], r["model_version"], canonical_json(r["answers"]),
         canonical_json(doc), doc["triage"]["level"], doc["todays_call"]["id"], r["recheck_on"],
         r["previous_uid"]))
    return int(cur.lastrowid or 0)


def _insert_action(c: sqlite3.Connection, assessment_id: int, cause: str, action: str, when: str) -> None:
    c.execute("INSERT OR IGNORE INTO actions (assessment_id, cause_id, action, chosen_at) VALUES (?,?,?,?)",
              (assessment_id, cause, action, when))


def _athlete(row: sqlite3.Row) -> Athlete:
    return Athlete(row["id"], row["uid"], row["name"], row["tz"], json.loads(row["profile"]), row["notes"],
                   row["created_at"])


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 100 or any(ord(ch) < 32 for ch in name):
        raise UserError("an athlete name has 1-100 printable characters", where="athlete")
    return name


def _check_tz(tz: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise UserError(f"unknown time zone {tz!r}: use an IANA name such as Europe/Oslo or UTC",
                        where="--tz") from None


def _profile_dict(profile: AthleteProfile | Mapping[str, Any] | None) -> dict[str, Any]:
    from pydantic import ValidationError


    if profile is None:
        return AthleteProfile().model_dump()
    if isinstance(profile, AthleteProfile):
        return profile.model_dump()
    try:
        return AthleteProfile(**dict(profile)).model_dump()
    except ValidationError as exc:
        raise UserError([_problem(e) for e in exc.errors()]) from None
    except TypeError as exc:
        raise UserError(f"invalid profile ({exc})", where="profile") from None


def _problem(e: Mapping[str, Any]) -> Any:
    loc = ".".join(str(x) for x in e.get("loc", ())) or "profile"
    return Problem(str(e.get("msg", "invalid")), where=f"profile.{loc}" if loc != "profile" else loc)


def _session_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Canonical sessions as plain rows: ``date`` YYYY-MM-DD, NaN -> None."""
    return _plain_rows(df, SESSION_SCHEMA, "sessions")


def _plain_rows(df: pd.DataFrame, schema: Schema, where: str) -> list[dict[str, Any]]:
    """Rows of ``schema``'s stored fields: dates YYYY-MM-DD, numbers float or None, text str or None."""
    import pandas as pd

    def date(d: Any) -> str | None:
        return pd.Timestamp(d).date().isoformat() if d is not None and not pd.isna(d) else None

    conv = {c.name: date if c.type == "date" else _finite if c.type == "number" else _text for c in schema.fields}
    need = schema.required
    out = []
    for rec in df.to_dict("records"):
        row = {k: f(rec.get(k)) for k, f in conv.items()}
        if any(row[k] is None for k in need):
            raise UserError(f"a {schema.kind} needs {', '.join(need[:-1])} and {need[-1]}", where=where)
        out.append(row)
    return out


def _night_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Canonical nights as plain rows: ``date`` YYYY-MM-DD, NaN -> None."""
    return _plain_rows(df, NIGHT_SCHEMA, "nights")


def _statements(sql: str) -> list[str]:
    """The statements of a migration file (split on ';' at line ends; no triggers with bodies)."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().strip(";").strip()]


def open_store(path: str | Path | None = None) -> Store:
    """Open (and create or migrate) the athlete store; ``path`` defaults to :func:`default_path`."""
    return Store(path)
