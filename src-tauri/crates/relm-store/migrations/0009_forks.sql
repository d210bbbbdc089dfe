-- Forks: two validly signed events of one author with the same sequence number prove that the
-- author's key signed two histories. Both events are kept here (signed evidence, append-only
-- like the ledger), travel to every remote, and decide, on every replica alike, that nothing of
-- that author from that sequence number on counts.
CREATE TABLE fork_evidence (
    hash   BLOB PRIMARY KEY,
    author TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    body   BLOB    NOT NULL,
    sig    BLOB    NOT NULL
) STRICT;
CREATE INDEX fork_evidence_by_author ON fork_evidence (author, seq);
CREATE TRIGGER fork_evidence_is_append_only_update BEFORE UPDATE ON fork_evidence
BEGIN SELECT RAISE(ABORT, 'fork evidence is append-only'); END;
CREATE TRIGGER fork_evidence_is_append_only_delete BEFORE DELETE ON fork_evidence
BEGIN SELECT RAISE(ABORT, 'fork evidence is append-only'); END;

-- Projection: each forked author and the first sequence number signed twice, with the two
-- hashes found there (in order), the same on every replica that holds the evidence.
CREATE TABLE forks (
    author TEXT PRIMARY KEY,
    seq    INTEGER NOT NULL,
    hash_a TEXT    NOT NULL,
    hash_b TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

-- Local: which evidence was written to which remote.
CREATE TABLE pushed_evidence (
    remote TEXT NOT NULL,
    hash   BLOB NOT NULL,
    PRIMARY KEY (remote, hash)
) STRICT, WITHOUT ROWID;
