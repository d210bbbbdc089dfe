//! Calendar subscription files, one per audience (everything, production only, one service):
//! an `.ics` file a calendar client subscribes to, in a folder it reads (a shared drive, a web
//! server's folder). `relm calendar export` without `--out` and the app keep them current: each
//! refresh writes a file only when its content changed (the export is the same bytes for the
//! same calendar), whole or not at all, so that a client polling it never reads half a file.

use serde::Serialize;

use crate::error::{self, ApiError, Result};
use crate::reports::write_whole;
use crate::session::Relm;
use crate::undo::{Removal, Removed};
use relm_domain::{DomainError, Problems, ReasonCode};
use relm_store::feeds::{self as store, FeedRow};

/// A subscription file as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeedView {
    pub name: String,
    pub path: String,
    /// `env:NAME` / `service:NAME`; empty for everything.
    pub scope: Vec<String>,
    pub added_at: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_written_at: Option<String>,
    /// Events in the file as last written.
    pub events: u32,
    /// Why the last refresh failed, in English.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The same failure, with its reason for the app's wording (none for one an earlier
    /// version kept as text).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<ApiError>,
}

/// What a refresh did to one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeedRefresh {
    pub name: String,
    pub path: String,
    pub events: u32,
    /// The file was written (its content changed, or it was missing).
    pub written: bool,
    /// Why the file was not written, in English.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The same, with its reason for the app's wording.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<ApiError>,
}

/// The subscription's file cannot be kept as asked: `reason` for the app's wording, `why` in
/// English.
fn bad_file(file: &std::path::Path, reason: &str, why: &str) -> DomainError {
    let shown = file.display().to_string();
    crate::files::bad_file("path", &shown, reason, format!("{shown}: {why}"))
}

fn at_text(ms: i64) -> String {
    relm_domain::window::fmt_utc(chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default())
}

fn view(r: FeedRow) -> FeedView {
    let (last_error, last_failure) = error::kept(r.last_error);
    FeedView {
        added_at: at_text(r.added_ms),
        last_written_at: r.last_written_ms.map(at_text),
        events: r.last_events.max(0) as u32,
        last_error,
        last_failure,
        name: r.name,
        path: r.path,
        scope: r.scope,
    }
}

impl Relm {
    fn feed_row(&self, name: &str) -> Result<FeedRow> {
        store::get(self.store.conn(), name.trim())?.ok_or_else(|| {
            ApiError::not_found(format!(
                "no calendar subscription named `{}`; `relm calendar feed list` shows them",
                name.trim()
            ))
        })
    }

    /// Keep the calendar of `scope` current in the file `path` (an absolute `.ics` path in an
    /// existing folder), under `name`; written at once.
    pub fn add_feed(&mut self, name: &str, path: &str, scope: &[String]) -> Result<FeedRefresh> {
        let name = name.trim().to_string();
        let mut problems = Problems::default();
        problems.check(relm_domain::text::check_name("name", &name));
        let file = std::path::PathBuf::from(path.trim());
        let why = if !file.is_absolute() {
            Some((
                "relative",
                "give the file's full path (it is rewritten from wherever Relm runs)",
            ))
        } else if file
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case("ics"))
        {
            Some((
                "not_ics",
                "a calendar subscription is an `.ics` file: end the name with .ics",
            ))
        } else if file.parent().is_none_or(|d| !d.is_dir()) {
            Some((
                "no_folder",
                "its folder does not exist: create it first, or choose another",
            ))
        } else if file.is_dir() {
            Some((
                "is_folder",
                "this is a folder: give a file name ending with .ics",
            ))
        } else {
            None
        };
        if let Some((reason, why)) = why {
            problems.add(bad_file(&file, reason, why));
        }
        problems.done()?;
        // The scope is checked (and spelled as the policy spells it) before anything is kept.
        let scope = self.export_scope_values(scope)?;
        if store::get(self.store.conn(), &name)?.is_some() {
            return Err(ApiError::conflict(
                ReasonCode::FeedExists,
                format!(
                    "a calendar subscription named `{name}` exists; choose another name, or remove it first"
                ),
            )
            .with("name", &name)
            .at("name"));
        }
        if store::list(self.store.conn())?
            .iter()
            .any(|f| std::path::Path::new(&f.path) == file)
        {
            return Err(bad_file(
                &file,
                "taken",
                "it is the file of another subscription already; choose another file",
            )
            .into());
        }
        let row = FeedRow {
            name: name.clone(),
            path: file.display().to_string(),
            scope,
            added_ms: self.clock.now().timestamp_millis(),
            last_written_ms: None,
            last_events: 0,
            last_error: None,
        };
        // Written first: a file that cannot be written is said now, and nothing is kept.
        let ics = self.feed_ics(&row)?;
        write_whole(&file, ics.as_bytes())?;
        let at = self.clock.now().timestamp_millis();
        let events = ics.matches("BEGIN:VEVENT").count() as i64;
        self.store.write(|tx| -> Result<()> {
            store::insert(tx, &row)?;
            Ok(store::refreshed(
                tx,
                &row.name,
                Some((events, true)),
                None,
                at,
            )?)
        })?;
        tracing::info!(feed = %name, path = %row.path, events, "calendar subscription added");
        Ok(FeedRefresh {
            name,
            path: row.path,
            events: events as u32,
            written: true,
            error: None,
            failure: None,
        })
    }

    pub fn feeds(&self) -> Result<Vec<FeedView>> {
        Ok(store::list(self.store.conn())?
            .into_iter()
            .map(view)
            .collect())
    }

    /// Stop keeping a subscription current (its file stays where it is): what it was, and the
    /// [`Removal`] that undoes it.
    pub fn remove_feed(&mut self, name: &str) -> Result<(FeedView, Removal)> {
        let row = self.feed_row(name)?;
        let n = row.name.clone();
        let removal = self.remove_undoably(
            Removed::Feed,
            &n,
            &[("calendar_feeds", "name", &n)],
            None,
            |tx| Ok(store::remove(tx, &n)?),
        )?;
        tracing::info!(feed = %n, "calendar subscription removed");
        Ok((view(row), removal))
    }

    /// The calendar file of a subscription.
    fn feed_ics(&self, row: &FeedRow) -> Result<String> {
        let (_, workspace) = self.workspace()?;
        self.calendar_ics_titled(
            None,
            None,
            &row.scope,
            &format!("{workspace} release calendar — {}", row.name),
        )
    }

    /// Rewrite every subscription file whose content changed (or which is missing); each
    /// one's failure is in its line, and the others are still written.
    pub fn refresh_feeds(&mut self) -> Result<Vec<FeedRefresh>> {
        let mut out = Vec::new();
        for row in store::list(self.store.conn())? {
            let path = std::path::PathBuf::from(&row.path);
            let made = self.feed_ics(&row);
            let at = self.clock.now().timestamp_millis();
            let done = made.and_then(|ics| {
                let events = ics.matches("BEGIN:VEVENT").count() as i64;
                // Rewritten when the calendar changed, or when the file is not what was
                // written (removed, or replaced by something else).
                let there = std::fs::symlink_metadata(&path)
                    .ok()
                    .filter(|m| m.is_file() && m.len() == ics.len() as u64)
                    .and_then(|_| std::fs::read(&path).ok());
                let written = there.as_deref() != Some(ics.as_bytes());
                if written {
                    write_whole(&path, ics.as_bytes())?;
                }
                Ok((events, written))
            });
            match done {
                Ok((events, written)) => {
                    self.store.write(|tx| -> Result<()> {
                        Ok(store::refreshed(
                            tx,
                            &row.name,
                            Some((events, written)),
                            None,
                            at,
                        )?)
                    })?;
                    out.push(FeedRefresh {
                        name: row.name,
                        path: row.path,
                        events: events as u32,
                        written,
                        error: None,
                        failure: None,
                    });
                }
                Err(e) => {
                    let why = e.to_string();
                    let kept = error::keep(&e)?;
                    self.store.write(|tx| -> Result<()> {
                        Ok(store::refreshed(tx, &row.name, None, Some(&kept), at)?)
                    })?;
                    tracing::warn!(feed = %row.name, %why, "calendar subscription not written");
                    out.push(FeedRefresh {
                        name: row.name,
                        path: row.path,
                        events: row.last_events.max(0) as u32,
                        written: false,
                        error: Some(why),
                        failure: Some(e),
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::reports::write_whole;

    #[test]
    fn a_link_planted_under_the_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        let file = dir.path().join("feed.ics");
        // The name the temporary file takes, taken first by a link to the victim.
        let tmp = dir
            .path()
            .join(format!(".feed.ics.{}.part", std::process::id()));
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        write_whole(&file, b"BEGIN:VCALENDAR").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(std::fs::read(&file).unwrap(), b"BEGIN:VCALENDAR");
        assert!(!tmp.exists());
    }
}
