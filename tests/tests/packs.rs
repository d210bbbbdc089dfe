//! `relm pack release` and `relm verify`: an evidence pack proves itself with nothing but the
//! pack — no workspace, no keyring, no network — and by hand with the tools its guide names;
//! every changed byte, removed or added file, swapped report, forged event, re-signed manifest
//! and table that says more than its events is caught and named; whatever is not a pack is
//! told apart (exit 2) without hanging on a FIFO.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use relm_tests::forge::{Forger, dep_on};
use relm_tests::scenes::{lived_release, pdf_text, qpdf_check};
use relm_tests::{Replica, now_ms, relm_bin};
use serde_json::Value;
use sha2::{Digest, Sha256};

type Files = Vec<(String, Vec<u8>)>;

fn read_zip(path: &Path) -> Files {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        out.push((e.name().unwrap().to_string(), bytes));
    }
    out
}

fn write_zip(path: &Path, files: &Files) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

fn get<'a>(files: &'a Files, name: &str) -> &'a Vec<u8> {
    &files.iter().find(|(n, _)| n == name).unwrap().1
}

fn set(files: &mut Files, name: &str, bytes: Vec<u8>) {
    files.iter_mut().find(|(n, _)| n == name).unwrap().1 = bytes;
}

/// `relm verify PACK --json` with an empty environment: no data dir, no home with a
/// workspace, no D-Bus session (so no keyring), no network needed. Exit code and verdict.
fn verify(pack: &Path) -> (i32, Value) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(relm_bin())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .current_dir(home.path())
        .arg("verify")
        .arg(pack)
        .arg("--json")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        home.path().read_dir().unwrap().next().is_none()
            || !home.path().join(".local/share/relm").exists(),
        "verify made a workspace"
    );
    (out.status.code().unwrap(), v)
}

fn problems(v: &Value) -> Vec<(String, String)> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["subject"].as_str().unwrap().to_string(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_named(v: &Value, subject: &str, code: &str) {
    let found = problems(v);
    assert!(
        found.iter().any(|(s, c)| s == subject && c == code),
        "expected {subject}: {code} among {found:?}"
    );
}

/// Update the manifest's list for `files` as they now are, and sign it with `as_member`'s key
/// as its exporter: what a member re-packing by hand would do.
fn resign(files: &mut Files, signer: &Forger, name: &str) {
    let mut manifest: Value = serde_json::from_slice(get(files, "manifest.json")).unwrap();
    let content: BTreeMap<String, Vec<u8>> = files.iter().cloned().collect();
    for f in manifest["files"].as_array_mut().unwrap() {
        let bytes = &content[f["path"].as_str().unwrap()];
        f["sha256"] = hex::encode(Sha256::digest(bytes)).into();
        f["bytes"] = bytes.len().into();
    }
    let key = relm_domain::keys::PublicKey(signer.key.verifying_key());
    manifest["exporter"]["member"] = key.key_id().0.into();
    manifest["exporter"]["key"] = key.to_string().into();
    manifest["exporter"]["name"] = name.into();
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    bytes.push(b'\n');
    let sig = relm_domain::keys::sign_pack(&signer.key, &bytes);
    set(files, "manifest.json", bytes);
    set(
        files,
        "manifest.sig",
        format!(
            "{}\n",
            base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())
        )
        .into_bytes(),
    );
}

fn pack_of(r: &Replica, id: &str, dir: &Path, name: &str) -> (PathBuf, Value) {
    let out = dir.join(name);
    let w = r.json(&["pack", "release", id, "--out", out.to_str().unwrap()]);
    (out, w)
}

#[test]
fn a_release_pack_verifies_with_nothing_but_the_pack() {
    let (a, _cora, id, _remote) = lived_release();
    let dir = tempfile::tempdir().unwrap();
    let (pack, w) = pack_of(&a, &id, dir.path(), "release.zip");
    assert_eq!(w["bytes"], std::fs::metadata(&pack).unwrap().len());
    let files = read_zip(&pack);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            "manifest.sig",
            "report.pdf",
            "events.ndjson",
            "tables/releases.csv",
            "tables/approvals.csv",
            "tables/deployments.csv",
            "tables/risks.csv",
            "tables/reviews.csv",
            "tables/actions.csv",
            "tables/dictionary.csv",
            "keys.json",
            "VERIFY.md",
        ]
    );

    let (code, v) = verify(&pack);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["status"], "verified");
    assert_eq!(v["events"], w["events"]);
    let cora = v["signers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Cora Approver")
        .unwrap();
    assert_eq!(cora["roles"], serde_json::json!(["approver"]));
    let m = &v["manifest"];
    assert_eq!(m["kind"], "release");
    assert_eq!(m["subject"], id.as_str());
    assert_eq!(m["evidence"]["digest"], w["digest"]);

    // The report inside carries the evidence digest on its pages; the tables hold Cora's two
    // approvals, each naming its event, and the deployments and the review's action.
    let report = dir.path().join("report.pdf");
    std::fs::write(&report, get(&files, "report.pdf")).unwrap();
    qpdf_check(&report);
    let digest = w["digest"].as_str().unwrap();
    assert!(pdf_text(&report).contains(digest));
    let approvals = String::from_utf8(get(&files, "tables/approvals.csv").clone()).unwrap();
    let rows: Vec<&str> = approvals.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{approvals}");
    assert!(
        rows.iter()
            .all(|r| r.contains(",approve,") && r.contains("Cora Approver"))
    );
    assert!(approvals.contains("tests green") && approvals.contains("rollback plan read"));
    let events = String::from_utf8(get(&files, "events.ndjson").clone()).unwrap();
    for row in &rows {
        let event = row.split(',').next().unwrap();
        assert!(events.contains(&format!("\"id\":\"{event}\"")), "{event}");
    }
    let deployments = String::from_utf8(get(&files, "tables/deployments.csv").clone()).unwrap();
    assert_eq!(deployments.lines().count(), 3, "{deployments}");
    assert!(deployments.contains(",rolled_back,"), "{deployments}");
    let actions = String::from_utf8(get(&files, "tables/actions.csv").clone()).unwrap();
    assert!(actions.contains("Add a refund smoke test"), "{actions}");
    let dictionary = String::from_utf8(get(&files, "tables/dictionary.csv").clone()).unwrap();
    for table in [
        "releases",
        "approvals",
        "deployments",
        "risks",
        "reviews",
        "actions",
    ] {
        let header = String::from_utf8(get(&files, &format!("tables/{table}.csv")).clone())
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
        for column in header.split(',') {
            assert!(
                dictionary.contains(&format!("{table},{column},")),
                "{table}.{column} is not in the dictionary"
            );
        }
    }

    // The export is on record, signed by Ada, and does not change what the next pack rests on.
    let log = a.json(&["audit", "log"]);
    let exported: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "report.exported")
        .collect();
    assert_eq!(exported.len(), 1, "{log:#}");
    assert_eq!(exported[0]["payload"]["subject"], id.as_str());
    assert_eq!(exported[0]["payload"]["digest"], w["manifest"]);
    let (_, again) = pack_of(&a, &id, dir.path(), "again.zip");
    assert_eq!(again["digest"], w["digest"]);
}

/// The shell commands of VERIFY.md's numbered sections, as an auditor would paste them.
fn guide_commands(guide: &str) -> String {
    let mut out = String::new();
    let mut in_section = false;
    for line in guide.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            in_section = title.starts_with(|c: char| c.is_ascii_digit());
        } else if in_section && let Some(cmd) = line.strip_prefix("    ") {
            out.push_str(cmd);
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_guide_checks_the_pack_by_hand_with_standard_tools() {
    let (a, _cora, id, _remote) = lived_release();
    let dir = tempfile::tempdir().unwrap();
    let (pack, w) = pack_of(&a, &id, dir.path(), "release.zip");
    let folder = dir.path().join("unzipped");
    let status = Command::new("unzip")
        .args(["-q", pack.to_str().unwrap(), "-d", folder.to_str().unwrap()])
        .status()
        .expect("unzip");
    assert!(status.success());
    let script = guide_commands(&std::fs::read_to_string(folder.join("VERIFY.md")).unwrap());
    assert!(script.contains("openssl pkeyutl"), "{script}");
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&folder)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.matches(": OK").count(), 11, "{text}");
    assert_eq!(
        text.matches("Signature Verified Successfully").count(),
        2,
        "{text}"
    );
    let digest = w["digest"].as_str().unwrap();
    assert_eq!(
        text.matches(digest.trim_start_matches("sha256:")).count(),
        3,
        "{text}"
    );

    // The same guide finds a changed file.
    let events = folder.join("events.ndjson");
    let mut bytes = std::fs::read(&events).unwrap();
    bytes.push(b'\n');
    std::fs::write(&events, bytes).unwrap();
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("events.ndjson: FAILED"));
}

#[test]
fn every_changed_removed_added_or_swapped_file_is_named() {
    let (a, _cora, id, _remote) = lived_release();
    let other = a.create_release("ledger-api", "9.9.9");
    let dir = tempfile::tempdir().unwrap();
    let (pack, _) = pack_of(&a, &id, dir.path(), "release.zip");
    let (other_pack, _) = pack_of(&a, &other, dir.path(), "other.zip");
    let files = read_zip(&pack);
    let bad = dir.path().join("bad.zip");

    // One byte changed in each file the manifest lists: that file is named.
    for (name, bytes) in &files {
        if name.starts_with("manifest.") {
            continue;
        }
        let mut changed = files.clone();
        let mut b = bytes.clone();
        let at = b.len() / 2;
        b[at] = if b[at] == b'7' { b'8' } else { b'7' };
        set(&mut changed, name, b);
        write_zip(&bad, &changed);
        let (code, v) = verify(&bad);
        assert_eq!(code, 1, "{name}: {v:#}");
        assert_eq!(v["status"], "not_verified");
        assert_named(&v, name, "changed");
    }

    // The manifest edited, or its signature replaced by another pack's.
    let mut changed = files.clone();
    let text = String::from_utf8(get(&files, "manifest.json").clone()).unwrap();
    set(
        &mut changed,
        "manifest.json",
        text.replacen("\"release\"", "\"period\"", 1).into_bytes(),
    );
    write_zip(&bad, &changed);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert_named(&v, "manifest.sig", "manifest_signature");
    let other_files = read_zip(&other_pack);
    let mut changed = files.clone();
    set(
        &mut changed,
        "manifest.sig",
        get(&other_files, "manifest.sig").clone(),
    );
    write_zip(&bad, &changed);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1);
    assert_named(&v, "manifest.sig", "manifest_signature");

    // A file removed; a file added.
    let removed: Files = files
        .iter()
        .filter(|(n, _)| n != "tables/risks.csv")
        .cloned()
        .collect();
    write_zip(&bad, &removed);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1);
    assert_named(&v, "tables/risks.csv", "missing");
    let mut added = files.clone();
    added.push(("tables/extra.csv".into(), b"a,b\r\n".to_vec()));
    write_zip(&bad, &added);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1);
    assert_named(&v, "tables/extra.csv", "unlisted");

    // Another release's report swapped in: its hash is not the manifest's; and re-signed by a
    // member (Ada herself), the report still names other evidence.
    let mut swapped = files.clone();
    set(
        &mut swapped,
        "report.pdf",
        get(&other_files, "report.pdf").clone(),
    );
    write_zip(&bad, &swapped);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1);
    assert_named(&v, "report.pdf", "changed");
    resign(&mut swapped, &Forger::of(&a), "Ada");
    write_zip(&bad, &swapped);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert_named(&v, "report.pdf", "other_evidence");
    assert_eq!(problems(&v).len(), 1, "{v:#}");
}

#[test]
fn a_member_cannot_make_a_pack_say_more_than_its_events() {
    let (a, cora, id, remote) = lived_release();
    let dan = a.admit(remote.path(), "Dan Auditor", &["auditor"]);
    dan.ok(&["sync"]);
    let dir = tempfile::tempdir().unwrap();
    // Dan, an auditor, exports the pack himself: it holds his membership.
    let (pack, _) = pack_of(&dan, &id, dir.path(), "release.zip");
    let files = read_zip(&pack);
    let (code, v) = verify(&pack);
    assert_eq!(code, 0, "{v:#}");
    let mut dan_key = Forger::of(&dan);

    // Dan adds a row to the approvals and signs the manifest with his own (member's) key.
    let mut forged = files.clone();
    let mut approvals = get(&files, "tables/approvals.csv").clone();
    let first_row = String::from_utf8(approvals.clone())
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .replace("Cora Approver", "Dan Auditor");
    approvals.extend(format!("{first_row}\r\n").as_bytes());
    set(&mut forged, "tables/approvals.csv", approvals);
    resign(&mut forged, &dan_key, "Dan Auditor");
    let bad = dir.path().join("bad.zip");
    write_zip(&bad, &forged);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert_named(&v, "tables/approvals.csv", "disagrees");
    assert_eq!(problems(&v).len(), 1, "{v:#}");

    // Dan signs an approval event of his own (he had seen the release: it names Ada's events)
    // and adds it with its row: authentic, but an auditor signs no decision, so the ledger's
    // rule gives it no effect and the table he wrote is refused.
    let events = String::from_utf8(get(&files, "events.ndjson").clone()).unwrap();
    let cora_id = relm_domain::keys::PublicKey(Forger::of(&cora).key.verifying_key())
        .key_id()
        .0;
    let cora_line: Value = events
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["kind"] == "approval.recorded" && l["author"] == cora_id.as_str())
        .unwrap();
    let body: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(cora_line["body"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let ada_id = relm_domain::keys::PublicKey(Forger::of(&a).key.verifying_key())
        .key_id()
        .0;
    let ada_last = events
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["author"] == ada_id.as_str())
        .map(|l| l["seq"].as_u64().unwrap())
        .max()
        .unwrap();
    dan_key.seq = 0;
    dan_key.prev = None;
    let ev = dan_key.next_after(
        now_ms(),
        "approval.recorded",
        body["payload"].clone(),
        vec![dep_on(&a, &ada_id, ada_last)],
    );
    let line = serde_json::json!({
        "id": ev.envelope.id.0,
        "author": ev.envelope.author.0,
        "seq": ev.envelope.seq,
        "kind": ev.envelope.kind,
        "body": base64::engine::general_purpose::STANDARD.encode(&ev.body),
        "sig": base64::engine::general_purpose::STANDARD.encode(ev.signature.to_bytes()),
    });
    let mut with_event = forged.clone();
    let mut ndjson = get(&files, "events.ndjson").clone();
    ndjson.extend(format!("{line}\n").as_bytes());
    set(&mut with_event, "events.ndjson", ndjson);
    resign(&mut with_event, &dan_key, "Dan Auditor");
    write_zip(&bad, &with_event);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert_named(&v, "tables/approvals.csv", "disagrees");
    let findings = v["not_applied"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["event"] == ev.envelope.id.0.as_str()),
        "{v:#}"
    );

    // A stranger's key signing the manifest of an untouched pack: not a member's pack.
    let mut stranger = files.clone();
    let workspace = v["manifest"]["workspace"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    resign(&mut stranger, &Forger::stranger(9, &workspace), "Mallory");
    write_zip(&bad, &stranger);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert_named(&v, "manifest.json", "exporter_unknown");
}

#[test]
fn a_forged_or_missing_event_is_named() {
    let (a, _cora, id, _remote) = lived_release();
    let dir = tempfile::tempdir().unwrap();
    let (pack, _) = pack_of(&a, &id, dir.path(), "release.zip");
    let files = read_zip(&pack);
    let events = String::from_utf8(get(&files, "events.ndjson").clone()).unwrap();
    let lines: Vec<&str> = events.lines().collect();
    let b64 = base64::engine::general_purpose::STANDARD;
    let ada = Forger::of(&a);
    let bad = dir.path().join("bad.zip");

    // Cora's comment changed in her signed approval; the manifest re-signed by a member.
    let (n, victim) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.contains("\"kind\":\"approval.recorded\""))
        .unwrap();
    let mut line: Value = serde_json::from_str(victim).unwrap();
    let body = String::from_utf8(b64.decode(line["body"].as_str().unwrap()).unwrap()).unwrap();
    assert!(body.contains("tests green"), "{body}");
    line["body"] = b64
        .encode(body.replace("tests green", "tests GREEN"))
        .into();
    let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    changed[n] = line.to_string();
    let mut forged = files.clone();
    set(
        &mut forged,
        "events.ndjson",
        format!("{}\n", changed.join("\n")).into_bytes(),
    );
    resign(&mut forged, &ada, "Ada");
    write_zip(&bad, &forged);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    let event_id = line["id"].as_str().unwrap();
    assert!(
        problems(&v).iter().any(|(s, _)| s == event_id),
        "the altered event is not named: {v:#}"
    );

    // One of Ada's events taken out: the gap in her chain is named.
    let (n, _) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.contains("\"kind\":\"release.created\""))
        .unwrap();
    let mut gap: Vec<&str> = lines.clone();
    gap.remove(n);
    let mut forged = files.clone();
    set(
        &mut forged,
        "events.ndjson",
        format!("{}\n", gap.join("\n")).into_bytes(),
    );
    resign(&mut forged, &ada, "Ada");
    write_zip(&bad, &forged);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert!(problems(&v).iter().any(|(_, c)| c == "gap"), "{v:#}");

    // A line that is not an event.
    let mut forged = files.clone();
    let mut ndjson = get(&files, "events.ndjson").clone();
    ndjson.extend(b"{\"id\": 1}\n");
    set(&mut forged, "events.ndjson", ndjson);
    resign(&mut forged, &ada, "Ada");
    write_zip(&bad, &forged);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert_named(
        &v,
        &format!("events.ndjson line {}", lines.len() + 1),
        "bad_line",
    );
}

#[test]
fn what_is_not_a_pack_exits_2_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("random.zip"), [7u8; 4096]).unwrap();
    write_zip(&p("empty.zip"), &Vec::new());
    write_zip(
        &p("no-manifest.zip"),
        &vec![("report.pdf".into(), b"%PDF-1.7".to_vec())],
    );
    write_zip(
        &p("other-format.zip"),
        &vec![(
            "manifest.json".into(),
            br#"{"format":"relm-pack/99"}"#.to_vec(),
        )],
    );
    write_zip(
        &p("not-json.zip"),
        &vec![("manifest.json".into(), b"<xml/>".to_vec())],
    );
    std::fs::create_dir(p("folder.zip")).unwrap();
    let fifo = p("fifo.zip");
    relm_tests::mkfifo(&fifo);
    for name in [
        "random.zip",
        "empty.zip",
        "no-manifest.zip",
        "other-format.zip",
        "not-json.zip",
        "folder.zip",
        "fifo.zip",
        "absent.zip",
    ] {
        let (code, v) = verify(&p(name));
        assert_eq!(code, 2, "{name}: {v:#}");
        assert_eq!(v["status"], "not_a_pack", "{name}");
        assert!(!v["problems"][0]["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn the_same_ledger_and_time_give_the_same_pack_contents() {
    let (a, _cora, id, _remote) = lived_release();
    let dir = tempfile::tempdir().unwrap();
    let pack = |name: &str| {
        let out = dir.path().join(name);
        let done = a
            .cmd(&["pack", "release", &id, "--out", out.to_str().unwrap()])
            .env("SOURCE_DATE_EPOCH", "1798761600")
            .output()
            .unwrap();
        assert!(done.status.success(), "{done:?}");
        read_zip(&out)
    };
    let (one, two) = (pack("one.zip"), pack("two.zip"));
    // Everything but the manifest (whose ledger head counts the first export) and its
    // signature is byte-identical; the manifests differ only there.
    for ((n1, b1), (n2, b2)) in one.iter().zip(two.iter()) {
        assert_eq!(n1, n2);
        if !n1.starts_with("manifest.") {
            assert!(b1 == b2, "{n1} differs");
        }
    }
    let m1: Value = serde_json::from_slice(get(&one, "manifest.json")).unwrap();
    let mut m2: Value = serde_json::from_slice(get(&two, "manifest.json")).unwrap();
    assert_eq!(m1["exported_at"], "2027-01-01T00:00:00Z");
    assert_ne!(m1["ledger"], m2["ledger"]);
    m2["ledger"] = m1["ledger"].clone();
    assert_eq!(m1, m2);
}

#[test]
fn a_period_pack_verifies_and_names_a_release_it_does_not_hold() {
    let (a, _cora, id, _remote) = lived_release();
    let other = a.create_release("ledger-api", "9.9.9");
    let today = chrono::DateTime::from_timestamp_millis(now_ms() as i64).unwrap();
    let (from, to) = (
        (today - chrono::Duration::days(1)).date_naive().to_string(),
        (today + chrono::Duration::days(1)).date_naive().to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("period.zip");
    let w = a.json(&[
        "pack",
        "period",
        "--from",
        &from,
        "--to",
        &to,
        "--out",
        pack.to_str().unwrap(),
    ]);
    let (code, v) = verify(&pack);
    assert_eq!(code, 0, "{v:#}");
    let m = &v["manifest"];
    assert_eq!(m["kind"], "period");
    assert_eq!(m["subject"], format!("{from}..{to}"));
    // The release deployed in the period; the one only created is not in it.
    assert_eq!(m["releases"], serde_json::json!([id]));
    assert_eq!(m["evidence"]["digest"], w["digest"]);
    let files = read_zip(&pack);
    let releases = String::from_utf8(get(&files, "tables/releases.csv").clone()).unwrap();
    assert_eq!(releases.lines().count(), 2, "{releases}");
    assert!(releases.contains(&id) && !releases.contains(&other));
    let log = a.json(&["audit", "log"]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "report.exported" && e["payload"]["what"] == "period-pack")
    );

    // The manifest re-signed by a member to claim a release the events do not hold.
    let mut claimed = files.clone();
    let mut manifest: Value = serde_json::from_slice(get(&files, "manifest.json")).unwrap();
    manifest["releases"] = serde_json::json!([id, "01900000-0000-7000-a000-00000000beef"]);
    set(
        &mut claimed,
        "manifest.json",
        serde_json::to_vec_pretty(&manifest).unwrap(),
    );
    resign(&mut claimed, &Forger::of(&a), "Ada");
    let bad = dir.path().join("bad.zip");
    write_zip(&bad, &claimed);
    let (code, v) = verify(&bad);
    assert_eq!(code, 1, "{v:#}");
    assert_named(
        &v,
        "01900000-0000-7000-a000-00000000beef",
        "missing_release",
    );
}
