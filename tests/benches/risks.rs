//! Risk benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! A workspace with `RELM_BENCH_RISKS` (default 10,000) risks in the register, a quarter of
//! them linked to the assessed release's service, and `RELM_BENCH_DEPLOYMENTS` (default 1,000)
//! deployments of that service's releases, a tenth of them failed:
//! 1. one release's assessment (`relm risk assess`'s work without process start): median and
//!    99th percentile of 500 runs;
//! 2. the register page as the app loads it (every risk, highest first) and its first 100
//!    rows, and the dashboard's counts.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{TimeZone, Utc};
use relm_api::releases::ReleaseInput;
use relm_api::risks::{RiskInput, RiskQuery};
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options};
use relm_domain::clock::FixedClock;
use relm_domain::payload::Outcome;
use relm_identity::keyring::MemoryKeyStore;
use relm_tests::bench::timed;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let risks = relm_tests::bench::env_usize("RELM_BENCH_RISKS", 10_000);
    let deployments = relm_tests::bench::env_usize("RELM_BENCH_DEPLOYMENTS", 1_000);
    let root = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    ));
    let opts = Options {
        data_dir: root.path().join("a"),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let req = InitRequest {
        workspace: "Bench".into(),
        name: "Ann".into(),
        email: "ann@bench.example".into(),
    };
    let (mut relm, _) = init(&opts, &req).unwrap();

    let t = Instant::now();
    let releases: Vec<ReleaseInput> = (0..100)
        .map(|i| ReleaseInput {
            service: Some("payments-api".into()),
            version: Some(format!("1.{i}.0")),
            title: Some("Bench release".into()),
            environments: Some(vec!["staging".into(), "prod".into()]),
            window: Some((
                format!("2027-01-{:02}T10:00", 5 + i % 20),
                format!("2027-01-{:02}T11:00", 5 + i % 20),
                "Europe/Paris".into(),
            )),
            ..ReleaseInput::default()
        })
        .collect();
    let ids = relm.create_releases(&releases).unwrap();
    for d in 0..deployments {
        let outcome = if d % 10 == 0 {
            Outcome::Failed
        } else {
            Outcome::Succeeded
        };
        relm.record_deployment(&ids[d % ids.len()], "staging", outcome, None)
            .unwrap();
    }
    for i in 0..risks {
        relm.add_risk(&RiskInput {
            title: Some(format!("Risk {i}")),
            category: Some(["technical", "security", "operational"][i % 3].into()),
            likelihood: Some((i % 5 + 1) as u8),
            impact: Some((i / 5 % 5 + 1) as u8),
            services: Some(vec![if i % 4 == 0 {
                "payments-api".into()
            } else {
                format!("svc-{}", i % 40)
            }]),
            ..RiskInput::default()
        })
        .unwrap();
    }
    let seeded = t.elapsed().as_secs_f64();

    let release = ids[0].clone();
    let (assess_p50, assess_p99) = timed(500, || {
        std::hint::black_box(relm.assess_release(&release).unwrap());
    });
    let (page_p50, page_p99) = timed(20, || {
        std::hint::black_box(
            relm.risks(&RiskQuery {
                limit: Some(10_000),
                ..RiskQuery::default()
            })
            .unwrap(),
        );
    });
    let (first_p50, first_p99) = timed(100, || {
        std::hint::black_box(
            relm.risks(&RiskQuery {
                limit: Some(100),
                ..RiskQuery::default()
            })
            .unwrap(),
        );
    });
    let (heat_p50, heat_p99) = timed(100, || {
        std::hint::black_box(relm.risk_heatmap(&RiskQuery::default()).unwrap());
    });
    let (counts_p50, counts_p99) = timed(200, || {
        std::hint::black_box(relm.risk_counts().unwrap());
    });
    println!("seeded {risks} risks, {deployments} deployments, 100 releases in {seeded:.1} s\n");
    println!("| Measure | Median | p99 |");
    println!("|---|---:|---:|");
    println!(
        "| One release's assessment ({risks} risks, {deployments} deployments) | {assess_p50:.2} ms | {assess_p99:.2} ms |"
    );
    println!("| The register, every risk ({risks}) | {page_p50:.1} ms | {page_p99:.1} ms |");
    println!("| The register's first 100 rows | {first_p50:.2} ms | {first_p99:.2} ms |");
    println!(
        "| The register's heat maps, every risk counted | {heat_p50:.2} ms | {heat_p99:.2} ms |"
    );
    println!("| The dashboard's risk counts | {counts_p50:.2} ms | {counts_p99:.2} ms |");
}
