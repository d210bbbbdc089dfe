//! Policy versions, approvals, deployments, rehearsals and emergency declarations; and the
//! [`Facts`] a verdict is computed from.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

use relm_domain::hlc::Hlc;
use relm_domain::ids::ReleaseId;
use relm_domain::keys::KeyId;
use relm_domain::ledger::Violation;
use relm_domain::payload::{Decision, EventBody};
use relm_domain::role::Role;
use relm_policy::facts::{
    ApprovalFact, DeploymentFact, EmergencyFact, Facts, JustificationFact, Person, RehearsalFact,
    RollbackPlanFact,
};

use super::reviews::ServiceFollowUps;
use crate::error::{Result, StoreError};

fn time(hlc: i64) -> DateTime<Utc> {
    Hlc::from_packed(hlc).to_datetime()
}

fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Apply a governance event; `Some` when it has no effect at this point of the ledger.
pub(crate) fn apply(
    conn: &Connection,
    event_id: &str,
    body: &EventBody,
    at: i64,
    by: &str,
) -> Result<Option<Violation>> {
    let release_exists = |id: &ReleaseId| -> Result<Option<Violation>> {
        let found: Option<i64> = conn
            .prepare_cached("SELECT 1 FROM releases WHERE id = ?1")?
            .query_row([&id.0], |r| r.get(0))
            .optional()?;
        Ok(found.is_none().then(|| super::unknown_release(id)))
    };
    match body {
        EventBody::PolicyApplied {
            version,
            note,
            source,
        } => {
            let current = current_version(conn)?;
            if *version != current + 1 {
                return Ok(Some(Violation::new(
                    "stale_policy",
                    format!(
                        "this applies policy version {version}, but version {current} was in force by this point of the ledger (another policy came first); apply it again"
                    ),
                )));
            }
            conn.prepare_cached(
                "INSERT INTO policies (version, event_id, note, source, at_hlc, by_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![version, event_id, note, source, at, by])?;
        }
        EventBody::ApprovalRecorded {
            release_id,
            environment,
            decision,
            release_digest,
            policy_version,
            expires_at,
            comment,
        } => {
            if let Some(v) = release_exists(release_id)? {
                return Ok(Some(v));
            }
            conn.prepare_cached(
                "INSERT INTO approvals (event_id, release_id, environment, decision, release_digest,
                   policy_version, expires_at, comment, at_hlc, by_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                event_id,
                release_id.0,
                environment,
                decision.as_str(),
                release_digest,
                policy_version,
                expires_at,
                comment,
                at,
                by
            ])?;
        }
        EventBody::EmergencyDeclared {
            release_id,
            reason,
            incident,
            approver,
        } => {
            if let Some(v) = release_exists(release_id)? {
                return Ok(Some(v));
            }
            conn.prepare_cached(
                "INSERT INTO emergencies (event_id, release_id, reason, incident, approver, at_hlc, by_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                event_id,
                release_id.0,
                reason,
                incident,
                approver.0,
                at,
                by
            ])?;
            super::reviews::require(conn, &release_id.0, at >> 16, "emergency")?;
        }
        EventBody::FreezeJustified {
            release_id,
            entry_id,
            justification,
        } => {
            if let Some(v) = release_exists(release_id)? {
                return Ok(Some(v));
            }
            conn.prepare_cached(
                "INSERT INTO freeze_justifications (event_id, release_id, entry_id, justification, at_hlc, by_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![event_id, release_id.0, entry_id.0, justification, at, by])?;
        }
        _ => {}
    }
    Ok(None)
}

/// The version in force (0: none applied).
pub fn current_version(conn: &Connection) -> Result<u32> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(version), 0) FROM policies")?
        .query_row([], |r| r.get(0))?)
}

/// A policy version as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicyVersion {
    pub version: u32,
    pub event_id: String,
    pub note: String,
    pub source: String,
    pub applied_at: String,
    pub applied_by: String,
}

fn policy_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PolicyVersion> {
    Ok(PolicyVersion {
        version: r.get(0)?,
        event_id: r.get(1)?,
        note: r.get(2)?,
        source: r.get(3)?,
        applied_at: relm_domain::window::fmt_utc(time(r.get(4)?)),
        applied_by: r.get(5)?,
    })
}

/// One version, or the one in force when `version` is `None`.
pub fn policy(conn: &Connection, version: Option<u32>) -> Result<Option<PolicyVersion>> {
    let v = match version {
        Some(v) => v,
        None => current_version(conn)?,
    };
    Ok(conn
        .prepare_cached(
            "SELECT version, event_id, note, source, at_hlc, by_key FROM policies WHERE version = ?1",
        )?
        .query_row([v], policy_row)
        .optional()?)
}

/// Every version, oldest first.
pub fn policies(conn: &Connection) -> Result<Vec<PolicyVersion>> {
    let mut stmt = conn.prepare_cached(
        "SELECT version, event_id, note, source, at_hlc, by_key FROM policies ORDER BY version",
    )?;
    let rows = stmt.query_map([], policy_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt("approval expiry", e))
}

/// Every member the ledger has known, with their roles now (removed members inactive).
pub fn people(conn: &Connection) -> Result<BTreeMap<KeyId, Person>> {
    let mut stmt =
        conn.prepare_cached("SELECT key_id, name, email, roles, active, team FROM members")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, bool>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (key, name, email, roles, active, team) = row?;
        let roles = roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::parse::<Role>)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| corrupt("roles", e))?;
        out.insert(
            KeyId(key),
            Person {
                name,
                email,
                roles,
                team,
                active,
            },
        );
    }
    Ok(out)
}

/// [`people`], read once for each state of the members (migration 0029): each deployment
/// recorded is judged with them.
pub fn people_kept(conn: &Connection) -> Result<std::sync::Arc<BTreeMap<KeyId, Person>>> {
    static KEPT: super::Kept<std::sync::Arc<BTreeMap<KeyId, Person>>> = super::Kept::new();
    KEPT.get(conn, "members_version", || {
        Ok(std::sync::Arc::new(people(conn)?))
    })
}

/// What every verdict shares: the members and the calendar, read once when judging many
/// releases, and the instant the facts are gathered at (risk statuses and recent failures are
/// judged then).
#[derive(Debug, Clone)]
pub struct Shared {
    /// Shared by every release's facts (a clone is a count).
    pub people: std::sync::Arc<BTreeMap<KeyId, Person>>,
    pub calendar: super::calendar::Entries,
    pub now: DateTime<Utc>,
    /// The lowest score of a linked risk the policy looks at (the signals' high risks, the
    /// rules' `block_linked_score`): lower ones are not read.
    pub linked_from: u8,
    /// The days after which a mandatory review is due, when the policy has a `review` rule
    /// (without one, late reviews are not read).
    pub review_due_days: Option<u32>,
    /// Whether the policy has an `sbom` rule (without one, the releases' packages are not read).
    pub sbom: bool,
    /// Each service's follow-ups, read at the first verdict on one of its releases with the due
    /// days they were read for; which were late is worked out at each verdict's `now`.
    follow_ups: std::cell::RefCell<BTreeMap<String, FollowUpsRead>>,
    /// When every service's follow-ups were read at once: the due days, and the stamp from which
    /// they hold (what was signed off or done before it was left out). A service missing from
    /// `follow_ups` then has none from that stamp on.
    all_follow_ups: std::cell::Cell<Option<(u32, i64)>>,
    /// What was read of each service's part of its releases' risk facts: the releases of a
    /// service read it once.
    service_risks: std::cell::RefCell<BTreeMap<String, ServiceRiskRead>>,
}

/// What was read of a service's part of its releases' risk facts, and that part at the last
/// instant it was asked for.
type ServiceRiskRead = (
    std::rc::Rc<super::risks::ServiceRiskRead>,
    Option<(DateTime<Utc>, std::rc::Rc<super::risks::ServiceRisk>)>,
);

/// A service's follow-ups, with the due days they were read for and, if they were read without
/// what was signed off or done before a stamp, that stamp: they answer for a `now` from there on.
type FollowUpsRead = (u32, Option<i64>, std::rc::Rc<ServiceFollowUps>);

impl Shared {
    /// Every stamp at or before `now` is below this one ([`ServiceFollowUps::late`]'s bound).
    fn now_stamp(&self) -> i64 {
        Hlc::packed_after(self.now.timestamp_millis())
    }

    /// The late follow-ups of `service`'s releases other than `except`, as of `now`.
    fn late(
        &self,
        conn: &Connection,
        service: &str,
        except: &str,
        days: u32,
    ) -> Result<relm_policy::facts::ReviewFacts> {
        let at = self.now_stamp();
        // Read for these due days, and for this instant: a read that left out what was signed
        // off before a later stamp cannot say what was late before it (the digest and the
        // period report move `now`).
        let answers = |d: u32, from: Option<i64>| d == days && from.is_none_or(|f| at >= f);
        let known = self.follow_ups.borrow().get(service).cloned();
        let of_service = match known {
            Some((d, from, read)) if answers(d, from) => read,
            None if self
                .all_follow_ups
                .get()
                .is_some_and(|(d, from)| answers(d, Some(from))) =>
            {
                return Ok(Default::default());
            }
            // Read from this instant, or in full when a read from a later one was made: the
            // digest moves `now` on, the period report back and forth.
            other => {
                let from = match other {
                    Some((d, Some(_), _)) if d == days => None,
                    _ => Some(at),
                };
                let read = std::rc::Rc::new(super::reviews::follow_ups_of_service(
                    conn, service, days, from,
                )?);
                (self.follow_ups.borrow_mut())
                    .insert(service.to_string(), (days, from, read.clone()));
                read
            }
        };
        Ok(of_service.late(self.now, except))
    }

    /// `service`'s part of its releases' risk facts at `now`
    /// ([`super::risks::ServiceRiskRead`]): read once for every release of the service judged
    /// from that instant on (the digest judges each at its window), and worked out once for
    /// each instant in a row.
    fn service_risk(
        &self,
        conn: &Connection,
        service: &str,
    ) -> Result<std::rc::Rc<super::risks::ServiceRisk>> {
        let mut known = self.service_risks.borrow_mut();
        if let Some((read, last)) = known.get_mut(service)
            && read.answers(self.now, self.linked_from)
        {
            if let Some((at, risk)) = last
                && *at == self.now
            {
                return Ok(risk.clone());
            }
            let risk = std::rc::Rc::new(read.at(self.now));
            *last = Some((self.now, risk.clone()));
            return Ok(risk);
        }
        let read = std::rc::Rc::new(super::risks::read_service_risk(
            conn,
            service,
            self.now,
            self.linked_from,
        )?);
        let risk = std::rc::Rc::new(read.at(self.now));
        known.insert(service.to_string(), (read, Some((self.now, risk.clone()))));
        Ok(risk)
    }

    /// Say how many releases are about to be judged with these facts. For many
    /// ([`MANY_RELEASES`]), every service's follow-ups that can be late from `now` on are read
    /// now, at once: one pass over the follow-ups instead of one over each service's releases
    /// (hundreds in a large workspace), and releases in flight span most services.
    pub fn expecting(&self, conn: &Connection, releases: usize) -> Result<()> {
        let Some(days) = self.review_due_days else {
            return Ok(());
        };
        let from = self.now_stamp();
        let covered = self
            .all_follow_ups
            .get()
            .is_some_and(|(d, f)| d == days && from >= f);
        if releases <= MANY_RELEASES || covered {
            return Ok(());
        }
        let all = super::reviews::follow_ups_by_service(conn, days, from)?;
        let mut known = self.follow_ups.borrow_mut();
        known.clear();
        known.extend(
            all.into_iter()
                .map(|(s, f)| (s, (days, Some(from), std::rc::Rc::new(f)))),
        );
        self.all_follow_ups.set(Some((days, from)));
        Ok(())
    }
}

/// What every verdict shares, at `now`, for `policy`.
pub fn shared(
    conn: &Connection,
    now: DateTime<Utc>,
    policy: &relm_policy::Policy,
) -> Result<Shared> {
    Ok(Shared {
        people: people_kept(conn)?,
        calendar: super::calendar::entries(conn)?,
        now,
        linked_from: policy.linked_risk_floor(),
        review_due_days: policy
            .rules
            .iter()
            .any(|r| matches!(r.spec, relm_policy::rules::RuleSpec::Review(_)))
            .then_some(policy.reviews.due_days),
        sbom: policy
            .rules
            .iter()
            .any(|r| matches!(r.spec, relm_policy::rules::RuleSpec::Sbom(_))),
        follow_ups: Default::default(),
        all_follow_ups: Default::default(),
        service_risks: Default::default(),
    })
}

/// Everything a verdict on `release_id` looks at, or `None` if there is no such release.
pub fn facts(conn: &Connection, release_id: &str, shared: &Shared) -> Result<Option<Facts>> {
    Ok(facts_of(conn, [release_id.to_string()], shared)?.pop())
}

/// [`facts`] of the release `row`, read already (a deployment replayed has it at hand).
pub(crate) fn facts_of_row(
    conn: &Connection,
    row: super::releases::ReleaseRow,
    shared: &Shared,
) -> Result<Facts> {
    let own = own_facts_of_rows(conn, vec![row], shared.sbom)?;
    facts_at(conn, own, shared)?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("a release's facts read without it".into()))
}

/// A per-release table's rows for many releases, by release: `sql` takes the releases as
/// [`Among`] says (?1) and selects the release's id first, then what `row` reads from column 1
/// on, in the order each release's rows are wanted. One statement for all the releases, not one
/// per release.
fn by_release<T>(
    conn: &Connection,
    sql: &str,
    ids: &str,
    mut row: impl FnMut(&rusqlite::Row<'_>) -> Result<T>,
) -> Result<std::collections::HashMap<String, Vec<T>>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([ids])?;
    let mut out = std::collections::HashMap::<String, Vec<T>>::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let read = row(r)?;
        out.entry(id).or_default().push(read);
    }
    Ok(out)
}

/// `id`'s rows of what [`by_release`] read (copied: an id may be asked for twice).
fn take<T: Clone>(from: &std::collections::HashMap<String, Vec<T>>, id: &str) -> Vec<T> {
    from.get(id).cloned().unwrap_or_default()
}

/// The releases a [`by_release`] statement reads for, and how its SQL names them.
struct Among {
    /// `(?1)` for one release (its id), else `?1` as a JSON array's values: one release is the
    /// common case (each deployment recorded is judged), and reading it through `json_each`
    /// built a temporary index at every statement.
    sql: &'static str,
    /// What `?1` is bound to.
    param: String,
}

impl Among {
    fn of(ids: &[String]) -> Result<Among> {
        Ok(match ids {
            [one] => Among {
                sql: "(?1)",
                param: one.clone(),
            },
            _ => Among {
                sql: "(SELECT value FROM json_each(?1))",
                param: serde_json::to_string(ids).map_err(|e| corrupt("release ids", e))?,
            },
        })
    }
}

/// What [`facts`] reads of many releases, a statement per table, by release.
#[derive(Default)]
struct Read {
    created: std::collections::HashMap<String, Vec<(i64, Option<i64>)>>,
    approvals: std::collections::HashMap<String, Vec<ApprovalFact>>,
    deployments: std::collections::HashMap<String, Vec<DeploymentFact>>,
    rollback_plans: std::collections::HashMap<String, Vec<RollbackPlanFact>>,
    emergencies: std::collections::HashMap<String, Vec<EmergencyFact>>,
    justifications: std::collections::HashMap<String, Vec<JustificationFact>>,
}

impl Read {
    fn of(conn: &Connection, among: &Among) -> Result<Read> {
        let (ids, within) = (among.param.as_str(), among.sql);
        // When it was created, and last submitted (moved to planned).
        let created = by_release(
            conn,
            &format!(
                "SELECT r.id, r.created_hlc,
                        (SELECT max(h.at_hlc) FROM release_status_history h
                         WHERE h.release_id = r.id AND h.to_status = 'planned')
                 FROM releases r WHERE r.id IN {within}"
            ),
            ids,
            |r| Ok((r.get(1)?, r.get(2)?)),
        )?;
        // In ledger order: an author's stamps strictly increase, so (stamp, author) is the
        // ledger's order without reading the events (a verifier's shadow rebuild holds
        // projections only).
        let approvals = by_release(
            conn,
            &format!(
                "SELECT a.release_id, a.event_id, a.by_key, a.environment, a.decision,
                        a.release_digest, a.policy_version, a.expires_at, a.comment, a.at_hlc
                 FROM approvals a
                 WHERE a.release_id IN {within}
                 ORDER BY a.release_id, a.at_hlc, a.by_key, a.event_id"
            ),
            ids,
            |r| {
                let decision: String = r.get(4)?;
                let expires: Option<String> = r.get(7)?;
                Ok(ApprovalFact {
                    event_id: r.get(1)?,
                    by: KeyId(r.get(2)?),
                    environment: r.get(3)?,
                    decision: if decision == "reject" {
                        Decision::Reject
                    } else {
                        Decision::Approve
                    },
                    release_digest: r.get(5)?,
                    policy_version: r.get(6)?,
                    expires_at: expires.as_deref().map(parse_time).transpose()?,
                    comment: r.get(8)?,
                    at: time(r.get(9)?),
                })
            },
        )?;
        let deployments = by_release(
            conn,
            &format!(
                "SELECT release_id, environment, outcome, release_digest, started_ms, ended_ms,
                        by_key
                 FROM deployments WHERE release_id IN {within}
                 ORDER BY release_id, ended_ms, at_hlc, event_id"
            ),
            ids,
            |r| {
                let outcome: String = r.get(2)?;
                Ok(DeploymentFact {
                    environment: r.get(1)?,
                    outcome: outcome.parse().map_err(|e| corrupt("outcome", e))?,
                    release_digest: r.get(3)?,
                    started_at: millis(r.get(4)?),
                    at: millis(r.get(5)?),
                    by: KeyId(r.get(6)?),
                })
            },
        )?;
        let rollback_plans = by_release(
            conn,
            &format!(
                "SELECT release_id, plan, at_hlc, by_key FROM rollback_plans
                 WHERE release_id IN {within}"
            ),
            ids,
            |r| {
                let plan: String = r.get(1)?;
                Ok(RollbackPlanFact {
                    plan: serde_json::from_str(&plan).map_err(|e| corrupt("rollback plan", e))?,
                    at: time(r.get(2)?),
                    by: KeyId(r.get(3)?),
                })
            },
        )?;
        // The latest declaration first.
        let emergencies = by_release(
            conn,
            &format!(
                "SELECT release_id, reason, incident, approver, at_hlc, by_key FROM emergencies
                 WHERE release_id IN {within}
                 ORDER BY release_id, at_hlc DESC, event_id DESC"
            ),
            ids,
            |r| {
                Ok(EmergencyFact {
                    reason: r.get(1)?,
                    incident: r.get(2)?,
                    approver: KeyId(r.get(3)?),
                    at: time(r.get(4)?),
                    by: KeyId(r.get(5)?),
                })
            },
        )?;
        let justifications = by_release(
            conn,
            &format!(
                "SELECT release_id, entry_id, justification, by_key, at_hlc
                 FROM freeze_justifications WHERE release_id IN {within}
                 ORDER BY release_id, at_hlc, event_id"
            ),
            ids,
            |r| {
                Ok(JustificationFact {
                    entry_id: r.get(1)?,
                    text: r.get(2)?,
                    by: KeyId(r.get(3)?),
                    at: time(r.get(4)?),
                })
            },
        )?;
        Ok(Read {
            created,
            approvals,
            deployments,
            rollback_plans,
            emergencies,
            justifications,
        })
    }
}

/// The facts a release's risk level is judged from (`relm_policy::assess`): its fields, risk
/// facts and rehearsals, and the calendar. What only the rules look at (when it was created and
/// submitted, approvals, deployments, reviews, …) is left empty: for lists that show each row's
/// level. [`facts`] adds the rest.
pub fn risk_facts(conn: &Connection, release_id: &str, shared: &Shared) -> Result<Option<Facts>> {
    let Some(row) = super::releases::get(conn, release_id)? else {
        return Ok(None);
    };
    let mut f = Facts {
        release_id: ReleaseId(row.id),
        fields: row.fields,
        status: row.status,
        created_at: DateTime::<Utc>::UNIX_EPOCH,
        submitted_at: None,
        approvals: Vec::new(),
        deployments: Vec::new(),
        rehearsals: rehearsals(conn, release_id)?,
        rollback_plan: None,
        emergency: None,
        justifications: Vec::new(),
        risk: super::risks::own_facts(conn, release_id)?,
        reviews: Default::default(),
        sbom: Default::default(),
        members: Default::default(),
        calendar: Default::default(),
    };
    risk_at(conn, &mut f, shared)?;
    Ok(Some(f))
}

/// Set in `f` what its risk level is judged from that depends on the instant (`shared.now`),
/// and the members and calendar.
fn risk_at(conn: &Connection, f: &mut Facts, shared: &Shared) -> Result<()> {
    super::risks::facts_at(
        conn,
        &f.release_id.0,
        &mut f.risk,
        &*shared.service_risk(conn, &f.fields.service)?,
        shared.now,
        shared.linked_from,
    )?;
    f.members = shared.people.clone();
    f.calendar = shared.calendar.clone();
    Ok(())
}

fn rehearsals(conn: &Connection, release_id: &str) -> Result<Vec<RehearsalFact>> {
    let mut stmt = conn.prepare_cached(
        "SELECT note, link, at_hlc, by_key, environment, result FROM rehearsals
         WHERE release_id = ?1 ORDER BY at_hlc, event_id",
    )?;
    let mut rows = stmt.query([release_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let result: String = r.get(5)?;
        out.push(RehearsalFact {
            note: r.get(0)?,
            link: r.get(1)?,
            at: time(r.get(2)?),
            by: KeyId(r.get(3)?),
            environment: r.get(4)?,
            result: result.parse().map_err(|e| corrupt("rehearsal result", e))?,
        });
    }
    Ok(out)
}

/// Above how many releases judged together every service's follow-ups are read at once
/// ([`Shared::expecting`]).
pub const MANY_RELEASES: usize = 32;

/// [`facts`] of each of `ids` that exists, in order: read on one connection, for verdicts then
/// judged on every core. Each table is read once for all of them.
pub fn facts_of(
    conn: &Connection,
    ids: impl IntoIterator<Item = String>,
    shared: &Shared,
) -> Result<Vec<Facts>> {
    let own = own_facts_of(conn, ids, shared.sbom)?;
    facts_at(conn, own, shared)
}

/// Of [`facts_of`], what holds whenever the releases are judged (while the store stays the
/// same): what [`facts_at`] does not set. Their packages are read only with `sbom` (a policy
/// with an `sbom` rule, [`Shared::sbom`]).
pub fn own_facts_of(
    conn: &Connection,
    ids: impl IntoIterator<Item = String>,
    sbom: bool,
) -> Result<Vec<Facts>> {
    let mut rows = Vec::new();
    for id in ids {
        if let Some(row) = super::releases::get(conn, &id)? {
            rows.push(row);
        }
    }
    own_facts_of_rows(conn, rows, sbom)
}

/// [`own_facts_of`] the releases `rows`, read already.
fn own_facts_of_rows(
    conn: &Connection,
    rows: Vec<super::releases::ReleaseRow>,
    sbom: bool,
) -> Result<Vec<Facts>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let read = Read::of(conn, &Among::of(&ids)?)?;
    let mut all = Vec::with_capacity(ids.len());
    for row in rows {
        let id = row.id.clone();
        let (created, submitted) = take(&read.created, &id)
            .pop()
            .ok_or_else(|| StoreError::Corrupt(format!("release {id} read without its row")))?;
        let sbom = if sbom {
            super::sbom::facts(conn, &id, &row.fields.service, &row.fields.version)?
        } else {
            Default::default()
        };
        all.push(Facts {
            release_id: ReleaseId(row.id),
            status: row.status,
            created_at: time(created),
            submitted_at: submitted.map(time),
            approvals: take(&read.approvals, &id),
            deployments: take(&read.deployments, &id),
            rehearsals: rehearsals(conn, &id)?,
            rollback_plan: take(&read.rollback_plans, &id).pop(),
            emergency: take(&read.emergencies, &id).into_iter().next(),
            justifications: take(&read.justifications, &id),
            risk: super::risks::own_facts(conn, &id)?,
            reviews: Default::default(),
            sbom,
            members: Default::default(),
            calendar: Default::default(),
            fields: row.fields,
        });
    }
    Ok(all)
}

/// [`own_facts_of`] made whole for judging at `shared.now`: the risks active and the follow-ups
/// late then, the service's recent failures, the members and the calendar.
pub fn facts_at(conn: &Connection, own: Vec<Facts>, shared: &Shared) -> Result<Vec<Facts>> {
    shared.expecting(conn, own.len())?;
    own.into_iter()
        .map(|mut f| {
            risk_at(conn, &mut f, shared)?;
            if let Some(days) = shared.review_due_days {
                f.reviews = shared.late(conn, &f.fields.service, &f.release_id.0, days)?;
            }
            Ok(f)
        })
        .collect()
}

fn ids(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every release id, oldest first.
pub fn release_ids(conn: &Connection) -> Result<Vec<String>> {
    ids(conn, "SELECT id FROM releases ORDER BY created_hlc, id", [])
}

/// Releases that may still need a decision: submitted, or out as an emergency change.
pub fn release_ids_in_flight(conn: &Connection) -> Result<Vec<String>> {
    // Once a release is out, only an emergency change's after-the-fact approval can wait for a
    // decision (the emergency rule does not apply to other changes): the releases deployed over
    // the years are not judged again at every look at what is pending.
    ids(conn, IN_FLIGHT, [])
}

/// The emergency changes already out come from their partial index (migration 0027): reading
/// them through the status index visited every release that ever went out.
const IN_FLIGHT: &str = "SELECT id FROM releases WHERE status IN ('planned', 'approved')
    OR (status IN ('deploying', 'deployed') AND change_type = 'emergency')
    ORDER BY created_hlc, id";

/// The releases of one service version (a pipeline knows these, not the id).
pub fn release_ids_by_service_version(
    conn: &Connection,
    service: &str,
    version: &str,
) -> Result<Vec<String>> {
    ids(
        conn,
        "SELECT id FROM releases WHERE service = ?1 AND version = ?2 ORDER BY created_hlc, id",
        [service, version],
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn releases_in_flight_are_read_from_two_indexes_without_the_releases_out() {
        let store = crate::Store::open_in_memory().unwrap();
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {}", super::IN_FLIGHT))
            .unwrap();
        let plan: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let searches: Vec<&String> = plan.iter().filter(|p| p.starts_with("SEARCH")).collect();
        assert_eq!(
            searches,
            [
                "SEARCH releases USING INDEX releases_by_status_id (status=?)",
                "SEARCH releases USING INDEX releases_emergency_by_status (status=?)"
            ],
            "{plan:?}"
        );
    }
}
