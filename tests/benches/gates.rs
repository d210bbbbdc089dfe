//! Policy benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! 1. One verdict under a 30-rule policy (25 built-in rules and 5 Rego rules), the release's
//!    facts already read: median and 99th percentile of `RELM_BENCH_VERDICTS` (default 2,000)
//!    runs. Also the same with the store read included (`relm check`'s work, without process
//!    start), and with the 25 built-in rules only.
//!    And the reschedule preview (what dragging a release on the calendar checks live).
//! 2. The policy simulator over `RELM_BENCH_RELEASES` (default 10,000) releases, each judged
//!    for two environments under the policy in force and under a draft.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{Duration, TimeZone, Utc};
use relm_api::gates::CheckRequest;
use relm_api::releases::ReleaseInput;
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options};
use relm_domain::clock::{Clock, FixedClock};
use relm_identity::keyring::MemoryKeyStore;
use relm_policy::{Policy, evaluate};
use relm_store::projection::governance;
use relm_tests::bench::percentile;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

/// A policy with `builtin` built-in rules spread over the kinds, and `rego` Rego rules.
fn policy(builtin: usize, rego: usize) -> String {
    let mut s = String::from(
        "[[environments]]\nname = \"dev\"\ntier = \"development\"\n\n[[environments]]\nname = \"staging\"\ntier = \"staging\"\n\n[[environments]]\nname = \"prod\"\ntier = \"production\"\n",
    );
    for i in 0..builtin {
        let body = match i % 6 {
            0 => "kind = \"approvals\"\ncount = 1\nmax_age_hours = 720".to_string(),
            1 => "kind = \"escalation\"\nwhen = { risk_at_least = \"critical\" }".to_string(),
            2 => "kind = \"notice\"\nhours = 24\nseverity = \"warn\"".to_string(),
            3 => format!(
                "kind = \"evidence\"\nitems = [\"tests passed\", \"scan-{i}\"]\nseverity = \"warn\""
            ),
            4 => "kind = \"rollback\"\nrehearsal_from_risk = \"critical\"".to_string(),
            _ => "kind = \"promotion\"\nseverity = \"warn\"".to_string(),
        };
        let _ = write!(
            s,
            "\n[[rules]]\nid = \"r{i}\"\n{body}\nwhen.environments = [\"prod\"]\n"
        );
    }
    for i in 0..rego {
        let _ = write!(
            s,
            "\n[[rego]]\nname = \"custom{i}\"\nmodule = '''\npackage bench.r{i}\nimport rego.v1\nwarn contains msg if {{\n  some c in input.release.changes\n  not c.link\n  msg := sprintf(\"change %s has no link\", [c.id])\n}}\ndeny contains \"too many components\" if count(input.release.components) > {}\n'''\n",
            50 + i
        );
    }
    s
}

fn fix_when(s: String) -> String {
    // `when.environments` after a `when = {...}` inline table would redefine it: merge them.
    s.replace(
        "when = { risk_at_least = \"critical\" }\nwhen.environments = [\"prod\"]",
        "when = { risk_at_least = \"critical\", environments = [\"prod\"] }",
    )
}

fn main() {
    let runs = relm_tests::bench::env_usize("RELM_BENCH_VERDICTS", 2_000);
    let releases = relm_tests::bench::env_usize("RELM_BENCH_RELEASES", 10_000);
    let root = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    ));
    let keys = Arc::new(MemoryKeyStore::default());
    let opts = Options {
        data_dir: root.path().join("a"),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(keys),
    };
    let req = InitRequest {
        workspace: "Bench".into(),
        name: "Founder".into(),
        email: "f@bench.example".into(),
    };
    let (mut relm, _) = init(&opts, &req).unwrap();
    let thirty = fix_when(policy(25, 5));
    let builtin_only = fix_when(policy(25, 0));
    relm.apply_policy(&thirty, "30 rules", "bench.toml")
        .unwrap();

    // Releases with a few components and changes, planned over the next weeks.
    let start = clock.now();
    let inputs: Vec<ReleaseInput> = (0..releases)
        .map(|i| ReleaseInput {
            service: Some(format!("svc-{}", i % 40)),
            version: Some(format!("1.{}.{}", i / 100, i % 100)),
            title: Some("Bench release".into()),
            environments: Some(vec!["staging".into(), "prod".into()]),
            window: Some((
                (start + Duration::hours(48 + (i % 500) as i64)).to_rfc3339(),
                (start + Duration::hours(49 + (i % 500) as i64)).to_rfc3339(),
                "UTC".into(),
            )),
            rollback_plan: Some("redeploy the previous image".into()),
            changes: Some(vec![relm_domain::release::ChangeRef {
                id: format!("T-{i}"),
                title: "change".into(),
                link: None,
                author: Some("dev@bench.example".into()),
            }]),
            ..ReleaseInput::default()
        })
        .collect();
    let t = Instant::now();
    let ids: Vec<String> = inputs
        .chunks(1000)
        .flat_map(|chunk| relm.create_releases(chunk).unwrap())
        .collect();
    let created = t.elapsed().as_secs_f64();

    // 1. One verdict, facts in memory.
    let conn = relm.store().conn();
    let shared = governance::shared(
        conn,
        clock.now(),
        &Policy::parse(relm_policy::DEFAULT_POLICY).unwrap(),
    )
    .unwrap();
    let facts = governance::facts(conn, &ids[0], &shared).unwrap().unwrap();
    let time_verdicts = |p: &Policy| {
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let v = evaluate(p, 2, &facts, "prod", clock.now());
                std::hint::black_box(v);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        (percentile(&times, 0.5), percentile(&times, 0.99))
    };
    let p30 = Policy::parse(&thirty).unwrap();
    assert_eq!(p30.rules.len() + p30.rego.len(), 30);
    let pb = Policy::parse(&builtin_only).unwrap();
    let (m30, p99_30) = time_verdicts(&p30);
    let (mb, p99_b) = time_verdicts(&pb);
    // The same through the use-case (policy parsed, facts read from SQLite).
    let mut times: Vec<f64> = (0..runs.min(500))
        .map(|i| {
            let t = Instant::now();
            let v = relm
                .check(&CheckRequest {
                    release: Some(ids[i % ids.len()].clone()),
                    environment: "prod".into(),
                    ..CheckRequest::default()
                })
                .unwrap();
            std::hint::black_box(v);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let (mc, p99_c) = (percentile(&times, 0.5), percentile(&times, 0.99));

    // The reschedule preview the calendar runs while a release is dragged (conflicts with the
    // calendar and the other planned releases, and a verdict per environment), with 20
    // recurring freezes and windows in the calendar.
    for i in 0..20 {
        relm.add_calendar_entry(&relm_api::calendar::CalendarInput {
            kind: Some(if i % 4 == 0 { "window" } else { "freeze" }.into()),
            name: Some(format!("entry {i}")),
            start: Some(format!("2026-0{}-0{}T18:00", 1 + i % 9, 1 + i % 7)),
            end: Some(format!("2026-0{}-0{}T23:00", 1 + i % 9, 1 + i % 7)),
            tz: Some("Europe/Paris".into()),
            rrule: Some("FREQ=WEEKLY".into()),
            environments: vec!["prod".into()],
            services: vec![format!("svc-{}", i % 40)],
            ..Default::default()
        })
        .unwrap();
    }
    let mut times: Vec<f64> = (0..runs.min(300))
        .map(|i| {
            let at = start + Duration::hours(60 + (i % 300) as i64);
            let t = Instant::now();
            let p = relm
                .preview_reschedule(&relm_api::reschedule::RescheduleRequest {
                    release: ids[i % ids.len()].clone(),
                    start: at.to_rfc3339(),
                    end: (at + Duration::hours(1)).to_rfc3339(),
                    ..Default::default()
                })
                .unwrap();
            std::hint::black_box(p);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let (mr, p99_r) = (percentile(&times, 0.5), percentile(&times, 0.99));

    // 2. The simulator: every release, two environments, current policy and a draft.
    // The draft drops the approval rules (same rule count): prod verdicts change.
    let draft = thirty.replace(
        "kind = \"approvals\"\ncount = 1\nmax_age_hours = 720",
        "kind = \"notice\"\nhours = 1\nseverity = \"warn\"",
    );
    let t = Instant::now();
    let sim = relm
        .simulate_policy(&draft, "draft.toml", relm_policy::Lang::En)
        .unwrap();
    let simulated = t.elapsed().as_secs_f64();
    assert_eq!(sim.checked as usize, releases * 2);
    assert_eq!(sim.changed.len(), releases, "every prod verdict changes");

    println!("| measure | result | goal |");
    println!("|---|---|---|");
    println!(
        "| verdict, 30 rules (25 built-in + 5 Rego), facts in memory | median {m30:.3} ms, p99 {p99_30:.3} ms | < 1 ms |"
    );
    println!(
        "| verdict, 25 built-in rules, facts in memory | median {mb:.3} ms, p99 {p99_b:.3} ms | |"
    );
    println!(
        "| `check` use-case, 30 rules (policy parse + SQLite read + verdict) | median {mc:.3} ms, p99 {p99_c:.3} ms | |"
    );
    println!(
        "| reschedule preview (the calendar's live check while dragging), {releases} planned releases, 20 recurring entries, 30 rules × 2 environments | median {mr:.3} ms, p99 {p99_r:.3} ms | |"
    );
    println!(
        "| simulator, {} releases × 2 environments, two 30-rule policies | {simulated:.2} s ({} verdicts changed) | < 2 s |",
        releases,
        sim.changed.len()
    );
    println!("| (setup: {releases} releases created in {created:.1} s) | | |");
}
