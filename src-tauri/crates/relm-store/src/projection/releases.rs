//! The `releases` projection and its queries.

use chrono::{TimeZone, Utc};
use relm_domain::hlc::Hlc;
use relm_domain::ids::ReleaseId;
use relm_domain::keys::KeyId;
use relm_domain::ledger::Violation;
use relm_domain::payload::{BlockedGate, EventBody};
use relm_domain::release::{ChangeType, ReleaseFields, ReleaseStatus};
use relm_domain::window::{PlannedWindow, fmt_utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::error::{Result, StoreError};

/// A release as the projection holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleaseRow {
    pub id: String,
    #[serde(flatten)]
    pub fields: ReleaseFields,
    pub status: ReleaseStatus,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    /// Number of events applied to this release (1 after creation).
    pub revision: i64,
    /// Some status change of this release was an override (made while the policy blocked it).
    pub overridden: bool,
}

/// One entry of a release's status history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusChange {
    pub event_id: String,
    pub from: Option<String>,
    pub to: String,
    pub note: Option<String>,
    pub at: String,
    pub by: String,
    /// What blocked this change when it was made: an override, `note` its reason.
    pub blocked: Vec<BlockedGate>,
}

/// What a list is ordered by (then by id, so the order is total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SortKey {
    #[default]
    Created,
    Updated,
    /// Planned window start; releases without a window come last.
    Window,
    Service,
    Status,
}

impl SortKey {
    /// The column, and its index in `SELECT`.
    fn column(self) -> (&'static str, usize) {
        match self {
            SortKey::Created => ("created_hlc", 16),
            SortKey::Updated => ("updated_hlc", 18),
            SortKey::Window => ("window_start", 9),
            SortKey::Service => ("service", 1),
            SortKey::Status => ("status", 6),
        }
    }
}

/// A position in a sorted list: the sort column's value and the id of the last row shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub value: Value,
    pub id: String,
}

impl Cursor {
    /// Opaque text form: `i<int>~<id>`, `s<text>~<id>` or `n~<id>`.
    pub fn encode(&self) -> String {
        use Value;
        let v = match &self.value {
            Value::Integer(i) => format!("i{i}"),
            Value::Text(t) => format!("s{t}"),
            _ => "n".into(),
        };
        format!("{v}~{}", self.id)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        use Value;
        let (v, id) = text.rsplit_once('~')?;
        let value = match v.split_at_checked(1)? {
            ("i", n) => Value::Integer(n.parse().ok()?),
            ("s", t) => Value::Text(t.to_string()),
            ("n", "") => Value::Null,
            _ => return None,
        };
        Some(Cursor {
            value,
            id: id.to_string(),
        })
    }
}

/// Filters for listing; all optional. Pages are keyset-based: pass the last row's cursor.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFilter {
    pub service: Option<String>,
    pub status: Option<ReleaseStatus>,
    pub environment: Option<String>,
    pub change_type: Option<ChangeType>,
    /// Only releases whose planned window starts at or after this instant (Unix seconds).
    pub window_from: Option<i64>,
    /// Only releases whose planned window starts before this instant (Unix seconds).
    pub window_to: Option<i64>,
    pub sort: SortKey,
    pub descending: bool,
    /// Continue after this row (the previous page's last cursor).
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// Apply a release event, or say why it has no effect at this point of the ledger: concurrent
/// changes can make an edit or a status change that was valid when made stale by the time it is
/// reached in ledger order (the release moved on, or the edits together break a field rule).
pub(crate) fn apply(
    conn: &Connection,
    event_id: &str,
    body: &EventBody,
    at: i64,
    by: &str,
) -> Result<Option<Violation>> {
    match body {
        EventBody::ReleaseCreated { release_id, fields } => {
            if get(conn, &release_id.0)?.is_some() {
                return Ok(Some(Violation::new(
                    "duplicate_release",
                    format!("a release with id {release_id} already exists"),
                )));
            }
            write_fields(conn, &release_id.0, fields, None, at, by)?;
            history(
                conn,
                &release_id.0,
                event_id,
                None,
                ReleaseStatus::Draft,
                None,
                at,
                by,
            )?;
        }
        EventBody::ReleaseUpdated { release_id, patch } => {
            let Some(mut row) = get(conn, &release_id.0)? else {
                return Ok(Some(unknown(release_id)));
            };
            if !row.status.is_editable() {
                return Ok(Some(Violation::new(
                    "not_editable",
                    format!(
                        "the release was `{}` by this point of the ledger; edits apply only in draft, planned or approved",
                        row.status
                    ),
                )));
            }
            row.fields.apply(patch);
            if let Err(e) = row.fields.validate() {
                return Ok(Some(Violation::new(
                    "invalid_change",
                    format!(
                        "with the edits before it, this edit would leave the release invalid: {e}"
                    ),
                )));
            }
            let envs_changed = patch.environments.is_some();
            write_fields(
                conn,
                &release_id.0,
                &row.fields,
                Some((row.revision, envs_changed)),
                at,
                by,
            )?;
            // A mandatory review (an emergency's, before deployment) follows its release's
            // service; an edit that leaves the service alone writes nothing more.
            if patch.service.is_some() {
                conn.prepare_cached(
                    "UPDATE review_requirements SET service = ?2 WHERE release_id = ?1",
                )?
                .execute(params![release_id.0, row.fields.service])?;
            }
        }
        EventBody::ReleaseStatusChanged {
            release_id,
            from,
            to,
            note,
            blocked,
        } => {
            let Some(row) = get(conn, &release_id.0)? else {
                return Ok(Some(unknown(release_id)));
            };
            if row.status != *from {
                return Ok(Some(Violation::new(
                    "stale_status",
                    format!(
                        "the release was `{}` by this point of the ledger, not `{from}` as this change assumed (another change came first)",
                        row.status
                    ),
                )));
            }
            if let Err(e) = from.check_transition(*to) {
                return Ok(Some(Violation::new("illegal_transition", e.to_string())));
            }
            conn.prepare_cached(
                "UPDATE releases SET status = ?2, updated_hlc = ?3, updated_by = ?4, revision = revision + 1 WHERE id = ?1",
            )?
            .execute(params![release_id.0, to.as_str(), at, by])?;
            history(
                conn,
                &release_id.0,
                event_id,
                Some(*from),
                *to,
                note.as_deref(),
                at,
                by,
            )?;
            if !blocked.is_empty() {
                conn.prepare_cached(
                    "UPDATE release_status_history SET blocked = ?3 WHERE release_id = ?1 AND event_id = ?2",
                )?
                .execute(params![release_id.0, event_id, json(blocked)])?;
                conn.prepare_cached("UPDATE releases SET overridden = 1 WHERE id = ?1")?
                    .execute([&release_id.0])?;
            }
        }
        _ => {}
    }
    Ok(None)
}

fn unknown(id: &ReleaseId) -> Violation {
    super::unknown_release(id)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Insert (`update: None`) or rewrite a release row; `update` is `(revision, environments changed)`.
fn write_fields(
    conn: &Connection,
    id: &str,
    f: &ReleaseFields,
    update: Option<(i64, bool)>,
    at: i64,
    by: &str,
) -> Result<()> {
    let (ws, we, tz) = match &f.window {
        Some(w) => (
            Some(w.start.timestamp()),
            Some(w.end.timestamp()),
            Some(w.tz.clone()),
        ),
        None => (None, None, None),
    };
    match update {
        None => {
            conn.prepare_cached(
                "INSERT INTO releases (id, service, version, title, description, change_type, status, owner,
                   environments, window_start, window_end, window_tz, rollback_plan, components, changes,
                   evidence, created_hlc, created_by, updated_hlc, updated_by, revision, risk)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'draft', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?16, ?17, 1, ?18)",
            )?
            .execute(params![
                id, f.service, f.version, f.title, f.description, f.change_type.as_str(), f.owner.0,
                json(&f.environments), ws, we, tz, f.rollback_plan, json(&f.components),
                json(&f.changes), json(&f.evidence), at, by, f.risk.as_str()
            ])?;
        }
        Some((rev, envs_changed)) => {
            conn.prepare_cached(
                "UPDATE releases SET service = ?2, version = ?3, title = ?4, description = ?5, change_type = ?6,
                   owner = ?7, environments = ?8, window_start = ?9, window_end = ?10, window_tz = ?11,
                   rollback_plan = ?12, components = ?13, changes = ?14, evidence = ?15,
                   updated_hlc = ?16, updated_by = ?17, revision = ?18, risk = ?19 WHERE id = ?1",
            )?
            .execute(params![
                id, f.service, f.version, f.title, f.description, f.change_type.as_str(), f.owner.0,
                json(&f.environments), ws, we, tz, f.rollback_plan, json(&f.components),
                json(&f.changes), json(&f.evidence), at, by, rev + 1, f.risk.as_str()
            ])?;
            if !envs_changed {
                return Ok(());
            }
            conn.prepare_cached("DELETE FROM release_environments WHERE release_id = ?1")?
                .execute([id])?;
        }
    }
    let mut ins =
        conn.prepare_cached("INSERT INTO release_environments (release_id, env) VALUES (?1, ?2)")?;
    for env in &f.environments {
        ins.execute(params![id, env])?;
    }
    Ok(())
}

/// Move a release's status as the consequence of another event (a deployment, a rollback, a
/// review signed off): the status history names that event.
pub(crate) fn move_status(
    conn: &Connection,
    id: &str,
    event_id: &str,
    from: ReleaseStatus,
    to: ReleaseStatus,
    at: i64,
    by: &str,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE releases SET status = ?2, updated_hlc = ?3, updated_by = ?4, revision = revision + 1 WHERE id = ?1",
    )?
    .execute(params![id, to.as_str(), at, by])?;
    history(conn, id, event_id, Some(from), to, None, at, by)
}

#[allow(clippy::too_many_arguments)]
fn history(
    conn: &Connection,
    id: &str,
    event_id: &str,
    from: Option<ReleaseStatus>,
    to: ReleaseStatus,
    note: Option<&str>,
    at: i64,
    by: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO release_status_history (release_id, event_id, from_status, to_status, note, at_hlc, by_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![id, event_id, from.map(|s| s.as_str()), to.as_str(), note, at, by])?;
    if to == ReleaseStatus::Planned {
        // The first submission, for the metrics' approval lead time.
        conn.prepare_cached(
            "UPDATE releases SET submitted_ms = min(coalesce(submitted_ms, ?2), ?2) WHERE id = ?1",
        )?
        .execute(params![id, at >> 16])?;
    }
    Ok(())
}

const SELECT: &str = "SELECT id, service, version, title, description, change_type, status, owner,
    environments, window_start, window_end, window_tz, rollback_plan, components, changes, evidence,
    created_hlc, created_by, updated_hlc, updated_by, revision, risk, overridden FROM releases";

pub(crate) fn at_text(hlc: i64) -> String {
    fmt_utc(Hlc::from_packed(hlc).to_datetime())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Result<ReleaseRow>> {
    let text = |i: usize| r.get::<_, String>(i);
    let parse = |what: &str, e: String| StoreError::Corrupt(format!("release {what}: {e}"));
    let id = text(0)?;
    let ws: Option<i64> = r.get(9)?;
    let we: Option<i64> = r.get(10)?;
    let tz: Option<String> = r.get(11)?;
    let raw = (
        text(5)?,
        text(6)?,
        text(8)?,
        text(13)?,
        text(14)?,
        text(15)?,
    );
    let (service, version, title, description, owner, rollback_plan) =
        (text(1)?, text(2)?, text(3)?, text(4)?, text(7)?, text(12)?);
    let (created_hlc, created_by, updated_hlc, updated_by, revision): (
        i64,
        String,
        i64,
        String,
        i64,
    ) = (r.get(16)?, r.get(17)?, r.get(18)?, r.get(19)?, r.get(20)?);
    let risk = text(21)?;
    let overridden: bool = r.get(22)?;
    Ok((|| {
        let window = match (ws, we, tz) {
            (Some(s), Some(e), Some(tz)) => Some(PlannedWindow {
                start: Utc.timestamp_opt(s, 0).single().unwrap_or_default(),
                end: Utc.timestamp_opt(e, 0).single().unwrap_or_default(),
                tz,
            }),
            _ => None,
        };
        let fields = ReleaseFields {
            service,
            version,
            title,
            description,
            change_type: raw
                .0
                .parse()
                .map_err(|e: relm_domain::DomainError| parse("type", e.to_string()))?,
            risk: risk
                .parse()
                .map_err(|e: relm_domain::DomainError| parse("risk", e.to_string()))?,
            environments: serde_json::from_str(&raw.2)
                .map_err(|e| parse("environments", e.to_string()))?,
            window,
            owner: KeyId(owner),
            components: serde_json::from_str(&raw.3)
                .map_err(|e| parse("components", e.to_string()))?,
            changes: serde_json::from_str(&raw.4).map_err(|e| parse("changes", e.to_string()))?,
            rollback_plan,
            evidence: serde_json::from_str(&raw.5).map_err(|e| parse("evidence", e.to_string()))?,
        };
        Ok(ReleaseRow {
            id,
            fields,
            status: raw
                .1
                .parse()
                .map_err(|e: relm_domain::DomainError| parse("status", e.to_string()))?,
            created_at: at_text(created_hlc),
            created_by,
            updated_at: at_text(updated_hlc),
            updated_by,
            revision,
            overridden,
        })
    })())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<ReleaseRow>> {
    conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .transpose()
}

/// A release's title alone (none when there is no such release): where a list names releases
/// it has from elsewhere, without reading and parsing their whole rows.
pub fn title(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT title FROM releases WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The first `limit` releases still to go out (draft, planned, approved) whose planned window
/// starts at or after `from` (Unix seconds), soonest first: read in `releases_by_window` from
/// `from` on, up to the `limit`-th found, not every release after `from`.
pub fn upcoming(conn: &Connection, from: i64, limit: u32) -> Result<Vec<ReleaseRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE (window_start IS NULL) = 0 AND window_start >= ?1
           AND status IN ('draft', 'planned', 'approved')
         ORDER BY window_start, id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![from, limit], from_row)?;
    rows.map(|r| r?).collect()
}

/// Ids starting with `prefix` (at most `limit`), for resolving abbreviated ids.
pub fn ids_with_prefix(conn: &Connection, prefix: &str, limit: u32) -> Result<Vec<String>> {
    super::ids_with_prefix(conn, "releases", prefix, limit)
}

/// Newest first; see [`ReleaseFilter`]. Uses the `releases_by_created` index (no table scan).
/// One page of releases, each with the cursor that continues after it. Every sort order is
/// served by an index, so a page costs about the same anywhere in 100,000 releases.
pub fn list(conn: &Connection, f: &ReleaseFilter) -> Result<Vec<(ReleaseRow, Cursor)>> {
    let (col, col_index) = f.sort.column();
    let (cmp, dir) = if f.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    // Rows without a value (no planned window) come last in both directions.
    let after = match f.after.as_ref().map(|c| &c.value) {
        // Both cursor parameters appear in every form of the query.
        None => "(?8 IS NULL OR ?9 IS NULL)".to_string(),
        Some(Value::Null) => {
            format!("(?8 IS NULL AND {col} IS NULL AND id {cmp} ?9)")
        }
        Some(_) => format!("({col} {cmp} ?8 OR ({col} = ?8 AND id {cmp} ?9) OR {col} IS NULL)"),
    };
    // Only the window can be missing; its index puts the missing ones last.
    let nulls = if f.sort == SortKey::Window {
        "window_start IS NULL, "
    } else {
        ""
    };
    let sql = format!(
        "{SELECT} WHERE {} AND {after} ORDER BY {nulls}{col} {dir}, id {dir} LIMIT ?7",
        filter_sql(f)
    );
    let (value, id) = match &f.after {
        Some(c) => (c.value.clone(), Some(c.id.clone())),
        None => (Value::Null, None),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let id = id.map_or(Value::Null, Value::Text);
    let page = [Value::Integer(i64::from(f.limit.max(1))), value, id];
    let mut rows = stmt.query(rusqlite::params_from_iter(
        filter_values(f).into_iter().chain(page),
    ))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let value: Value = r.get(col_index)?;
        let rel = from_row(r)??;
        let cursor = Cursor {
            value,
            id: rel.id.clone(),
        };
        out.push((rel, cursor));
    }
    Ok(out)
}

/// The filter of [`list`] (`?1`–`?6`): each condition given, and `?N IS NULL` for each not given
/// (every parameter appears in every form). Written for the conditions given rather than as
/// `(?N IS NULL OR …)`, which no index can serve: a page of one service's releases, or their
/// count, reads that service's entries of an index. Service and environment names match
/// whatever their case: a person typing `Payments-API` means `payments-api`.
fn filter_sql(f: &ReleaseFilter) -> String {
    let conditions = [
        (
            f.service.is_some(),
            "service = ?1 COLLATE NOCASE",
            "?1 IS NULL",
        ),
        (f.status.is_some(), "status = ?2", "?2 IS NULL"),
        (
            f.environment.is_some(),
            // `+id`: read in the order's index, each release looked up in the environment's
            // list, rather than every release of a common environment sorted.
            "+id IN (SELECT release_id FROM release_environments WHERE env = ?3 COLLATE NOCASE)",
            "?3 IS NULL",
        ),
        (f.change_type.is_some(), "change_type = ?4", "?4 IS NULL"),
        (f.window_from.is_some(), "window_start >= ?5", "?5 IS NULL"),
        (f.window_to.is_some(), "window_start < ?6", "?6 IS NULL"),
    ];
    conditions
        .iter()
        .map(|(given, yes, no)| if *given { *yes } else { *no })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// How many releases the filter of `f` matches, all pages together.
pub fn count_matching(conn: &Connection, f: &ReleaseFilter) -> Result<u64> {
    let sql = format!("SELECT count(*) FROM releases WHERE {}", filter_sql(f));
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(filter_values(f)), |r| r.get(0))?;
    Ok(n as u64)
}

/// The values of [`filter_sql`]'s parameters `?1`–`?6`.
fn filter_values(f: &ReleaseFilter) -> [Value; 6] {
    let text = |v: Option<&str>| v.map_or(Value::Null, |s| Value::Text(s.to_string()));
    [
        text(f.service.as_deref()),
        text(f.status.map(|s| s.as_str())),
        text(f.environment.as_deref()),
        text(f.change_type.map(|c| c.as_str())),
        f.window_from.map_or(Value::Null, Value::Integer),
        f.window_to.map_or(Value::Null, Value::Integer),
    ]
}

pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM releases", [], |r| r.get(0))?;
    Ok(n as u64)
}

pub fn status_history(conn: &Connection, id: &str) -> Result<Vec<StatusChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, from_status, to_status, note, at_hlc, by_key, blocked FROM release_status_history
         WHERE release_id = ?1 ORDER BY at_hlc, event_id",
    )?;
    let rows = stmt.query_map([id], |r| {
        let blocked: String = r.get(6)?;
        Ok(StatusChange {
            event_id: r.get(0)?,
            from: r.get(1)?,
            to: r.get(2)?,
            note: r.get(3)?,
            at: at_text(r.get(4)?),
            by: r.get(5)?,
            blocked: serde_json::from_str(&blocked).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
