//! Where the store lives in the data dir, and why: SQLite's POSIX locks belong to the process,
//! so a program of the app's process that opens and closes the database file (a file dialog
//! listing the data dir does) drops them, and another process may then checkpoint and delete
//! the WAL under the app. The database is kept in `store/`, out of such listings; a data dir of
//! the first layout gets its store moved there, never while another process has it open.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;

/// Open and close every file at the top of the data dir, as a file dialog listing it does.
fn list_like_a_file_dialog(r: &Replica) -> usize {
    let mut n = 0;
    for f in std::fs::read_dir(r.data_dir()).unwrap().flatten() {
        if f.file_type().unwrap().is_file() {
            drop(std::fs::File::open(f.path()).unwrap());
            n += 1;
        }
    }
    n
}

/// Whether the WAL of `db`, open on a connection of this process, survives a folder listing
/// in this process followed by another process opening and closing the database.
fn wal_survives(r: &Replica, db: &std::path::Path, other: impl Fn()) -> bool {
    let app = rusqlite::Connection::open(db).unwrap();
    app.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (1);",
    )
    .unwrap();
    let wal = db.with_extension("db-wal");
    assert!(wal.exists());
    list_like_a_file_dialog(r);
    other();
    let survived = wal.exists();
    drop(app);
    survived
}

#[test]
fn a_folder_listing_in_the_apps_process_leaves_its_locks_alone() {
    let r = Replica::new();
    r.init();
    // The hazard itself, shown on a database at the top of the data dir: the listing drops the
    // process's locks, and another process deletes the WAL under the open connection.
    let top = r.data_dir().join("control.db");
    let sqlite3 = || {
        let out = std::process::Command::new("sqlite3")
            .arg(&top)
            .arg("SELECT count(*) FROM t;")
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    assert!(
        !wal_survives(&r, &top, sqlite3),
        "the hazard no longer shows: the test cannot fail"
    );
    std::fs::remove_file(&top).unwrap();
    // The store, in its folder: the same listing and another Relm process leave it alone.
    assert!(
        wal_survives(&r, &r.db_path(), || {
            r.ok(&["status"]);
        }),
        "the WAL was deleted under an open connection: the process lost its locks"
    );
}

/// Put the store back where the first layout kept it.
fn first_layout(r: &Replica) {
    let store = r.data_dir().join("store");
    std::fs::rename(r.db_path(), r.data_dir().join("relm.db")).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(store.join(format!("relm.db{suffix}")));
    }
    std::fs::remove_dir(&store).unwrap();
}

#[test]
fn a_store_of_the_first_layout_is_moved_into_its_folder() {
    let r = Replica::new();
    r.ok(&["demo"]);
    let before = r.digest();
    let events = r.event_count();
    first_layout(&r);
    assert!(!r.db_path().exists());
    let v = r.json(&["audit", "verify"]);
    assert_eq!(
        (v["ok"].as_bool(), v["events"].as_u64()),
        (Some(true), Some(events as u64))
    );
    assert!(r.db_path().exists());
    assert!(!r.data_dir().join("relm.db").exists());
    assert_eq!(r.digest(), before, "the same store, moved");
}

#[test]
fn the_store_is_not_moved_while_another_process_has_it_open() {
    let r = Replica::new();
    r.init();
    first_layout(&r);
    let old = r.data_dir().join("relm.db");
    // An older Relm still running on the first layout, in the middle of a read.
    let other = rusqlite::Connection::open(&old).unwrap();
    other
        .execute_batch("BEGIN; SELECT count(*) FROM events;")
        .unwrap();
    let err = r.fails(&["status"], 2);
    assert!(err.contains("is open in another Relm"), "{err}");
    assert!(old.exists() && !r.db_path().exists(), "nothing moved");
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    r.ok(&["status"]);
    assert!(r.db_path().exists());
}
