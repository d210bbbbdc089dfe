//! SBOM benchmarks (`cargo bench -p relm-tests --bench sbom`). Prints a Markdown table for
//! docs/BENCHMARKS.md.
//!
//! 1. Attaching an SBOM of `RELM_BENCH_SBOM_PACKAGES` (default 5,000) packages to a release of
//!    a workspace (read, checked, signed, appended, projected): median of 7, and reading alone.
//! 2. `sbom where` across `RELM_BENCH_SBOM_RELEASES` (default 10,000) releases of
//!    `RELM_BENCH_SBOM_EACH` (default 2,000) packages each. The releases are real (created
//!    through the API); their packages are written straight into the projection table, as
//!    attachments would leave them (attaching 20 million packages through the ledger would
//!    take the benchmark an hour and 3 GB of events for what the query does not read).

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{TimeZone, Utc};
use relm_api::releases::ReleaseInput;
use relm_domain::release::Component;
use relm_tests::bench::env_usize;
use serde_json::json;
use std::time::Instant;

/// A CycloneDX 1.6 document of `n` npm packages, about as a real tree looks.
fn document(n: usize, salt: usize) -> Vec<u8> {
    let licences = [
        "MIT",
        "ISC",
        "Apache-2.0",
        "BSD-3-Clause",
        "MIT OR Apache-2.0",
    ];
    let components: Vec<_> = (0..n)
        .map(|i| {
            let name = format!("package-{i:05}");
            let version = format!("{}.{}.{}", 1 + i % 7, (i + salt) % 13, i % 5);
            json!({
                "type": "library", "bom-ref": format!("{name}@{version}"),
                "name": name, "version": version,
                "purl": format!("pkg:npm/{name}@{version}"),
                "licenses": [{"license": {"id": licences[i % licences.len()]}}],
                "hashes": [{"alg": "SHA-512", "content": "ab".repeat(64)}],
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"tools": {"components": [{"group": "@cyclonedx", "name": "cyclonedx-npm", "version": "1.19.3"}]},
                     "component": {"type": "application", "name": "shop", "version": "1.0.0"}},
        "components": components,
    }))
    .unwrap()
}

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    let n = env_usize("RELM_BENCH_SBOM_PACKAGES", 5_000);
    let releases = env_usize("RELM_BENCH_SBOM_RELEASES", 10_000);
    let each = env_usize("RELM_BENCH_SBOM_EACH", 2_000);
    let root = tempfile::tempdir().unwrap();
    let (mut relm, _, _) = relm_tests::bench::workspace(
        root.path(),
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    );
    let web = || {
        Some(vec![Component {
            name: "web".into(),
            version: "1.0.0".into(),
            digest: None,
        }])
    };
    let id = relm
        .create_release(&ReleaseInput {
            service: Some("shop".into()),
            version: Some("1.0.0".into()),
            title: Some("Shop".into()),
            environments: Some(vec!["prod".into()]),
            components: web(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let doc = document(n, 0);
    let reads = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                assert_eq!(relm_sbom::read(&doc).unwrap().packages.len(), n);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );
    let attaches = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let out = relm.attach_sbom(&id, "web", &doc, "bench.json").unwrap();
                assert_eq!(out.packages as usize, n);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );
    println!("| measure | median / max | goal |");
    println!("|---|---|---|");
    println!(
        "| attach an SBOM of {n} packages ({} KB of CycloneDX JSON): read, checked, signed, appended, projected | **{:.0} ms** / {:.0} ms | < 300 ms |",
        doc.len() / 1000,
        attaches.0,
        attaches.1
    );
    println!(
        "| … reading it alone | {:.0} ms / {:.0} ms | — |",
        reads.0, reads.1
    );

    // 2. Where a package ships, across many releases.
    let inputs: Vec<_> = (0..releases)
        .map(|i| ReleaseInput {
            service: Some(format!("service-{}", i % 200)),
            version: Some(format!("2.{}.0", i)),
            title: Some(format!("Release {i}")),
            environments: Some(vec!["prod".into()]),
            components: web(),
            ..Default::default()
        })
        .collect();
    let t = Instant::now();
    let ids = relm.create_releases(&inputs).unwrap();
    let create_s = t.elapsed().as_secs_f64();
    drop(relm);
    let t = Instant::now();
    {
        let db = relm_api::db_path(&root.path().join("a"));
        let mut conn = rusqlite::Connection::open(db).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO sbom_packages (release_id, component, ord, name, version, purl, licenses)
                     VALUES (?1, 'web', ?2, ?3, ?4, ?5, '[\"MIT\"]')",
                )
                .unwrap();
            for (r, rid) in ids.iter().enumerate() {
                for i in 0..each {
                    // Most packages are in every release; their versions move now and then.
                    let name = if i == 0 {
                        "openssl".to_string()
                    } else {
                        format!("package-{i:05}")
                    };
                    let version = format!("3.0.{}", (r / 100 + i) % 20);
                    stmt.execute(rusqlite::params![
                        rid,
                        i as i64,
                        name,
                        version,
                        format!("pkg:generic/{name}@{version}")
                    ])
                    .unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
    let fill_s = t.elapsed().as_secs_f64();
    let relm = relm_api::Relm::open(&relm_api::Options {
        data_dir: root.path().join("a"),
        clock: std::sync::Arc::new(relm_domain::clock::FixedClock::new(
            Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
        )),
        keyring: relm_api::KeyringChoice::Given(std::sync::Arc::new(
            relm_identity::keyring::MemoryKeyStore::default(),
        )),
    })
    .unwrap();
    let exact = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let hits = relm.sbom_where("openssl", Some("3.0.7")).unwrap();
                assert!(!hits.is_empty());
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );
    let rare = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let hits = relm.sbom_where("package-01234", Some("3.0.0")).unwrap();
                assert!(!hits.is_empty());
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );
    let any = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let hits = relm.sbom_where("OpenSSL", None).unwrap();
                assert_eq!(hits.len(), relm_api::sbom::WHERE_LIMIT as usize);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );
    println!(
        "| `sbom where openssl --version 3.0.7` across {releases} releases × {each} packages ({} rows) | **{:.1} ms** / {:.1} ms | < 50 ms |",
        releases * each,
        exact.0,
        exact.1
    );
    println!(
        "| … a package at one version in fewer releases (`package-01234 --version 3.0.0`) | {:.1} ms / {:.1} ms | < 50 ms |",
        rare.0, rare.1
    );
    println!(
        "| … any version, without case (`OpenSSL`: the first {} of {releases}) | {:.1} ms / {:.1} ms | < 50 ms |",
        relm_api::sbom::WHERE_LIMIT,
        any.0,
        any.1
    );
    println!(
        "(set-up: {releases} releases created in {create_s:.1} s; {} package rows written in {fill_s:.1} s)",
        releases * each
    );
}
