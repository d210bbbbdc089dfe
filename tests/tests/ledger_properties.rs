//! Property: for any sequence of governed operations (valid or refused, with the wall clock
//! jumping back and forth), the projections built event by event equal a rebuild from the
//! events alone, the ledger verifies, and a refused operation writes nothing.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use relm_api::releases::ReleaseInput;
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options, Relm};
use relm_domain::clock::FixedClock;
use relm_domain::role::Role;
use relm_identity::keyring::MemoryKeyStore;
use relm_store::{events, projection};
use std::sync::Arc;

#[derive(Debug, Clone)]
enum Op {
    Create {
        service: u8,
        minor: u8,
        envs: u8,
        kind: u8,
        window: Option<(i64, i64)>,
    },
    Update {
        release: u8,
        title: bool,
        version: Option<u8>,
        envs: Option<u8>,
        clear_window: bool,
    },
    Status {
        release: u8,
        to: u8,
    },
    AddMember {
        seed: u8,
        roles: u8,
    },
    SetRoles {
        member: u8,
        roles: u8,
    },
    Remove {
        member: u8,
    },
    Clock {
        ms: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..4, 0u8..30, 1u8..8, 0u8..3, proptest::option::of((0i64..10_000, 1i64..500)))
            .prop_map(|(service, minor, envs, kind, window)| Op::Create { service, minor, envs, kind, window }),
        3 => (any::<u8>(), any::<bool>(), proptest::option::of(0u8..30), proptest::option::of(0u8..8), any::<bool>())
            .prop_map(|(release, title, version, envs, clear_window)| Op::Update { release, title, version, envs, clear_window }),
        5 => (any::<u8>(), 0u8..9).prop_map(|(release, to)| Op::Status { release, to }),
        1 => (any::<u8>(), 0u8..16).prop_map(|(seed, roles)| Op::AddMember { seed, roles }),
        1 => (any::<u8>(), 0u8..16).prop_map(|(member, roles)| Op::SetRoles { member, roles }),
        1 => any::<u8>().prop_map(|member| Op::Remove { member }),
        2 => (-5_000i64..60_000).prop_map(|ms| Op::Clock { ms }),
    ]
}

fn roles(bits: u8) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, r)| r)
        .collect()
}

fn envs(bits: u8) -> Vec<String> {
    ["dev", "staging", "prod"]
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, e)| e.to_string())
        .collect()
}

const STATUSES: [&str; 9] = [
    "draft",
    "planned",
    "approved",
    "deploying",
    "deployed",
    "reviewed",
    "cancelled",
    "rolled_back",
    "failed",
];

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
    ));
    let opts = Options {
        data_dir: dir.path().to_path_buf(),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let (mut relm, _) = init(
        &opts,
        &InitRequest {
            workspace: "P".into(),
            name: "Founder".into(),
            email: "f@p.example".into(),
        },
    )
    .unwrap();
    let mut releases: Vec<String> = Vec::new();
    for op in ops {
        let before = events::count(relm.store().conn()).unwrap();
        let pick =
            |i: u8, v: &Vec<String>| (!v.is_empty()).then(|| v[i as usize % v.len()].clone());
        let members: Vec<String> = relm
            .members()
            .unwrap()
            .into_iter()
            .filter(|m| m.active)
            .map(|m| m.key_id)
            .collect();
        let result: Result<(), relm_api::ApiError> = match op {
            Op::Clock { ms } => {
                clock.advance(Duration::milliseconds(ms));
                Ok(())
            }
            Op::Create {
                service,
                minor,
                envs: e,
                kind,
                window,
            } => {
                let input = ReleaseInput {
                    service: Some(["api", "web", "search", ""][service as usize].into()),
                    version: Some(format!("1.{minor}.0")),
                    title: Some("t".into()),
                    change_type: Some(["standard", "normal", "emergency"][kind as usize].into()),
                    environments: Some(envs(e)),
                    window: window.map(|(s, d)| {
                        let start = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap()
                            + Duration::minutes(s);
                        (
                            start.to_rfc3339(),
                            (start + Duration::minutes(d)).to_rfc3339(),
                            "Europe/Paris".into(),
                        )
                    }),
                    ..Default::default()
                };
                relm.create_release(&input).map(|r| releases.push(r.id))
            }
            Op::Update {
                release,
                title,
                version,
                envs: e,
                clear_window,
            } => match pick(release, &releases) {
                None => Ok(()),
                Some(id) => {
                    let input = ReleaseInput {
                        title: title.then(|| "renamed".into()),
                        version: version.map(|m| format!("2.{m}.0")),
                        environments: e.map(envs),
                        clear_window,
                        ..Default::default()
                    };
                    relm.update_release(&id, &input).map(|_| ())
                }
            },
            Op::Status { release, to } => match pick(release, &releases) {
                None => Ok(()),
                Some(id) => relm
                    .set_release_status(&id, STATUSES[to as usize], None)
                    .map(|_| ()),
            },
            Op::AddMember { seed, roles: r } => {
                let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
                let public = relm_domain::keys::PublicKey(key.verifying_key()).to_string();
                relm.add_member(&public, Some("m"), None, &roles(r))
                    .map(|_| ())
            }
            Op::SetRoles { member, roles: r } => match pick(member, &members) {
                None => Ok(()),
                Some(id) => relm.set_member_roles(&id, &roles(r)).map(|_| ()),
            },
            Op::Remove { member } => match pick(member, &members) {
                None => Ok(()),
                Some(id) => relm.remove_member(&id).map(|_| ()),
            },
        };
        let after = events::count(relm.store().conn()).unwrap();
        if result.is_err() {
            prop_assert_eq!(
                before,
                after,
                "a refused operation must write nothing: {:?}",
                result
            );
        }
    }
    let incremental = projection::digest(relm.store().conn()).unwrap();
    relm.rebuild().unwrap();
    let rebuilt = projection::digest(relm.store().conn()).unwrap();
    prop_assert_eq!(
        &incremental,
        &rebuilt,
        "rebuild must reproduce the incremental projections"
    );
    let report = relm.verify().unwrap();
    prop_assert!(report.ok, "ledger must verify: {:?}", report.problem);
    drop(relm);
    // Reopening sees the same state.
    let reopened = Relm::open(&opts).unwrap();
    prop_assert_eq!(
        projection::digest(reopened.store().conn()).unwrap(),
        rebuilt
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn rebuild_equals_incremental(ops in proptest::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
