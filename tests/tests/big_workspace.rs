//! The large-organization workspace that `make bench-app` opens in the app
//! (`relm_tests::big`), seeded small: it must be a workspace the product accepts as its own —
//! every event authentic and in force, the projections equal to a rebuild — with what each page
//! shows in it.

use chrono::{NaiveDate, TimeZone, Utc};
use relm_api::KeyringChoice;
use relm_api::risks::RiskQuery;
use relm_identity::keyring::MemoryKeyStore;
use relm_tests::big::{Sizes, seed};
use std::sync::Arc;

#[test]
fn the_big_workspace_seeds_in_proportion_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(relm_domain::clock::FixedClock::new(
        Utc.with_ymd_and_hms(2027, 5, 1, 0, 0, 0).unwrap(),
    ));
    let opts = relm_api::Options {
        data_dir: dir.path().join("big"),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let today = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap();
    let sizes = Sizes {
        events: 4_000,
        releases: 400,
        risks: 40,
        calendar: 20,
        members: 10,
    };
    let seeded = seed(&opts, &clock, today, sizes, &|_| {});
    assert_eq!(seeded.events, 4_000);
    assert_eq!(seeded.releases, 400);
    assert!(seeded.past_releases * 10 > seeded.releases * 8);

    let relm = relm_api::Relm::open(&opts).unwrap();
    let report = relm.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events, 4_000);
    assert_eq!(report.not_applied, 0, "every seeded event takes effect");
    assert_eq!(
        report.authors, 8,
        "the founder, managers and approvers sign; auditors do not"
    );

    let summary = relm.summary().unwrap();
    assert_eq!(summary.members, 10);
    assert_eq!(summary.releases as usize, seeded.releases);
    let by = |s: &str| summary.releases_by_status.get(s).copied().unwrap_or(0) as usize;
    // Failures move on to reviewed once their review is signed off.
    assert_eq!(
        by("deployed") + by("failed") + by("reviewed"),
        seeded.past_releases
    );
    assert!(by("reviewed") > 0 && by("approved") + by("planned") + by("draft") > 0);
    assert_eq!(relm.calendar_entries().unwrap().len(), 20);
    let risks = relm
        .risks(&RiskQuery {
            limit: Some(1000),
            ..RiskQuery::default()
        })
        .unwrap();
    assert_eq!(risks.len(), 40);
    // Approvals and deployments are in the projections the pages read.
    let count = |sql: &str| -> i64 {
        relm.store()
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    assert!(count("SELECT count(*) FROM approvals") as usize >= 2 * seeded.past_releases);
    assert_eq!(
        count("SELECT count(*) FROM deployments") as usize,
        2 * seeded.past_releases
    );
    // A healthy organization: releases planned around the freezes, rehearsed, approved twice
    // for production, and every failure reviewed and signed off in two days. Nothing deviates,
    // and the only required reviews are the failures', all done.
    assert_eq!(
        count("SELECT count(*) FROM deployments WHERE deviation_count > 0"),
        0
    );
    let failed = count("SELECT count(*) FROM deployments WHERE outcome = 'failed'");
    assert!(failed > 0);
    assert_eq!(count("SELECT count(*) FROM review_requirements"), failed);
    assert_eq!(
        count("SELECT count(*) FROM reviews WHERE signed_hlc IS NOT NULL"),
        failed
    );
    // Nor is any release still to go out blocked by the calendar.
    let blocked = relm.calendar_conflict_summary(1, None).unwrap();
    assert_eq!(blocked.errors, 0, "{:?}", blocked.conflicts);

    // The digest of all of it lists the first 200 of each section and counts the rest: every
    // release still to go out with a window, and every deployment, in the order they went out.
    let d = relm
        .digest(&relm_api::digest::DigestQuery {
            from: "2020-01-01".into(),
            to: "2030-12-31".into(),
            ..Default::default()
        })
        .unwrap();
    let all = |l: usize, more: u32| l as i64 + i64::from(more);
    assert_eq!(
        all(d.planned.items.len(), d.planned.more),
        count(
            "SELECT count(*) FROM releases WHERE window_start IS NOT NULL
               AND status IN ('planned', 'approved', 'deploying')"
        )
    );
    assert_eq!(
        all(d.shipped.items.len(), d.shipped.more),
        count("SELECT count(*) FROM deployments WHERE outcome = 'succeeded'")
    );
    assert_eq!(
        all(d.failed.items.len(), d.failed.more),
        count("SELECT count(*) FROM deployments WHERE outcome <> 'succeeded'")
    );
    assert_eq!(d.shipped.items.len(), relm_api::digest::MAX_ITEMS);
    assert!(d.shipped.more > 0, "more shipped than are listed");
    let when: Vec<&str> = d.shipped.items.iter().map(|r| r.when.as_str()).collect();
    assert!(when.is_sorted(), "in the order they went out: {when:?}");
    let earliest: String = relm
        .store()
        .conn()
        .query_row(
            "SELECT strftime('%Y-%m-%d %H:%M UTC', min(started_ms) / 1000, 'unixepoch')
             FROM deployments WHERE outcome = 'succeeded'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(when[0], earliest);

    // The metrics read the period's releases and approvals by key or in one pass: the same
    // figures either way, over a quarter, a year and all of it, for all services and one.
    use relm_store::projection::metrics::{Read, force_read};
    for (from, to) in [
        ("2027-02-01", "2027-04-30"),
        ("2026-05-01", "2027-04-30"),
        ("2023-01-01", "2027-12-31"),
    ] {
        for service in [None, Some("svc-007")] {
            let figures = |read| {
                force_read(Some(read));
                let m = relm.metrics(from, to, service, None).unwrap();
                force_read(None);
                serde_json::to_value(m).unwrap()
            };
            let by_key = figures(Read::ByKey);
            if service.is_none() {
                assert!(by_key["deployments"].as_u64().unwrap() > 0, "{from}");
                assert!(!by_key["approval_lead_time_hours_median"].is_null());
            }
            assert_eq!(by_key, figures(Read::Scan), "{from} to {to}, {service:?}");
        }
    }
}
