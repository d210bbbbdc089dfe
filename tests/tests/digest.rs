//! The stakeholder digest and chat webhooks: a period's digest through the `relm` binary
//! (what is planned, the freezes, what is blocked and why, what shipped, what failed and its
//! review), written as Markdown, HTML and an e-mail that Python's `email` package reads
//! without a defect; bad input refused with the reason and nothing written; digests posted to
//! Slack- and Teams-shaped webhooks on 127.0.0.1 that answer 429, 500, nothing in time, or
//! refuse, delivered once from the outbox; the webhook URL nowhere but the keyring.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use relm_tests::Replica;
use relm_tests::http::{Resp, serve};
use serde_json::{Value, json};

const PERIOD: [&str; 4] = ["--from", "2026-03-01", "--to", "2026-03-31"];

/// A workspace whose March 2026 holds one of everything a digest tells:
/// payments 4.2.0 shipped to staging and failed in prod (its review drafted), api 2.0.0
/// planned for prod without an approval (blocked), and a freeze of prod.
fn march(r: &Replica) -> (String, String) {
    r.init();
    let failed = r.march_release();
    r.deploy(
        &failed,
        "staging",
        "succeeded",
        "2026-03-09T09:00:00Z",
        "2026-03-09T09:10:00Z",
    );
    r.deploy(
        &failed,
        "prod",
        "failed",
        "2026-03-10T09:30:00Z",
        "2026-03-10T09:50:00Z",
    );
    r.ok(&["review", "draft", &failed]);
    r.ok(&[
        "review",
        "update",
        &failed,
        "--went-badly",
        "The migration locked the <orders> table for 12 minutes",
    ]);
    let planned = r.json(&[
        "release",
        "create",
        "--service",
        "api",
        "--version",
        "2.0.0",
        "--env",
        "prod",
        "--title",
        "New [login](https://evil.example) page",
        "--start",
        "2026-03-20T10:00",
        "--end",
        "2026-03-20T11:00",
        "--tz",
        "Europe/Paris",
        "--rollback-plan",
        "redeploy 1.9.0",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    r.ok(&["release", "status", &planned, "planned"]);
    r.ok(&[
        "calendar",
        "add",
        "freeze",
        "--name",
        "Quarter close",
        "--start",
        "2026-03-25T18:00",
        "--end",
        "2026-03-27T08:00",
        "--tz",
        "Europe/Paris",
        "--env",
        "prod",
        "--reason",
        "Finance closes the quarter",
    ]);
    (failed, planned)
}

fn items<'a>(d: &'a Value, section: &str) -> &'a Vec<Value> {
    d[section]["items"].as_array().unwrap()
}

#[test]
fn a_digest_tells_what_is_planned_frozen_blocked_shipped_and_failed() {
    let r = Replica::new();
    let (failed, planned) = march(&r);
    let mut args = vec!["digest"];
    args.extend(PERIOD);
    let d = r.json(&args);
    assert_eq!(d["title"], "Release digest, 2026-03-01 to 2026-03-31");
    assert_eq!(d["workspace"], "Acme");

    let p = items(&d, "planned");
    assert_eq!(p.len(), 1, "{d}");
    assert_eq!(p[0]["release_id"], planned.as_str());
    assert_eq!(p[0]["label"], "api 2.0.0");
    assert_eq!(p[0]["when"], "2026-03-20 09:00 UTC");

    let b = items(&d, "blocked");
    assert_eq!(b.len(), 1, "{d}");
    assert_eq!(b[0]["environment"], "prod");
    let reasons: Vec<&str> = b[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|x| x.contains("approval")),
        "the missing approval is named: {reasons:?}"
    );

    let f = items(&d, "freezes");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["name"], "Quarter close");
    assert_eq!(f[0]["level"], "hard");
    assert_eq!(f[0]["scope"], "prod");

    let s = items(&d, "shipped");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["environments"], json!(["staging"]));
    let x = items(&d, "failed");
    assert_eq!(x.len(), 1);
    assert_eq!(x[0]["release_id"], failed.as_str());
    assert_eq!(x[0]["outcome"], "failed");
    assert_eq!(x[0]["review"], "draft");
    assert!(x[0]["summary"].as_str().unwrap().contains("<orders>"));

    // One environment: staging saw only the shipped deployment.
    let mut args = vec!["digest", "--env", "staging"];
    args.extend(PERIOD);
    let d = r.json(&args);
    assert_eq!(
        d["title"],
        "Release digest, 2026-03-01 to 2026-03-31 (staging)"
    );
    for (section, n) in [
        ("planned", 0),
        ("blocked", 0),
        ("freezes", 0),
        ("shipped", 1),
        ("failed", 0),
    ] {
        assert_eq!(items(&d, section).len(), n, "{section}: {d}");
    }

    // Prod: the release planned for it, blocked there, and the failure.
    let mut args = vec!["digest", "--env", "prod"];
    args.extend(PERIOD);
    let d = r.json(&args);
    assert_eq!(
        items(&d, "planned")[0]["release_id"],
        planned.as_str(),
        "{d}"
    );
    for (section, n) in [
        ("planned", 1),
        ("blocked", 1),
        ("shipped", 0),
        ("failed", 1),
    ] {
        assert_eq!(items(&d, section).len(), n, "{section}: {d}");
    }

    // Another month: nothing, and each section says so.
    let md = r.ok(&["digest", "--from", "2026-05-01", "--to", "2026-05-31"]);
    assert_eq!(md.matches("- Nothing.").count(), 5, "{md}");
}

#[test]
fn a_digest_is_markdown_html_or_an_email_any_client_reads() {
    let r = Replica::new();
    march(&r);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, extra: &[&str]| -> std::path::PathBuf {
        let out = dir.path().join(name);
        let mut args = vec!["digest", "--out", out.to_str().unwrap()];
        args.extend(PERIOD);
        args.extend(extra);
        let v = r.json(&args);
        assert_eq!(v["path"], out.to_str().unwrap());
        assert_eq!(v["bytes"], std::fs::metadata(&out).unwrap().len());
        out
    };

    // Text from outside makes no link or markup in any form.
    let md = std::fs::read_to_string(write("d.md", &[])).unwrap();
    assert!(md.starts_with("# Release digest, 2026-03-01 to 2026-03-31\n"));
    assert!(md.contains(r"New \[login\]"), "{md}");
    assert!(!md.contains("[login]("));
    let html = std::fs::read_to_string(write("d.html", &[])).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("&lt;orders&gt;"));
    assert!(!html.contains("<orders>"));
    assert!(!html.contains("<a "));

    // The e-mail, read by Python's standard library as a mail client would.
    let en = read_eml(&write("d.eml", &[]));
    assert_eq!(en["subject"], "Release digest, 2026-03-01 to 2026-03-31");
    assert_eq!(en["defects"], json!([]));
    assert_eq!(en["unsent"], "1");
    assert_eq!(en["type"], "multipart/alternative");
    assert!(
        en["plain"]
            .as_str()
            .unwrap()
            .contains("Failed, and its review (1)")
    );
    assert!(en["html"].as_str().unwrap().contains("&lt;orders&gt;"));
    assert!(en["date"].as_str().unwrap().len() > 10);

    // In French, with times in Paris: the subject's accents survive the header encoding.
    let fr = read_eml(&write("fr.eml", &["--lang", "fr", "--tz", "Europe/Paris"]));
    assert_eq!(
        fr["subject"],
        "Synthèse des mises en production du 2026-03-01 au 2026-03-31"
    );
    assert_eq!(fr["defects"], json!([]));
    let plain = fr["plain"].as_str().unwrap();
    assert!(plain.contains("Bloqué, et pourquoi (1)"), "{plain}");
    assert!(plain.contains("2026-03-20 10:00 CET"), "{plain}");
    assert!(plain.contains("revue en cours"), "{plain}");
    assert!(
        plain.contains("\u{202f}; ") || !plain.contains(" ; "),
        "{plain}"
    );
}

/// An `.eml` as Python's `email` package reads it (the default policy, which records every
/// defect it meets).
fn read_eml(path: &Path) -> Value {
    let script = r#"
import email, email.policy, json, sys
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
defects = [type(d).__name__ for d in m.defects]
for part in m.walk():
    defects += [type(d).__name__ for d in part.defects]
print(json.dumps({
    "subject": str(m["subject"]),
    "date": str(m["date"]),
    "unsent": str(m["x-unsent"]),
    "type": m.get_content_type(),
    "defects": defects,
    "plain": m.get_body(("plain",)).get_content(),
    "html": m.get_body(("html",)).get_content(),
}))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_bad_period_file_or_zone_is_refused_with_the_reason_and_nothing_is_written() {
    let r = Replica::new();
    r.init();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("d.pdf");
    let cases: [(Vec<&str>, &str); 4] = [
        (
            vec!["--from", "2026-03-31", "--to", "2026-03-01"],
            "ends before it starts",
        ),
        (vec!["--from", "March", "--to", "2026-03-31"], "March"),
        (
            vec![
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--out",
                pdf.to_str().unwrap(),
            ],
            ".eml",
        ),
        (
            vec![
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--tz",
                "Mars/Olympus",
            ],
            "Mars/Olympus",
        ),
    ];
    for (args, said) in cases {
        let mut a = vec!["digest"];
        a.extend(&args);
        let err = r.fails(&a, 2);
        assert!(err.contains(said), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A webhook server: answers request `n` with `answers[n - 1]` (the last one after that).
fn hook(answers: Vec<(u16, &'static str, Option<&'static str>)>) -> relm_tests::http::Server {
    serve(Arc::new(move |_, n| {
        let (status, body, retry_after) = answers[(n - 1).min(answers.len() - 1)];
        let mut headers = vec![("Content-Type".to_string(), "text/plain".to_string())];
        if let Some(s) = retry_after {
            headers.push(("Retry-After".into(), s.into()));
        }
        Resp {
            status,
            headers,
            body: body.as_bytes().to_vec(),
            stall: None,
        }
    }))
}

fn add_hook(r: &Replica, name: &str, kind: &str, url: &str) -> std::process::Output {
    r.run_with_token(&["--json", "webhook", "add", name, "--kind", kind], url)
}

fn send(r: &Replica, name: &str) -> std::process::Output {
    let mut a = vec!["--json", "webhook", "send", name, "--digest"];
    a.extend(PERIOD);
    r.run(&a)
}

#[test]
fn a_digest_posted_to_slack_is_retried_after_429_and_500_and_delivered_once() {
    let r = Replica::new();
    march(&r);
    let server = hook(vec![
        (429, "rate_limited", Some("0")),
        (500, "internal_error", None),
        (200, "ok", None),
    ]);
    let url = format!("{}/services/T0001/B0001/SECRETslack", server.base);
    let out = add_hook(&r, "ops", "slack", &url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let w: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["host"], "127.0.0.1");
    assert_eq!(w["has_url"], true);

    let out = send(&r, "ops");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sent["entry"]["state"], "done");
    assert_eq!(sent["entry"]["attempts"], 3);
    assert_eq!(sent["entry"]["remote_id"], "HTTP 200: ok");
    assert_eq!(sent["delivered"], 1);
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|q| q.body == seen[0].body && q.method == "POST")
    );
    assert_eq!(seen[0].path, "/services/T0001/B0001/SECRETslack");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    let msg: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(msg["text"], "Release digest, 2026-03-01 to 2026-03-31");
    assert_eq!(msg["blocks"][0]["type"], "header");
    let text = msg.to_string();
    assert!(text.contains("&lt;orders&gt;"), "Slack's escapes: {text}");

    // The same digest again: posted already, nothing sent.
    let out = send(&r, "ops");
    assert!(out.status.success());
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["queued_before"], true);
    assert_eq!(again["delivered"], 0);
    assert_eq!(server.seen.lock().unwrap().len(), 3);
    let list = r.json(&["webhook", "list"]);
    assert_eq!(list["webhooks"][0]["sent"], 1);
    assert_eq!(list["webhooks"][0]["waiting"], 0);

    // The URL is a secret: in the keyring, and nowhere in the data folder, logs or output.
    assert!(!list.to_string().contains("SECRETslack"));
    let outbox = r.json(&["outbox", "list"]);
    assert!(!outbox.to_string().contains("SECRETslack"));
    for f in Replica::files_under(r.root.path()) {
        let bytes = std::fs::read(r.root.path().join(&f)).unwrap();
        assert!(
            !bytes.windows(11).any(|w| w == b"SECRETslack"),
            "{f} holds the webhook URL"
        );
    }

    // Removed: its URL and its messages go with it.
    r.ok(&["webhook", "remove", "ops"]);
    assert_eq!(r.json(&["webhook", "list"])["webhooks"], json!([]));
    assert_eq!(r.json(&["outbox", "list"])["outbox"], json!([]));
    let err = r.fails(
        &[
            "webhook",
            "send",
            "ops",
            "--digest",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ],
        2,
    );
    assert!(err.contains("no webhook named `ops`"), "{err}");
}

#[test]
fn a_refused_message_fails_at_once_and_a_teams_card_is_accepted() {
    let r = Replica::new();
    march(&r);
    let gone = hook(vec![(404, "no_service", None)]);
    assert!(
        add_hook(&r, "old", "slack", &format!("{}/services/x", gone.base))
            .status
            .success()
    );
    let out = send(&r, "old");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entry"]["state"], "failed");
    assert_eq!(v["entry"]["attempts"], 1, "a refusal is not tried again");
    assert!(
        v["errors"][0]
            .as_str()
            .unwrap()
            .contains("no longer exists"),
        "{v}"
    );
    assert_eq!(gone.seen.lock().unwrap().len(), 1);
    // With its reason for the app's wording: refused with a 404, and what the platform said.
    let reason = &v["failures"][0]["reason"];
    assert_eq!(reason["code"], "webhook_refused", "{v}");
    assert_eq!(
        (&reason["params"]["http"], &reason["params"]["said"]),
        (&Value::from("404"), &Value::from("no_service")),
        "{v}"
    );
    let kept = &v["entry"]["last_failure"]["reason"];
    assert_eq!(
        (&kept["code"], &kept["params"]),
        (&reason["code"], &reason["params"]),
        "{v}"
    );

    let teams = hook(vec![(202, "", None)]);
    assert!(
        add_hook(
            &r,
            "leads",
            "teams",
            &format!("{}/workflows/abc", teams.base)
        )
        .status
        .success()
    );
    let out = send(&r, "leads");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = teams.seen.lock().unwrap().clone();
    let card: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(card["type"], "message");
    assert_eq!(
        card["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["attachments"][0]["content"]["version"], "1.4");

    // Bad input: nothing kept.
    for (url, said) in [
        ("http://hooks.example.com/x", "https://"),
        ("https://user:pw@hooks.example.com/x", "password"),
        ("", "standard input"),
    ] {
        let out = add_hook(&r, "bad", "slack", url);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{url}: {err}");
        assert!(
            !err.contains("hooks.example.com/x"),
            "the URL is not echoed: {err}"
        );
    }
    let out = add_hook(&r, "leads", "teams", &format!("{}/other", teams.base));
    assert_eq!(out.status.code(), Some(2));
    let names: Vec<String> = r.json(&["webhook", "list"])["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["leads", "old"]);
}

#[test]
fn a_webhook_that_does_not_answer_in_time_is_retried_from_the_outbox() {
    use relm_api::webhooks::{Retry, send_digest};
    let root = tempfile::tempdir().unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-05T08:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let (relm, _, _) = relm_tests::bench::workspace(root.path(), at);
    // The first request gets no answer at all (the server holds it far longer than the
    // client waits); then 500; then 200.
    let server = serve(Arc::new(|_, n| {
        if n == 1 {
            std::thread::sleep(Duration::from_secs(120));
        }
        let (status, body) = if n == 2 { (500, "boom") } else { (200, "ok") };
        Resp {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            stall: None,
        }
    }));
    let mut relm = relm;
    relm.add_webhook("ops", "slack", &format!("{}/hook", server.base))
        .unwrap();
    let q = relm_api::digest::DigestQuery {
        from: "2026-03-01".into(),
        to: "2026-03-31".into(),
        ..Default::default()
    };
    let quick = Retry {
        attempts: 2,
        timeout: Duration::from_millis(500),
        pause: Duration::ZERO,
        max_pause: Duration::from_secs(1),
    };
    let w = std::cell::RefCell::new(&mut relm);
    let sent = send_digest(&w, "ops", &q, &quick).unwrap();
    assert_eq!(sent.entry.state, "failed");
    assert_eq!(sent.entry.attempts, 2);
    assert!(
        sent.entry
            .last_error
            .as_deref()
            .unwrap()
            .contains("HTTP 500"),
        "{:?}",
        sent.entry
    );
    assert!(
        sent.errors[0].contains("relm outbox retry"),
        "{:?}",
        sent.errors
    );
    // The app's wording has no command: the reason is the platform's failure.
    let reason = sent.failures[0].reason.as_deref().unwrap();
    assert_eq!(reason.code, relm_domain::ReasonCode::WebhookFailed);
    assert_eq!(reason.params["http"], "500");
    assert!(sent.entry.last_failure.is_some());
    assert_eq!(server.seen.lock().unwrap().len(), 2);

    // Retried from the outbox: delivered, once.
    let entry = relm.retry_outbox(&sent.entry.id).unwrap();
    assert_eq!(entry.state, "done");
    assert_eq!(entry.attempts, 3);
    let w = std::cell::RefCell::new(&mut relm);
    let again = send_digest(&w, "ops", &q, &quick).unwrap();
    assert!(again.queued_before);
    assert_eq!(again.entry.state, "done");
    assert_eq!(server.seen.lock().unwrap().len(), 3);
}

/// What a digest reads of the store alone is kept between calls; the releases whose window has
/// begun are judged at each call's instant. At every instant (going forward, going back, and
/// after a change of the store) the kept answer is the answer of a replica that keeps nothing.
#[test]
fn a_kept_digest_is_judged_anew_where_the_instant_matters() {
    use chrono::{TimeZone, Utc};
    use relm_api::digest::{Digest, DigestQuery};
    use relm_api::releases::ReleaseInput;
    let (dir, clock, mut relm) = relm_tests::pinned_workspace("Kept digest");
    let at = |d, h| Utc.with_ymd_and_hms(2027, 3, d, h, 0, 0).unwrap();
    // A high risk of the ledger, accepted until 5 March: from then on it blocks production.
    relm_tests::ledger_drift_accepted_until(&mut relm, "2027-03-05");
    // Two ledger releases planned for prod, on 3 and 10 March.
    let mut plan = |version: &str, day: u32| {
        let id = relm_tests::prod_release(&mut relm, "ledger", version);
        let window = (
            format!("2027-03-{day:02}T10:00:00Z"),
            format!("2027-03-{day:02}T11:00:00Z"),
            "UTC".to_string(),
        );
        let edit = ReleaseInput {
            window: Some(window),
            ..Default::default()
        };
        relm.update_release(&id, &edit).unwrap();
        relm.set_release_status(&id, "planned", None).unwrap();
        id
    };
    let early = plan("1.0.0", 3);
    let late = plan("1.1.0", 10);
    let q = DigestQuery {
        from: "2027-02-28".into(),
        to: "2027-03-20".into(),
        lang: Some("en".into()),
        zone: Some("UTC".into()),
        ..Default::default()
    };
    // A replica that keeps nothing: opened anew for each answer, on the same clock.
    let fresh = |q: &DigestQuery| {
        relm_api::Relm::open(&relm_api::Options {
            data_dir: dir.path().to_path_buf(),
            clock: clock.clone(),
            keyring: relm_api::KeyringChoice::Given(Arc::new(
                relm_identity::keyring::MemoryKeyStore::default(),
            )),
        })
        .unwrap()
        .digest(q)
        .unwrap()
    };
    let reasons = |d: &Digest, id: &str| -> String {
        (d.blocked.items.iter())
            .filter(|b| b.release_id == id)
            .flat_map(|b| b.reasons.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let kept = |relm: &relm_api::Relm| {
        let answer = relm.digest(&q).unwrap();
        assert_eq!(answer, fresh(&q), "at {}", answer.made_at);
        answer
    };

    clock.set(at(1, 9));
    let before = kept(&relm);
    assert!(
        !reasons(&before, &early).is_empty(),
        "not approved: blocked"
    );
    assert!(
        !reasons(&before, &early).contains("Ledger drift"),
        "{before:?}"
    );
    // 6 March: the early window has begun, and is judged now, the acceptance lapsed; the late
    // one is judged at its window, as when it was read.
    clock.set(at(6, 12));
    let begun = kept(&relm);
    assert!(
        reasons(&begun, &early).contains("Ledger drift"),
        "{begun:?}"
    );
    assert_eq!(reasons(&begun, &late), reasons(&before, &late));
    // The clock goes back to 2 March: the early window is ahead again.
    clock.set(at(2, 9));
    assert_eq!(kept(&relm).blocked, before.blocked);
    // Read anew on 6 March (the store changed: the late release got a rollback plan)...
    clock.set(at(6, 12));
    let edit = ReleaseInput {
        rollback_plan: Some("Redeploy 1.0.0".into()),
        ..Default::default()
    };
    relm.update_release(&late, &edit).unwrap();
    let changed = kept(&relm);
    assert_ne!(reasons(&changed, &late), reasons(&begun, &late));
    // ... then asked on 2 March: the early window, begun when read, is judged at its window.
    clock.set(at(2, 9));
    let back = kept(&relm);
    assert_eq!(reasons(&back, &early), reasons(&before, &early));
    // Another question is answered anew, and the first again.
    let french = DigestQuery {
        lang: Some("fr".into()),
        ..q.clone()
    };
    let answer = relm.digest(&french).unwrap();
    assert_eq!(answer, fresh(&french));
    assert_ne!(answer.blocked, back.blocked, "worded in French");
    assert_eq!(kept(&relm), back);
}
