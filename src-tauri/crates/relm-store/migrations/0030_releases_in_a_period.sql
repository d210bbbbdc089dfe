-- The calendar reads the releases whose planned window overlaps the days it shows. A window
-- that overlaps a period starts at most the longest window's length before it: this index
-- gives that length at once, so the read is bounded to the releases starting between then and
-- the period's end (in `releases_by_window`), not every release before the period.
CREATE INDEX releases_by_window_length ON releases (window_end - window_start)
    WHERE window_start IS NOT NULL;
