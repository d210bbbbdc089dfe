-- Replicas and sync.

-- Projection: every key introduced to the workspace (genesis or `member.added`), whether or not
-- the event introducing it took effect; a signature can be checked only against these.
CREATE TABLE known_keys (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO known_keys SELECT key_id, public_key FROM members;

-- Projection: authentic events that had no effect at their point in the ledger (the author
-- lacked the role by then, the release had moved on, ...), with the reason.
CREATE TABLE not_applied (
    event_id TEXT PRIMARY KEY,
    entity   TEXT,
    kind     TEXT    NOT NULL,
    at_hlc   INTEGER NOT NULL,
    by_key   TEXT    NOT NULL,
    code     TEXT    NOT NULL,
    reason   TEXT    NOT NULL
) STRICT;
CREATE INDEX not_applied_by_entity ON not_applied (entity, at_hlc);

-- Each author's last event, kept by a trigger (derived from `events`, local bookkeeping).
CREATE TABLE author_heads (
    author TEXT PRIMARY KEY,
    seq    INTEGER NOT NULL,
    hash   BLOB    NOT NULL,
    hlc    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO author_heads (author, seq, hash, hlc)
    SELECT author, seq, hash, hlc FROM events e
    WHERE seq = (SELECT max(seq) FROM events x WHERE x.author = e.author);
CREATE TRIGGER events_move_author_heads AFTER INSERT ON events
BEGIN
    INSERT INTO author_heads (author, seq, hash, hlc) VALUES (NEW.author, NEW.seq, NEW.hash, NEW.hlc)
    ON CONFLICT (author) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, hlc = excluded.hlc
    WHERE excluded.seq > author_heads.seq;
END;

-- Local-only sync state below: never part of the ledger, never synced.
CREATE TABLE remotes (
    name          TEXT PRIMARY KEY,
    kind          TEXT    NOT NULL,
    location      TEXT    NOT NULL,
    added_at      TEXT    NOT NULL,
    last_sync_at  TEXT,
    last_result   TEXT,
    last_message  TEXT,
    last_ok_at    TEXT
) STRICT;

-- Files of a remote this replica has looked at, so that a sync reads only what is new.
CREATE TABLE remote_files (
    remote   TEXT    NOT NULL REFERENCES remotes (name) ON DELETE CASCADE,
    file     TEXT    NOT NULL,
    size     INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    state    TEXT    NOT NULL,
    note     TEXT,
    PRIMARY KEY (remote, file)
) STRICT, WITHOUT ROWID;

-- Which author sequence numbers each file of a remote carries: what the remote already has.
CREATE TABLE remote_ranges (
    remote    TEXT    NOT NULL,
    file      TEXT    NOT NULL,
    author    TEXT    NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (remote, file, author),
    FOREIGN KEY (remote, file) REFERENCES remote_files (remote, file) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Pulled events that failed verification; never applied.
CREATE TABLE quarantine (
    hash     BLOB PRIMARY KEY,
    event_id TEXT,
    author   TEXT,
    seq      INTEGER,
    code     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    source   TEXT NOT NULL,
    seen_at  TEXT NOT NULL,
    body     BLOB NOT NULL,
    sig      BLOB NOT NULL
) STRICT;

-- Pulled events waiting for earlier events (a gap in the author's chain, or a key not yet
-- introduced); retried on every sync.
CREATE TABLE pending (
    hash     BLOB PRIMARY KEY,
    event_id TEXT    NOT NULL,
    author   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    reason   TEXT    NOT NULL,
    source   TEXT    NOT NULL,
    seen_at  TEXT    NOT NULL,
    body     BLOB    NOT NULL,
    sig      BLOB    NOT NULL
) STRICT;

-- Join requests found on remotes: a newcomer's public key with the name and e-mail they gave.
CREATE TABLE join_requests (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    remote     TEXT NOT NULL,
    seen_at    TEXT NOT NULL
) STRICT;
