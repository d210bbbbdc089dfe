-- Lookups that read every release of a service, found by the growth benchmark (a verdict and
-- a page of the release list took time in proportion to the releases of a service: 10 ms and
-- 290 ms at 100,000 releases).
--
-- A pipeline names its release by service and version (`relm check --service --version`).
CREATE INDEX releases_by_version ON releases (service, version, created_hlc, id);
-- Releases moved to rolled back by hand are few: the risk assessment reads them from here
-- instead of visiting every release of the service.
CREATE INDEX release_history_rolled_back ON release_status_history (at_hlc, release_id)
    WHERE to_status = 'rolled_back';
-- The release list filters by service and by environment whatever their case: indexes in the
-- same collation serve those filters and their counts.
DROP INDEX releases_by_service;
CREATE INDEX releases_by_service ON releases (service COLLATE NOCASE, created_hlc, id);
DROP INDEX release_environments_by_env;
CREATE INDEX release_environments_by_env ON release_environments (env COLLATE NOCASE, release_id);
-- Every write loads the membership events to judge authority (`causal::Judge::load`); without
-- an index it read the whole ledger to find them (a second at a million events). The condition
-- is the query's, word for word, so that SQLite uses the index.
CREATE INDEX events_membership ON events (hlc, author, seq)
    WHERE kind IN ('workspace.created', 'member.added', 'member.roles_set', 'member.removed');
