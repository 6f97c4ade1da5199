-- heavylegs athlete store, schema version 1.
-- Applied by heavylegs_core.store inside one transaction; PRAGMA user_version records the version.

CREATE TABLE athletes (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,            -- stable across machines (portable files)
    name        TEXT NOT NULL UNIQUE,
    tz          TEXT NOT NULL DEFAULT 'UTC',     -- IANA time zone
    profile     TEXT NOT NULL DEFAULT '{}',      -- AthleteProfile as canonical JSON
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL                    -- ISO 8601, UTC
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    athlete_id    INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    start         TEXT NOT NULL,                 -- ISO 8601 with offset
    start_ts      REAL NOT NULL,                 -- seconds since the epoch (duplicate detection)
    date          TEXT NOT NULL,                 -- local calendar date YYYY-MM-DD
    sport         TEXT NOT NULL,
    duration_min  REAL NOT NULL,
    distance_km   REAL,
    rpe           REAL,
    avg_hr        REAL,
    max_hr        REAL,
    load          REAL,
    load_source   TEXT,
    name          TEXT,
    source        TEXT,
    UNIQUE (athlete_id, start, sport)
);
CREATE INDEX sessions_by_time ON sessions (athlete_id, start_ts);

CREATE TABLE nights (
    id          INTEGER PRIMARY KEY,
    athlete_id  INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    date        TEXT NOT NULL,                   -- the date the sleeper woke up
    sleep_h     REAL NOT NULL,
    quality     REAL,
    source      TEXT,
    UNIQUE (athlete_id, date)
);

CREATE TABLE assessments (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    athlete_id     INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,                -- ISO 8601, UTC
    as_of          TEXT NOT NULL,                -- YYYY-MM-DD the assessment refers to
    model_version  TEXT NOT NULL,
    answers        TEXT NOT NULL,                -- JSON {question_id: answer}
    result         TEXT NOT NULL,                -- JSON of interfaces.md section 4
    triage_level   TEXT NOT NULL,
    todays_call    TEXT NOT NULL,
    recheck_on     TEXT,                         -- YYYY-MM-DD, NULL when no re-check applies
    previous_uid   TEXT                          -- the assessment this one follows up
);
CREATE INDEX assessments_by_athlete ON assessments (athlete_id, as_of);

CREATE TABLE actions (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    cause_id       TEXT NOT NULL,
    action         TEXT NOT NULL,
    chosen_at      TEXT NOT NULL,
    UNIQUE (assessment_id, cause_id, action)
);
