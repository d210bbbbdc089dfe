-- Metrics over a year of an organization's deployments read narrow rows from indexes, never a
-- whole table grouped per release. The columns and the table below are filled by the replay
-- that follows this migration (REPLAY_BELOW), as every replica's apply fills them.

-- When the release was first deployed to any environment: lead time starts at the earlier of
-- this and the release's creation.
ALTER TABLE releases ADD COLUMN first_deployed_ms INTEGER;
-- When it was first submitted (moved to planned): approval lead time starts there.
ALTER TABLE releases ADD COLUMN submitted_ms INTEGER;

-- Releases whose review is mandatory, since the first of what made it so, with every reason
-- (emergency, failed, rolled_back, deviation; sorted, comma-separated).
CREATE TABLE review_requirements (
    release_id TEXT PRIMARY KEY REFERENCES releases (id),
    since_ms   INTEGER NOT NULL,
    reasons    TEXT    NOT NULL
) STRICT;
CREATE INDEX review_requirements_by_since ON review_requirements (since_ms, release_id);


-- Moves made although the policy blocked them (overrides), by time.
CREATE INDEX release_overrides ON release_status_history (at_hlc) WHERE blocked != '[]';

-- The period's deployments to one environment for the metrics, from one index alone:
-- environment first (no membership test per row), without the event id (the metrics walk ties
-- in the order of the other columns and sort what they list).
DROP INDEX deployments_metrics;
CREATE INDEX deployments_metrics ON deployments
    (environment, ended_ms, service, outcome, deviation_count, in_freeze, started_ms, release_id);

-- Read by nothing any more: the first deployments are kept on the releases, the reviews made
-- mandatory in their table.
DROP INDEX deployments_first;
DROP INDEX deployments_deviating;
