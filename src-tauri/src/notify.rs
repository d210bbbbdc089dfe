//! OS notifications: a freeze about to start is announced once, an hour ahead; a decision that
//! begins to wait for this member (brought by a sync or the command line, or an approval gone
//! stale or lapsed) is announced when it does.

use std::collections::HashSet;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;
use relm_domain::text::{Shown, shown};

/// How long before a freeze starts it is announced.
pub const AHEAD_MINUTES: i64 = 60;

/// Announce the freezes starting within the hour that were not announced yet; `seen` keeps
/// the occurrences already announced during this run of the app.
pub fn announce_freezes(app: &AppHandle, state: &AppState, seen: &mut HashSet<String>) {
    if !state.has_workspace() {
        return;
    }
    let Ok(list) = state.with(|r| r.freezes_starting(AHEAD_MINUTES)) else {
        return;
    };
    let fr = state
        .locale
        .lock()
        .map(|l| l.as_str() == "fr")
        .unwrap_or(false);
    for o in list {
        if !seen.insert(format!("{}@{}", o.entry_id, o.start_utc)) {
            continue;
        }
        let hard = o.level != Some(relm_calendar::Level::Soft);
        // An entry's name and zone are outside text: escaped, and the zone (in the body, which
        // notification servers may read as markup) without markup either.
        let name = Shown(&o.name);
        let tz = no_markup(&shown(&o.tz));
        let title = match (fr, hard) {
            (false, true) => format!("Hard freeze soon: {name}"),
            (false, false) => format!("Soft freeze soon: {name}"),
            (true, true) => format!("Gel strict imminent\u{a0}: {name}"),
            (true, false) => format!("Gel souple imminent\u{a0}: {name}"),
        };
        let when = o.start_local.replace('T', " ");
        let body = if fr {
            format!(
                "À partir de {when} ({tz}), jusqu’au {}",
                o.end_local.replace('T', " ")
            )
        } else {
            format!("From {when} ({tz}) until {}", o.end_local.replace('T', " "))
        };
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            tracing::warn!("could not show the freeze notification: {e}");
        }
    }
}

/// A body's text with nothing a notification server would read as markup.
fn no_markup(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Announce the decisions that wait for this member now and did not at the last look.
pub fn announce_decisions(app: &AppHandle, state: &AppState) {
    // No workspace yet, or no identity: nothing waits, and nothing is known to have waited.
    let looked = state.pending_decisions(None);
    // Judging every release in flight again (a new minute) leaves freed memory behind.
    state.trim_after_background();
    let Ok((style, list)) = looked else {
        return;
    };
    let lang = style.lang;
    let new = state.newly_waiting(&list);
    let Some(notice) = relm_api::gates::decisions_notice(&new, lang) else {
        return;
    };
    tracing::info!(decisions = new.len(), "decisions waiting announced");
    // Names, titles and reasons are outside text: shown escaped, the body without markup.
    let title = shown(&notice.title).to_string();
    let body = no_markup(&shown(&notice.body));
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!("could not show the decision notification: {e}");
    }
}
