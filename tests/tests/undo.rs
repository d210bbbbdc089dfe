//! Undoing the removal of a setting nothing governs (a remote, a connection, a webhook, a
//! calendar subscription), as the app does from its toast: everything the removal took comes
//! back as it was, the secrets in the real OS keyring included; a name used again since, or
//! another workspace, leaves everything as it is.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::sync::Arc;

use relm_api::undo::Removal;
use relm_domain::ReasonCode;
use relm_identity::keyring::{Backend, KeyStore, OsKeyring};
use relm_tests::Replica;

/// Every row of this replica's own settings, and what hangs on them, as text.
fn settings(r: &Replica) -> Vec<String> {
    let db = r.db();
    let mut out = Vec::new();
    for table in [
        "remotes",
        "remote_files",
        "remote_ranges",
        "connectors",
        "connector_unmatched",
        "connector_windows",
        "outbox",
        "webhooks",
        "calendar_feeds",
    ] {
        let mut stmt = db
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |row| {
                let cells = (0..n)
                    .map(|i| {
                        row.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

/// The replica's keyring, the real one (the kernel's), as the app opens it.
fn keyring(r: &Replica) -> Arc<OsKeyring> {
    let (ns, _) = r.keyring_entry();
    Arc::new(OsKeyring::new(&ns, Backend::Kernel).unwrap())
}

fn open(r: &Replica) -> relm_api::Relm {
    relm_api::Relm::open(&relm_api::Options {
        data_dir: r.data_dir(),
        clock: Arc::new(relm_domain::clock::SystemClock),
        keyring: relm_api::KeyringChoice::Given(keyring(r)),
    })
    .unwrap()
}

fn secret(r: &Replica, entry: &str) -> Option<String> {
    keyring(r).get_secret(entry).unwrap().map(|s| s.to_string())
}

/// `relm webhook add`, its URL on standard input.
#[track_caller]
fn add_webhook(r: &Replica, name: &str, kind: &str, url: &str) {
    let out = r.run_with_token(&["--json", "webhook", "add", name, "--kind", kind], url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A replica with one of each setting: a folder remote that was synced (its files read), a
/// GitLab connection with its token, a webhook with its URL and, if `queued`, a digest waiting
/// in the outbox (the URL does not answer: its retries take seconds), a calendar subscription.
fn with_settings(queued: bool) -> (Replica, tempfile::TempDir) {
    let r = Replica::new();
    r.init();
    let shared = tempfile::tempdir().unwrap();
    let folder = shared.path().join("remote");
    std::fs::create_dir(&folder).unwrap();
    r.ok(&["remote", "add", "shared", folder.to_str().unwrap()]);
    r.create_release("payments", "1.0.0");
    r.ok(&["sync"]);
    r.connector_added(
        &[
            "gitlab",
            "gl",
            "--project",
            "acme/payments",
            "--api-url",
            "http://127.0.0.1:9/api/v4",
            "--env-map",
            "production=prod",
        ],
        "glpat-undo-token",
    );
    add_webhook(&r, "ops", "slack", "http://127.0.0.1:9/hooks/ops-secret");
    if queued {
        // Nothing answers: the digest stays in the outbox, to be sent later.
        r.run(&[
            "--json",
            "webhook",
            "send",
            "ops",
            "--digest",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-31",
        ]);
    }
    let file = shared.path().join("team.ics");
    r.ok(&[
        "calendar",
        "feed",
        "add",
        "team",
        "--out",
        file.to_str().unwrap(),
    ]);
    (r, shared)
}

#[test]
fn every_removed_setting_comes_back_as_it_was_with_its_secret() {
    let (r, _shared) = with_settings(true);
    let before = settings(&r);
    for table in ["remote_files", "outbox", "connectors", "calendar_feeds"] {
        assert!(
            before.iter().any(|l| l.starts_with(&format!("{table}:"))),
            "the setup has {table} rows: {before:#?}"
        );
    }
    assert_eq!(
        secret(&r, "connector:gl").as_deref(),
        Some("glpat-undo-token")
    );
    assert!(secret(&r, "webhook:ops").is_some());

    let mut relm = open(&r);
    let removals: Vec<Removal> = vec![
        relm.remove_remote("shared").unwrap(),
        relm.remove_connector("gl").unwrap(),
        relm.remove_webhook("ops").unwrap(),
        relm.remove_feed("team").unwrap().1,
    ];
    let after = settings(&r);
    assert!(
        after.is_empty(),
        "every setting and what hung on it is gone: {after:#?}"
    );
    assert_eq!(secret(&r, "connector:gl"), None);
    assert_eq!(secret(&r, "webhook:ops"), None);
    // A removal says what it holds, never the secret.
    let shown = format!("{:?}", removals[1]);
    assert!(!shown.contains("glpat"), "{shown}");

    // Undone in another order than removed: each is independent.
    for removal in removals.iter().rev() {
        relm.undo_removal(removal).unwrap();
    }
    assert_eq!(settings(&r), before);
    assert_eq!(
        secret(&r, "connector:gl").as_deref(),
        Some("glpat-undo-token")
    );
    assert_eq!(
        secret(&r, "webhook:ops").as_deref(),
        Some("http://127.0.0.1:9/hooks/ops-secret")
    );
    // The CLI sees them as before, and the remote syncs again from where it was.
    let list = r.json(&["connector", "list"]);
    assert_eq!(list["connectors"][0]["name"], "gl", "{list}");
    let sync = r.json(&["sync"]);
    assert!(sync.to_string().contains("shared"), "{sync}");
}

#[test]
fn a_name_used_again_since_blocks_the_undo_and_changes_nothing() {
    let (r, _shared) = with_settings(false);
    let mut relm = open(&r);
    let removal = relm.remove_webhook("ops").unwrap();
    // Someone adds another webhook of the same name, with another URL.
    add_webhook(&r, "ops", "teams", "http://127.0.0.1:9/hooks/the-new-one");
    let before = settings(&r);

    let err = relm.undo_removal(&removal).unwrap_err();
    let reason = err.reason.as_ref().expect("a reason");
    assert_eq!(reason.code, ReasonCode::NameTakenAgain, "{err:?}");
    assert_eq!(reason.params["what"], "webhook");
    assert_eq!(reason.params["name"], "ops");
    assert!(
        err.message.contains("remove that one first"),
        "{}",
        err.message
    );
    // The new webhook, its URL in the keyring and the rest are as they were.
    assert_eq!(settings(&r), before);
    assert_eq!(
        secret(&r, "webhook:ops").as_deref(),
        Some("http://127.0.0.1:9/hooks/the-new-one")
    );

    // Once the new one is removed, the old one can come back.
    relm.remove_webhook("ops").unwrap();
    relm.undo_removal(&removal).unwrap();
    assert_eq!(
        secret(&r, "webhook:ops").as_deref(),
        Some("http://127.0.0.1:9/hooks/ops-secret")
    );
}

#[test]
fn a_removal_goes_back_to_its_own_workspace_only() {
    let (a, _shared) = with_settings(false);
    let b = Replica::new();
    b.init();
    let removal = open(&a).remove_connector("gl").unwrap();
    let before = settings(&b);

    let err = open(&b).undo_removal(&removal).unwrap_err();
    assert_eq!(
        err.reason.as_ref().map(|r| r.code),
        Some(ReasonCode::NothingToUndo),
        "{err:?}"
    );
    assert_eq!(settings(&b), before);
    assert_eq!(secret(&b, "connector:gl"), None);
}
