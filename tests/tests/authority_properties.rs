//! Causal authority as a property: three replicas (two admins and a release manager) remove,
//! re-add and change each other's roles, work offline with skewed clocks and sync partially in
//! random orders through real folder remotes. At the end every replica has identical
//! projections and a passing `audit verify`, and no event counts that a counted removal (or
//! role change taking away what it needed) of its author had not seen.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use relm_api::releases::ReleaseInput;
use relm_api::replicas::{JoinRequestInput, join};
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options, Relm};
use relm_domain::clock::FixedClock;
use relm_domain::role::Role;
use relm_identity::keyring::MemoryKeyStore;
use relm_store::causal::Judge;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

struct Node {
    relm: Relm,
    clock: Arc<FixedClock>,
    key: String,
    public: String,
}

fn options(dir: &Path, clock: &Arc<FixedClock>) -> Options {
    Options {
        data_dir: dir.to_path_buf(),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    }
}

fn team(root: &Path, remotes: &[&Path]) -> Vec<Node> {
    let base = Utc.with_ymd_and_hms(2027, 5, 3, 9, 0, 0).unwrap();
    let clock = |h: i64| Arc::new(FixedClock::new(base + Duration::hours(h)));
    let c0 = clock(0);
    let (mut founder, out) = init(
        &options(&root.join("r0"), &c0),
        &InitRequest {
            workspace: "Authority".into(),
            name: "Founder".into(),
            email: "f@x.example".into(),
        },
    )
    .unwrap();
    founder.configure_workspace(24 * 60).unwrap();
    for (i, r) in remotes.iter().enumerate() {
        founder.add_remote(&format!("r{i}"), r).unwrap();
    }
    founder.sync(None).unwrap();
    let mut nodes = vec![Node {
        relm: founder,
        clock: c0,
        key: out.key_id,
        public: out.public_key,
    }];
    for (n, (skew, roles)) in [
        (-3, vec![Role::Admin, Role::ReleaseManager]),
        (5, vec![Role::ReleaseManager, Role::Approver]),
    ]
    .into_iter()
    .enumerate()
    {
        let c = clock(skew);
        let (mut relm, out) = join(
            &options(&root.join(format!("m{n}")), &c),
            &JoinRequestInput {
                remote: remotes[0].to_path_buf(),
                name: format!("Member {n}"),
                email: format!("m{n}@x.example"),
            },
        )
        .unwrap();
        relm.remove_remote(relm_api::replicas::ORIGIN).unwrap();
        for (i, r) in remotes.iter().enumerate() {
            relm.add_remote(&format!("r{i}"), r).unwrap();
        }
        nodes[0]
            .relm
            .add_member(&out.public_key, None, None, &roles)
            .unwrap();
        nodes[0].relm.sync(None).unwrap();
        nodes.push(Node {
            relm,
            clock: c,
            key: out.key_id,
            public: out.public_key,
        });
    }
    for _ in 0..2 {
        for node in &mut nodes {
            node.relm.sync(None).unwrap();
        }
    }
    nodes
}

fn step(nodes: &mut [Node], n: usize, rng: &mut StdRng, counter: &mut usize) {
    nodes[n]
        .clock
        .advance(Duration::milliseconds(rng.random_range(1..60_000)));
    let other = (n + rng.random_range(1..nodes.len())) % nodes.len();
    let (key, public) = (nodes[other].key.clone(), nodes[other].public.clone());
    let relm = &mut nodes[n].relm;
    // Refusals (not a member any more, last admin, illegal transition) are part of the game.
    match rng.random_range(0..10) {
        0 => {
            let _ = relm.remove_member(&key);
        }
        1 => {
            let roles = [Role::Admin, Role::ReleaseManager, Role::Approver];
            let pick: Vec<Role> = roles.into_iter().filter(|_| rng.random_bool(0.5)).collect();
            let _ = relm.set_member_roles(&key, if pick.is_empty() { &roles[1..2] } else { &pick });
        }
        2 => {
            let _ = relm.add_member(&public, None, None, &[Role::ReleaseManager]);
        }
        3..=5 => {
            *counter += 1;
            let _ = relm.create_release(&ReleaseInput {
                service: Some(format!("svc-{}", *counter % 3)),
                version: Some(format!("1.{counter}.0")),
                title: Some(format!("release {counter}")),
                environments: Some(vec!["prod".into()]),
                ..Default::default()
            });
        }
        _ => {
            let ids: Vec<String> = relm
                .list_releases(
                    relm_api::ReleaseFilter {
                        limit: 100,
                        ..Default::default()
                    },
                    None,
                )
                .map(|p| p.releases.into_iter().map(|r| r.id).collect())
                .unwrap_or_default();
            if !ids.is_empty() {
                let id = &ids[rng.random_range(0..ids.len())];
                let to = ["planned", "cancelled", "draft"][rng.random_range(0..3)];
                let _ = relm.set_release_status(id, to, None);
            }
        }
    }
}

/// Every counted event of a member is in the causal past of each counted removal (or role
/// change taking away what it needed) of that member, or has that removal in its own past.
fn no_event_counts_that_its_remover_had_not_seen(relm: &Relm) -> usize {
    let conn = relm.store().conn();
    let judge = Judge::load(conn).unwrap();
    let void: HashSet<String> = {
        let mut stmt = conn.prepare("SELECT event_id FROM not_applied").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut checked = 0;
    relm_store::events::for_each_in_ledger_order(conn, |stored| {
        let ev = stored.decode()?;
        let body = ev.body().map_err(relm_store::StoreError::Corrupt)?;
        if void.contains(&ev.envelope.id.0) {
            return Ok(());
        }
        let at = judge.point(&ev);
        for veto in judge.vetoes() {
            if veto.target == ev.envelope.author && veto.takes_away(&body) && veto.id != ev.envelope.id.0 {
                checked += 1;
                assert!(
                    !at.concurrent(&veto.at),
                    "event {} ({}) counts though its author's removal or demotion {} had not seen it",
                    ev.envelope.id,
                    ev.envelope.kind,
                    veto.id
                );
            }
        }
        Ok(())
    })
    .unwrap();
    checked
}

fn play(seed: u64, steps: usize) -> (usize, usize) {
    let root = tempfile::tempdir().unwrap();
    let (ra, rb) = (root.path().join("remote-a"), root.path().join("remote-b"));
    std::fs::create_dir_all(&ra).unwrap();
    std::fs::create_dir_all(&rb).unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut nodes = team(root.path(), &[&ra, &rb]);
    let mut counter = 0;
    for _ in 0..steps {
        let n = rng.random_range(0..nodes.len());
        if rng.random_bool(0.55) {
            step(&mut nodes, n, &mut rng, &mut counter);
        } else {
            let remote = format!("r{}", rng.random_range(0..2));
            nodes[n].relm.sync(Some(&remote)).unwrap();
        }
    }
    for _ in 0..2 {
        for node in &mut nodes {
            for o in node.relm.sync(None).unwrap() {
                let r = o.report.unwrap();
                assert!(
                    r.pulled.quarantined.is_empty(),
                    "{:?}",
                    r.pulled.quarantined
                );
                assert_eq!(r.pulled.pending, 0, "seed {seed}: events still waiting");
            }
        }
    }
    let first = relm_store::projection::digest(nodes[0].relm.store().conn()).unwrap();
    for node in &nodes {
        let d = relm_store::projection::digest(node.relm.store().conn()).unwrap();
        assert_eq!(d, first, "projections differ (seed {seed})");
        let report = node.relm.verify().unwrap();
        assert!(report.ok, "seed {seed}: {:?}", report.problems);
    }
    let checked = no_event_counts_that_its_remover_had_not_seen(&nodes[0].relm);
    let voided = nodes[0]
        .relm
        .sync_status()
        .unwrap()
        .not_applied
        .iter()
        .filter(|n| n.code == "concurrent_with_removal")
        .count();
    (checked, voided)
}

#[test]
fn the_schedule_exercises_concurrent_removals() {
    let (checked, voided) = play(11, 120);
    assert!(
        checked > 0 && voided > 0,
        "{checked} events checked against removals, {voided} voided by one"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn removals_and_role_changes_under_random_schedules(seed in any::<u64>()) {
        play(seed, 60);
    }
}
