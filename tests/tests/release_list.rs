//! Listing releases: every sort order, both directions, with filters and planned-window ranges,
//! paged with small pages, gives exactly the rows a plain sort gives — none lost, none twice —
//! and every default order reads an index rather than sorting the table.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{TimeZone, Utc};
use relm_api::releases::{ReleaseInput, ReleaseQuery};
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options, Relm};
use relm_domain::clock::FixedClock;
use relm_identity::keyring::MemoryKeyStore;
use std::sync::Arc;

fn workspace(dir: &std::path::Path) -> Relm {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
    ));
    let opts = Options {
        data_dir: dir.to_path_buf(),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let req = InitRequest {
        workspace: "Lists".into(),
        name: "Ada".into(),
        email: "ada@x.example".into(),
    };
    let (mut relm, _) = init(&opts, &req).unwrap();
    let inputs: Vec<ReleaseInput> = (0..57)
        .map(|i| ReleaseInput {
            service: Some(["api", "web", "jobs"][i % 3].into()),
            version: Some(format!("1.{i}.0")),
            title: Some(format!("release {i}")),
            environments: Some(vec![if i % 2 == 0 { "prod" } else { "staging" }.into()]),
            // A third have no planned window; several share the same start.
            window: (i % 3 != 1).then(|| {
                let day = 1 + (i * 7) % 20;
                (
                    format!("2027-04-{day:02}T10:00:00Z"),
                    format!("2027-04-{day:02}T11:00:00Z"),
                    "UTC".to_string(),
                )
            }),
            ..Default::default()
        })
        .collect();
    relm.create_releases(&inputs).unwrap();
    for (n, id) in relm
        .query_releases(&ReleaseQuery::default())
        .unwrap()
        .releases
        .iter()
        .map(|r| r.id.clone())
        .enumerate()
        .filter(|(n, _)| n % 4 == 0)
    {
        clock.advance(chrono::Duration::seconds(n as i64));
        relm.set_release_status(&id, "planned", None).unwrap();
    }
    relm
}

fn all_pages(relm: &Relm, q: &ReleaseQuery) -> Vec<String> {
    let mut out = Vec::new();
    let mut q = ReleaseQuery {
        limit: Some(7),
        ..q.clone()
    };
    loop {
        let page = relm.query_releases(&q).unwrap();
        out.extend(page.releases.iter().map(|r| r.id.clone()));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
}

#[test]
fn paging_through_every_order_gives_each_row_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let relm = workspace(dir.path());
    let everything = relm
        .query_releases(&ReleaseQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .unwrap()
        .releases;
    assert_eq!(everything.len(), 57);
    // The clock values the list sorts by (finer than the times shown).
    let conn = rusqlite::Connection::open(relm_api::db_path(dir.path())).unwrap();
    let hlc: std::collections::HashMap<String, (i64, i64)> = conn
        .prepare("SELECT id, created_hlc, updated_hlc FROM releases")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for key in ["created", "updated", "window", "service", "status"] {
        for desc in [false, true] {
            for (filter, range) in [
                (None, None),
                (Some("prod"), Some(("2027-04-05", "2027-04-15"))),
            ] {
                let q = ReleaseQuery {
                    sort: Some(format!("{}{key}", if desc { "-" } else { "" })),
                    environment: filter.map(String::from),
                    from: range.map(|r| r.0.to_string()),
                    to: range.map(|r| r.1.to_string()),
                    ..Default::default()
                };
                let paged = all_pages(&relm, &q);
                // The expected order, computed independently from the full list.
                let mut expected: Vec<_> = everything
                    .iter()
                    .filter(|r| filter.is_none_or(|e| r.fields.environments.iter().any(|x| x == e)))
                    .filter(|r| match (range, &r.fields.window) {
                        (None, _) => true,
                        (Some(_), None) => false,
                        (Some((from, to)), Some(w)) => {
                            let day = w.start.format("%Y-%m-%d").to_string();
                            day.as_str() >= from && day.as_str() < to
                        }
                    })
                    .collect();
                let sort_value = |r: &relm_api::ReleaseRow| -> (bool, String) {
                    match key {
                        "created" => (false, format!("{:020}", hlc[&r.id].0)),
                        "updated" => (false, format!("{:020}", hlc[&r.id].1)),
                        "window" => match &r.fields.window {
                            Some(w) => (false, format!("{:020}", w.start.timestamp())),
                            None => (true, String::new()),
                        },
                        "service" => (false, r.fields.service.clone()),
                        _ => (false, r.status.as_str().to_string()),
                    }
                };
                expected.sort_by(|a, b| {
                    let (na, va) = sort_value(a);
                    let (nb, vb) = sort_value(b);
                    let by_value = (va, &a.id).cmp(&(vb, &b.id));
                    na.cmp(&nb)
                        .then(if desc { by_value.reverse() } else { by_value })
                });
                let expected: Vec<String> = expected.iter().map(|r| r.id.clone()).collect();
                assert_eq!(paged, expected, "sort {key} desc={desc} filter={filter:?}");
            }
        }
    }
}

#[test]
fn bad_sort_keys_and_dates_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let relm = workspace(dir.path());
    let bad = |q: ReleaseQuery| relm.query_releases(&q).unwrap_err().message;
    assert!(
        bad(ReleaseQuery {
            sort: Some("colour".into()),
            ..Default::default()
        })
        .contains("not a sort key")
    );
    assert!(
        bad(ReleaseQuery {
            from: Some("next tuesday".into()),
            ..Default::default()
        })
        .contains("not a date")
    );
    assert!(
        bad(ReleaseQuery {
            cursor: Some("garbage".into()),
            ..Default::default()
        })
        .contains("bad cursor")
    );
}

#[test]
fn every_order_reads_an_index() {
    let dir = tempfile::tempdir().unwrap();
    drop(workspace(dir.path()));
    let conn = rusqlite::Connection::open(relm_api::db_path(dir.path())).unwrap();
    for (col, nulls) in [
        ("created_hlc", ""),
        ("updated_hlc", ""),
        ("window_start", "window_start IS NULL, "),
        ("service", ""),
        ("status", ""),
    ] {
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT id FROM releases ORDER BY {nulls}{col} ASC, id ASC LIMIT 100"
        );
        let plan: Vec<String> = conn
            .prepare(&sql)
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains("INDEX") && !plan.contains("TEMP B-TREE"),
            "{col}: {plan}"
        );
    }
}

/// Names match whatever their case (a person types `API`), and every page says how many
/// releases the filter matches in all.
#[test]
fn names_match_whatever_their_case_and_the_total_counts_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let relm = workspace(dir.path());
    let q = |service: &str, env: &str| ReleaseQuery {
        service: Some(service.into()),
        environment: Some(env.into()),
        limit: Some(5),
        ..Default::default()
    };
    let exact = all_pages(&relm, &q("api", "prod"));
    assert_eq!(all_pages(&relm, &q("API", "Prod")), exact);
    assert!(!exact.is_empty());
    let page = relm.query_releases(&q("Api", "PROD")).unwrap();
    assert_eq!(page.releases.len(), 5);
    assert_eq!(page.total, exact.len() as u64);
    assert_eq!(
        relm.query_releases(&ReleaseQuery::default()).unwrap().total,
        57
    );
}

/// A page lists each release's risk level unless asked without them (a picker shows none);
/// the releases, their order, the cursor and the total are the same either way.
#[test]
fn a_page_without_levels_is_the_same_page_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let relm = workspace(dir.path());
    let q = |levels| ReleaseQuery {
        sort: Some("-updated".into()),
        limit: Some(20),
        levels,
        ..Default::default()
    };
    let with = relm.query_releases(&q(None)).unwrap();
    assert_eq!(with.levels.len(), 20, "each listed release's level");
    assert!(
        with.releases
            .iter()
            .all(|r| with.levels.contains_key(&r.id)),
        "by id"
    );
    assert_eq!(
        relm.query_releases(&q(Some(true))).unwrap().levels,
        with.levels
    );
    let without = relm.query_releases(&q(Some(false))).unwrap();
    assert!(without.levels.is_empty());
    let ids = |p: &relm_api::releases::ReleasePage| {
        (
            p.releases.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            p.next_cursor.clone(),
            p.total,
        )
    };
    assert_eq!(ids(&without), ids(&with));
}

/// The audit history as an auditor narrows it: one release's trail, its edits as before →
/// after, overrides flagged, a period, and a CSV a spreadsheet cannot be tricked by.
#[test]
fn the_audit_history_filters_shows_changes_flags_overrides_and_exports_csv() {
    use relm_api::audit::{AuditQuery, Flag};
    let dir = tempfile::tempdir().unwrap();
    let mut relm = workspace(dir.path());
    let id = relm
        .query_releases(&ReleaseQuery::default())
        .unwrap()
        .releases[0]
        .id
        .clone();
    relm.update_release(
        &id,
        &ReleaseInput {
            title: Some("=HYPERLINK(\"http://x\")".into()),
            rollback_plan: Some("redeploy 1.0.0".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let status = relm.release(&id).unwrap().status;
    if status == relm_domain::release::ReleaseStatus::Draft {
        relm.set_release_status(&id, "planned", None).unwrap();
    }
    // The default policy blocks prod without an approval: an override, with its reason (one
    // that a spreadsheet would run as a formula).
    assert!(
        relm.release(&id)
            .unwrap()
            .fields
            .environments
            .contains(&"prod".into())
    );
    assert!(relm.set_release_status(&id, "approved", None).is_err());
    relm.set_release_status(&id, "approved", Some("=1+1 board said so"))
        .unwrap();
    let trail = relm
        .audit(&AuditQuery {
            release: Some(id[..30].into()),
            ..Default::default()
        })
        .unwrap();
    assert!(
        trail
            .iter()
            .all(|e| e.entry.entity.as_deref() == Some(id.as_str()))
    );
    let edit = trail
        .iter()
        .find(|e| e.entry.kind == "release.updated")
        .unwrap();
    let fields: Vec<&str> = edit.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["rollback_plan", "title"]);
    assert_eq!(edit.changes[1].before, "release 56");
    let flagged = relm
        .audit(&AuditQuery {
            flagged: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].flags, [Flag::Override]);
    // A period with nothing in it, a kind family, a bad date said beside its field.
    let none = relm
        .audit(&AuditQuery {
            to: Some("2020-01-01".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(none.is_empty());
    let updates = relm
        .audit(&AuditQuery {
            kind: Some("release.".into()),
            from: Some("2027-03-01".into()),
            to: Some("2027-03-01".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(updates.iter().all(|e| e.entry.kind.starts_with("release.")));
    assert!(!updates.is_empty());
    let bad = relm
        .audit(&AuditQuery {
            from: Some("soon".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(bad.problems[0].field, "from");
    // CSV: one row per event, the formula kept as text.
    let csv = dir.path().join("audit.csv");
    let n = relm
        .export_audit_csv(
            &AuditQuery {
                release: Some(id.clone()),
                ..Default::default()
            },
            &csv,
        )
        .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), n + 1);
    assert!(text.contains(",override,,'=1+1 board said so,"), "{text}");
    assert!(!text.contains(",=1+1"), "{text}");
}

/// The audit history is kept while the store stays the same (the audit page asks again at each
/// visit): a reader sees a writer's commit, the writer its own write, and another question is
/// answered anew.
#[test]
fn the_kept_audit_history_follows_every_change_of_the_store() {
    use relm_api::audit::AuditQuery;
    let (dir, _clock, mut relm) = relm_tests::pinned_workspace("Kept audit");
    let reader = relm_tests::reader(dir.path());
    let latest = AuditQuery {
        limit: Some(100),
        ..Default::default()
    };
    let ids = |r: &Relm, q: &AuditQuery| -> Vec<String> {
        (r.audit(q).unwrap().iter())
            .map(|e| e.entry.id.clone())
            .collect()
    };
    let before = ids(&reader, &latest);
    assert_eq!(ids(&reader, &latest), before, "asked again, unchanged");
    let mine = ids(&relm, &latest);
    let release = relm_tests::prod_release(&mut relm, "api", "1.0.0");
    let after = ids(&reader, &latest);
    assert_eq!(
        after.len(),
        before.len() + 1,
        "the reader sees the writer's commit"
    );
    assert_eq!(&after[1..], &before[..], "newest first");
    assert_eq!(
        ids(&relm, &latest).len(),
        mine.len() + 1,
        "the writer its own write"
    );
    let trail = AuditQuery {
        release: Some(release),
        ..Default::default()
    };
    assert_eq!(
        ids(&reader, &trail),
        after[..1],
        "another question, answered anew"
    );
    assert_eq!(ids(&reader, &latest), after, "and the first again");
}
