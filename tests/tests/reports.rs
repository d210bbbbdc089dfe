//! `relm report release`: a release's dossier as a PDF that other people's tools read — every
//! approval, verdict line, deployment, deviation, rollback, review and audit-trail event in its
//! text, the evidence digest on every page — byte-identical for the same `SOURCE_DATE_EPOCH`,
//! and bad input refused with nothing written. (`make deps` installs qpdf and poppler-utils.)

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::Command;

use chrono::{Duration, TimeZone, Utc};
use relm_tests::scenes::{lived_release, pdf_text, qpdf_check, with_approver};
use relm_tests::{Replica, now_ms};
use serde_json::Value;

#[test]
fn a_release_dossier_holds_every_fact_and_reads_back_with_pdf_tools() {
    let (a, _cora, id, _remote) = lived_release();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dossier.pdf");
    let w = a.json(&[
        "report",
        "release",
        &id,
        "--out",
        file.to_str().unwrap(),
        "--tz",
        "Europe/Paris",
    ]);
    qpdf_check(&file);
    assert_eq!(w["bytes"], std::fs::metadata(&file).unwrap().len());
    // The export is on record: who exported which release's dossier, resting on what.
    let log = a.json(&["audit", "log"]);
    let exported = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "report.exported")
        .expect("the export recorded");
    assert_eq!(exported["payload"]["what"], "release-report");
    assert_eq!(exported["payload"]["subject"], id.as_str());
    assert_eq!(exported["payload"]["evidence"], w["digest"]);
    let pages = w["pages"].as_u64().unwrap();
    let digest = w["digest"].as_str().unwrap();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    let text = pdf_text(&file);
    for needle in [
        "Release dossier — payments 4.2.0",
        "Refund batching",
        "Ada Lovelace",
        "Cora Approver",
        "approver",
        "tests green",
        "rollback plan read",
        "Gate verdicts",
        "staging — ",
        "prod — ",
        "failed → rolled back",
        "outside the planned window",
        "Rollbacks",
        "4.1.9",
        "card refunds stuck",
        "the rollback took four minutes",
        "deployed outside its window",
        "Add a refund smoke test",
        "Audit trail",
        "Times shown in Europe/Paris",
        "CET",
    ] {
        assert!(text.contains(needle), "{needle:?} in the dossier:\n{text}");
    }
    // Every event of the release is in the audit trail, by its id.
    let log: Value = a.json(&["audit", "log", "--entity", &id, "--limit", "1000"]);
    let events = log.as_array().or_else(|| log["events"].as_array()).unwrap();
    assert!(events.len() >= 8, "{log}");
    for e in events {
        let eid = e["id"].as_str().unwrap();
        assert!(text.contains(eid), "{eid} in the audit trail");
    }
    // The evidence digest and "page n / N" on every page.
    assert!(
        text.matches(digest).count() as u64 >= pages,
        "in the footer of every page"
    );
    for n in 1..=pages {
        assert!(text.contains(&format!("page {n} / {pages}")), "page {n}");
    }
}

#[test]
fn a_dossier_in_french_says_it_in_french() {
    let (a, _cora, id, _remote) = lived_release();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dossier-fr.pdf");
    a.ok(&[
        "report",
        "release",
        &id,
        "--out",
        file.to_str().unwrap(),
        "--lang",
        "fr",
        "--paper",
        "letter",
    ]);
    qpdf_check(&file);
    let text = pdf_text(&file);
    for needle in [
        "Dossier de mise en production — payments 4.2.0",
        "Verdicts des contrôles",
        "Approbations",
        "approbateur",
        "hors de la fenêtre prévue",
        "Revue post-déploiement",
        "Journal d’audit",
        "Approbations non conforme",
        "déploiement enregistré",
        "Heures exprimées en Europe/Paris",
    ] {
        assert!(text.contains(needle), "{needle:?} in:\n{text}");
    }
    // US Letter.
    let info = Command::new("pdfinfo").arg(&file).output().unwrap();
    assert!(String::from_utf8_lossy(&info.stdout).contains("612 x 792 pts (letter)"));
}

#[test]
fn the_same_source_date_epoch_gives_the_same_bytes_and_bad_input_writes_nothing() {
    let (a, _cora, id, _remote) = lived_release();
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, epoch: &str| {
        let file = dir.path().join(name);
        let out = a
            .cmd(&["report", "release", &id, "--out", file.to_str().unwrap()])
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        (out, file)
    };
    let (o1, f1) = run("one.pdf", "1767225600");
    let (o2, f2) = run("two.pdf", "1767225600");
    assert!(o1.status.success() && o2.status.success(), "{o1:?}");
    assert!(
        std::fs::read(&f1).unwrap() == std::fs::read(&f2).unwrap(),
        "same epoch, same bytes"
    );
    let (o3, f3) = run("three.pdf", "1767225660");
    assert!(o3.status.success());
    assert!(std::fs::read(&f1).unwrap() != std::fs::read(&f3).unwrap());
    let text = pdf_text(&f1);
    assert!(
        text.contains("2026-01-01 01:00 CET"),
        "the epoch is the time generated"
    );

    // Later events that have nothing to do with the release (another release, by the same
    // author) are not part of its evidence: the same dossier, byte for byte.
    a.ok(&[
        "release",
        "create",
        "--service",
        "search",
        "--version",
        "9.9.9",
        "--env",
        "prod",
        "--title",
        "Unrelated",
    ]);
    let (o6, f6) = run("six.pdf", "1767225600");
    assert!(o6.status.success());
    assert!(
        std::fs::read(&f6).unwrap() == std::fs::read(&f1).unwrap(),
        "unrelated events change nothing"
    );

    // A SOURCE_DATE_EPOCH that is not a number: refused, saying what to do; nothing written.
    let (bad, f4) = run("four.pdf", "yesterday");
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("SOURCE_DATE_EPOCH") && err.contains("unset"),
        "{err}"
    );
    assert!(!f4.exists());

    // An unknown release, a folder that does not exist: refused, nothing written, no leftover.
    let missing = dir.path().join("five.pdf");
    let err = a.fails(
        &[
            "report",
            "release",
            "nope",
            "--out",
            missing.to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("nope"), "{err}");
    assert!(!missing.exists());
    let nowhere = dir.path().join("no/such/dir/six.pdf");
    let err = a.fails(
        &["report", "release", &id, "--out", nowhere.to_str().unwrap()],
        2,
    );
    assert!(err.contains("cannot write"), "{err}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // An existing file is replaced whole.
    std::fs::write(&f3, b"old").unwrap();
    let (o5, _) = run("three.pdf", "1767225600");
    assert!(o5.status.success());
    assert!(std::fs::read(&f3).unwrap() == std::fs::read(&f1).unwrap());
}

/// The max sequence number of `author`'s events in the store (0: none).
fn last_seq(r: &Replica, author: &str) -> i64 {
    r.db()
        .query_row(
            "SELECT coalesce(max(seq), 0) FROM events WHERE author = ?1",
            [author],
            |x| x.get(0),
        )
        .unwrap()
}

#[test]
fn the_evidence_is_what_the_signers_had_seen_and_nothing_later() {
    let (a, cora, remote) = with_approver();
    let (ada_key, cora_key) = (a.keyring_entry().1, cora.keyring_entry().1);
    let id = a.march_release();
    a.ok(&["release", "status", &id, "planned"]);
    a.ok(&["sync"]);
    cora.ok(&["sync"]);
    cora.ok(&["approve", &id, "--env", "prod"]);
    cora.ok(&["sync"]);
    a.ok(&["sync"]);
    let ada_then = last_seq(&a, &ada_key);
    let cora_then = last_seq(&a, &cora_key);
    // Later, unrelated: Ada creates another release; Dan joins and creates one.
    a.ok(&[
        "release",
        "create",
        "--service",
        "search",
        "--version",
        "1.0.0",
        "--env",
        "prod",
        "--title",
        "Later",
    ]);
    let dan = a.admit(remote.path(), "Dan Later", &["release-manager"]);
    dan.ok(&[
        "release",
        "create",
        "--service",
        "search",
        "--version",
        "1.0.1",
        "--env",
        "prod",
        "--title",
        "Dan's",
    ]);
    dan.ok(&["sync"]);
    a.ok(&["sync"]);
    let dan_key = dan.keyring_entry().1;
    assert!(last_seq(&a, &dan_key) > 0 && last_seq(&a, &ada_key) > ada_then);

    let conn = a.db();
    let closure = relm_store::evidence::closure_of_entity(&conn, &id, None).unwrap();
    // Ada's chain up to her last event about the release or seen by Cora (Cora's membership
    // was signed by Ada before Cora approved): no later event of hers, nothing of Dan's.
    assert_eq!(closure.get(&cora_key), Some(&cora_then), "{closure:?}");
    let ada = *closure.get(&ada_key).unwrap();
    assert!(ada <= ada_then && ada >= 3, "{closure:?}");
    assert!(!closure.contains_key(&dan_key), "{closure:?}");
    let admitted: i64 = conn
        .query_row(
            "SELECT seq FROM events WHERE author = ?1 AND kind = 'member.added'
               AND body LIKE '%Cora Approver%'",
            [&ada_key],
            |x| x.get(0),
        )
        .unwrap();
    assert!(
        admitted <= ada,
        "the approver's membership is in the evidence"
    );

    // The file: one line per event of the closure, each body the signed bytes of the event
    // the line names, in ledger order; the same file twice.
    let (file, count) = relm_store::evidence::events_file(&conn, &closure).unwrap();
    assert_eq!(count as i64, ada + cora_then);
    let text = String::from_utf8(file.clone()).unwrap();
    let mut last_hlc = 0i64;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        use base64::Engine as _;
        let body = base64::engine::general_purpose::STANDARD
            .decode(v["body"].as_str().unwrap())
            .unwrap();
        let sig = base64::engine::general_purpose::STANDARD
            .decode(v["sig"].as_str().unwrap())
            .unwrap();
        let ev = relm_domain::event::SignedEvent::from_stored(body, &sig).unwrap();
        assert_eq!(ev.envelope.author.0, v["author"].as_str().unwrap());
        assert_eq!(ev.envelope.seq as i64, v["seq"].as_i64().unwrap());
        assert_eq!(ev.envelope.id.0, v["id"].as_str().unwrap());
        let stored_hash: Vec<u8> = conn
            .query_row(
                "SELECT hash FROM events WHERE id = ?1",
                [&ev.envelope.id.0],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(stored_hash, ev.hash.to_vec());
        let hlc = ev.envelope.hlc.ms as i64;
        assert!(hlc >= last_hlc, "ledger order");
        last_hlc = hlc;
    }
    assert_eq!(
        relm_store::evidence::events_file(&conn, &closure)
            .unwrap()
            .0,
        file
    );
}

#[test]
fn a_period_compliance_report_holds_every_release_exception_and_control() {
    let (a, _cora, _id, _remote) = lived_release();
    let today = Utc.timestamp_millis_opt(now_ms() as i64).unwrap();
    let (from, to) = (
        (today - Duration::days(1)).date_naive().to_string(),
        (today + Duration::days(1)).date_naive().to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("period.pdf");
    let w = a.json(&[
        "report",
        "period",
        "--from",
        &from,
        "--to",
        &to,
        "--out",
        file.to_str().unwrap(),
    ]);
    qpdf_check(&file);
    let text = pdf_text(&file);
    let label = "payments 4.2.0";
    for needle in [
        "Compliance report",
        label,
        "Compliance rate",
        "Compliance rate 50.0%",
        "Exceptions",
        "Deviation",
        "Reviews",
        "Deployments per week",
        "Control mapping",
        "ISO/IEC 27001:2022 A.8.32",
        "SOC 2 CC8.1",
        "ITIL 4 — Change enablement",
        "ITIL 4 — Release management",
        w["digest"].as_str().unwrap(),
    ] {
        assert!(
            text.contains(needle),
            "`{needle}` is not in the report:\n{text}"
        );
    }
    // One environment only: the staging deployment, compliant.
    let staging = dir.path().join("staging.pdf");
    a.ok(&[
        "report",
        "period",
        "--from",
        &from,
        "--to",
        &to,
        "--env",
        "staging",
        "--out",
        staging.to_str().unwrap(),
        "--lang",
        "fr",
    ]);
    let text = pdf_text(&staging);
    assert!(text.contains("Taux de conformité 100,0"), "{text}");
    assert!(text.contains("Correspondance des contrôles"), "{text}");

    // The same time gives the same bytes.
    let run = |name: &str| {
        let out = dir.path().join(name);
        let done = a
            .cmd(&[
                "report",
                "period",
                "--from",
                &from,
                "--to",
                &to,
                "--out",
                out.to_str().unwrap(),
            ])
            .env("SOURCE_DATE_EPOCH", "1798761600")
            .output()
            .unwrap();
        assert!(done.status.success(), "{done:?}");
        std::fs::read(out).unwrap()
    };
    assert!(run("one.pdf") == run("two.pdf"), "two runs differ");

    // A period that ends before it starts: the field named, nothing written.
    let bad = dir.path().join("bad.pdf");
    let err = a.fails(
        &[
            "report",
            "period",
            "--from",
            &to,
            "--to",
            &from,
            "--out",
            bad.to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("before it starts"), "{err}");
    assert!(!bad.exists());
}
