//! The backend calls behind the app's pages, on an organization's workspace, in one process
//! (`make bench-app` runs it after seeding; `RELM_BENCH_DIR=DIR cargo bench -p relm-tests
//! --bench pages` on a data dir seeded by `relm-seed-big`, its key in the kernel keyring).
//!
//! `RELM_BENCH_CACHE_KIB` sets the connection's page cache (the app's readers keep 8,192 KiB).
//!
//! Each call is made as the app makes it (a read transaction around it, the periods the pages
//! ask for by default, relative to now), `RELM_BENCH_RUNS` times (7 by default) after one call
//! that warms the caches; the first call, the median and the slowest of the others are printed
//! as a Markdown table. A name on the command line keeps the calls whose name contains it.
//!
//! The app's own figures (`tests/bench/app.mjs`) add WebKit, the rendering and two cores
//! shared between a page's concurrent calls; these are the backend's alone, and what a change
//! to a use-case is measured by.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)] // a benchmark reports on stdout

use chrono::{Duration, Utc};
use relm_api::{KeyringChoice, Options, Relm};
use std::sync::Arc;
use std::time::Instant;

fn day(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn main() {
    let Ok(dir) = std::env::var("RELM_BENCH_DIR") else {
        println!(
            "pages: set RELM_BENCH_DIR to a data dir seeded by relm-seed-big (make bench-app)"
        );
        return;
    };
    // The app's clock: the pages ask about the periods around now.
    let clock = Arc::new(relm_domain::clock::SystemClock);
    let now = relm_domain::clock::Clock::now(clock.as_ref());
    let relm = Relm::open(&Options {
        data_dir: dir.into(),
        clock,
        keyring: KeyringChoice::Os,
    })
    .expect("open the seeded workspace (RELM_KEYRING=kernel, the key seeded with it)");
    // The connection's page cache: the store's default unless `RELM_BENCH_CACHE_KIB` says
    // otherwise (the app's readers keep 8 MiB: 8192).
    if let Ok(kib) = std::env::var("RELM_BENCH_CACHE_KIB") {
        let kib: u32 = kib.parse().expect("RELM_BENCH_CACHE_KIB: a number of KiB");
        let pragma = format!("PRAGMA cache_size = -{kib}");
        relm.store().conn().execute_batch(&pragma).unwrap();
    }
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let runs = relm_tests::bench::env_usize("RELM_BENCH_RUNS", 7);
    let zone = Some("Europe/Paris".to_string());

    println!("| call (the page that makes it) | first | median | slowest |");
    println!("|---|---|---|---|");
    let time = |name: &str, f: &mut dyn FnMut()| {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            return;
        }
        let mut once = || {
            let _snapshot = relm.store().snapshot().unwrap();
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        };
        let first = once();
        let mut times: Vec<f64> = (0..runs).map(|_| once()).collect();
        times.sort_by(f64::total_cmp);
        let median = relm_tests::bench::percentile(&times, 0.5);
        let slowest = times.last().copied().unwrap_or(first);
        println!("| {name} | {first:.1} ms | {median:.1} ms | {slowest:.1} ms |");
    };

    // The dashboard.
    let style = relm_api::gates::style(relm_policy::Lang::En, zone.as_deref()).unwrap();
    time("pending decisions (dashboard)", &mut || {
        relm.pending_my_decision(style).unwrap();
    });
    time("upcoming releases, 8 (dashboard)", &mut || {
        relm.upcoming_releases(8).unwrap();
    });
    time("reviews due and overdue (dashboard)", &mut || {
        relm.review_counts().unwrap();
    });
    // The release list.
    let first_page = relm_api::releases::ReleaseQuery {
        limit: Some(100),
        ..Default::default()
    };
    time("release list, 100 rows (releases)", &mut || {
        relm.query_releases(&first_page).unwrap();
    });
    // The calendar's month.
    let (from, to) = (now - Duration::days(33), now + Duration::days(9));
    let month = relm_api::releases::ReleaseQuery {
        sort: Some("window".into()),
        from: Some(from.to_rfc3339()),
        to: Some(to.to_rfc3339()),
        limit: Some(500),
        ..Default::default()
    };
    time("releases of a month, 500 (calendar)", &mut || {
        relm.query_releases(&month).unwrap();
    });
    time("calendar listing of a month (calendar)", &mut || {
        relm.calendar_listing(&day(from), &day(to), zone.as_deref())
            .unwrap();
    });
    time("conflicts, 50 worded (calendar)", &mut || {
        relm.calendar_conflict_summary(50, None).unwrap();
    });
    // Metrics over the last thirteen weeks, and the latest deployments they count.
    let (from, to) = (day(now - Duration::days(90)), day(now));
    time("metrics, 13 weeks (metrics)", &mut || {
        relm.metrics(&from, &to, None, None).unwrap();
    });
    let environments = relm.metrics(&from, &to, None, None).unwrap().environments;
    let latest = relm_api::deployments::DeploymentQuery {
        environments: Some(environments),
        from: Some(from.clone()),
        to: Some(to.clone()),
        limit: Some(200),
        ..Default::default()
    };
    time("latest 200 deployments (metrics)", &mut || {
        relm.deployments(&latest).unwrap();
    });
    // The digest the communication page opens on: the week behind and the two ahead.
    let digest = relm_api::digest::DigestQuery {
        from: day(now - Duration::days(7)),
        to: day(now + Duration::days(14)),
        environment: None,
        lang: Some("en".into()),
        zone: zone.clone(),
    };
    time("digest of three weeks (communication)", &mut || {
        relm.digest_preview(&digest).unwrap();
    });
    // The audit trail's latest hundred events.
    let audit = relm_api::audit::AuditQuery {
        limit: Some(100),
        ..Default::default()
    };
    time("audit trail, 100 events (audit)", &mut || {
        relm.audit(&audit).unwrap();
    });
}
