-- What is pending reads the emergency changes already out without visiting every release that
-- went out (a partial index: emergencies are few).
CREATE INDEX releases_emergency_by_status ON releases (status, id) WHERE change_type = 'emergency';
