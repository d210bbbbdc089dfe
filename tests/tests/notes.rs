//! Release notes edited and published, through the `relm` binary: drafted, edited, saved as a
//! signed event (the same text twice records nothing), shown, laid out as a PDF; bad files
//! refused with nothing stored; crafted notes without effect; published to the GitHub release
//! and the GitLab release of the release's tag through the connections' outbox, against
//! servers on 127.0.0.1 answering as the platforms' REST APIs document: created once, updated
//! when the notes change, never written twice, and never a tag made.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use relm_tests::http::{Req, resp, serve};
use relm_tests::{Replica, not_applied, team};
use serde_json::{Value, json};

fn release(r: &Replica) -> String {
    r.json(&[
        "release",
        "create",
        "--service",
        "payments",
        "--version",
        "4.2.0",
        "--env",
        "prod",
        "--title",
        "Refund batching",
        "--change",
        "PAY-12|Batch refunds nightly",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn save(r: &Replica, id: &str, text: &str) -> Value {
    let file = r.root.path().join("notes.md");
    std::fs::write(&file, text).unwrap();
    r.json(&["notes", "save", id, file.to_str().unwrap()])
}

#[test]
fn notes_are_drafted_edited_saved_signed_and_laid_out_as_a_pdf() {
    let r = Replica::new();
    r.init();
    let id = release(&r);
    let draft = r.root.path().join("draft.md");
    r.ok(&["notes", "draft", &id, "--out", draft.to_str().unwrap()]);
    let mut text = std::fs::read_to_string(&draft).unwrap();
    assert!(text.contains("Batch refunds nightly"), "{text}");
    text.push_str(
        "\n## Upgrade\n\nRun the migration first; see [the guide](https://docs.example/upgrade).\n",
    );
    let saved = save(&r, &id, &text);
    assert_eq!(saved["lang"], "en");
    assert_eq!(saved["by_name"], "Ada Lovelace");
    assert!(saved["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(r.events_of("release.notes_set"), 1);
    // The same text again (with Windows line ends): nothing new on record.
    save(&r, &id, &text.replace('\n', "\r\n"));
    assert_eq!(r.events_of("release.notes_set"), 1);
    let shown = r.json(&["notes", "show", &id]);
    assert_eq!(shown["markdown"], text.trim_end());

    // As a PDF through the report engine: the headings and the link's target are there.
    let pdf = r.root.path().join("notes.pdf");
    let w = r.json(&["notes", "show", &id, "--out", pdf.to_str().unwrap()]);
    assert_eq!(w["format"], "pdf");
    let out = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.contains("PAY-12 Batch refunds nightly"), "{words}");
    assert!(words.contains("Upgrade"), "{words}");
    assert!(words.contains("https://docs.example/upgrade"), "{words}");
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
}

#[test]
fn bad_notes_are_refused_with_the_reason_and_nothing_is_stored() {
    let r = Replica::new();
    r.init();
    let id = release(&r);
    let err = r.fails(&["notes", "show", &id], 2);
    assert!(err.contains("no saved notes"), "{err}");
    let dir = r.root.path();
    std::fs::write(dir.join("empty.md"), "  \n\n").unwrap();
    std::fs::write(dir.join("latin1.md"), b"Caf\xe9").unwrap();
    std::fs::write(dir.join("long.md"), "x".repeat(20_001)).unwrap();
    std::fs::write(dir.join("escape.md"), "Done \u{1b}[2J").unwrap();
    let fifo = dir.join("fifo.md");
    relm_tests::mkfifo(&fifo);
    for (file, said) in [
        ("empty.md", "empty"),
        ("latin1.md", "UTF-8"),
        ("long.md", "the limit is 20000"),
        ("escape.md", "escape"),
        ("fifo.md", "not a regular file"),
        ("missing.md", "cannot read"),
    ] {
        let path = dir.join(file);
        let err = r.fails(&["notes", "save", &id, path.to_str().unwrap()], 2);
        assert!(err.contains(said), "{file}: {err}");
    }
    let err = r.fails(&["notes", "save", &id, "x.md", "--lang", "de"], 2);
    assert!(err.contains("de"), "{err}");
    let err = r.fails(&["notes", "publish", &id], 2);
    assert!(err.contains("no saved notes"), "{err}");
    assert_eq!(r.events_of("release.notes_set"), 0);
}

#[test]
fn crafted_notes_have_no_effect_on_any_replica() {
    let (a, b, remote) = team();
    let id = release(&a);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let mut forger = relm_tests::forge::Forger::of(&b);
    let t = relm_tests::now_ms();
    let (author, seq): (String, i64) = a
        .db()
        .query_row(
            "SELECT author, seq FROM events ORDER BY pos DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let seen = relm_tests::forge::dep_on(&a, &author, seq as u64);
    // Bob signs notes no Relm would write: in a language Relm does not write, for a release
    // that does not exist (both without effect), and longer than the ledger keeps (set aside).
    let crafted = [
        forger.next_after(
            t,
            "release.notes_set",
            json!({"release_id": id, "lang": "de", "markdown": "Hallo"}),
            vec![seen],
        ),
        forger.next_after(
            t + 1,
            "release.notes_set",
            json!({"release_id": "01nothing", "lang": "en", "markdown": "Hi"}),
            Vec::new(),
        ),
        forger.next_after(
            t + 2,
            "release.notes_set",
            json!({"release_id": id, "lang": "en", "markdown": "x".repeat(20_001)}),
            Vec::new(),
        ),
    ];
    relm_tests::forge::plant(remote.path(), "bob-forged", &forger.workspace, &crafted);
    let out = a.run(&["--json", "sync"]);
    assert_eq!(out.status.code(), Some(1), "quarantine says so");
    let why = not_applied(&a, "release.notes_set");
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(why[0].contains("`de`"), "{why:?}");
    assert!(why[1].contains("no release"), "{why:?}");
    assert!(
        a.fails(&["notes", "show", &id], 2)
            .contains("no saved notes")
    );
    assert_eq!(a.json(&["audit", "verify"])["ok"], true);
}

/// A platform's releases and tags, as its REST API shows them.
#[derive(Default)]
struct Platform {
    tags: Vec<String>,
    /// Tag → (id, name, body).
    releases: BTreeMap<String, (u64, String, String)>,
    writes: Vec<String>,
}

/// GitHub's REST API for repository `acme/payments`: releases by tag, tag refs, create and
/// update a release.
fn github(state: Arc<Mutex<Platform>>) -> relm_tests::http::Server {
    serve(Arc::new(move |q: &Req, _| {
        let mut s = state.lock().unwrap();
        let base = "/repos/acme/payments";
        let path = q.path.as_str();
        let release = |id: u64, tag: &str, name: &str, body: &str| {
            json!({"id": id, "tag_name": tag, "name": name, "body": body,
                   "html_url": format!("https://github.example/acme/payments/releases/tag/{tag}")})
        };
        if q.method == "GET" {
            if let Some(tag) = path.strip_prefix(&format!("{base}/releases/tags/")) {
                return match s.releases.get(tag) {
                    Some((id, name, body)) => resp(200, release(*id, tag, name, body)),
                    None => resp(404, json!({"message": "Not Found"})),
                };
            }
            if let Some(tag) = path.strip_prefix(&format!("{base}/git/ref/tags/")) {
                return if s.tags.iter().any(|t| t == tag) {
                    resp(
                        200,
                        json!({"ref": format!("refs/tags/{tag}"), "object": {"sha": "4f2a9c1", "type": "commit"}}),
                    )
                } else {
                    resp(404, json!({"message": "Not Found"}))
                };
            }
        }
        let body: Value = serde_json::from_str(&q.body).unwrap_or(Value::Null);
        let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
        if q.method == "POST" && path == format!("{base}/releases") {
            s.writes.push(format!("POST {}", text("tag_name")));
            let id = 100 + s.releases.len() as u64;
            let tag = text("tag_name");
            s.releases
                .insert(tag.clone(), (id, text("name"), text("body")));
            return resp(201, release(id, &tag, &text("name"), &text("body")));
        }
        if q.method == "PATCH"
            && let Some(id) = path.strip_prefix(&format!("{base}/releases/"))
        {
            s.writes.push(format!("PATCH {id}"));
            let id: u64 = id.parse().unwrap();
            let tag = s
                .releases
                .iter()
                .find(|(_, r)| r.0 == id)
                .map(|(t, _)| t.clone())
                .unwrap();
            s.releases
                .insert(tag.clone(), (id, text("name"), text("body")));
            return resp(200, release(id, &tag, &text("name"), &text("body")));
        }
        resp(404, json!({"message": "Not Found"}))
    }))
}

/// GitLab's REST API for project `acme/payments`: releases by tag, tags, create and update.
fn gitlab(state: Arc<Mutex<Platform>>) -> relm_tests::http::Server {
    serve(Arc::new(move |q: &Req, _| {
        let mut s = state.lock().unwrap();
        let base = "/api/v4/projects/acme%2Fpayments";
        let path = q.path.as_str();
        let release = |tag: &str, name: &str, description: &str| {
            json!({"tag_name": tag, "name": name, "description": description,
                   "_links": {"self": format!("https://gitlab.example/acme/payments/-/releases/{tag}")}})
        };
        let body: Value = serde_json::from_str(&q.body).unwrap_or(Value::Null);
        let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
        if let Some(tag) = path.strip_prefix(&format!("{base}/releases/")) {
            match q.method.as_str() {
                "GET" => {
                    return match s.releases.get(tag) {
                        Some((_, name, d)) => resp(200, release(tag, name, d)),
                        None => resp(404, json!({"message": "404 Not Found"})),
                    };
                }
                "PUT" => {
                    s.writes.push(format!("PUT {tag}"));
                    s.releases
                        .insert(tag.to_string(), (0, text("name"), text("description")));
                    return resp(200, release(tag, &text("name"), &text("description")));
                }
                _ => {}
            }
        }
        if q.method == "GET"
            && let Some(tag) = path.strip_prefix(&format!("{base}/repository/tags/"))
        {
            return if s.tags.iter().any(|t| t == tag) {
                resp(200, json!({"name": tag, "target": "4f2a9c1"}))
            } else {
                resp(404, json!({"message": "404 Tag Not Found"}))
            };
        }
        if q.method == "POST" && path == format!("{base}/releases") {
            let tag = text("tag_name");
            s.writes.push(format!("POST {tag}"));
            s.releases
                .insert(tag.clone(), (0, text("name"), text("description")));
            return resp(201, release(&tag, &text("name"), &text("description")));
        }
        resp(404, json!({"message": "404 Not Found"}))
    }))
}

fn publish(r: &Replica, id: &str, connector: &str) -> (Value, i32) {
    let out = r.run(&["--json", "notes", "publish", id, "--connector", connector]);
    (
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr))),
        out.status.code().unwrap(),
    )
}

#[test]
fn notes_are_published_to_the_github_and_gitlab_releases_of_the_tag_once() {
    let r = Replica::new();
    r.init();
    let id = release(&r);
    save(
        &r,
        &id,
        "# payments 4.2.0\n\nRefunds are batched nightly.\n",
    );

    let gh = Arc::new(Mutex::new(Platform {
        tags: vec!["v4.2.0".into()],
        ..Default::default()
    }));
    let gh_server = github(gh.clone());
    r.connector_added(
        &[
            "github",
            "gh",
            "--repo",
            "acme/payments",
            "--api-url",
            &gh_server.base,
        ],
        "ghp_token",
    );
    let gl = Arc::new(Mutex::new(Platform::default()));
    let gl_server = gitlab(gl.clone());
    r.connector_added(
        &[
            "gitlab",
            "gl",
            "--project",
            "acme/payments",
            "--api-url",
            &format!("{}/api/v4", gl_server.base),
        ],
        "glpat_token",
    );

    // GitHub: the tag is v4.2.0 (the version without its v has none): created there, once.
    let (v, code) = publish(&r, &id, "gh");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["entries"][0]["state"], "done");
    assert!(
        v["entries"][0]["remote_id"]
            .as_str()
            .unwrap()
            .contains("created"),
        "{v}"
    );
    {
        let s = gh.lock().unwrap();
        assert_eq!(s.writes, ["POST v4.2.0"]);
        let (_, name, body) = &s.releases["v4.2.0"];
        assert_eq!(name, "4.2.0 — Refund batching");
        assert_eq!(body, "# payments 4.2.0\n\nRefunds are batched nightly.");
    }
    let (_, code) = publish(&r, &id, "gh");
    assert_eq!(code, 0);
    assert_eq!(gh.lock().unwrap().writes.len(), 1, "published once");

    // Edited notes: the same release is updated, not another made.
    save(
        &r,
        &id,
        "# payments 4.2.0\n\nRefunds are batched nightly, at 02:00 UTC.\n",
    );
    let (v, code) = publish(&r, &id, "gh");
    assert_eq!(code, 0, "{v}");
    assert!(
        v["entries"][0]["remote_id"]
            .as_str()
            .unwrap()
            .contains("updated")
    );
    assert_eq!(gh.lock().unwrap().writes, ["POST v4.2.0", "PATCH 100"]);
    assert_eq!(r.events_of("platform.written"), 2);

    // GitLab: no tag yet. Nothing is written (no tag is made); the entry waits, with why.
    let (v, code) = publish(&r, &id, "gl");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["entries"][0]["state"], "failed");
    assert!(
        v["entries"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("no tag 4.2.0 or v4.2.0"),
        "{v}"
    );
    let reason = &v["entries"][0]["last_failure"]["reason"];
    assert_eq!(reason["code"], "no_tag", "{v}");
    assert_eq!(reason["params"]["tags"], "4.2.0 / v4.2.0", "{v}");
    assert!(gl.lock().unwrap().writes.is_empty());
    // The tag is pushed; the outbox delivers it.
    gl.lock().unwrap().tags.push("4.2.0".into());
    let entry = v["entries"][0]["id"].as_str().unwrap().to_string();
    let retried = r.json(&["outbox", "retry", &entry]);
    assert_eq!(retried["state"], "done", "{retried}");
    assert_eq!(gl.lock().unwrap().writes, ["POST 4.2.0"]);
    assert_eq!(
        gl.lock().unwrap().releases["4.2.0"].2,
        "# payments 4.2.0\n\nRefunds are batched nightly, at 02:00 UTC."
    );

    // Without --connector: every GitHub or GitLab connection of the service, here both, each
    // with what it has already.
    let out = r.run(&["--json", "notes", "publish", &id]);
    let (v, code): (Value, _) = (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    );
    let code = code.unwrap();
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    assert_eq!(gh.lock().unwrap().writes.len(), 2);
    assert_eq!(gl.lock().unwrap().writes.len(), 1);
}
