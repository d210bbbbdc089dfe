//! Connector request budgets (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! Against servers on 127.0.0.1 answering as GitHub's and GitLab's APIs document, through the
//! use-cases (`Relm::sync_connectors`, as `relm connector sync` runs them), every request
//! counted the way the platform counts it against its rate limit (GitHub: a 304 is not
//! counted):
//!
//! - a backfill of `RELM_BENCH_DEPLOYMENTS` (default 10,000) deployments of one repository or
//!   project (20 of each of 500 releases) into a workspace, its requests and its time;
//! - a steady poll of `RELM_BENCH_REPOS` (default 50) GitHub repositories for an hour at the
//!   sync worker's pace (every 5 minutes: 12 polls), during which 10 of them deploy once.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use relm_api::connectors::ConnectorInput;
use relm_api::releases::ReleaseInput;
use relm_domain::clock::Clock;
use relm_tests::bench::env_usize;
use relm_tests::http::{Req, Resp, resp, serve};
use serde_json::{Value, json};
use zeroize::Zeroizing;

/// Requests a server received, by what they cost.
#[derive(Debug, Default, Clone, Copy)]
struct Count {
    /// Answered with a body (counted by GitHub's rate limit).
    counted: usize,
    /// Answered 304 (not counted).
    not_modified: usize,
}

/// Deployments of each repository: (created at, environment, tag).
type Repos = Arc<Mutex<BTreeMap<String, Vec<DateTime<Utc>>>>>;

fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    path.split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// GitHub: the REST list's newest deployment with an ETag (304 when it holds), and GraphQL
/// `repository.deployments` 100 a page with edge cursors `c-N`.
fn github(repos: Repos, count: Arc<Mutex<Count>>) -> relm_tests::http::Server {
    serve(Arc::new(move |req: &Req, _| {
        let repos = repos.lock().unwrap();
        // No run waits for a review, two environments, no release: each unchanged after the
        // first answer.
        let fixed = [
            (
                "/actions/runs?",
                "\"r0\"",
                json!({"total_count": 0, "workflow_runs": []}),
            ),
            (
                "/environments?",
                "\"e0\"",
                json!({"total_count": 2, "environments": [{"id": 1, "name": "staging"},
                    {"id": 2, "name": "production", "protection_rules": [{"id": 3, "type": "wait_timer", "wait_timer": 10}]}]}),
            ),
            ("/releases?", "\"l0\"", json!([])),
        ];
        if let Some((_, etag, body)) = fixed
            .iter()
            .find(|(p, ..)| req.method == "GET" && req.path.contains(p))
        {
            if req.header("if-none-match") == Some(*etag) {
                count.lock().unwrap().not_modified += 1;
                return Resp {
                    status: 304,
                    headers: vec![("ETag".into(), (*etag).into())],
                    body: Vec::new(),
                    stall: None,
                };
            }
            count.lock().unwrap().counted += 1;
            let mut r = resp(200, body.clone());
            r.headers.push(("ETag".into(), (*etag).into()));
            return r;
        }
        if req.method == "GET" {
            // /repos/acme/NAME/deployments?per_page=1
            let name = req.path.split('/').nth(3).unwrap_or_default();
            let n = repos.get(name).map_or(0, Vec::len);
            let etag = format!("\"n{n}\"");
            if req.header("if-none-match") == Some(etag.as_str()) {
                count.lock().unwrap().not_modified += 1;
                return Resp {
                    status: 304,
                    headers: vec![("ETag".into(), etag)],
                    body: Vec::new(),
                    stall: None,
                };
            }
            count.lock().unwrap().counted += 1;
            let mut r = resp(200, json!([{"id": n}]));
            r.headers.push(("ETag".into(), etag));
            return r;
        }
        count.lock().unwrap().counted += 1;
        let q: Value = serde_json::from_str(&req.body).unwrap();
        let name = q["variables"]["name"].as_str().unwrap();
        let list = repos.get(name).cloned().unwrap_or_default();
        let from = q["variables"]["after"].as_str().map_or(0, |a| {
            a.trim_start_matches("c-").parse::<usize>().unwrap() + 1
        });
        let to = (from + 100).min(list.len());
        let edges: Vec<Value> = (from..to)
            .map(|n| {
                let at = list[n];
                json!({"cursor": format!("c-{n}"), "node": {
                    "databaseId": n + 1, "environment": "production", "ref": {"name": format!("v1.0.{}", n / 20)},
                    "commitOid": format!("{n:040x}"), "createdAt": time(at), "updatedAt": time(at),
                    "latestStatus": {"state": "SUCCESS", "createdAt": time(at + Duration::minutes(5)),
                        "logUrl": format!("https://github.com/acme/{name}/actions/runs/{n}")}
                }})
            })
            .collect();
        resp(
            200,
            json!({"data": {"repository": {"deployments": {
                "pageInfo": {"hasNextPage": to < list.len(), "endCursor": if from < to { json!(format!("c-{}", to - 1)) } else { Value::Null }},
                "edges": edges
            }}}}),
        )
    }))
}

/// GitLab: a project's deployments ordered by `updated_at`, 100 a page with `Link`.
fn gitlab(list: Vec<DateTime<Utc>>, count: Arc<Mutex<Count>>) -> relm_tests::http::Server {
    serve(Arc::new(move |req: &Req, _| {
        count.lock().unwrap().counted += 1;
        if !req.path.contains("/deployments?") {
            // The project's freeze periods, environments and releases: none.
            return resp(200, json!([]));
        }
        let page: usize = query(&req.path, "page").map_or(1, |p| p.parse().unwrap());
        let chunk: Vec<Value> = list
            .iter()
            .enumerate()
            .skip((page - 1) * 100)
            .take(100)
            .map(|(n, at)| {
                json!({"id": n + 1, "ref": format!("v1.0.{}", n / 20), "sha": format!("{n:040x}"), "status": "success",
                    "created_at": time(*at), "updated_at": time(*at + Duration::minutes(5)),
                    "environment": {"name": "production"},
                    "deployable": {"started_at": time(*at), "finished_at": time(*at + Duration::minutes(5))}})
            })
            .collect();
        let mut r = resp(200, json!(chunk));
        if page * 100 < list.len() {
            let host = req.header("host").unwrap();
            let base = req.path.split("&page=").next().unwrap();
            r.headers.push((
                "Link".into(),
                format!("<http://{host}{base}&page={}>; rel=\"next\"", page + 1),
            ));
        }
        r
    }))
}

fn connector(platform: &str, name: &str, target: &str, url: &str) -> ConnectorInput {
    ConnectorInput {
        platform: platform.into(),
        name: name.into(),
        api_url: Some(url.into()),
        target: target.into(),
        service: Some("payments".into()),
        ..ConnectorInput::default()
    }
}

/// A workspace on a clock set to `at` with `releases` releases of `payments` (1.0.0, 1.0.1, …).
fn workspace(
    root: &std::path::Path,
    at: DateTime<Utc>,
    releases: usize,
) -> (relm_api::Relm, Arc<relm_domain::clock::FixedClock>) {
    let (mut relm, _, clock) = relm_tests::bench::workspace(root, at);
    let inputs: Vec<ReleaseInput> = (0..releases)
        .map(|k| ReleaseInput {
            service: Some("payments".into()),
            version: Some(format!("1.0.{k}")),
            title: Some("Bench release".into()),
            environments: Some(vec!["production".into()]),
            ..ReleaseInput::default()
        })
        .collect();
    relm.create_releases(&inputs).unwrap();
    (relm, clock)
}

fn main() {
    let n = env_usize("RELM_BENCH_DEPLOYMENTS", 10_000);
    let repos = env_usize("RELM_BENCH_REPOS", 50);
    let start = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
    let times: Vec<DateTime<Utc>> = (0..n)
        .map(|i| start + Duration::minutes(i as i64 * 10))
        .collect();
    let now = times[n - 1] + Duration::days(1);
    println!("| Measure | Requests | Counted by the platform | Time |");
    println!("|---|---:|---:|---:|");

    // Backfill from GitHub.
    let root = tempfile::tempdir().unwrap();
    let (mut relm, _) = workspace(root.path(), now, n.div_ceil(20));
    let count = Arc::new(Mutex::new(Count::default()));
    let all: Repos = Arc::new(Mutex::new(BTreeMap::from([(
        "payments".to_string(),
        times.clone(),
    )])));
    let server = github(all, count.clone());
    relm.add_connector(
        &connector("github", "gh", "acme/payments", &server.base),
        Zeroizing::new("ghp_bench".into()),
    )
    .unwrap();
    let t = Instant::now();
    let report = relm.sync_connectors(Some("gh")).unwrap();
    let took = t.elapsed().as_secs_f64();
    assert_eq!(report[0].pulled as usize, n, "{report:?}");
    let c = *count.lock().unwrap();
    println!(
        "| GitHub backfill of {n} deployments of {} releases (REST newest + GraphQL, 100 a page) | {} | {} | {took:.1} s |",
        n.div_ceil(20),
        c.counted + c.not_modified,
        c.counted
    );
    drop(relm);

    // Backfill from GitLab.
    let root = tempfile::tempdir().unwrap();
    let (mut relm, _) = workspace(root.path(), now, n.div_ceil(20));
    let count = Arc::new(Mutex::new(Count::default()));
    let server = gitlab(times.clone(), count.clone());
    relm.add_connector(
        &connector(
            "gitlab",
            "gl",
            "acme/payments",
            &format!("{}/api/v4", server.base),
        ),
        Zeroizing::new("glpat_bench".into()),
    )
    .unwrap();
    let t = Instant::now();
    let report = relm.sync_connectors(Some("gl")).unwrap();
    let took = t.elapsed().as_secs_f64();
    assert_eq!(report[0].pulled as usize, n, "{report:?}");
    let c = *count.lock().unwrap();
    println!(
        "| GitLab backfill of {n} deployments of {} releases (`updated_after`, 100 a page, `Link`) | {} | {} | {took:.1} s |",
        n.div_ceil(20),
        c.counted + c.not_modified,
        c.counted
    );
    drop(relm);

    // A steady hour: `repos` repositories with 20 deployments each, polled 12 times; ten of
    // them deploy once during the hour.
    let root = tempfile::tempdir().unwrap();
    let (mut relm, clock) = workspace(root.path(), start, 2);
    let count = Arc::new(Mutex::new(Count::default()));
    let state: Repos = Arc::new(Mutex::new(
        (0..repos)
            .map(|r| (format!("r{r:02}"), times[..20].to_vec()))
            .collect(),
    ));
    let server = github(state.clone(), count.clone());
    for r in 0..repos {
        relm.add_connector(
            &connector(
                "github",
                &format!("gh{r:02}"),
                &format!("acme/r{r:02}"),
                &server.base,
            ),
            Zeroizing::new("ghp_bench".into()),
        )
        .unwrap();
    }
    clock.set(times[19] + Duration::hours(2));
    relm.sync_connectors(None).unwrap();
    *count.lock().unwrap() = Count::default();
    let t = Instant::now();
    for poll in 0..12 {
        if poll < 10 {
            let at = clock.now() - Duration::minutes(30);
            state
                .lock()
                .unwrap()
                .get_mut(&format!("r{:02}", poll * repos / 10))
                .unwrap()
                .push(at);
        }
        clock.set(clock.now() + Duration::minutes(5));
        let reports = relm.sync_connectors(None).unwrap();
        assert!(reports.iter().all(|r| r.errors.is_empty()), "{reports:?}");
    }
    let took = t.elapsed().as_secs_f64();
    let c = *count.lock().unwrap();
    println!(
        "| Steady hour: {repos} GitHub repositories polled every 5 minutes, 10 deployments | {} | {} | {took:.1} s (12 polls) |",
        c.counted + c.not_modified,
        c.counted
    );
}
