//! Reading an API over real HTTP on 127.0.0.1, from a small server that answers as GitHub's and
//! GitLab's REST APIs document (Link pagination, ETags and 304, rate-limit headers, errors as
//! `{"message": …}`): pagination across 120 pages, 304s, 429 with `Retry-After`, a burst of
//! 5xx, a cut JSON answer, a slow body, a token revoked mid-list, and links and redirects to
//! another origin, which are not followed and never receive the token.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::sync::{Arc, Mutex};
use std::time::Duration;

use relm_connect::fetch::{Api, FetchError};
use relm_tests::http::{Resp, resp, serve};
use serde_json::json;

fn api(base: &str) -> Api {
    Api::new(base, Some("t0k-secret".into()), Duration::from_secs(5))
        .unwrap()
        .with_pace(0.0)
}

/// The `page` query value of a path.
fn page_of(path: &str) -> usize {
    path.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
}

#[tokio::test]
async fn a_list_is_read_across_120_pages_by_its_link_headers() {
    let base = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = serve(Arc::new(move |req, _| {
        let page = page_of(&req.path);
        let items: Vec<_> = (0..30).map(|i| json!({"id": page * 100 + i})).collect();
        let mut r = resp(200, json!(items));
        let base = b.lock().unwrap().clone();
        let mut links = vec![format!(
            "<{base}/repos/o/r/deployments?per_page=30&page=1>; rel=\"first\""
        )];
        if page < 120 {
            links.push(format!(
                "<{base}/repos/o/r/deployments?per_page=30&page={}>; rel=\"next\"",
                page + 1
            ));
        }
        r.headers.push(("Link".into(), links.join(", ")));
        r
    }));
    *base.lock().unwrap() = server.base.clone();
    let a = api(&server.base);
    let first = a.url("/repos/o/r/deployments?per_page=30").unwrap();
    let items = a.get_all(&first, None).await.unwrap();
    assert_eq!(items.len(), 3_600);
    assert_eq!(items[3_599]["id"], 12_029);
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.len(), 120, "one request a page");
    // The token goes as a bearer token, to this origin only.
    assert!(
        seen.iter()
            .all(|r| r.header("authorization") == Some("Bearer t0k-secret"))
    );
}

#[tokio::test]
async fn an_etag_gives_a_304_and_no_body() {
    let server = serve(Arc::new(|req, _| {
        if req.header("if-none-match") == Some("\"v1\"") {
            Resp {
                status: 304,
                headers: vec![("ETag".into(), "\"v1\"".into())],
                body: Vec::new(),
                stall: None,
            }
        } else {
            let mut r = resp(200, json!([{"id": 1}]));
            r.headers.push(("ETag".into(), "\"v1\"".into()));
            r
        }
    }));
    let a = api(&server.base);
    let url = a.url("/repos/o/r/environments").unwrap();
    let first = a.get(&url, None).await.unwrap();
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert!(first.body.is_some());
    let again = a.get(&url, first.etag.as_deref()).await.unwrap();
    assert_eq!(again.body, None);
}

#[tokio::test]
async fn rate_limits_and_failures_are_waited_out_then_given_up() {
    // 429 with Retry-After, then GitHub's quota used up, then a burst of 5xx, then the answer.
    let server = serve(Arc::new(|_, n| match n {
        1 => {
            let mut r = resp(429, json!({"message": "slow down"}));
            r.headers.push(("Retry-After".into(), "7".into()));
            r
        }
        2 => {
            let mut r = resp(403, json!({"message": "API rate limit exceeded"}));
            r.headers.push(("x-ratelimit-remaining".into(), "0".into()));
            r.headers.push(("Retry-After".into(), "30".into()));
            r
        }
        3 => resp(503, json!({"message": "unavailable"})),
        4 => resp(502, json!({"message": "bad gateway"})),
        _ => resp(200, json!([])),
    }));
    let a = api(&server.base);
    let url = a.url("/repos/o/r/deployments").unwrap();
    let page = a.get(&url, None).await.unwrap();
    assert_eq!(page.body, Some(json!([])));
    let waited = a.waited.lock().unwrap().clone();
    assert_eq!(waited.len(), 4, "{waited:?}");
    assert_eq!(waited[0], Duration::from_secs(7));
    assert_eq!(waited[1], Duration::from_secs(30));
    assert!(waited[2] >= Duration::from_millis(1_500) && waited[2] <= Duration::from_secs(4));

    // Always failing: given up after five tries, saying what to do.
    let down = serve(Arc::new(|_, _| resp(500, json!({"message": "boom"}))));
    let a = api(&down.base);
    let err = a.get(&a.url("/x").unwrap(), None).await.unwrap_err();
    assert!(matches!(err, FetchError::GaveUp { .. }), "{err}");
    assert!(err.to_string().contains("sync again later"), "{err}");
    assert_eq!(down.seen.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn cut_json_slow_bodies_and_errors_are_told_apart() {
    let server = serve(Arc::new(|req, _| match req.path.as_str() {
        "/cut" => Resp {
            status: 200,
            headers: vec![],
            body: br#"[{"id": 1, "sha": "a1b2"#.to_vec(),
            stall: None,
        },
        "/slow" => Resp {
            stall: Some(Duration::from_secs(4)),
            ..resp(200, json!([]))
        },
        "/missing" => resp(404, json!({"message": "Not Found"})),
        _ => resp(200, json!({"total_count": 1})),
    }));
    let a = Api::new(&server.base, Some("t".into()), Duration::from_millis(600))
        .unwrap()
        .with_pace(0.0);
    let err = a.get(&a.url("/cut").unwrap(), None).await.unwrap_err();
    assert!(matches!(err, FetchError::BadJson { .. }), "{err}");
    assert!(err.to_string().contains("cut"), "{err}");
    let err = a.get(&a.url("/slow").unwrap(), None).await.unwrap_err();
    assert!(matches!(err, FetchError::GaveUp { .. }), "{err}");
    let err = a.get(&a.url("/missing").unwrap(), None).await.unwrap_err();
    assert!(err.to_string().contains("404: Not Found"), "{err}");
    // A list where an object is answered.
    let err = a
        .get_all(&a.url("/object").unwrap(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a list"), "{err}");
}

#[tokio::test]
async fn a_token_revoked_mid_list_stops_the_read_and_says_so() {
    let base = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = serve(Arc::new(move |req, _| {
        let page = page_of(&req.path);
        if page == 3 {
            return resp(401, json!({"message": "Bad credentials"}));
        }
        let mut r = resp(200, json!([{"id": page}]));
        r.headers.push((
            "Link".into(),
            format!("<{}/l?page={}>; rel=\"next\"", b.lock().unwrap(), page + 1),
        ));
        r
    }));
    *base.lock().unwrap() = server.base.clone();
    let a = api(&server.base);
    let err = a.get_all(&a.url("/l").unwrap(), None).await.unwrap_err();
    assert!(
        matches!(err, FetchError::Unauthorized { status: 401, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("--token-stdin"), "{err}");
}

#[tokio::test]
async fn links_and_redirects_elsewhere_are_not_followed_and_never_get_the_token() {
    let elsewhere = serve(Arc::new(|_, _| resp(200, json!([]))));
    let other = elsewhere.base.clone();
    let o2 = other.clone();
    let server = serve(Arc::new(move |req, _| match req.path.as_str() {
        "/redirect" => Resp {
            status: 302,
            headers: vec![("Location".into(), format!("{o2}/steal"))],
            body: Vec::new(),
            stall: None,
        },
        _ => {
            let mut r = resp(200, json!([{"id": 1}]));
            r.headers
                .push(("Link".into(), format!("<{o2}/list?page=2>; rel=\"next\"")));
            r
        }
    }));
    let a = api(&server.base);
    let err = a.get_all(&a.url("/list").unwrap(), None).await.unwrap_err();
    match &err {
        FetchError::Link(relm_connect::link::LinkError::OffOrigin { found, .. }) => {
            assert!(found.starts_with(&other), "{found}")
        }
        other => panic!("{other}"),
    }
    let err = a.get(&a.url("/redirect").unwrap(), None).await.unwrap_err();
    assert!(
        matches!(err, FetchError::Refused { status: 302, .. }),
        "{err}"
    );
    assert!(
        elsewhere.seen.lock().unwrap().is_empty(),
        "the other origin was contacted"
    );
    // Nor can a caller ask for a URL elsewhere, or print the token.
    assert!(a.url("http://127.0.0.1:1/x").is_err() || a.url("//evil.example/x").is_err());
    assert!(!format!("{a:?}").contains("t0k-secret"));
}

/// A GitLab deployment as the Deployments API documents it.
fn gitlab_deployment(i: usize) -> serde_json::Value {
    let status = [
        "success", "failed", "running", "blocked", "canceled", "created",
    ][i % 6];
    let environment = if i.is_multiple_of(2) {
        "production"
    } else {
        "staging"
    };
    json!({
        "id": 1000 + i,
        "iid": i,
        "ref": "main",
        "sha": format!("{:040x}", i),
        "created_at": format!("2027-03-{:02}T10:00:00.000Z", 1 + i % 28),
        "updated_at": format!("2027-03-{:02}T10:{:02}:00.000+01:00", 1 + i % 28, i % 60),
        "status": status,
        "user": {"id": 1, "username": "ada"},
        "environment": {"id": 9, "name": environment, "external_url": null},
        "deployable": {
            "id": 7000 + i,
            "status": "success",
            "started_at": "2027-03-01T10:00:00.000Z",
            "finished_at": "2027-03-01T10:05:00.000Z",
            "web_url": format!("https://gitlab.example.com/group/app/-/jobs/{}", 7000 + i)
        }
    })
}

#[tokio::test]
async fn gitlab_deployments_are_read_incrementally_and_odd_items_left_out_with_the_reason() {
    let base = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = serve(Arc::new(move |req, _| {
        let page = page_of(&req.path);
        let mut items: Vec<_> = (0..100)
            .map(|i| gitlab_deployment((page - 1) * 100 + i))
            .take(if page == 3 { 50 } else { 100 })
            .collect();
        if page == 3 {
            items.push(json!({"id": 99, "status": "teleported", "sha": "x", "environment": {"name": "p"}, "updated_at": "2027-03-01T00:00:00Z"}));
            items.push(json!({"status": "success"}));
        }
        let mut r = resp(200, json!(items));
        if page < 3 {
            let base = b.lock().unwrap();
            let path = req.path.replace(&format!("page={page}"), "");
            let sep = if path.contains('?') { "&" } else { "?" };
            r.headers.push((
                "Link".into(),
                format!("<{base}{path}{sep}page={}>; rel=\"next\"", page + 1),
            ));
        }
        r
    }));
    *base.lock().unwrap() = format!("{}/api/v4", server.base);
    let api_base = format!("{}/api/v4", server.base);
    let a = api(&api_base);
    let since = chrono::DateTime::parse_from_rfc3339("2027-03-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let (found, skipped) = relm_connect::gitlab::deployments(&a, "group/app", Some(since))
        .await
        .unwrap();
    assert_eq!(found.len(), 250);
    assert_eq!(server.seen.lock().unwrap().len(), 3, "100 a page");
    let first = &server.seen.lock().unwrap()[0];
    assert!(
        first
            .path
            .starts_with("/api/v4/projects/group%2Fapp/deployments?"),
        "{}",
        first.path
    );
    assert!(
        first.path.contains("order_by=updated_at")
            && first.path.contains("updated_after=2027-03-01T00:00:00Z")
    );
    let d = &found[1];
    assert_eq!((d.id.as_str(), d.environment.as_str()), ("1001", "staging"));
    assert_eq!(d.state, relm_connect::remote::RemoteState::Failed);
    assert_eq!(d.updated_at.to_rfc3339(), "2027-03-02T09:01:00+00:00");
    assert!(d.url.as_deref().unwrap().ends_with("/jobs/7001"));
    assert_eq!(found[3].state, relm_connect::remote::RemoteState::Blocked);
    assert_eq!(skipped.len(), 2);
    assert!(skipped[0].reason.contains("teleported"), "{skipped:?}");
    assert!(skipped[1].reason.contains("no `id`"), "{skipped:?}");
}

/// A page of GitHub's GraphQL answer for `repository.deployments`, as its schema describes:
/// 252 deployments (the last two odd), 100 a page, each edge's cursor `c-N`.
fn github_page(after: Option<&str>) -> serde_json::Value {
    let from = after.map_or(0, |a| {
        a.trim_start_matches("c-").parse::<usize>().unwrap() + 1
    });
    let total = 252;
    let to = (from + 100).min(total);
    let states = [
        "SUCCESS",
        "FAILURE",
        "IN_PROGRESS",
        "WAITING",
        "INACTIVE",
        "QUEUED",
    ];
    let edges: Vec<_> = (from..to)
        .map(|n| {
            let node = match n {
                250 => json!({"databaseId": 1, "environment": "p", "commitOid": "x", "createdAt": "2027-03-01T10:00:00Z", "latestStatus": {"state": "TELEPORTED"}}),
                251 => json!({"databaseId": 2, "environment": "p", "commitOid": "y", "createdAt": "2027-03-01T10:00:00Z", "latestStatus": null}),
                _ => json!({
                    "databaseId": 5000 + n,
                    "environment": if n.is_multiple_of(2) { "production" } else { "staging" },
                    "ref": {"name": "main"},
                    "commitOid": format!("{n:040x}"),
                    "createdAt": "2027-03-01T10:00:00Z",
                    "updatedAt": "2027-03-01T10:06:00Z",
                    "latestStatus": {"state": states[n % 6], "createdAt": "2027-03-01T10:05:00Z", "logUrl": format!("https://github.com/o/r/actions/runs/{n}")}
                }),
            };
            json!({"cursor": format!("c-{n}"), "node": node})
        })
        .collect();
    json!({"data": {"repository": {"deployments": {
        "pageInfo": {"hasNextPage": to < total, "endCursor": if from < to { json!(format!("c-{}", to - 1)) } else { serde_json::Value::Null }},
        "edges": edges
    }}}})
}

#[tokio::test]
async fn github_deployments_with_their_status_come_through_graphql_100_a_page() {
    let server = serve(Arc::new(|req, _| {
        assert_eq!(req.path, "/graphql");
        let q: serde_json::Value = serde_json::from_str(&req.body).unwrap();
        assert!(q["query"].as_str().unwrap().contains("latestStatus"));
        assert_eq!(q["variables"]["owner"], "o");
        assert_eq!(q["variables"]["name"], "r");
        match q["variables"]["name"].as_str() {
            Some("r") => resp(200, github_page(q["variables"]["after"].as_str())),
            _ => resp(
                200,
                json!({"data": null, "errors": [{"message": "Could not resolve to a Repository"}]}),
            ),
        }
    }));
    let a = api(&server.base);
    let later = "2027-04-01T00:00:00Z".parse().unwrap();
    let (found, skipped, cursor) = relm_connect::github::deployments(&a, "o/r", None, later)
        .await
        .unwrap();
    assert_eq!(found.len(), 251, "250 and the one without a status yet");
    assert_eq!(server.seen.lock().unwrap().len(), 3, "100 a page");
    // A month later, the unfinished ones are abandoned: the cursor is past everything.
    assert_eq!(cursor.as_deref(), Some("c-251"));
    assert_eq!(found[1].state, relm_connect::remote::RemoteState::Failed);
    assert_eq!(found[3].state, relm_connect::remote::RemoteState::Blocked);
    assert!(found[0].finished_at.is_some() && found[2].finished_at.is_none());
    assert_eq!(found[250].state, relm_connect::remote::RemoteState::Waiting);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].reason.contains("TELEPORTED"), "{skipped:?}");
    // Resuming from the cursor reads only what is new.
    server.seen.lock().unwrap().clear();
    let (again, _, _) = relm_connect::github::deployments(&a, "o/r", cursor, later)
        .await
        .unwrap();
    assert_eq!(server.seen.lock().unwrap().len(), 1);
    assert_eq!(again.len(), 0);
    // Two hours after they were created, the one still running (the third) holds the cursor
    // back: the next read sees it again, and how it ended.
    let soon = "2027-03-01T12:00:00Z".parse().unwrap();
    let (_, _, held) = relm_connect::github::deployments(&a, "o/r", None, soon)
        .await
        .unwrap();
    assert_eq!(held.as_deref(), Some("c-1"));
    let (again, _, _) = relm_connect::github::deployments(&a, "o/r", held, soon)
        .await
        .unwrap();
    assert_eq!(again.len(), 249, "from the running one on");
    assert_eq!(again[0].id, "5002");

    let bad = serve(Arc::new(|_, _| {
        resp(
            200,
            json!({"data": null, "errors": [{"message": "Could not resolve to a Repository with the name 'o/nope'."}]}),
        )
    }));
    let a = api(&bad.base);
    let err = relm_connect::github::deployments(&a, "o/nope", None, later)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Could not resolve"), "{err}");
    let err = relm_connect::github::deployments(&a, "no-slash", None, later)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("OWNER/REPO"), "{err}");
}

#[tokio::test]
async fn argo_cd_deployments_come_from_the_application_sync_history() {
    let server = serve(Arc::new(|req, _| {
        if req.path != "/api/v1/applications/checkout" {
            return resp(
                404,
                json!({"error": "application not found", "code": 5, "message": "applications.argoproj.io \"x\" not found"}),
            );
        }
        resp(
            200,
            json!({
                "metadata": {"name": "checkout", "namespace": "argocd"},
                "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "prod"}},
                "status": {
                    "sync": {"status": "OutOfSync", "revision": "c0ffee"},
                    "health": {"status": "Degraded"},
                    "history": [
                        {"id": 11, "revision": "a1b2c3", "deployStartedAt": "2027-03-18T09:00:00Z", "deployedAt": "2027-03-18T09:02:00Z", "source": {"repoURL": "https://git.example/app.git", "targetRevision": "v4.1.0"}},
                        {"id": 12, "revision": "d4e5f6", "deployStartedAt": "2027-03-19T09:00:00Z", "deployedAt": "2027-03-19T09:03:00Z", "source": {"targetRevision": "v4.2.0"}},
                        {"id": 13, "deployedAt": "2027-03-19T10:00:00Z"}
                    ],
                    "operationState": {
                        "operation": {"sync": {"revision": "c0ffee"}},
                        "phase": "Failed",
                        "message": "one or more objects failed to apply",
                        "startedAt": "2027-03-19T11:00:00Z",
                        "finishedAt": "2027-03-19T11:04:00Z",
                        "syncResult": {"revision": "c0ffee"}
                    }
                }
            }),
        )
    }));
    let a = api(&server.base);
    let (found, skipped) = relm_connect::argocd::deployments(&a, "checkout")
        .await
        .unwrap();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[1].id, "checkout/12");
    assert_eq!(found[1].reference, "v4.2.0");
    assert_eq!(found[1].state, relm_connect::remote::RemoteState::Succeeded);
    assert_eq!(found[2].state, relm_connect::remote::RemoteState::Failed);
    assert_eq!(found[2].sha, "c0ffee");
    assert_eq!(skipped.len(), 1);
    let err = relm_connect::argocd::deployments(&a, "nope")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("404") && err.to_string().contains("not found"),
        "{err}"
    );
}

#[tokio::test]
async fn freeze_periods_and_sync_windows_that_are_not_what_the_platforms_document_are_refused() {
    // GitLab: periods without an id or a field are left out with the reason; a list that is
    // not a list, or cut JSON, fails the read (nothing is written from it).
    let server = serve(Arc::new(|req, _| match req.path.as_str() {
        "/projects/ok/freeze_periods?per_page=100" => resp(
            200,
            json!([
                {"id": 1, "freeze_start": "0 23 * * 5", "freeze_end": "0 7 * * 1", "cron_timezone": "UTC"},
                {"freeze_start": "0 23 * * 5", "freeze_end": "0 7 * * 1", "cron_timezone": "UTC"},
                {"id": 3, "freeze_start": "0 23 * * 5", "cron_timezone": "UTC"},
                {"id": 4, "freeze_start": ["0"], "freeze_end": "0 7 * * 1", "cron_timezone": "UTC"}
            ]),
        ),
        "/projects/object/freeze_periods?per_page=100" => {
            resp(200, json!({"message": "not a list"}))
        }
        "/projects/cut/freeze_periods?per_page=100" => Resp {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"[{"id": 1, "freeze_start": "0 23"#.to_vec(),
            stall: None,
        },
        "/api/v1/projects/odd" => resp(200, json!({"spec": {"syncWindows": []}})),
        _ => resp(404, json!({"message": "404 Not Found"})),
    }));
    let a = api(&server.base);
    let (ok, left) = relm_connect::gitlab::freeze_periods(&a, "ok")
        .await
        .unwrap();
    assert_eq!(ok.len(), 1, "{ok:?}");
    assert_eq!(ok[0].id, "1");
    let reasons: Vec<String> = left
        .iter()
        .map(|s| format!("{}: {}", s.item, s.reason))
        .collect();
    assert_eq!(left.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("no `id`"), "{reasons:?}");
    assert!(reasons[1].contains("freeze_end"), "{reasons:?}");
    assert!(reasons[2].contains("freeze_start"), "{reasons:?}");
    for bad in ["object", "cut"] {
        let e = relm_connect::gitlab::freeze_periods(&a, bad)
            .await
            .unwrap_err();
        assert!(matches!(e, FetchError::BadJson { .. }), "{bad}: {e}");
    }
    // Argo CD: an answer that is not a project is refused; a project's windows with odd
    // fields are not taken for Relm's (so never deleted by it).
    let e = relm_connect::argocd::project(&a, "odd").await.unwrap_err();
    assert!(e.to_string().contains("not an Argo CD project"), "{e}");
    let mine = relm_connect::argocd::SyncWindow {
        kind: "deny".into(),
        schedule: "0 18 * * 5".into(),
        duration: "61h".into(),
        applications: vec!["payments-prod".into()],
        manual_sync: false,
        time_zone: "Europe/Paris".into(),
        description: "Relm: Weekend".into(),
    };
    let same = json!({"kind": "deny", "schedule": "0  18 * * 5", "duration": "61h",
        "applications": ["payments-prod"], "timeZone": "Europe/Paris"});
    assert!(
        mine.is(&same),
        "spaces and a missing manualSync read as Argo CD reads them"
    );
    for odd in [
        json!({"kind": "allow", "schedule": "0 18 * * 5", "duration": "61h", "applications": ["payments-prod"], "timeZone": "Europe/Paris"}),
        json!({"kind": "deny", "schedule": "0 18 * * 5", "duration": "61h", "applications": ["payments-prod"], "timeZone": "Europe/Paris", "clusters": ["prod"]}),
        json!({"kind": "deny", "schedule": "0 18 * * 5", "duration": "61h", "applications": "payments-prod", "timeZone": "Europe/Paris"}),
        json!({"kind": "deny", "schedule": "0 18 * * 5", "duration": "61h", "applications": ["payments-prod"]}),
        json!("deny"),
    ] {
        assert!(!mine.is(&odd), "{odd}");
    }
    // A project whose `spec` is not an object gets one; windows already there are not added.
    let project = json!({"metadata": {"name": "p"}, "spec": null});
    let written =
        relm_connect::argocd::rewritten(&project, std::slice::from_ref(&mine), &[]).unwrap();
    assert_eq!(relm_connect::argocd::windows(&written).len(), 1);
    assert!(relm_connect::argocd::rewritten(&written, std::slice::from_ref(&mine), &[]).is_none());
    let removed = relm_connect::argocd::rewritten(&written, &[], &[mine]).unwrap();
    assert!(relm_connect::argocd::windows(&removed).is_empty());
}
