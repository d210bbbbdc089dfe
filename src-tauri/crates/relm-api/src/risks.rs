//! The risk register's use-cases: add, edit, mitigate, accept, close, list, show.
//!
//! Statuses are judged at this replica's clock: an acceptance past its expiry leaves its risk
//! open again, everywhere, with no event.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use relm_domain::ids::RiskId;
use relm_domain::limits::MAX_TEXT;
use relm_domain::payload::EventBody;
use relm_domain::release::RiskLevel;
use relm_domain::risk::{
    Closure, Mitigation, RiskCategory, RiskFields, RiskPatch, RiskStatus, check_date,
};
use relm_domain::text::{self, Lines};
use relm_domain::window::fmt_utc;
use relm_domain::{DomainError, ProblemCode, Problems, ReasonCode};
use relm_policy::assess::ReleaseAssessment;
use relm_store::events::{self, LogEntry};
use relm_store::projection::risks::{self, RiskFilter, RiskRow};
use serde::Serialize;

use crate::error::{ApiError, Result};
use crate::session::{Relm, random};

/// A risk as a person describes it; all optional so the same shape serves add and edit.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct RiskInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// technical, security, operational, compliance, business or schedule.
    pub category: Option<String>,
    pub likelihood: Option<u8>,
    pub impact: Option<u8>,
    /// A member's key, key id or e-mail (the author by default).
    pub owner: Option<String>,
    pub services: Option<Vec<String>>,
    /// Release ids or unique prefixes.
    pub releases: Option<Vec<String>>,
    /// `YYYY-MM-DD`.
    pub review_by: Option<String>,
    pub residual_likelihood: Option<u8>,
    pub residual_impact: Option<u8>,
}

/// A new mitigation.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct MitigationInput {
    pub action: String,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub done: bool,
    pub residual_likelihood: Option<u8>,
    pub residual_impact: Option<u8>,
}

/// A risk list request as people and the UI give it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct RiskQuery {
    /// open, mitigating, accepted or closed, as of now; or a view: `active` (open or
    /// mitigating), `expiring` (accepted, expiring within 14 days), `overdue` (review date
    /// passed, not closed).
    pub status: Option<String>,
    pub service: Option<String>,
    pub release: Option<String>,
    pub min_score: Option<u8>,
    /// Words of the title.
    pub search: Option<String>,
    pub limit: Option<u32>,
    /// Rows to skip (the next page starts after the rows already shown).
    pub offset: Option<u32>,
    /// `score` (the default, highest first), `residual`, `title`, `status`, `review` or
    /// `updated`; a leading `-` sorts descending.
    pub sort: Option<String>,
    /// A cell of the heat map: this likelihood and impact, on the residual map when
    /// `residual`.
    pub likelihood: Option<u8>,
    pub impact: Option<u8>,
    pub residual: Option<bool>,
}

/// The register's heat maps for a query (its cell, limit and offset aside): how many risks sit
/// at each likelihood (first index, 1–5 as 0–4) and impact, inherent and residual.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskHeatmap {
    pub inherent: [[u64; 5]; 5],
    pub residual: [[u64; 5]; 5],
    /// How many risks match, all cells together.
    pub total: u64,
}

/// An acceptance as people read it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AcceptanceView {
    pub by: String,
    pub by_name: Option<String>,
    pub reason: String,
    pub expires_at: String,
    pub at: String,
    /// Past its expiry: the risk is open again.
    pub expired: bool,
}

/// A risk of the register, as of this replica's clock.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskView {
    pub id: String,
    #[serde(flatten)]
    pub fields: RiskFields,
    pub owner_name: Option<String>,
    /// Likelihood × impact (1–25).
    pub score: u8,
    /// The residual likelihood × impact, the inherent values where none are given.
    pub residual_score: u8,
    /// The status now: an acceptance past its expiry leaves the risk open or mitigating.
    pub status: RiskStatus,
    pub mitigations: Vec<Mitigation>,
    pub acceptance: Option<AcceptanceView>,
    pub closure: Option<Closure>,
    /// Its review date has passed and it is not closed.
    pub review_overdue: bool,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub revision: i64,
}

/// A risk with its history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskDetail {
    #[serde(flatten)]
    pub risk: RiskView,
    pub events: Vec<LogEntry>,
}

/// The end of `day` (UTC): an acceptance "until 2027-03-31" holds through that day.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    (day + Duration::days(1)).and_time(NaiveTime::MIN).and_utc()
}

pub(crate) fn check_reason(reason: &str) -> std::result::Result<String, DomainError> {
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Err(DomainError::problem(
            "reason",
            ProblemCode::Required,
            "say why",
        ));
    }
    text::check_text("reason", &reason, Lines::Many, MAX_TEXT)?;
    Ok(reason)
}

impl Relm {
    /// A full risk id from an id or a unique prefix of at least 4 characters.
    pub(crate) fn resolve_risk(&self, id: &str) -> Result<String> {
        self.resolve_prefix(
            id,
            ("risk", "risks"),
            ("relm risk list", ReasonCode::NoRisk),
            risks::ids_with_prefix,
        )
    }

    /// The patch an input describes, every problem of it at once.
    fn risk_patch(&self, input: &RiskInput, problems: &mut Problems) -> RiskPatch {
        let owner = input
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty());
        RiskPatch {
            title: input.title.clone(),
            description: input.description.clone(),
            category: input
                .category
                .as_deref()
                .and_then(|c| problems.check(c.parse::<RiskCategory>())),
            likelihood: input.likelihood,
            impact: input.impact,
            owner: owner.and_then(|o| {
                problems.check(self.resolve_member(o).map_err(|e| owner_problem(o, e)))
            }),
            services: input.services.clone(),
            releases: input.releases.as_ref().map(|rs| {
                rs.iter()
                    .filter(|r| !r.trim().is_empty())
                    .filter_map(|r| {
                        problems.check(
                            self.resolve_release(r)
                                .map_err(|e| DomainError::invalid("releases", e.message)),
                        )
                    })
                    .collect()
            }),
            review_by: input.review_by.clone().filter(|d| !d.trim().is_empty()),
            residual_likelihood: input.residual_likelihood,
            residual_impact: input.residual_impact,
        }
    }

    /// Add a risk to the register.
    pub fn add_risk(&mut self, input: &RiskInput) -> Result<RiskView> {
        let fields = self.new_risk_fields(input)?;
        let id = RiskId::generate(self.clock.now(), random::<10>()?);
        self.emit(|_| {
            Ok(vec![EventBody::RiskAdded {
                risk_id: id.clone(),
                fields,
            }])
        })?;
        self.risk(&id.0)
    }

    /// The fields of a new risk an input describes, or every problem of it at once.
    pub(crate) fn new_risk_fields(&self, input: &RiskInput) -> Result<RiskFields> {
        let mut problems = Problems::default();
        let patch = self.risk_patch(input, &mut problems);
        let mut fields = RiskFields {
            title: String::new(),
            description: String::new(),
            category: RiskCategory::Technical,
            likelihood: 0,
            impact: 0,
            owner: self.me()?,
            services: Vec::new(),
            releases: Vec::new(),
            review_by: None,
            residual_likelihood: None,
            residual_impact: None,
        };
        if input.category.is_none() {
            problems.add(DomainError::problem(
                "category",
                ProblemCode::Required,
                "give a category: technical, security, operational, compliance, business or schedule",
            ));
        }
        fields.apply(&patch);
        for (field, given) in [("likelihood", input.likelihood), ("impact", input.impact)] {
            if given.is_none() {
                problems.add(DomainError::problem(
                    field,
                    ProblemCode::Required,
                    format!("give the {field} from 1 to 5"),
                ));
                // Only the missing value is said, not a scale it was never put on.
                if field == "likelihood" {
                    fields.likelihood = 1;
                } else {
                    fields.impact = 1;
                }
            }
        }
        problems.check(fields.validate());
        problems.done()?;
        Ok(fields)
    }

    /// Change some of a risk's fields.
    pub fn update_risk(&mut self, id: &str, input: &RiskInput) -> Result<RiskView> {
        let id = self.resolve_risk(id)?;
        let mut problems = Problems::default();
        let patch = self.risk_patch(input, &mut problems);
        problems.done()?;
        if patch.is_empty() {
            return Err(ApiError::validation(
                "nothing to change; give at least one field to update",
            ));
        }
        self.emit(|tx| {
            let row = current(tx, &id)?;
            row.state.check_open(&id)?;
            let mut fields = row.state.fields.clone();
            fields.apply(&patch);
            fields.validate()?;
            Ok(vec![EventBody::RiskUpdated {
                risk_id: RiskId(id.clone()),
                patch,
            }])
        })?;
        self.risk(&id)
    }

    /// Plan a mitigation (or record one done), with the residual scores it should leave.
    pub fn mitigate_risk(&mut self, id: &str, input: &MitigationInput) -> Result<RiskView> {
        let id = self.resolve_risk(id)?;
        let m = self.new_mitigation(input)?;
        let residual = (input.residual_likelihood, input.residual_impact);
        self.emit(|tx| {
            let mut row = current(tx, &id)?;
            row.state.check_open(&id)?;
            row.state.mitigate(m.clone(), residual);
            row.state.fields.validate()?;
            Ok(vec![EventBody::RiskMitigated {
                risk_id: RiskId(id.clone()),
                mitigation: m,
                residual_likelihood: residual.0,
                residual_impact: residual.1,
            }])
        })?;
        self.risk(&id)
    }

    /// The mitigation an input describes, or every problem of it at once.
    pub(crate) fn new_mitigation(&self, input: &MitigationInput) -> Result<Mitigation> {
        let mut problems = Problems::default();
        let owner = input
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .and_then(|o| problems.check(self.resolve_member(o).map_err(|e| owner_problem(o, e))));
        let mut m = Mitigation {
            action: input.action.clone(),
            owner,
            due: input.due.clone().filter(|d| !d.trim().is_empty()),
            done: input.done,
        };
        problems.check(m.validate());
        problems.done()?;
        Ok(m)
    }

    /// Mark mitigation `number` (from 1) done.
    pub fn mitigation_done(&mut self, id: &str, number: u32) -> Result<RiskView> {
        let id = self.resolve_risk(id)?;
        self.emit(|tx| {
            let row = current(tx, &id)?;
            row.state.check_open(&id)?;
            let count = row.state.mitigations.len();
            if number == 0 || number as usize > count {
                return Err(DomainError::problem(
                    "number",
                    ProblemCode::OutOfRange,
                    format!("risk {id} has {count} mitigations; give a number from 1 to {count}"),
                )
                .with("min", 1)
                .with("max", count)
                .into());
            }
            Ok(vec![EventBody::RiskMitigationDone {
                risk_id: RiskId(id.clone()),
                number,
            }])
        })?;
        self.risk(&id)
    }

    /// Accept a risk as it is, for a reason, until the end of a day (UTC) or an instant. An
    /// authorization: an approver who does not own the risk.
    pub fn accept_risk(&mut self, id: &str, reason: &str, until: &str) -> Result<RiskView> {
        let id = self.resolve_risk(id)?;
        let mut problems = Problems::default();
        let reason = problems.check(check_reason(reason));
        let now = self.clock.now();
        let expires = problems.check(expiry(until, now));
        problems.done()?;
        let (reason, expires) = (reason.unwrap_or_default(), expires.unwrap_or(now));
        let me = self.me()?;
        self.emit(|tx| {
            let row = current(tx, &id)?;
            row.state.check_open(&id)?;
            row.state.check_acceptor(&me)?;
            Ok(vec![EventBody::RiskAccepted {
                risk_id: RiskId(id.clone()),
                reason,
                expires_at: fmt_utc(expires),
            }])
        })?;
        self.risk(&id)
    }

    /// Close a risk, saying why.
    pub fn close_risk(&mut self, id: &str, reason: &str) -> Result<RiskView> {
        let id = self.resolve_risk(id)?;
        let reason = check_reason(reason)?;
        self.emit(|tx| {
            let row = current(tx, &id)?;
            row.state.check_open(&id)?;
            Ok(vec![EventBody::RiskClosed {
                risk_id: RiskId(id.clone()),
                reason,
            }])
        })?;
        self.risk(&id)
    }

    pub fn risk(&self, id: &str) -> Result<RiskView> {
        let id = self.resolve_risk(id)?;
        let row = current(self.store.conn(), &id)?;
        Ok(self.risk_views(vec![row])?.remove(0))
    }

    pub fn risk_detail(&self, id: &str) -> Result<RiskDetail> {
        let risk = self.risk(id)?;
        Ok(RiskDetail {
            events: events::log(self.store.conn(), Some(&risk.id), 1000)?,
            risk,
        })
    }

    /// Risks matching `q`, highest inherent score first.
    pub fn risks(&self, q: &RiskQuery) -> Result<Vec<RiskView>> {
        let rows = risks::list(self.store.conn(), &self.risk_filter(q)?)?;
        self.risk_views(rows)
    }

    /// The heat maps of the risks a query matches, counted in the store.
    pub fn risk_heatmap(&self, q: &RiskQuery) -> Result<RiskHeatmap> {
        let f = self.risk_filter(q)?;
        let (inherent, residual) = risks::heatmap(self.store.conn(), &f)?;
        let total = inherent.iter().flatten().sum();
        Ok(RiskHeatmap {
            inherent,
            residual,
            total,
        })
    }

    /// The store's filter for a query, or what is wrong with it.
    fn risk_filter(&self, q: &RiskQuery) -> Result<RiskFilter> {
        self.workspace_id()?;
        let now = self.clock.now();
        let (status, view) = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => (None, None),
            Some("active") => (None, Some(risks::RiskView::Active)),
            Some("expiring") => (
                None,
                Some(risks::RiskView::ExpiringBy(fmt_utc(
                    now + Duration::days(EXPIRING_DAYS),
                ))),
            ),
            Some("overdue") => (
                None,
                Some(risks::RiskView::ReviewBefore(now.date_naive().to_string())),
            ),
            Some(s) => (
                Some(s.parse::<RiskStatus>().map_err(|_| {
                    relm_domain::release::unknown_choice(
                        "status",
                        "risk status or view",
                        s,
                        &[
                            "open",
                            "mitigating",
                            "accepted",
                            "closed",
                            "active",
                            "expiring",
                            "overdue",
                        ],
                    )
                })?),
                None,
            ),
        };
        let release = q
            .release
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| self.resolve_release(r))
            .transpose()
            .map_err(|e| e.at("release"))?;
        if let Some(m) = q.min_score.filter(|m| *m > 25) {
            return Err(DomainError::problem(
                "min_score",
                ProblemCode::OutOfRange,
                format!("a score is 1 to 25; {m} is out of range"),
            )
            .with("min", 1)
            .with("max", 25)
            .into());
        }
        let position = match (q.likelihood, q.impact) {
            (None, None) => None,
            (Some(l), Some(i)) if (1..=5).contains(&l) && (1..=5).contains(&i) => {
                Some((l, i, q.residual.unwrap_or(false)))
            }
            _ => {
                return Err(ApiError::invalid(
                    "likelihood",
                    "a cell of the heat map is a likelihood and an impact, each from 1 to 5",
                ));
            }
        };
        let sort = q.sort.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let (descending, key) = match sort {
            None => (true, "score"),
            Some(s) => match s.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, s),
            },
        };
        let sort = match key {
            "score" => risks::RiskSort::Score,
            "residual" => risks::RiskSort::Residual,
            "title" => risks::RiskSort::Title,
            "status" => risks::RiskSort::Status,
            "review" => risks::RiskSort::Review,
            "updated" => risks::RiskSort::Updated,
            other => {
                return Err(ApiError::invalid(
                    "sort",
                    format!(
                        "`{}` is not a sort key; use score, residual, title, status, review or updated (a leading - sorts descending)",
                        text::shown(other)
                    ),
                ));
            }
        };
        Ok(RiskFilter {
            sort,
            descending,
            status,
            view,
            now: fmt_utc(now),
            service: q.service.clone().filter(|s| !s.trim().is_empty()),
            release,
            min_score: q.min_score,
            search: q.search.clone(),
            position,
            limit: q.limit.unwrap_or(500).clamp(1, 10_000),
            offset: q.offset.unwrap_or(0),
            release_or_service: None,
        })
    }

    fn risk_views(&self, rows: Vec<RiskRow>) -> Result<Vec<RiskView>> {
        let names: HashMap<String, String> = self
            .members()?
            .into_iter()
            .map(|m| (m.key_id, m.name))
            .collect();
        let now = self.clock.now();
        let today = now.date_naive();
        Ok(rows
            .into_iter()
            .map(|r| view(r, &names, now, today))
            .collect())
    }
}

fn view(
    r: RiskRow,
    names: &HashMap<String, String>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> RiskView {
    let s = &r.state;
    let status = s.status_at(now);
    let review_overdue = status != RiskStatus::Closed
        && s.fields
            .review_by
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|d| d < today);
    RiskView {
        id: r.id,
        owner_name: names.get(&s.fields.owner.0).cloned(),
        score: s.fields.score(),
        residual_score: s.fields.residual_score(),
        status,
        mitigations: s.mitigations.clone(),
        acceptance: s.acceptance.as_ref().map(|a| AcceptanceView {
            by: a.by.0.clone(),
            by_name: names.get(&a.by.0).cloned(),
            reason: a.reason.clone(),
            expires_at: a.expires_at.clone(),
            at: a.at.clone(),
            expired: s.acceptance_expired(now),
        }),
        closure: s.closure.clone(),
        review_overdue,
        created_at: r.created_at,
        created_by: r.created_by,
        updated_at: r.updated_at,
        revision: r.revision,
        fields: s.fields.clone(),
    }
}

/// The risk `id` as the projection holds it.
fn current(conn: &relm_store::Connection, id: &str) -> Result<RiskRow> {
    risks::get(conn, id)?.ok_or_else(|| {
        ApiError::missing(ReasonCode::NoRisk, format!("no risk {id}")).with("id", id)
    })
}

/// When an acceptance given `until` (a date: through its end, UTC; or an RFC 3339 instant)
/// lapses; it must be ahead of `now`.
pub(crate) fn expiry(
    until: &str,
    now: DateTime<Utc>,
) -> std::result::Result<DateTime<Utc>, DomainError> {
    let until = until.trim();
    if until.is_empty() {
        return Err(DomainError::problem(
            "until",
            ProblemCode::Required,
            "say until when the risk is accepted (YYYY-MM-DD)",
        ));
    }
    let at = match DateTime::parse_from_rfc3339(until) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => end_of(check_date("until", until)?),
    };
    if at <= now {
        return Err(DomainError::problem(
            "until",
            ProblemCode::Past,
            format!("{until} has passed; an acceptance must expire in the future"),
        )
        .with("value", until));
    }
    Ok(at)
}

fn owner_problem(who: &str, e: ApiError) -> DomainError {
    DomainError::problem("owner", ProblemCode::UnknownMember, e.message).with("value", who)
}

/// An acceptance expiring within this many days is "expiring soon".
pub const EXPIRING_DAYS: i64 = 14;

impl Relm {
    /// What the dashboard counts in the register, as of now.
    pub fn risk_counts(&self) -> Result<risks::RiskCounts> {
        let now = self.clock.now();
        Ok(risks::counts(
            self.store.conn(),
            &fmt_utc(now),
            &fmt_utc(now + Duration::days(EXPIRING_DAYS)),
            &now.date_naive().to_string(),
        )?)
    }
}

impl Relm {
    /// Record answers to the policy's risk questionnaire for a release and assess it again;
    /// every answer is checked against the policy in force (a question it asks, a value it
    /// allows).
    pub fn answer_risk(
        &mut self,
        release: &str,
        pairs: &[(String, String)],
    ) -> Result<ReleaseAssessment> {
        let id = self.record_answers(release, pairs)?;
        self.assess_release(&id)
    }

    /// Record answers (see [`Relm::answer_risk`]); returns the release's id.
    pub fn record_answers(&mut self, release: &str, pairs: &[(String, String)]) -> Result<String> {
        let id = self.resolve_release(release)?;
        let (policy, _) = crate::gates::in_force(self.store.conn())?;
        let mut problems = Problems::default();
        let mut answers = BTreeMap::new();
        if pairs.is_empty() {
            problems.add(DomainError::problem(
                "answers",
                ProblemCode::Required,
                "give at least one answer: --question KEY --answer VALUE",
            ));
        }
        for (key, value) in pairs {
            let (key, value) = (key.trim(), value.trim());
            let field = format!("answers.{key}");
            match policy.risk.question(key) {
                None => {
                    let known: Vec<&str> = policy
                        .risk
                        .questions
                        .iter()
                        .map(|q| q.key.as_str())
                        .collect();
                    problems.add(relm_domain::release::unknown_choice(
                        &field, "question", key, &known,
                    ));
                }
                Some(q) if !q.answers.iter().any(|c| c.value == value) => {
                    let allowed: Vec<&str> = q.answers.iter().map(|c| c.value.as_str()).collect();
                    problems.add(relm_domain::release::unknown_choice(
                        &field, "answer", value, &allowed,
                    ));
                }
                Some(_) => {
                    answers.insert(key.to_string(), value.to_string());
                }
            }
        }
        problems.done()?;
        self.emit(|tx| {
            let row = relm_store::projection::releases::get(tx, &id)?
                .ok_or_else(|| crate::error::no_release(&id))?;
            if !row.status.is_editable() {
                return Err(ApiError::conflict(
                    ReasonCode::NotEditable,
                    format!(
                        "release {id} is `{}`; its assessment is history and can no longer be answered",
                        row.status
                    ),
                )
                .with("release", &id)
                .with("status", row.status));
            }
            Ok(vec![EventBody::RiskAnswered {
                release_id: relm_domain::ids::ReleaseId(id.clone()),
                answers,
            }])
        })?;
        Ok(id)
    }

    /// A release's risk, assessed now by the policy in force, every factor explained, and the
    /// level that counts (raised by hand, lowered by an approver).
    pub fn assess_release(&self, release: &str) -> Result<ReleaseAssessment> {
        let id = self.resolve_release(release)?;
        let conn = self.store.conn();
        let (policy, _) = crate::gates::in_force(conn)?;
        Ok(ReleaseAssessment::of(
            &policy,
            &crate::gates::facts(conn, &id, self.clock.now(), &policy)?,
        ))
    }
}

/// What the release page's risk panel shows: the assessment, the questionnaire it answers and
/// the register's risks linked to the release or its service.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleaseRisk {
    pub assessment: ReleaseAssessment,
    pub questions: Vec<relm_policy::assess::Question>,
    pub linked: Vec<RiskView>,
}

impl Relm {
    pub fn release_risk(&self, release: &str) -> Result<ReleaseRisk> {
        let id = self.resolve_release(release)?;
        let conn = self.store.conn();
        let (policy, _) = crate::gates::in_force(conn)?;
        let facts = crate::gates::facts(conn, &id, self.clock.now(), &policy)?;
        // Highest first, one query for both kinds of link.
        let rows = risks::list(
            conn,
            &RiskFilter {
                release_or_service: Some((id, facts.fields.service.clone())),
                now: fmt_utc(self.clock.now()),
                limit: 1000,
                descending: true,
                ..RiskFilter::default()
            },
        )?;
        let mut linked = self.risk_views(rows)?;
        linked.retain(|r| r.status != RiskStatus::Closed);
        Ok(ReleaseRisk {
            assessment: ReleaseAssessment::of(&policy, &facts),
            questions: policy.risk.questions,
            linked,
        })
    }
}

impl Relm {
    /// Set a release's risk level by hand. At or above the assessed level it is a raise (an
    /// edit of the release, by its editors: the level is then at least this; at the assessed
    /// level the raise is removed). Below, it is a **lowering**: an authorization by an approver
    /// who does not own the release, with a reason, bound to the level they saw.
    pub fn set_release_risk(
        &mut self,
        release: &str,
        level: &str,
        reason: &str,
    ) -> Result<ReleaseAssessment> {
        let id = self.resolve_release(release)?;
        let level: RiskLevel = level.trim().parse().map_err(|_| {
            ApiError::invalid(
                "level",
                format!(
                    "`{}` is not a risk level; use low, medium, high or critical",
                    level.trim()
                ),
            )
        })?;
        let now = self.clock.now();
        let me = self.me()?;
        let reason = reason.trim().to_string();
        self.emit(|tx| {
            let (policy, _) = crate::gates::in_force(tx)?;
            let facts = crate::gates::facts(tx, &id, now, &policy)?;
            if !facts.status.is_editable() {
                return Err(ApiError::conflict(
                    ReasonCode::NotEditable,
                    format!(
                        "release {id} is `{}`; its risk level is history",
                        facts.status
                    ),
                )
                .with("release", &id)
                .with("status", facts.status));
            }
            let a = ReleaseAssessment::of(&policy, &facts);
            let assessed = a.judged.assessed;
            if level >= assessed {
                let raise = if level == assessed {
                    RiskLevel::Low
                } else {
                    level
                };
                if raise == facts.fields.risk {
                    return Err(DomainError::problem(
                        "level",
                        ProblemCode::Unchanged,
                        format!("the level is already {level}"),
                    )
                    .into());
                }
                return Ok(vec![EventBody::ReleaseUpdated {
                    release_id: relm_domain::ids::ReleaseId(id.clone()),
                    patch: relm_domain::release::ReleasePatch {
                        risk: Some(raise),
                        ..Default::default()
                    },
                }]);
            }
            if reason.is_empty() {
                return Err(ApiError::invalid(
                    "reason",
                    format!(
                        "lowering the level below the assessed {assessed} is an override; say why: --reason TEXT"
                    ),
                ));
            }
            let reason = check_reason(&reason)?;
            if facts.fields.owner == me {
                return Err(DomainError::unauthorized(
                    ReasonCode::OwnerCannotLower,
                    "you own this release and cannot lower its risk level; another approver must",
                )
                .with("release", &id)
                .into());
            }
            let from = assessed.max(facts.fields.risk);
            Ok(vec![EventBody::ReleaseRiskLowered {
                release_id: relm_domain::ids::ReleaseId(id.clone()),
                level,
                from,
                reason,
            }])
        })?;
        self.assess_release(&id)
    }
}
