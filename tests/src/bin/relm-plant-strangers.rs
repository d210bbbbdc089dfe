//! `relm-plant-strangers REMOTE WORKSPACE COUNT`: write COUNT events signed by a key no member
//! of WORKSPACE has into the folder remote REMOTE, as anyone with write access to a shared
//! folder could. The end-to-end tests use it to fill a replica's waiting events.

#![allow(clippy::print_stderr)]

use relm_tests::forge::{Forger, plant};
use serde_json::json;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(remote), Some(workspace), Some(Ok(count))) = (
        args.first(),
        args.get(1),
        args.get(2).map(|n| n.parse::<u64>()),
    ) else {
        eprintln!("usage: relm-plant-strangers REMOTE WORKSPACE COUNT");
        std::process::exit(2);
    };
    let mut stranger = Forger::stranger(77, workspace);
    let events: Vec<_> = (0..count)
        .map(|i| {
            stranger.next(
                1_700_000_000_000 + i,
                "release.status_changed",
                json!({"release_id": "r", "from": "draft", "to": "cancelled"}),
            )
        })
        .collect();
    plant(std::path::Path::new(remote), "stranger", workspace, &events);
}
