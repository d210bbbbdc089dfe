//! `relm metrics` on hand-computed fixtures: an empty period, one deployment, a failure
//! restored, a failure not restored, several services; the text agrees with the JSON.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;
use serde_json::Value;

fn release(r: &Replica, service: &str, version: &str, envs: &[&str]) -> String {
    let mut args = vec![
        "release",
        "create",
        "--service",
        service,
        "--version",
        version,
        "--title",
        "Metrics fixture",
    ];
    for e in envs {
        args.extend(["--env", e]);
    }
    r.json(&args)["id"].as_str().unwrap().to_string()
}

/// Payments 1.0: staging 03-01 10:00, prod 03-02 10:00–10:30 (lead 24.5 h from its first
/// deployment, which is before the release was entered). Payments 1.1: staging 03-03 09:00,
/// prod failed 03-04 10:00–10:20, prod succeeded 12:00–12:20 (restored in 2 h; lead 27 h 20 min).
/// Search 2.0: prod failed 03-05 10:00–10:15, never restored.
fn fixture() -> Replica {
    let r = Replica::new();
    r.init();
    let p1 = release(&r, "payments", "1.0.0", &["staging", "prod"]);
    r.deploy(
        &p1,
        "staging",
        "succeeded",
        "2026-03-01T10:00:00Z",
        "2026-03-01T10:10:00Z",
    );
    r.deploy(
        &p1,
        "prod",
        "succeeded",
        "2026-03-02T10:00:00Z",
        "2026-03-02T10:30:00Z",
    );
    let p2 = release(&r, "payments", "1.1.0", &["staging", "prod"]);
    r.deploy(
        &p2,
        "staging",
        "succeeded",
        "2026-03-03T09:00:00Z",
        "2026-03-03T09:10:00Z",
    );
    r.deploy(
        &p2,
        "prod",
        "failed",
        "2026-03-04T10:00:00Z",
        "2026-03-04T10:20:00Z",
    );
    r.deploy(
        &p2,
        "prod",
        "succeeded",
        "2026-03-04T12:00:00Z",
        "2026-03-04T12:20:00Z",
    );
    let s1 = release(&r, "search", "2.0.0", &["prod"]);
    r.deploy(
        &s1,
        "prod",
        "failed",
        "2026-03-05T10:00:00Z",
        "2026-03-05T10:15:00Z",
    );
    r
}

fn metrics(r: &Replica, args: &[&str]) -> Value {
    let mut a = vec!["metrics"];
    a.extend(args);
    r.json(&a)
}

#[test]
fn a_week_of_deployments_measured_by_hand() {
    let r = fixture();
    let m = metrics(&r, &["--from", "2026-03-01", "--to", "2026-03-07"]);
    assert_eq!(m["environments"], serde_json::json!(["prod"]));
    assert_eq!(m["deployments"], 4);
    assert_eq!(m["succeeded"], 2);
    assert_eq!(m["failed"], 2);
    // Two successful deployments over seven days.
    assert_eq!(m["deployment_frequency_per_week"], 2.0);
    // Median of 24.5 h and 27.33 h.
    assert_eq!(m["lead_time_hours_median"], 25.92);
    assert_eq!(m["change_failure_rate"], 0.5);
    // Only payments' failure was restored, in 2 h; search's is listed, not counted.
    assert_eq!(m["time_to_restore_hours_median"], 2.0);
    let unrestored = m["unrestored"].as_array().unwrap();
    assert_eq!(unrestored.len(), 1);
    assert_eq!(unrestored[0]["service"], "search");
    assert_eq!(unrestored[0]["failed_at"], "2026-03-05T10:15:00Z");
    // Nobody approved anything and no window was planned: every deployment deviates.
    assert_eq!(m["deviations"], 4);
    assert_eq!(m["deviation_share"], 1.0);
    assert_eq!(m["emergency_ratio"], 0.0);
    assert!(m["approval_lead_time_hours_median"].is_null());
    // Per service.
    let services = m["services"].as_array().unwrap();
    assert_eq!(services.len(), 2);
    assert_eq!(services[0]["service"], "payments");
    assert_eq!(services[0]["deployments"], 3);
    assert_eq!(services[0]["change_failure_rate"], 0.33);
    assert_eq!(services[0]["time_to_restore_hours_median"], 2.0);
    assert_eq!(services[1]["service"], "search");
    assert_eq!(services[1]["change_failure_rate"], 1.0);
    assert!(services[1]["time_to_restore_hours_median"].is_null());
    // Weeks from the Monday on or before the start (2026-03-01 is a Sunday) to the end.
    let weeks = m["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 2);
    assert_eq!(weeks[0]["start"], "2026-02-23");
    assert_eq!(weeks[0]["deployments"], 0);
    assert_eq!(weeks[1]["start"], "2026-03-02");
    assert_eq!(weeks[1]["deployments"], 4);
    assert_eq!(weeks[1]["failed"], 2);
    assert_eq!(weeks[1]["lead_time_hours_median"], 25.92);
    let total: u64 = weeks
        .iter()
        .map(|w| w["deployments"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 4);
    // The text says the same.
    let text = r.ok(&["metrics", "--from", "2026-03-01", "--to", "2026-03-07"]);
    for line in [
        "deployments: 4 (2 succeeded, 2 failed or rolled back)",
        "deployment frequency: 2 per week",
        "lead time for changes (median): 25.92 h",
        "change failure rate: 50%",
        "time to restore (median): 2 h (1 not restored yet)",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn one_deployment_one_service_one_environment_and_an_empty_period() {
    let r = fixture();
    // Only the first two days: payments 1.0 to prod.
    let m = metrics(&r, &["--from", "2026-03-01", "--to", "2026-03-02"]);
    assert_eq!(m["deployments"], 1);
    // One success over two days is 3.5 a week.
    assert_eq!(m["deployment_frequency_per_week"], 3.5);
    assert_eq!(m["lead_time_hours_median"], 24.5);
    assert_eq!(m["change_failure_rate"], 0.0);
    assert!(m["time_to_restore_hours_median"].is_null());
    // One service.
    let m = metrics(
        &r,
        &[
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-07",
            "--service",
            "search",
        ],
    );
    assert_eq!(m["deployments"], 1);
    assert_eq!(m["change_failure_rate"], 1.0);
    assert_eq!(m["unrestored"].as_array().unwrap().len(), 1);
    // Staging instead of production.
    let m = metrics(
        &r,
        &[
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-07",
            "--env",
            "staging",
        ],
    );
    assert_eq!(m["environments"], serde_json::json!(["staging"]));
    assert_eq!(m["deployments"], 2);
    // Nothing happened in 2025: counts are zero, rates and medians are null.
    let m = metrics(&r, &["--from", "2025-01-01", "--to", "2025-01-07"]);
    assert_eq!(m["deployments"], 0);
    assert_eq!(m["deployment_frequency_per_week"], 0.0);
    for key in [
        "lead_time_hours_median",
        "change_failure_rate",
        "time_to_restore_hours_median",
        "deviation_share",
        "review_completion_rate",
    ] {
        assert!(m[key].is_null(), "{key}: {m}");
    }
    // A failure restored after the period still counts its restoration.
    let m = metrics(
        &r,
        &[
            "--from",
            "2026-03-04T10:00:00Z",
            "--to",
            "2026-03-04T11:00:00Z",
        ],
    );
    assert_eq!(m["deployments"], 1);
    assert_eq!(m["time_to_restore_hours_median"], 2.0);
    assert_eq!(m["unrestored"].as_array().unwrap().len(), 0);
}

#[test]
fn a_bad_period_is_refused() {
    let r = fixture();
    for (args, why) in [
        (
            vec!["--from", "2026-03-07", "--to", "2026-03-01"],
            "ends before it starts",
        ),
        (
            vec!["--from", "yesterday", "--to", "2026-03-01"],
            "neither a date",
        ),
    ] {
        let mut a = vec!["metrics"];
        a.extend(args);
        let err = r.fails(&a, 2);
        assert!(err.contains(why), "{err}");
    }
}

/// The deployments the metrics page lists are those its figures count: to the environments
/// measured and their aliases, in the period, the latest first, as many as asked for.
#[test]
fn the_period_s_deployments_are_those_the_figures_count() {
    use chrono::{Duration, TimeZone, Utc};
    use relm_api::deployments::{DeploymentInput, DeploymentQuery};
    use relm_api::releases::ReleaseInput;
    let root = tempfile::tempdir().unwrap();
    let start = Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap();
    let (mut relm, _, clock) = relm_tests::bench::workspace(root.path(), start);
    // Six releases, each deployed to staging then to production under one of its two names.
    for i in 0..6 {
        let prod = if i % 2 == 0 { "prod" } else { "production" };
        let id = relm
            .create_release(&ReleaseInput {
                service: Some(["api", "web"][i % 2].into()),
                version: Some(format!("1.{i}.0")),
                title: Some(format!("release {i}")),
                environments: Some(vec!["staging".into(), prod.into()]),
                ..Default::default()
            })
            .unwrap()
            .id;
        let day = start + Duration::days(i as i64 + 1);
        clock.set(day + Duration::hours(3));
        for (env, hour) in [("staging", 0), (prod, 1)] {
            let at = day + Duration::hours(hour);
            relm.record_deployment_full(&DeploymentInput {
                release: id.clone(),
                environment: env.into(),
                outcome: "succeeded".into(),
                start: Some(relm_domain::window::fmt_utc(at)),
                end: Some(relm_domain::window::fmt_utc(at + Duration::minutes(20))),
                ..Default::default()
            })
            .unwrap();
        }
    }
    let m = relm
        .metrics("2027-03-01", "2027-03-31", None, None)
        .unwrap();
    assert_eq!(m.environments, ["prod"]);
    assert_eq!(m.deployments, 6, "the aliases count as prod");
    let query = |limit| DeploymentQuery {
        environments: Some(m.environments.clone()),
        from: Some("2027-03-01".into()),
        to: Some("2027-03-31".into()),
        limit,
        ..Default::default()
    };
    let all = relm.deployments(&query(None)).unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|d| d.record.environment != "staging"));
    let latest = relm.deployments(&query(Some(4))).unwrap();
    let versions: Vec<&str> = latest.iter().map(|d| d.record.version.as_str()).collect();
    assert_eq!(versions, ["1.5.0", "1.4.0", "1.3.0", "1.2.0"]);
    // Asked for no environment: nothing, not everything.
    let none = DeploymentQuery {
        environments: Some(vec![]),
        ..query(None)
    };
    assert!(relm.deployments(&none).unwrap().is_empty());
    // The page asks for them beside the figures: "the environments measured", whatever
    // `environments` says, the same rows; with an environment (or an alias of it), the same as
    // the figures for it.
    let ids = |q: &DeploymentQuery| -> Vec<String> {
        relm.deployments(q)
            .unwrap()
            .into_iter()
            .map(|d| d.record.id)
            .collect()
    };
    let measured = |environment: Option<&str>| DeploymentQuery {
        environments: Some(vec!["staging".into()]),
        environment: environment.map(String::from),
        measured: Some(true),
        ..query(None)
    };
    assert_eq!(ids(&measured(None)), ids(&query(None)));
    for env in ["prod", "production"] {
        let figures = relm
            .metrics("2027-03-01", "2027-03-31", None, Some(env))
            .unwrap();
        assert_eq!(
            ids(&measured(Some(env))).len() as u32,
            figures.deployments,
            "{env}"
        );
        assert_eq!(ids(&measured(Some(env))), ids(&query(None)), "{env}");
    }
    let staging = ids(&measured(Some("staging")));
    assert_eq!(staging.len(), 6);
    assert!(
        staging
            .iter()
            .all(|id| !all.iter().any(|d| &d.record.id == id))
    );
}

/// The figures, and the deployments behind them, are kept between visits while the store and
/// the day are unchanged: a reader (the app's pages read on their own connections) sees another
/// connection's commit, the writer its own, and a new day counts the actions that became late
/// overnight.
#[test]
fn kept_metrics_follow_every_change_of_the_store_and_the_day() {
    use chrono::{TimeZone, Utc};
    let (dir, clock, mut relm) = relm_tests::pinned_workspace("Kept metrics");
    let at = |d, h| Utc.with_ymd_and_hms(2027, 3, d, h, 0, 0).unwrap();
    let failed = relm_tests::prod_release(&mut relm, "api", "1.0.0");
    relm_tests::failed_in_prod(&mut relm, &clock, &failed, at(2, 10));
    let me = relm.members().unwrap()[0].key_id.clone();
    relm.add_action(&failed, "Add an alert", &me, "2027-03-05")
        .unwrap();
    let figures = |r: &relm_api::Relm| {
        let m = r.metrics("2027-03-01", "2027-03-31", None, None).unwrap();
        (m.deployments, m.overdue_actions)
    };
    // The deployments the page asks for beside the figures, kept with them.
    let behind = |r: &relm_api::Relm| {
        r.deployments(&relm_api::deployments::DeploymentQuery {
            measured: Some(true),
            from: Some("2027-03-01".into()),
            to: Some("2027-03-31".into()),
            limit: Some(200),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|d| d.record.version)
        .collect::<Vec<_>>()
    };

    clock.set(at(5, 9));
    assert_eq!(figures(&relm), (1, 0), "due today: not late yet");
    assert_eq!(figures(&relm), (1, 0), "asked again, unchanged");
    clock.set(at(6, 9));
    assert_eq!(
        figures(&relm),
        (1, 1),
        "late from the next day, the store unchanged"
    );

    let reader = relm_tests::reader(dir.path());
    assert_eq!(figures(&reader).0, 1);
    assert_eq!(behind(&reader), ["1.0.0"]);
    assert_eq!(behind(&reader), ["1.0.0"], "asked again, unchanged");
    let fixed = relm_tests::prod_release(&mut relm, "api", "1.0.1");
    relm.record_deployment_full(&relm_api::deployments::DeploymentInput {
        release: fixed,
        environment: "prod".into(),
        outcome: "succeeded".into(),
        start: Some("2027-03-06T08:00:00Z".into()),
        end: Some("2027-03-06T08:20:00Z".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(figures(&reader).0, 2, "the reader sees the writer's commit");
    assert_eq!(behind(&reader), ["1.0.1", "1.0.0"], "and its deployment");
    assert_eq!(behind(&relm), ["1.0.1", "1.0.0"]);
    assert_eq!(figures(&relm), (2, 1), "the writer sees its own write");
    assert_eq!(
        figures(&relm_tests::reader(dir.path())).0,
        2,
        "as a fresh replica counts them"
    );
}
