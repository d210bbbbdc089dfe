-- The ledger: append-only signed events. `pos` is this replica's arrival order (local meaning
-- only); ledger order is (hlc, author, seq), which every replica agrees on.
CREATE TABLE events (
    pos       INTEGER PRIMARY KEY,
    id        TEXT    NOT NULL UNIQUE,
    hash      BLOB    NOT NULL UNIQUE,
    workspace TEXT    NOT NULL,
    author    TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    entity    TEXT,
    body      BLOB    NOT NULL,
    sig       BLOB    NOT NULL,
    UNIQUE (author, seq)
) STRICT;
CREATE INDEX events_ledger_order ON events (hlc, author, seq);
CREATE INDEX events_by_entity ON events (entity, hlc);

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;

-- Projections: derived from events only; `relm rebuild` recomputes them.
CREATE TABLE workspace (
    id          TEXT PRIMARY KEY,
    name        TEXT    NOT NULL,
    founder     TEXT    NOT NULL,
    created_hlc INTEGER NOT NULL
) STRICT;

CREATE TABLE members (
    key_id      TEXT PRIMARY KEY,
    public_key  TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    roles       TEXT    NOT NULL,
    active      INTEGER NOT NULL,
    added_hlc   INTEGER NOT NULL,
    updated_hlc INTEGER NOT NULL
) STRICT;

CREATE TABLE releases (
    id           TEXT PRIMARY KEY,
    service      TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    change_type  TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    owner        TEXT    NOT NULL,
    environments TEXT    NOT NULL,
    window_start INTEGER,
    window_end   INTEGER,
    window_tz    TEXT,
    rollback_plan TEXT   NOT NULL,
    components   TEXT    NOT NULL,
    changes      TEXT    NOT NULL,
    evidence     TEXT    NOT NULL,
    created_hlc  INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    updated_hlc  INTEGER NOT NULL,
    updated_by   TEXT    NOT NULL,
    revision     INTEGER NOT NULL
) STRICT;
CREATE INDEX releases_by_created ON releases (created_hlc, id);
CREATE INDEX releases_by_window ON releases (window_start, id);
CREATE INDEX releases_by_service ON releases (service, created_hlc);
CREATE INDEX releases_by_status ON releases (status, created_hlc);

CREATE TABLE release_environments (
    release_id TEXT NOT NULL REFERENCES releases (id),
    env        TEXT NOT NULL,
    PRIMARY KEY (release_id, env)
) STRICT, WITHOUT ROWID;
CREATE INDEX release_environments_by_env ON release_environments (env, release_id);

CREATE TABLE release_status_history (
    release_id  TEXT    NOT NULL REFERENCES releases (id),
    event_id    TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    note        TEXT,
    at_hlc      INTEGER NOT NULL,
    by_key      TEXT    NOT NULL,
    PRIMARY KEY (release_id, event_id)
) STRICT;

-- Local-only state of this replica (never governs anything, never synced).
CREATE TABLE local_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
