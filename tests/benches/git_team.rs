//! A team through one git repository (`cargo bench -p relm-tests --bench git_team`). Prints a
//! Markdown table for docs/BENCHMARKS.md and the figures behind docs/sync.md's limits.
//!
//! 1. `RELM_BENCH_GIT_REPLICAS` (default 20) replicas, members of one workspace, each record
//!    `RELM_BENCH_GIT_EVENTS` (default 5,000) events, then sync in turn through one bare
//!    repository on disk, twice (the first round pushes, the second brings everyone what was
//!    pushed after them): total sync time, repository size, a no-op sync after.
//! 2. Day to day: for `RELM_BENCH_GIT_DAYS` (default 20) days each replica, in turn, syncs
//!    (bringing what the others did since), records `RELM_BENCH_GIT_DAILY` (default 25) events
//!    and syncs again to push them: time per sync, repository growth per day and per year
//!    (250 working days), packing included.
//! 3. Concurrent work: two replicas record an event at the same moment; the second to sync
//!    receives an event that sorts before its own latest one and recomputes its projections
//!    from the ledger (what any sync after concurrent work costs today).

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{TimeZone, Utc};
use relm_api::releases::ReleaseInput;
use relm_api::replicas::{JoinRequestInput, join};
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options, Relm};
use relm_domain::clock::FixedClock;
use relm_domain::role::Role;
use relm_identity::keyring::MemoryKeyStore;
use relm_tests::bench::{dir_size, env_usize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

fn options(dir: &Path, clock: &Arc<FixedClock>) -> Options {
    Options {
        data_dir: dir.to_path_buf(),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    }
}

/// `n` new releases of replica `who`, from number `from`.
fn releases(who: usize, from: usize, n: usize) -> Vec<ReleaseInput> {
    (from..from + n)
        .map(|i| ReleaseInput {
            service: Some(format!("service-{who}-{}", i % 20)),
            version: Some(format!("1.{who}.{i}")),
            title: Some(format!("Release {i} of team {who}")),
            environments: Some(vec!["staging".into(), "prod".into()]),
            ..Default::default()
        })
        .collect()
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() - 1])
}

/// Sync `relm` with every remote; milliseconds taken.
fn timed_sync(relm: &mut Relm) -> f64 {
    let t = Instant::now();
    let out = relm.sync(None).unwrap();
    assert!(out.iter().all(|o| o.ok), "{out:?}");
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let count = env_usize("RELM_BENCH_GIT_REPLICAS", 20);
    let per = env_usize("RELM_BENCH_GIT_EVENTS", 5_000);
    let days = env_usize("RELM_BENCH_GIT_DAYS", 20);
    let daily = env_usize("RELM_BENCH_GIT_DAILY", 25);
    let root = tempfile::tempdir().unwrap();
    let repo: PathBuf = root.path().join("ledger.git");
    git(
        root.path(),
        &["init", "-q", "--bare", "-b", "main", repo.to_str().unwrap()],
    );
    let url = format!("git+file://{}", repo.display());
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    ));
    let (mut founder, _) = init(
        &options(&root.path().join("r0"), &clock),
        &InitRequest {
            workspace: "Organization".into(),
            name: "Founder".into(),
            email: "f@org.example".into(),
        },
    )
    .unwrap();
    founder.add_remote("origin", Path::new(&url)).unwrap();
    founder.sync(None).unwrap();
    let mut team = Vec::new();
    for n in 1..count {
        let (relm, out) = join(
            &options(&root.path().join(format!("r{n}")), &clock),
            &JoinRequestInput {
                remote: PathBuf::from(&url),
                name: format!("Member {n}"),
                email: format!("m{n}@org.example"),
            },
        )
        .unwrap();
        founder
            .add_member(&out.public_key, None, None, &[Role::ReleaseManager])
            .unwrap();
        team.push(relm);
    }
    team.insert(0, founder);
    founder_and_members_sync(&mut team);

    // 1. Each records `per` events, then all sync in turn, twice.
    for (who, relm) in team.iter_mut().enumerate() {
        relm.create_releases(&releases(who, 0, per)).unwrap();
    }
    let base = dir_size(&repo);
    let t = Instant::now();
    let first: Vec<f64> = team.iter_mut().map(timed_sync).collect();
    let second: Vec<f64> = team.iter_mut().map(timed_sync).collect();
    let total_s = t.elapsed().as_secs_f64();
    let events = relm_store::events::count(team[0].store().conn()).unwrap();
    for relm in &team {
        assert_eq!(
            relm_store::events::count(relm.store().conn()).unwrap(),
            events
        );
    }
    let repo_bytes = dir_size(&repo) - base;
    let noop = median((0..7).map(|_| timed_sync(&mut team[0])).collect());
    let files = git(&repo, &["ls-tree", "-r", "--name-only", "main"])
        .lines()
        .count();
    let (first_med, first_max) = median(first.clone());
    println!("| measure | figure |");
    println!("|---|---|");
    println!(
        "| {count} replicas × {per} events through one repository: every replica syncs in turn, twice ({events} events in all) | **{total_s:.1} s** in all; a sync {first_med:.0} ms median, {first_max:.0} ms max in the first round; {:.0} ms median in the second |",
        median(second).0
    );
    println!(
        "| … repository growth for those {} events ({files} files on the branch) | {:.1} MB ({:.0} bytes/event) |",
        events,
        repo_bytes as f64 / 1e6,
        repo_bytes as f64 / events as f64
    );
    println!(
        "| … no-op sync after, at {events} events: median of 7 / max | **{:.1} ms** / {:.1} ms |",
        noop.0, noop.1
    );

    // 2. Day to day.
    let before = dir_size(&repo);
    let mut syncs = Vec::new();
    let mut packed = 0;
    let mut replays = 0;
    for day in 0..days {
        clock.advance(chrono::Duration::days(1));
        for (who, relm) in team.iter_mut().enumerate() {
            clock.advance(chrono::Duration::minutes(10));
            for push in [false, true] {
                if push {
                    relm.create_releases(&releases(who, per + day * daily, daily))
                        .unwrap();
                }
                let t = Instant::now();
                let out = relm.sync(None).unwrap();
                syncs.push(t.elapsed().as_secs_f64() * 1e3);
                let report = out[0].report.as_ref().unwrap();
                packed += report.packed.len();
                replays += usize::from(report.pulled.replayed);
            }
        }
    }
    let daily_bytes = (dir_size(&repo) - before) as f64 / days as f64;
    let daily_files = git(&repo, &["ls-tree", "-r", "--name-only", "main"])
        .lines()
        .count();
    let loose = dir_size(&repo);
    git(&repo, &["gc", "-q"]);
    let packed_size = dir_size(&repo);
    let (sync_med, sync_max) = median(syncs);
    println!(
        "| day to day: {days} days × {count} replicas, each syncing, recording {daily} events, syncing again | a sync {sync_med:.0} ms median, {sync_max:.0} ms max; {replays} recomputed projections; {packed} small files packed; {daily_files} files on the branch at the end |"
    );
    println!(
        "| … repository growth per day ({} events) | {:.2} MB as pushed; per year (250 working days) {:.0} MB; after `git gc` the whole repository is {:.0} MB (was {:.0} MB) |",
        count * daily,
        daily_bytes / 1e6,
        daily_bytes * 250.0 / 1e6,
        packed_size as f64 / 1e6,
        loose as f64 / 1e6
    );

    // 3. Concurrent work: the second to sync receives an event from before its own latest.
    let (head, rest) = team.split_at_mut(1);
    let (a, b) = (&mut head[0], &mut rest[0]);
    b.create_releases(&releases(1, 1_000_000, 1)).unwrap();
    clock.advance(chrono::Duration::minutes(1));
    a.create_releases(&releases(0, 1_000_000, 1)).unwrap();
    b.sync(None).unwrap();
    let t = Instant::now();
    let out = a.sync(None).unwrap();
    let replay_s = t.elapsed().as_secs_f64();
    assert!(out[0].report.as_ref().unwrap().pulled.replayed);
    println!(
        "| concurrent work: a sync that receives one event sorting before this replica's latest, at {} events (projections recomputed from the ledger) | {replay_s:.1} s |",
        relm_store::events::count(a.store().conn()).unwrap()
    );
}

/// Everyone syncs twice: the founder's membership events reach every member.
fn founder_and_members_sync(team: &mut [Relm]) {
    for _ in 0..2 {
        for relm in team.iter_mut() {
            relm.sync(None).unwrap();
        }
    }
}
