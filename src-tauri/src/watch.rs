//! Live updates.
//!
//! A change made elsewhere (the CLI, a sync) is seen through SQLite's `data_version`, read on a
//! connection of the watcher's own every 400 ms: it changes when another connection commits.
//! Changes are coalesced into one `relm://changed` event per tick, so the UI refreshes once
//! however many events arrived. The UI never polls. (Background sync is the
//! [`crate::sync_worker`]'s.)

use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

const TICK: Duration = Duration::from_millis(400);
/// How long no call has run before the notifications look at what waits for a decision.
const QUIET: Duration = Duration::from_secs(1);

pub fn start(app: AppHandle) {
    std::thread::Builder::new()
        .name("relm-watch".into())
        .spawn(move || watch(app))
        .map(|_| ())
        .unwrap_or_else(|e| tracing::warn!("no live updates: {e}"));
}

fn data_version(conn: &relm_store::Connection) -> Option<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
}

fn watch(app: AppHandle) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let db = relm_api::db_path(&state.data_dir);
    let mut conn: Option<relm_store::Connection> = None;
    let mut last: Option<i64> = None;
    let mut announced = std::collections::HashSet::new();
    // A change was seen since decisions were last looked at: they are, at most every 2 s (a
    // sync's many commits are one look).
    let mut decisions_due = false;
    let mut ticks: u32 = 0;
    loop {
        // The first reading happens before the UI loads anything, so no change made between
        // the app's start and the UI's first load can slip between them.
        if conn.is_none() && db.exists() {
            conn = relm_store::Connection::open_with_flags(
                &db,
                relm_store::rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .ok();
        }
        if let Some(c) = &conn {
            let v = data_version(c);
            if last.is_some() && v != last {
                let _ = app.emit("relm://changed", ());
                decisions_due = true;
            }
            last = v;
        }
        // About once a minute, announce freezes about to start; every five, decisions that
        // began to wait with the time (an approval that lapsed: judging them all again is the
        // look's one costly part). Not at launch: nothing has changed yet, and the dashboard's
        // first answer is what waited then; without one 10 s in, a first look takes it.
        if ticks.is_multiple_of(150) {
            crate::notify::announce_freezes(&app, &state, &mut announced);
        }
        if (ticks > 0 && ticks.is_multiple_of(750)) || (ticks == 25 && !state.decisions_known()) {
            decisions_due = true;
        }
        // The first look waits for the dashboard's own (10 s at most), so that the launch's
        // first page does not wait for it and both find one kept answer; every look waits for
        // a second without calls, so as not to take the cores from a page being drawn.
        if decisions_due
            && ticks.is_multiple_of(5)
            && (ticks >= 25 || state.decisions_asked())
            && state.quiet_for(QUIET)
        {
            decisions_due = false;
            crate::notify::announce_decisions(&app, &state);
        }
        ticks = ticks.wrapping_add(1);
        std::thread::sleep(TICK);
    }
}
