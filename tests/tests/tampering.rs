//! Tampering done directly on the SQLite file is detected by `audit verify`, which names the
//! event and exits 1.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use ed25519_dalek::SigningKey;
use relm_domain::event::{Envelope, FORMAT_VERSION, SignedEvent};
use relm_domain::hlc::Hlc;
use relm_domain::ids::{EventId, ReleaseId, WorkspaceId};
use relm_domain::keys::PublicKey;
use relm_tests::Replica;
use rusqlite::params;

/// A workspace with a few releases, its triggers dropped (as an attacker would).
fn victim() -> (Replica, Vec<String>) {
    let r = Replica::new();
    r.init();
    let id = r.create_release("payments-api", "1.0.0");
    r.json(&["release", "status", &id, "planned"]);
    r.create_release("search", "2.0.0");
    r.json(&["release", "update", &id, "--title", "Refunds in one click"]);
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
    r.db().execute_batch("DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;").unwrap();
    let ids = event_ids(&r);
    (r, ids)
}

/// Event ids in ledger order.
fn event_ids(r: &Replica) -> Vec<String> {
    let db = r.db();
    let mut stmt = db
        .prepare("SELECT id FROM events ORDER BY hlc, author, seq")
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[track_caller]
fn detected(r: &Replica, event: &str, code: &str) {
    let out = r.run(&["audit", "verify", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "tampering must fail verification: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["problem"]["event"], event,
        "verify must name the tampered event: {v}"
    );
    assert_eq!(v["problem"]["code"], code, "{v}");
    let human = String::from_utf8(r.run(&["audit", "verify"]).stdout).unwrap();
    assert!(human.contains(event) && human.contains("FAILED"), "{human}");
}

#[test]
fn a_changed_payload_byte_is_detected() {
    let (r, ids) = victim();
    let n = r.db().execute("UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'payments-api', 'paymentz-api') AS BLOB) WHERE id = ?1", [&ids[2]]).unwrap();
    assert_eq!(n, 1);
    detected(&r, &ids[2], "altered");
}

#[test]
fn a_deleted_event_is_detected_at_the_gap() {
    let (r, ids) = victim();
    r.db()
        .execute("DELETE FROM events WHERE id = ?1", [&ids[2]])
        .unwrap();
    detected(&r, &ids[3], "gap");
}

#[test]
fn two_swapped_events_are_detected() {
    let (r, ids) = victim();
    // Swap the order columns of two events so the ledger replays them the other way round.
    let db = r.db();
    let (h1, s1): (i64, i64) = db
        .query_row(
            "SELECT hlc, seq FROM events WHERE id = ?1",
            [&ids[2]],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    let (h2, s2): (i64, i64) = db
        .query_row(
            "SELECT hlc, seq FROM events WHERE id = ?1",
            [&ids[3]],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    db.execute("UPDATE events SET seq = -1 WHERE id = ?1", [&ids[2]])
        .unwrap();
    db.execute(
        "UPDATE events SET hlc = ?2, seq = ?3 WHERE id = ?1",
        params![&ids[3], h1, s1],
    )
    .unwrap();
    db.execute(
        "UPDATE events SET hlc = ?2, seq = ?3 WHERE id = ?1",
        params![&ids[2], h2, s2],
    )
    .unwrap();
    detected(&r, &ids[3], "column_mismatch");
}

fn workspace_and_max_hlc(r: &Replica) -> (String, i64) {
    r.db()
        .query_row("SELECT workspace, max(hlc) FROM events", [], |x| {
            Ok((x.get(0)?, x.get(1)?))
        })
        .unwrap()
}

fn insert(r: &Replica, ev: &SignedEvent, entity: Option<&str>) {
    let e = &ev.envelope;
    r.db().execute(
        "INSERT INTO events (id, hash, workspace, author, seq, hlc, kind, entity, body, sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![e.id.0, ev.hash.as_slice(), e.workspace.0, e.author.0, e.seq as i64, e.hlc.packed(), e.kind, entity, ev.body, ev.signature.to_bytes().as_slice()],
    ).unwrap();
}

#[test]
fn an_event_signed_by_a_non_member_is_detected() {
    let (r, _) = victim();
    let (workspace, max) = workspace_and_max_hlc(&r);
    let outsider = SigningKey::from_bytes(&[42; 32]);
    let author = PublicKey(outsider.verifying_key()).key_id();
    let hlc = Hlc::from_packed(max);
    let release = ReleaseId("01900000-0000-7000-8000-00000000beef".into());
    let payload = serde_json::json!({ "release_id": release, "from": "draft", "to": "cancelled" });
    let ev = SignedEvent::sign(
        Envelope {
            v: FORMAT_VERSION,
            id: EventId("01900000-0000-7000-8000-000000000bad".into()),
            workspace: WorkspaceId(workspace),
            author,
            seq: 1,
            prev: None,
            hlc: Hlc {
                ms: hlc.ms + 1,
                c: 0,
            },
            wall: Some(hlc.ms + 1),
            deps: Vec::new(),
            kind: "release.status_changed".into(),
            payload,
        },
        &outsider,
    );
    insert(&r, &ev, Some(release.as_str()));
    detected(&r, "01900000-0000-7000-8000-000000000bad", "unknown_author");
    let msg = String::from_utf8(r.run(&["audit", "verify"]).stdout).unwrap();
    assert!(msg.contains("no member ever added"), "{msg}");
}

#[test]
fn an_event_replayed_under_a_new_id_is_detected() {
    let (r, ids) = victim();
    let (_, max) = workspace_and_max_hlc(&r);
    let (body, sig, author): (Vec<u8>, Vec<u8>, String) = r
        .db()
        .query_row(
            "SELECT body, sig, author FROM events WHERE id = ?1",
            [&ids[2]],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
        )
        .unwrap();
    let (head_seq, head_hash): (i64, Vec<u8>) = r
        .db()
        .query_row(
            "SELECT seq, hash FROM events WHERE author = ?1 ORDER BY seq DESC LIMIT 1",
            [&author],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    let original = SignedEvent::from_stored(body.as_slice(), &sig).unwrap();
    // Same content and signature, new id, placed at the end of the author's chain.
    let mut env = original.envelope.clone();
    env.id = EventId("01900000-0000-7000-8000-00000000a11a".into());
    env.seq = head_seq as u64 + 1;
    env.prev = Some(hex::encode(&head_hash));
    env.hlc = Hlc {
        ms: Hlc::from_packed(max).ms + 1,
        c: 0,
    };
    let body = relm_domain::canonical::to_canonical_bytes(&env);
    let replay = SignedEvent::from_stored(body.as_slice(), &sig).unwrap();
    insert(&r, &replay, original.body().unwrap().entity().as_deref());
    detected(&r, "01900000-0000-7000-8000-00000000a11a", "bad_signature");
}

#[test]
fn a_tampered_projection_is_detected() {
    let (r, _) = victim();
    r.db()
        .execute(
            "UPDATE releases SET status = 'approved' WHERE status = 'planned'",
            [],
        )
        .unwrap();
    let out = r.run(&["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["problem"]["code"], "projection_mismatch");
    assert_eq!(v["problem"]["event"], "releases");
    // `relm rebuild` restores the projection from the ledger.
    r.ok(&["rebuild"]);
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
}

#[test]
fn a_stored_event_with_an_overflowing_timestamp_is_named_and_the_rest_still_checked() {
    // An older version stored an event stamped at 2^47 ms; verify used to fail on every
    // replica, for good. Now it names that event and goes on: a later tampering is named too.
    let (r, ids) = victim();
    let (workspace, _) = workspace_and_max_hlc(&r);
    let outsider = SigningKey::from_bytes(&[43; 32]);
    let payload = serde_json::json!({ "release_id": "x", "from": "draft", "to": "cancelled" });
    let ev = SignedEvent::sign(
        Envelope {
            v: FORMAT_VERSION,
            id: EventId("01900000-0000-7000-8000-00000000f00d".into()),
            workspace: WorkspaceId(workspace),
            author: PublicKey(outsider.verifying_key()).key_id(),
            seq: 1,
            prev: None,
            hlc: Hlc { ms: 1 << 47, c: 0 },
            wall: Some(1 << 40),
            deps: Vec::new(),
            kind: "release.status_changed".into(),
            payload,
        },
        &outsider,
    );
    insert(&r, &ev, Some("x"));
    r.db().execute("UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'payments-api', 'paymentz-api') AS BLOB) WHERE id = ?1", [&ids[2]]).unwrap();
    let out = r.run(&["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let named: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["event"].as_str().unwrap())
        .collect();
    assert!(named.contains(&ids[2].as_str()), "{v}");
    assert!(
        named.contains(&"01900000-0000-7000-8000-00000000f00d"),
        "{v}"
    );
    let human = String::from_utf8(r.run(&["audit", "verify"]).stdout).unwrap();
    assert!(
        human.contains("2 problem(s)"),
        "each bad event named once, without a cascade: {human}"
    );
}

#[test]
fn a_damaged_table_is_named_with_how_to_repair_it_and_rebuild_repairs_it() {
    let (r, _) = victim();
    r.db()
        .execute(
            "UPDATE releases SET environments = '{broken' WHERE service = 'payments-api'",
            [],
        )
        .unwrap();
    // What broke, and what to do: check the ledger, then rebuild the tables from it.
    let err = r.fails(&["release", "list"], 3);
    assert!(
        err.contains("the store is damaged (release environments:"),
        "{err}"
    );
    assert!(err.contains("`relm audit verify`"), "{err}");
    assert!(err.contains("`relm rebuild`"), "{err}");
    // The app words it from its reason, without the command line's commands.
    let out = r.run(&["release", "list", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = &v["error"]["reason"];
    assert_eq!(reason["code"], "store_damaged", "{v}");
    assert!(
        reason["params"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("release environments:"),
        "{v}"
    );
    // The ledger is intact, so verify names the table, and a rebuild repairs it.
    let out = r.run(&["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["problem"]["event"], "releases", "{v}");
    r.ok(&["rebuild"]);
    assert_eq!(
        r.json(&["release", "list"])["releases"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// The app's "Rebuild the tables…": tables changed outside Relm are rebuilt from an intact
/// ledger and the verification passes again. A ledger with a problem of its own is refused and
/// nothing changes: a rebuild would carry the attacker's altered event into the tables.
#[test]
fn the_app_rebuilds_changed_tables_only_from_an_intact_ledger() {
    let (r, ids) = victim();
    let approve = "UPDATE releases SET status = 'approved' WHERE status = 'planned'";
    r.db().execute(approve, []).unwrap();
    let mut relm = relm_tests::reader(&r.data_dir());
    let after = relm.repair_tables().unwrap();
    assert!(after.ok, "{:?}", after.problems);
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
    assert!(
        relm.repair_tables().unwrap().ok,
        "right tables: nothing to do"
    );

    r.db().execute(approve, []).unwrap();
    r.db().execute("UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'payments-api', 'paymentz-api') AS BLOB) WHERE id = ?1", [&ids[2]]).unwrap();
    let err = relm.repair_tables().unwrap_err();
    let reason = err.reason.expect("a reason the app words");
    assert_eq!(reason.code, relm_domain::ReasonCode::LedgerDamaged);
    assert_eq!(reason.params["count"], "1");
    let approved: i64 = r
        .db()
        .query_row(
            "SELECT count(*) FROM releases WHERE status = 'approved'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(approved, 1, "the changed table is left as it was");
}

/// `relm rebuild` verifies first, as the app does: changed tables are rebuilt and named, right
/// tables are left alone, and a ledger with a problem of its own is refused with what to do,
/// the tables as they were (a rebuild from it would carry the altered event into them).
#[test]
fn the_command_line_rebuilds_only_from_an_intact_ledger() {
    let (r, ids) = victim();
    let approve = "UPDATE releases SET status = 'approved' WHERE status = 'planned'";
    let approved = |r: &Replica| -> i64 {
        r.db()
            .query_row(
                "SELECT count(*) FROM releases WHERE status = 'approved'",
                [],
                |row| row.get(0),
            )
            .unwrap()
    };
    r.db().execute(approve, []).unwrap();
    let out = r.json(&["rebuild"]);
    assert_eq!(out["rebuilt"], serde_json::json!(["releases"]), "{out}");
    assert_eq!(out["ok"], true, "{out}");
    assert_eq!(out["events"], r.event_count(), "{out}");
    assert_eq!(approved(&r), 0, "the planned release is planned again");
    let text = String::from_utf8(r.run(&["rebuild"]).stdout).unwrap();
    assert!(
        text.contains("the tables match them, nothing rebuilt"),
        "{text}"
    );

    r.db().execute(approve, []).unwrap();
    r.db().execute("UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'payments-api', 'paymentz-api') AS BLOB) WHERE id = ?1", [&ids[2]]).unwrap();
    let err = r.fails(&["rebuild"], 2);
    assert!(
        err.contains("the ledger itself fails verification (1 problem(s) besides the tables"),
        "{err}"
    );
    assert!(err.contains("`relm audit verify`"), "{err}");
    assert!(err.contains("from a remote"), "what to do: {err}");
    assert_eq!(approved(&r), 1, "the changed table is left as it was");
    let out = r.run(&["rebuild", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["reason"]["code"], "ledger_damaged", "{v}");
}
