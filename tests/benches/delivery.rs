//! Delivery benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! 1. `relm metrics` over a year holding `RELM_BENCH_DEPLOYMENTS` (default 100,000) deployments
//!    of `RELM_BENCH_RELEASES` (default 20,000) releases of 20 services, each release submitted
//!    and approved: the releases through the use-cases, the deployments, approvals and status
//!    moves written straight into the projection tables the metrics read (recording 100,000
//!    deployments through the use-cases computes each one's deviations: minutes, and not what is
//!    measured here; what apply keeps beside them, each release's submission, first deployment and the
//!    reviews made mandatory, is filled the same way). Median and 99th percentile of 20 runs, for every service and for one.
//! 2. Drafting the review of a release with 500 events (deployments, approvals, rehearsals,
//!    plans), through the use-cases: median and 99th percentile of 100 runs.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{TimeZone, Utc};
use relm_api::Relm;
use relm_api::releases::ReleaseInput;
use relm_store::rusqlite::{Connection, params};
use relm_tests::bench::timed;
use std::time::Instant;

fn main() {
    let deployments = relm_tests::bench::env_usize("RELM_BENCH_DEPLOYMENTS", 100_000);
    let releases = relm_tests::bench::env_usize("RELM_BENCH_RELEASES", 20_000);
    let root = tempfile::tempdir().unwrap();
    // The year measured is 2026; the workspace is made at its end.
    let (mut relm, opts, clock) = relm_tests::bench::workspace(
        root.path(),
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    );

    let t = Instant::now();
    let mut ids = Vec::with_capacity(releases);
    for chunk in 0..releases.div_ceil(1000) {
        let inputs: Vec<ReleaseInput> = (chunk * 1000..((chunk + 1) * 1000).min(releases))
            .map(|i| ReleaseInput {
                service: Some(format!("svc-{:02}", i % 20)),
                version: Some(format!("1.{}.{}", i / 1000, i % 1000)),
                title: Some("Bench release".into()),
                environments: Some(vec!["staging".into(), "prod".into()]),
                ..ReleaseInput::default()
            })
            .collect();
        ids.extend(relm.create_releases(&inputs).unwrap());
    }
    let review_release = ids[0].clone();
    drop(relm);
    {
        let mut conn = Connection::open(relm_api::db_path(&opts.data_dir)).unwrap();
        let tx = conn.transaction().unwrap();
        let year = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let span = 365 * 86_400_000i64;
        let packed = |ms: i64| ms << 16;
        {
            let mut planned = tx
                .prepare(
                    "INSERT INTO release_status_history (release_id, event_id, from_status, to_status, note, at_hlc, by_key)
                     VALUES (?1, ?2, 'draft', 'planned', NULL, ?3, 'bench')",
                )
                .unwrap();
            let mut approved = tx
                .prepare(
                    "INSERT INTO approvals (event_id, release_id, environment, decision, release_digest,
                       policy_version, expires_at, comment, at_hlc, by_key)
                     VALUES (?1, ?2, 'prod', 'approve', 'sha256:x', 1, NULL, '', ?3, 'bench')",
                )
                .unwrap();
            for (i, id) in ids.iter().enumerate() {
                let at = year.timestamp_millis() + (i as i64 * span / releases as i64);
                planned
                    .execute(params![id, format!("plan-{i}"), packed(at)])
                    .unwrap();
                approved
                    .execute(params![format!("appr-{i}"), id, packed(at + 86_400_000)])
                    .unwrap();
            }
            let mut deploy = tx
                .prepare(
                    "INSERT INTO deployments (event_id, release_id, environment, outcome, recorded_outcome,
                       release_digest, note, at_hlc, by_key, started_ms, ended_ms, service, tool,
                       deviations, deviation_count)
                     VALUES (?1, ?2, ?3, ?4, ?4, 'sha256:x', '', ?5, 'bench', ?6, ?7, ?8, 'bench', ?9, ?10)",
                )
                .unwrap();
            for d in 0..deployments {
                let r = d % releases;
                let env = if d % 10 < 3 { "staging" } else { "prod" };
                let outcome = match d % 20 {
                    0 | 1 => "failed",
                    2 => "rolled_back",
                    _ => "succeeded",
                };
                let start = year.timestamp_millis()
                    + (r as i64 * span / releases as i64)
                    + 2 * 86_400_000
                    + (d / releases) as i64 * 3_600_000;
                let deviating = d % 10 == 9;
                deploy
                    .execute(params![
                        format!("dep-{d}"),
                        ids[r],
                        env,
                        outcome,
                        packed(start + 1_200_000),
                        start,
                        start + 1_200_000,
                        format!("svc-{:02}", r % 20),
                        if deviating {
                            r#"[{"kind":"outside_window","window":null}]"#
                        } else {
                            "[]"
                        },
                        i64::from(deviating),
                    ])
                    .unwrap();
            }
        }
        // What every replica's apply keeps beside the deployments: each release's first one,
        // and the reviews they made mandatory.
        tx.execute_batch(
            "UPDATE releases SET first_deployed_ms =
               (SELECT min(started_ms) FROM deployments d WHERE d.release_id = releases.id),
               submitted_ms = (SELECT min(at_hlc) >> 16 FROM release_status_history h
                 WHERE h.release_id = releases.id AND h.to_status = 'planned');
             INSERT INTO review_requirements (release_id, since_ms, reasons)
               SELECT release_id, min(ended_ms), group_concat(DISTINCT reason) FROM (
                 SELECT release_id, ended_ms, outcome AS reason FROM deployments
                   WHERE outcome IN ('failed', 'rolled_back')
                 UNION ALL
                 SELECT release_id, ended_ms, 'deviation' FROM deployments
                   WHERE deviation_count > 0 ORDER BY 3)
               GROUP BY release_id;",
        )
        .unwrap();
        tx.commit().unwrap();
        // One transaction of 90 MB leaves a WAL as large: fold it into the database, as the
        // automatic checkpoints of everyday writes keep it.
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    let seeded = t.elapsed().as_secs_f64();
    let relm = Relm::open(&opts).unwrap();
    let (all_p50, all_p99) = timed(20, || {
        std::hint::black_box(
            relm.metrics("2026-01-01", "2026-12-31", None, None)
                .unwrap(),
        );
    });
    let (one_p50, one_p99) = timed(20, || {
        std::hint::black_box(
            relm.metrics("2026-01-01", "2026-12-31", Some("svc-07"), None)
                .unwrap(),
        );
    });
    let m = relm
        .metrics("2026-01-01", "2026-12-31", None, None)
        .unwrap();
    // For a profiler (`perf record`): that many more runs, so that they outweigh the seeding.
    for _ in 0..relm_tests::bench::env_usize("RELM_BENCH_PROFILE_METRICS", 0) {
        std::hint::black_box(
            relm.metrics("2026-01-01", "2026-12-31", None, None)
                .unwrap(),
        );
    }
    drop(relm);
    // What `relm metrics` does: open the workspace, then measure once (an empty page cache).
    let (cold_p50, cold_p99) = timed(10, || {
        let relm = Relm::open(&opts).unwrap();
        std::hint::black_box(
            relm.metrics("2026-01-01", "2026-12-31", None, None)
                .unwrap(),
        );
    });

    // A release with 500 events, recorded through the use-cases.
    let mut relm = Relm::open(&opts).unwrap();
    clock.set(Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap());
    let events = relm_tests::bench::busy_release(&mut relm, &review_release, 500);
    relm.draft_review(&review_release).unwrap();
    let (review_p50, review_p99) = timed(100, || {
        std::hint::black_box(relm.review(&review_release).unwrap());
    });
    let timeline = relm.review(&review_release).unwrap().timeline.len();

    println!(
        "seeded {releases} releases and {deployments} deployments in {seeded:.1} s; {} in the year's production metrics\n",
        m.deployments
    );
    println!("| Measure | Median | p99 |");
    println!("|---|---:|---:|");
    println!(
        "| `relm metrics` over a year, every service ({deployments} deployments, {releases} releases) | {all_p50:.1} ms | {all_p99:.1} ms |"
    );
    println!("| … one service | {one_p50:.1} ms | {one_p99:.1} ms |");
    println!(
        "| … every service, opening the workspace first (what one `relm metrics` run does) | {cold_p50:.1} ms | {cold_p99:.1} ms |"
    );
    println!(
        "| Drafting the review of a release with {events} events ({timeline} timeline lines) | {review_p50:.2} ms | {review_p99:.2} ms |"
    );
}
