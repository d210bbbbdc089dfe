//! The `risks` projection: the register, and the queries lists and pages read.

use relm_domain::ids::RiskId;
use relm_domain::keys::KeyId;
use relm_domain::ledger::Violation;
use relm_domain::payload::EventBody;
use relm_domain::release::RiskLevel;
use relm_domain::risk::{Acceptance, Closure, RiskState, RiskStatus};
use relm_domain::window::fmt_utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::releases::at_text;
use crate::error::{Result, StoreError};

/// A risk as the projection holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRow {
    pub id: String,
    pub state: RiskState,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    /// Number of events applied to this risk (1 after it was added).
    pub revision: i64,
}

/// Filters for listing; all optional.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    /// Status at `now` (an acceptance past its expiry leaves the risk open or mitigating).
    pub status: Option<RiskStatus>,
    /// A view of the register the dashboard counts (with `status` unset).
    pub view: Option<RiskView>,
    /// The instant statuses are judged at, RFC 3339 UTC as `fmt_utc` writes it.
    pub now: String,
    /// Linked to this service (any case).
    pub service: Option<String>,
    /// Linked to this release.
    pub release: Option<String>,
    /// Linked to this release or to this service.
    pub release_or_service: Option<(String, String)>,
    /// Inherent score at least this.
    pub min_score: Option<u8>,
    /// In the title, any case.
    pub search: Option<String>,
    /// At this (likelihood, impact) on the inherent map, or the residual one when `true`.
    pub position: Option<(u8, u8, bool)>,
    pub limit: u32,
    /// Rows to skip (paging).
    pub offset: u32,
    /// The order; by default the inherent score (lowest first unless `descending`).
    pub sort: RiskSort,
    /// Descending.
    pub descending: bool,
}

/// What the register is ordered by (then by id, for a stable order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RiskSort {
    #[default]
    Score,
    Residual,
    Title,
    Status,
    /// The review date, risks without one last.
    Review,
    Updated,
}

impl RiskSort {
    fn order(self, descending: bool) -> String {
        let dir = if descending { "DESC" } else { "ASC" };
        match self {
            RiskSort::Score => format!("score {dir}, id"),
            RiskSort::Residual => format!("residual_score {dir}, score DESC, id"),
            RiskSort::Title => format!("title COLLATE NOCASE {dir}, id"),
            RiskSort::Status => format!("status {dir}, score DESC, id"),
            RiskSort::Review => format!("review_by IS NULL, review_by {dir}, id"),
            RiskSort::Updated => format!("updated_hlc {dir}, id"),
        }
    }
}

/// Views of the register beyond a single status, as the dashboard counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskView {
    /// Open or mitigating now (an acceptance past its expiry included).
    Active,
    /// Accepted now, the acceptance expiring at or before this instant (RFC 3339 UTC).
    ExpiringBy(String),
    /// Not closed, its review date before this day (`YYYY-MM-DD`).
    ReviewBefore(String),
}

/// How many risks sit at each (likelihood, impact): `[l - 1][i - 1]`.
pub type HeatMap = [[u64; 5]; 5];

/// How many risks matching `f` (its position, limit and offset aside) sit at each
/// (likelihood, impact) of the inherent map and of the residual one.
pub fn heatmap(conn: &Connection, f: &RiskFilter) -> Result<(HeatMap, HeatMap)> {
    let f = RiskFilter {
        position: None,
        ..f.clone()
    };
    let (clause, args) = filter(&f);
    let mut maps = ([[0u64; 5]; 5], [[0u64; 5]; 5]);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT likelihood, impact, residual_likelihood, residual_impact, count(*) FROM risks
         WHERE 1 = 1{clause} GROUP BY 1, 2, 3, 4"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let cell = |v: i64| usize::try_from(v - 1).ok().filter(|c| *c < 5);
    while let Some(r) = rows.next()? {
        let n = u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0);
        if let (Some(l), Some(i)) = (cell(r.get(0)?), cell(r.get(1)?)) {
            maps.0[l][i] += n;
        }
        if let (Some(l), Some(i)) = (cell(r.get(2)?), cell(r.get(3)?)) {
            maps.1[l][i] += n;
        }
    }
    Ok(maps)
}

/// What the dashboard counts: active risks of the high bands (score 10 or more), acceptances
/// expiring within `soon`, reviews overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskCounts {
    pub active_high: u64,
    pub expiring_soon: u64,
    pub overdue_reviews: u64,
}

/// The dashboard's counts at `now`, acceptances expiring by `soon`, reviews due before `today`.
pub fn counts(conn: &Connection, now: &str, soon: &str, today: &str) -> Result<RiskCounts> {
    Ok(conn.query_row(
        "SELECT
           (SELECT count(*) FROM risks WHERE score >= 10 AND (status IN ('open', 'mitigating')
              OR (status = 'accepted' AND accepted_until <= ?1))),
           (SELECT count(*) FROM risks WHERE status = 'accepted' AND accepted_until > ?1
              AND accepted_until <= ?2),
           (SELECT count(*) FROM risks WHERE status <> 'closed' AND review_by < ?3)",
        params![now, soon, today],
        |r| {
            Ok(RiskCounts {
                active_high: r.get::<_, i64>(0)? as u64,
                expiring_soon: r.get::<_, i64>(1)? as u64,
                overdue_reviews: r.get::<_, i64>(2)? as u64,
            })
        },
    )?)
}

/// Apply a risk event, or say why it has no effect at this point of the ledger.
pub(crate) fn apply(
    conn: &Connection,
    body: &EventBody,
    at: i64,
    by: &str,
) -> Result<Option<Violation>> {
    let (id, state) = match body {
        EventBody::RiskAdded { risk_id, fields } => {
            if get(conn, &risk_id.0)?.is_some() {
                return Ok(Some(Violation::new(
                    "duplicate_risk",
                    format!("a risk with id {risk_id} already exists"),
                )));
            }
            let mut fields = fields.clone();
            if let Err(e) = fields.validate() {
                return Ok(Some(invalid(e)));
            }
            conn.prepare_cached(
                "INSERT INTO risks (id, title, category, status, score, residual_score, owner, doc,
                 created_hlc, created_by, updated_hlc, updated_by, revision)
                 VALUES (?1, '', '', '', 0, 0, '', '{}', ?2, ?3, ?2, ?3, 0)",
            )?
            .execute(params![risk_id.0, at, by])?;
            (risk_id, RiskState::new(fields))
        }
        EventBody::RiskUpdated { risk_id, patch } => {
            let Some(mut row) = open(conn, risk_id)? else {
                return Ok(Some(refused(conn, risk_id)?));
            };
            row.state.fields.apply(patch);
            if let Err(e) = row.state.fields.validate() {
                return Ok(Some(invalid(e)));
            }
            (risk_id, row.state)
        }
        EventBody::RiskMitigated {
            risk_id,
            mitigation,
            residual_likelihood,
            residual_impact,
        } => {
            let Some(mut row) = open(conn, risk_id)? else {
                return Ok(Some(refused(conn, risk_id)?));
            };
            let mut m = mitigation.clone();
            if let Err(e) = m.validate() {
                return Ok(Some(invalid(e)));
            }
            row.state
                .mitigate(m, (*residual_likelihood, *residual_impact));
            if let Err(e) = row.state.fields.validate() {
                return Ok(Some(invalid(e)));
            }
            (risk_id, row.state)
        }
        EventBody::RiskMitigationDone { risk_id, number } => {
            let Some(mut row) = open(conn, risk_id)? else {
                return Ok(Some(refused(conn, risk_id)?));
            };
            let Some(m) = (*number as usize)
                .checked_sub(1)
                .and_then(|i| row.state.mitigations.get_mut(i))
            else {
                return Ok(Some(Violation::new(
                    "invalid_change",
                    format!("risk {risk_id} has no mitigation number {number}"),
                )));
            };
            m.done = true;
            (risk_id, row.state)
        }
        EventBody::RiskAccepted {
            risk_id,
            reason,
            expires_at,
        } => {
            let Some(mut row) = open(conn, risk_id)? else {
                return Ok(Some(refused(conn, risk_id)?));
            };
            // An authorization judged at its point of the ledger: the owner of the risk then
            // may not accept it.
            if let Err(e) = row.state.check_acceptor(&KeyId(by.to_string())) {
                return Ok(Some(Violation::new("not_allowed", e.to_string())));
            }
            let Ok(expires) = chrono::DateTime::parse_from_rfc3339(expires_at) else {
                return Ok(Some(Violation::new(
                    "invalid_change",
                    format!("the acceptance's expiry `{expires_at}` is not an RFC 3339 time"),
                )));
            };
            row.state.status = RiskStatus::Accepted;
            row.state.acceptance = Some(Acceptance {
                by: KeyId(by.to_string()),
                reason: reason.clone(),
                expires_at: fmt_utc(expires.with_timezone(&chrono::Utc)),
                at: at_text(at),
            });
            (risk_id, row.state)
        }
        EventBody::RiskClosed { risk_id, reason } => {
            let Some(mut row) = open(conn, risk_id)? else {
                return Ok(Some(refused(conn, risk_id)?));
            };
            row.state.status = RiskStatus::Closed;
            row.state.closure = Some(Closure {
                by: KeyId(by.to_string()),
                reason: reason.clone(),
                at: at_text(at),
            });
            (risk_id, row.state)
        }
        _ => return Ok(None),
    };
    write(conn, &id.0, &state, at, by)?;
    Ok(None)
}

fn invalid(e: relm_domain::DomainError) -> Violation {
    Violation::new(
        "invalid_change",
        format!("with the edits before it, this change would leave the risk invalid: {e}"),
    )
}

/// The risk, if it exists and is not closed.
fn open(conn: &Connection, id: &RiskId) -> Result<Option<RiskRow>> {
    Ok(get(conn, &id.0)?.filter(|r| r.state.status != RiskStatus::Closed))
}

/// Why a change to `id` has no effect: it does not exist, or it is closed.
fn refused(conn: &Connection, id: &RiskId) -> Result<Violation> {
    Ok(if get(conn, &id.0)?.is_some() {
        Violation::new(
            "risk_closed",
            format!("risk {id} was closed by this point of the ledger"),
        )
    } else {
        Violation::new(
            "unknown_risk",
            format!("no risk {id} exists at this point of the ledger"),
        )
    })
}

fn write(conn: &Connection, id: &str, s: &RiskState, at: i64, by: &str) -> Result<()> {
    let doc = serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let f = &s.fields;
    conn.prepare_cached(
        "UPDATE risks SET title = ?2, category = ?3, status = ?4, score = ?5, residual_score = ?6,
         owner = ?7, review_by = ?8, accepted_until = ?9, doc = ?10, updated_hlc = ?11,
         updated_by = ?12, mitigation_count = ?13, likelihood = ?14, impact = ?15,
         residual_likelihood = ?16, residual_impact = ?17, revision = revision + 1 WHERE id = ?1",
    )?
    .execute(params![
        id,
        f.title,
        f.category.as_str(),
        s.status.as_str(),
        f.score(),
        f.residual_score(),
        f.owner.0,
        f.review_by,
        s.acceptance.as_ref().map(|a| a.expires_at.as_str()),
        doc,
        at,
        by,
        s.mitigations.len() as i64,
        f.likelihood,
        f.impact,
        f.residual_likelihood.unwrap_or(f.likelihood),
        f.residual_impact.unwrap_or(f.impact)
    ])?;
    conn.prepare_cached("DELETE FROM risk_links WHERE risk_id = ?1")?
        .execute([id])?;
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO risk_links (risk_id, kind, target, score, status, accepted_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let until = s.acceptance.as_ref().map(|a| a.expires_at.as_str());
    for (kind, targets) in [("service", &f.services), ("release", &f.releases)] {
        for t in targets {
            link.execute(params![id, kind, t, f.score(), s.status.as_str(), until])?;
        }
    }
    Ok(())
}

const SELECT: &str =
    "SELECT id, doc, created_hlc, created_by, updated_hlc, updated_by, revision FROM risks";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<RiskRow>> {
    let id: String = r.get(0)?;
    let doc: String = r.get(1)?;
    let state = match serde_json::from_str::<RiskState>(&doc) {
        Ok(s) => s,
        Err(e) => return Ok(Err(StoreError::Corrupt(format!("risk {id}: {e}")))),
    };
    Ok(Ok(RiskRow {
        id,
        state,
        created_at: at_text(r.get(2)?),
        created_by: r.get(3)?,
        updated_at: at_text(r.get(4)?),
        updated_by: r.get(5)?,
        revision: r.get(6)?,
    }))
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<RiskRow>> {
    conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .transpose()
}

/// Risks matching `f`, highest inherent score first (then by id).
pub fn list(conn: &Connection, f: &RiskFilter) -> Result<Vec<RiskRow>> {
    let (clause, mut args) = filter(f);
    args.push(i64::from(f.limit.max(1)).into());
    args.push(i64::from(f.offset).into());
    let sql = format!(
        "{SELECT} WHERE 1 = 1{clause} ORDER BY {} LIMIT ?{} OFFSET ?{}",
        f.sort.order(f.descending),
        args.len() - 1,
        args.len()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), from_row)?;
    rows.map(|r| r?).collect()
}

/// How many risks match `f` (its limit aside).
pub fn count(conn: &Connection, f: &RiskFilter) -> Result<u64> {
    let (clause, args) = filter(f);
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM risks WHERE 1 = 1{clause}"),
        rusqlite::params_from_iter(args),
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// The `WHERE` conditions of `f` (each starting with ` AND`) and their values, numbered.
fn filter(f: &RiskFilter) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut arg = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(s) = f.status {
        // Expiry times are stored normalised (`fmt_utc`), so text order is time order.
        let now: rusqlite::types::Value = f.now.clone().into();
        let lapsed = "(status = 'accepted' AND accepted_until <= ?";
        match s {
            RiskStatus::Accepted => arg(
                &mut sql,
                " AND status = 'accepted' AND accepted_until > ?",
                now,
            ),
            RiskStatus::Open => arg(
                &mut sql,
                &format!(" AND (status = 'open' OR {lapsed} AND mitigation_count = 0))"),
                now,
            ),
            RiskStatus::Mitigating => arg(
                &mut sql,
                &format!(" AND (status = 'mitigating' OR {lapsed} AND mitigation_count > 0))"),
                now,
            ),
            RiskStatus::Closed => sql.push_str(" AND status = 'closed'"),
        }
    }
    match &f.view {
        None => {}
        Some(RiskView::Active) => arg(
            &mut sql,
            " AND (status IN ('open', 'mitigating') OR (status = 'accepted' AND accepted_until <= ?))",
            f.now.clone().into(),
        ),
        Some(RiskView::ExpiringBy(soon)) => {
            arg(
                &mut sql,
                " AND status = 'accepted' AND accepted_until > ?",
                f.now.clone().into(),
            );
            arg(&mut sql, " AND accepted_until <= ?", soon.clone().into());
        }
        Some(RiskView::ReviewBefore(today)) => arg(
            &mut sql,
            " AND status <> 'closed' AND review_by < ?",
            today.clone().into(),
        ),
    }
    if let Some(s) = &f.service {
        arg(
            &mut sql,
            " AND id IN (SELECT risk_id FROM risk_links WHERE kind = 'service' AND target = ?)",
            s.trim().to_string().into(),
        );
    }
    if let Some((release, service)) = &f.release_or_service {
        // Two index lookups rather than an OR the planner would scan for.
        arg(
            &mut sql,
            " AND id IN (SELECT risk_id FROM risk_links WHERE kind = 'release' AND target = ?",
            release.trim().to_string().into(),
        );
        arg(
            &mut sql,
            " UNION SELECT risk_id FROM risk_links WHERE kind = 'service' AND target = ?)",
            service.trim().to_string().into(),
        );
    }
    if let Some(r) = &f.release {
        arg(
            &mut sql,
            " AND id IN (SELECT risk_id FROM risk_links WHERE kind = 'release' AND target = ?)",
            r.trim().to_string().into(),
        );
    }
    if let Some(m) = f.min_score {
        arg(&mut sql, " AND score >= ?", i64::from(m).into());
    }
    if let Some((l, i, residual)) = f.position {
        let (lc, ic) = if residual {
            ("residual_likelihood", "residual_impact")
        } else {
            ("likelihood", "impact")
        };
        arg(&mut sql, &format!(" AND {lc} = ?"), i64::from(l).into());
        arg(&mut sql, &format!(" AND {ic} = ?"), i64::from(i).into());
    }
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        arg(&mut sql, " AND title LIKE ? ESCAPE '\\'", like.into());
    }
    (sql, args)
}

/// Record a release's answers (each replaces the question's earlier answer), or say why they
/// have no effect at this point of the ledger.
pub(crate) fn answered(
    conn: &Connection,
    event_id: &str,
    release_id: &str,
    answers: &std::collections::BTreeMap<String, String>,
    at: i64,
) -> Result<Option<Violation>> {
    if super::releases::get(conn, release_id)?.is_none() {
        return Ok(Some(super::unknown_release(&relm_domain::ids::ReleaseId(
            release_id.to_string(),
        ))));
    }
    let mut put = conn.prepare_cached(
        "INSERT INTO release_answers (release_id, question, answer, event_id, at_hlc)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (release_id, question) DO UPDATE SET answer = ?3, event_id = ?4, at_hlc = ?5",
    )?;
    for (q, a) in answers {
        put.execute(params![release_id, q, a, event_id, at])?;
    }
    Ok(None)
}

/// A release's answers, by question.
pub fn answers(
    conn: &Connection,
    release_id: &str,
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut stmt =
        conn.prepare_cached("SELECT question, answer FROM release_answers WHERE release_id = ?1")?;
    let rows = stmt.query_map([release_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Ids starting with `prefix` (at most `limit`).
pub fn ids_with_prefix(conn: &Connection, prefix: &str, limit: u32) -> Result<Vec<String>> {
    super::ids_with_prefix(conn, "risks", prefix, limit)
}

/// Record an approver's lowering of a release's risk level, or say why it has no effect: no such
/// release, a level not below the one it lowers from, or signed by the release's owner (who
/// cannot lower the bar for their own release).
pub(crate) fn lowered(
    conn: &Connection,
    event_id: &str,
    release_id: &str,
    (level, from): (RiskLevel, RiskLevel),
    reason: &str,
    (at, by): (i64, &str),
) -> Result<Option<Violation>> {
    let Some(release) = super::releases::get(conn, release_id)? else {
        return Ok(Some(super::unknown_release(&relm_domain::ids::ReleaseId(
            release_id.to_string(),
        ))));
    };
    if level >= from {
        return Ok(Some(Violation::new(
            "invalid_change",
            format!("a lowering to {level} from {from} lowers nothing"),
        )));
    }
    if release.fields.owner.0 == by {
        return Ok(Some(Violation::new(
            "self_authorization",
            format!("{by} owns release {release_id} and cannot lower its risk level"),
        )));
    }
    if reason.trim().is_empty() {
        return Ok(Some(Violation::new(
            "invalid_change",
            "a lowering of a risk level needs a reason",
        )));
    }
    conn.prepare_cached(
        "INSERT INTO risk_overrides (event_id, release_id, level, from_level, reason, by_key, at_hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        event_id,
        release_id,
        level.as_str(),
        from.as_str(),
        reason,
        by,
        at
    ])?;
    Ok(None)
}

/// Failed or rolled-back deployments of the service in the last 90 days.
const RECENT_DAYS: i64 = 90;

/// What the assessments of a service's releases share at `now`: the service's recent failures
/// and the active risks linked to the service, read once for all of them.
#[derive(Debug)]
pub struct ServiceRisk {
    /// Failed or rolled-back deployments that ended in the last [`RECENT_DAYS`], and releases
    /// moved to rolled back by hand in that time.
    recent_failures: i64,
    /// Risks active at `now` linked to the service and scored `min_score` or more: (id, score).
    linked: Vec<(String, u8)>,
    /// The highest five of `linked` (ties by id), named by the register: a release's highest
    /// five that come from its service are among them, so they are read once per service, not
    /// once per release.
    named: Vec<relm_policy::facts::LinkedRisk>,
}

/// Active now (open or mitigating, or accepted until a time passed), from `min_score` (?3) up,
/// linked to the target ?1 at `now` (?2): read from the links' index alone.
const ACTIVE_LINKS: &str = "SELECT risk_id, score FROM risk_links
    WHERE kind = ?4 AND target = ?1 AND score >= ?3
      AND (status IN ('open', 'mitigating') OR (status = 'accepted' AND accepted_until <= ?2))";

fn active_links(
    conn: &Connection,
    (kind, target): (&str, &str),
    now: chrono::DateTime<chrono::Utc>,
    min_score: u8,
) -> Result<Vec<(String, u8)>> {
    let mut stmt = conn.prepare_cached(ACTIVE_LINKS)?;
    let rows = stmt.query_map(
        params![target, fmt_utc(now), i64::from(min_score), kind],
        |r| {
            let score: i64 = r.get(1)?;
            Ok((r.get(0)?, u8::try_from(score).unwrap_or(u8::MAX)))
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a release's risk facts take from its service, read once: its part at any instant from
/// `from` on ([`ServiceRiskRead::at`]) is worked out without reading again: the digest judges each release at its own window, and a
/// service's releases at as many instants.
#[derive(Debug)]
pub struct ServiceRiskRead {
    from: chrono::DateTime<chrono::Utc>,
    min_score: u8,
    /// When each failed or rolled-back deployment of the service ended (ms), from
    /// [`RECENT_DAYS`] before `from` on, in order.
    failures: Vec<i64>,
    /// The stamps of the service's releases' moves to rolled back by hand (not those that
    /// followed a deployment or a rollback), from [`RECENT_DAYS`] before `from` on, in order.
    moves: Vec<i64>,
    /// The risks linked to the service scored `min_score` or more that are or can become
    /// active.
    links: Vec<ServiceLink>,
}

/// A risk linked to a service, as [`ServiceRiskRead`] holds it.
#[derive(Debug)]
struct ServiceLink {
    id: String,
    score: u8,
    /// Accepted until then (RFC 3339 UTC); `None` while open or mitigating.
    accepted_until: Option<String>,
    /// Its title and score in the register (none when the register has no such risk).
    named: Option<(String, u8)>,
}

/// [`ServiceRiskRead`] of `service` for the instants from `from` on.
pub fn read_service_risk(
    conn: &Connection,
    service: &str,
    from: chrono::DateTime<chrono::Utc>,
    min_score: u8,
) -> Result<ServiceRiskRead> {
    use relm_domain::hlc::Hlc;
    let earliest = (from - chrono::Duration::days(RECENT_DAYS)).timestamp_millis();
    let column = |sql: &str, args: (&str, i64)| -> Result<Vec<i64>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![args.0, args.1], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let failures = column(
        "SELECT ended_ms FROM deployments
         WHERE service = ?1 AND outcome IN ('failed', 'rolled_back') AND ended_ms >= ?2
         ORDER BY ended_ms",
        (service, earliest),
    )?;
    // `CROSS JOIN` keeps the order written: from the few rolled-back moves (their partial
    // index), then their releases, rather than every release of the service.
    let moves = column(
        "SELECT h.at_hlc FROM release_status_history h
         CROSS JOIN releases r ON r.id = h.release_id
         WHERE r.service = ?1 AND h.to_status = 'rolled_back' AND h.at_hlc >= ?2
           AND h.event_id NOT IN (SELECT event_id FROM deployments)
           AND h.event_id NOT IN (SELECT event_id FROM rollbacks)
         ORDER BY h.at_hlc",
        (service, Hlc::packed_after(earliest - 1)),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT l.risk_id, l.score, CASE WHEN l.status = 'accepted' THEN l.accepted_until END,
                r.title, r.score
         FROM risk_links l LEFT JOIN risks r ON r.id = l.risk_id
         WHERE l.kind = 'service' AND l.target = ?1 AND l.score >= ?2
           AND (l.status IN ('open', 'mitigating')
                OR (l.status = 'accepted' AND l.accepted_until IS NOT NULL))",
    )?;
    let score = |v: i64| u8::try_from(v).unwrap_or(u8::MAX);
    let links = stmt
        .query_map(params![service, i64::from(min_score)], |r| {
            let title: Option<String> = r.get(3)?;
            let named = match title {
                Some(t) => Some((t, score(r.get(4)?))),
                None => None,
            };
            Ok(ServiceLink {
                id: r.get(0)?,
                score: score(r.get(1)?),
                accepted_until: r.get(2)?,
                named,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ServiceRiskRead {
        from,
        min_score,
        failures,
        moves,
        links,
    })
}

impl ServiceRiskRead {
    /// Whether it holds what the service's part at `now` for `min_score` is worked out from.
    pub fn answers(&self, now: chrono::DateTime<chrono::Utc>, min_score: u8) -> bool {
        now >= self.from && min_score == self.min_score
    }

    /// The service's part at `now`, which [`ServiceRiskRead::answers`].
    pub fn at(&self, now: chrono::DateTime<chrono::Utc>) -> ServiceRisk {
        use relm_domain::hlc::Hlc;
        use relm_policy::facts::LinkedRisk;
        // Ended in the last RECENT_DAYS, up to now; moved by hand from then on.
        let from = (now - chrono::Duration::days(RECENT_DAYS)).timestamp_millis();
        let ended = self
            .failures
            .partition_point(|&e| e <= now.timestamp_millis())
            - self.failures.partition_point(|&e| e < from);
        let since = Hlc::packed_after(from - 1);
        let moved = self.moves.len() - self.moves.partition_point(|&m| m < since);
        // Open or mitigating, or accepted until a time passed.
        let now_text = fmt_utc(now);
        let active: Vec<&ServiceLink> = (self.links.iter())
            .filter(|l| (l.accepted_until.as_deref()).is_none_or(|u| u <= now_text.as_str()))
            .collect();
        let linked: Vec<(String, u8)> = (active.iter()).map(|l| (l.id.clone(), l.score)).collect();
        let mut named: Vec<LinkedRisk> = highest(linked.iter().cloned())
            .into_iter()
            .filter_map(|(id, _)| {
                let link = active.iter().find(|l| l.id == id)?;
                let (title, score) = link.named.as_ref()?;
                Some(LinkedRisk {
                    id,
                    title: title.clone(),
                    score: *score,
                })
            })
            .collect();
        named.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        ServiceRisk {
            recent_failures: i64::try_from(ended + moved).unwrap_or(i64::MAX),
            linked,
            named,
        }
    }
}

/// The highest five of `linked` by score, ties by id.
fn highest(linked: impl IntoIterator<Item = (String, u8)>) -> Vec<(String, u8)> {
    let mut highest: Vec<(String, u8)> = linked.into_iter().collect();
    highest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    highest.truncate(5);
    highest
}

/// Each of `ids` (with the link's score) that the register holds, with its title and score
/// there, highest first (ties by id); those in `known` are taken from it.
fn named(
    conn: &Connection,
    ids: Vec<(String, u8)>,
    known: &[relm_policy::facts::LinkedRisk],
) -> Result<Vec<relm_policy::facts::LinkedRisk>> {
    use relm_policy::facts::LinkedRisk;
    let mut out = Vec::with_capacity(ids.len());
    let mut stmt = conn.prepare_cached("SELECT title, score FROM risks WHERE id = ?1")?;
    for (id, _) in ids {
        if let Some(risk) = known.iter().find(|k| k.id == id) {
            out.push(risk.clone());
            continue;
        }
        let named = stmt
            .query_row([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .optional()?;
        if let Some((title, score)) = named {
            out.push(LinkedRisk {
                id,
                title,
                score: u8::try_from(score).unwrap_or(u8::MAX),
            });
        }
    }
    out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

/// What a release's assessment reads from the store that holds whenever it is judged: its
/// answers and latest lowering ([`facts_at`] adds the rest).
pub fn own_facts(conn: &Connection, release_id: &str) -> Result<relm_policy::facts::RiskFacts> {
    use relm_domain::hlc::Hlc;
    use relm_policy::facts::{LoweredFact, RiskFacts};
    let lowered = conn
        .prepare_cached(
            "SELECT o.event_id, o.level, o.from_level, o.reason, o.by_key, o.at_hlc
             FROM risk_overrides o
             WHERE o.release_id = ?1 ORDER BY o.at_hlc DESC, o.by_key DESC, o.event_id DESC LIMIT 1",
        )?
        .query_row([release_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .optional()?
        .map(|(event_id, level, from, reason, by, at)| {
            let parse = |v: &str| {
                v.parse::<RiskLevel>()
                    .map_err(|e| StoreError::Corrupt(format!("risk override {event_id}: {e}")))
            };
            Ok::<_, StoreError>(LoweredFact {
                level: parse(&level)?,
                from: parse(&from)?,
                event_id: event_id.clone(),
                reason,
                by: KeyId(by),
                at: Hlc::from_packed(at).to_datetime(),
            })
        })
        .transpose()?;
    Ok(RiskFacts {
        answers: answers(conn, release_id)?,
        lowered,
        ..Default::default()
    })
}

/// What a release's assessment reads from the store that depends on the instant `now`, set in
/// `facts`: the service's recent failures and the risks scored `min_score` or more linked to the
/// release or its service and active then. `service` is [`ServiceRiskRead::at`] the same `now`
/// for the same `min_score`.
pub fn facts_at(
    conn: &Connection,
    release_id: &str,
    facts: &mut relm_policy::facts::RiskFacts,
    service: &ServiceRisk,
    now: chrono::DateTime<chrono::Utc>,
    min_score: u8,
) -> Result<()> {
    // A risk linked to both the release and its service counts once.
    let mut linked: std::collections::BTreeMap<String, u8> =
        service.linked.iter().cloned().collect();
    linked.extend(active_links(conn, ("release", release_id), now, min_score)?);
    let mut linked_scores = std::collections::BTreeMap::new();
    for score in linked.values() {
        *linked_scores.entry(*score).or_insert(0u32) += 1;
    }
    facts.recent_failures = usize::try_from(service.recent_failures).unwrap_or(0);
    facts.linked_scores = linked_scores;
    // The highest five (ties by id), named by the register; those of the service were named
    // with it.
    facts.linked_top = named(conn, highest(linked), &service.named)?;
    Ok(())
}
