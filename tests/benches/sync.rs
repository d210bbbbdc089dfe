//! Sync benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! 1. A replica pulls `RELM_BENCH_SYNC` (default 100,000) new events from a folder remote,
//!    verifying each before applying it: events/s, against raw batch signature verification
//!    plus SHA-256 of the same bytes measured in the same run.
//! 2. A no-op sync (nothing new either way) of a replica holding `RELM_BENCH_NOOP_EVENTS`
//!    (default 1,000,000) events whose remote holds the same.
//! 3. The same with 10,000 events from keys no member ever added waiting on the replica.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use relm_api::Relm;
use relm_api::releases::ReleaseInput;
use relm_store::Store;
use std::path::Path;
use std::time::Instant;

fn main() {
    let n = relm_tests::bench::env_usize("RELM_BENCH_SYNC", 100_000);
    let noop_total = relm_tests::bench::env_usize("RELM_BENCH_NOOP_EVENTS", 1_000_000);
    let root = tempfile::tempdir().unwrap();
    let (pair, mut a) = relm_tests::bench::FounderAndReader::new(root.path(), "Bench");
    let (remote, clock, key) = (pair.remote.clone(), pair.clock.clone(), &pair.key);
    let a_dir = pair.a_dir.clone();

    // The founder makes `n` new events: 1,000 releases, then edits.
    let inputs: Vec<_> = (0..1000)
        .map(|i| ReleaseInput {
            service: Some(format!("service-{}", i % 50)),
            version: Some(format!("1.0.{i}")),
            title: Some(format!("Release {i}")),
            environments: Some(vec!["staging".into(), "prod".into()]),
            ..Default::default()
        })
        .collect();
    a.create_releases(&inputs).unwrap();
    drop(a);
    let mut store = Store::open(&relm_api::db_path(&a_dir)).unwrap();
    relm_tests::bench::grow_ledger(&mut store, key, &clock, n + 1);
    drop(store);
    let mut a = Relm::open(&pair.options_a()).unwrap();
    let t = Instant::now();
    let pushed = a.sync(None).unwrap()[0].report.clone().unwrap().pushed;
    let push_s = t.elapsed().as_secs_f64();

    let mut b = Relm::open(&pair.options_b()).unwrap();
    let t = Instant::now();
    let report = b.sync(None).unwrap()[0].report.clone().unwrap();
    let pull_s = t.elapsed().as_secs_f64();
    let added = report.pulled.added;
    assert_eq!(added, pushed);

    // Baseline: the same bytes, raw batch verification + SHA-256, one thread.
    let (bodies, sigs) = relm_tests::bench::signed_bodies(
        b.store().conn(),
        "SELECT body, sig FROM events WHERE seq > 1 ORDER BY pos",
    );
    let raw_s = relm_tests::bench::raw_verify_seconds(&bodies, &sigs, key.public().0, false)
        * added as f64
        / bodies.len() as f64;
    drop((bodies, sigs));

    // No-op sync at `noop_total` events: grow the founder, push, then sync again.
    drop(a);
    let mut store = Store::open(&relm_api::db_path(&a_dir)).unwrap();
    let t = Instant::now();
    relm_tests::bench::grow_ledger(&mut store, key, &clock, noop_total);
    let grow_s = t.elapsed().as_secs_f64();
    drop(store);
    let mut a = Relm::open(&pair.options_a()).unwrap();
    let t = Instant::now();
    a.sync(None).unwrap();
    let big_push_s = t.elapsed().as_secs_f64();
    let files = relm_tests::Replica::files_under(&remote).len();
    let mut runs: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let r = a.sync(None).unwrap()[0].report.clone().unwrap();
            assert_eq!((r.pushed, r.pulled.added), (0, 0));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    let events = relm_store::events::count(a.store().conn()).unwrap();

    // 10,000 events from keys no member ever added wait on the replica: a sync that brings
    // nothing new must not re-judge them.
    let workspace: String = a
        .store()
        .conn()
        .query_row("SELECT id FROM workspace", [], |r| r.get(0))
        .unwrap();
    let mut strangers = Vec::new();
    for seed in 1..=10u8 {
        let mut f = relm_tests::forge::Forger::stranger(seed + 200, &workspace);
        for i in 0..1_000u64 {
            strangers.push(f.next(
                1_700_000_000_000 + i,
                "release.status_changed",
                serde_json::json!({"release_id": "r", "from": "draft", "to": "cancelled"}),
            ));
        }
    }
    relm_tests::forge::plant(&remote, "strangers", &workspace, &strangers);
    let first = a.sync(None).unwrap()[0].report.clone().unwrap();
    assert_eq!(first.pulled.pending, 10_000);
    let mut waiting: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let r = a.sync(None).unwrap()[0].report.clone().unwrap();
            assert_eq!((r.pushed, r.pulled.received), (0, 0));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    waiting.sort_by(f64::total_cmp);

    // The same replica on a git remote (a bare repository on disk): the first push of the
    // whole ledger, the repository's size, and a no-op sync (a fetch, nothing to merge or push).
    let bare = a_dir.parent().unwrap().join("ledger.git");
    let made = std::process::Command::new("git")
        .args(["init", "-q", "--bare", "-b", "main"])
        .arg(&bare)
        .output()
        .unwrap();
    assert!(made.status.success());
    a.add_remote("git", Path::new(&format!("git+file://{}", bare.display())))
        .unwrap();
    let t = Instant::now();
    let first_git = a.sync(Some("git")).unwrap()[0].report.clone().unwrap();
    let git_push_s = t.elapsed().as_secs_f64();
    let git_bytes = relm_tests::bench::dir_size(&bare);
    let mut git_runs: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let r = a.sync(Some("git")).unwrap()[0].report.clone().unwrap();
            assert_eq!((r.pushed, r.pulled.added), (0, 0));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    git_runs.sort_by(f64::total_cmp);

    println!("| measure | result |\n|---|---|");
    println!("| push {pushed} events to a folder remote | {push_s:.2} s |");
    println!(
        "| pull {added} new events (verify + apply) | {pull_s:.2} s = **{:.0} events/s** |",
        added as f64 / pull_s
    );
    println!(
        "| raw batch verify + SHA-256 of the same events, 1 thread | {raw_s:.2} s = {:.0} events/s (pull/raw: {:.2}×) |",
        added as f64 / raw_s,
        pull_s / raw_s
    );
    println!("| grow the founder to {events} events | {grow_s:.1} s |");
    println!("| push the rest ({files} files on the remote) | {big_push_s:.1} s |");
    println!(
        "| no-op sync at {events} events: median of 7 / max | **{:.1} ms** / {:.1} ms |",
        runs[runs.len() / 2],
        runs[runs.len() - 1]
    );
    println!(
        "| no-op sync with 10000 events waiting for unknown keys: median of 7 / max | **{:.1} ms** / {:.1} ms |",
        waiting[waiting.len() / 2],
        waiting[waiting.len() - 1]
    );
    println!(
        "| git remote: first push of {} events ({} files), commit + push | {git_push_s:.1} s; repository {:.0} MB |",
        first_git.pushed,
        first_git.pushed_files.len(),
        git_bytes as f64 / 1e6
    );
    println!(
        "| git remote: no-op sync at {events} events (fetch, nothing to merge or push): median of 7 / max | **{:.1} ms** / {:.1} ms |",
        git_runs[git_runs.len() / 2],
        git_runs[git_runs.len() - 1]
    );
}
