-- Written justifications for releasing inside a soft freeze (the freeze rule asks for one).
CREATE TABLE freeze_justifications (
    event_id      TEXT PRIMARY KEY,
    release_id    TEXT    NOT NULL REFERENCES releases (id),
    entry_id      TEXT    NOT NULL,
    justification TEXT    NOT NULL,
    at_hlc        INTEGER NOT NULL,
    by_key        TEXT    NOT NULL
) STRICT;
CREATE INDEX freeze_justifications_by_release ON freeze_justifications (release_id, at_hlc);
