//! Post-release reviews and their follow-up actions; which releases need a review, and by when.
//!
//! A review is mandatory after an emergency, a failed or rolled-back deployment, or a
//! deployment with a deviation; it is due a number of days (the policy's `[reviews]
//! due_days`) after the first of these. It is done once the release's owner and an approver
//! (another person) have signed the same content; the release then moves to `reviewed`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use relm_domain::hlc::Hlc;
use relm_domain::ids::ReleaseId;
use relm_domain::ledger::Violation;
use relm_domain::payload::EventBody;
use relm_domain::release::ReleaseStatus;
use relm_domain::review::{ReviewContent, ReviewPatch};

use super::refused;
use crate::error::{Result, StoreError};

fn time(hlc: i64) -> DateTime<Utc> {
    Hlc::from_packed(hlc).to_datetime()
}

/// The review's content and whether it is signed, if the release has one.
pub fn content(conn: &Connection, release_id: &str) -> Result<Option<(ReviewContent, bool)>> {
    conn.prepare_cached(
        "SELECT content, signed_hlc IS NOT NULL FROM reviews WHERE release_id = ?1",
    )?
    .query_row([release_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
    })
    .optional()?
    .map(|(c, signed)| {
        serde_json::from_str(&c)
            .map(|c| (c, signed))
            .map_err(|e| StoreError::Corrupt(format!("review of {release_id}: {e}")))
    })
    .transpose()
}

/// Whether `key` is an active member with the approver role now.
fn is_approver(conn: &Connection, key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT roles FROM members WHERE key_id = ?1 AND active")?
        .query_row([key], |r| r.get::<_, String>(0))
        .optional()?
        .is_some_and(|roles| roles.split(',').any(|r| r == "approver")))
}

pub(crate) fn apply(
    conn: &Connection,
    event_id: &str,
    body: &EventBody,
    at: i64,
    by: &str,
) -> Result<Option<Violation>> {
    let release = |id: &ReleaseId| super::releases::get(conn, &id.0);
    let unknown = super::unknown_release;
    match body {
        EventBody::ReviewUpdated { release_id, patch } => {
            if release(release_id)?.is_none() {
                return Ok(Some(unknown(release_id)));
            }
            let mut checked: ReviewPatch = patch.clone();
            if let Err(e) = checked.validate() {
                return refused("invalid_change", e.to_string());
            }
            let current = content(conn, &release_id.0)?;
            if let Some((_, true)) = current {
                return refused(
                    "review_signed",
                    format!("the review of {release_id} was signed off; it is history"),
                );
            }
            let mut c = current.map(|(c, _)| c).unwrap_or_default();
            c.apply(&checked);
            conn.prepare_cached(
                "INSERT INTO reviews (release_id, content, digest, opened_hlc, opened_by, updated_hlc, revision)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4, 1)
                 ON CONFLICT (release_id) DO UPDATE SET content = ?2, digest = ?3, updated_hlc = ?4,
                   revision = revision + 1",
            )?
            .execute(params![
                release_id.0,
                serde_json::to_string(&c).unwrap_or_default(),
                c.digest(),
                at,
                by
            ])?;
        }
        EventBody::ReviewSigned { release_id, digest } => {
            let Some(row) = release(release_id)? else {
                return Ok(Some(unknown(release_id)));
            };
            let Some((c, signed)) = content(conn, &release_id.0)? else {
                return refused(
                    "no_review",
                    format!(
                        "release {release_id} has no review to sign at this point of the ledger"
                    ),
                );
            };
            if signed {
                return refused(
                    "review_signed",
                    format!("the review of {release_id} was signed off already"),
                );
            }
            if *digest != c.digest() {
                return refused(
                    "stale_review",
                    format!(
                        "the review of {release_id} changed since this sign-off was made; sign it again"
                    ),
                );
            }
            if !c.missing().is_empty() {
                return refused(
                    "incomplete_review",
                    format!(
                        "the review of {release_id} lacks {}",
                        c.missing().join(", ")
                    ),
                );
            }
            let as_owner = row.fields.owner.0 == by;
            let as_approver = !as_owner && is_approver(conn, by)?;
            if !as_owner && !as_approver {
                return refused(
                    "not_allowed",
                    format!(
                        "only the release's owner or a member with the approver role signs its review off; {by} is neither"
                    ),
                );
            }
            let twice: Option<i64> = conn
                .prepare_cached(
                    "SELECT 1 FROM review_signatures WHERE release_id = ?1 AND digest = ?2 AND by_key = ?3",
                )?
                .query_row(params![release_id.0, digest, by], |r| r.get(0))
                .optional()?;
            if twice.is_some() {
                return refused("already_signed", format!("{by} signed this review already"));
            }
            conn.prepare_cached(
                "INSERT INTO review_signatures (event_id, release_id, digest, by_key, as_owner, as_approver, at_hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![event_id, release_id.0, digest, by, as_owner, as_approver, at])?;
            let (owner, approver): (bool, bool) = conn
                .prepare_cached(
                    "SELECT coalesce(max(as_owner), 0), coalesce(max(as_approver), 0)
                     FROM review_signatures WHERE release_id = ?1 AND digest = ?2",
                )?
                .query_row(params![release_id.0, digest], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            if owner && approver {
                conn.prepare_cached("UPDATE reviews SET signed_hlc = ?2 WHERE release_id = ?1")?
                    .execute(params![release_id.0, at])?;
                conn.prepare_cached(
                    "UPDATE review_requirements SET signed_hlc = ?2 WHERE release_id = ?1",
                )?
                .execute(params![release_id.0, at])?;
                if matches!(
                    row.status,
                    ReleaseStatus::Deployed | ReleaseStatus::Failed | ReleaseStatus::RolledBack
                ) {
                    super::releases::move_status(
                        conn,
                        &release_id.0,
                        event_id,
                        row.status,
                        ReleaseStatus::Reviewed,
                        at,
                        by,
                    )?;
                }
            }
        }
        EventBody::ActionAdded {
            action_id,
            release_id,
            title,
            owner,
            due,
        } => {
            let Some(row) = release(release_id)? else {
                return Ok(Some(unknown(release_id)));
            };
            let known: Option<i64> = conn
                .prepare_cached("SELECT 1 FROM members WHERE key_id = ?1 AND active")?
                .query_row([&owner.0], |r| r.get(0))
                .optional()?;
            if known.is_none() {
                return refused(
                    "unknown_member",
                    format!("the action's owner {owner} is not an active member here"),
                );
            }
            let Ok(day) = NaiveDate::parse_from_str(due, "%Y-%m-%d") else {
                return refused("invalid_change", format!("`{due}` is not a date"));
            };
            // Due no earlier than the day before it was signed (the author's zone may be behind
            // UTC).
            if day < (time(at) - Duration::days(1)).date_naive() {
                return refused(
                    "invalid_change",
                    format!("the action is due {due}, before it was recorded"),
                );
            }
            if title.trim().is_empty() {
                return refused("invalid_change", "an action needs a title".into());
            }
            let exists: Option<i64> = conn
                .prepare_cached("SELECT 1 FROM actions WHERE id = ?1")?
                .query_row([&action_id.0], |r| r.get(0))
                .optional()?;
            if exists.is_some() {
                return refused("duplicate", format!("action {action_id} exists already"));
            }
            conn.prepare_cached(
                "INSERT INTO actions (id, release_id, service, title, owner, due, created_hlc, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![action_id.0, release_id.0, row.fields.service, title, owner.0, due, at, by])?;
        }
        EventBody::ActionDone {
            action_id,
            release_id,
        } => {
            let changed = conn
                .prepare_cached(
                    "UPDATE actions SET done_hlc = ?3, done_by = ?4
                     WHERE id = ?1 AND release_id = ?2 AND done_hlc IS NULL",
                )?
                .execute(params![action_id.0, release_id.0, at, by])?;
            if changed == 0 {
                return refused(
                    "unknown_action",
                    format!(
                        "no open action {action_id} of release {release_id} at this point of the ledger"
                    ),
                );
            }
        }
        _ => {}
    }
    Ok(None)
}

/// Why a release's review is mandatory, and since when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Requirement {
    pub release_id: String,
    /// emergency, failed, rolled_back, deviation.
    pub reasons: Vec<String>,
    /// The first of them.
    pub since: String,
    /// `since` plus the policy's days, as a date (UTC).
    pub due: String,
}

/// Every release of `service` whose review is mandatory, with its reasons and due date given
/// `due_days`; the first made mandatory first.
pub fn requirements(conn: &Connection, service: &str, due_days: u32) -> Result<Vec<Requirement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT release_id, since_ms, reasons FROM review_requirements
         WHERE service = ?1 ORDER BY since_ms, release_id",
    )?;
    let rows = stmt.query_map([service], |r| {
        Ok(requirement(
            r.get(0)?,
            r.get(1)?,
            &r.get::<_, String>(2)?,
            due_days,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Why `release_id`'s review is mandatory and by when, if it is.
pub fn requirement_of(
    conn: &Connection,
    release_id: &str,
    due_days: u32,
) -> Result<Option<Requirement>> {
    Ok(conn
        .prepare_cached("SELECT since_ms, reasons FROM review_requirements WHERE release_id = ?1")?
        .query_row([release_id], |r| {
            Ok(requirement(
                release_id.to_string(),
                r.get(0)?,
                &r.get::<_, String>(1)?,
                due_days,
            ))
        })
        .optional()?)
}

fn requirement(release_id: String, since_ms: i64, reasons: &str, due_days: u32) -> Requirement {
    let since = DateTime::from_timestamp_millis(since_ms).unwrap_or_default();
    Requirement {
        release_id,
        reasons: reasons.split(',').map(String::from).collect(),
        since: relm_domain::window::fmt_utc(since),
        due: (since + Duration::days(i64::from(due_days)))
            .date_naive()
            .to_string(),
    }
}

/// Record that `release_id`'s review became mandatory at `at_ms` for `reason` (emergency,
/// failed, rolled_back, deviation): the earliest time and every reason are kept.
pub(crate) fn require(conn: &Connection, release_id: &str, at_ms: i64, reason: &str) -> Result<()> {
    let known: Option<(i64, String)> = conn
        .prepare_cached("SELECT since_ms, reasons FROM review_requirements WHERE release_id = ?1")?
        .query_row([release_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (since, mut reasons) = match &known {
        Some((since, reasons)) => (
            (*since).min(at_ms),
            reasons
                .split(',')
                .collect::<std::collections::BTreeSet<&str>>(),
        ),
        None => (at_ms, Default::default()),
    };
    reasons.insert(reason);
    let reasons = reasons.into_iter().collect::<Vec<_>>().join(",");
    conn.prepare_cached(
        "INSERT INTO review_requirements (release_id, since_ms, reasons, service, signed_hlc)
           VALUES (?1, ?2, ?3, coalesce((SELECT service FROM releases WHERE id = ?1), ''),
                   (SELECT signed_hlc FROM reviews WHERE release_id = ?1))
         ON CONFLICT (release_id) DO UPDATE SET since_ms = ?2, reasons = ?3",
    )?
    .execute(params![release_id, since, reasons])?;
    Ok(())
}

/// A follow-up action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionRow {
    pub id: String,
    pub release_id: String,
    pub service: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub created_at: String,
    pub created_by: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_by: Option<String>,
}

/// Which actions to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub release: Option<String>,
    pub service: Option<String>,
    pub owner: Option<String>,
    /// Only open ones due before this date (YYYY-MM-DD).
    pub overdue_on: Option<String>,
    pub open_only: bool,
}

/// Actions matching `filter`, by due date.
pub fn actions(conn: &Connection, f: &ActionFilter) -> Result<Vec<ActionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, release_id, service, title, owner, due, created_hlc, created_by, done_hlc, done_by
         FROM actions
         WHERE (?1 IS NULL OR release_id = ?1) AND (?2 IS NULL OR service = ?2)
           AND (?3 IS NULL OR owner = ?3)
           AND (?4 IS NULL OR (done_hlc IS NULL AND due < ?4))
           AND (NOT ?5 OR done_hlc IS NULL)
         ORDER BY due, id",
    )?;
    let rows = stmt.query_map(
        params![f.release, f.service, f.owner, f.overdue_on, f.open_only],
        |r| {
            let done: Option<i64> = r.get(8)?;
            Ok(ActionRow {
                id: r.get(0)?,
                release_id: r.get(1)?,
                service: r.get(2)?,
                title: r.get(3)?,
                owner: r.get(4)?,
                due: r.get(5)?,
                created_at: super::releases::at_text(r.get(6)?),
                created_by: r.get(7)?,
                done_at: done.map(super::releases::at_text),
                done_by: r.get(9)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A sign-off of a review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Signature {
    pub event_id: String,
    pub by: String,
    pub digest: String,
    pub as_owner: bool,
    pub as_approver: bool,
    pub at: String,
    /// Whether it was made on the review as it is now.
    pub current: bool,
}

/// A review as stored: its content, revision, when it was opened and signed, its sign-offs.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub content: ReviewContent,
    pub digest: String,
    pub revision: u32,
    pub opened_at: String,
    pub opened_by: String,
    pub updated_at: String,
    pub signed_at: Option<String>,
    pub signatures: Vec<Signature>,
}

/// The release's review, if it has one.
pub fn get(conn: &Connection, release_id: &str) -> Result<Option<Stored>> {
    let row = conn
        .prepare_cached(
            "SELECT content, digest, revision, opened_hlc, opened_by, updated_hlc, signed_hlc
             FROM reviews WHERE release_id = ?1",
        )?
        .query_row([release_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        })
        .optional()?;
    let Some((content, digest, revision, opened, opened_by, updated, signed)) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, by_key, digest, as_owner, as_approver, at_hlc FROM review_signatures
         WHERE release_id = ?1 ORDER BY at_hlc, event_id",
    )?;
    let signatures = stmt
        .query_map([release_id], |r| {
            let d: String = r.get(2)?;
            Ok(Signature {
                event_id: r.get(0)?,
                by: r.get(1)?,
                current: d == digest,
                digest: d,
                as_owner: r.get(3)?,
                as_approver: r.get(4)?,
                at: super::releases::at_text(r.get(5)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Stored {
        content: serde_json::from_str(&content)
            .map_err(|e| StoreError::Corrupt(format!("review of {release_id}: {e}")))?,
        digest,
        revision,
        opened_at: super::releases::at_text(opened),
        opened_by,
        updated_at: super::releases::at_text(updated),
        signed_at: signed.map(super::releases::at_text),
        signatures,
    }))
}

/// A page of a list: at most `limit` rows (all when 0) after the first `offset`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub limit: u32,
    pub offset: u64,
}

impl Page {
    /// SQLite's LIMIT and OFFSET (a negative limit is none).
    fn sql(self) -> (i64, i64) {
        let limit = if self.limit == 0 {
            -1
        } else {
            i64::from(self.limit)
        };
        (limit, i64::try_from(self.offset).unwrap_or(i64::MAX))
    }
}

/// Required reviews not signed off, due soonest first: a page of them. With `made_before_ms`,
/// only those made mandatory before then (the overdue ones, for `today`'s midnight less the due
/// days).
pub fn unsigned_required(
    conn: &Connection,
    due_days: u32,
    made_before_ms: Option<i64>,
    page: Page,
) -> Result<Vec<Requirement>> {
    let (limit, offset) = page.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT q.release_id, q.since_ms, q.reasons FROM review_requirements q
           LEFT JOIN reviews v ON v.release_id = q.release_id
         WHERE v.signed_hlc IS NULL AND q.since_ms < ?1
         ORDER BY q.since_ms, q.release_id LIMIT ?2 OFFSET ?3",
    )?;
    let rows = stmt
        .query_map(
            params![made_before_ms.unwrap_or(i64::MAX), limit, offset],
            |r| {
                Ok(requirement(
                    r.get(0)?,
                    r.get(1)?,
                    &r.get::<_, String>(2)?,
                    due_days,
                ))
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// How many [`unsigned_required`] lists in all.
pub fn count_unsigned_required(conn: &Connection, made_before_ms: Option<i64>) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM review_requirements q
               LEFT JOIN reviews v ON v.release_id = q.release_id
             WHERE v.signed_hlc IS NULL AND q.since_ms < ?1",
        )?
        .query_row([made_before_ms.unwrap_or(i64::MAX)], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Which reviews [`opened`] lists, and in which order.
fn opened_filter(signed: bool) -> (&'static str, &'static str) {
    if signed {
        ("signed_hlc IS NOT NULL", "signed_hlc DESC, release_id")
    } else {
        (
            "signed_hlc IS NULL AND NOT EXISTS
               (SELECT 1 FROM review_requirements q WHERE q.release_id = v.release_id)",
            "opened_hlc, release_id",
        )
    }
}

/// Reviews opened without being required and not signed off (oldest opened first), or with
/// `signed`, the reviews signed off (latest first): a page of their release ids.
pub fn opened(conn: &Connection, signed: bool, page: Page) -> Result<Vec<String>> {
    let (filter, order) = opened_filter(signed);
    let (limit, offset) = page.sql();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT release_id FROM reviews v WHERE {filter} ORDER BY {order} LIMIT ?1 OFFSET ?2"
    ))?;
    let ids = stmt
        .query_map([limit, offset], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// How many [`opened`] lists in all.
pub fn count_opened(conn: &Connection, signed: bool) -> Result<u64> {
    let (filter, _) = opened_filter(signed);
    let n: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM reviews v WHERE {filter}"))?
        .query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The number of open follow-up actions of each of `release_ids`.
pub fn open_action_counts(
    conn: &Connection,
    release_ids: &[&str],
) -> Result<std::collections::HashMap<String, u32>> {
    let mut stmt = conn.prepare_cached(
        "SELECT count(*) FROM actions WHERE release_id = ?1 AND done_hlc IS NULL",
    )?;
    let mut out = std::collections::HashMap::new();
    for id in release_ids {
        let n: u32 = stmt.query_row([id], |r| r.get(0))?;
        if n > 0 {
            out.insert((*id).to_string(), n);
        }
    }
    Ok(out)
}

/// Every follow-up of one service's releases, whatever the instant: read once for many
/// verdicts on the service's releases, each judged at an instant of its own (the digest judges a
/// release at its window), and asked which were late then ([`ServiceFollowUps::late`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceFollowUps {
    /// Mandatory reviews, the first made mandatory first: what made them so and their due date,
    /// the release's version, and when the review was signed off.
    reviews: Vec<(Requirement, String, Option<i64>)>,
    /// Actions by due date then id: (release, the action, created, done).
    actions: Vec<(String, relm_policy::facts::OverdueAction, i64, Option<i64>)>,
}

/// Every follow-up of `service`'s releases (reviews are due `due_days` after what made them
/// mandatory); with `from`, only those that can still be late at that stamp or after it, as
/// [`follow_ups_by_service`] reads them.
pub fn follow_ups_of_service(
    conn: &Connection,
    service: &str,
    due_days: u32,
    from: Option<i64>,
) -> Result<ServiceFollowUps> {
    let mut out = ServiceFollowUps::default();
    follow_ups_where(
        conn,
        Some(service),
        from.unwrap_or(i64::MIN),
        due_days,
        |_, row| out.add(row),
    )?;
    Ok(out)
}

/// Every service's follow-ups that can still be late at the stamp `from` or after it, as
/// [`follow_ups_of_service`] reads one's but without the reviews signed off and the actions done
/// before `from` (asked at `from` or later, [`ServiceFollowUps::late`] answers as it would with
/// them): one pass over the follow-ups rather than one over each service's releases, for
/// verdicts on many services' releases. In a workspace of years, most reviews are long signed
/// off, so their releases are not read at all.
pub fn follow_ups_by_service(
    conn: &Connection,
    due_days: u32,
    from: i64,
) -> Result<std::collections::HashMap<String, ServiceFollowUps>> {
    let mut out = std::collections::HashMap::<String, ServiceFollowUps>::new();
    follow_ups_where(conn, None, from, due_days, |service, row| {
        out.entry(service).or_default().add(row)
    })?;
    Ok(out)
}

/// One row of a [`ServiceFollowUps`].
enum FollowUp {
    Review((Requirement, String, Option<i64>)),
    Action((String, relm_policy::facts::OverdueAction, i64, Option<i64>)),
}

/// The follow-ups of `service`'s releases (every service's, without one) that can still be late
/// at the stamp `from` or after it (not signed off, or not done, before it), each given to
/// `found` with its service, in each service's order: reviews first made mandatory first,
/// actions by due date then id. The requirements' own index finds them (migration 0029); a
/// release row is read only for those found.
fn follow_ups_where(
    conn: &Connection,
    service: Option<&str>,
    from: i64,
    due_days: u32,
    mut found: impl FnMut(String, FollowUp),
) -> Result<()> {
    use relm_policy::facts::OverdueAction;
    // The service's (?2), when one is named: of the requirement `q`, and of the action.
    let (requirement_of, action_of, args): (&str, &str, Vec<rusqlite::types::Value>) = match service
    {
        Some(s) => (
            "q.service = ?2 AND",
            "service = ?2 AND",
            vec![from.into(), s.to_string().into()],
        ),
        None => ("", "", vec![from.into()]),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.service, q.release_id, q.since_ms, q.reasons, r.version, q.signed_hlc
         FROM review_requirements q CROSS JOIN releases r ON r.id = q.release_id
         WHERE {requirement_of} ifnull(q.signed_hlc, 9223372036854775807) >= ?1
         ORDER BY q.since_ms, q.release_id"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&args))?;
    while let Some(r) = rows.next()? {
        let req = requirement(r.get(1)?, r.get(2)?, &r.get::<_, String>(3)?, due_days);
        found(r.get(0)?, FollowUp::Review((req, r.get(4)?, r.get(5)?)));
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT service, id, title, owner, due, release_id, created_hlc, done_hlc FROM actions
         WHERE {action_of} (done_hlc IS NULL OR done_hlc >= ?1) ORDER BY due, id"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&args))?;
    while let Some(r) = rows.next()? {
        let action = OverdueAction {
            id: r.get(1)?,
            title: r.get(2)?,
            owner: relm_domain::keys::KeyId(r.get(3)?),
            due: r.get(4)?,
        };
        found(
            r.get(0)?,
            FollowUp::Action((r.get(5)?, action, r.get(6)?, r.get(7)?)),
        );
    }
    Ok(())
}

impl ServiceFollowUps {
    /// A row read, in its list (rows come in each list's order).
    fn add(&mut self, row: FollowUp) {
        match row {
            FollowUp::Review(r) => self.reviews.push(r),
            FollowUp::Action(a) => self.actions.push(a),
        }
    }

    /// The follow-ups late at `now` of the service's releases other than `except`: mandatory
    /// reviews past their due date and not signed off by then, and actions created by then, past
    /// their due date and not done by then.
    pub fn late(&self, now: DateTime<Utc>, except: &str) -> relm_policy::facts::ReviewFacts {
        use relm_policy::facts::OverdueReview;
        let today = now.date_naive().to_string();
        // Every stamp at or before `now` is below this.
        let at = Hlc::packed_after(now.timestamp_millis());
        let now_text = relm_domain::window::fmt_utc(now);
        relm_policy::facts::ReviewFacts {
            overdue_reviews: (self.reviews.iter())
                .filter(|(r, _, signed)| {
                    r.release_id != except
                        && r.since <= now_text
                        && r.due < today
                        && !signed.is_some_and(|s| s < at)
                })
                .map(|(r, version, _)| OverdueReview {
                    release_id: r.release_id.clone(),
                    version: version.clone(),
                    due: r.due.clone(),
                })
                .collect(),
            overdue_actions: (self.actions.iter())
                .filter(|(release, a, created, done)| {
                    release != except
                        && a.due < today
                        && *created < at
                        && done.is_none_or(|d| d >= at)
                })
                .map(|(_, a, _, _)| a.clone())
                .collect(),
        }
    }
}
