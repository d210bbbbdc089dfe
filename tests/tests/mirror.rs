//! The calendar's freezes written to the platforms that enforce them, through the outbox: hard
//! freezes as GitLab deploy freeze periods (created, changed, deleted), freezes and windows as
//! Argo CD sync windows of the application's project. Only what Relm wrote is touched; a write
//! cut short is re-checked and never sent twice; a project changed by someone else meanwhile
//! is refused by Argo CD, and the write goes at the next sync.
//!
//! The servers follow GitLab's "Freeze Periods API" and Argo CD's `ProjectService`
//! (`GET`/`PUT /api/v1/projects/{name}`, refused with 409 on a stale `resourceVersion`).

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration};
use relm_tests::Replica;
use relm_tests::http::{Resp, Server, resp, serve};
use serde_json::{Value, json};

const TOKEN: &str = "glpat-Fz7uN2qT4wL9kX1mB6cD";

fn add_connection(r: &Replica, args: &[&str]) {
    r.connector_added(args, TOKEN);
}

fn sync(r: &Replica) -> (Value, i32) {
    let out = r.run(&["--json", "connector", "sync"]);
    (
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr))),
        out.status.code().unwrap(),
    )
}

#[track_caller]
fn synced(r: &Replica) -> Value {
    let (report, code) = sync(r);
    assert_eq!(code, 0, "{report}");
    report["connectors"][0].clone()
}

fn calendar_add(r: &Replica, args: &[&str]) -> String {
    let mut a = vec!["calendar", "add"];
    a.extend(args);
    r.json(&a)["id"].as_str().unwrap().to_string()
}

fn outbox(r: &Replica) -> Vec<Value> {
    r.json(&["outbox", "list"])["outbox"]
        .as_array()
        .unwrap()
        .clone()
}

fn receipts(r: &Replica) -> i64 {
    r.events_of("platform.written")
}

/// A GitLab project's freeze periods, as its API keeps them; the writes it received.
#[derive(Debug, Default)]
struct Periods {
    list: Vec<Value>,
    next: u64,
    writes: Vec<String>,
    /// Take the next POST, then hold its answer (so the client can be killed meanwhile).
    hang_post: bool,
    hung: bool,
}

fn gitlab(state: Arc<Mutex<Periods>>) -> Server {
    serve(Arc::new(move |req, _| {
        if req.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return resp(401, json!({"message": "401 Unauthorized"}));
        }
        let base = "/api/v4/projects/acme%2Fpayments";
        let path = req.path.split('?').next().unwrap().to_string();
        if path == base {
            return resp(
                200,
                json!({"id": 7, "path_with_namespace": "acme/payments"}),
            );
        }
        if path == format!("{base}/deployments") {
            return resp(200, json!([]));
        }
        if path == format!("{base}/environments") {
            return resp(
                200,
                json!([{"id": 1, "name": "production", "state": "available", "tier": "production"},
                    {"id": 2, "name": "review/feature-x", "state": "stopped", "tier": "development"}]),
            );
        }
        if path == format!("{base}/releases") {
            return resp(
                200,
                json!([{"tag_name": "v4.2.0", "name": "Refund batching", "released_at": "2026-03-10T09:00:00Z",
                    "_links": {"self": "https://gitlab.example.com/acme/payments/-/releases/v4.2.0"}}]),
            );
        }
        let mut s = state.lock().unwrap();
        let freezes = format!("{base}/freeze_periods");
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let period = |id: u64, b: &Value| {
            json!({"id": id, "freeze_start": b["freeze_start"], "freeze_end": b["freeze_end"],
                "cron_timezone": b["cron_timezone"], "created_at": "2026-03-01T10:00:00Z",
                "updated_at": "2026-03-01T10:00:00Z"})
        };
        if path == freezes && req.method == "GET" {
            return resp(200, json!(s.list));
        }
        if path == freezes && req.method == "POST" {
            s.next += 1;
            let p = period(s.next, &body);
            s.list.push(p.clone());
            let id = s.next;
            s.writes.push(format!("POST {id}"));
            if s.hang_post {
                s.hung = true;
                drop(s);
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
            return resp(201, p);
        }
        if let Some(id) = path.strip_prefix(&format!("{freezes}/")) {
            let id: u64 = id.parse().unwrap();
            let Some(at) = s.list.iter().position(|p| p["id"] == id) else {
                return resp(404, json!({"message": "404 Not found"}));
            };
            s.writes.push(format!("{} {id}", req.method));
            return match req.method.as_str() {
                "PUT" => {
                    s.list[at] = period(id, &body);
                    resp(200, s.list[at].clone())
                }
                "DELETE" => {
                    s.list.remove(at);
                    Resp {
                        status: 204,
                        headers: Vec::new(),
                        body: Vec::new(),
                        stall: None,
                    }
                }
                _ => resp(405, json!({"message": "405 Method Not Allowed"})),
            };
        }
        resp(404, json!({"message": "404 Not Found"}))
    }))
}

fn period_of<'a>(s: &'a Periods, start: &str) -> Option<&'a Value> {
    s.list.iter().find(|p| p["freeze_start"] == start)
}

/// A day `days` from today, as `calendar add` takes it, and its day and month: the one-off
/// freezes below are ahead whenever the test runs.
fn ahead(days: i64) -> (String, u32, u32) {
    let today = chrono::DateTime::from_timestamp_millis(relm_tests::now_ms() as i64).unwrap();
    let d = today.date_naive() + Duration::days(days);
    (d.format("%Y-%m-%d").to_string(), d.day(), d.month())
}

#[test]
fn hard_freezes_become_gitlab_freeze_periods_changed_and_deleted_with_the_calendar() {
    let state = Arc::new(Mutex::new(Periods {
        // The team's own freeze period, which Relm must leave alone.
        list: vec![
            json!({"id": 1, "freeze_start": "0 23 * * 5", "freeze_end": "0 7 * * 1",
            "cron_timezone": "UTC"}),
        ],
        next: 1,
        ..Periods::default()
    }));
    let server = gitlab(state.clone());
    let r = Replica::new();
    r.init();
    let weekend = calendar_add(
        &r,
        &[
            "freeze",
            "--name",
            "Weekend",
            "--start",
            "2026-01-02T18:00",
            "--end",
            "2026-01-05T06:00",
            "--tz",
            "Europe/Paris",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=FR",
        ],
    );
    let (launch_day, ld, lm) = ahead(40);
    let launch = calendar_add(
        &r,
        &[
            "freeze",
            "--name",
            "Launch",
            "--start",
            &format!("{launch_day}T08:00"),
            "--end",
            &format!("{launch_day}T20:00"),
            "--tz",
            "America/New_York",
        ],
    );
    // Not for GitLab: a soft freeze, and a freeze of another service.
    let (soft_day, ..) = ahead(30);
    calendar_add(
        &r,
        &[
            "freeze",
            "--soft",
            "--name",
            "Careful",
            "--start",
            &format!("{soft_day}T08:00"),
            "--end",
            &format!("{soft_day}T12:00"),
            "--tz",
            "UTC",
        ],
    );
    calendar_add(
        &r,
        &[
            "freeze",
            "--name",
            "Ledger work",
            "--service",
            "ledger",
            "--start",
            &format!("{soft_day}T08:00"),
            "--end",
            &format!("{soft_day}T12:00"),
            "--tz",
            "UTC",
        ],
    );
    let url = format!("{}/api/v4", server.base);
    add_connection(
        &r,
        &[
            "gitlab",
            "gl",
            "--project",
            "acme/payments",
            "--api-url",
            &url,
            "--service",
            "payments",
        ],
    );

    // Written: two freeze periods, in the freeze's own zone; the team's stays.
    let report = synced(&r);
    assert_eq!(report["pushed"], 2, "{report}");
    // GitLab's ids of the two (written in the calendar's order, which is not the test's).
    let (weekend_id, launch_id) = {
        let s = state.lock().unwrap();
        let id = |start: &str| period_of(&s, start).map(|p| p["id"].as_u64().unwrap());
        (
            id("0 18 * * 5").unwrap(),
            id(&format!("0 8 {ld} {lm} *")).unwrap(),
        )
    };
    {
        let s = state.lock().unwrap();
        assert_eq!(s.writes, ["POST 2", "POST 3"], "{s:?}");
        let w = period_of(&s, "0 18 * * 5").expect("the weekend freeze");
        assert_eq!(w["freeze_end"], "0 6 * * 1");
        assert_eq!(w["cron_timezone"], "Europe/Paris");
        let l = period_of(&s, &format!("0 8 {ld} {lm} *")).expect("the launch freeze");
        assert_eq!(l["freeze_end"], format!("0 20 {ld} {lm} *"));
        assert_eq!(l["cron_timezone"], "America/New_York");
        assert_eq!(s.list[0]["id"], 1);
    }
    // A dated period fires again next year: said.
    let wider = report["wider"].to_string();
    assert!(
        wider.contains("Launch") && wider.contains("dated"),
        "{wider}"
    );
    let entries = outbox(&r);
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["state"] == "done" && e["kind"] == "gitlab.freeze.create")
    );
    assert_eq!(receipts(&r), 2);
    let receipt: Vec<u8> = r
        .db()
        .query_row(
            "SELECT body FROM events WHERE kind = 'platform.written' ORDER BY pos LIMIT 1",
            [],
            |x| x.get(0),
        )
        .unwrap();
    let receipt = String::from_utf8_lossy(&receipt);
    assert!(
        receipt.contains(&weekend) || receipt.contains(&launch),
        "{receipt}"
    );

    // Synced again: nothing to write.
    assert_eq!(synced(&r)["pushed"], 0);
    assert_eq!(state.lock().unwrap().writes.len(), 2);

    // What GitLab shows is kept with the connection: environments, releases, freeze periods.
    let view = r.json(&["connector", "list"])["connectors"][0].clone();
    let seen = &view["seen"];
    assert_eq!(seen["environments"][0]["name"], "production", "{view}");
    assert_eq!(seen["environments"][0]["rules"], json!(["tier production"]));
    assert_eq!(
        seen["environments"][1]["rules"],
        json!(["tier development", "stopped"])
    );
    assert_eq!(seen["releases"][0]["tag"], "v4.2.0");
    let freezes = seen["freezes"].to_string();
    assert!(
        freezes.contains("0 23 * * 5 until 0 7 * * 1 (UTC)"),
        "{freezes}"
    );
    assert!(
        freezes.contains("0 18 * * 5 until 0 6 * * 1 (Europe/Paris)"),
        "{freezes}"
    );
    // Its environments mapped anew; a pair that is not one is refused, nothing changed.
    let bad = r.run(&[
        "--json",
        "connector",
        "map",
        "gl",
        "--env-map",
        "production",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("PLATFORM_ENV=RELM_ENV"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let mapped = r.json(&["connector", "map", "gl", "--env-map", "production=prod"]);
    assert_eq!(mapped["env_map"], json!({"production": "prod"}));
    let bad = r.run(&[
        "connector",
        "map",
        "gl",
        "--env-map",
        "production=not an env",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        r.json(&["connector", "list"])["connectors"][0]["env_map"],
        json!({"production": "prod"})
    );

    // The launch moves (one entry removed, another added): Relm's period is changed in place.
    r.ok(&["calendar", "remove", &launch]);
    let (moved_day, md, mm) = ahead(50);
    calendar_add(
        &r,
        &[
            "freeze",
            "--name",
            "Launch (moved)",
            "--start",
            &format!("{moved_day}T08:00"),
            "--end",
            &format!("{moved_day}T20:00"),
            "--tz",
            "America/New_York",
        ],
    );
    assert_eq!(synced(&r)["pushed"], 1);
    {
        let s = state.lock().unwrap();
        assert_eq!(s.writes[2..], [format!("PUT {launch_id}")], "{s:?}");
        assert!(
            period_of(&s, &format!("0 8 {md} {mm} *")).is_some(),
            "{s:?}"
        );
        assert!(
            period_of(&s, &format!("0 8 {ld} {lm} *")).is_none(),
            "{s:?}"
        );
    }

    // The weekend freeze removed: its period deleted, the team's kept.
    r.ok(&["calendar", "remove", &weekend]);
    assert_eq!(synced(&r)["pushed"], 1);
    {
        let s = state.lock().unwrap();
        assert_eq!(s.writes[3..], [format!("DELETE {weekend_id}")], "{s:?}");
        let ids: Vec<&Value> = s.list.iter().map(|p| &p["id"]).collect();
        assert_eq!(ids, [&json!(1), &json!(launch_id)]);
    }

    // Someone deletes Relm's period on GitLab: the next sync writes the freeze again.
    state.lock().unwrap().list.retain(|p| p["id"] != launch_id);
    assert_eq!(synced(&r)["pushed"], 1);
    {
        let s = state.lock().unwrap();
        assert_eq!(s.writes[4..], ["POST 4"], "{s:?}");
    }

    // Killed after GitLab took a new period but before its answer came: the next sync finds
    // it there and does not write it twice.
    state.lock().unwrap().hang_post = true;
    calendar_add(
        &r,
        &[
            "freeze",
            "--name",
            "Nights",
            "--start",
            "2026-01-01T22:00",
            "--end",
            "2026-01-02T05:00",
            "--tz",
            "Europe/Paris",
            "--rrule",
            "FREQ=DAILY",
        ],
    );
    let mut child = r
        .cmd(&["connector", "sync"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if state.lock().unwrap().hung {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(state.lock().unwrap().hung, "the write never came");
    child.kill().unwrap();
    child.wait().unwrap();
    state.lock().unwrap().hang_post = false;
    assert!(outbox(&r).iter().any(|e| e["state"] == "sending"));
    assert_eq!(synced(&r)["pushed"], 1);
    {
        let s = state.lock().unwrap();
        assert_eq!(s.writes[5..], ["POST 5"], "written once: {s:?}");
        assert!(period_of(&s, "0 22 * * *").is_some());
    }
    // Removed from the calendar later: the period written before the kill is Relm's to delete.
    let nights = r
        .json(&["calendar", "entries"])
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Nights")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    r.ok(&["calendar", "remove", &nights]);
    assert_eq!(synced(&r)["pushed"], 1);
    assert_eq!(state.lock().unwrap().writes[6..], ["DELETE 5"]);
    r.ok(&["audit", "verify"]);
}

/// An Argo CD application `payments-prod` of project `payments`, whose sync windows are kept
/// with a resource version; a write with a stale one is refused with 409.
#[derive(Debug, Default)]
struct Project {
    windows: Vec<Value>,
    version: u64,
    puts: usize,
    /// Someone else changes the project just before the next write arrives.
    race: bool,
}

fn argocd(state: Arc<Mutex<Project>>) -> Server {
    serve(Arc::new(move |req, _| {
        if req.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return resp(401, json!({"message": "no session information"}));
        }
        let mut s = state.lock().unwrap();
        let project = |s: &Project| {
            json!({"metadata": {"name": "payments", "resourceVersion": s.version.to_string()},
                "spec": {"sourceRepos": ["*"], "syncWindows": s.windows}})
        };
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/api/v1/applications/payments-prod") => resp(
                200,
                json!({"metadata": {"name": "payments-prod"}, "spec": {"project": "payments"},
                    "status": {"history": [], "sync": {"status": "Synced"},
                        "health": {"status": "Healthy"}}}),
            ),
            ("GET", "/api/v1/projects/payments") => resp(200, project(&s)),
            ("PUT", "/api/v1/projects/payments") => {
                s.puts += 1;
                if s.race {
                    s.race = false;
                    s.version += 1;
                }
                let body: Value = serde_json::from_str(&req.body).unwrap();
                let sent = &body["project"];
                let current = s.version.to_string();
                if sent["metadata"]["resourceVersion"] != current.as_str() {
                    return resp(
                        409,
                        json!({"error": "the object has been modified; please apply your changes to the latest version and try again", "code": 10}),
                    );
                }
                assert_eq!(sent["spec"]["sourceRepos"], json!(["*"]), "the rest kept");
                s.windows = sent["spec"]["syncWindows"].as_array().unwrap().clone();
                s.version += 1;
                resp(200, project(&s))
            }
            _ => resp(404, json!({"error": "not found", "code": 5})),
        }
    }))
}

fn relm_windows(s: &Project) -> Vec<&Value> {
    s.windows
        .iter()
        .filter(|w| w["applications"] == json!(["payments-prod"]))
        .collect()
}

#[test]
fn freezes_and_windows_become_argo_cd_sync_windows_of_the_project() {
    let team = json!({"kind": "deny", "schedule": "0 0 1 1 *", "duration": "24h",
        "applications": ["*"], "manualSync": true});
    let state = Arc::new(Mutex::new(Project {
        windows: vec![team.clone()],
        version: 41,
        ..Project::default()
    }));
    let server = argocd(state.clone());
    let r = Replica::new();
    r.init();
    calendar_add(
        &r,
        &[
            "freeze",
            "--name",
            "Weekend",
            "--start",
            "2026-01-02T18:00",
            "--end",
            "2026-01-05T06:00",
            "--tz",
            "Europe/Paris",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=FR",
            "--env",
            "prod",
        ],
    );
    let careful = calendar_add(
        &r,
        &[
            "freeze",
            "--soft",
            "--name",
            "Month end",
            "--start",
            "2026-01-28T08:00",
            "--end",
            "2026-01-28T18:00",
            "--tz",
            "UTC",
            "--rrule",
            "FREQ=MONTHLY",
        ],
    );
    calendar_add(
        &r,
        &[
            "window",
            "--name",
            "Tuesday evening",
            "--start",
            "2026-01-06T20:00",
            "--end",
            "2026-01-06T22:30",
            "--tz",
            "Europe/Paris",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=TU",
            "--env",
            "prod",
        ],
    );
    // Staging only: not this application's.
    calendar_add(
        &r,
        &[
            "freeze",
            "--name",
            "Staging rebuild",
            "--start",
            "2026-01-03T08:00",
            "--end",
            "2026-01-03T12:00",
            "--tz",
            "UTC",
            "--rrule",
            "FREQ=WEEKLY",
            "--env",
            "staging",
        ],
    );
    add_connection(
        &r,
        &[
            "argocd",
            "argo",
            "--app",
            "payments-prod",
            "--api-url",
            &server.base,
            "--service",
            "payments",
            "--env-map",
            "payments-prod=prod",
        ],
    );

    let report = synced(&r);
    assert_eq!(report["pushed"], 1, "{report}");
    {
        let s = state.lock().unwrap();
        assert_eq!(s.puts, 1);
        assert_eq!(s.windows[0], team, "the team's window kept, first");
        let mine = relm_windows(&s);
        assert_eq!(mine.len(), 3, "{:?}", s.windows);
        let find = |schedule: &str| *mine.iter().find(|w| w["schedule"] == schedule).unwrap();
        let weekend = find("0 18 * * 5");
        assert_eq!(weekend["kind"], "deny");
        assert_eq!(weekend["manualSync"], false);
        assert_eq!(weekend["timeZone"], "Europe/Paris");
        // 60 hours, 61 across the autumn clock change: the longest is written.
        assert_eq!(weekend["duration"], "61h");
        let month_end = find("0 8 28 * *");
        assert_eq!(month_end["kind"], "deny");
        assert_eq!(
            month_end["manualSync"], true,
            "a soft freeze lets a person sync"
        );
        assert_eq!(month_end["duration"], "10h");
        let tuesday = find("0 20 * * 2");
        assert_eq!(tuesday["kind"], "allow");
        assert_eq!(tuesday["duration"], "2h30m");
    }
    assert!(report["wider"].to_string().contains("61"), "{report}");
    let seen = r.json(&["connector", "list"])["connectors"][0]["seen"].clone();
    assert_eq!(seen["status"], "Synced, Healthy", "{seen}");
    // The windows as they were read, before this sync wrote Relm's.
    assert_eq!(
        seen["freezes"],
        json!(["deny 0 0 1 1 * for 24h (UTC): *, manual sync allowed"])
    );
    assert_eq!(synced(&r)["pushed"], 0);
    assert_eq!(state.lock().unwrap().puts, 1);

    // The soft freeze removed while someone else edits the project: Argo CD refuses the stale
    // write, the entry fails and says why, and the next sync writes it on the fresh project.
    r.ok(&["calendar", "remove", &careful]);
    state.lock().unwrap().race = true;
    let (report, code) = sync(&r);
    assert_eq!(code, 1, "{report}");
    assert!(report.to_string().contains("409"), "{report}");
    assert_eq!(outbox(&r)[0]["state"], "failed");
    assert_eq!(synced(&r)["pushed"], 1);
    {
        let s = state.lock().unwrap();
        assert_eq!(s.puts, 3);
        assert_eq!(s.windows[0], team);
        assert_eq!(relm_windows(&s).len(), 2);
        assert!(!s.windows.iter().any(|w| w["schedule"] == "0 8 28 * *"));
    }
    assert_eq!(receipts(&r), 2);
    r.ok(&["audit", "verify"]);
}

#[test]
fn a_sync_of_several_connections_says_how_far_it_is_as_each_finishes() {
    use chrono::TimeZone;
    use relm_api::connectors::{ConnectorInput, Hold, sync_each};
    let state = Arc::new(Mutex::new(Periods::default()));
    let server = gitlab(state);
    let root = tempfile::tempdir().unwrap();
    let at = chrono::Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
    let (mut relm, _, _) = relm_tests::bench::workspace(root.path(), at);
    let url = format!("{}/api/v4", server.base);
    for (name, token) in [("a", TOKEN), ("b", "revoked"), ("c", TOKEN)] {
        relm.add_connector(
            &ConnectorInput {
                platform: "gitlab".into(),
                name: name.into(),
                api_url: Some(url.clone()),
                target: "acme/payments".into(),
                service: Some("payments".into()),
                ..ConnectorInput::default()
            },
            zeroize::Zeroizing::new(token.into()),
        )
        .unwrap();
    }
    let w = std::cell::RefCell::new(&mut relm);
    let mut seen = Vec::new();
    let reports = sync_each(&w, None, |p| {
        // Told after each one, with the workspace free again (nothing held while telling).
        w.hold(|r| r.connectors().map(|_| ())).unwrap();
        seen.push((
            p.done,
            p.total,
            p.report.name.clone(),
            p.report.errors.is_empty(),
        ));
    })
    .unwrap();
    assert_eq!(
        seen,
        [
            (1, 3, "a".to_string(), true),
            (2, 3, "b".to_string(), false),
            (3, 3, "c".to_string(), true)
        ]
    );
    assert_eq!(reports.len(), 3);
}
