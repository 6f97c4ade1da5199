"""One declared session and night schema (issue 22): everything else derives from it and cannot drift.

The schema is :data:`heavylegs_core.domain.records.SESSION_SCHEMA` / ``NIGHT_SCHEMA``;
the column tuples, the importers' range checks, the portable file's validation and
the store's column lists come from it, and the store's SQL migration (which must
stay as it is for existing databases) is checked against it here.
"""

from __future__ import annotations

import math
import sqlite3

import pandas as pd
import pytest
from pydantic import ValidationError

from heavylegs_core.domain import records
from heavylegs_core.domain.records import NIGHT_SCHEMA, SESSION_SCHEMA, Schema
from heavylegs_core.io import importers, portable, store
from heavylegs_core.io.importers import ImportResult

#: Columns of the SQL tables that are not record fields: keys, and the start as a number.
STORE_ONLY = {"sessions": {"id", "athlete_id", "start_ts"}, "nights": {"id", "athlete_id"}}


def _migrated() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    for _version, _name, sql in store.migrations():
        conn.executescript(sql)
    return conn


@pytest.mark.parametrize(("table", "schema"), [("sessions", SESSION_SCHEMA), ("nights", NIGHT_SCHEMA)])
def test_the_sql_migration_declares_the_schemas_columns(table: str, schema: Schema) -> None:
    info = [(name, kind, bool(notnull)) for _cid, name, kind, notnull, _default, _pk in
            _migrated().execute(f"PRAGMA table_info({table})")]
    fields = [row for row in info if row[0] not in STORE_ONLY[table]]
    assert [name for name, _, _ in fields] == list(schema.field_names), "the migration's columns or their order"
    for (name, kind, notnull), column in zip(fields, schema.fields, strict=True):
        assert kind == column.sql_type, f"{table}.{name} is {kind}, the schema says {column.type}"
        assert notnull == column.required, f"{table}.{name}: NOT NULL must match 'required' in the schema"


def test_the_column_tuples_and_the_store_lists_come_from_the_schema() -> None:
    assert SESSION_SCHEMA.names == records.SESSION_COLUMNS
    assert records.SESSION_COLUMNS[0] == "kind" and NIGHT_SCHEMA.names == records.NIGHT_COLUMNS
    assert store.SESSION_FIELDS == SESSION_SCHEMA.field_names == tuple(records.SESSION_COLUMNS[1:])
    assert NIGHT_SCHEMA.field_names == store.NIGHT_FIELDS
    assert SESSION_SCHEMA["sport"].choices == records.SPORTS
    assert SESSION_SCHEMA["load_source"].choices == records.LOAD_SOURCES
    assert tuple(dict.fromkeys((*SESSION_SCHEMA.names, *NIGHT_SCHEMA.names))) == importers.CANONICAL_COLUMNS


def test_every_column_states_its_type_unit_and_requirement() -> None:
    for schema in (SESSION_SCHEMA, NIGHT_SCHEMA):
        assert schema.columns[0].name == "kind" and schema.columns[0].choices == (schema.kind,)
        for c in schema.columns:
            assert c.doc, c.name
            assert (c.unit is not None) == (c.type == "number"), f"{c.name}: numbers, and only numbers, have a unit"
            assert not c.bounded or (c.type == "number" and c.why), f"{c.name}: a range is a number's, with a why"
            assert (c.type == "choice") == bool(c.choices), c.name
    assert SESSION_SCHEMA.required == ("start", "date", "sport", "duration_min")
    assert NIGHT_SCHEMA.required == ("date", "sleep_h")


def test_the_tables_have_the_schemas_dtypes() -> None:
    for table, schema in ((records.empty_sessions(), SESSION_SCHEMA), (records.empty_nights(), NIGHT_SCHEMA)):
        assert tuple(table.columns) == schema.names
        for c in schema.fields:
            assert str(table[c.name].dtype) == c.dtype, c.name


def _bounded() -> list[tuple[Schema, str, float | None, float | None]]:
    return [(s, c.name, c.lo, c.hi) for s in (SESSION_SCHEMA, NIGHT_SCHEMA) for c in s.columns if c.bounded]


def test_the_importers_check_the_schemas_ranges() -> None:
    assert SESSION_SCHEMA.limits() == importers.SESSION_LIMITS
    assert NIGHT_SCHEMA.limits() == importers.NIGHT_LIMITS
    assert set(importers.SESSION_LIMITS) >= {"duration_min", "distance_km", "rpe", "avg_hr", "max_hr"}
    assert set(importers.NIGHT_LIMITS) == {"sleep_h", "quality"}


SESSION = {"start": "2024-05-02T07:00:00+02:00", "date": "2024-05-02", "sport": "run", "duration_min": 45,
           "distance_km": 9.0, "rpe": 5, "avg_hr": 150, "max_hr": 175, "load": 225.0, "load_source": "srpe",
           "name": "Run", "source": "a.fit"}
NIGHT = {"date": "2024-05-02", "sleep_h": 7.5, "quality": 4, "source": "s.json"}


@pytest.mark.parametrize(("schema", "name", "lo", "hi"), _bounded(), ids=lambda v: getattr(v, "kind", str(v)))
def test_the_portable_file_and_the_importers_refuse_the_same_values(schema: Schema, name: str,
                                                                     lo: float | None, hi: float | None) -> None:
    model, row = (portable.PSession, SESSION) if schema is SESSION_SCHEMA else (portable.PNight, NIGHT)
    limits = schema.limits()
    for value, ok in ((lo, True), (hi, True), (None if lo is None else lo - 0.5, False),
                      (None if hi is None else hi + 0.5, False)):
        if value is None:
            continue
        accepted = True
        try:
            model.model_validate({**row, name: value})
        except ValidationError:
            accepted = False
        assert accepted == ok, f"portable {name}={value}"
        frame = pd.DataFrame([{name: value, "_row": 2}])
        found = importers._check_limits(frame, {name: limits[name]}, "f.csv")
        assert (not found) == ok, f"importers {name}={value}"
        if not ok:
            assert f"in field {name} (" in found[0].message


def test_the_portable_models_are_built_from_the_schema() -> None:
    assert tuple(portable.PSession.model_fields) == SESSION_SCHEMA.field_names
    assert tuple(portable.PNight.model_fields) == NIGHT_SCHEMA.field_names
    for model, schema in ((portable.PSession, SESSION_SCHEMA), (portable.PNight, NIGHT_SCHEMA)):
        for name, info in model.model_fields.items():
            assert info.is_required() == schema[name].required, name
    for bad in ({"sport": "bike"}, {"load_source": "guess"}, {"start": "2024-05-02T07:00:00"},
                {"date": "2024-5-2"}, {"rpe": math.nan}, {"extra": 1}, {"duration_min": "45"}):
        with pytest.raises(ValidationError):
            portable.PSession.model_validate({**SESSION, **bad})
    only_required = {k: v for k, v in SESSION.items() if SESSION_SCHEMA[k].required}
    assert portable.PSession.model_validate(only_required).rpe is None


def test_the_store_refuses_a_row_without_a_required_field() -> None:
    from heavylegs_core.base.errors import UserError

    frame = records.normalise_sessions(pd.DataFrame([{**SESSION, "duration_min": None}]))
    with pytest.raises(UserError, match="a session needs start, date, sport and duration_min"):
        store._session_rows(frame)
    with pytest.raises(UserError, match="a night needs date and sleep_h"):
        store._night_rows(records.normalise_nights(pd.DataFrame([{**NIGHT, "sleep_h": None}])))
    rows = store._session_rows(records.normalise_sessions(pd.DataFrame([SESSION])))
    assert rows == [{**SESSION, "duration_min": 45.0, "rpe": 5.0, "avg_hr": 150.0, "max_hr": 175.0}]


def test_an_import_refuses_a_negative_load_in_a_canonical_file() -> None:
    bad = pd.DataFrame([{**SESSION, "load": -1.0, "_row": 2}])
    problems = importers._check(ImportResult(sessions=bad), "me.csv")
    assert [p.message for p in problems] == ["impossible value -1 in field load (a training load is never negative)"]
