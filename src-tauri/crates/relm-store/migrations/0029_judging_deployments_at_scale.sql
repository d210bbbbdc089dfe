-- Recording a deployment judges it (its deviations) against what its release's service has left
-- undone and against every member: both were read from scratch for each deployment, which made
-- replaying an organization's ledger (`audit verify`, a sync of months) slow.

-- Members, like the calendar (0025): kept in memory while this token is unchanged; any change
-- to a member draws a new one.
CREATE TABLE members_version (token BLOB NOT NULL) STRICT;
INSERT INTO members_version VALUES (randomblob(16));
CREATE TRIGGER members_added AFTER INSERT ON members
BEGIN UPDATE members_version SET token = randomblob(16); END;
CREATE TRIGGER members_changed AFTER UPDATE ON members
BEGIN UPDATE members_version SET token = randomblob(16); END;
CREATE TRIGGER members_removed AFTER DELETE ON members
BEGIN UPDATE members_version SET token = randomblob(16); END;

-- A mandatory review names its release's service and when its review was signed off (as the
-- review does), so the follow-ups that can still be late are read from their own index: not
-- through every release the service ever had, nor every review long signed off.
ALTER TABLE review_requirements ADD COLUMN service TEXT NOT NULL DEFAULT '';
ALTER TABLE review_requirements ADD COLUMN signed_hlc INTEGER;
UPDATE review_requirements
   SET service = coalesce((SELECT r.service FROM releases r WHERE r.id = review_requirements.release_id), ''),
       signed_hlc = (SELECT v.signed_hlc FROM reviews v WHERE v.release_id = review_requirements.release_id);
-- Not signed off: the largest stamp, so "not signed off before S" is one range.
CREATE INDEX review_requirements_open_by_service
    ON review_requirements (service, ifnull(signed_hlc, 9223372036854775807));
CREATE INDEX review_requirements_open
    ON review_requirements (ifnull(signed_hlc, 9223372036854775807));
