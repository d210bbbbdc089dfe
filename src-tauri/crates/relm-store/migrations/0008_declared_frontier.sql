-- Local bookkeeping: for each author signing on this replica, the head of every other author
-- its last event declared having seen. The next event's causal frontier (`deps`) lists only
-- what advanced since. Losing it costs bytes, never correctness (the frontier is then whole).
CREATE TABLE declared_frontier (
    author TEXT    NOT NULL,
    other  TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (author, other)
) STRICT, WITHOUT ROWID;

-- Derived from the events at insert (never synced): the frontier each format 2 event carries,
-- from which every event's vector clock is computed.
CREATE TABLE event_deps (
    author     TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    dep_author TEXT    NOT NULL,
    dep_seq    INTEGER NOT NULL,
    PRIMARY KEY (author, seq, dep_author)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO event_deps (author, seq, dep_author, dep_seq)
    SELECT e.author, e.seq, json_extract(d.value, '$.author'), json_extract(d.value, '$.seq')
    FROM events e, json_each(CAST(e.body AS TEXT), '$.deps') d;
