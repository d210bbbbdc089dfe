//! Replicas converge: three replicas make random governed edits and sync in random orders and
//! partitions through real folder remotes (and a folder and a git repository mixed); at the end every replica has byte-identical
//! projections and `audit verify` passes everywhere. Also: a replica whose clock is hours off
//! still orders causally later events after earlier ones.

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
use relm_store::projection;
use std::path::Path;
use std::sync::Arc;

struct Node {
    relm: Relm,
    clock: Arc<FixedClock>,
}

fn options(dir: &Path, clock: &Arc<FixedClock>) -> Options {
    Options {
        data_dir: dir.to_path_buf(),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    }
}

fn clock(offset_hours: i64) -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap() + Duration::hours(offset_hours),
    ))
}

fn release(i: usize) -> ReleaseInput {
    ReleaseInput {
        service: Some(format!("svc-{}", i % 3)),
        version: Some(format!("1.{i}.0")),
        title: Some(format!("release {i}")),
        environments: Some(vec!["prod".into()]),
        ..Default::default()
    }
}

/// A founder and two members, each a replica with its own data dir, key store and clock, all
/// meeting on `remotes` (every replica knows every remote).
fn team(root: &Path, remotes: &[&Path], skews: [i64; 3]) -> Vec<Node> {
    let c0 = clock(skews[0]);
    let (mut founder, _) = init(
        &options(&root.join("r0"), &c0),
        &InitRequest {
            workspace: "Converge".into(),
            name: "Founder".into(),
            email: "f@x.example".into(),
        },
    )
    .unwrap();
    // The team's laptops disagree by hours: the workspace allows a day (the default, ten
    // minutes, would hold their events until the clocks agree).
    founder.configure_workspace(24 * 60).unwrap();
    for (i, r) in remotes.iter().enumerate() {
        founder.add_remote(&remote_name(i), r).unwrap();
    }
    founder.sync(None).unwrap();
    let mut nodes = vec![Node {
        relm: founder,
        clock: c0,
    }];
    for (n, skew) in skews.iter().enumerate().skip(1) {
        let c = clock(*skew);
        let (mut relm, out) = join(
            &options(&root.join(format!("r{n}")), &c),
            &JoinRequestInput {
                remote: remotes[0].to_path_buf(),
                name: format!("Member {n}"),
                email: format!("m{n}@x.example"),
            },
        )
        .unwrap();
        // Joining registered remotes[0] as `origin`.
        for (i, r) in remotes.iter().enumerate().skip(1) {
            relm.add_remote(&remote_name(i), r).unwrap();
        }
        let roles = [Role::ReleaseManager, Role::Approver];
        nodes[0]
            .relm
            .add_member(&out.public_key, None, None, &roles)
            .unwrap();
        nodes.push(Node { relm, clock: c });
    }
    for _ in 0..2 {
        for node in &mut nodes {
            node.relm.sync(None).unwrap();
        }
    }
    nodes
}

fn remote_name(i: usize) -> String {
    if i == 0 {
        relm_api::replicas::ORIGIN.to_string()
    } else {
        format!("remote{i}")
    }
}

fn digest(relm: &Relm) -> Vec<(&'static str, [u8; 32])> {
    projection::digest(relm.store().conn()).unwrap()
}

/// One random governed edit by `node`; refusals (illegal transition, not editable) are fine.
fn random_edit(node: &mut Node, rng: &mut StdRng, counter: &mut usize) {
    node.clock
        .advance(Duration::milliseconds(rng.random_range(1..5_000)));
    let filter = relm_api::ReleaseFilter {
        limit: 1000,
        ..Default::default()
    };
    let ids: Vec<String> = node
        .relm
        .list_releases(filter, None)
        .unwrap()
        .releases
        .into_iter()
        .map(|r| r.id)
        .collect();
    let pick = |rng: &mut StdRng| ids[rng.random_range(0..ids.len())].clone();
    match rng.random_range(0..4) {
        _ if ids.is_empty() => {
            *counter += 1;
            node.relm.create_release(&release(*counter)).unwrap();
        }
        0 => {
            *counter += 1;
            node.relm.create_release(&release(*counter)).unwrap();
        }
        1 => {
            let input = ReleaseInput {
                title: Some(format!("edited {}", rng.random_range(0..1000))),
                ..Default::default()
            };
            let _ = node.relm.update_release(&pick(rng), &input);
        }
        2 => {
            let input = ReleaseInput {
                description: Some(format!("notes {}", rng.random_range(0..1000))),
                ..Default::default()
            };
            let _ = node.relm.update_release(&pick(rng), &input);
        }
        _ => {
            let to = ["planned", "approved", "cancelled", "draft"][rng.random_range(0..4)];
            let _ = node.relm.set_release_status(&pick(rng), to, None);
        }
    }
}

/// Returns how many pulls had to replay projections (events arriving before the head) and how
/// many events ended without effect, to show the schedule exercised concurrency.
fn converge(seed: u64, steps: usize) -> (usize, usize) {
    converge_on(seed, steps, false)
}

/// [`converge`], the second remote a git repository when `git` (a bare one on disk).
fn converge_on(seed: u64, steps: usize, git: bool) -> (usize, usize) {
    let root = tempfile::tempdir().unwrap();
    let (ra, mut rb) = (root.path().join("remote-a"), root.path().join("remote-b"));
    std::fs::create_dir_all(&ra).unwrap();
    if git {
        let out = std::process::Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&rb)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        rb = std::path::PathBuf::from(format!("git+file://{}", rb.display()));
    } else {
        std::fs::create_dir_all(&rb).unwrap();
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut nodes = team(root.path(), &[&ra, &rb], [0, -3, 5]);
    let mut counter = 0;
    let mut replays = 0;
    for _ in 0..steps {
        let n = rng.random_range(0..nodes.len());
        if rng.random_bool(0.6) {
            random_edit(&mut nodes[n], &mut rng, &mut counter);
        } else {
            // A partial sync: one replica with one remote.
            let remote = remote_name(rng.random_range(0..2));
            for o in nodes[n].relm.sync(Some(&remote)).unwrap() {
                replays += usize::from(o.report.unwrap().pulled.replayed);
            }
        }
    }
    // Heal every partition: two full rounds carry everything everywhere.
    for _ in 0..2 {
        for node in &mut nodes {
            for o in node.relm.sync(None).unwrap() {
                let r = o.report.unwrap();
                assert!(
                    r.pulled.quarantined.is_empty(),
                    "{:?}",
                    r.pulled.quarantined
                );
            }
        }
    }
    let first = digest(&nodes[0].relm);
    let events = relm_store::events::count(nodes[0].relm.store().conn()).unwrap();
    for node in &nodes {
        assert_eq!(
            relm_store::events::count(node.relm.store().conn()).unwrap(),
            events
        );
        assert_eq!(
            digest(&node.relm),
            first,
            "projections differ (seed {seed})"
        );
        let report = node.relm.verify().unwrap();
        assert!(report.ok, "seed {seed}: {:?}", report.problem);
    }
    let not_applied = nodes[0].relm.sync_status().unwrap().not_applied.len();
    (replays, not_applied)
}

#[test]
fn the_schedule_exercises_concurrent_arrivals_and_conflicts() {
    let (replays, not_applied) = converge(7, 120);
    assert!(
        replays > 0 && not_applied > 0,
        "{replays} replays, {not_applied} without effect"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    /// A seeded random schedule of edits and partial syncs.
    #[test]
    fn replicas_converge_whatever_the_schedule(seed in any::<u64>()) {
        converge(seed, 60);
    }

    /// The same through a folder and a git repository mixed: each replica syncs with either.
    #[test]
    fn replicas_converge_through_folder_and_git_remotes_mixed(seed in any::<u64>()) {
        converge_on(seed, 60, true);
    }
}

#[test]
fn concurrent_edits_resolve_the_same_way_everywhere_and_the_loser_stays_visible() {
    let root = tempfile::tempdir().unwrap();
    let remote = root.path().join("remote");
    std::fs::create_dir_all(&remote).unwrap();
    let mut nodes = team(root.path(), &[&remote], [0, 0, 0]);
    let id = nodes[0].relm.create_release(&release(1)).unwrap().id;
    for n in &mut nodes {
        n.relm.sync(None).unwrap();
    }
    // Offline, two members retitle the release and move it to different statuses.
    nodes[1].clock.advance(Duration::seconds(10));
    nodes[2].clock.advance(Duration::seconds(20));
    let title = |t: &str| ReleaseInput {
        title: Some(t.into()),
        ..Default::default()
    };
    nodes[1]
        .relm
        .update_release(&id, &title("from one"))
        .unwrap();
    nodes[2]
        .relm
        .update_release(&id, &title("from two"))
        .unwrap();
    nodes[1]
        .relm
        .set_release_status(&id, "planned", None)
        .unwrap();
    nodes[2]
        .relm
        .set_release_status(&id, "cancelled", None)
        .unwrap();
    for _ in 0..2 {
        for n in &mut nodes {
            n.relm.sync(None).unwrap();
        }
    }
    for n in &mut nodes {
        let r = n.relm.release(&id).unwrap();
        // Later in ledger order wins the field; the status change made from a state the
        // release had left is kept in the ledger without effect.
        assert_eq!(r.fields.title, "from two");
        assert_eq!(r.status.as_str(), "planned");
        let status = n.relm.sync_status().unwrap();
        assert_eq!(status.not_applied.len(), 1, "{:?}", status.not_applied);
        assert_eq!(status.not_applied[0].code, "stale_status");
        let log = n.relm.audit_log(Some(&id), 100).unwrap();
        assert!(
            log.iter()
                .any(|e| e.payload.to_string().contains("from one")),
            "the losing title stays in the release's history"
        );
    }
    assert_eq!(digest(&nodes[1].relm), digest(&nodes[2].relm));
}

#[test]
fn a_replica_with_a_slow_clock_still_orders_causally_later_events_after() {
    let root = tempfile::tempdir().unwrap();
    let remote = root.path().join("remote");
    std::fs::create_dir_all(&remote).unwrap();
    // Member 1's laptop clock is five hours behind.
    let mut nodes = team(root.path(), &[&remote], [0, -5, 0]);
    nodes[0].clock.advance(Duration::minutes(30));
    let id = nodes[0].relm.create_release(&release(7)).unwrap().id;
    nodes[0].relm.sync(None).unwrap();
    nodes[1].relm.sync(None).unwrap();
    // Having seen the release, member 1 plans it: the change must order after the creation.
    nodes[1]
        .relm
        .set_release_status(&id, "planned", None)
        .unwrap();
    nodes[1].relm.sync(None).unwrap();
    nodes[0].relm.sync(None).unwrap();
    let r = nodes[0].relm.release(&id).unwrap();
    assert_eq!(r.status.as_str(), "planned");
    let log = nodes[0].relm.audit_log(Some(&id), 10).unwrap();
    // The log is in ledger order, newest first: the planning comes after the creation even
    // though member 1's wall clock said it happened hours earlier.
    let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["release.status_changed", "release.created"]);
    assert!(nodes[0].relm.verify().unwrap().ok);
}
