-- The release calendar: freezes and maintenance windows, projected from calendar events. The
-- entry is kept whole as JSON (its fields are read by relm-calendar); the columns serve lists.
CREATE TABLE calendar_entries (
    id          TEXT PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    entry       TEXT    NOT NULL,
    created_hlc INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    updated_hlc INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL
) STRICT;
CREATE INDEX calendar_entries_by_kind ON calendar_entries (kind, id);
