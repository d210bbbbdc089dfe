-- Indexes that serve every sort order of the release list (then by id), so that any page of
-- 100,000 releases is read from an index, not sorted.
DROP INDEX releases_by_created;
CREATE INDEX releases_by_created ON releases (created_hlc, id);
CREATE INDEX releases_by_updated ON releases (updated_hlc, id);
DROP INDEX releases_by_window;
CREATE INDEX releases_by_window ON releases (window_start IS NULL, window_start, id);
CREATE INDEX releases_by_service_id ON releases (service, id);
CREATE INDEX releases_by_status_id ON releases (status, id);
