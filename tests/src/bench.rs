//! Helpers shared by the benchmarks.

#![allow(clippy::unwrap_used)] // benchmark set-up: a panic is the failure report

use relm_domain::clock::{Clock, FixedClock};
use relm_domain::event::{Envelope, FORMAT_VERSION, SignedEvent};
use relm_domain::hlc::Hlc;
use relm_domain::ids::{EventId, ReleaseId, WorkspaceId};
use relm_domain::payload::EventBody;
use relm_domain::release::ReleasePatch;
use relm_identity::SecretKey;
use relm_store::{Store, events, projection};

/// Bodies and signatures of the events `sql` selects (`SELECT body, sig FROM events ...`).
pub fn signed_bodies(
    conn: &rusqlite::Connection,
    sql: &str,
) -> (Vec<Vec<u8>>, Vec<ed25519_dalek::Signature>) {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| {
        let sig: Vec<u8> = r.get(1)?;
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            ed25519_dalek::Signature::from_bytes(&sig.try_into().unwrap()),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .unzip()
}

/// Seconds for raw batch Ed25519 verification plus SHA-256 of every event: the floor any
/// verifying code is compared with. On all cores when `parallel`.
pub fn raw_verify_seconds(
    bodies: &[Vec<u8>],
    sigs: &[ed25519_dalek::Signature],
    key: ed25519_dalek::VerifyingKey,
    parallel: bool,
) -> f64 {
    use rayon::prelude::*;
    use sha2::{Digest, Sha256};
    let t = std::time::Instant::now();
    let work = |(b, s): (&[Vec<u8>], &[ed25519_dalek::Signature])| {
        let keys = vec![key; b.len()];
        let refs: Vec<&[u8]> = b.iter().map(Vec::as_slice).collect();
        assert!(relm_domain::keys::verify_batch(&keys, &refs, s));
        for (body, sig) in b.iter().zip(s) {
            let mut h = Sha256::new();
            h.update(body);
            h.update(sig.to_bytes());
            std::hint::black_box(h.finalize());
        }
    };
    if parallel {
        bodies
            .par_chunks(256)
            .zip(sigs.par_chunks(256))
            .for_each(work);
    } else {
        bodies.chunks(256).zip(sigs.chunks(256)).for_each(work);
    }
    t.elapsed().as_secs_f64()
}

/// The value at quantile `p` (0 to 1) of `sorted`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Run `f` `runs` times: the median and the 99th percentile, in milliseconds.
pub fn timed(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = std::time::Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

/// A new workspace in `root/a` founded by Ann, on a fixed clock set to `at`, its key in memory:
/// the session, the options to reopen it with, and the clock to move.
pub fn workspace(
    root: &std::path::Path,
    at: chrono::DateTime<chrono::Utc>,
) -> (
    relm_api::Relm,
    relm_api::Options,
    std::sync::Arc<FixedClock>,
) {
    use relm_api::workspace::{InitRequest, init};
    use std::sync::Arc;
    let clock = Arc::new(FixedClock::new(at));
    let opts = relm_api::Options {
        data_dir: root.join("a"),
        clock: clock.clone(),
        keyring: relm_api::KeyringChoice::Given(Arc::new(
            relm_identity::keyring::MemoryKeyStore::default(),
        )),
    };
    let req = InitRequest {
        workspace: "Bench".into(),
        name: "Ann".into(),
        email: "ann@bench.example".into(),
    };
    let (relm, _) = init(&opts, &req).unwrap();
    (relm, opts, clock)
}

/// Give release `id` about `wanted` events of its own through the use-cases, from 2027-01-10:
/// hourly deployments alternating staging and prod (every seventh failed), and after every
/// tenth event a rollback plan and a passed rehearsal. The number of events recorded.
pub fn busy_release(relm: &mut relm_api::Relm, id: &str, wanted: usize) -> usize {
    use chrono::{Duration, TimeZone, Utc};
    use relm_api::deployments::{DeploymentInput, PlanInput};
    let base = Utc.with_ymd_and_hms(2027, 1, 10, 9, 0, 0).unwrap();
    let mut events = 0;
    while events < wanted {
        let n = events as i64;
        let start = base + Duration::hours(n);
        relm.record_deployment_full(&DeploymentInput {
            release: id.to_string(),
            environment: if n % 2 == 0 { "staging" } else { "prod" }.into(),
            outcome: if n % 7 == 0 { "failed" } else { "succeeded" }.into(),
            start: Some(relm_domain::window::fmt_utc(start)),
            end: Some(relm_domain::window::fmt_utc(start + Duration::minutes(20))),
            tool: Some("bench".into()),
            ..DeploymentInput::default()
        })
        .unwrap();
        events += 1;
        if events % 10 == 0 {
            relm.plan_rollback(
                id,
                &PlanInput {
                    previous_version: "1.0.0".into(),
                    steps: format!("plan {events}"),
                    ..PlanInput::default()
                },
            )
            .unwrap();
            relm.rehearse_rollback(id, "staging", "passed", None, None)
                .unwrap();
            events += 2;
        }
    }
    events
}

/// A size from the environment, e.g. `RELM_BENCH_EVENTS`, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Grow the ledger of `store` to `total` events with release edits signed by `key` (the
/// founder), through the store's append path, 10,000 events per transaction. The store must
/// already hold releases to edit.
pub fn grow_ledger(store: &mut Store, key: &SecretKey, clock: &FixedClock, total: usize) {
    let ids: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM releases ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut have = events::count(store.conn()).unwrap() as usize;
    while have < total {
        let n = (total - have).min(10_000);
        append_unchecked(
            store,
            key,
            clock,
            (have..have + n).map(|i| EventBody::ReleaseUpdated {
                release_id: ReleaseId(ids[i % ids.len()].clone()),
                patch: ReleasePatch {
                    title: Some(format!("Edited title {i}")),
                    ..Default::default()
                },
            }),
        );
        have += n;
    }
}

/// Sign `bodies` with `key` and append them to the store in one transaction, applying each to
/// the projections, without the checks a member's entry or a replica's ingest makes: a big
/// ledger fast, or events that an older Relm let through.
pub fn append_unchecked(
    store: &mut Store,
    key: &SecretKey,
    clock: &FixedClock,
    bodies: impl IntoIterator<Item = EventBody>,
) {
    append_timed(store, bodies.into_iter().map(|b| (key, clock.now(), b)));
}

/// [`append_unchecked`] for events of several members, each signed by its `key` at its own
/// time (a time before the ledger's latest gives the next clock tick instead, as a replica's
/// clock would). An author's first event starts its chain. As a member's batch does, each
/// author's first event of the call declares every other author's head at that point (what it
/// had seen: the judge reads a member's authority from it).
pub fn append_timed<'k>(
    store: &mut Store,
    events: impl IntoIterator<Item = (&'k SecretKey, chrono::DateTime<chrono::Utc>, EventBody)>,
) {
    let workspace: String = store
        .conn()
        .query_row("SELECT id FROM workspace", [], |r| r.get(0))
        .unwrap();
    store
        .write(|tx| -> Result<(), relm_store::StoreError> {
            let mut heads: std::collections::BTreeMap<String, (u64, Option<[u8; 32]>)> = tx
                .prepare("SELECT author, seq, hash FROM author_heads")?
                .query_map([], |r| {
                    let hash: Vec<u8> = r.get(2)?;
                    Ok((
                        r.get(0)?,
                        (r.get::<_, i64>(1)? as u64, hash.try_into().ok()),
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut declared = std::collections::HashSet::new();
            let mut hlc = events::max_hlc(tx)?;
            let mut judge = relm_store::causal::Judge::load(tx)?;
            for (key, at, body) in events {
                let public = key.public();
                let author = public.key_id();
                let (seq, prev) = heads.get(&author.0).copied().unwrap_or((0, None));
                let deps = if declared.insert(author.0.clone()) {
                    heads
                        .iter()
                        .filter(|(other, _)| **other != author.0)
                        .filter_map(|(other, (seq, hash))| {
                            Some(relm_domain::event::Dep {
                                author: relm_domain::keys::KeyId(other.clone()),
                                hash: hex::encode((*hash)?),
                                seq: *seq,
                            })
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                hlc = Hlc::next(hlc, at);
                let (kind, payload) = body.to_parts();
                // Unique per author and sequence number.
                let mut rnd = [0u8; 10];
                rnd[..2].copy_from_slice(&public.0.as_bytes()[..2]);
                rnd[2..].copy_from_slice(&(seq + 1).to_be_bytes());
                let env = Envelope {
                    v: FORMAT_VERSION,
                    id: EventId::generate(at, rnd),
                    workspace: WorkspaceId(workspace.clone()),
                    author: author.clone(),
                    seq: seq + 1,
                    prev: prev.map(hex::encode),
                    hlc,
                    wall: Some(hlc.ms),
                    deps,
                    kind,
                    payload,
                };
                let ev = SignedEvent::sign(env, key.signing_key());
                events::insert(tx, &ev, body.entity().as_deref())?;
                // The judge reads frontiers and membership as loaded: one more of either, and
                // it is loaded again.
                if !ev.envelope.deps.is_empty() || relm_store::causal::is_membership(&body) {
                    judge = relm_store::causal::Judge::load(tx)?;
                }
                projection::apply(tx, &judge, &ev, &body)?;
                heads.insert(author.0, (seq + 1, Some(ev.hash)));
            }
            Ok(())
        })
        .unwrap();
}

/// The private key of `key_id` from the in-memory key store of a [`workspace`]'s options.
pub fn key_of(opts: &relm_api::Options, key_id: &str) -> SecretKey {
    match &opts.keyring {
        relm_api::KeyringChoice::Given(store) => store
            .get(key_id)
            .ok()
            .flatten()
            .expect("the workspace's key in its key store"),
        relm_api::KeyringChoice::Os => panic!("a bench workspace keeps its key in memory"),
    }
}

/// Bytes of the files under `dir`.
pub fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// CPU seconds this process has used so far, every thread, user and system (from
/// `/proc/self/stat`; 0 where there is none): beside a wall-clock time, what was waiting.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces), from field 3 on.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15: 12 and 13 after the state (field 3).
    (ticks(11) + ticks(12)) / 100.0
}

/// A founder's workspace in `root/a` syncing with a folder remote in `root/remote`, and a
/// reader's replica in `root/b` that joined it while it held only its first events; both keys
/// in memory, on one fixed clock (4 January 2027, 09:00 UTC).
#[derive(Debug)]
pub struct FounderAndReader {
    pub remote: std::path::PathBuf,
    pub clock: std::sync::Arc<FixedClock>,
    pub a_dir: std::path::PathBuf,
    pub b_dir: std::path::PathBuf,
    a_keys: std::sync::Arc<relm_identity::keyring::MemoryKeyStore>,
    b_keys: std::sync::Arc<relm_identity::keyring::MemoryKeyStore>,
    /// The founder's key.
    pub key: SecretKey,
}

impl FounderAndReader {
    /// Set them up under `root`, the workspace named `workspace`: the founder's session.
    pub fn new(root: &std::path::Path, workspace: &str) -> (FounderAndReader, relm_api::Relm) {
        use chrono::TimeZone;
        use relm_identity::keyring::KeyStore;
        let remote = root.join("remote");
        std::fs::create_dir_all(&remote).unwrap();
        let a_keys = std::sync::Arc::new(relm_identity::keyring::MemoryKeyStore::default());
        let clock = std::sync::Arc::new(FixedClock::new(
            chrono::Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
        ));
        let options = options(&root.join("a"), &clock, &a_keys);
        let req = relm_api::workspace::InitRequest {
            workspace: workspace.into(),
            name: "Founder".into(),
            email: "f@bench.example".into(),
        };
        let (mut a, out) = relm_api::workspace::init(&options, &req).unwrap();
        let pair = FounderAndReader {
            key: a_keys.get(&out.key_id).unwrap().unwrap(),
            remote,
            clock,
            a_dir: root.join("a"),
            b_dir: root.join("b"),
            a_keys,
            b_keys: Default::default(),
        };
        a.add_remote("usb", &pair.remote).unwrap();
        a.sync(None).unwrap();
        let join = relm_api::replicas::JoinRequestInput {
            remote: pair.remote.clone(),
            name: "Reader".into(),
            email: "r@bench.example".into(),
        };
        drop(relm_api::replicas::join(&pair.options_b(), &join).unwrap());
        (pair, a)
    }

    /// The founder's options.
    pub fn options_a(&self) -> relm_api::Options {
        options(&self.a_dir, &self.clock, &self.a_keys)
    }

    /// The reader's options.
    pub fn options_b(&self) -> relm_api::Options {
        options(&self.b_dir, &self.clock, &self.b_keys)
    }

    /// Grow the founder's ledger to `total` events through the store's append path
    /// ([`grow_ledger`]); `a`, the founder's session, is closed and opened again around it.
    pub fn grow(&self, a: relm_api::Relm, total: usize) -> relm_api::Relm {
        drop(a);
        let mut store = Store::open(&relm_api::db_path(&self.a_dir)).unwrap();
        grow_ledger(&mut store, &self.key, &self.clock, total);
        drop(store);
        relm_api::Relm::open(&self.options_a()).unwrap()
    }
}

/// Options for the data dir `dir` on `clock`, its keys in `keys`.
fn options(
    dir: &std::path::Path,
    clock: &std::sync::Arc<FixedClock>,
    keys: &std::sync::Arc<relm_identity::keyring::MemoryKeyStore>,
) -> relm_api::Options {
    relm_api::Options {
        data_dir: dir.to_path_buf(),
        clock: clock.clone(),
        keyring: relm_api::KeyringChoice::Given(keys.clone()),
    }
}

/// The release `i` of the benchmarks that create many: 50 services, versions by the thousand,
/// staging and production, a planned window and a rollback plan.
pub fn release_input(i: usize) -> relm_api::releases::ReleaseInput {
    relm_api::releases::ReleaseInput {
        service: Some(format!("service-{}", i % 50)),
        version: Some(format!("1.{}.{}", i / 1000, i % 1000)),
        title: Some(format!("Release number {i}")),
        environments: Some(vec!["staging".into(), "prod".into()]),
        window: Some((
            "2027-03-19T18:00".into(),
            "2027-03-19T20:00".into(),
            "Europe/Paris".into(),
        )),
        rollback_plan: Some("redeploy the previous image".into()),
        ..Default::default()
    }
}
