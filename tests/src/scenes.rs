//! Scenes several test files play: a release with a life behind it, and the PDF tools that
//! read reports back.

use std::path::Path;
use std::process::Command;

use chrono::{Duration, TimeZone, Utc};

use crate::{Replica, now_ms};

pub fn pdf_text(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext (make deps installs poppler-utils)");
    assert!(out.status.success(), "{out:?}");
    // Words wrapped inside table cells come back one line each: join them for searching.
    String::from_utf8(out.stdout)
        .expect("as the scene requires")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn qpdf_check(file: &Path) {
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(file)
        .output()
        .expect("qpdf (make deps installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Every font embedded, as a subset, with a Unicode map (copy and paste give the text).
    let out = Command::new("pdffonts")
        .arg(file)
        .output()
        .expect("pdffonts (make deps installs poppler-utils)");
    let fonts = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(out.status.success() && !rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cols[cols.len() - 5..cols.len() - 2],
            ["yes", "yes", "yes"],
            "embedded, subset, Unicode: {row}"
        );
    }
}

/// Ada's workspace on a folder remote, and Cora, an approver, admitted to it.
pub fn with_approver() -> (Replica, Replica, tempfile::TempDir) {
    let remote = tempfile::tempdir().expect("as the scene requires");
    let a = Replica::new();
    a.init();
    a.ok(&[
        "remote",
        "add",
        "origin",
        remote.path().to_str().expect("as the scene requires"),
    ]);
    a.ok(&["sync"]);
    let cora = a.admit(remote.path(), "Cora Approver", &["approver"]);
    (a, cora, remote)
}

/// A release of Ada's, approved by Cora (an approver), deployed to staging then failed in
/// production outside its window, rolled back, reviewed with an action.
pub fn lived_release() -> (Replica, Replica, String, tempfile::TempDir) {
    let (a, cora, remote) = with_approver();
    let id = a.march_release();
    a.ok(&["release", "status", &id, "planned"]);
    a.ok(&["sync"]);
    cora.ok(&["sync"]);
    cora.ok(&[
        "approve",
        &id,
        "--env",
        "staging",
        "--comment",
        "tests green",
    ]);
    cora.ok(&[
        "approve",
        &id,
        "--env",
        "prod",
        "--comment",
        "rollback plan read",
    ]);
    cora.ok(&["sync"]);
    a.ok(&["sync"]);
    let now = Utc
        .timestamp_millis_opt(now_ms() as i64)
        .single()
        .expect("a time");
    let t = |m: i64| relm_domain::window::fmt_utc(now - Duration::minutes(m));
    a.deploy(&id, "staging", "succeeded", &t(50), &t(45));
    a.deploy(&id, "prod", "failed", &t(30), &t(20));
    a.ok(&[
        "rollback",
        "record",
        &id,
        "--env",
        "prod",
        "--to-version",
        "4.1.9",
        "--reason",
        "card refunds stuck",
    ]);
    a.ok(&["review", "draft", &id]);
    a.ok(&[
        "review",
        "update",
        &id,
        "--outcome",
        "rolled_back",
        "--went-well",
        "the rollback took four minutes",
        "--went-badly",
        "deployed outside its window",
    ]);
    a.ok(&[
        "action",
        "add",
        &id,
        "--title",
        "Add a refund smoke test",
        "--owner",
        "ada@acme.example",
        "--due",
        &(now + Duration::days(10)).date_naive().to_string(),
    ]);
    (a, cora, id, remote)
}
