//! Report benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! The dossier of a release with `RELM_BENCH_EVENTS` (default 200) events of its own
//! (deployments, rollback plans and rehearsals, recorded through the use-cases) in a workspace
//! of `RELM_BENCH_RELEASES` (default 1,000) other releases: gathering its facts and evidence,
//! laying it out, and writing the PDF, as `relm report release` does. Median and 99th
//! percentile of 20 runs.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{TimeZone, Utc};
use relm_api::releases::ReleaseInput;
use relm_api::reports::ReportOptions;
use relm_report::{Lang, Paper};
use relm_tests::bench::{env_usize, timed};

fn main() {
    let wanted = env_usize("RELM_BENCH_EVENTS", 200);
    let others = env_usize("RELM_BENCH_RELEASES", 1_000);
    let root = tempfile::tempdir().unwrap();
    let (mut relm, _, clock) = relm_tests::bench::workspace(
        root.path(),
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    );
    let inputs: Vec<ReleaseInput> = (0..=others)
        .map(|i| ReleaseInput {
            service: Some(format!("svc-{:02}", i % 20)),
            version: Some(format!("1.{}.{}", i / 1000, i % 1000)),
            title: Some("Bench release".into()),
            environments: Some(vec!["staging".into(), "prod".into()]),
            ..ReleaseInput::default()
        })
        .collect();
    let ids = relm.create_releases(&inputs).unwrap();
    let id = ids[0].clone();
    clock.set(Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap());
    // Its creation, and the rest.
    let events = 1 + relm_tests::bench::busy_release(&mut relm, &id, wanted - 1);
    let out = root.path().join("dossier.pdf");
    let report = ReportOptions {
        lang: Lang::En,
        zone: Some("Europe/Paris".into()),
        at: Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap(),
    };
    let mut written = None;
    let (p50, p99) = timed(20, || {
        written = Some(
            relm.write_release_report(&id, &out, Paper::A4, &report)
                .unwrap(),
        );
    });
    let w = written.unwrap();
    println!("| Measure | Median | p99 |");
    println!("|---|---:|---:|");
    println!(
        "| `relm report release`: the dossier of a release with {events} events ({} pages, {} bytes, {} evidence events) among {others} releases | {p50:.1} ms | {p99:.1} ms |",
        w.pages, w.bytes, w.events
    );
}
