//! Projections: the tables computed from ledger events.
//!
//! [`apply`] is the only function that writes them, both when an event is appended and when
//! the projections are rebuilt, so the two paths cannot drift. [`digest`] fingerprints every
//! projection table so `audit verify` can compare the stored state with a fresh rebuild.

pub mod calendar;
pub mod deployments;
pub mod governance;
pub mod members;
pub mod metrics;
pub mod notes;
pub mod releases;
pub mod reviews;
pub mod risks;
pub mod sbom;

use relm_domain::event::SignedEvent;
use relm_domain::ledger::Violation;
use relm_domain::payload::EventBody;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

use crate::causal::Judge;
use crate::error::Result;

/// Projection tables with their ordering keys, children after parents for deletion order.
pub const TABLES: &[(&str, &str)] = &[
    ("release_notes", "release_id"),
    ("sbom_packages", "release_id, component, ord"),
    ("sbom_documents", "release_id, component"),
    ("forks", "author"),
    ("actions", "id"),
    ("review_signatures", "event_id"),
    ("reviews", "release_id"),
    ("review_requirements", "release_id"),
    ("release_answers", "release_id, question"),
    ("risk_overrides", "event_id"),
    ("risk_links", "risk_id, kind, target"),
    ("risks", "id"),
    ("not_applied", "event_id"),
    ("freeze_justifications", "event_id"),
    ("calendar_entries", "id"),
    ("rollbacks", "event_id"),
    ("rollback_plans", "release_id"),
    ("emergencies", "event_id"),
    ("rehearsals", "event_id"),
    ("deployments", "event_id"),
    ("approvals", "event_id"),
    ("policies", "version"),
    ("release_status_history", "release_id, event_id"),
    ("release_environments", "release_id, env"),
    ("releases", "id"),
    ("members", "key_id"),
    ("known_keys", "key_id"),
    ("workspace", "id"),
];

/// What was last read from a part of the store that changes rarely (the calendar, the
/// members), kept by that part's version token: a table of one random value that every change to
/// the part draws again (migrations 0025 and 0029). The token is random, so two stores share it
/// only while one is a copy of the other with the same part; a write rolled back leaves a token
/// no store holds.
#[derive(Debug)]
pub(crate) struct Kept<T>(std::sync::Mutex<Option<(Vec<u8>, T)>>);

impl<T: Clone> Kept<T> {
    pub(crate) const fn new() -> Self {
        Kept(std::sync::Mutex::new(None))
    }

    /// The value kept for `conn`'s token in `table`, or `read`'s, then kept.
    pub(crate) fn get(
        &self,
        conn: &Connection,
        table: &str,
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let token: Vec<u8> = conn
            .prepare_cached(&format!("SELECT token FROM {table}"))?
            .query_row([], |r| r.get(0))?;
        let kept = || {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((_, hit)) = kept().as_ref().filter(|(t, _)| *t == token) {
            return Ok(hit.clone());
        }
        let value = read()?;
        *kept() = Some((token, value.clone()));
        Ok(value)
    }
}

/// No effect, for a reason named by `code`.
pub(crate) fn refused(code: &'static str, message: String) -> Result<Option<Violation>> {
    Ok(Some(Violation::new(code, message)))
}

/// The violation of an event about a release that does not exist at its point of the ledger.
pub(crate) fn unknown_release(id: &relm_domain::ids::ReleaseId) -> Violation {
    Violation::new(
        "unknown_release",
        format!("no release {id} exists at this point of the ledger"),
    )
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Applied,
    /// The event is authentic but has no effect at its point of the ledger; the reason is
    /// recorded in `not_applied`.
    NotApplied(Violation),
}

/// Apply one event whose integrity was checked ([`relm_domain::ledger::Ledger::admit`]) to the
/// projections. The governance decision is the [`Judge`]'s (causal authority: the membership
/// its author had seen, the removals it was concurrent with); then the change must still make
/// sense at this point of the ledger (see [`releases::apply`]).
pub fn apply(
    conn: &Connection,
    judge: &Judge,
    ev: &SignedEvent,
    body: &EventBody,
) -> Result<Effect> {
    let at = ev.envelope.hlc.packed();
    let by = ev.envelope.author.as_str();
    if let EventBody::WorkspaceCreated { founder: m, .. }
    | EventBody::MemberAdded { member: m, .. } = body
    {
        members::introduce(conn, m)?;
    }
    let refused = match judge.verdict(conn, ev, body)? {
        Some(v) => Some(v),
        None => match body {
            EventBody::WorkspaceCreated { name, .. } => {
                conn.execute(
                    "INSERT INTO workspace (id, name, founder, created_hlc) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![ev.envelope.workspace.0, name, by, at],
                )?;
                members::apply(conn, body, at)?;
                None
            }
            EventBody::MemberAdded { .. }
            | EventBody::MemberRolesSet { .. }
            | EventBody::MemberTeamSet { .. }
            | EventBody::MemberRemoved { .. } => {
                members::apply(conn, body, at)?;
                None
            }
            EventBody::ReleaseCreated { .. }
            | EventBody::ReleaseUpdated { .. }
            | EventBody::ReleaseStatusChanged { .. } => {
                releases::apply(conn, &ev.envelope.id.0, body, at, by)?
            }
            EventBody::DeploymentRecorded { .. }
            | EventBody::DeploymentsImported { .. }
            | EventBody::RollbackRehearsed { .. }
            | EventBody::RollbackPlanned { .. }
            | EventBody::RollbackRecorded { .. } => {
                deployments::apply(conn, &ev.envelope.id.0, body, at, by)?
            }
            EventBody::ReviewUpdated { .. }
            | EventBody::ReviewSigned { .. }
            | EventBody::ActionAdded { .. }
            | EventBody::ActionDone { .. } => {
                reviews::apply(conn, &ev.envelope.id.0, body, at, by)?
            }
            EventBody::SbomAttached {
                release_id,
                component,
                document,
                packages,
            } => sbom::attached(
                conn,
                &ev.envelope.id.0,
                release_id,
                (component, document, packages),
                (at, by),
            )?,
            EventBody::ReleaseNotesSet {
                release_id,
                lang,
                markdown,
            } => notes::set(
                conn,
                &ev.envelope.id.0,
                release_id,
                (lang, markdown),
                (at, by),
            )?,
            EventBody::PolicyApplied { .. }
            | EventBody::ApprovalRecorded { .. }
            | EventBody::EmergencyDeclared { .. }
            | EventBody::FreezeJustified { .. } => {
                governance::apply(conn, &ev.envelope.id.0, body, at, by)?
            }
            EventBody::CalendarEntryAdded { .. }
            | EventBody::CalendarEntryUpdated { .. }
            | EventBody::CalendarEntryRemoved { .. } => calendar::apply(conn, body, at, by)?,
            EventBody::RiskAdded { .. }
            | EventBody::RiskUpdated { .. }
            | EventBody::RiskMitigated { .. }
            | EventBody::RiskMitigationDone { .. }
            | EventBody::RiskAccepted { .. }
            | EventBody::RiskClosed { .. } => risks::apply(conn, body, at, by)?,
            EventBody::RiskAnswered {
                release_id,
                answers,
            } => risks::answered(conn, &ev.envelope.id.0, &release_id.0, answers, at)?,
            EventBody::ReleaseRiskLowered {
                release_id,
                level,
                from,
                reason,
            } => risks::lowered(
                conn,
                &ev.envelope.id.0,
                &release_id.0,
                (*level, *from),
                reason,
                (at, by),
            )?,
            // On record in the ledger (the audit log shows it); nothing to project.
            EventBody::ReportExported { .. } | EventBody::PlatformWritten { .. } => None,
            EventBody::WorkspaceConfigured {
                max_clock_offset_minutes,
            } if !(1..=relm_domain::limits::MAX_CLOCK_OFFSET_MINUTES)
                .contains(max_clock_offset_minutes) =>
            {
                Some(Violation::new(
                    "invalid_change",
                    format!(
                        "a bound on clock offsets of {max_clock_offset_minutes} min is out of range"
                    ),
                ))
            }
            EventBody::WorkspaceConfigured {
                max_clock_offset_minutes,
            } => {
                conn.execute(
                    "UPDATE workspace SET max_clock_offset_ms = ?1",
                    [i64::from(*max_clock_offset_minutes) * 60_000],
                )?;
                None
            }
        },
    };
    Ok(match refused {
        None => Effect::Applied,
        Some(v) if v.code == crate::causal::FORKED => Effect::NotApplied(v),
        Some(v) => {
            conn.prepare_cached(
                "INSERT INTO not_applied (event_id, entity, kind, at_hlc, by_key, code, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(rusqlite::params![
                ev.envelope.id.0,
                body.entity(),
                body.kind(),
                at,
                by,
                v.code,
                v.message
            ])?;
            Effect::NotApplied(v)
        }
    })
}

/// Empty the projections and apply every event again, in ledger order. Returns the number of
/// events replayed.
pub fn replay(conn: &Connection) -> Result<u64> {
    clear(conn)?;
    crate::forks::project(conn)?;
    let judge = Judge::load(conn)?;
    let mut n = 0u64;
    crate::events::for_each_in_ledger_order(conn, |stored| {
        let ev = stored.decode()?;
        let body = ev.body().map_err(crate::StoreError::Corrupt)?;
        apply(conn, &judge, &ev, &body)?;
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

/// Ids in `table` (a projection keyed by `id`) starting with `prefix`, at most `limit`, read
/// from its primary key.
pub(crate) fn ids_with_prefix(
    conn: &Connection,
    table: &str,
    prefix: &str,
    limit: u32,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM {table} WHERE id >= ?1 AND id < ?1 || x'ff' ORDER BY id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(rusqlite::params![prefix, limit], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Empty every projection table (before a rebuild).
pub fn clear(conn: &Connection) -> Result<()> {
    for (table, _) in TABLES {
        conn.execute(&format!("DELETE FROM {table}"), [])?;
    }
    Ok(())
}

/// SHA-256 of each projection table's rows in key order, with typed values.
pub fn digest(conn: &Connection) -> Result<Vec<(&'static str, [u8; 32])>> {
    let mut out = Vec::new();
    for (table, key) in TABLES {
        let mut h = Sha256::new();
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {key}"))?;
        let cols = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..cols {
                match row.get_ref(i)? {
                    ValueRef::Null => h.update([0u8]),
                    ValueRef::Integer(v) => {
                        h.update([1u8]);
                        h.update(v.to_le_bytes());
                    }
                    ValueRef::Real(v) => {
                        h.update([2u8]);
                        h.update(v.to_le_bytes());
                    }
                    ValueRef::Text(b) | ValueRef::Blob(b) => {
                        h.update([3u8]);
                        h.update((b.len() as u64).to_le_bytes());
                        h.update(b);
                    }
                }
            }
        }
        out.push((*table, h.finalize().into()));
    }
    Ok(out)
}
