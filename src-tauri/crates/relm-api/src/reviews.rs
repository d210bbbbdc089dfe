//! Post-release reviews: drafted from the ledger, written, signed off by the release's owner
//! and an approver; their follow-up actions; and which reviews are due or overdue.

use std::collections::BTreeMap;

use chrono::Duration;
use relm_domain::ids::{ActionId, ReleaseId};
use relm_domain::keys::KeyId;
use relm_domain::payload::EventBody;
use relm_domain::release::ReleaseStatus;
use relm_domain::review::{self, Incident, ReviewContent, ReviewOutcome, ReviewPatch};
use relm_domain::role::Role;
use relm_domain::window::fmt_utc;
use relm_domain::{DomainError, ProblemCode, Problems, ReasonCode};
use relm_store::events::{self, LogEntry};
use relm_store::projection::deployments as deploys;
use relm_store::projection::reviews::{self as store, ActionFilter, ActionRow, Requirement};
use relm_store::projection::{governance, releases};
use serde::Serialize;

use crate::error::{ApiError, Result};
use crate::session::{Relm, random};

/// Where a review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReviewStatus {
    /// Nobody opened it yet.
    Missing,
    /// Opened, being written or waiting for its sign-offs.
    Draft,
    /// Signed off by the owner and an approver: done.
    Signed,
}

impl ReviewStatus {
    /// The status of the review stored for a release (none when nobody opened it).
    pub(crate) fn of(stored: Option<&store::Stored>) -> Self {
        match stored {
            None => ReviewStatus::Missing,
            Some(s) if s.signed_at.is_some() => ReviewStatus::Signed,
            Some(_) => ReviewStatus::Draft,
        }
    }
}

/// One line of a review's timeline: what happened, when, and the event that says so (none for
/// the planned window and the calendar's freezes, which no event of the release records).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimelineEntry {
    pub at: String,
    pub kind: String,
    /// In English; `params` let the app word it in the reader's language.
    pub text: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    pub params: BTreeMap<String, String>,
}

/// A sign-off, with the signer's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignatureView {
    pub by: String,
    pub name: String,
    pub as_owner: bool,
    pub as_approver: bool,
    pub at: String,
    /// Made on the review as it is now.
    pub current: bool,
}

/// A follow-up action with its owner's name and whether it is late.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionView {
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub action: ActionRow,
    pub owner_name: String,
    pub version: String,
    pub overdue: bool,
}

/// A release's review: whether it is required and by when, what it says, its sign-offs, its
/// timeline drafted from the ledger and its actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewView {
    pub release_id: String,
    pub service: String,
    pub version: String,
    pub title: String,
    pub owner: String,
    pub release_status: ReleaseStatus,
    pub status: ReviewStatus,
    /// Mandatory (after an emergency, a failure, a rollback or a deviation).
    pub required: bool,
    pub reasons: Vec<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    pub overdue: bool,
    pub content: ReviewContent,
    /// What the content lacks before it can be signed off.
    pub missing: Vec<String>,
    /// Who must still sign: `owner`, `approver`.
    pub awaiting: Vec<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    pub signatures: Vec<SignatureView>,
    pub timeline: Vec<TimelineEntry>,
    pub actions: Vec<ActionView>,
}

/// A line of the review list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewSummary {
    pub release_id: String,
    pub service: String,
    pub version: String,
    pub title: String,
    pub status: ReviewStatus,
    pub required: bool,
    pub reasons: Vec<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    pub overdue: bool,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    pub open_actions: u32,
}

/// Edits to a review, as a form or the CLI gives them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ReviewInput {
    pub outcome: Option<String>,
    pub went_well: Option<String>,
    pub went_badly: Option<String>,
    /// Replace the incidents (`REF:SEVERITY:START[:END]` on the command line).
    pub incidents: Option<Vec<Incident>>,
}

/// Which reviews to list.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ReviewQuery {
    /// Only required reviews not signed yet (overdue ones included).
    pub due: bool,
    /// Only required reviews past their due date.
    pub overdue: bool,
    /// The reviews still to do: required ones not signed yet, then drafts of reviews nobody
    /// required.
    pub open: bool,
    /// Only reviews signed off, latest first.
    pub signed: bool,
    /// At most this many (all when 0).
    pub limit: u32,
    /// After the first this many.
    pub offset: u64,
}

/// A page of the review list and how many reviews the query matches in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewPage {
    pub reviews: Vec<ReviewSummary>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// How many reviews stand where: what the dashboard counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewCounts {
    /// Required and not signed off, overdue ones included.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub due: u64,
    /// Required, not signed off and past their due date.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub overdue: u64,
}

/// The parts of the review list, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Required and not signed off (only the overdue ones when true), due soonest first.
    Required { overdue: bool },
    /// Opened without being required, not signed off.
    Drafts,
    /// Signed off, latest first.
    Signed,
}

impl ReviewQuery {
    fn parts(&self) -> &'static [Part] {
        if self.signed {
            &[Part::Signed]
        } else if self.overdue {
            &[Part::Required { overdue: true }]
        } else if self.due {
            &[Part::Required { overdue: false }]
        } else if self.open {
            &[Part::Required { overdue: false }, Part::Drafts]
        } else {
            &[
                Part::Required { overdue: false },
                Part::Drafts,
                Part::Signed,
            ]
        }
    }
}

/// Which actions to list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ActionQuery {
    pub overdue: bool,
    /// Open ones only.
    pub open: bool,
    /// A member's key id, fingerprint or e-mail.
    pub owner: Option<String>,
    pub release: Option<String>,
}

impl Relm {
    /// The policy's review delay, from the policy parsed once per version (`relm_store`'s).
    fn due_days(&self) -> Result<u32> {
        let (policy, _) = relm_store::projection::deployments::policy_in_force(self.store.conn())?;
        Ok(policy.reviews.due_days)
    }

    fn requirement(&self, release_id: &str) -> Result<Option<Requirement>> {
        Ok(store::requirement_of(
            self.store.conn(),
            release_id,
            self.due_days()?,
        )?)
    }

    fn today(&self) -> String {
        self.clock.now().date_naive().to_string()
    }

    /// A release's review as it stands, with its timeline drafted from the ledger.
    pub fn review(&self, release: &str) -> Result<ReviewView> {
        let id = self.resolve_release(release)?;
        let conn = self.store.conn();
        let row = releases::get(conn, &id)?.ok_or_else(|| crate::error::no_release(&id))?;
        let people = governance::people(conn)?;
        let name = |k: &str| {
            people
                .get(&KeyId(k.to_string()))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| k.to_string())
        };
        let stored = store::get(conn, &id)?;
        let required = self.requirement(&id)?;
        let today = self.today();
        let signed = stored.as_ref().is_some_and(|s| s.signed_at.is_some());
        let content = stored
            .as_ref()
            .map(|s| s.content.clone())
            .unwrap_or_default();
        let content_incidents = content.incidents.clone();
        let signatures: Vec<SignatureView> = stored
            .as_ref()
            .map(|s| {
                s.signatures
                    .iter()
                    .map(|g| SignatureView {
                        by: g.by.clone(),
                        name: name(&g.by),
                        as_owner: g.as_owner,
                        as_approver: g.as_approver,
                        at: g.at.clone(),
                        current: g.current,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut awaiting = Vec::new();
        if !signed {
            if !signatures.iter().any(|s| s.current && s.as_owner) {
                awaiting.push("owner".to_string());
            }
            if !signatures.iter().any(|s| s.current && s.as_approver) {
                awaiting.push("approver".to_string());
            }
        }
        let due = required.as_ref().map(|r| r.due.clone());
        Ok(ReviewView {
            service: row.fields.service.clone(),
            version: row.fields.version.clone(),
            title: row.fields.title.clone(),
            owner: row.fields.owner.0.clone(),
            release_status: row.status,
            status: ReviewStatus::of(stored.as_ref()),
            required: required.is_some(),
            reasons: required
                .as_ref()
                .map(|r| r.reasons.clone())
                .unwrap_or_default(),
            overdue: !signed && due.as_deref().is_some_and(|d| d < today.as_str()),
            due,
            missing: content.missing().into_iter().map(String::from).collect(),
            digest: stored.as_ref().map(|s| s.digest.clone()),
            opened_at: stored.as_ref().map(|s| s.opened_at.clone()),
            signed_at: stored.as_ref().and_then(|s| s.signed_at.clone()),
            content,
            awaiting,
            signatures,
            timeline: with_incidents(self.timeline(&id)?, &content_incidents),
            actions: self.action_views(&ActionFilter {
                release: Some(id.clone()),
                ..Default::default()
            })?,
            release_id: id,
        })
    }

    /// Open the release's review (its outcome drafted from what happened), or show it when it
    /// is open already.
    pub fn draft_review(&mut self, release: &str) -> Result<ReviewView> {
        let id = self.resolve_release(release)?;
        let conn = self.store.conn();
        if store::get(conn, &id)?.is_none() {
            let row = releases::get(conn, &id)?.ok_or_else(|| crate::error::no_release(&id))?;
            let deployments = deploys::list(
                conn,
                &deploys::DeploymentFilter {
                    release: Some(id.clone()),
                    ..Default::default()
                },
            )?;
            if deployments.is_empty()
                && !matches!(
                    row.status,
                    ReleaseStatus::Deployed | ReleaseStatus::Failed | ReleaseStatus::RolledBack
                )
            {
                return Err(ApiError::conflict(
                    ReasonCode::NothingToReview,
                    format!(
                        "{id} has not been deployed yet: there is nothing to review (record its deployments with `relm deploy record`)"
                    ),
                )
                .with("release", &id));
            }
            let deviating = deployments.iter().any(|d| !d.deviations.is_empty());
            let outcome = match row.status {
                ReleaseStatus::Failed => ReviewOutcome::Failed,
                ReleaseStatus::RolledBack => ReviewOutcome::RolledBack,
                _ if deviating
                    || deployments
                        .iter()
                        .any(|d| d.outcome != relm_domain::payload::Outcome::Succeeded) =>
                {
                    ReviewOutcome::SucceededWithIssues
                }
                _ => ReviewOutcome::Succeeded,
            };
            self.emit(|_| {
                Ok(vec![EventBody::ReviewUpdated {
                    release_id: ReleaseId(id.clone()),
                    patch: ReviewPatch {
                        outcome: Some(outcome),
                        ..Default::default()
                    },
                }])
            })?;
        }
        self.review(&id)
    }

    /// Edit the release's review (opening it when needed).
    pub fn update_review(&mut self, release: &str, input: &ReviewInput) -> Result<ReviewView> {
        let id = self.resolve_release(release)?;
        let mut problems = Problems::default();
        let outcome = input
            .outcome
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|o| problems.check(o.parse::<ReviewOutcome>()));
        let mut patch = ReviewPatch {
            outcome,
            went_well: input.went_well.clone(),
            went_badly: input.went_badly.clone(),
            incidents: input.incidents.clone(),
        };
        problems.check(patch.validate());
        problems.done()?;
        if patch.is_empty() {
            return Err(DomainError::problem(
                "outcome",
                ProblemCode::Unchanged,
                "nothing to change: give --outcome, --went-well, --went-badly or --incident",
            )
            .into());
        }
        if store::get(self.store.conn(), &id)?.is_some_and(|s| s.signed_at.is_some()) {
            return Err(signed_off(&id));
        }
        self.emit(|_| {
            Ok(vec![EventBody::ReviewUpdated {
                release_id: ReleaseId(id.clone()),
                patch,
            }])
        })?;
        self.review(&id)
    }

    /// Sign the release's review off, as its owner or as an approver.
    pub fn sign_review(&mut self, release: &str) -> Result<ReviewView> {
        let id = self.resolve_release(release)?;
        let me = self.me()?;
        let conn = self.store.conn();
        let row = releases::get(conn, &id)?.ok_or_else(|| crate::error::no_release(&id))?;
        let Some(stored) = store::get(conn, &id)? else {
            return Err(ApiError::conflict(
                ReasonCode::NothingToReview,
                format!("{id} has no review to sign; open it with `relm review draft {id}`"),
            )
            .with("release", &id));
        };
        if stored.signed_at.is_some() {
            return Err(signed_off(&id));
        }
        let missing = stored.content.missing();
        if !missing.is_empty() {
            let mut problems = Problems::default();
            for field in missing {
                problems.add(DomainError::problem(
                    field,
                    ProblemCode::Required,
                    format!(
                        "the review needs its {} before it is signed off",
                        field.replace('_', " ")
                    ),
                ));
            }
            problems.done()?;
        }
        let owner = row.fields.owner == me;
        let approver = self.members()?.iter().any(|m| {
            m.key_id == me.0 && m.active && m.roles.iter().any(|r| r == Role::Approver.as_str())
        });
        if !owner && !approver {
            return Err(ApiError::refused(
                crate::ErrorCode::Unauthorized,
                relm_domain::Reason::new(
                    ReasonCode::CannotSignReview,
                    "only the release's owner or a member with the approver role signs its review off",
                ),
            ));
        }
        if stored.signatures.iter().any(|s| s.current && s.by == me.0) {
            return Err(ApiError::conflict(
                ReasonCode::AlreadySigned,
                "you signed this review off already; it waits for the other sign-off",
            ));
        }
        let digest = stored.digest.clone();
        self.emit(|_| {
            Ok(vec![EventBody::ReviewSigned {
                release_id: ReleaseId(id.clone()),
                digest,
            }])
        })?;
        self.review(&id)
    }

    /// Reviews: every required one not signed off (due soonest first), then drafts nobody
    /// required, then those signed off (latest first); or the part the query asks for.
    pub fn reviews(&self, q: &ReviewQuery) -> Result<Vec<ReviewSummary>> {
        Ok(self.review_page(q)?.reviews)
    }

    /// A page of [`Relm::reviews`]: only the page's reviews are read, so a workspace with tens
    /// of thousands of required reviews lists them a page at a time.
    pub fn review_page(&self, q: &ReviewQuery) -> Result<ReviewPage> {
        let _snapshot = self.store.snapshot()?;
        let conn = self.store.conn();
        let days = self.due_days()?;
        let overdue_before = self.overdue_before(days);
        // Each part is counted; its rows are read while the page has room, after what is left
        // of the offset (`room` None: no limit).
        let mut skip = q.offset;
        let mut room = (q.limit > 0).then_some(q.limit);
        let mut total = 0;
        let mut rows: Vec<(String, Option<Requirement>)> = Vec::new();
        for part in q.parts() {
            let made_before = |overdue: bool| overdue.then_some(overdue_before);
            let n = match *part {
                Part::Required { overdue } => {
                    store::count_unsigned_required(conn, made_before(overdue))?
                }
                Part::Drafts | Part::Signed => store::count_opened(conn, *part == Part::Signed)?,
            };
            total += n;
            if room == Some(0) || skip >= n {
                skip = skip.saturating_sub(n);
                continue;
            }
            let page = store::Page {
                limit: room.unwrap_or(0),
                offset: skip,
            };
            skip = 0;
            let part_rows = match *part {
                Part::Required { overdue } => {
                    store::unsigned_required(conn, days, made_before(overdue), page)?
                        .into_iter()
                        .map(|r| (r.release_id.clone(), Some(r)))
                        .collect::<Vec<_>>()
                }
                Part::Drafts | Part::Signed => store::opened(conn, *part == Part::Signed, page)?
                    .into_iter()
                    .map(|id| {
                        let req = store::requirement_of(conn, &id, days)?;
                        Ok((id, req))
                    })
                    .collect::<Result<Vec<_>>>()?,
            };
            if let Some(r) = room.as_mut() {
                *r = r.saturating_sub(part_rows.len() as u32);
            }
            rows.extend(part_rows);
        }
        let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        let open = store::open_action_counts(conn, &ids)?;
        let today = self.today();
        let mut reviews = Vec::with_capacity(rows.len());
        for (id, req) in &rows {
            let Some(row) = releases::get(conn, id)? else {
                continue;
            };
            let stored = store::get(conn, id)?;
            let signed_at = stored.as_ref().and_then(|s| s.signed_at.clone());
            let due = req.as_ref().map(|r| r.due.clone());
            let overdue = signed_at.is_none() && due.as_deref().is_some_and(|d| d < today.as_str());
            reviews.push(ReviewSummary {
                release_id: id.clone(),
                service: row.fields.service,
                version: row.fields.version,
                title: row.fields.title,
                status: ReviewStatus::of(stored.as_ref()),
                required: req.is_some(),
                reasons: req.as_ref().map(|r| r.reasons.clone()).unwrap_or_default(),
                due,
                overdue,
                signed_at,
                open_actions: open.get(id).copied().unwrap_or(0),
            });
        }
        Ok(ReviewPage { reviews, total })
    }

    /// How many required reviews are waiting, and how many of them are overdue.
    pub fn review_counts(&self) -> Result<ReviewCounts> {
        let _snapshot = self.store.snapshot()?;
        let conn = self.store.conn();
        let made_before = Some(self.overdue_before(self.due_days()?));
        Ok(ReviewCounts {
            due: store::count_unsigned_required(conn, None)?,
            overdue: store::count_unsigned_required(conn, made_before)?,
        })
    }

    /// Reviews made mandatory before this instant (ms) are overdue today: their due date,
    /// `days` after, is before today (UTC).
    fn overdue_before(&self, days: u32) -> i64 {
        let midnight = self
            .clock
            .now()
            .date_naive()
            .and_time(chrono::NaiveTime::MIN);
        (midnight.and_utc() - Duration::days(i64::from(days))).timestamp_millis()
    }

    /// Add a follow-up action to a release's review.
    pub fn add_action(
        &mut self,
        release: &str,
        title: &str,
        owner: &str,
        due: &str,
    ) -> Result<ActionView> {
        let id = self.resolve_release(release)?;
        let mut problems = Problems::default();
        let title = problems.check(review::check_title(title));
        let owner = if owner.trim().is_empty() {
            problems.add(DomainError::problem(
                "owner",
                ProblemCode::Required,
                "name who does it: --owner KEY|EMAIL",
            ));
            None
        } else {
            match self.resolve_member(owner) {
                Ok(k) => Some(k),
                Err(e) => {
                    problems.add(
                        DomainError::problem("owner", ProblemCode::UnknownMember, e.to_string())
                            .with("value", owner.trim()),
                    );
                    None
                }
            }
        };
        let due = if due.trim().is_empty() {
            problems.add(DomainError::problem(
                "due",
                ProblemCode::Required,
                "say by when: --due YYYY-MM-DD",
            ));
            None
        } else {
            problems.check(review::check_due(due, self.clock.now().date_naive()))
        };
        problems.done()?;
        let (Some(title), Some(owner), Some(due)) = (title, owner, due) else {
            return Err(ApiError::validation("the action is incomplete"));
        };
        let action_id = ActionId::generate(self.clock.now(), random::<10>()?);
        self.emit(|_| {
            Ok(vec![EventBody::ActionAdded {
                action_id: action_id.clone(),
                release_id: ReleaseId(id.clone()),
                title,
                owner,
                due: due.to_string(),
            }])
        })?;
        self.action(&action_id.0)
    }

    /// Mark a follow-up action done.
    pub fn action_done(&mut self, action: &str) -> Result<ActionView> {
        let found = self.action(action)?;
        if found.action.done_at.is_some() {
            return Err(ApiError::conflict(
                ReasonCode::ActionDone,
                format!("action {} is done already", found.action.id),
            )
            .with("id", &found.action.id));
        }
        let (action_id, release_id) = (found.action.id.clone(), found.action.release_id.clone());
        self.emit(|_| {
            Ok(vec![EventBody::ActionDone {
                action_id: ActionId(action_id.clone()),
                release_id: ReleaseId(release_id),
            }])
        })?;
        self.action(&action_id)
    }

    /// One action, by id or unique prefix.
    pub fn action(&self, id: &str) -> Result<ActionView> {
        let all = self.action_views(&ActionFilter::default())?;
        let needle = id.trim();
        let found: Vec<ActionView> = all
            .into_iter()
            .filter(|a| !needle.is_empty() && a.action.id.starts_with(needle))
            .collect();
        match found.len() {
            1 => Ok(found.into_iter().next().expect("one")),
            0 => Err(ApiError::missing(
                ReasonCode::NoAction,
                format!("no action {needle}; see `relm action list`"),
            )
            .with("id", needle)),
            n => Err(ApiError::validation(format!(
                "`{needle}` starts {n} actions' ids; give more of it"
            ))),
        }
    }

    /// Follow-up actions, due soonest first.
    pub fn actions(&self, q: &ActionQuery) -> Result<Vec<ActionView>> {
        let owner = q
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|o| self.resolve_member(o))
            .transpose()?;
        let release = q
            .release
            .as_deref()
            .map(|r| self.resolve_release(r))
            .transpose()?;
        self.action_views(&ActionFilter {
            release,
            owner: owner.map(|k| k.0),
            overdue_on: q.overdue.then(|| self.today()),
            open_only: q.open,
            ..Default::default()
        })
    }

    fn action_views(&self, f: &ActionFilter) -> Result<Vec<ActionView>> {
        let conn = self.store.conn();
        let people = governance::people(conn)?;
        let today = self.today();
        store::actions(conn, f)?
            .into_iter()
            .map(|a| {
                let version = releases::get(conn, &a.release_id)?
                    .map(|r| r.fields.version)
                    .unwrap_or_default();
                Ok(ActionView {
                    owner_name: people
                        .get(&KeyId(a.owner.clone()))
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| a.owner.clone()),
                    overdue: a.done_at.is_none() && a.due < today,
                    version,
                    action: a,
                })
            })
            .collect()
    }

    /// What happened to the release, from its ledger events, its deployments' deviations, its
    /// planned window and the freezes around it; oldest first.
    pub fn timeline(&self, release_id: &str) -> Result<Vec<TimelineEntry>> {
        let conn = self.store.conn();
        let row =
            releases::get(conn, release_id)?.ok_or_else(|| crate::error::no_release(release_id))?;
        let people = governance::people(conn)?;
        let log = events::log(conn, Some(release_id), 100_000)?;
        let deployments = deploys::list(
            conn,
            &deploys::DeploymentFilter {
                release: Some(release_id.to_string()),
                ..Default::default()
            },
        )?;
        let calendar = relm_store::projection::calendar::entries(conn)?;
        Ok(draft_timeline(&row, &log, &deployments, &calendar, &|k| {
            people
                .get(&KeyId(k.to_string()))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| k.to_string())
        }))
    }
}

/// The timeline with the review's incidents in it, at their start.
fn with_incidents(mut timeline: Vec<TimelineEntry>, incidents: &[Incident]) -> Vec<TimelineEntry> {
    for i in incidents {
        let until = i.end.clone().unwrap_or_default();
        timeline.push(TimelineEntry {
            at: i.start.clone(),
            kind: "incident".into(),
            text: format!(
                "incident {} ({}){}",
                i.reference,
                i.severity.as_str(),
                if until.is_empty() {
                    " still open".to_string()
                } else {
                    format!(" until {until}")
                }
            ),
            event: None,
            params: [
                ("reference".to_string(), i.reference.clone()),
                ("severity".to_string(), i.severity.as_str().to_string()),
                ("end".to_string(), until),
            ]
            .into_iter()
            .collect(),
        });
    }
    // Stable: entries at the same instant keep their order.
    timeline.sort_by(|a, b| a.at.cmp(&b.at));
    timeline
}

fn signed_off(id: &str) -> ApiError {
    ApiError::conflict(
        ReasonCode::ReviewSigned,
        format!("the review of {id} was signed off; it is history (follow it up with actions)"),
    )
    .with("release", id)
}

/// The timeline of a release's review, from its ledger events (`log`, newest first as
/// [`events::log`] gives them), its deployments and the calendar's entries.
pub fn draft_timeline(
    row: &relm_store::ReleaseRow,
    log: &[LogEntry],
    deployments: &[deploys::DeploymentRecord],
    calendar: &[(String, relm_calendar::Entry)],
    name: &dyn Fn(&str) -> String,
) -> Vec<TimelineEntry> {
    let mut out: Vec<(String, usize, TimelineEntry)> = Vec::new();
    let mut push =
        |at: String, kind: &str, text: String, event: Option<&str>, params: &[(&str, String)]| {
            let n = out.len();
            out.push((
                at.clone(),
                n,
                TimelineEntry {
                    at,
                    kind: kind.into(),
                    text,
                    event: event.map(String::from),
                    params: params
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect(),
                },
            ));
        };
    if let Some(w) = &row.fields.window {
        push(
            fmt_utc(w.start),
            "window_start",
            format!("planned window opens ({})", w.tz),
            None,
            &[("tz", w.tz.clone())],
        );
        push(
            fmt_utc(w.end),
            "window_end",
            format!("planned window closes ({})", w.tz),
            None,
            &[("tz", w.tz.clone())],
        );
    }
    let text = |p: &serde_json::Value, k: &str| {
        p.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    for e in log.iter().rev() {
        let p = &e.payload;
        let by = name(&e.author);
        let id = Some(e.id.as_str());
        match e.kind.as_str() {
            "release.created" => push(
                e.at.clone(),
                "created",
                format!("created by {by}"),
                id,
                &[("by", by)],
            ),
            "release.status_changed" => {
                let (from, to) = (text(p, "from"), text(p, "to"));
                let blocked = p
                    .get("blocked")
                    .and_then(|b| b.as_array())
                    .map(|b| b.len())
                    .unwrap_or(0);
                if blocked > 0 {
                    let note = text(p, "note");
                    push(
                        e.at.clone(),
                        "override",
                        format!(
                            "{by} moved it {from} → {to} although the policy blocked it: {note}"
                        ),
                        id,
                        &[("by", by), ("from", from), ("to", to), ("note", note)],
                    );
                } else {
                    push(
                        e.at.clone(),
                        "status",
                        format!("{by} moved it {from} → {to}"),
                        id,
                        &[("by", by), ("from", from), ("to", to)],
                    );
                }
            }
            "release.updated" if p.pointer("/patch/window").is_some() => {
                push(
                    e.at.clone(),
                    "rescheduled",
                    format!("{by} moved the planned window"),
                    id,
                    &[("by", by)],
                );
            }
            "approval.recorded" => {
                let (env, decision) = (text(p, "environment"), text(p, "decision"));
                let verb = if decision == "reject" {
                    "rejected"
                } else {
                    "approved"
                };
                push(
                    e.at.clone(),
                    "approval",
                    format!("{by} {verb} it for {env}"),
                    id,
                    &[("by", by), ("environment", env), ("decision", decision)],
                );
            }
            "emergency.declared" => {
                let (incident, reason) = (text(p, "incident"), text(p, "reason"));
                push(
                    e.at.clone(),
                    "break_glass",
                    format!("{by} declared an emergency ({incident}): {reason}"),
                    id,
                    &[("by", by), ("incident", incident), ("reason", reason)],
                );
            }
            "freeze.justified" => {
                let why = text(p, "justification");
                push(
                    e.at.clone(),
                    "justification",
                    format!("{by} justified releasing inside a soft freeze: {why}"),
                    id,
                    &[("by", by), ("justification", why)],
                );
            }
            "release.risk_lowered" => {
                let (from, level, reason) = (text(p, "from"), text(p, "level"), text(p, "reason"));
                push(
                    e.at.clone(),
                    "risk_lowered",
                    format!("{by} lowered the risk level {from} → {level}: {reason}"),
                    id,
                    &[
                        ("by", by),
                        ("from", from),
                        ("level", level),
                        ("reason", reason),
                    ],
                );
            }
            "rollback.planned" => {
                let previous = p
                    .pointer("/plan/previous_version")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                push(
                    e.at.clone(),
                    "rollback_plan",
                    format!("{by} wrote the rollback plan (back to {previous})"),
                    id,
                    &[("by", by), ("version", previous)],
                );
            }
            "rollback.rehearsed" => {
                let result = p
                    .get("result")
                    .and_then(|v| v.as_str())
                    .unwrap_or("passed")
                    .to_string();
                let env = text(p, "environment");
                push(
                    e.at.clone(),
                    "rehearsal",
                    format!(
                        "{by} rehearsed the rollback{}: {result}",
                        if env.is_empty() {
                            String::new()
                        } else {
                            format!(" in {env}")
                        }
                    ),
                    id,
                    &[("by", by), ("environment", env), ("result", result)],
                );
            }
            "rollback.recorded" => {
                let (env, version, reason) = (
                    text(p, "environment"),
                    text(p, "to_version"),
                    text(p, "reason"),
                );
                push(
                    e.at.clone(),
                    "rollback",
                    format!("{by} rolled {env} back to {version}: {reason}"),
                    id,
                    &[
                        ("by", by),
                        ("environment", env),
                        ("version", version),
                        ("reason", reason),
                    ],
                );
            }
            _ => {}
        }
    }
    for d in deployments {
        let by = name(&d.recorded_by);
        let tool = if d.tool.is_empty() {
            String::new()
        } else {
            format!(" by {}", d.tool)
        };
        push(
            d.ended_at.clone(),
            "deployment",
            format!(
                "deployment to {} {}{tool} (started {})",
                d.environment,
                d.recorded_outcome.as_str(),
                d.started_at
            ),
            Some(&d.id),
            &[
                ("environment", d.environment.clone()),
                ("outcome", d.recorded_outcome.as_str().into()),
                ("started", d.started_at.clone()),
                ("tool", d.tool.clone()),
                ("by", by),
            ],
        );
        for x in &d.deviations {
            push(
                d.started_at.clone(),
                "deviation",
                format!(
                    "deviation of the deployment to {}: {}",
                    d.environment,
                    x.reason()
                ),
                Some(&d.id),
                &[
                    ("environment", d.environment.clone()),
                    ("deviation", serde_json::to_string(x).unwrap_or_default()),
                ],
            );
        }
    }
    // The freezes around the planned window (a day either side), in its environments.
    if let Some(w) = &row.fields.window {
        let (from, to) = (w.start - Duration::days(1), w.end + Duration::days(1));
        let cal = relm_calendar::Calendar::new(calendar, from, to);
        let span = relm_calendar::Planned {
            id: row.id.clone(),
            service: row.fields.service.clone(),
            version: row.fields.version.clone(),
            environments: row.fields.environments.clone(),
            start: from,
            end: to,
        };
        let mut seen: Vec<(String, String)> = Vec::new();
        for env in &row.fields.environments {
            use relm_calendar::conflicts::Code;
            for c in cal.judge(&span, env, false) {
                if !matches!(
                    c.code,
                    Code::InsideHardFreeze | Code::InsideSoftFreeze | Code::CrossesFreezeStart
                ) {
                    continue;
                }
                let (Some(entry), Some((start, end))) = (c.entry_id.clone(), c.occurrence.clone())
                else {
                    continue;
                };
                if seen.contains(&(entry.clone(), start.clone())) {
                    continue;
                }
                seen.push((entry.clone(), start.clone()));
                let hard = c.severity == relm_calendar::Severity::Error;
                let n = c.entry_name.clone().unwrap_or_default();
                push(
                    start.clone(),
                    "freeze",
                    format!(
                        "{} freeze `{n}` until {end}",
                        if hard { "hard" } else { "soft" }
                    ),
                    None,
                    &[
                        ("name", n),
                        ("end", end),
                        ("hard", hard.to_string()),
                        ("entry", entry),
                    ],
                );
            }
        }
    }
    out.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    out.into_iter().map(|(_, _, e)| e).collect()
}
