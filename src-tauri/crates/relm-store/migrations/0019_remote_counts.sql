-- What a remote's last successful sync did, as counts (JSON), so that the app words it in the
-- reader's language; `last_message` keeps the English line the CLI prints, and errors.
ALTER TABLE remotes ADD COLUMN last_counts TEXT;
