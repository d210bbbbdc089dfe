-- Chat webhooks (Slack, Microsoft Teams) this replica posts to, local and never synced: the
-- name, the message format, and the URL's host to show. The URL itself is a secret (whoever
-- has it can post to the channel): it is in the OS keyring, never here. What is posted waits
-- in the outbox under the connector `webhook:NAME`.
CREATE TABLE webhooks (
    name      TEXT PRIMARY KEY,
    kind      TEXT    NOT NULL,
    host      TEXT    NOT NULL,
    added_ms  INTEGER NOT NULL
) STRICT;
