//! Release use-cases: create, edit, move through the lifecycle, list, show.

use rayon::prelude::*;
use relm_domain::ids::ReleaseId;
use relm_domain::payload::EventBody;
use relm_domain::release::{
    ChangeRef, ChangeType, Component, EvidenceLink, ReleaseFields, ReleasePatch, ReleaseStatus,
    RiskLevel,
};
use relm_domain::window::PlannedWindow;
use relm_domain::{DomainError, ProblemCode, Problems, ReasonCode};
use relm_store::events::{self, LogEntry};
use relm_store::projection::releases;
use relm_store::{ReleaseFilter, ReleaseRow, SortKey, StatusChange};
use serde::Serialize;

use crate::error::{ApiError, Result, no_release};
use crate::session::{Relm, random};

/// A release as a person describes it; all optional so the same shape serves create and edit.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ReleaseInput {
    pub service: Option<String>,
    pub version: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub change_type: Option<String>,
    /// `low`, `medium` (the default), `high` or `critical`.
    pub risk: Option<String>,
    pub environments: Option<Vec<String>>,
    /// `(start, end, tz)` as typed: RFC 3339 or local wall-clock time in `tz`.
    pub window: Option<(String, String, String)>,
    pub clear_window: bool,
    pub components: Option<Vec<Component>>,
    pub changes: Option<Vec<ChangeRef>>,
    pub rollback_plan: Option<String>,
    pub evidence: Option<Vec<EvidenceLink>>,
}

impl ReleaseInput {
    /// The patch this input describes; a part that cannot be read is left out and its problems
    /// kept in `problems`, so one submit reports everything wrong with it.
    fn to_patch(&self, problems: &mut Problems) -> ReleasePatch {
        ReleasePatch {
            service: self.service.clone(),
            version: self.version.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            change_type: self
                .change_type
                .as_deref()
                .and_then(|t| problems.check(t.parse::<ChangeType>())),
            risk: self
                .risk
                .as_deref()
                .and_then(|r| problems.check(r.parse::<RiskLevel>())),
            environments: self.environments.clone(),
            window: self
                .window
                .as_ref()
                .and_then(|(s, e, tz)| problems.check(PlannedWindow::parse(s, e, tz))),
            clear_window: self.clear_window,
            components: self.components.clone(),
            changes: self.changes.clone(),
            rollback_plan: self.rollback_plan.clone(),
            evidence: self.evidence.clone(),
        }
    }
}

/// Apply `patch` to `fields` and check the result; every problem (the patch's own and the
/// fields') at once.
fn patched(
    mut fields: ReleaseFields,
    patch: &ReleasePatch,
    mut problems: Problems,
) -> Result<ReleaseFields> {
    fields.apply(patch);
    if let Err(e) = fields.validate() {
        problems.add(e);
    }
    problems.done()?;
    Ok(fields)
}

/// A release with its status history and audit trail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleaseDetail {
    #[serde(flatten)]
    pub release: ReleaseRow,
    pub status_history: Vec<StatusChange>,
    pub allowed_next: Vec<ReleaseStatus>,
    pub events: Vec<LogEntry>,
}

/// A release list request as people and the UI give it: all text, all optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ReleaseQuery {
    pub service: Option<String>,
    pub status: Option<String>,
    pub environment: Option<String>,
    pub change_type: Option<String>,
    /// `created`, `updated`, `window`, `service` or `status`; a leading `-` sorts descending.
    /// Default `-created` (newest first).
    pub sort: Option<String>,
    /// Planned windows starting on or after this date (`2027-03-01`) or instant (RFC 3339).
    pub from: Option<String>,
    /// Planned windows starting before this date or instant.
    pub to: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// `false`: without each release's risk level (`levels` empty), for a list that shows none,
    /// such as a picker. Default: with them.
    pub levels: Option<bool>,
}

pub(crate) fn blank_to_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A date (`2027-03-01`, midnight UTC) or an RFC 3339 instant, as Unix seconds.
fn instant(v: &str, what: &str) -> Result<i64> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp());
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|t| t.timestamp())
        .map_err(|_| {
            ApiError::validation(format!(
                "{what}: `{v}` is not a date (2027-03-01) or an RFC 3339 time (2027-03-01T09:00:00Z)"
            ))
        })
}

impl ReleaseQuery {
    pub fn to_filter(&self) -> Result<ReleaseFilter> {
        let sort = blank_to_none(&self.sort).unwrap_or("-created");
        let (descending, key) = match sort.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, sort),
        };
        let sort = match key {
            "created" => SortKey::Created,
            "updated" => SortKey::Updated,
            "window" => SortKey::Window,
            "service" => SortKey::Service,
            "status" => SortKey::Status,
            other => {
                return Err(ApiError::validation(format!(
                    "sort: `{other}` is not a sort key; use created, updated, window, service or status (prefix - for descending)"
                )));
            }
        };
        Ok(ReleaseFilter {
            service: blank_to_none(&self.service).map(String::from),
            status: blank_to_none(&self.status).map(str::parse).transpose()?,
            environment: blank_to_none(&self.environment).map(String::from),
            change_type: blank_to_none(&self.change_type)
                .map(str::parse)
                .transpose()?,
            window_from: blank_to_none(&self.from)
                .map(|v| instant(v, "from"))
                .transpose()?,
            window_to: blank_to_none(&self.to)
                .map(|v| instant(v, "to"))
                .transpose()?,
            sort,
            descending,
            after: None,
            limit: self.limit.unwrap_or(100).clamp(1, 1000),
        })
    }
}

/// One page of releases and the cursor for the next.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleasePage {
    pub releases: Vec<ReleaseRow>,
    pub next_cursor: Option<String>,
    /// How many releases the filter matches, all pages together.
    pub total: u64,
    /// Each listed release's risk level as the policy sees it (assessed, raised by hand or
    /// lowered by an approver), by id.
    pub levels: std::collections::BTreeMap<String, RiskLevel>,
}

impl Relm {
    pub fn create_release(&mut self, input: &ReleaseInput) -> Result<ReleaseRow> {
        let id = self.create_releases(std::slice::from_ref(input))?.remove(0);
        self.release(&id)
    }

    /// Create several releases in one transaction (imports): all or nothing. Returns the ids.
    pub fn create_releases(&mut self, inputs: &[ReleaseInput]) -> Result<Vec<String>> {
        let mut bodies = Vec::with_capacity(inputs.len());
        let mut ids = Vec::with_capacity(inputs.len());
        let me = self.me()?;
        for (i, input) in inputs.iter().enumerate() {
            let (id, fields) = self.new_release(input, &me).map_err(|e| {
                if inputs.len() > 1 {
                    ApiError::new(e.code, format!("release #{}: {}", i + 1, e.message))
                } else {
                    e
                }
            })?;
            ids.push(id.0.clone());
            bodies.push(EventBody::ReleaseCreated {
                release_id: id,
                fields,
            });
        }
        self.emit(|_| Ok(bodies))?;
        Ok(ids)
    }

    /// A new release of `input`, owned by `me` (this replica's member).
    fn new_release(
        &self,
        input: &ReleaseInput,
        me: &relm_domain::keys::KeyId,
    ) -> Result<(ReleaseId, ReleaseFields)> {
        let mut problems = Problems::default();
        let patch = input.to_patch(&mut problems);
        let fields = ReleaseFields {
            service: String::new(),
            version: String::new(),
            title: String::new(),
            description: String::new(),
            change_type: patch.change_type.unwrap_or(ChangeType::Normal),
            // Low raises nothing: the release's level is what its assessment gives.
            risk: RiskLevel::Low,
            environments: Vec::new(),
            window: None,
            owner: me.clone(),
            components: Vec::new(),
            changes: Vec::new(),
            rollback_plan: String::new(),
            evidence: Vec::new(),
        };
        let fields = patched(fields, &patch, problems)?;
        Ok((
            ReleaseId::generate(self.clock.now(), random::<10>()?),
            fields,
        ))
    }

    pub fn update_release(&mut self, id: &str, input: &ReleaseInput) -> Result<ReleaseRow> {
        let id = self.resolve_release(id)?;
        let mut problems = Problems::default();
        let patch = input.to_patch(&mut problems);
        if patch.is_empty() && problems.is_empty() {
            return Err(ApiError::validation(
                "nothing to change: give at least one field option (see `relm release update --help`)",
            ));
        }
        self.emit(|tx| {
            let current = releases::get(tx, &id)?.ok_or_else(|| no_release(&id))?;
            if !current.status.is_editable() {
                return Err(ApiError::conflict(
                    ReasonCode::NotEditable,
                    format!(
                        "release {id} is `{}`; its content is history and can no longer be edited",
                        current.status
                    ),
                )
                .with("release", &id)
                .with("status", current.status));
            }
            patched(
                current.fields.clone(),
                &patch,
                std::mem::take(&mut problems),
            )?;
            Ok(vec![EventBody::ReleaseUpdated {
                release_id: ReleaseId(id.clone()),
                patch,
            }])
        })?;
        self.release(&id)
    }

    pub fn set_release_status(
        &mut self,
        id: &str,
        to: &str,
        note: Option<&str>,
    ) -> Result<ReleaseRow> {
        let id = self.resolve_release(id)?;
        let to: ReleaseStatus = to.parse()?;
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from);
        let now = self.clock.now();
        self.emit(|tx| {
            let current = releases::get(tx, &id)?
                .ok_or_else(|| no_release(&id))?;
            current.status.check_transition(to)?;
            // A mandatory review marks the release reviewed when it is signed off, not a move.
            if to == ReleaseStatus::Reviewed {
                let (policy, _) = crate::gates::in_force(tx)?;
                let required = relm_store::projection::reviews::requirement_of(
                    tx,
                    &id,
                    policy.reviews.due_days,
                )?;
                if let Some(r) = required {
                    return Err(ApiError::conflict(
                        ReasonCode::ReviewRequired,
                        format!(
                            "the review of {id} is mandatory (after {}): write it and sign it off (`relm review show {id}`, `relm review sign {id}`); the sign-offs mark the release reviewed",
                            r.reasons.join(", ")
                        ),
                    )
                    .with("release", &id));
                }
            }
            // A move the policy blocks is an override: it needs a reason, and says what it
            // overrode, signed with it.
            let blocked = if to.is_gated() {
                crate::gates::blocked_gates(tx, &id, &current.fields.environments, now)?
            } else {
                Vec::new()
            };
            if !blocked.is_empty() && note.is_none() {
                let what: Vec<String> = blocked
                    .iter()
                    .map(|b| format!("{} ({})", b.environment, b.rules.join(", ")))
                    .collect();
                return Err(DomainError::problem(
                    "note",
                    ProblemCode::Required,
                    format!(
                        "the policy blocks this release for {}; moving it to `{to}` anyway is an override: give its reason with --note \"why\" (it is recorded and shown as an override)",
                        what.join("; ")
                    ),
                )
                .into());
            }
            Ok(vec![EventBody::ReleaseStatusChanged {
                release_id: ReleaseId(id.clone()),
                from: current.status,
                to,
                note: note.clone(),
                blocked,
            }])
        })?;
        self.release(&id)
    }

    pub fn release(&self, id: &str) -> Result<ReleaseRow> {
        let id = self.resolve_release(id)?;
        releases::get(self.store.conn(), &id)?.ok_or_else(|| no_release(&id))
    }

    pub fn release_detail(&self, id: &str) -> Result<ReleaseDetail> {
        let release = self.release(id)?;
        let conn = self.store.conn();
        Ok(ReleaseDetail {
            status_history: releases::status_history(conn, &release.id)?,
            allowed_next: release.status.next().to_vec(),
            events: events::log(conn, Some(&release.id), 1000)?,
            release,
        })
    }

    /// A page of releases for a query (the CLI's options, the UI's filters).
    pub fn query_releases(&self, q: &ReleaseQuery) -> Result<ReleasePage> {
        self.page_of_releases(q.to_filter()?, q.cursor.as_deref(), q.levels != Some(false))
    }

    /// A page in the filter's order (newest first by default). `cursor` is the `next_cursor`
    /// of the previous page.
    pub fn list_releases(
        &self,
        filter: ReleaseFilter,
        cursor: Option<&str>,
    ) -> Result<ReleasePage> {
        self.page_of_releases(filter, cursor, true)
    }

    /// A page, with each release's risk level when `levels`.
    fn page_of_releases(
        &self,
        mut filter: ReleaseFilter,
        cursor: Option<&str>,
        levels: bool,
    ) -> Result<ReleasePage> {
        self.workspace_id()?;
        if let Some(c) = cursor {
            filter.after = Some(relm_store::Cursor::decode(c).ok_or_else(|| {
                ApiError::validation("bad cursor; pass the next_cursor value unchanged")
            })?);
        }
        if filter.limit == 0 {
            filter.limit = 100;
        }
        // The page, its count and its levels from one state of the store.
        let _snapshot = self.store.snapshot()?;
        let rows = releases::list(self.store.conn(), &filter)?;
        let next_cursor = (rows.len() == filter.limit as usize)
            .then(|| rows.last().map(|(_, c)| c.encode()))
            .flatten();
        let releases: Vec<ReleaseRow> = rows.into_iter().map(|(r, _)| r).collect();
        Ok(ReleasePage {
            total: releases::count_matching(self.store.conn(), &filter)?,
            levels: if levels {
                self.levels(releases.iter().map(|r| r.id.as_str()))?
            } else {
                Default::default()
            },
            releases,
            next_cursor,
        })
    }

    /// The next `limit` releases still to go out (at most 100), by planned start from now:
    /// what the dashboard lists.
    pub fn upcoming_releases(&self, limit: u32) -> Result<Vec<ReleaseRow>> {
        self.workspace_id()?;
        let from = self.clock.now().timestamp();
        Ok(releases::upcoming(self.store.conn(), from, limit.min(100))?)
    }

    /// The risk level the policy sees for each of `ids`, judged now.
    fn levels<'a>(
        &self,
        ids: impl Iterator<Item = &'a str>,
    ) -> Result<std::collections::BTreeMap<String, RiskLevel>> {
        let conn = self.store.conn();
        let (policy, _) = crate::gates::in_force(conn)?;
        let shared = relm_store::projection::governance::shared(conn, self.clock.now(), &policy)?;
        // Only what the level is judged from, read on one connection, then judged on every
        // core.
        let mut all = Vec::new();
        for id in ids {
            all.extend(relm_store::projection::governance::risk_facts(
                conn, id, &shared,
            )?);
        }
        Ok(all
            .into_par_iter()
            .map(|f| {
                let level = relm_policy::AssessedRisk::of(&policy, &f).level();
                (f.release_id.0, level)
            })
            .collect())
    }

    /// A full release id from an id or a unique prefix of at least 4 characters.
    pub(crate) fn resolve_release(&self, id: &str) -> Result<String> {
        self.resolve_prefix(
            id,
            ("release", "releases"),
            ("relm release list", ReasonCode::NoRelease),
            releases::ids_with_prefix,
        )
    }
}
