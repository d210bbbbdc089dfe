//! Moving a release's planned window, looked at before it is saved: the conflicts the release
//! would have at its new time (with the calendar and with other releases), those it has now, the
//! verdict for each of its environments at the new time, and the decisions the move would make
//! stale (the window is governed content). Saving refuses when the release changed since the
//! preview was shown, so a person never confirms a picture that is no longer true.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use relm_calendar::conflicts::overlaps_of;
use relm_calendar::{Conflict, Planned};
use relm_domain::ids::ReleaseId;
use relm_domain::payload::{Decision, EventBody};
use relm_domain::release::ReleasePatch;
use relm_domain::window::{PlannedWindow, fmt_utc};
use relm_policy::{Lang, Verdict};
use relm_store::ReleaseRow;
use relm_store::projection::{calendar, releases};

use crate::error::{ApiError, ErrorCode, Result, no_release};
use crate::session::Relm;
use relm_domain::ReasonCode;

/// A proposed new window for a release.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct RescheduleRequest {
    /// A release id or a unique prefix.
    pub release: String,
    /// RFC 3339, or wall-clock time in `tz`.
    pub start: String,
    pub end: String,
    /// The window's zone; the release's current one when absent (UTC when it has none).
    pub tz: Option<String>,
    /// The language verdicts are worded in.
    pub lang: Lang,
}

/// What the move would do.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReschedulePreview {
    pub release_id: String,
    pub service: String,
    pub version: String,
    /// The new window, RFC 3339 UTC, and its zone.
    pub start: String,
    pub end: String,
    pub tz: String,
    /// The release's governed digest now: saving with it refuses if the release changed since.
    pub base_digest: String,
    /// Conflicts at the new time (the release's own, and overlaps it takes part in).
    pub conflicts: Vec<Conflict>,
    /// Conflicts at the current time, to compare.
    pub conflicts_before: Vec<Conflict>,
    /// The verdict for each environment, judged at the new start (or now, if that is later).
    pub verdicts: Vec<Verdict>,
    /// Approvals of the release as it is now that the move would make stale.
    pub stale_approvals: u32,
}

impl Relm {
    /// What moving a release's window would do; nothing is recorded.
    pub fn preview_reschedule(&self, req: &RescheduleRequest) -> Result<ReschedulePreview> {
        self.workspace_id()?;
        let id = self.resolve_release(&req.release)?;
        let conn = self.store.conn();
        let row = editable(releases::get(conn, &id)?, &id)?;
        let window = new_window(&row, req)?;
        let (policy, version) = crate::gates::in_force(conn)?;
        let mut facts = crate::gates::facts(conn, &id, self.clock.now(), &policy)?;
        let base_digest = facts.fields.governed_digest(&facts.release_id);
        // The calendar the verdicts read, already loaded with the facts.
        let entries = facts.calendar.clone();
        let production = |env: &str| policy.is_production(env);
        let conflicts_of = |start: DateTime<Utc>, end: DateTime<Utc>| -> Result<Vec<Conflict>> {
            let moved = Planned {
                id: id.clone(),
                service: row.fields.service.clone(),
                version: row.fields.version.clone(),
                environments: row.fields.environments.clone(),
                start,
                end,
            };
            // Its conflicts with the calendar, and the releases whose windows overlap it, seen
            // from it (those starting after it too): one warning per kind, counting them.
            let near: Vec<Planned> =
                calendar::planned_releases_between(conn, start.timestamp(), end.timestamp())?;
            let mut found =
                relm_calendar::conflicts(std::slice::from_ref(&moved), &entries, production)
                    .map_err(|e| ApiError::new(ErrorCode::Validation, e.to_string()))?;
            found.extend(overlaps_of(&moved, &near.iter().collect::<Vec<_>>()));
            Ok(found)
        };
        let conflicts_before = match &row.fields.window {
            Some(w) => conflicts_of(w.start, w.end)?,
            None => Vec::new(),
        };
        let conflicts = conflicts_of(window.start, window.end)?;
        facts.fields.window = Some(window.clone());
        let at = window.start.max(self.clock.now());
        let verdicts = row
            .fields
            .environments
            .iter()
            .map(|env| {
                let style = relm_policy::Style {
                    lang: req.lang,
                    zone: window.tz.parse().ok(),
                };
                relm_policy::evaluate_in(&policy, version, &facts, env, at, style)
            })
            .collect();
        let new_digest = facts.fields.governed_digest(&facts.release_id);
        let stale_approvals = facts
            .approvals
            .iter()
            .filter(|a| {
                a.decision == Decision::Approve
                    && a.release_digest == base_digest
                    && a.release_digest != new_digest
            })
            .count() as u32;
        Ok(ReschedulePreview {
            release_id: id,
            service: row.fields.service,
            version: row.fields.version,
            start: fmt_utc(window.start),
            end: fmt_utc(window.end),
            tz: window.tz,
            base_digest,
            conflicts,
            conflicts_before,
            verdicts,
            stale_approvals,
        })
    }

    /// Move a release's window, as previewed: refused when the release changed since the
    /// preview (`base_digest` no longer matches), so the person looks again.
    pub fn reschedule_release(
        &mut self,
        req: &RescheduleRequest,
        base_digest: &str,
    ) -> Result<ReleaseRow> {
        self.workspace_id()?;
        let id = self.resolve_release(&req.release)?;
        self.emit(|tx| {
            let row = editable(releases::get(tx, &id)?, &id)?;
            let now = row.fields.governed_digest(&ReleaseId(id.clone()));
            if now != base_digest {
                return Err(ApiError::conflict(
                    ReasonCode::ChangedSinceChecked,
                    format!(
                        "release {id} changed since this move was checked; check the new time again before saving"
                    ),
                )
                .with("release", &id));
            }
            let window = new_window(&row, req)?;
            Ok(vec![EventBody::ReleaseUpdated {
                release_id: ReleaseId(id.clone()),
                patch: ReleasePatch {
                    window: Some(window),
                    ..Default::default()
                },
            }])
        })?;
        self.release(&id)
    }
}

fn editable(row: Option<ReleaseRow>, id: &str) -> Result<ReleaseRow> {
    let row = row.ok_or_else(|| no_release(id))?;
    if !row.status.is_editable() {
        return Err(ApiError::conflict(
            ReasonCode::NotMovable,
            format!(
                "release {id} is `{}`; its window is history and can no longer be moved",
                row.status
            ),
        )
        .with("release", id)
        .with("status", row.status));
    }
    Ok(row)
}

fn new_window(row: &ReleaseRow, req: &RescheduleRequest) -> Result<PlannedWindow> {
    let tz = req
        .tz
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .or_else(|| row.fields.window.as_ref().map(|w| w.tz.clone()))
        .unwrap_or_else(|| "UTC".to_string());
    Ok(PlannedWindow::parse(&req.start, &req.end, &tz)?)
}
