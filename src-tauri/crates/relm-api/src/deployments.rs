//! Deployments and rollback readiness: record what ran (with its deviations), list it, write
//! and rehearse the rollback plan, and record a rollback.

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use relm_domain::ids::ReleaseId;
use relm_domain::limits::{DEPLOYMENT_SKEW_MINUTES, MAX_SHORT, MAX_TEXT};
use relm_domain::payload::{EventBody, Outcome, RehearsalResult, RollbackPlan};
use relm_domain::release::ReleaseStatus;
use relm_domain::text::{self, Lines};
use relm_domain::window::fmt_utc;
use relm_domain::{DomainError, ProblemCode, Problems, ReasonCode};
use relm_policy::deviation::Deviation;
use relm_policy::facts::Readiness;
use relm_store::projection::deployments::{
    self as store, DeploymentFilter, DeploymentRecord, PlanRecord, RehearsalRecord, RollbackRecord,
};
use serde::Serialize;

use crate::error::{ApiError, Result};
use crate::gates::{facts, in_force};
use crate::session::Relm;

/// A deployment as a person (or a tool) reports it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct DeploymentInput {
    pub release: String,
    pub environment: String,
    /// succeeded, failed, rolled_back or partial.
    pub outcome: String,
    /// RFC 3339.
    pub start: Option<String>,
    /// RFC 3339.
    pub end: Option<String>,
    /// The zone of `start` and `end` when they are wall-clock times (`2027-03-19T18:00`);
    /// without it they must be RFC 3339.
    pub tz: Option<String>,
    pub tool: Option<String>,
    pub link: Option<String>,
    /// `TOOL:ID` in the tool that ran it.
    pub external_ref: Option<String>,
    pub note: Option<String>,
}

/// A deviation and its reason in English.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviationView {
    pub kind: String,
    pub reason: String,
    pub detail: Deviation,
}

impl From<&Deviation> for DeviationView {
    fn from(d: &Deviation) -> Self {
        DeviationView {
            kind: d.kind().into(),
            reason: d.reason(),
            detail: d.clone(),
        }
    }
}

/// A deployment with its deviations worded and the recorder's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeploymentView {
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub record: DeploymentRecord,
    pub deviation_reasons: Vec<DeviationView>,
    pub recorded_by_name: String,
}

/// What recording a deployment did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Recorded {
    pub id: String,
    pub deviations: Vec<DeviationView>,
    /// The same deployment was recorded before under its reference: nothing was stored.
    pub existing: bool,
    /// The release's status after it.
    pub status: ReleaseStatus,
}

/// Which deployments to list (all optional).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct DeploymentQuery {
    pub release: Option<String>,
    pub service: Option<String>,
    pub environment: Option<String>,
    /// Any of these environments, each with the names the policy gives it as aliases (the
    /// environments of `relm metrics`).
    pub environments: Option<Vec<String>>,
    /// The environments `relm metrics` measures instead (`environment` when given, else the
    /// policy's production ones), each with its aliases: the deployments its figures count,
    /// asked for beside them rather than after.
    pub measured: Option<bool>,
    /// A date (`YYYY-MM-DD`, from its start, UTC) or an RFC 3339 time.
    pub from: Option<String>,
    /// A date (`YYYY-MM-DD`, to its end, UTC) or an RFC 3339 time.
    pub to: Option<String>,
    /// The latest this many at most (newest first).
    pub limit: Option<u32>,
}

/// A rollback plan as a person writes it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct PlanInput {
    pub previous_version: String,
    pub steps: String,
    /// Whether the data changes can be undone (yes by default).
    pub reversible: Option<bool>,
    pub forward_fix: Option<String>,
    pub feature_flags: Option<Vec<String>>,
    pub duration_minutes: Option<u32>,
    /// A member's key id, fingerprint or e-mail.
    pub decider: Option<String>,
}

/// A release's rollback readiness: the plan, its rehearsals, the rollbacks recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollbackView {
    pub release_id: String,
    pub readiness: Readiness,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanRecord>,
    /// The decider's name, when the plan names one.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decider_name: Option<String>,
    /// The release's free-text rollback plan (it counts as a plan when no structured one is).
    pub plan_text: String,
    pub rehearsals: Vec<RehearsalRecord>,
    pub rollbacks: Vec<RollbackRecord>,
}

/// A time from a form: RFC 3339, or a wall-clock time in the form's zone.
fn instant_in(
    field: &'static str,
    s: &str,
    tz: Option<&str>,
) -> std::result::Result<DateTime<Utc>, DomainError> {
    match tz.map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => {
            relm_domain::window::parse_instant(field, s, relm_domain::window::parse_zone(z)?)
        }
        None => instant(field, s),
    }
}

/// A time given on the command line: RFC 3339.
fn instant(field: &str, s: &str) -> std::result::Result<DateTime<Utc>, DomainError> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            DomainError::problem(
                field,
                ProblemCode::BadTime,
                format!(
                    "`{}` is not an RFC 3339 time; use e.g. 2027-03-19T18:00:00Z",
                    s.trim()
                ),
            )
            .with("value", s.trim())
        })
}

/// A period's bounds, each open when absent; the end is exclusive.
pub(crate) type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The bounds of a period: a date means its whole day (UTC), a time that instant.
pub(crate) fn period_bounds(from: Option<&str>, to: Option<&str>) -> Result<Bounds> {
    let mut problems = Problems::default();
    let bound =
        |field: &str, s: &str, end: bool| -> std::result::Result<DateTime<Utc>, DomainError> {
            if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                let day = if end { d.succ_opt().unwrap_or(d) } else { d };
                return Ok(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
            }
            instant(field, s).map_err(|_| {
                DomainError::problem(
                    field,
                    ProblemCode::BadTime,
                    format!(
                        "`{}` is neither a date (2027-03-19) nor an RFC 3339 time",
                        s.trim()
                    ),
                )
                .with("value", s.trim())
            })
        };
    let from = from
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| problems.check(bound("from", s, false)));
    let to = to
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| problems.check(bound("to", s, true)));
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        problems.add(DomainError::problem(
            "to",
            ProblemCode::EndBeforeStart,
            "the period ends before it starts",
        ));
    }
    problems.done()?;
    Ok((from, to))
}

fn optional(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn check_link(field: &str, link: &str) -> std::result::Result<(), DomainError> {
    text::check_text(field, link, Lines::One, 2_000)?;
    if link.starts_with("https://") || link.starts_with("http://") {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!("`{link}` is not a web link; give an https:// address"),
        ))
    }
}

/// The SHA-256 of an evidence file, as `sha256:HEX`. Only a regular file is read (a FIFO or
/// a device would never end).
pub fn file_digest(path: &Path) -> std::result::Result<String, DomainError> {
    use sha2::{Digest, Sha256};
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| crate::files::unreadable("evidence", &shown, &e);
    let meta = std::fs::metadata(path).map_err(&unreadable)?;
    if !meta.is_file() {
        return Err(crate::files::bad_file(
            "evidence",
            &shown,
            "not_regular",
            format!("{shown} is not a regular file; give a file or an https:// link"),
        ));
    }
    let mut file = std::fs::File::open(path).map_err(&unreadable)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(&unreadable)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

impl Relm {
    /// Record a deployment of a release to an environment. A second record under the same
    /// external reference is the same deployment: nothing is stored and the first is given
    /// back (`existing`), unless it says something else, which is refused.
    pub fn record_deployment_full(&mut self, input: &DeploymentInput) -> Result<Recorded> {
        let mut problems = Problems::default();
        let env = input.environment.trim().to_string();
        problems.check(text::check_name("environment", &env));
        let outcome = problems.check(input.outcome.parse::<Outcome>());
        let now = self.clock.now();
        let tz = input.tz.as_deref();
        let start = optional(input.start.as_deref())
            .and_then(|s| problems.check(instant_in("start", &s, tz)));
        let end =
            optional(input.end.as_deref()).and_then(|s| problems.check(instant_in("end", &s, tz)));
        for (field, given, t) in [("start", &input.start, start), ("end", &input.end, end)] {
            if optional(given.as_deref()).is_none() {
                problems.add(DomainError::problem(
                    field,
                    ProblemCode::Required,
                    format!(
                        "say when it {}: --{field} 2027-03-19T18:00:00Z",
                        if field == "start" { "started" } else { "ended" }
                    ),
                ));
            } else if let Some(t) = t
                && t > now + Duration::minutes(DEPLOYMENT_SKEW_MINUTES)
            {
                problems.add(
                    DomainError::problem(
                        field,
                        ProblemCode::Future,
                        format!(
                            "{} is later than now; record a deployment once it has run",
                            fmt_utc(t)
                        ),
                    )
                    .with("value", fmt_utc(t)),
                );
            }
        }
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            problems.add(DomainError::problem(
                "end",
                ProblemCode::EndBeforeStart,
                format!("it ends ({}) before it starts ({})", fmt_utc(e), fmt_utc(s)),
            ));
        }
        let tool = optional(input.tool.as_deref()).unwrap_or_default();
        problems.check(text::check_text("tool", &tool, Lines::One, MAX_SHORT));
        let link = optional(input.link.as_deref());
        if let Some(l) = &link {
            problems.check(check_link("link", l));
        }
        let external_ref = optional(input.external_ref.as_deref());
        if let Some(r) = &external_ref {
            let ok = r
                .split_once(':')
                .is_some_and(|(t, id)| !t.trim().is_empty() && !id.trim().is_empty());
            if !ok {
                problems.add(
                    DomainError::problem(
                        "external_ref",
                        ProblemCode::Other,
                        format!("`{r}` is not TOOL:ID (e.g. github:123456789)"),
                    )
                    .with("value", r),
                );
            } else {
                problems.check(text::check_text("external_ref", r, Lines::One, MAX_SHORT));
            }
        }
        let note = optional(input.note.as_deref()).unwrap_or_default();
        problems.check(text::check_text("note", &note, Lines::Many, MAX_TEXT));
        let id = self.resolve_release(&input.release)?;
        problems.done()?;
        let (Some(outcome), Some(start), Some(end)) = (outcome, start, end) else {
            return Err(ApiError::validation("the deployment is incomplete"));
        };
        if let Some(r) = &external_ref
            && let Some(first) = store::by_ref(self.store.conn(), r)?
        {
            let d = store::get(self.store.conn(), &first)?
                .ok_or_else(|| ApiError::validation("the reference vanished"))?;
            let same = d.release_id == id
                && d.environment == env
                && d.recorded_outcome == outcome
                && d.started_at == fmt_utc(start)
                && d.ended_at == fmt_utc(end);
            if !same {
                return Err(ApiError::conflict(
                    ReasonCode::RefTaken,
                    format!(
                        "`{r}` was recorded already as deployment {first} ({} {} to {}, {}, ended {}); a reference names one deployment",
                        d.service, d.version, d.environment, d.recorded_outcome.as_str(), d.ended_at
                    ),
                )
                .with("ref", r)
                .with("id", &first));
            }
            return Ok(Recorded {
                id: first,
                deviations: d.deviations.iter().map(DeviationView::from).collect(),
                existing: true,
                status: self.release(&id)?.status,
            });
        }
        let events = self.emit(|tx| {
            let (policy, _) = in_force(tx)?;
            let f = facts(tx, &id, now, &policy)?;
            targeted(&policy, &f.fields.environments, &env)?;
            Ok(vec![EventBody::DeploymentRecorded {
                release_id: ReleaseId(id.clone()),
                environment: env.clone(),
                outcome,
                release_digest: f.fields.governed_digest(&f.release_id),
                note,
                started_at: Some(fmt_utc(start)),
                ended_at: Some(fmt_utc(end)),
                tool,
                link,
                external_ref,
            }])
        })?;
        let event = events
            .first()
            .map(|e| e.envelope.id.0.clone())
            .unwrap_or_default();
        let d = store::get(self.store.conn(), &event)?
            .ok_or_else(|| ApiError::validation("the deployment was not recorded"))?;
        Ok(Recorded {
            id: event,
            deviations: d.deviations.iter().map(DeviationView::from).collect(),
            existing: false,
            status: self.release(&id)?.status,
        })
    }

    /// Deployments, latest end first. Those behind the metrics (`measured`) are kept while the
    /// store stays the same, like the figures beside them: the question names its period, so
    /// no clock changes the answer.
    pub fn deployments(&self, q: &DeploymentQuery) -> Result<Vec<DeploymentView>> {
        if q.measured == Some(true) {
            return self
                .measured_kept
                .get(&self.store, q.clone(), || self.read_deployments(q));
        }
        self.read_deployments(q)
    }

    fn read_deployments(&self, q: &DeploymentQuery) -> Result<Vec<DeploymentView>> {
        let release = optional(q.release.as_deref())
            .map(|r| self.resolve_release(&r))
            .transpose()?;
        let (from, to) = period_bounds(q.from.as_deref(), q.to.as_deref())?;
        let conn = self.store.conn();
        let measured = q.measured == Some(true);
        // The policy in force, read once: it names the environments measured and the aliases.
        let policy = if measured || q.environments.is_some() {
            Some(in_force(conn)?.0)
        } else {
            None
        };
        let (environment, environments) = match &policy {
            Some(policy) if measured => (
                None,
                Some(crate::metrics::measured(policy, q.environment.as_deref())),
            ),
            _ => (q.environment.as_deref(), q.environments.clone()),
        };
        let environments = match (environments, &policy) {
            (Some(names), Some(policy)) => {
                let all = crate::metrics::with_aliases(
                    policy,
                    names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()),
                );
                if all.is_empty() {
                    // Asked for none of them.
                    return Ok(Vec::new());
                }
                all
            }
            _ => Vec::new(),
        };
        let filter = DeploymentFilter {
            release,
            service: optional(q.service.as_deref()),
            environment: optional(environment),
            environments,
            ended_from: from.map(|t| t.timestamp_millis()),
            ended_to: to.map(|t| t.timestamp_millis()),
            limit: q.limit,
        };
        let people = relm_store::projection::governance::people(conn)?;
        let name = |k: &str| {
            people
                .get(&relm_domain::keys::KeyId(k.to_string()))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| k.to_string())
        };
        Ok(store::list(conn, &filter)?
            .into_iter()
            .map(|record| DeploymentView {
                deviation_reasons: record.deviations.iter().map(DeviationView::from).collect(),
                recorded_by_name: name(&record.recorded_by),
                record,
            })
            .collect())
    }

    /// Write (or replace) the release's rollback plan.
    pub fn plan_rollback(&mut self, release: &str, input: &PlanInput) -> Result<RollbackView> {
        let id = self.resolve_release(release)?;
        let mut problems = Problems::default();
        let previous_version = input.previous_version.trim().to_string();
        if previous_version.is_empty() {
            problems.add(DomainError::problem(
                "previous_version",
                ProblemCode::Required,
                "name the version to go back to: --previous-version 1.3.2",
            ));
        } else {
            problems.check(text::check_text(
                "previous_version",
                &previous_version,
                Lines::One,
                MAX_SHORT,
            ));
        }
        let steps = input.steps.trim().to_string();
        if steps.is_empty() {
            problems.add(DomainError::problem(
                "steps",
                ProblemCode::Required,
                "say what to do to roll back: --steps TEXT",
            ));
        } else {
            problems.check(text::check_text("steps", &steps, Lines::Many, MAX_TEXT));
        }
        let reversible = input.reversible.unwrap_or(true);
        let forward_fix = optional(input.forward_fix.as_deref()).unwrap_or_default();
        if !reversible && forward_fix.is_empty() {
            problems.add(DomainError::problem(
                "forward_fix",
                ProblemCode::Required,
                "the data changes cannot be undone: say how the data is repaired going forward (--forward-fix TEXT)",
            ));
        }
        problems.check(text::check_text(
            "forward_fix",
            &forward_fix,
            Lines::Many,
            MAX_TEXT,
        ));
        let feature_flags: Vec<String> = input
            .feature_flags
            .iter()
            .flatten()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        for f in &feature_flags {
            problems.check(text::check_text("feature_flags", f, Lines::One, MAX_SHORT));
        }
        if let Some(d) = input.duration_minutes
            && !(1..=7 * 24 * 60).contains(&d)
        {
            problems.add(
                DomainError::problem(
                    "duration_minutes",
                    ProblemCode::OutOfRange,
                    format!(
                        "{d} minutes: give the expected duration from 1 minute to 7 days (10080)"
                    ),
                )
                .with("min", 1)
                .with("max", 10080),
            );
        }
        let decider = match optional(input.decider.as_deref()) {
            Some(who) => match self.resolve_member(&who) {
                Ok(k) => Some(k),
                Err(e) => {
                    problems.add(
                        DomainError::problem("decider", ProblemCode::UnknownMember, e.to_string())
                            .with("value", &who),
                    );
                    None
                }
            },
            None => None,
        };
        problems.done()?;
        let plan = RollbackPlan {
            previous_version,
            steps,
            reversible,
            forward_fix,
            feature_flags,
            duration_minutes: input.duration_minutes,
            decider,
        };
        self.emit(|_| {
            Ok(vec![EventBody::RollbackPlanned {
                release_id: ReleaseId(id.clone()),
                plan,
            }])
        })?;
        self.rollback(&id)
    }

    /// Record a rehearsal of the rollback plan in an environment. `evidence` is an https://
    /// link or a file, whose SHA-256 is kept.
    pub fn rehearse_rollback(
        &mut self,
        release: &str,
        environment: &str,
        result: &str,
        evidence: Option<&str>,
        note: Option<&str>,
    ) -> Result<RollbackView> {
        let id = self.resolve_release(release)?;
        let mut problems = Problems::default();
        let env = environment.trim().to_string();
        problems.check(text::check_name("environment", &env));
        let result = problems.check(result.parse::<RehearsalResult>());
        let note = optional(note).unwrap_or_default();
        problems.check(text::check_text("note", &note, Lines::Many, MAX_TEXT));
        let (mut link, mut digest) = (None, None);
        match optional(evidence) {
            Some(e) if e.starts_with("https://") || e.starts_with("http://") => {
                problems.check(check_link("evidence", &e));
                link = Some(e);
            }
            Some(e) if e.starts_with("sha256:") => {
                let hex = &e["sha256:".len()..];
                if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    digest = Some(e.to_lowercase());
                } else {
                    problems.add(
                        DomainError::problem(
                            "evidence",
                            ProblemCode::BadDigest,
                            format!("`{e}` is not sha256: and 64 hex digits"),
                        )
                        .with("value", &e),
                    );
                }
            }
            Some(e) => match file_digest(Path::new(&e)) {
                Ok(d) => digest = Some(d),
                Err(err) => problems.add(err),
            },
            None => {}
        }
        if problems.is_empty() {
            let (policy, _) = in_force(self.store.conn())?;
            let f = facts(self.store.conn(), &id, self.clock.now(), &policy)?;
            if policy.environment(&env).is_none() && !f.fields.environments.contains(&env) {
                problems.add(DomainError::invalid(
                    "environment",
                    format!(
                        "`{env}` is neither an environment of the policy ({}) nor one the release targets",
                        policy.order().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        problems.done()?;
        let result = result.unwrap_or(RehearsalResult::Passed);
        self.emit(|_| {
            Ok(vec![EventBody::RollbackRehearsed {
                release_id: ReleaseId(id.clone()),
                note,
                link,
                environment: Some(env),
                result: Some(result),
                evidence_digest: digest,
            }])
        })?;
        self.rollback(&id)
    }

    /// Record a rollback of the release in an environment, to a version, undoing a deployment
    /// (the latest to that environment when none is named). It is linked to the plan in force.
    pub fn record_rollback(
        &mut self,
        release: &str,
        environment: &str,
        to_version: &str,
        reason: &str,
        deployment: Option<&str>,
    ) -> Result<RollbackView> {
        let id = self.resolve_release(release)?;
        let mut problems = Problems::default();
        let env = environment.trim().to_string();
        problems.check(text::check_name("environment", &env));
        let to_version = to_version.trim().to_string();
        if to_version.is_empty() {
            problems.add(DomainError::problem(
                "to_version",
                ProblemCode::Required,
                "name the version it went back to: --to-version 1.3.2",
            ));
        }
        problems.check(text::check_text(
            "to_version",
            &to_version,
            Lines::One,
            MAX_SHORT,
        ));
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            problems.add(DomainError::problem(
                "reason",
                ProblemCode::Required,
                "say why it was rolled back: --reason TEXT",
            ));
        }
        problems.check(text::check_text("reason", &reason, Lines::Many, MAX_TEXT));
        problems.done()?;
        let conn = self.store.conn();
        let undone = match optional(deployment) {
            Some(d) => {
                let all = store::list(
                    conn,
                    &DeploymentFilter {
                        release: Some(id.clone()),
                        environment: Some(env.clone()),
                        ..Default::default()
                    },
                )?;
                let found: Vec<_> = all.iter().filter(|r| r.id.starts_with(&d)).collect();
                match found.as_slice() {
                    [one] => Some(one.id.clone()),
                    _ => {
                        return Err(ApiError::missing(
                            ReasonCode::NoDeployment,
                            format!(
                                "{id} has no deployment `{d}` to {env}; see `relm deploy list --release {id}`"
                            ),
                        )
                        .with("release", &id)
                        .with("environment", &env)
                        .with("deployment", &d));
                    }
                }
            }
            None => match store::latest_deployment(conn, &id, &env)? {
                Some(d) => Some(d),
                None => {
                    return Err(ApiError::missing(
                        ReasonCode::NoDeployment,
                        format!(
                            "{id} has no deployment to {env} to roll back; record it first: `relm deploy record {id} --env {env} ...`"
                        ),
                    )
                    .with("release", &id)
                    .with("environment", &env));
                }
            },
        };
        self.emit(|_| {
            Ok(vec![EventBody::RollbackRecorded {
                release_id: ReleaseId(id.clone()),
                environment: env,
                to_version,
                reason,
                deployment: undone,
            }])
        })?;
        self.rollback(&id)
    }

    /// The release's rollback plan, rehearsals, rollbacks and readiness now.
    pub fn rollback(&self, release: &str) -> Result<RollbackView> {
        let id = self.resolve_release(release)?;
        let conn = self.store.conn();
        let (policy, _) = in_force(conn)?;
        let f = facts(conn, &id, self.clock.now(), &policy)?;
        let (plan, rehearsals, rollbacks) = store::rollback_records(conn, &id)?;
        let decider_name = plan
            .as_ref()
            .and_then(|p| p.plan.decider.as_ref())
            .map(|k| f.name(k));
        Ok(RollbackView {
            release_id: id,
            readiness: f.readiness(self.clock.now()),
            plan,
            decider_name,
            plan_text: f.fields.rollback_plan.clone(),
            rehearsals,
            rollbacks,
        })
    }
}

/// The release targets `env` (by name or alias), or the error that lists what it targets.
pub(crate) fn targeted(
    policy: &relm_policy::Policy,
    environments: &[String],
    env: &str,
) -> Result<()> {
    if policy.targets(environments, env) {
        return Ok(());
    }
    Err(ApiError::invalid(
        "environment",
        format!(
            "the release does not target `{env}` (it targets {})",
            environments.join(", ")
        ),
    ))
}
