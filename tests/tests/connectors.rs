//! Connections to deployment platforms through the `relm` binary, against servers on 127.0.0.1
//! that answer as GitLab's, GitHub's and Argo CD's APIs document: deployments pulled into
//! signed records (one event per release and sync) with their deviations, recorded once, read
//! incrementally, matched to releases created later; a failing connection that does not stop
//! the others; the token nowhere but the OS keyring; bad input refused with nothing kept; and
//! forged imports refused.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use relm_tests::forge::{Forger, plant};
use relm_tests::http::{Server, resp, serve};
use relm_tests::{Replica, not_applied, now_ms, team};
use serde_json::{Value, json};

const TOKEN: &str = "glpat-Zq8vN3xT5wR1yK7mB2cD";

/// A GitLab deployment as the Deployments API lists it.
fn gl(id: u32, reference: &str, env: &str, status: &str, start: &str, end: Option<&str>) -> Value {
    json!({
        "id": id, "iid": id, "ref": reference,
        "sha": format!("{id:040x}"),
        "status": status,
        "created_at": start,
        "updated_at": end.unwrap_or(start),
        "environment": {"id": 1, "name": env},
        "deployable": {
            "status": status, "started_at": start, "finished_at": end,
            "web_url": format!("https://gitlab.example.com/acme/payments/-/jobs/{id}")
        }
    })
}

/// `%3A` and friends back to text.
fn decoded(s: &str) -> String {
    s.replace("%3A", ":")
        .replace("%2B", "+")
        .replace("%2F", "/")
}

fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    path.split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
}

/// A GitLab project `acme/payments` holding `list`: the project, and its deployments ordered by
/// `updated_at`, filtered by `updated_after`, 100 a page with `Link` headers. Any other token
/// than `token` gets 401.
fn gitlab(list: Arc<Mutex<Vec<Value>>>, token: &'static str) -> Server {
    serve(Arc::new(move |req, _| {
        if req.header("authorization") != Some(&format!("Bearer {token}")) {
            return resp(401, json!({"message": "401 Unauthorized"}));
        }
        let path = req.path.as_str();
        if path == "/api/v4/projects/acme%2Fpayments" {
            return resp(
                200,
                json!({"id": 7, "path_with_namespace": "acme/payments"}),
            );
        }
        if !path.starts_with("/api/v4/projects/acme%2Fpayments/deployments?") {
            return resp(404, json!({"message": "404 Not Found"}));
        }
        assert_eq!(query(path, "order_by"), Some("updated_at"), "{path}");
        let after = query(path, "updated_after").map(decoded);
        let page: usize = query(path, "page").map_or(1, |p| p.parse().unwrap());
        let mut items: Vec<Value> = list
            .lock()
            .unwrap()
            .iter()
            .filter(|d| {
                after
                    .as_deref()
                    .is_none_or(|a| d["updated_at"].as_str().unwrap() > a)
            })
            .cloned()
            .collect();
        items.sort_by_key(|d| d["updated_at"].as_str().unwrap().to_string());
        let pages = items.len().div_ceil(100).max(1);
        let chunk: Vec<Value> = items.into_iter().skip((page - 1) * 100).take(100).collect();
        let mut r = resp(200, json!(chunk));
        if page < pages {
            let host = req.header("host").unwrap();
            let base = path.split("&page=").next().unwrap();
            r.headers.push((
                "Link".into(),
                format!("<http://{host}{base}&page={}>; rel=\"next\"", page + 1),
            ));
        }
        r
    }))
}

/// The project's deployments: 240 of versions Relm has no release of, then release 4.2.0 to
/// staging, to production (succeeded, failed, running, canceled), to a review app, and 4.3.0.
fn history() -> Vec<Value> {
    let mut all: Vec<Value> = (1..=240)
        .map(|i| {
            let at = format!("2026-02-01T{:02}:{:02}:00Z", i / 60, i % 60);
            gl(
                i,
                &format!("v3.{i}.0"),
                "production",
                "success",
                &at,
                Some(&at),
            )
        })
        .collect();
    all.extend([
        gl(
            241,
            "v4.2.0",
            "staging",
            "success",
            "2026-03-09T09:00:00Z",
            Some("2026-03-09T09:12:00Z"),
        ),
        gl(
            242,
            "v4.2.0",
            "production",
            "success",
            "2026-03-10T09:30:00Z",
            Some("2026-03-10T09:40:00Z"),
        ),
        gl(
            243,
            "v4.2.0",
            "production",
            "failed",
            "2026-03-10T09:50:00Z",
            Some("2026-03-10T09:55:00Z"),
        ),
        gl(
            244,
            "v4.2.0",
            "production",
            "running",
            "2026-03-10T10:00:00Z",
            None,
        ),
        gl(
            245,
            "v4.2.0",
            "production",
            "canceled",
            "2026-03-10T10:01:00Z",
            Some("2026-03-10T10:02:00Z"),
        ),
        gl(
            246,
            "v4.2.0",
            "review/feature-x",
            "success",
            "2026-03-10T10:03:00Z",
            Some("2026-03-10T10:04:00Z"),
        ),
        gl(
            247,
            "v4.3.0",
            "production",
            "success",
            "2026-03-11T08:00:00Z",
            Some("2026-03-11T08:10:00Z"),
        ),
    ]);
    all
}

fn add(r: &Replica, args: &[&str], token: &str) -> std::process::Output {
    r.connector_add(args, token)
}

#[track_caller]
fn added(r: &Replica, args: &[&str], token: &str) -> Value {
    r.connector_added(args, token)
}

fn add_gitlab(r: &Replica, name: &str, server: &Server, token: &str) -> Value {
    let url = format!("{}/api/v4", server.base);
    added(
        r,
        &[
            "gitlab",
            name,
            "--project",
            "acme/payments",
            "--api-url",
            &url,
            "--env-map",
            "production=prod",
        ],
        token,
    )
}

/// `relm connector sync` as JSON, with its exit code.
fn sync(r: &Replica, name: Option<&str>) -> (Value, i32) {
    let mut a = vec!["--json", "connector", "sync"];
    a.extend(name);
    let out = r.run(&a);
    (
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!("{}", String::from_utf8_lossy(&out.stderr));
        }),
        out.status.code().unwrap(),
    )
}

fn imports(r: &Replica) -> i64 {
    r.events_of("deployments.imported")
}

fn deployments(r: &Replica) -> Vec<Value> {
    r.json(&["deploy", "list"])["deployments"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn gitlab_deployments_become_signed_records_once_and_incrementally() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    let list = Arc::new(Mutex::new(history()));
    let server = gitlab(list.clone(), TOKEN);
    let added = add_gitlab(&r, "gl", &server, TOKEN);
    assert_eq!(added["service"], "payments", "the project's last name");
    assert_eq!(added["has_token"], true);
    assert_eq!(added["env_map"]["production"], "prod");

    let probe = r.json(&["connector", "test", "gl"]);
    assert_eq!(probe["found"], "acme/payments", "{probe}");
    server.seen.lock().unwrap().clear();

    let (report, code) = sync(&r, None);
    assert_eq!(code, 0, "{report}");
    let gl = &report["connectors"][0];
    assert_eq!(gl["name"], "gl");
    assert_eq!(gl["errors"], json!([]));
    assert_eq!(gl["pulled"], 3, "staging, and production twice: {gl}");
    assert_eq!(gl["pushed"], 0);
    assert_eq!(gl["unfinished"], 1, "the running one: {gl}");
    assert_eq!(
        gl["waiting"], 242,
        "no release of 3.x or 4.3.0 yet, the review app: {gl}"
    );
    let reasons = gl["left_out"].to_string();
    assert!(reasons.contains("canceled"), "{reasons}");
    assert!(
        reasons.contains("does not target `review/feature-x`"),
        "{reasons}"
    );
    let seen: Vec<String> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|q| q.path.clone())
        .collect();
    let pages = seen.iter().filter(|p| p.contains("/deployments?")).count();
    assert_eq!(pages, 3, "248 deployments, 100 a page: {seen:?}");
    // And the project's freeze periods, which this server does not have: said, not fatal.
    assert!(reasons.contains("freeze periods"), "{reasons}");
    // One signed event for the release, three records with the platform's references.
    assert_eq!(imports(&r), 1);
    let mut found = deployments(&r);
    found.sort_by_key(|d| d["external_ref"].as_str().unwrap().to_string());
    let refs: Vec<&str> = found
        .iter()
        .map(|d| d["external_ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        [
            "gitlab:acme/payments#241",
            "gitlab:acme/payments#242",
            "gitlab:acme/payments#243"
        ]
    );
    assert_eq!(found[0]["environment"], "staging");
    assert_eq!(found[1]["environment"], "prod", "mapped from production");
    assert_eq!(found[1]["tool"], "gitlab");
    assert_eq!(
        found[1]["link"],
        "https://gitlab.example.com/acme/payments/-/jobs/242"
    );
    assert_eq!(found[1]["started_at"], "2026-03-10T09:30:00Z");
    // Deviations as for a record made by hand: nobody approved production.
    assert!(
        found[1]["deviations"].to_string().contains("not_allowed"),
        "{}",
        found[1]
    );
    assert_eq!(found[2]["outcome"], "failed");
    let text = r.ok(&["deploy", "list"]);
    assert!(text.contains("gitlab:acme/payments#242"), "{text}");
    // The status follows as for records made by hand: a success on the last environment
    // made it deployed, and a failed retry after it does not undo that.
    assert_eq!(r.json(&["release", "show", &id])["status"], "deployed");

    // Nothing new: one request of deployments from the cursor (beside those of the freeze
    // periods, environments and releases), nothing recorded twice.
    server.seen.lock().unwrap().clear();
    let (report, _) = sync(&r, Some("gl"));
    assert_eq!(report["connectors"][0]["pulled"], 0, "{report}");
    let seen: Vec<_> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|q| q.path.contains("/deployments?"))
        .cloned()
        .collect();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        query(&seen[0].path, "updated_after").is_some(),
        "{}",
        seen[0].path
    );
    assert_eq!(imports(&r), 1);

    // The running one ends: the next sync sees it (its updated_at moved) and records it.
    {
        let mut l = list.lock().unwrap();
        let d = l.iter_mut().find(|d| d["id"] == 244).unwrap();
        *d = gl_done(244);
    }
    let (report, _) = sync(&r, Some("gl"));
    assert_eq!(report["connectors"][0]["pulled"], 1, "{report}");
    assert_eq!(report["connectors"][0]["unfinished"], 0, "{report}");

    // Release 4.3.0 is created later: the deployment kept for it is recorded at the next sync,
    // without asking the platform again for it.
    let later = r.json(&[
        "release",
        "create",
        "--service",
        "payments",
        "--version",
        "4.3.0",
        "--env",
        "staging",
        "--env",
        "prod",
        "--title",
        "Statements",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (report, _) = sync(&r, Some("gl"));
    assert_eq!(report["connectors"][0]["pulled"], 1, "{report}");
    assert_eq!(report["connectors"][0]["waiting"], 241, "{report}");
    let of_later = r.json(&["deploy", "list", "--release", &later])["deployments"].clone();
    assert_eq!(of_later[0]["external_ref"], "gitlab:acme/payments#247");
    assert_eq!(imports(&r), 3);

    let listed = r.json(&["connector", "list"])["connectors"][0].clone();
    assert_eq!(listed["last_pulled"], 1);
    assert!(listed["last_ok_at"].is_string(), "{listed}");
    assert_eq!(listed["waiting"], 241);
    r.ok(&["audit", "verify"]);
    r.assert_integrity();
}

/// Deployment 244 of [`history`], ended (GitLab moves its `updated_at` to that change).
fn gl_done(id: u32) -> Value {
    let mut d = gl(
        id,
        "v4.2.0",
        "production",
        "success",
        "2026-03-10T10:00:00Z",
        Some("2026-03-10T10:20:00Z"),
    );
    d["updated_at"] = json!("2026-03-12T00:00:00Z");
    d
}

#[test]
fn a_failing_connection_does_not_stop_the_others_and_says_what_to_do() {
    let r = Replica::new();
    r.init();
    r.march_release();
    let server = gitlab(Arc::new(Mutex::new(history())), TOKEN);
    add_gitlab(&r, "good", &server, TOKEN);
    // A token that was revoked: every answer is 401.
    add_gitlab(&r, "revoked", &server, "glpat-revoked-0000");
    let (report, code) = sync(&r, None);
    assert_eq!(code, 1, "{report}");
    let by_name = |n: &str| {
        report["connectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("good")["pulled"], 3);
    assert_eq!(by_name("good")["errors"], json!([]));
    let errors = by_name("revoked")["errors"].to_string();
    assert!(errors.contains("token was refused"), "{errors}");
    assert!(errors.contains("--token-stdin"), "{errors}");
    let listed = r.json(&["connector", "list"])["connectors"].clone();
    assert!(listed.to_string().contains("token was refused"), "{listed}");
    // The test command says the same, with exit 1.
    let out = r.run(&["connector", "test", "revoked"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("token was refused"));
    // An unknown name.
    let err = r.fails(&["connector", "sync", "nope"], 2);
    assert!(err.contains("no connection named `nope`"), "{err}");
}

#[test]
fn the_token_is_in_the_os_keyring_and_nowhere_else() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    let server = gitlab(Arc::new(Mutex::new(history())), TOKEN);
    add_gitlab(&r, "gl", &server, TOKEN);
    let (report, code) = sync(&r, None);
    assert_eq!(code, 0, "{report}");
    r.ok(&["connector", "test", "gl"]);
    let pack = r.root.path().join("exports/pack.zip");
    let pdf = r.root.path().join("exports/report.pdf");
    std::fs::create_dir_all(pack.parent().unwrap()).unwrap();
    r.ok(&["pack", "release", &id, "--out", pack.to_str().unwrap()]);
    r.ok(&["report", "release", &id, "--out", pdf.to_str().unwrap()]);
    // The server received it, as a bearer token: it was really used.
    assert!(
        server
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|q| q.header("authorization") == Some(&format!("Bearer {TOKEN}")))
    );
    // Every file of the replica (database, its journal, logs, exports) and every file inside
    // the pack, searched for the token's bytes.
    let mut searched = 0;
    for file in Replica::files_under(r.root.path()) {
        let bytes = std::fs::read(r.root.path().join(&file)).unwrap();
        searched += 1;
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "the token is in {file}"
        );
    }
    assert!(searched >= 4, "{searched} files");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&pack).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
    }
    // It is in the keyring: removing the connection removes it, and a connection whose token
    // is gone says so.
    assert_eq!(
        r.json(&["connector", "list"])["connectors"][0]["has_token"],
        true
    );
    r.ok(&["connector", "remove", "gl"]);
    assert_eq!(r.json(&["connector", "list"])["connectors"], json!([]));
    // What it imported stays.
    assert_eq!(deployments(&r).len(), 3);
}

#[test]
fn bad_connections_are_refused_with_the_reason_and_nothing_is_kept() {
    let r = Replica::new();
    r.init();
    let cases: [(&[&str], &str); 6] = [
        (
            &["github", "bad name!", "--repo", "acme/payments"],
            "connection name",
        ),
        (&["github", "gh", "--repo", "payments"], "--repo OWNER/REPO"),
        (&["argocd", "argo", "--app", "payments"], "--api-url"),
        (
            &[
                "gitlab",
                "gl",
                "--project",
                "acme/p",
                "--env-map",
                "production",
            ],
            "PLATFORM_ENV=RELM_ENV",
        ),
        (
            &[
                "gitlab",
                "gl",
                "--project",
                "acme/p",
                "--api-url",
                "ftp://x",
            ],
            "not an http(s) URL",
        ),
        (
            &[
                "gitlab",
                "gl",
                "--project",
                "acme/p",
                "--service",
                "no good",
            ],
            "service name",
        ),
    ];
    for (args, needle) in cases {
        let out = add(&r, args, TOKEN);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // No token at all.
    let out = r.run(&[
        "connector",
        "add",
        "github",
        "gh",
        "--repo",
        "acme/payments",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RELM_CONNECTOR_TOKEN"));
    assert_eq!(r.json(&["connector", "list"])["connectors"], json!([]));
    // The token from the environment, once; a second connection of the same name is refused.
    let ok = r
        .cmd(&[
            "connector",
            "add",
            "github",
            "gh",
            "--repo",
            "acme/payments",
        ])
        .env("RELM_CONNECTOR_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = add(&r, &["gitlab", "gh", "--project", "acme/p"], TOKEN);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists"));
    let all = r.json(&["connector", "list"])["connectors"].clone();
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["platform"], "github", "the first one is unchanged");
    assert_eq!(all[0]["api_url"], "https://api.github.com");
}

#[test]
fn github_and_argo_cd_deployments_are_imported_too() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    let github = serve(Arc::new(|req, _| {
        if req.path == "/repos/acme/payments" {
            return resp(200, json!({"id": 1, "full_name": "acme/payments"}));
        }
        // No run waits for a review.
        if req.path == "/repos/acme/payments/actions/runs?status=waiting&per_page=100" {
            if req.header("if-none-match") == Some("\"r0\"") {
                return relm_tests::http::Resp {
                    status: 304,
                    headers: vec![("ETag".into(), "\"r0\"".into())],
                    body: Vec::new(),
                    stall: None,
                };
            }
            let mut r = resp(200, json!({"total_count": 0, "workflow_runs": []}));
            r.headers.push(("ETag".into(), "\"r0\"".into()));
            return r;
        }
        // The newest deployment, conditionally: 304 when the ETag still holds.
        if req.path == "/repos/acme/payments/deployments?per_page=1" {
            if req.header("if-none-match") == Some("\"v1\"") {
                return relm_tests::http::Resp {
                    status: 304,
                    headers: vec![("ETag".into(), "\"v1\"".into())],
                    body: Vec::new(),
                    stall: None,
                };
            }
            let mut r = resp(200, json!([{"id": 2, "environment": "production"}]));
            r.headers.push(("ETag".into(), "\"v1\"".into()));
            return r;
        }
        // Its environments (production behind two reviewers and a wait) and releases, each
        // with an ETag: 304 when it still holds.
        let listed = match req.path.as_str() {
            "/repos/acme/payments/environments?per_page=100" => Some((
                "\"e1\"",
                json!({"total_count": 2, "environments": [
                    {"id": 11, "name": "staging", "protection_rules": []},
                    {"id": 12, "name": "production", "protection_rules": [
                        {"id": 1, "type": "required_reviewers", "reviewers": [
                            {"type": "User", "reviewer": {"login": "ada"}},
                            {"type": "Team", "reviewer": {"slug": "ops"}}]},
                        {"id": 2, "type": "wait_timer", "wait_timer": 15}],
                     "deployment_branch_policy": {"protected_branches": true, "custom_branch_policies": false}}
                ]}),
            )),
            "/repos/acme/payments/releases?per_page=20" => Some((
                "\"l1\"",
                json!([{"tag_name": "v4.2.0", "name": "Refund batching", "draft": false,
                    "published_at": "2026-03-10T09:00:00Z",
                    "html_url": "https://github.com/acme/payments/releases/tag/v4.2.0"}]),
            )),
            _ => None,
        };
        if let Some((etag, body)) = listed {
            if req.header("if-none-match") == Some(etag) {
                return relm_tests::http::Resp {
                    status: 304,
                    headers: vec![("ETag".into(), etag.into())],
                    body: Vec::new(),
                    stall: None,
                };
            }
            let mut r = resp(200, body);
            r.headers.push(("ETag".into(), etag.into()));
            return r;
        }
        assert_eq!(req.path, "/graphql");
        let q: Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(q["variables"]["owner"], "acme");
        let node = |n: u32, env: &str, state: &str, at: &str| {
            json!({"cursor": format!("c-{n}"), "node": {
                "databaseId": n, "environment": env, "ref": {"name": "v4.2.0"},
                "commitOid": format!("{n:040x}"), "createdAt": "2026-03-10T09:30:00Z",
                "updatedAt": at,
                "latestStatus": {"state": state, "createdAt": at,
                    "logUrl": format!("https://github.com/acme/payments/actions/runs/{n}")}
            }})
        };
        resp(
            200,
            json!({"data": {"repository": {"deployments": {
                "pageInfo": {"hasNextPage": false, "endCursor": "c-2"},
                "edges": [
                    node(1, "staging", "SUCCESS", "2026-03-09T09:10:00Z"),
                    node(2, "production", "SUCCESS", "2026-03-10T09:40:00Z")
                ]
            }}}}),
        )
    }));
    added(
        &r,
        &[
            "github",
            "gh",
            "--repo",
            "acme/payments",
            "--api-url",
            &github.base,
            "--env-map",
            "production=prod",
        ],
        "ghp_abc",
    );
    let argo = serve(Arc::new(|req, _| {
        if req.path == "/api/v1/projects/payments" {
            return resp(
                200,
                json!({"metadata": {"name": "payments", "resourceVersion": "7"}, "spec": {}}),
            );
        }
        assert_eq!(req.path, "/api/v1/applications/payments-prod");
        resp(
            200,
            json!({"metadata": {"name": "payments-prod"}, "spec": {"project": "payments"},
            "status": {"history": [
                {"id": 3, "revision": "4f2a9c1e0b7d3a5c6e8f9a0b1c2d3e4f5a6b7c8d",
                 "deployStartedAt": "2026-03-10T10:00:00Z", "deployedAt": "2026-03-10T10:05:00Z",
                 "source": {"targetRevision": "v4.2.0"}}
            ]}}),
        )
    }));
    added(
        &r,
        &[
            "argocd",
            "argo",
            "--app",
            "payments-prod",
            "--project",
            "payments",
            "--api-url",
            &argo.base,
            "--service",
            "payments",
            "--env-map",
            "payments-prod=prod",
        ],
        "argo-token",
    );
    assert_eq!(
        r.json(&["connector", "test", "argo"])["found"],
        "payments-prod (project payments)"
    );
    let (report, code) = sync(&r, None);
    assert_eq!(code, 0, "{report}");
    let pulled: Vec<(String, u64)> = report["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().into(),
                c["pulled"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(pulled, [("argo".into(), 1), ("gh".into(), 2)]);
    // What GitHub shows besides: its environments with their protections, its releases.
    let list = r.json(&["connector", "list"])["connectors"].clone();
    let gh = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "gh")
        .unwrap();
    assert_eq!(gh["seen"]["unread"], json!([]), "{gh}");
    assert_eq!(gh["seen"]["unread_parts"], json!([]), "{gh}");
    assert_eq!(
        gh["seen"]["environments"][1],
        json!({"name": "production", "rules": ["2 required reviewers", "wait 15 min", "protected branches only"]})
    );
    assert_eq!(gh["seen"]["releases"][0]["tag"], "v4.2.0");
    let refs: Vec<String> = r.json(&["deploy", "list", "--release", &id])["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["tool"].as_str().unwrap(),
                d["external_ref"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(refs.len(), 3, "{refs:?}");
    assert!(
        refs.contains(&"github github:acme/payments#2".to_string()),
        "{refs:?}"
    );
    assert!(
        refs.contains(&"argocd argocd:payments-prod#payments-prod/3".to_string()),
        "{refs:?}"
    );
    assert_eq!(imports(&r), 2, "one event per connection and release");
    // Nothing changed on GitHub: four conditional requests answered 304 (which GitHub does not
    // count against the rate limit), and no GraphQL query (which it counts); what it showed
    // is kept from the last answer.
    github.seen.lock().unwrap().clear();
    let (report, _) = sync(&r, Some("gh"));
    assert_eq!(report["connectors"][0]["pulled"], 0, "{report}");
    let paths: Vec<String> = github
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|q| q.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/repos/acme/payments/actions/runs?status=waiting&per_page=100",
            "/repos/acme/payments/deployments?per_page=1",
            "/repos/acme/payments/environments?per_page=100",
            "/repos/acme/payments/releases?per_page=20"
        ]
    );
    assert!(
        github
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|q| q.header("if-none-match").is_some())
    );
    let list = r.json(&["connector", "list"])["connectors"].clone();
    let gh = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "gh")
        .unwrap();
    assert_eq!(gh["seen"]["environments"].as_array().unwrap().len(), 2);
    assert_eq!(gh["seen"]["releases"][0]["tag"], "v4.2.0");
}

#[test]
fn two_replicas_importing_the_same_deployments_record_each_once() {
    let (a, b, _remote) = team();
    let id = b.march_release();
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let server = gitlab(Arc::new(Mutex::new(history())), TOKEN);
    add_gitlab(&a, "gl", &server, TOKEN);
    add_gitlab(&b, "gl", &server, TOKEN);
    assert_eq!(sync(&a, None).0["connectors"][0]["pulled"], 3);
    assert_eq!(sync(&b, None).0["connectors"][0]["pulled"], 3);
    for _ in 0..2 {
        a.ok(&["sync"]);
        b.ok(&["sync"]);
    }
    for r in [&a, &b] {
        assert_eq!(imports(r), 2, "both imports are in the ledger");
        let d = r.json(&["deploy", "list", "--release", &id])["deployments"].clone();
        assert_eq!(d.as_array().unwrap().len(), 3, "each deployment once: {d}");
        assert!(not_applied(r, "deployments.imported").is_empty());
        r.ok(&["audit", "verify"]);
    }
}

/// One deployment of v4.2.0 as a `deployments.imported` event carries it.
fn imported(env: &str, outcome: &str, (start, end): (&str, &str), reference: &str) -> Value {
    let digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    json!({
        "environment": env, "outcome": outcome, "release_digest": digest,
        "started_at": start, "ended_at": end, "external_ref": reference,
        "reference": "v4.2.0",
    })
}

#[test]
fn forged_imports_are_refused_whole() {
    let (a, b, remote) = team();
    let id = b.march_release();
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let entry = |env: &str, start: &str, end: &str, reference: &str| {
        imported(env, "succeeded", (start, end), reference)
    };
    let ok = entry(
        "prod",
        "2026-03-10T09:30:00Z",
        "2026-03-10T09:40:00Z",
        "gitlab:acme/payments#1",
    );
    let import = |list: Vec<Value>| json!({"release_id": id, "platform": "gitlab", "connector": "gl", "deployments": list});
    // Bob signs, with his own key: one valid deployment with one the release does not target;
    // the same reference twice; one that ends in 2099; a reference of another platform; none.
    let mut forger = Forger::of(&b);
    let bad = [
        import(vec![
            ok.clone(),
            entry(
                "moon",
                "2026-03-10T09:30:00Z",
                "2026-03-10T09:40:00Z",
                "gitlab:acme/payments#2",
            ),
        ]),
        import(vec![ok.clone(), ok.clone()]),
        import(vec![entry(
            "prod",
            "2099-01-01T00:00:00Z",
            "2099-01-01T00:10:00Z",
            "gitlab:acme/payments#3",
        )]),
        import(vec![entry(
            "prod",
            "2026-03-10T09:30:00Z",
            "2026-03-10T09:40:00Z",
            "github:acme/payments#4",
        )]),
        import(vec![]),
    ];
    let events: Vec<_> = bad
        .into_iter()
        .enumerate()
        .map(|(i, p)| forger.next(now_ms() + i as u64, "deployments.imported", p))
        .collect();
    plant(remote.path(), "bob-forged", &forger.workspace, &events);
    a.ok(&["sync"]);
    let why = not_applied(&a, "deployments.imported");
    assert_eq!(why.len(), 5, "{why:?}");
    for needle in [
        "does not target `moon`",
        "twice",
        "after it was recorded",
        "not as a gitlab reference",
        "from 1 to 500",
    ] {
        assert!(why.iter().any(|w| w.contains(needle)), "{needle}: {why:?}");
    }
    // Nothing of them was recorded, not even the valid entry beside the bad one.
    assert_eq!(deployments(&a), Vec::<Value>::new());
    a.ok(&["audit", "verify"]);
}

/// An import whose deployments move the release's status twice records both moves, each from
/// the status the one before left (and a rebuild from the ledger says the same).
#[test]
fn an_import_that_moves_a_release_twice_records_each_move_from_where_it_stood() {
    let (a, b, remote) = team();
    let id = b.march_release();
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let entry = |outcome: &str, start: &str, end: &str, n: u32| {
        imported(
            "prod",
            outcome,
            (start, end),
            &format!("gitlab:acme/payments#{n}"),
        )
    };
    // The first run failed; the second, an hour later, succeeded.
    let import = json!({"release_id": id, "platform": "gitlab", "connector": "gl", "deployments": [
        entry("failed", "2026-03-10T09:30:00Z", "2026-03-10T09:40:00Z", 1),
        entry("succeeded", "2026-03-10T10:30:00Z", "2026-03-10T10:40:00Z", 2),
    ]});
    let mut bob = Forger::of(&b);
    let events = vec![bob.next(now_ms(), "deployments.imported", import)];
    plant(remote.path(), "bob-import", &bob.workspace, &events);
    a.ok(&["sync"]);
    assert!(not_applied(&a, "deployments.imported").is_empty());
    let shown = a.json(&["release", "show", &id]);
    assert_eq!(shown["status"], "deployed", "{shown}");
    let moves: Vec<(String, String)> = shown["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["from"].is_string())
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("from"), s("to"))
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("draft".into(), "failed".into()),
            ("failed".into(), "deployed".into())
        ],
        "{shown}"
    );
    a.ok(&["audit", "verify"]);
}

/// A GitLab project whose deployment 300 of v4.2.0 to production waits for an approval, as the
/// Deployments API shows it (`status: blocked`, its `approvals`), and takes approvals
/// (`POST …/deployments/300/approval`). A test may make the re-check or the approval hang
/// (the approval is taken first), or the approval fail.
#[derive(Debug, Default)]
struct Waiting {
    approved: Vec<Value>,
    posts: usize,
    hang_check: bool,
    hang_approval: bool,
    fail_approval: bool,
    hung: usize,
    /// Every answer takes this long (a slow platform, so a kill lands anywhere).
    delay_ms: u64,
}

fn waiting_gitlab(state: Arc<Mutex<Waiting>>) -> Server {
    serve(Arc::new(move |req, _| {
        // What a request asks is done when it arrives; its answer then takes `delay_ms`.
        let answer = answer_waiting(&state, req);
        let delay = state.lock().unwrap().delay_ms;
        std::thread::sleep(std::time::Duration::from_millis(delay));
        answer
    }))
}

fn answer_waiting(
    state: &Arc<Mutex<Waiting>>,
    req: &relm_tests::http::Req,
) -> relm_tests::http::Resp {
    {
        let deployment = |s: &Waiting| {
            let mut d = gl(
                300,
                "v4.2.0",
                "production",
                if s.approved.is_empty() {
                    "blocked"
                } else {
                    "running"
                },
                "2026-03-10T09:30:00Z",
                None,
            );
            d["approvals"] = json!(s.approved);
            d
        };
        let path = req.path.as_str();
        if path.starts_with("/api/v4/projects/acme%2Fpayments/deployments?") {
            let s = state.lock().unwrap();
            return resp(200, json!([deployment(&s)]));
        }
        if path == "/api/v4/projects/acme%2Fpayments/deployments/300" && req.method == "GET" {
            let hang = {
                let mut s = state.lock().unwrap();
                s.hung += usize::from(s.hang_check);
                s.hang_check
            };
            if hang {
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
            let s = state.lock().unwrap();
            return resp(200, deployment(&s));
        }
        if path == "/api/v4/projects/acme%2Fpayments/deployments/300/approval" {
            let body: Value = serde_json::from_str(&req.body).unwrap();
            let (hang, approval) = {
                let mut s = state.lock().unwrap();
                s.posts += 1;
                if s.fail_approval {
                    return resp(500, json!({"message": "500 Internal Server Error"}));
                }
                let a = json!({"user": {"username": "ada"}, "status": body["status"],
                    "comment": body["comment"], "created_at": "2026-03-10T09:35:00Z"});
                s.approved.push(a.clone());
                s.hung += usize::from(s.hang_approval);
                (s.hang_approval, a)
            };
            if hang {
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
            return resp(201, approval);
        }
        resp(404, json!({"message": "404 Not Found"}))
    }
}

/// Ada and Bob on a shared folder, and the release Bob planned, which Ada's replica holds.
fn planned_by_bob() -> (Replica, Replica, tempfile::TempDir, String) {
    let (a, b, remote) = team();
    let id = b.march_release();
    b.ok(&["release", "status", &id, "planned"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    (a, b, remote, id)
}

/// Ada's replica with the release Bob planned, approved by Ada for prod, and her connection to
/// the GitLab project where its production deployment waits.
fn approved_and_connected(state: &Arc<Mutex<Waiting>>) -> (Replica, String, Server) {
    let (a, b, remote, id) = planned_by_bob();
    a.ok(&[
        "approve",
        &id,
        "--env",
        "prod",
        "--comment",
        "checked the runbook",
    ]);
    let server = waiting_gitlab(state.clone());
    add_gitlab(&a, "gl", &server, TOKEN);
    // The remote folder is no longer needed: the test drives the platform only.
    drop(remote);
    drop(b);
    (a, id, server)
}

fn outbox(r: &Replica) -> Vec<Value> {
    r.json(&["outbox", "list"])["outbox"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn an_approval_made_in_relm_reaches_gitlab_once_with_its_decision() {
    let state = Arc::new(Mutex::new(Waiting::default()));
    let (a, id, _server) = approved_and_connected(&state);
    let (report, code) = sync(&a, None);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["connectors"][0]["pushed"], 1, "{report}");
    assert_eq!(report["connectors"][0]["unfinished"], 1, "{report}");
    {
        let s = state.lock().unwrap();
        assert_eq!(s.posts, 1);
        assert_eq!(s.approved[0]["status"], "approved");
        let comment = s.approved[0]["comment"].as_str().unwrap();
        assert!(comment.contains("Relm decision "), "{comment}");
        assert!(comment.contains("checked the runbook"), "{comment}");
        let fingerprint = a.json(&["identity", "show"])["fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(comment.contains(&fingerprint), "{comment}");
    }
    let entries = outbox(&a);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["state"], "done");
    assert_eq!(entries[0]["kind"], "gitlab.approval");
    assert!(
        entries[0]["remote_id"]
            .as_str()
            .unwrap()
            .contains("deployment 300"),
        "{}",
        entries[0]
    );
    // On record: a signed receipt with the platform's id, about the release.
    let receipts: i64 = a
        .db()
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'platform.written' AND entity = ?1",
            [&id],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(receipts, 1);
    // Synced again: nothing sent twice.
    let (report, _) = sync(&a, None);
    assert_eq!(report["connectors"][0]["pushed"], 0, "{report}");
    assert_eq!(state.lock().unwrap().posts, 1);
    a.ok(&["audit", "verify"]);
}

/// `relm connector sync` started, killed with SIGKILL once the server holds the request it
/// waits for (`hung` counted).
fn killed_while_hung(a: &Replica, state: &Arc<Mutex<Waiting>>) {
    let mut child = a
        .cmd(&["connector", "sync"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if state.lock().unwrap().hung > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(state.lock().unwrap().hung > 0, "the request never came");
    child.kill().unwrap();
    child.wait().unwrap();
    let mut s = state.lock().unwrap();
    s.hang_check = false;
    s.hang_approval = false;
}

#[test]
fn a_delivery_killed_before_or_after_the_platform_took_it_is_sent_exactly_once() {
    // Killed while re-checking, before anything was sent; then killed after GitLab took the
    // approval but before its answer arrived.
    for hang_approval in [false, true] {
        let state = Arc::new(Mutex::new(Waiting {
            hang_check: !hang_approval,
            hang_approval,
            ..Waiting::default()
        }));
        let (a, _, _server) = approved_and_connected(&state);
        killed_while_hung(&a, &state);
        let entries = outbox(&a);
        assert_eq!(entries[0]["state"], "sending", "{entries:?}");
        assert_eq!(
            state.lock().unwrap().posts,
            usize::from(hang_approval),
            "sent before the kill only when killed after sending"
        );
        a.assert_integrity();
        // The next sync re-checks GitLab first: what it took is not sent again.
        let (report, code) = sync(&a, None);
        assert_eq!(code, 0, "{report}");
        assert_eq!(report["connectors"][0]["pushed"], 1, "{report}");
        let s = state.lock().unwrap();
        assert_eq!(
            s.posts, 1,
            "exactly once (killed after sending: {hang_approval})"
        );
        assert_eq!(s.approved.len(), 1);
        drop(s);
        assert_eq!(outbox(&a)[0]["state"], "done");
        a.ok(&["audit", "verify"]);
    }
}

#[test]
fn killed_at_random_points_each_approval_is_still_delivered_exactly_once() {
    use rand::RngExt;
    let mut rng = rand::rng();
    for round in 0..6 {
        let state = Arc::new(Mutex::new(Waiting {
            delay_ms: 40,
            ..Waiting::default()
        }));
        let (a, _, _server) = approved_and_connected(&state);
        // A few syncs, each killed with SIGKILL somewhere in its reads, checks and writes.
        for _ in 0..3 {
            let mut child = a
                .cmd(&["connector", "sync"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(rng.random_range(0..400)));
            let _ = child.kill();
            child.wait().unwrap();
        }
        a.assert_integrity();
        state.lock().unwrap().delay_ms = 0;
        let (report, code) = sync(&a, None);
        assert_eq!(code, 0, "round {round}: {report}");
        let s = state.lock().unwrap();
        assert_eq!(s.approved.len(), 1, "round {round}: exactly one approval");
        assert_eq!(s.posts, 1, "round {round}: posted once");
        drop(s);
        assert_eq!(outbox(&a)[0]["state"], "done", "round {round}");
        a.ok(&["audit", "verify"]);
    }
}

#[test]
fn a_failed_delivery_is_said_kept_and_retried() {
    let state = Arc::new(Mutex::new(Waiting {
        fail_approval: true,
        ..Waiting::default()
    }));
    let (a, _, _server) = approved_and_connected(&state);
    let (report, code) = sync(&a, None);
    assert_eq!(code, 1, "{report}");
    let errors = report["connectors"][0]["errors"].to_string();
    assert!(errors.contains("answered 500"), "{errors}");
    let entry = outbox(&a)[0].clone();
    assert_eq!(entry["state"], "failed");
    assert!(entry["last_error"].as_str().unwrap().contains("500"));
    // With its reason for the app's wording: what the platform answered.
    let reason = &entry["last_failure"]["reason"];
    assert_eq!(reason["code"], "platform_failed", "{entry}");
    assert_eq!(reason["params"]["detail"], "answered 500", "{entry}");
    let failure = &report["connectors"][0]["failures"][0];
    assert_eq!(failure["reason"]["code"], "platform_failed", "{report}");
    assert_eq!(
        failure["message"], report["connectors"][0]["errors"][0],
        "the text is the failure's message"
    );
    // A write is never repeated blindly: one attempt, then the next sync or a retry.
    assert_eq!(state.lock().unwrap().posts, 1);
    // The connection says so too.
    let listed = a.json(&["connector", "list"])["connectors"][0].clone();
    assert!(
        listed["last_errors"].to_string().contains("answered 500"),
        "{listed}"
    );
    assert_eq!(
        listed["last_failures"][0]["reason"]["code"], "platform_failed",
        "{listed}"
    );
    let err = a.fails(&["outbox", "retry", "nope"], 2);
    assert!(err.contains("no outbox entry"), "{err}");
    state.lock().unwrap().fail_approval = false;
    let id = entry["id"].as_str().unwrap();
    let retried = a.json(&["outbox", "retry", id]);
    assert_eq!(retried["state"], "done", "{retried}");
    assert_eq!(state.lock().unwrap().approved.len(), 1);
    // Done is done.
    let again = a.fails(&["outbox", "retry", id], 2);
    assert!(again.contains("delivered already"), "{again}");
}

/// A CA, and a certificate for 127.0.0.1 signed by it, made with OpenSSL in `dir`.
fn company_ca(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=Example Corp Root CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "3650",
        "-extfile",
        "san.ext",
    ]);
}

#[test]
fn a_company_ca_and_proxy_come_from_the_usual_environment_variables() {
    let r = Replica::new();
    r.init();
    let tls = tempfile::tempdir().unwrap();
    company_ca(tls.path());
    // GitLab over HTTPS with the company's certificate (Python's own TLS server).
    let script = r#"
import http.server, json, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"id": 7, "path_with_namespace": "acme/payments"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = c.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;
    let mut server = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(tls.path().join("server.pem"))
        .arg(tls.path().join("server.key"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut port,
    )
    .unwrap();
    let url = format!("https://127.0.0.1:{}/api/v4", port.trim());
    added(
        &r,
        &[
            "gitlab",
            "corp",
            "--project",
            "acme/payments",
            "--api-url",
            &url,
        ],
        TOKEN,
    );
    // Without the company's CA the certificate is refused, and the error says so.
    let out = r
        .cmd(&["connector", "test", "corp"])
        .env("SSL_CERT_FILE", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(said.contains("certificate"), "{said}");
    // With it, from SSL_CERT_FILE, as OpenSSL and curl read it.
    let ca = tls.path().join("ca.pem");
    let out = r
        .cmd(&["--json", "connector", "test", "corp"])
        .env("SSL_CERT_FILE", &ca)
        .output()
        .unwrap();
    let probe: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(probe["found"], "acme/payments", "{probe}");
    server.kill().unwrap();
    server.wait().unwrap();

    // A proxy from HTTP_PROXY: the platform's host is reached only through it.
    let proxy = serve(Arc::new(|req, _| {
        assert!(
            req.path.starts_with("http://gitlab.example.invalid/"),
            "{}",
            req.path
        );
        resp(
            200,
            json!({"id": 7, "path_with_namespace": "acme/payments"}),
        )
    }));
    added(
        &r,
        &[
            "gitlab",
            "behind-proxy",
            "--project",
            "acme/payments",
            "--api-url",
            "http://gitlab.example.invalid/api/v4",
        ],
        TOKEN,
    );
    let out = r
        .cmd(&["--json", "connector", "test", "behind-proxy"])
        .env("HTTP_PROXY", &proxy.base)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    let probe: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(probe["found"], "acme/payments", "{probe}");
    assert_eq!(proxy.seen.lock().unwrap().len(), 1);
}

/// A GitHub repository whose workflow run 77 (of tag v4.2.0) waits for a review before it
/// deploys to `production` (environment 161), as the Actions API shows it: the runs waiting,
/// the run's `pending_deployments` and its `approvals` (reviews given), and reviews taken by
/// `POST …/pending_deployments`.
#[derive(Debug, Default)]
struct Review {
    reviews: Vec<Value>,
    posts: usize,
}

fn reviewing_github(state: Arc<Mutex<Review>>) -> Server {
    serve(Arc::new(move |req, _| {
        let mut s = state.lock().unwrap();
        let waiting = s.reviews.is_empty();
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/repos/acme/payments/actions/runs?status=waiting&per_page=100") => {
                let runs = if waiting {
                    json!([{"id": 77, "head_sha": format!("{:040x}", 77), "head_branch": "v4.2.0", "status": "waiting"}])
                } else {
                    json!([])
                };
                resp(200, json!({"total_count": 1, "workflow_runs": runs}))
            }
            ("GET", "/repos/acme/payments/actions/runs/77/pending_deployments") => {
                let pending = if waiting {
                    json!([{"environment": {"id": 161, "name": "production"}, "wait_timer": 0,
                        "current_user_can_approve": true, "reviewers": []}])
                } else {
                    json!([])
                };
                resp(200, pending)
            }
            ("GET", "/repos/acme/payments/actions/runs/77/approvals") => {
                resp(200, json!(s.reviews))
            }
            ("POST", "/repos/acme/payments/actions/runs/77/pending_deployments") => {
                let body: Value = serde_json::from_str(&req.body).unwrap();
                assert_eq!(body["environment_ids"], json!([161]), "{body}");
                s.posts += 1;
                s.reviews.push(json!({"state": body["state"], "comment": body["comment"],
                    "environments": [{"id": 161, "name": "production"}], "user": {"login": "ada"}}));
                resp(200, json!([{"id": 501, "environment": "production"}]))
            }
            ("GET", "/repos/acme/payments/deployments?per_page=1") => resp(200, json!([])),
            ("POST", "/graphql") => resp(
                200,
                json!({"data": {"repository": {"deployments": {
                    "pageInfo": {"hasNextPage": false, "endCursor": null}, "edges": []}}}}),
            ),
            _ => resp(404, json!({"message": "Not Found"})),
        }
    }))
}

#[test]
fn a_decision_reaches_a_github_run_waiting_for_review_once() {
    let (a, _b, _remote, id) = planned_by_bob();
    a.ok(&[
        "reject",
        &id,
        "--env",
        "prod",
        "--comment",
        "the canary fails",
    ]);
    let state = Arc::new(Mutex::new(Review::default()));
    let server = reviewing_github(state.clone());
    let gh = [
        "github",
        "gh",
        "--repo",
        "acme/payments",
        "--api-url",
        &server.base,
        "--env-map",
        "production=prod",
    ];
    added(&a, &gh, TOKEN);
    let (report, code) = sync(&a, None);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["connectors"][0]["pushed"], 1, "{report}");
    {
        let s = state.lock().unwrap();
        assert_eq!(s.posts, 1);
        assert_eq!(s.reviews[0]["state"], "rejected");
        assert!(
            s.reviews[0]["comment"]
                .as_str()
                .unwrap()
                .contains("the canary fails")
        );
    }
    let entry = outbox(&a)[0].clone();
    assert_eq!(entry["kind"], "github.review");
    assert_eq!(entry["state"], "done");
    assert_eq!(entry["remote_id"], "run 77, deployments 501");
    sync(&a, None);
    assert_eq!(state.lock().unwrap().posts, 1, "once");
    a.ok(&["audit", "verify"]);
}
