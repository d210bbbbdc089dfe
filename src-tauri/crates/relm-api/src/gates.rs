//! Policy and gates: policy versions, verdicts, signed approvals and rejections, deployments,
//! rollback rehearsals, the emergency path, and the policy simulator.

use chrono::{DateTime, Duration, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use relm_domain::ids::ReleaseId;
use relm_domain::keys::KeyId;
use relm_domain::limits::MAX_TEXT;
use relm_domain::payload::{BlockedGate, Decision, EventBody, Outcome as DeployOutcome};
use relm_domain::release::{ChangeType, ReleaseStatus};
use relm_domain::role::Role;
use relm_domain::text::Lines;
use relm_domain::window::fmt_utc;
use relm_domain::{DomainError, ProblemCode, Problems, Reason, ReasonCode};
use relm_policy::facts::ApprovalFact;
use relm_policy::rules::RuleSpec;
use relm_policy::{DEFAULT_POLICY, Facts, Lang, Outcome, Policy, Style, Verdict};
use relm_store::Connection;
use relm_store::projection::governance::{self, PolicyVersion};

use crate::error::{ApiError, ErrorCode, Result, no_release};
use crate::session::Relm;
use relm_identity::SecretKey;

/// A policy version without its text, for the history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicySummary {
    pub version: u32,
    pub name: String,
    pub note: String,
    pub applied_at: String,
    pub applied_by: String,
    pub applied_by_name: String,
    pub rules: u32,
}

/// `relm check`'s question.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct CheckRequest {
    /// A release id or a unique prefix.
    pub release: Option<String>,
    /// With `version`, finds the release from a pipeline.
    pub service: Option<String>,
    pub version: Option<String>,
    pub environment: String,
    /// RFC 3339; now when absent.
    pub at: Option<String>,
    /// The language the verdict is worded in (English by default).
    #[serde(default)]
    pub lang: Lang,
    /// The IANA zone its times are worded in, for a person (the app's); RFC 3339 UTC when
    /// absent (the CLI, CI logs).
    #[serde(default)]
    pub zone: Option<String>,
}

/// How verdicts are worded: in `lang`, with times in `zone` when one is given.
pub fn style(lang: Lang, zone: Option<&str>) -> Result<Style> {
    let zone = zone
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .map(relm_domain::window::parse_zone)
        .transpose()?;
    Ok(Style { lang, zone })
}

/// A verdict that changes under a draft policy.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SimulatedChange {
    pub release_id: String,
    pub service: String,
    pub version: String,
    pub environment: String,
    pub before: Outcome,
    pub after: Outcome,
    /// The draft's failing or warning lines that explain the new outcome.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Simulation {
    pub current_version: u32,
    pub at: String,
    /// Release × environment pairs judged.
    pub checked: u32,
    pub changed: Vec<SimulatedChange>,
}

/// A release waiting for this member's decision.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingDecision {
    pub release_id: String,
    pub service: String,
    pub version: String,
    pub title: String,
    pub environment: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    /// The window's start as wall-clock time in its own zone, naming the zone (`2027-03-19
    /// 18:00 CET (Europe/Paris)`): what an OS notification says of it.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_local: Option<String>,
    /// The rule line that waits for it.
    pub reason: String,
}

/// What the app says in an OS notification when decisions begin to wait for this member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// The notice for the decisions in `new`, which began to wait for this member (a sync or the
/// command line brought a release, an approval went stale or lapsed): one decision is said
/// whole (its release's title, its window in its own zone, the rule that waits); several, in
/// one notice that names the first three. Nothing for none.
pub fn decisions_notice(new: &[&PendingDecision], lang: Lang) -> Option<Notice> {
    let fr = lang == Lang::Fr;
    let what = |p: &PendingDecision| format!("{} {} → {}", p.service, p.version, p.environment);
    match new {
        [] => None,
        [p] => {
            let mut body = p.title.trim_end_matches('.').to_string();
            if !body.is_empty() {
                body.push_str(". ");
            }
            if let Some(w) = &p.window_local {
                body.push_str(&if fr {
                    format!("Fenêtre à partir du {w}. ")
                } else {
                    format!("Window from {w}. ")
                });
            }
            body.push_str(&p.reason);
            Some(Notice {
                title: if fr {
                    format!("Votre décision est attendue\u{a0}: {}", what(p))
                } else {
                    format!("Your decision is awaited: {}", what(p))
                },
                body: body.trim_end().to_string(),
            })
        }
        several => {
            let named: Vec<String> = several.iter().take(3).map(|p| what(p)).collect();
            let more = several.len() - named.len();
            let body = match (fr, more) {
                (false, 0) => format!("{}.", join(&named, "and")),
                (true, 0) => format!("{}.", join(&named, "et")),
                (false, n) => format!("{} and {n} more.", named.join(", ")),
                (true, n) => format!(
                    "{} et {n} {}.",
                    named.join(", "),
                    if n == 1 { "autre" } else { "autres" }
                ),
            };
            Some(Notice {
                title: if fr {
                    format!("{} décisions vous attendent", several.len())
                } else {
                    format!("{} decisions await you", several.len())
                },
                body,
            })
        }
    }
}

/// `a, b and c`.
fn join(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

fn parse_at(at: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    match at.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(now),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                ApiError::invalid(
                    "at",
                    format!("`{s}` is not an RFC 3339 time; use e.g. 2027-03-19T18:00:00Z"),
                )
            }),
    }
}

/// The policy in force and its version (0 and the built-in default when none was applied).
pub(crate) fn in_force(conn: &Connection) -> Result<(Policy, u32)> {
    match governance::policy(conn, None)? {
        None => Ok((default_policy()?, 0)),
        Some(p) => Policy::parse(&p.source).map(|policy| (policy, p.version)).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!(
                    "policy version {} cannot be read ({e}); apply a corrected policy with `relm policy apply FILE`",
                    p.version
                ),
            )
        }),
    }
}

fn default_policy() -> Result<Policy> {
    Policy::parse(DEFAULT_POLICY)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("the default policy: {e}")))
}

/// The gates that block `release_id` now: each of `environments` whose verdict is blocked, with
/// its failing rules.
pub(crate) fn blocked_gates(
    conn: &Connection,
    release_id: &str,
    environments: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<BlockedGate>> {
    let (policy, version) = in_force(conn)?;
    let f = facts(conn, release_id, now, &policy)?;
    let verdicts = relm_policy::judge_each(
        &policy,
        version,
        &f,
        environments.iter().map(String::as_str),
        now,
    );
    Ok((environments.iter().zip(verdicts))
        .filter_map(|(env, v)| {
            (v.outcome() == Outcome::Blocked).then(|| BlockedGate {
                environment: env.clone(),
                rules: v
                    .findings()
                    .filter(|l| l.status == relm_policy::verdict::LineStatus::Fail)
                    .map(|l| l.rule.to_string())
                    .collect(),
            })
        })
        .collect())
}

/// A unified diff of two policy texts, each with its name.
fn unified_diff(from: (&str, &str), to: (&str, &str)) -> String {
    similar::TextDiff::from_lines(from.0, to.0)
        .unified_diff()
        .context_radius(3)
        .header(from.1, to.1)
        .to_string()
}

/// The facts about `release_id` as the store holds them at `now`, for judging under `policy`.
pub(crate) fn facts(
    conn: &Connection,
    release_id: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Facts> {
    governance::facts(conn, release_id, &governance::shared(conn, now, policy)?)?
        .ok_or_else(|| no_release(release_id))
}

fn policy_error(e: relm_policy::PolicyError, file: &str) -> ApiError {
    let location = match e.line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    };
    ApiError::invalid("policy", format!("{location}: {}", e.message))
}

impl Relm {
    /// Apply a policy file as the next policy version (admins only). The file is parsed and
    /// checked in full first; if anything is wrong, nothing is recorded and the policy in
    /// force stays. `file` names the source in error messages.
    pub fn apply_policy(&mut self, source: &str, note: &str, file: &str) -> Result<PolicySummary> {
        Policy::parse_new(source).map_err(|e| policy_error(e, file))?;
        let note = note.trim().to_string();
        if note.is_empty() {
            return Err(DomainError::problem(
                "note",
                ProblemCode::Required,
                "say why the policy changes: --note \"what and why\"",
            )
            .into());
        }
        relm_domain::text::check_text("note", &note, Lines::Many, MAX_TEXT)?;
        // Windows line ends are kept as line ends: the recorded source holds `\n` only.
        let source = source.replace("\r\n", "\n");
        let mut version = 0;
        self.emit(|tx| {
            version = governance::current_version(tx)? + 1;
            if let Some(p) = governance::policy(tx, None)?
                && p.source == source
            {
                return Err(ApiError::conflict(
                    ReasonCode::PolicyInForce,
                    format!(
                        "this is already the policy in force (version {})",
                        p.version
                    ),
                )
                .with("version", p.version));
            }
            Ok(vec![EventBody::PolicyApplied {
                version,
                note,
                source,
            }])
        })?;
        self.policy_summary(version)
    }

    fn policy_summary(&self, version: u32) -> Result<PolicySummary> {
        let conn = self.store.conn();
        let p = governance::policy(conn, Some(version))?.ok_or_else(|| {
            ApiError::missing(
                ReasonCode::NoPolicyVersion,
                format!("no policy version {version}"),
            )
            .with("version", version)
        })?;
        let people = governance::people(conn)?;
        Ok(summary(&p, &people))
    }

    /// One policy version (the one in force by default), with its text.
    pub fn policy(&self, version: Option<u32>) -> Result<PolicyVersion> {
        self.workspace_id()?;
        let conn = self.store.conn();
        governance::policy(conn, version)?.ok_or_else(|| match version {
            Some(v) => ApiError::missing(
                ReasonCode::NoPolicyVersion,
                format!("no policy version {v}; see `relm policy history`"),
            )
            .with("version", v),
            None => ApiError::missing(
                ReasonCode::NoPolicyVersion,
                "no policy applied yet (the built-in default is used); apply one with `relm policy apply FILE`",
            ),
        })
    }

    /// Every policy version, oldest first.
    pub fn policy_history(&self) -> Result<Vec<PolicySummary>> {
        self.workspace_id()?;
        let conn = self.store.conn();
        let people = governance::people(conn)?;
        Ok(governance::policies(conn)?
            .iter()
            .map(|p| summary(p, &people))
            .collect())
    }

    /// A unified diff of two versions' texts.
    pub fn policy_diff(&self, a: u32, b: u32) -> Result<String> {
        let (pa, pb) = (self.policy(Some(a))?, self.policy(Some(b))?);
        Ok(unified_diff(
            (&pa.source, &format!("policy v{a}")),
            (&pb.source, &format!("policy v{b}")),
        ))
    }

    /// The environments of the policy in force, in promotion order (the names a release's
    /// targets are checked against).
    pub fn policy_environments(&self) -> Result<Vec<String>> {
        self.workspace_id()?;
        let (policy, _) = in_force(self.store.conn())?;
        Ok(policy.order().map(|e| e.name.clone()).collect())
    }

    /// A unified diff from the policy in force (the built-in default when none was applied)
    /// to a draft: what applying the draft would change in the text.
    pub fn policy_draft_diff(&self, source: &str) -> Result<String> {
        let current = match governance::policy(self.store.conn(), None)? {
            Some(p) => (p.source, format!("policy v{}", p.version)),
            None => (DEFAULT_POLICY.to_string(), "built-in default policy".into()),
        };
        let draft = source.replace("\r\n", "\n");
        Ok(unified_diff((&current.0, &current.1), (&draft, "draft")))
    }

    /// The verdict for a release and environment at a time (now by default).
    pub fn check(&self, req: &CheckRequest) -> Result<Verdict> {
        self.workspace_id()?;
        let env = req.environment.trim();
        if env.is_empty() {
            return Err(ApiError::invalid(
                "environment",
                "name the target environment: --env prod",
            ));
        }
        relm_domain::text::check_name("environment", env)?;
        let at = parse_at(req.at.as_deref(), self.clock.now())?;
        let id = match (&req.release, &req.service, &req.version) {
            (Some(r), None, None) => self.resolve_release(r)?,
            (None, Some(s), Some(v)) => self.find_release(s, v)?,
            _ => {
                return Err(ApiError::validation(
                    "say which release: --release ID, or --service S --version V",
                ));
            }
        };
        let conn = self.store.conn();
        let (policy, version) = in_force(conn)?;
        Ok(relm_policy::evaluate_in(
            &policy,
            version,
            &facts(conn, &id, at, &policy)?,
            env,
            at,
            style(req.lang, req.zone.as_deref())?,
        ))
    }

    /// The verdict on release `id` (resolved) for `env` at `at` under `policy` (in force,
    /// loaded once by the caller, with what every verdict `shared`): what [`Relm::check`]
    /// gives, for reports that judge many.
    pub(crate) fn verdict_under(
        &self,
        (policy, version): (&Policy, u32),
        shared: &mut governance::Shared,
        (id, env): (&str, &str),
        at: DateTime<Utc>,
        style: &Style,
    ) -> Result<Verdict> {
        shared.now = at;
        let facts =
            governance::facts(self.store.conn(), id, shared)?.ok_or_else(|| no_release(id))?;
        Ok(relm_policy::evaluate_in(
            policy, version, &facts, env, at, *style,
        ))
    }

    fn find_release(&self, service: &str, version: &str) -> Result<String> {
        let ids = governance::release_ids_by_service_version(
            self.store.conn(),
            service.trim(),
            version.trim(),
        )?;
        match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(ApiError::missing(
                ReasonCode::NoRelease,
                format!(
                    "no release of {service} {version}; see `relm release list --service {service}`"
                ),
            )
            .with("service", service)
            .with("version", version.trim())),
            many => Err(ApiError::validation(format!(
                "{} releases of {service} {version} exist ({}); use --release ID",
                many.len(),
                many.join(", ")
            ))),
        }
    }

    /// Sign an approval (or a rejection, which needs a comment) of the release as it is now,
    /// for one environment. Refused, with the reason, when the decision could not count under
    /// the policy in force (the owner, a change author, a missing role).
    pub fn decide(
        &mut self,
        release: &str,
        environment: &str,
        decision: Decision,
        comment: Option<&str>,
        style: impl Into<Style>,
    ) -> Result<Verdict> {
        let style = style.into();
        let key = self.signing_key()?;
        let id = self.decide_as(&key, release, environment, decision, comment, style.lang)?;
        self.check(&CheckRequest {
            release: Some(id),
            environment: environment.to_string(),
            lang: style.lang,
            zone: style.zone.map(|z| z.name().to_string()),
            ..CheckRequest::default()
        })
    }

    /// [`Relm::decide`] signed with `key` (the demo's teammates); returns the release id.
    pub(crate) fn decide_as(
        &mut self,
        key: &SecretKey,
        release: &str,
        environment: &str,
        decision: Decision,
        comment: Option<&str>,
        lang: Lang,
    ) -> Result<String> {
        relm_domain::text::check_name("environment", environment.trim())?;
        let id = self.resolve_release(release)?;
        let me = key.public().key_id();
        let comment = comment.map(str::trim).unwrap_or_default().to_string();
        relm_domain::text::check_text("comment", &comment, Lines::Many, MAX_TEXT)?;
        if decision == Decision::Reject && comment.is_empty() {
            return Err(DomainError::problem(
                "comment",
                ProblemCode::Required,
                "say why you reject it: --comment TEXT",
            )
            .into());
        }
        let now = self.clock.now();
        self.emit_as(key, |tx| {
            let (policy, version) = in_force(tx)?;
            let mut f = facts(tx, &id, now, &policy)?;
            let env = policy
                .environment(environment.trim())
                .map(|e| e.name.clone())
                .ok_or_else(|| {
                    let names: Vec<&str> = policy.order().map(|e| e.name.as_str()).collect();
                    DomainError::problem(
                        "environment",
                        ProblemCode::UnknownChoice,
                        format!(
                            "`{environment}` is not an environment of the policy (version {version}); use one of {}",
                            names.join(", ")
                        ),
                    )
                    .with("value", environment)
                    .with("allowed", names.join(", "))
                })?;
            if matches!(
                f.status,
                ReleaseStatus::Cancelled | ReleaseStatus::Reviewed | ReleaseStatus::RolledBack | ReleaseStatus::Failed
            ) {
                return Err(ApiError::conflict(
                    ReasonCode::NothingToDecide,
                    format!("the release is `{}`; there is nothing left to decide", f.status),
                )
                .with("status", f.status));
            }
            let digest = f.fields.governed_digest(&f.release_id);
            // The same decision again (same person, environment, content and policy, still
            // in force) would only duplicate the record: refuse it, saying when it was made.
            let latest = f
                .approvals
                .iter()
                .filter(|a| a.by == me && a.environment == env)
                .max_by_key(|a| a.at);
            if let Some(same) = latest.filter(|a| {
                a.decision == decision
                    && a.release_digest == digest
                    && a.policy_version == version
                    && a.expires_at.is_none_or(|t| t > now)
            }) {
                return Err(ApiError::conflict(
                    ReasonCode::AlreadyDecided,
                    format!(
                        "you already made this decision for {env} on this version at {}; it still stands",
                        fmt_utc(same.at)
                    ),
                )
                .with("environment", &env)
                .with("at", same.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
            }
            let expires_at = max_age(&policy, &f, &env).map(|h| now + Duration::hours(i64::from(h)));
            // Judge the decision as if it were recorded: refuse it if it could not count.
            f.approvals.push(ApprovalFact {
                event_id: "pending".into(),
                by: me.clone(),
                environment: env.clone(),
                decision,
                release_digest: digest.clone(),
                policy_version: version,
                at: now,
                expires_at,
                comment: comment.clone(),
            });
            let judged = relm_policy::engine::judge_decision(&policy, &f, &env, now, &me, lang);
            if let Some(refused) = judged.filter(|j| !j.valid) {
                let reason = refused.reason;
                return Err(ApiError::refused(
                    ErrorCode::Unauthorized,
                    Reason::new(
                        ReasonCode::DecisionWouldNotCount,
                        format!("your decision would not count: {reason}"),
                    )
                    .with("reason", reason),
                ));
            }
            Ok(vec![EventBody::ApprovalRecorded {
                release_id: ReleaseId(id.clone()),
                environment: env,
                decision,
                release_digest: digest,
                policy_version: version,
                expires_at: expires_at.map(fmt_utc),
                comment,
            }])
        })?;
        Ok(id)
    }

    /// Record a deployment of the release (as it is now) to an environment, that ran now:
    /// the short form of [`Relm::record_deployment_full`].
    pub fn record_deployment(
        &mut self,
        release: &str,
        environment: &str,
        outcome: DeployOutcome,
        note: Option<&str>,
    ) -> Result<crate::deployments::Recorded> {
        let now = fmt_utc(self.clock.now());
        self.record_deployment_full(&crate::deployments::DeploymentInput {
            release: release.to_string(),
            environment: environment.to_string(),
            outcome: outcome.as_str().to_string(),
            start: Some(now.clone()),
            end: Some(now),
            note: note.map(String::from),
            ..Default::default()
        })
    }

    /// Record why the release must go out inside a soft freeze (the freeze rule asks for it,
    /// with an extra approval).
    pub fn justify_freeze(
        &mut self,
        release: &str,
        entry: &str,
        justification: &str,
    ) -> Result<()> {
        let id = self.resolve_release(release)?;
        let entry_id = self.resolve_entry(entry)?;
        let row = self.calendar_entry(&entry_id)?;
        if row.entry.level != Some(relm_calendar::Level::Soft) {
            return Err(ApiError::invalid(
                "entry",
                format!(
                    "`{}` is not a soft freeze; only soft freezes can be justified (move the window out of a hard freeze, or take the emergency path)",
                    row.entry.name
                ),
            ));
        }
        let justification = justification.trim().to_string();
        if justification.chars().count() < 10 {
            return Err(DomainError::problem(
                "reason",
                ProblemCode::TooShort,
                "write the justification out (at least 10 characters): why this cannot wait",
            )
            .with("min", 10)
            .into());
        }
        self.emit(|_| {
            Ok(vec![EventBody::FreezeJustified {
                release_id: ReleaseId(id.clone()),
                entry_id: relm_domain::ids::CalendarEntryId(entry_id.clone()),
                justification,
            }])
        })?;
        Ok(())
    }

    /// Record that the rollback plan was rehearsed.
    pub fn record_rehearsal(
        &mut self,
        release: &str,
        note: &str,
        link: Option<&str>,
    ) -> Result<()> {
        let id = self.resolve_release(release)?;
        let note = note.trim().to_string();
        if note.is_empty() {
            return Err(DomainError::problem(
                "note",
                ProblemCode::Required,
                "say how it went: --note TEXT",
            )
            .into());
        }
        let link = link
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from);
        self.emit(|_| {
            Ok(vec![EventBody::RollbackRehearsed {
                release_id: ReleaseId(id.clone()),
                note,
                link,
                environment: None,
                result: None,
                evidence_digest: None,
            }])
        })?;
        Ok(())
    }

    /// Break-glass: declare the emergency path for an emergency release, naming the approver
    /// who must confirm it afterwards.
    pub fn declare_emergency(
        &mut self,
        release: &str,
        reason: &str,
        incident: &str,
        approver: &str,
    ) -> Result<()> {
        let id = self.resolve_release(release)?;
        let me = self.me()?;
        let (reason, incident) = (reason.trim().to_string(), incident.trim().to_string());
        // Both said at once, each beside its field.
        let mut problems = Problems::default();
        if reason.is_empty() {
            problems.add(DomainError::problem(
                "reason",
                ProblemCode::Required,
                "say why it cannot wait: --reason TEXT",
            ));
        }
        if incident.is_empty() {
            problems.add(DomainError::problem(
                "incident",
                ProblemCode::Required,
                "name the incident: --incident INC-123",
            ));
        }
        problems.done()?;
        let key = self.resolve_member(approver)?;
        let now = self.clock.now();
        self.emit(|tx| {
            let f = facts(tx, &id, now, &in_force(tx)?.0)?;
            if f.fields.change_type != ChangeType::Emergency {
                return Err(ApiError::conflict(
                    ReasonCode::NotEmergency,
                    format!(
                        "the release is a {} change; make it an emergency first: `relm release update {id} --type emergency`",
                        f.fields.change_type
                    ),
                )
                .with("change_type", f.fields.change_type)
                .with("release", &id));
            }
            let person = f.person(&key);
            if !person.is_some_and(|p| p.active && p.roles.contains(&Role::Approver)) {
                return Err(ApiError::invalid(
                    "approver",
                    format!("{} does not hold the approver role", f.name(&key)),
                ));
            }
            if key == me || key == f.fields.owner {
                return Err(ApiError::invalid(
                    "approver",
                    "the approver must be someone other than you and the release's owner",
                ));
            }
            Ok(vec![EventBody::EmergencyDeclared {
                release_id: ReleaseId(id.clone()),
                reason,
                incident,
                approver: key,
            }])
        })?;
        Ok(())
    }

    /// Judge every release under a draft policy and under the one in force, now, and list the
    /// verdicts that would change. Nothing is recorded.
    pub fn simulate_policy(
        &self,
        source: &str,
        file: &str,
        style: impl Into<Style>,
    ) -> Result<Simulation> {
        let style: Style = style.into();
        self.workspace_id()?;
        let draft = Policy::parse_new(source).map_err(|e| policy_error(e, file))?;
        let conn = self.store.conn();
        let (current, version) = in_force(conn)?;
        let at = self.clock.now();
        // The draft may look at lower-scored linked risks than the policy in force.
        let mut shared = governance::shared(conn, at, &current)?;
        shared.linked_from = shared.linked_from.min(draft.linked_risk_floor());
        // Read every release first (one connection), then judge them on every core.
        let all = governance::facts_of(conn, governance::release_ids(conn)?, &shared)?;
        let checked = all.iter().map(|f| f.fields.environments.len() as u32).sum();
        let mut changed: Vec<SimulatedChange> = all
            .par_iter()
            .flat_map_iter(|f| {
                let (current, draft) = (&current, &draft);
                f.fields.environments.iter().filter_map(move |env| {
                    // Unworded: only the changes are worded.
                    let before = relm_policy::judge(current, version, f, env, at).outcome();
                    let after = relm_policy::judge(draft, version + 1, f, env, at);
                    (before != after.outcome()).then(|| SimulatedChange {
                        release_id: f.release_id.0.clone(),
                        service: f.fields.service.clone(),
                        version: f.fields.version.clone(),
                        environment: env.clone(),
                        before,
                        after: after.outcome(),
                        reasons: after
                            .findings()
                            .filter(|l| {
                                matches!(
                                    l.status,
                                    relm_policy::LineStatus::Fail | relm_policy::LineStatus::Warn
                                )
                            })
                            .map(|l| format!("{}: {}", l.rule, l.reason(style)))
                            .collect(),
                    })
                })
            })
            .collect();
        changed
            .sort_by(|a, b| (&a.release_id, &a.environment).cmp(&(&b.release_id, &b.environment)));
        Ok(Simulation {
            current_version: version,
            at: fmt_utc(at),
            checked,
            changed,
        })
    }

    /// Releases in flight whose verdict waits for a decision this member could give.
    ///
    /// Judged at the first time it is asked in each minute, and kept for the rest of that
    /// minute while the store stays the same: the dashboard asks at each visit, and a list of
    /// what waits is read as of a time shown to the minute. Any change of the store (a decision
    /// given here or synced in) is seen at the next ask.
    pub fn pending_my_decision(&self, style: impl Into<Style>) -> Result<Vec<PendingDecision>> {
        let style: Style = style.into();
        self.workspace_id()?;
        let now = self.clock.now();
        let minute = now.timestamp().div_euclid(60);
        self.pending_kept
            .get(&self.store, (style, minute), || self.pending_at(style, now))
    }

    /// [`Relm::pending_my_decision`] judged at `now`.
    fn pending_at(&self, style: Style, now: DateTime<Utc>) -> Result<Vec<PendingDecision>> {
        let me = self.me()?;
        let _snapshot = self.store.snapshot()?;
        let conn = self.store.conn();
        let (policy, version) = in_force(conn)?;
        let shared = governance::shared(conn, now, &policy)?;
        if !shared.people.get(&me).is_some_and(|p| p.active) {
            return Ok(Vec::new());
        }
        // Read every release first (one connection), then judge them on every core. What does
        // not depend on the instant is kept while the store stays the same.
        let own = self.in_flight.get(&self.store, shared.sbom, || {
            let ids = governance::release_ids_in_flight(conn)?;
            Ok(std::sync::Arc::new(governance::own_facts_of(
                conn,
                ids,
                shared.sbom,
            )?))
        })?;
        let all = governance::facts_at(conn, own.iter().cloned().collect(), &shared)?;
        let mut out: Vec<PendingDecision> = all
            .into_par_iter()
            .flat_map_iter(|f| waiting_for(&policy, version, f, &me, now, style))
            .collect();
        out.sort_by(|a, b| {
            (a.window_start.is_none(), &a.window_start, &a.release_id).cmp(&(
                b.window_start.is_none(),
                &b.window_start,
                &b.release_id,
            ))
        });
        Ok(out)
    }
}

/// The decisions `me` could give on the release `f` describes, by environment: those its
/// verdict waits for and that would count.
fn waiting_for(
    policy: &Policy,
    version: u32,
    mut f: Facts,
    me: &KeyId,
    now: DateTime<Utc>,
    style: Style,
) -> Vec<PendingDecision> {
    let mut out = Vec::new();
    let envs = f.fields.environments.clone();
    // The risk is assessed once: for the verdicts, and for whether a decision of mine counts.
    let risk = relm_policy::AssessedRisk::of(policy, &f);
    // Unworded: only the line that waits is worded, for the few releases listed.
    let verdicts = relm_policy::judge_each_assessed(
        policy,
        version,
        &f,
        &risk,
        envs.iter().map(String::as_str),
        now,
    );
    for (env, verdict) in envs.into_iter().zip(verdicts) {
        // Before deployment, approvals and escalations wait for decisions; once it has
        // started, only an emergency's after-the-fact approval does.
        let submitted = matches!(f.status, ReleaseStatus::Planned | ReleaseStatus::Approved);
        let kinds: &[&str] = if submitted {
            &["approvals", "escalation", "emergency"]
        } else {
            &["emergency"]
        };
        let waiting = verdict.findings().find(|l| {
            kinds.contains(&l.kind)
                && matches!(
                    l.status,
                    relm_policy::LineStatus::Fail | relm_policy::LineStatus::Warn
                )
        });
        let Some(waiting) = waiting else { continue };
        // Only the approver an emergency names can confirm it.
        if waiting.kind == "emergency" && f.emergency.as_ref().is_some_and(|e| e.approver != *me) {
            continue;
        }
        if verdict
            .approvals()
            .iter()
            .any(|a| a.fact.by == *me && a.counts)
        {
            continue;
        }
        // Would an approval from me count?
        f.approvals.push(ApprovalFact {
            event_id: "pending".into(),
            by: me.clone(),
            environment: env.clone(),
            decision: Decision::Approve,
            release_digest: verdict.release_digest().to_string(),
            policy_version: version,
            at: now,
            expires_at: None,
            comment: String::new(),
        });
        let mine =
            relm_policy::engine::judge_decision_assessed(policy, &f, &risk, &env, now, me, style);
        f.approvals.pop();
        if mine.is_some_and(|j| j.valid) {
            out.push(PendingDecision {
                release_id: f.release_id.0.clone(),
                service: f.fields.service.clone(),
                version: f.fields.version.clone(),
                title: f.fields.title.clone(),
                environment: env.clone(),
                window_start: f.fields.window.as_ref().map(|w| fmt_utc(w.start)),
                window_local: f
                    .fields
                    .window
                    .as_ref()
                    .map(|w| format!("{} ({})", w.local_start(), w.tz)),
                reason: waiting.reason(style),
            });
        }
    }
    out
}

/// The approval lifetime the policy gives for this release and environment, if any.
fn max_age(policy: &Policy, f: &Facts, env: &str) -> Option<u32> {
    let tier = policy.environment(env).map(|e| e.tier);
    policy
        .rules
        .iter()
        .filter(|r| {
            r.spec
                .when()
                .misses(env, tier, f.fields.change_type, f.fields.risk)
                .is_none()
        })
        .filter_map(|r| match &r.spec {
            RuleSpec::Approvals(a) => a.max_age_hours,
            RuleSpec::Escalation(e) => e.max_age_hours,
            _ => None,
        })
        .min()
}

fn summary(
    p: &PolicyVersion,
    people: &std::collections::BTreeMap<KeyId, relm_policy::facts::Person>,
) -> PolicySummary {
    let parsed = Policy::parse(&p.source).ok();
    PolicySummary {
        version: p.version,
        name: parsed
            .as_ref()
            .map(|x| x.header.name.clone())
            .unwrap_or_default(),
        note: p.note.clone(),
        applied_at: p.applied_at.clone(),
        applied_by: p.applied_by.clone(),
        applied_by_name: people
            .get(&KeyId(p.applied_by.clone()))
            .map(|x| x.name.clone())
            .unwrap_or_else(|| p.applied_by.clone()),
        rules: parsed
            .map(|x| (x.rules.len() + x.rego.len()) as u32)
            .unwrap_or_default(),
    }
}
