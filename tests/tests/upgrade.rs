//! A store written by a previous schema opens with this one: the migration adds the replica
//! tables and fills the derived ones, and the ledger still verifies.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;

#[test]
fn a_schema_1_store_is_migrated_to_the_latest_and_still_verifies() {
    let r = Replica::new();
    r.ok(&["demo"]);
    let before = r.digest();
    let events = r.event_count();
    // Take the store back to schema 1: what later schemas added is gone.
    r.db()
        .execute_batch(
            "DROP INDEX releases_by_updated; DROP INDEX releases_by_service_id;
             DROP INDEX releases_by_status_id; DROP INDEX releases_by_window;
             CREATE INDEX releases_by_window ON releases (window_start, id);
             DROP TABLE author_heads; DROP TABLE known_keys; DROP TABLE not_applied;
             DROP TABLE remote_ranges; DROP TABLE remote_files; DROP TABLE remotes;
             DROP TABLE quarantine; DROP TABLE pending; DROP TABLE join_requests;
             DROP TABLE policies; DROP TABLE approvals; DROP TABLE deployments;
             DROP TABLE rehearsals; DROP TABLE emergencies; DROP TABLE calendar_entries;
             DROP TABLE freeze_justifications;
             ALTER TABLE releases DROP COLUMN risk;
             ALTER TABLE workspace DROP COLUMN max_clock_offset_ms;
             DROP TABLE declared_frontier; DROP TABLE event_deps;
             DROP TABLE fork_evidence; DROP TABLE forks; DROP TABLE pushed_evidence;
             DROP INDEX release_overrides; DROP INDEX release_history_rolled_back;
             DROP INDEX releases_by_version; DROP INDEX events_membership;
             DROP INDEX releases_emergency_by_status;
             ALTER TABLE releases DROP COLUMN overridden;
             ALTER TABLE release_status_history DROP COLUMN blocked;
             DROP TABLE risk_links; DROP TABLE risks; DROP TABLE release_answers;
             DROP TABLE risk_overrides; ALTER TABLE members DROP COLUMN team;
             DROP TABLE rollback_plans; DROP TABLE rollbacks;
             DROP TABLE reviews; DROP TABLE review_signatures; DROP TABLE actions;
             DROP TABLE review_requirements; DROP TABLE connector_unmatched;
             DROP TABLE connector_windows;
             DROP TABLE connectors; DROP TABLE outbox;
             ALTER TABLE releases DROP COLUMN first_deployed_ms;
             ALTER TABLE releases DROP COLUMN submitted_ms;
             DROP TABLE sbom_packages; DROP TABLE sbom_documents; DROP TABLE webhooks;
             DROP TABLE calendar_feeds; DROP TABLE release_notes; DROP TABLE calendar_version;
             DROP TRIGGER members_added; DROP TRIGGER members_changed;
             DROP TRIGGER members_removed; DROP TABLE members_version;
             DROP INDEX releases_by_window_length;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    let v = r.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["events"], events);
    let version: i64 = r
        .db()
        .query_row("PRAGMA user_version", [], |x| x.get(0))
        .unwrap();
    assert_eq!(version, relm_store::SCHEMA_VERSION);
    assert_eq!(
        r.digest(),
        before,
        "derived tables are refilled as they were"
    );
    // The author heads the sync relies on were rebuilt from the events.
    let heads: i64 = r
        .db()
        .query_row("SELECT sum(seq) FROM author_heads", [], |x| x.get(0))
        .unwrap();
    assert_eq!(heads, events);
}

/// A store of schema 28 gets the services of its mandatory reviews from their releases, when
/// each was signed off from its review, and a version token for its members; its projections
/// are as a fresh replay makes them, it gains the indexes of schemas 30 and 31, and the ledger
/// still verifies.
#[test]
fn a_schema_28_store_names_the_service_of_each_mandatory_review() {
    let r = Replica::new();
    r.ok(&["demo"]);
    let before = r.digest();
    // (the requirement's service, its release's; signed off as its review says; signed off)
    let named = |r: &Replica| -> Vec<(String, String, bool, bool)> {
        r.db()
            .prepare(
                "SELECT q.service, r.service,
                        q.signed_hlc IS (SELECT signed_hlc FROM reviews WHERE release_id = q.release_id),
                        q.signed_hlc IS NOT NULL
                 FROM review_requirements q
                   JOIN releases r ON r.id = q.release_id ORDER BY q.release_id",
            )
            .unwrap()
            .query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    let fresh = named(&r);
    assert!(
        fresh.iter().any(|x| x.3) && fresh.iter().any(|x| !x.3),
        "the demo has mandatory reviews signed off and not: {fresh:?}"
    );
    r.db()
        .execute_batch(
            "DROP INDEX review_requirements_open_by_service;
             DROP INDEX review_requirements_open;
             ALTER TABLE review_requirements DROP COLUMN service;
             ALTER TABLE review_requirements DROP COLUMN signed_hlc;
             DROP TRIGGER members_added; DROP TRIGGER members_changed;
             DROP TRIGGER members_removed; DROP TABLE members_version;
             DROP INDEX releases_by_window_length; DROP INDEX deployments_by_end;
             PRAGMA user_version = 28;",
        )
        .unwrap();
    let v = r.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
    let has_index = |name: &str| -> bool {
        r.db()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [name],
                |x| x.get::<_, i64>(0),
            )
            .unwrap()
            == 1
    };
    // Schema 30: the calendar's bound on how far back a window can start.
    assert!(has_index("releases_by_window_length"));
    // Schema 31: a period's deployments read in order of their end.
    assert!(has_index("deployments_by_end"));
    let after = named(&r);
    assert!(
        after.iter().all(|(q, r, signed, _)| q == r && *signed),
        "{after:?}"
    );
    assert_eq!(after, fresh);
    assert_eq!(r.digest(), before, "as the replay makes them");
}
