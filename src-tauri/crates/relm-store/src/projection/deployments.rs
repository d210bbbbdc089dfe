//! Deployments, rollback plans, rehearsals and rollbacks; the deviations of each deployment;
//! and the release status that follows its deployments.
//!
//! Deviations are computed here, when a replica applies the record, from the ledger as it
//! stands at that point: every replica gets the same ones, and no author can leave one out.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::cell::RefCell;
use std::sync::Arc;

use relm_domain::hlc::Hlc;
use relm_domain::ids::ReleaseId;
use relm_domain::ledger::Violation;
use relm_domain::limits::DEPLOYMENT_SKEW_MINUTES;
use relm_domain::payload::{EventBody, Outcome};
use relm_domain::release::ReleaseStatus;
use relm_policy::Policy;
use relm_policy::deviation::{self, Deviation};

use super::governance;
use super::refused;
use crate::error::{Result, StoreError};

fn time(hlc: i64) -> DateTime<Utc> {
    Hlc::from_packed(hlc).to_datetime()
}

thread_local! {
    /// The last policy parsed, by its source: applying many deployments under one policy
    /// parses it once.
    static PARSED: RefCell<Option<(String, Arc<Policy>)>> = const { RefCell::new(None) };
}

/// The policy in force at this point of the ledger and its version (0 and the built-in default
/// when none was applied, or when the one applied cannot be read any more).
pub fn policy_in_force(conn: &Connection) -> Result<(Arc<Policy>, u32)> {
    let (source, version) = match governance::policy(conn, None)? {
        Some(p) => (p.source, p.version),
        None => (relm_policy::DEFAULT_POLICY.to_string(), 0),
    };
    if let Some(p) = PARSED.with_borrow(|c| {
        c.as_ref()
            .filter(|(s, _)| *s == source)
            .map(|(_, p)| p.clone())
    }) {
        return Ok((p, version));
    }
    let (policy, version) = match Policy::parse(&source) {
        Ok(p) => (Arc::new(p), version),
        Err(_) => (
            Arc::new(
                Policy::parse(relm_policy::DEFAULT_POLICY)
                    .map_err(|e| StoreError::Corrupt(format!("the default policy: {e}")))?,
            ),
            0,
        ),
    };
    PARSED.set(Some((source, policy.clone())));
    Ok((policy, version))
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The most deployments one import event carries.
pub const MAX_IMPORTED: usize = 500;

/// A deployment as an event states it, recorded by hand or imported.
struct Run<'a> {
    environment: &'a str,
    outcome: Outcome,
    release_digest: &'a str,
    note: &'a str,
    started_at: Option<&'a str>,
    ended_at: Option<&'a str>,
    tool: &'a str,
    link: Option<&'a str>,
    external_ref: Option<&'a str>,
}

/// A deployment's start and end, or why it cannot be recorded at this point of the ledger: its
/// times unreadable or reversed, an end after it was signed, or an environment the release does
/// not target.
fn check(
    policy: &Policy,
    row: &super::releases::ReleaseRow,
    run: &Run,
    at: i64,
) -> std::result::Result<(DateTime<Utc>, DateTime<Utc>), Violation> {
    let signed = time(at);
    let (Some(start), Some(end)) = (
        run.started_at.map_or(Some(signed), parse_time),
        run.ended_at.map_or(Some(signed), parse_time),
    ) else {
        return Err(Violation::new(
            "invalid_change",
            "a deployment's start or end is not an RFC 3339 time",
        ));
    };
    if end < start {
        return Err(Violation::new(
            "invalid_change",
            format!("the deployment ends ({end}) before it starts ({start})"),
        ));
    }
    if end > signed + Duration::minutes(DEPLOYMENT_SKEW_MINUTES) {
        return Err(Violation::new(
            "invalid_change",
            format!("the deployment says it ended at {end}, after it was recorded ({signed})"),
        ));
    }
    if !policy.targets(&row.fields.environments, run.environment) {
        return Err(Violation::new(
            "unknown_environment",
            format!("release {} does not target `{}`", row.id, run.environment),
        ));
    }
    Ok((start, end))
}

/// Store a deployment under `id` with the deviations computed from the ledger at this point,
/// and move the release's status and required reviews on.
/// `row` is the release as it stands, kept so as the deployment moves its status.
fn insert(
    conn: &Connection,
    (policy, version): (&Policy, u32),
    row: &mut super::releases::ReleaseRow,
    id: &str,
    run: &Run,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    (at, by): (i64, &str),
) -> Result<()> {
    let release_id = &row.id.clone();
    let shared = governance::shared(conn, start, policy)?;
    let facts = governance::facts_of_row(conn, row.clone(), &shared)?;
    let found = deviation::deviations(policy, version, &facts, run.environment, start, end);
    conn.prepare_cached(
        "INSERT INTO deployments (event_id, release_id, environment, outcome, recorded_outcome,
           release_digest, note, at_hlc, by_key, started_ms, ended_ms, service, tool, link,
           external_ref, deviations, deviation_count, in_freeze)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        id,
        release_id,
        run.environment,
        run.outcome.as_str(),
        run.release_digest,
        run.note,
        at,
        by,
        start.timestamp_millis(),
        end.timestamp_millis(),
        row.fields.service,
        run.tool,
        run.link,
        run.external_ref,
        serde_json::to_string(&found).unwrap_or_else(|_| "[]".into()),
        found.len() as i64,
        found
            .iter()
            .any(|d| matches!(d, Deviation::InFreeze { .. })),
    ])?;
    let (start_ms, end_ms) = (start.timestamp_millis(), end.timestamp_millis());
    conn.prepare_cached(
        "UPDATE releases SET first_deployed_ms = min(coalesce(first_deployed_ms, ?2), ?2)
         WHERE id = ?1",
    )?
    .execute(params![release_id, start_ms])?;
    if matches!(run.outcome, Outcome::Failed | Outcome::RolledBack) {
        super::reviews::require(conn, release_id, end_ms, run.outcome.as_str())?;
    }
    if !found.is_empty() {
        super::reviews::require(conn, release_id, end_ms, "deviation")?;
    }
    follow(conn, policy, row, id, at, by)
}

/// Apply a deployment or rollback event; `Some` when it has no effect at this point of the
/// ledger.
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
        EventBody::DeploymentRecorded {
            release_id,
            environment,
            outcome,
            release_digest,
            note,
            started_at,
            ended_at,
            tool,
            link,
            external_ref,
        } => {
            let Some(mut row) = release(release_id)? else {
                return Ok(Some(unknown(release_id)));
            };
            let run = Run {
                environment,
                outcome: *outcome,
                release_digest,
                note,
                started_at: started_at.as_deref(),
                ended_at: ended_at.as_deref(),
                tool,
                link: link.as_deref(),
                external_ref: external_ref.as_deref(),
            };
            let (policy, version) = policy_in_force(conn)?;
            let times = match check(&policy, &row, &run, at) {
                Ok(t) => t,
                Err(v) => return Ok(Some(v)),
            };
            if let Some(r) = external_ref
                && let Some(first) = by_ref(conn, r)?
            {
                return refused(
                    "duplicate_ref",
                    format!("the deployment `{r}` was already recorded (event {first})"),
                );
            }
            insert(
                conn,
                (&policy, version),
                &mut row,
                event_id,
                &run,
                times,
                (at, by),
            )?;
        }
        EventBody::DeploymentsImported {
            release_id,
            platform,
            deployments,
            ..
        } => {
            let Some(mut row) = release(release_id)? else {
                return Ok(Some(unknown(release_id)));
            };
            if deployments.is_empty() || deployments.len() > MAX_IMPORTED {
                return refused(
                    "invalid_change",
                    format!(
                        "an import carries from 1 to {MAX_IMPORTED} deployments, not {}",
                        deployments.len()
                    ),
                );
            }
            let (policy, version) = policy_in_force(conn)?;
            let runs: Vec<Run> = deployments
                .iter()
                .map(|d| Run {
                    environment: &d.environment,
                    outcome: d.outcome,
                    release_digest: &d.release_digest,
                    note: "",
                    started_at: Some(&d.started_at),
                    ended_at: Some(&d.ended_at),
                    tool: platform,
                    link: d.link.as_deref(),
                    external_ref: Some(&d.external_ref),
                })
                .collect();
            // Every entry is judged before any is stored: an import applies whole or not at all.
            let mut checked = Vec::with_capacity(runs.len());
            let mut refs = std::collections::HashSet::new();
            for run in &runs {
                let r = run.external_ref.unwrap_or_default();
                if !r.starts_with(&format!("{platform}:")) {
                    return refused(
                        "invalid_change",
                        format!("the import names `{r}`, not as a {platform} reference"),
                    );
                }
                if !refs.insert(r) {
                    return refused("invalid_change", format!("the import names `{r}` twice"));
                }
                match check(&policy, &row, run, at) {
                    Ok(t) => checked.push(t),
                    Err(v) => return Ok(Some(v)),
                }
            }
            for (n, (run, times)) in runs.iter().zip(checked).enumerate() {
                // Another replica's connector may have imported it first: left as it was.
                if by_ref(conn, run.external_ref.unwrap_or_default())?.is_some() {
                    continue;
                }
                let id = format!("{event_id}/{n}");
                insert(
                    conn,
                    (&policy, version),
                    &mut row,
                    &id,
                    run,
                    times,
                    (at, by),
                )?;
            }
        }
        EventBody::RollbackRehearsed {
            release_id,
            note,
            link,
            environment,
            result,
            evidence_digest,
        } => {
            if release(release_id)?.is_none() {
                return Ok(Some(unknown(release_id)));
            }
            conn.prepare_cached(
                "INSERT INTO rehearsals (event_id, release_id, note, link, at_hlc, by_key, environment,
                   result, evidence_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                event_id,
                release_id.0,
                note,
                link,
                at,
                by,
                environment,
                result.map_or("passed", |r| r.as_str()),
                evidence_digest
            ])?;
        }
        EventBody::RollbackPlanned { release_id, plan } => {
            if release(release_id)?.is_none() {
                return Ok(Some(unknown(release_id)));
            }
            conn.prepare_cached(
                "INSERT OR REPLACE INTO rollback_plans (release_id, event_id, plan, at_hlc, by_key)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                release_id.0,
                event_id,
                serde_json::to_string(plan).unwrap_or_default(),
                at,
                by
            ])?;
        }
        EventBody::RollbackRecorded {
            release_id,
            environment,
            to_version,
            reason,
            deployment,
        } => {
            let Some(mut row) = release(release_id)? else {
                return Ok(Some(unknown(release_id)));
            };
            let undone: Option<String> = match deployment {
                Some(d) => conn
                    .prepare_cached(
                        "SELECT event_id FROM deployments WHERE event_id = ?1 AND release_id = ?2 AND environment = ?3",
                    )?
                    .query_row(params![d, release_id.0, environment], |r| r.get(0))
                    .optional()?,
                None => latest_deployment(conn, &release_id.0, environment)?,
            };
            let Some(undone) = undone else {
                return refused(
                    "unknown_deployment",
                    match deployment {
                        Some(d) => format!(
                            "no deployment {d} of release {release_id} to `{environment}` exists at this point of the ledger"
                        ),
                        None => format!(
                            "release {release_id} has no deployment to `{environment}` to roll back at this point of the ledger"
                        ),
                    },
                );
            };
            let plan: Option<String> = conn
                .prepare_cached("SELECT event_id FROM rollback_plans WHERE release_id = ?1")?
                .query_row([&release_id.0], |r| r.get(0))
                .optional()?;
            conn.prepare_cached(
                "INSERT INTO rollbacks (event_id, release_id, environment, to_version, reason,
                   deployment, plan_event, at_hlc, by_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                event_id,
                release_id.0,
                environment,
                to_version,
                reason,
                undone,
                plan,
                at,
                by
            ])?;
            let undone_end: Option<i64> = conn
                .prepare_cached(
                    "UPDATE deployments SET outcome = 'rolled_back', rolled_back_by = ?2
                     WHERE event_id = ?1 AND rolled_back_by IS NULL RETURNING ended_ms",
                )?
                .query_row(params![undone, event_id], |r| r.get(0))
                .optional()?;
            if let Some(end_ms) = undone_end {
                super::reviews::require(conn, &release_id.0, end_ms, "rolled_back")?;
            }
            let (policy, _) = policy_in_force(conn)?;
            follow(conn, &policy, &mut row, event_id, at, by)?;
        }
        _ => {}
    }
    Ok(None)
}

/// The event that recorded the deployment `external_ref`, if one did.
pub fn by_ref(conn: &Connection, external_ref: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT event_id FROM deployments WHERE external_ref = ?1")?
        .query_row([external_ref], |r| r.get(0))
        .optional()?)
}

/// The release's deployment to `environment` that ended last.
pub fn latest_deployment(
    conn: &Connection,
    release_id: &str,
    environment: &str,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT event_id FROM deployments WHERE release_id = ?1 AND environment = ?2
             ORDER BY ended_ms DESC, at_hlc DESC, event_id DESC LIMIT 1",
        )?
        .query_row([release_id, environment], |r| r.get(0))
        .optional()?)
}

/// The status a release's deployments give it: its latest deployment (by end) to its last
/// environment decides (succeeded: deployed; failed; rolled back; partial: still deploying).
/// Deployments to the environments before it are the promotion path and leave the status as
/// it is (a release is approved for production after staging has it). A status only moves
/// forward: a release reviewed or cancelled stays so, and one deployed is not failed by a later
/// attempt.
/// `row` is the release as it stands; its status is kept up to date.
fn follow(
    conn: &Connection,
    policy: &Policy,
    row: &mut super::releases::ReleaseRow,
    event_id: &str,
    at: i64,
    by: &str,
) -> Result<()> {
    use ReleaseStatus::*;
    let release_id = row.id.as_str();
    let mut stmt = conn.prepare_cached(
        "SELECT environment, outcome FROM deployments WHERE release_id = ?1
         ORDER BY ended_ms DESC, at_hlc DESC, event_id DESC",
    )?;
    let all: Vec<(String, String)> = stmt
        .query_map([release_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let Some(last) = deviation::last_environment(policy, &row.fields.environments) else {
        return Ok(());
    };
    let on_last = all
        .iter()
        .find(|(env, _)| policy.same_environment(&last, env));
    let to = match on_last.map(|(_, o)| o.parse::<Outcome>()) {
        Some(Ok(Outcome::Succeeded)) => Deployed,
        Some(Ok(Outcome::Failed)) => Failed,
        Some(Ok(Outcome::RolledBack)) => RolledBack,
        Some(Ok(Outcome::Partial)) => Deploying,
        Some(Err(_)) | None => return Ok(()),
    };
    let from = row.status;
    let moves = match to {
        Deploying => matches!(from, Draft | Planned | Approved),
        Deployed => matches!(from, Draft | Planned | Approved | Deploying | Failed),
        Failed => matches!(from, Draft | Planned | Approved | Deploying),
        RolledBack => matches!(
            from,
            Draft | Planned | Approved | Deploying | Deployed | Failed
        ),
        _ => false,
    };
    if !moves || from == to {
        return Ok(());
    }
    super::releases::move_status(conn, release_id, event_id, from, to, at, by)?;
    row.status = to;
    Ok(())
}

/// The deviations kept on a deployment record.
pub fn parse_deviations(json: &str) -> Result<Vec<Deviation>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("deviations: {e}")))
}

/// Which deployments to list.
#[derive(Debug, Clone, Default)]
pub struct DeploymentFilter {
    pub release: Option<String>,
    pub service: Option<String>,
    pub environment: Option<String>,
    /// Only those to one of these environment names (none given: any).
    pub environments: Vec<String>,
    /// Only those that ended at or after this instant (Unix milliseconds).
    pub ended_from: Option<i64>,
    /// Only those that ended before this instant (Unix milliseconds).
    pub ended_to: Option<i64>,
    /// The latest this many at most.
    pub limit: Option<u32>,
}

/// A deployment as recorded, with what the ledger made of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeploymentRecord {
    /// The recording event's id.
    pub id: String,
    pub release_id: String,
    pub service: String,
    pub version: String,
    pub environment: String,
    /// As it stands: `rolled_back` once a rollback undid it.
    pub outcome: Outcome,
    /// As it was recorded.
    pub recorded_outcome: Outcome,
    pub started_at: String,
    pub ended_at: String,
    pub tool: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    pub note: String,
    pub release_digest: String,
    pub deviations: Vec<Deviation>,
    /// The rollback event that undid it.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolled_back_by: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

const SELECT: &str = "SELECT d.event_id, d.release_id, d.service, r.version, d.environment,
    d.outcome, d.recorded_outcome, d.started_ms, d.ended_ms, d.tool, d.link, d.external_ref,
    d.note, d.release_digest, d.deviations, d.rolled_back_by, d.at_hlc, d.by_key
    FROM deployments d JOIN releases r ON r.id = d.release_id";

/// Column `i` of `r`, a wire name of `T` (an outcome, a result).
fn choice<T: std::str::FromStr<Err = relm_domain::DomainError>>(
    r: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    s.parse().map_err(|e: relm_domain::DomainError| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<(DeploymentRecord, String)> {
    let outcome = |i: usize| choice::<Outcome>(r, i);
    let ms = |i: usize| -> rusqlite::Result<String> {
        Ok(relm_domain::window::fmt_utc(
            DateTime::from_timestamp_millis(r.get(i)?).unwrap_or_default(),
        ))
    };
    Ok((
        DeploymentRecord {
            id: r.get(0)?,
            release_id: r.get(1)?,
            service: r.get(2)?,
            version: r.get(3)?,
            environment: r.get(4)?,
            outcome: outcome(5)?,
            recorded_outcome: outcome(6)?,
            started_at: ms(7)?,
            ended_at: ms(8)?,
            tool: r.get(9)?,
            link: r.get(10)?,
            external_ref: r.get(11)?,
            note: r.get(12)?,
            release_digest: r.get(13)?,
            deviations: Vec::new(),
            rolled_back_by: r.get(15)?,
            recorded_at: super::releases::at_text(r.get(16)?),
            recorded_by: r.get(17)?,
        },
        r.get(14)?,
    ))
}

/// Deployments matching `filter`, latest end first.
pub fn list(conn: &Connection, filter: &DeploymentFilter) -> Result<Vec<DeploymentRecord>> {
    if filter.environments.is_empty() {
        return Ok(list_to(conn, filter, None)?
            .into_iter()
            .map(|(_, d)| d)
            .collect());
    }
    // Each environment read in order from its index (the latest first, as many as asked), then
    // merged: `environment IN (…)` read every row of the period to sort them (130 ms for the
    // latest 200 of a quarter at a hundred thousand releases; 1 ms this way).
    let names: std::collections::BTreeSet<&String> = filter.environments.iter().collect();
    let mut all = Vec::new();
    for env in names {
        all.extend(list_to(conn, filter, Some(env))?);
    }
    all.sort_by(|a, b| b.0.cmp(&a.0));
    if let Some(n) = filter.limit {
        all.truncate(n as usize);
    }
    Ok(all.into_iter().map(|(_, d)| d).collect())
}

/// Where a deployment comes in the list: its end, stamp and event id (the latest first).
type Place = (i64, i64, String);

/// [`list`] with the environment `env` (and without the list of environments).
fn list_to(
    conn: &Connection,
    filter: &DeploymentFilter,
    env: Option<&String>,
) -> Result<Vec<(Place, DeploymentRecord)>> {
    // Only the filters given, so that SQLite picks the index that serves them (a condition
    // that may be null would keep it from any).
    let mut conditions: Vec<&str> = Vec::new();
    let mut values: Vec<&dyn rusqlite::ToSql> = Vec::new();
    for (cond, value) in [
        (
            "d.release_id = ?",
            filter.release.as_ref().map(|v| v as &dyn rusqlite::ToSql),
        ),
        ("d.service = ?", filter.service.as_ref().map(|v| v as _)),
        (
            "d.environment = ?",
            filter.environment.as_ref().map(|v| v as _),
        ),
        ("d.environment = ?", env.map(|v| v as _)),
        (
            "d.ended_ms >= ?",
            filter.ended_from.as_ref().map(|v| v as _),
        ),
        ("d.ended_ms < ?", filter.ended_to.as_ref().map(|v| v as _)),
    ] {
        if let Some(v) = value {
            conditions.push(cond);
            values.push(v);
        }
    }
    let limit = filter.limit.map(i64::from).unwrap_or(-1);
    values.push(&limit);
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "{SELECT} {filter} ORDER BY d.ended_ms DESC, d.at_hlc DESC, d.event_id DESC LIMIT ?"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(values.as_slice(), |r| {
        Ok(((r.get(8)?, r.get(16)?, r.get(0)?), record(r)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (place, (mut d, deviations)) = row?;
        d.deviations = parse_deviations(&deviations)?;
        out.push((place, d));
    }
    Ok(out)
}

/// One deployment by its event id.
pub fn get(conn: &Connection, id: &str) -> Result<Option<DeploymentRecord>> {
    let row = conn
        .prepare_cached(&format!("{SELECT} WHERE d.event_id = ?1"))?
        .query_row([id], record)
        .optional()?;
    row.map(|(mut d, deviations)| {
        d.deviations = parse_deviations(&deviations)?;
        Ok(d)
    })
    .transpose()
}

/// A rehearsal of a release's rollback plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RehearsalRecord {
    pub id: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub result: relm_domain::payload::RehearsalResult,
    pub note: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_digest: Option<String>,
    pub at: String,
    pub by: String,
}

/// A rollback, with the deployment it undid and the plan it followed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollbackRecord {
    pub id: String,
    pub environment: String,
    pub to_version: String,
    pub reason: String,
    pub deployment: String,
    /// The `rollback.planned` event in force when it was recorded.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_event: Option<String>,
    pub at: String,
    pub by: String,
}

/// The release's rollback plan as last written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanRecord {
    pub event_id: String,
    pub plan: relm_domain::payload::RollbackPlan,
    pub at: String,
    pub by: String,
}

/// A release's rollback plan, rehearsals and rollbacks, oldest first.
pub fn rollback_records(
    conn: &Connection,
    release_id: &str,
) -> Result<(
    Option<PlanRecord>,
    Vec<RehearsalRecord>,
    Vec<RollbackRecord>,
)> {
    let plan = conn
        .prepare_cached(
            "SELECT event_id, plan, at_hlc, by_key FROM rollback_plans WHERE release_id = ?1",
        )?
        .query_row([release_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?
        .map(|(event_id, plan, at, by)| {
            Ok::<_, StoreError>(PlanRecord {
                event_id,
                plan: serde_json::from_str(&plan)
                    .map_err(|e| StoreError::Corrupt(format!("rollback plan: {e}")))?,
                at: super::releases::at_text(at),
                by,
            })
        })
        .transpose()?;
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, environment, result, note, link, evidence_digest, at_hlc, by_key
         FROM rehearsals WHERE release_id = ?1 ORDER BY at_hlc, event_id",
    )?;
    let rehearsals = stmt
        .query_map([release_id], |r| {
            Ok(RehearsalRecord {
                id: r.get(0)?,
                environment: r.get(1)?,
                result: choice(r, 2)?,
                note: r.get(3)?,
                link: r.get(4)?,
                evidence_digest: r.get(5)?,
                at: super::releases::at_text(r.get(6)?),
                by: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, environment, to_version, reason, deployment, plan_event, at_hlc, by_key
         FROM rollbacks WHERE release_id = ?1 ORDER BY at_hlc, event_id",
    )?;
    let rollbacks = stmt
        .query_map([release_id], |r| {
            Ok(RollbackRecord {
                id: r.get(0)?,
                environment: r.get(1)?,
                to_version: r.get(2)?,
                reason: r.get(3)?,
                deployment: r.get(4)?,
                plan_event: r.get(5)?,
                at: super::releases::at_text(r.get(6)?),
                by: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((plan, rehearsals, rollbacks))
}
