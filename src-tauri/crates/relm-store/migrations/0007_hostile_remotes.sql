-- Nothing unsigned is trusted: what a remote holds is recorded from the events actually read in
-- its files (several runs per author and file), never from a segment's header. Ranges recorded
-- by earlier versions came from headers: forget them, so that every file is read again once.
DELETE FROM remote_ranges;
DELETE FROM remote_files;
DROP TABLE remote_ranges;
CREATE TABLE remote_ranges (
    remote    TEXT    NOT NULL,
    file      TEXT    NOT NULL,
    author    TEXT    NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (remote, file, author, first_seq),
    FOREIGN KEY (remote, file) REFERENCES remote_files (remote, file) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX remote_ranges_by_author ON remote_ranges (remote, author, first_seq);

-- A file whose waiting events went over the cap is read again when the workspace's membership
-- changes: the number of known keys when it was read.
ALTER TABLE remote_files ADD COLUMN keys_seen INTEGER NOT NULL DEFAULT 0;

-- Quarantine keeps the full digest and size but only a bounded prefix of what arrived.
ALTER TABLE quarantine ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE quarantine SET size = length(body);

-- Waiting events are re-judged only when what they wait for may have arrived: by author.
CREATE INDEX pending_by_author ON pending (author, seq);

-- The workspace's bound on clock offsets (milliseconds): events stamped further ahead of a
-- receiver's clock are held until they fit. Set by `workspace.configured`; 10 minutes until then.
ALTER TABLE workspace ADD COLUMN max_clock_offset_ms INTEGER NOT NULL DEFAULT 600000;
