//! `relm-seed-big DIR`: seed the large-organization workspace of `make bench-app` into the new
//! data dir DIR, its founder's key in the OS keyring (`RELM_KEYRING` chooses which), as of
//! today. Sizes from `RELM_BIG_EVENTS`, `RELM_BIG_RELEASES`, `RELM_BIG_RISKS`,
//! `RELM_BIG_CALENDAR` and `RELM_BIG_MEMBERS` (the by default). Prints what it seeded as
//! JSON on stdout, progress on stderr.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use relm_tests::bench::env_usize;
use relm_tests::big::{Sizes, seed};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: relm-seed-big DIR (a data dir that does not exist yet)");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    if dir.exists() {
        eprintln!("{} exists: give a new folder", dir.display());
        std::process::exit(2);
    }
    relm_identity::keyring::prepare_process();
    let o = Sizes::ORGANIZATION;
    let sizes = Sizes {
        events: env_usize("RELM_BIG_EVENTS", o.events),
        releases: env_usize("RELM_BIG_RELEASES", o.releases),
        risks: env_usize("RELM_BIG_RISKS", o.risks),
        calendar: env_usize("RELM_BIG_CALENDAR", o.calendar),
        members: env_usize("RELM_BIG_MEMBERS", o.members),
    };
    use relm_domain::clock::Clock;
    let now = relm_domain::clock::SystemClock.now();
    let clock = Arc::new(relm_domain::clock::FixedClock::new(now));
    let opts = relm_api::Options {
        data_dir: dir,
        clock: clock.clone(),
        keyring: relm_api::KeyringChoice::Os,
    };
    let t = Instant::now();
    let progress = |what: &str| eprintln!("[{:>6.1} s] {what}", t.elapsed().as_secs_f64());
    let s = seed(&opts, &clock, now.date_naive(), sizes, &progress);
    println!(
        "{}",
        serde_json::json!({
            "events": s.events,
            "releases": s.releases,
            "deployed_releases": s.past_releases,
            "risks": s.risks,
            "calendar_entries": s.calendar,
            "members": s.members,
            "seconds": t.elapsed().as_secs_f64(),
        })
    );
}
