//! The private key lives only in the OS keyring and in encrypted backups: never in the SQLite
//! file, the WAL, the logs or any output. Backups restore a lost keyring entry.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_identity::keyring::{Backend, KeyStore, OsKeyring};
use relm_tests::Replica;
use serde_json::{Value, json};

/// The replica's private key seed, read from the real kernel keyring.
fn seed_of(r: &Replica) -> [u8; 32] {
    let (ns, key_id) = r.keyring_entry();
    let store = OsKeyring::new(&ns, Backend::Kernel).unwrap();
    store
        .get(&key_id)
        .unwrap()
        .expect("key in keyring")
        .signing_key()
        .to_bytes()
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p))
        } else {
            out.push(p)
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_private_key_never_reaches_the_store_the_wal_the_logs_or_any_output() {
    let r = Replica::new();
    let mut outputs = Vec::new();
    outputs.push(r.init().to_string());
    let id = r.create_release("payments-api", "1.0.0");
    for args in [
        &["identity", "show", "--json"][..],
        &["identity", "show"],
        &["release", "show", &id, "--json"],
        &["audit", "log", "--json"],
        &["audit", "verify", "--json"],
        &["member", "list", "--json"],
    ] {
        outputs.push(r.ok(args));
    }
    let backup = r.root.path().join("backup.age");
    let out = r
        .cmd(&["identity", "export", "--out", backup.to_str().unwrap()])
        .env("RELM_PASSPHRASE", "correct horse battery staple")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    outputs.push(
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    );

    let seed = seed_of(&r);
    let hex_seed = hex::encode(seed);
    // Keep a WAL around: write while another connection holds the database open.
    let hold = r.db();
    let _: i64 = hold
        .query_row("SELECT count(*) FROM events", [], |x| x.get(0))
        .unwrap();
    r.create_release("search", "2.0.0");
    let mut files = files_under(&r.data_dir());
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "the WAL must be among the files checked: {files:?}"
    );
    files.extend(files_under(&r.log_dir()));
    assert!(
        files.iter().any(|f| f.starts_with(r.log_dir())),
        "trace logs must exist and be checked"
    );
    files.push(backup.clone());
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !contains(&bytes, &seed),
            "raw key bytes found in {}",
            f.display()
        );
        assert!(
            !contains(&bytes, hex_seed.as_bytes()),
            "hex key found in {}",
            f.display()
        );
        assert!(
            !contains(&bytes.to_ascii_lowercase(), hex_seed.as_bytes()),
            "hex key found in {}",
            f.display()
        );
    }
    for o in &outputs {
        assert!(!o.contains(&hex_seed), "key printed by a command: {o}");
    }
    drop(hold);
}

#[test]
fn a_lost_keyring_entry_is_restored_from_an_encrypted_backup() {
    let r = Replica::new();
    r.init();
    let backup = r.root.path().join("ada.age");
    let pass = "correct horse battery staple";
    let export = |out: &std::path::Path| {
        r.cmd(&["identity", "export", "--out", out.to_str().unwrap()])
            .env("RELM_PASSPHRASE", pass)
            .output()
            .unwrap()
    };
    assert!(export(&backup).status.success());
    let text = std::fs::read_to_string(&backup).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "backups use the age format"
    );
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&backup).unwrap().permissions())
            & 0o777,
        0o600
    );
    // Refuses to overwrite an existing file.
    assert_eq!(export(&backup).status.code(), Some(2));

    // Lose the key.
    let (ns, key_id) = r.keyring_entry();
    OsKeyring::new(&ns, Backend::Kernel)
        .unwrap()
        .delete(&key_id)
        .unwrap();
    let err = r.fails(relm_tests::MINIMAL_CREATE, 3);
    assert!(
        err.contains("relm identity import"),
        "a missing key must say how to restore it: {err}"
    );
    // The app words it from its reason (and says where it restores the key).
    let why = r.refused(relm_tests::MINIMAL_CREATE, 3);
    assert_eq!(why["code"], "keyring", "{why}");
    assert_eq!(why["reason"]["code"], "key_missing", "{why}");
    assert_eq!(
        why["reason"]["params"]["keyring"], "kernel keyring (keyutils)",
        "{why}"
    );
    let shown = r.json(&["identity", "show"]);
    assert_eq!(shown["private_key_present"], false);

    // Wrong passphrase, garbage file: clear refusals, nothing restored.
    let wrong = r
        .cmd(&["identity", "import", backup.to_str().unwrap()])
        .env("RELM_PASSPHRASE", "not the passphrase")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong passphrase"));
    // Each refusal names its field and why, for the app's restore dialog.
    let refusal = |file: &std::path::Path, passphrase: &str| -> Value {
        let out = r
            .cmd(&["identity", "import", file.to_str().unwrap(), "--json"])
            .env("RELM_PASSPHRASE", passphrase)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let p = &doc["error"]["problems"][0];
        json!([p["field"], p["code"], p["params"]["reason"]])
    };
    assert_eq!(
        refusal(&backup, "not the passphrase"),
        json!(["passphrase", "bad_backup", "wrong_passphrase"])
    );
    let fifo = r.root.path().join("backup.fifo");
    relm_tests::mkfifo(&fifo);
    assert_eq!(
        refusal(&fifo, pass),
        json!(["file", "bad_file", "not_regular"]),
        "a FIFO is never opened"
    );
    let junk = r.root.path().join("junk.age");
    std::fs::write(&junk, b"-----BEGIN AGE ENCRYPTED FILE-----\nbm9wZQ==\n").unwrap();
    let bad = r
        .cmd(&["identity", "import", junk.to_str().unwrap()])
        .env("RELM_PASSPHRASE", pass)
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert_eq!(
        refusal(&junk, pass),
        json!(["file", "bad_backup", "not_a_backup"])
    );

    let ok = r
        .cmd(&["identity", "import", backup.to_str().unwrap()])
        .env("RELM_PASSPHRASE", pass)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(r.json(&["identity", "show"])["private_key_present"], true);
    r.create_release("api", "1.0.0");
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);

    // A backup of another workspace is refused.
    let other = Replica::new();
    other.init();
    let imp = other
        .cmd(&["identity", "import", backup.to_str().unwrap()])
        .env("RELM_PASSPHRASE", pass)
        .output()
        .unwrap();
    assert_eq!(imp.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&imp.stderr).contains("belongs to workspace"));
    let imp = other
        .cmd(&["identity", "import", backup.to_str().unwrap(), "--json"])
        .env("RELM_PASSPHRASE", pass)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&imp.stdout).unwrap();
    assert_eq!(
        doc["error"]["problems"][0]["params"],
        json!({"reason": "other_workspace", "workspace": "Acme"}),
        "{doc}"
    );
}

#[test]
fn two_replicas_on_one_machine_never_see_each_others_keys() {
    let (a, b) = (Replica::new(), Replica::new());
    a.init();
    b.init();
    let ns = |r: &Replica| -> String {
        r.db()
            .query_row(
                "SELECT value FROM local_meta WHERE key = 'keyring_namespace'",
                [],
                |x| x.get(0),
            )
            .unwrap()
    };
    let id_a: String = a.json(&["identity", "show"])["key_id"]
        .as_str()
        .unwrap()
        .into();
    assert_ne!(ns(&a), ns(&b));
    let from_b = OsKeyring::new(&ns(&b), Backend::Kernel).unwrap();
    assert!(
        from_b.get(&id_a).unwrap().is_none(),
        "replica B's namespace must not hold A's key"
    );
}

#[test]
fn another_members_backup_does_not_replace_this_data_folders_identity() {
    let (a, b, _remote) = relm_tests::team();
    let backup = a.root.path().join("ada.age");
    let pass = "a long enough passphrase";
    let out = a
        .cmd(&["identity", "export", "--out", backup.to_str().unwrap()])
        .env("RELM_PASSPHRASE", pass)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let before = b.json(&["identity", "show"]);
    let out = b
        .cmd(&["identity", "import", backup.to_str().unwrap(), "--json"])
        .env("RELM_PASSPHRASE", pass)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["error"]["problems"][0]["params"]["reason"], "other_member",
        "{doc}"
    );
    assert_eq!(b.json(&["identity", "show"]), before, "Bob is still Bob");
}
