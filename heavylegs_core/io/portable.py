"""Portable athlete files: export the store (one athlete or all) and import it elsewhere.

This is how records survive Binder, whose storage is wiped at the end of a
session: export to a file, download it, upload and import it next time.

The file is one JSON document (``.json``, or gzip-compressed when the name ends
in ``.gz``; import detects gzip from the content)::

    {"format": "heavylegs-athletes", "version": 1, "exported_at": "...",
     "schema_version": 1,
     "athletes": [{"uid", "name", "tz", "profile", "notes", "created_at",
                   "sessions": [...], "nights": [...],
                   "assessments": [{"uid", "created_at", "as_of", "model_version",
                                    "answers", "result", "recheck_on", "previous_uid",
                                    "actions": [{"cause_id", "action", "chosen_at"}]}]}]}

Every field of every record is kept, so export -> import -> export gives the
same records bit for bit. Import validates the WHOLE document first, then
applies it in ONE transaction: a malformed or conflicting file changes
nothing. Importing into a store that already holds the athlete (same ``uid``)
merges: records already present (same session start and sport, same night
date, same assessment uid) are kept as they are, new ones are added.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import zlib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
)

from heavylegs_core.base.atomic import write_atomic
from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.domain.records import NIGHT_SCHEMA, SESSION_SCHEMA, Schema
from heavylegs_core.io.store import (
    NIGHT_FIELDS,
    SESSION_FIELDS,
    Store,
    _check_tz,
    _insert_action,
    _insert_assessment,
    _insert_night,
    _insert_session,
    _profile_dict,
    canonical_json,
    now_utc,
    recheck_date,
)

FORMAT = "heavylegs-athletes"
VERSION = 1
#: The largest portable document accepted, uncompressed (bytes).
MAX_BYTES = 512 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"

_LEVELS = ("none", "gp_soon", "urgent", "emergency")


# ----------------------------------------------------------------- the document schema
def check_result_doc(v: dict[str, Any]) -> dict[str, Any]:
    """Check the shape of a saved result (interfaces.md section 4); ValueError when it is not one."""
    triage, call, cs = v.get("triage"), v.get("todays_call"), v.get("contributors")
    if not isinstance(triage, dict) or triage.get("level") not in _LEVELS:
        raise ValueError("result.triage.level must be none, gp_soon, urgent or emergency")
    if not isinstance(call, dict) or not isinstance(call.get("id"), str):
        raise ValueError("result.todays_call.id is missing")  # noqa: TRY004 (pydantic needs ValueError)
    if not isinstance(cs, list) or not all(
            isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("recheck_days"), int)
            and isinstance(c.get("actions", []), list) for c in cs):
        raise ValueError("result.contributors must be a list of contributors with id and recheck_days")
    if not isinstance(v.get("model_version"), str):
        raise ValueError("result.model_version is missing")  # noqa: TRY004 (pydantic needs ValueError)
    return v


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _date(v: str) -> str:
    dt.date.fromisoformat(v)
    if len(v) != 10:
        raise ValueError("a date is YYYY-MM-DD")
    return v


def _stamp(v: str) -> str:
    dt.datetime.fromisoformat(v)
    return v


def _finite(v: float | None) -> float | None:
    if v is not None and not math.isfinite(v):
        raise ValueError("not a finite number")
    return v


def _offset_stamp(v: str) -> str:
    t = dt.datetime.fromisoformat(v)
    if t.tzinfo is None:
        raise ValueError("a session start needs a UTC offset")
    return v


def _record_model(name: str, schema: Schema, doc: str) -> type[_M]:
    """The strict pydantic model of one record kind, derived from its canonical schema.

    Field by field (``kind`` is not stored): a number is ``float | int`` within
    the declared range and finite; a choice is one of its choices; a date is
    YYYY-MM-DD; a timestamp is ISO 8601 with a UTC offset; text is a string.
    An optional field may be ``null`` or absent.
    """
    fields: dict[str, Any] = {}
    validators: dict[str, Any] = {}
    for c in schema.fields:
        kind: Any = {"number": float | int, "choice": Literal[c.choices]}.get(c.type, str)
        bounds = {k: v for k, v in (("ge", c.lo), ("le", c.hi)) if v is not None}
        if c.required:
            fields[c.name] = (kind, Field(**bounds))
        else:
            fields[c.name] = (kind | None, Field(default=None, **bounds))
        check = {"number": _finite, "date": _date, "timestamp": _offset_stamp}.get(c.type)
        if check is not None:
            validators[f"_check_{c.name}"] = field_validator(c.name)(check)
    return create_model(name, __base__=_M, __doc__=doc, __module__=__name__, __validators__=validators,
                        **fields)


#: A session row (units: minutes, km, bpm, AU), from :data:`heavylegs_core.domain.records.SESSION_SCHEMA`.
PSession = _record_model("PSession", SESSION_SCHEMA, "A session row (units: minutes, km, bpm, AU).")
#: A night row (hours, quality 1-5), from :data:`heavylegs_core.domain.records.NIGHT_SCHEMA`.
PNight = _record_model("PNight", NIGHT_SCHEMA, "A night row (hours, quality 1-5).")


class PAction(_M):
    """An action chosen for a contributor."""

    cause_id: str = Field(min_length=1)
    action: str = Field(min_length=1)
    chosen_at: str

    _s = field_validator("chosen_at")(_stamp)


class PAssessment(_M):
    """A saved assessment."""

    uid: str = Field(pattern=r"^[0-9a-f]{32}$")
    created_at: str
    as_of: str
    model_version: str = Field(min_length=1)
    answers: dict[str, Any]
    result: dict[str, Any]
    recheck_on: str | None
    previous_uid: str | None
    actions: list[PAction] = []

    _d = field_validator("as_of")(_date)
    _s = field_validator("created_at")(_stamp)

    @field_validator("recheck_on")
    @classmethod
    def _rc(cls, v: str | None) -> str | None:
        return None if v is None else _date(v)

    _r = field_validator("result")(check_result_doc)


class PAthlete(_M):
    """One athlete with all their records."""

    uid: str = Field(pattern=r"^[0-9a-f]{32}$")
    name: str = Field(min_length=1, max_length=100)
    tz: str
    profile: dict[str, Any]
    notes: str
    created_at: str
    sessions: list[PSession]
    nights: list[PNight]
    assessments: list[PAssessment]

    _s = field_validator("created_at")(_stamp)


class PDocument(_M):
    """The portable file."""

    format: Literal["heavylegs-athletes"]
    version: Literal[1]
    exported_at: str
    schema_version: int = Field(ge=1)
    athletes: list[PAthlete]


# ----------------------------------------------------------------- export
def export_document(store: Store, names: list[str] | None = None, *, exported_at: str | None = None) -> dict[str, Any]:
    """The portable document of the named athletes (all when ``names`` is None), as a dict."""
    chosen = [store.athlete(n) for n in names] if names else store.athletes()
    athletes = []
    for a in chosen:
        items = []
        for s in store.assessments(a.name):
            acts = store.conn.execute("SELECT cause_id, action, chosen_at FROM actions WHERE assessment_id = ? "
                                      "ORDER BY id", (s.id,)).fetchall()
            items.append({
                "uid": s.uid, "created_at": s.created_at, "as_of": s.as_of.isoformat(),
                "model_version": s.model_version, "answers": s.answers, "result": s.result,
                "recheck_on": s.recheck_on.isoformat() if s.recheck_on else None, "previous_uid": s.previous_uid,
                "actions": [dict(r) for r in acts],
            })
        athletes.append({
            "uid": a.uid, "name": a.name, "tz": a.tz, "profile": a.profile, "notes": a.notes,
            "created_at": a.created_at, "sessions": store.session_rows(a.name),
            "nights": store.night_rows(a.name), "assessments": items,
        })
    return {"format": FORMAT, "version": VERSION, "exported_at": exported_at or now_utc(),
            "schema_version": store.schema_version(), "athletes": athletes}


def dumps(document: dict[str, Any], *, compress: bool = False) -> bytes:
    """The document as file bytes: UTF-8 JSON, gzip-compressed (reproducibly, mtime 0) when asked."""
    data = (json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1) + "\n").encode("utf-8")
    return gzip.compress(data, mtime=0) if compress else data


def export_file(store: Store, path: Path, names: list[str] | None = None) -> dict[str, Any]:
    """Write the portable file atomically (gzip when ``path`` ends in ``.gz``); returns the document."""
    if not path.parent.exists():
        raise UserError(f"folder {path.parent} does not exist: create it first", where=str(path))
    doc = export_document(store, names)
    write_atomic(path, dumps(doc, compress=path.name.endswith(".gz")))
    return doc


# ----------------------------------------------------------------- import
def parse_bytes(data: bytes, where: str) -> PDocument:
    """Decode and validate a portable file completely (nothing is written); UserError on any problem."""
    if data[:2] == GZIP_MAGIC:
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = d.decompress(data, MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise UserError(f"larger than {MAX_BYTES // 2**20} MB uncompressed", where=where)
            if not d.eof:
                raise UserError("the gzip stream is truncated", where=where)
            data = raw
        except zlib.error as exc:
            raise UserError(f"damaged gzip file ({exc})", where=where) from None
    elif len(data) > MAX_BYTES:
        raise UserError(f"larger than {MAX_BYTES // 2**20} MB", where=where)
    try:
        obj = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError("not a heavylegs athletes file (not UTF-8 text)", where=where) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", where=where) from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise UserError(f"not a heavylegs athletes file (no \"format\": \"{FORMAT}\")", where=where)
    if obj.get("version") != VERSION:
        raise UserError(f"unsupported athletes file version {obj.get('version')!r} (this heavylegs reads "
                        f"version {VERSION}): upgrade heavylegs", where=where)
    try:
        doc = PDocument.model_validate(obj)
    except ValidationError as exc:
        problems = [Problem(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}", where)
                    for e in exc.errors()[:20]]
        raise UserError(problems) from None
    _check_semantics(doc, where)
    return doc


def _check_semantics(doc: PDocument, where: str) -> None:
    problems: list[Problem] = []
    seen_names: set[str] = set()
    seen_uids: set[str] = set()
    seen_assess: set[str] = set()
    for i, a in enumerate(doc.athletes):
        at = f"athletes.{i}"
        if a.name in seen_names or a.uid in seen_uids:
            problems.append(Problem(f"{at}: athlete {a.name!r} appears twice", where))
        seen_names.add(a.name)
        seen_uids.add(a.uid)
        try:
            _check_tz(a.tz)
            _profile_dict(a.profile)
        except UserError as exc:
            problems += [Problem(f"{at}: {p}", where) for p in exc.problems]
        keys = [(s.start, s.sport) for s in a.sessions]
        if len(set(keys)) != len(keys):
            problems.append(Problem(f"{at}.sessions: the same session (start and sport) appears twice", where))
        dates = [n.date for n in a.nights]
        if len(set(dates)) != len(dates):
            problems.append(Problem(f"{at}.nights: the same night appears twice", where))
        mine = {x.uid for x in a.assessments}
        for j, x in enumerate(a.assessments):
            if x.uid in seen_assess:
                problems.append(Problem(f"{at}.assessments.{j}: assessment {x.uid} appears twice", where))
            seen_assess.add(x.uid)
            if x.previous_uid is not None and x.previous_uid not in mine:
                problems.append(Problem(f"{at}.assessments.{j}: follows up {x.previous_uid}, which is not "
                                        "in this athlete's records", where))
            pairs = [(y.cause_id, y.action) for y in x.actions]
            if len(set(pairs)) != len(pairs):
                problems.append(Problem(f"{at}.assessments.{j}: an action appears twice", where))
    if problems:
        raise UserError(problems)


def import_document(store: Store, doc: PDocument, where: str = "file") -> dict[str, int]:
    """Apply a validated document in ONE transaction; returns counts of what was added.

    Conflicts (a name taken by another athlete, an assessment uid belonging to
    another athlete) raise UserError and nothing is written.
    """
    added = {"athletes": 0, "sessions": 0, "nights": 0, "assessments": 0, "actions": 0}
    with store.transaction() as c:
        for a in doc.athletes:
            row = c.execute("SELECT id, name FROM athletes WHERE uid = ?", (a.uid,)).fetchone()
            other = c.execute("SELECT uid FROM athletes WHERE name = ?", (a.name,)).fetchone()
            if other is not None and other[0] != a.uid:
                raise UserError(f"another athlete called {a.name!r} already exists here: rename one of them "
                                "('heavylegs athletes edit NAME --rename NEW') and import again", where=where)
            if row is None:
                cur = c.execute("INSERT INTO athletes (uid, name, tz, profile, notes, created_at) "
                                "VALUES (?,?,?,?,?,?)",
                                (a.uid, a.name, a.tz, canonical_json(a.profile), a.notes, a.created_at))
                aid = int(cur.lastrowid or 0)
                added["athletes"] += 1
            else:
                aid = int(row[0])
            for s in a.sessions:
                if c.execute("SELECT 1 FROM sessions WHERE athlete_id = ? AND start = ? AND sport = ?",
                             (aid, s.start, s.sport)).fetchone() is None:
                    _insert_session(c, aid, {k: getattr(s, k) for k in SESSION_FIELDS})
                    added["sessions"] += 1
            for n in a.nights:
                if c.execute("SELECT 1 FROM nights WHERE athlete_id = ? AND date = ?",
                             (aid, n.date)).fetchone() is None:
                    _insert_night(c, aid, {k: getattr(n, k) for k in NIGHT_FIELDS})
                    added["nights"] += 1
            for x in a.assessments:
                got = c.execute("SELECT id, athlete_id FROM assessments WHERE uid = ?", (x.uid,)).fetchone()
                if got is not None and got[1] != aid:
                    raise UserError(f"assessment {x.uid} belongs to another athlete here", where=where)
                if got is None:
                    rid = _insert_assessment(c, aid, {
                        "uid": x.uid, "created_at": x.created_at, "as_of": x.as_of,
                        "model_version": x.model_version, "answers": x.answers, "result": x.result,
                        "recheck_on": x.recheck_on, "previous_uid": x.previous_uid})
                    added["assessments"] += 1
                else:
                    rid = int(got[0])
                for y in x.actions:
                    before = c.total_changes
                    _insert_action(c, rid, y.cause_id, y.action, y.chosen_at)
                    added["actions"] += c.total_changes - before
    return added


def import_file(store: Store, path: Path) -> dict[str, int]:
    """Read, validate and import a portable file (nothing changes unless all of it is valid)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError("file not found", where=str(path)) from None
    except OSError as exc:
        raise UserError(f"cannot read the file ({exc.__class__.__name__})", where=str(path)) from None
    doc = parse_bytes(data, str(path))
    return import_document(store, doc, str(path))


def import_bytes(store: Store, data: bytes, name: str = "upload") -> dict[str, int]:
    """:func:`import_file` for bytes already in memory (e.g. a notebook upload widget's content)."""
    return import_document(store, parse_bytes(data, name), name)


def read_app_assessment(data: bytes, where: str) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """``(answers, result, saved_at)`` from the assessment app's download (:func:`report.session_payload`).

    The answers are checked against the questionnaire and the result's shape
    like a portable file's; UserError on any problem.
    """
    from heavylegs_core.domain.model import engine

    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError("not valid JSON: expected an assessment saved by the heavylegs app", where=where) from None
    if not isinstance(obj, dict) or obj.get("heavylegs") != "assessment":
        raise UserError('not a saved assessment (no "heavylegs": "assessment")', where=where)
    answers, result, saved_at = obj.get("answers"), obj.get("result"), obj.get("saved_at")
    if not isinstance(answers, dict) or not isinstance(result, dict):
        raise UserError("a saved assessment needs an answers object and a result object", where=where)
    try:
        check_result_doc(result)  # the same checks as a portable file
        if result.get("as_of") is not None:
            _date(result["as_of"])
        if saved_at is not None:
            _stamp(saved_at)
    except (ValueError, TypeError) as exc:
        raise UserError(str(exc), where=where) from None
    engine().validate_answers(answers, where=where)
    return answers, result, saved_at


__all__ = [
    "FORMAT",
    "VERSION",
    "PDocument",
    "dumps",
    "export_document",
    "export_file",
    "import_bytes",
    "import_document",
    "import_file",
    "parse_bytes",
    "read_app_assessment",
    "recheck_date",
]
