//! OS notifications: a freeze about to start is announced once, an hour ahead.

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
        let tz = shown(&o.tz)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let title = match (fr, hard) {
            (false, true) => format!("Hard freeze soon: {name}"),
            (false, false) => format!("Soft freeze soon: {name}"),
            (true, true) => format!("Gel strict imminent : {name}"),
            (true, false) => format!("Gel souple imminent : {name}"),
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
