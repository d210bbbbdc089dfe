//! Ledger benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! 1. Appending signed events in batches through the real use-case (`create_releases`), and the
//!    ratio to raw Ed25519 signing of the same bodies measured in the same run.
//! 2. `audit verify` over a ledger of `RELM_BENCH_EVENTS` (default 1,000,000) events, and the
//!    ratio to raw batch signature verification plus SHA-256 over the same bytes.
//! 3. Opening that store and listing the first page of its 100,000 releases, with the plan.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{TimeZone, Utc};
use ed25519_dalek::VerifyingKey;
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options, ReleaseFilter};
use relm_domain::clock::FixedClock;
use relm_domain::keys;
use relm_identity::keyring::{KeyStore, MemoryKeyStore};
use relm_store::{Store, projection};
use std::sync::Arc;
use std::time::Instant;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let append_n = relm_tests::bench::env_usize("RELM_BENCH_APPEND", 100_000);
    let total = relm_tests::bench::env_usize("RELM_BENCH_EVENTS", 1_000_000);
    let batch = 1_000;
    let dir = tempfile::tempdir().unwrap();
    // RELM_BENCH_KEEP=1 keeps the data dir (printed) for profiling `relm audit verify` on it.
    let keep = std::env::var_os("RELM_BENCH_KEEP").is_some();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    ));
    let keystore = Arc::new(MemoryKeyStore::default());
    let opts = Options {
        data_dir: dir.path().to_path_buf(),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(keystore.clone()),
    };
    let req = InitRequest {
        workspace: "Bench".into(),
        name: "Bench".into(),
        email: "b@bench.example".into(),
    };
    let (mut relm, outcome) = init(&opts, &req).unwrap();
    let key = keystore.get(&outcome.key_id).unwrap().unwrap();

    // 1. Append through the use-case, in batches of `batch` releases per transaction.
    let t = Instant::now();
    let cpu = relm_tests::bench::cpu_seconds();
    for b in 0..append_n / batch {
        let inputs: Vec<_> = (b * batch..(b + 1) * batch)
            .map(relm_tests::bench::release_input)
            .collect();
        relm.create_releases(&inputs).unwrap();
        clock.advance(chrono::Duration::milliseconds(1));
    }
    let append_s = t.elapsed().as_secs_f64();
    let append_cpu = relm_tests::bench::cpu_seconds() - cpu;
    let bodies: Vec<Vec<u8>> = {
        let conn = relm.store().conn();
        let mut stmt = conn
            .prepare("SELECT body FROM events ORDER BY pos LIMIT ?1")
            .unwrap();
        stmt.query_map([append_n as i64], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    // The floor is the fastest of three passes: the first runs while the append's pages are
    // still being written back, which takes CPU from it on a small machine.
    let sign_s = (0..3)
        .map(|_| {
            let t = Instant::now();
            for b in &bodies {
                std::hint::black_box(keys::sign(key.signing_key(), b));
            }
            t.elapsed().as_secs_f64() * append_n as f64 / bodies.len() as f64
        })
        .fold(f64::INFINITY, f64::min);
    drop(relm);

    // 2. Grow the ledger to `total` events with release edits, through the store's append path.
    let db = relm_api::db_path(dir.path());
    let mut store = Store::open(&db).unwrap();
    let t = Instant::now();
    relm_tests::bench::grow_ledger(&mut store, &key, &clock, total);
    let grow_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let report = relm_store::verify::verify(&store).unwrap();
    let verify_s = t.elapsed().as_secs_f64();
    assert!(report.ok, "{:?}", report.problem);

    // Baseline: the same bytes, raw batch verification + SHA-256, single thread and all cores.
    let (bodies, sigs) = relm_tests::bench::signed_bodies(
        store.conn(),
        "SELECT body, sig FROM events ORDER BY hlc, author, seq",
    );
    let vk: VerifyingKey = key.public().0;
    let baseline = |parallel| relm_tests::bench::raw_verify_seconds(&bodies, &sigs, vk, parallel);
    let base_1 = baseline(false);
    let base_n = baseline(true);
    let event_bytes: usize = bodies.iter().map(Vec::len).sum::<usize>() / bodies.len();
    drop((bodies, sigs));
    drop(store);

    // 3. Open the store and list the first page of releases.
    let t = Instant::now();
    let store = Store::open(&db).unwrap();
    let open_ms = t.elapsed().as_secs_f64() * 1e3;
    let filter = ReleaseFilter {
        limit: 100,
        ..Default::default()
    };
    let t = Instant::now();
    let first = projection::releases::list(store.conn(), &filter).unwrap();
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut runs: Vec<f64> = (0..50)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(projection::releases::list(store.conn(), &filter).unwrap());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    let releases = projection::releases::count(store.conn()).unwrap();
    let plan = explain(&store);

    println!("| measure | result |\n|---|---|");
    println!(
        "| append {append_n} events via `create_releases`, {batch} per transaction | {append_s:.2} s = **{:.0} events/s** |",
        append_n as f64 / append_s
    );
    println!("| … CPU time of the append, both threads together | {append_cpu:.2} s |");
    println!(
        "| raw Ed25519 signing of the same {append_n} bodies (fastest of 3 passes) | {sign_s:.2} s = {:.0} signatures/s |",
        append_n as f64 / sign_s
    );
    println!(
        "| append time / raw signing time | **{:.1}×** |",
        append_s / sign_s
    );
    println!("| grow ledger to {total} events (store append path) | {grow_s:.1} s |");
    println!(
        "| `audit verify` over {} events (mean body {event_bytes} B) | **{verify_s:.2} s** |",
        report.events
    );
    println!(
        "| raw batch verify + SHA-256, 1 thread | {base_1:.2} s (ratio verify/this: **{:.2}×**) |",
        verify_s / base_1
    );
    println!(
        "| raw batch verify + SHA-256, all cores | {base_n:.2} s (ratio: {:.2}×) |",
        verify_s / base_n
    );
    println!("| open store of {total} events | {open_ms:.1} ms |");
    println!(
        "| first page (100) of {releases} releases: cold / median of 50 / max | {first_ms:.2} ms / **{:.2} ms** / {:.2} ms |",
        runs[runs.len() / 2],
        runs[runs.len() - 1]
    );
    println!(
        "| peak RSS of the benchmark process | {:.0} MiB |",
        peak_rss_mib()
    );
    println!("| rows on first page | {} |", first.len());
    println!("\nquery plan of the first page:\n```\n{plan}```");
    if keep {
        println!("data dir kept at {}", dir.keep().display());
    }
}

fn explain(store: &Store) -> String {
    // The first page's query as `projection::releases::list` writes it, no filter given.
    let sql = "EXPLAIN QUERY PLAN SELECT id FROM releases WHERE ?1 IS NULL AND ?2 IS NULL
           AND ?3 IS NULL AND ?4 IS NULL AND (?5 IS NULL OR ?6 IS NULL)
         ORDER BY created_hlc DESC, id DESC LIMIT ?7";
    let mut stmt = store.conn().prepare(sql).unwrap();
    let none: Option<String> = None;
    let rows = stmt
        .query_map(
            rusqlite::params![none, none, none, none, none, none, 100],
            |r| r.get::<_, String>(3),
        )
        .unwrap();
    rows.map(|r| format!("{}\n", r.unwrap())).collect()
}
