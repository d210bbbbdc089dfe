-- Recording a deployment judges it against the calendar (is it inside a freeze?), and so does
-- each verdict: both read every entry. Parsed entries are kept in memory while this token is
-- unchanged; any change to the calendar draws a new one, so two stores share a token only
-- while one is a copy of the other with the same calendar.
CREATE TABLE calendar_version (token BLOB NOT NULL) STRICT;
INSERT INTO calendar_version VALUES (randomblob(16));
CREATE TRIGGER calendar_added AFTER INSERT ON calendar_entries
BEGIN UPDATE calendar_version SET token = randomblob(16); END;
CREATE TRIGGER calendar_changed AFTER UPDATE ON calendar_entries
BEGIN UPDATE calendar_version SET token = randomblob(16); END;
CREATE TRIGGER calendar_removed AFTER DELETE ON calendar_entries
BEGIN UPDATE calendar_version SET token = randomblob(16); END;
