//! The demo's past, signed when it happened: every past release's steps (created, submitted,
//! tested in dev and staging, rehearsed, approved, deployed, failed, rolled back, reviewed) are
//! put on one timeline and replayed in time order under a clock that walks through them. So
//! approvals come before the deployments they allowed, and the deviations every replica
//! computes are the ones the story tells (a deployment after its window, one that skipped
//! staging), not artefacts of seeding.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use relm_domain::clock::Clock;
use relm_domain::ids::{ActionId, ReleaseId};
use relm_domain::payload::{Decision, EventBody, Outcome, RehearsalResult, RollbackPlan};
use relm_domain::release::{ChangeType, ReleaseFields, ReleaseStatus, RiskLevel};
use relm_domain::review::{ReviewOutcome, ReviewPatch};
use relm_identity::SecretKey;
use relm_policy::Lang;
use relm_store::projection::releases;

use crate::error::{ApiError, ErrorCode, Result};
use crate::session::{Relm, random};

/// A clock that reads a set instant while the demo replays the past, and the real clock after.
/// It never goes back: setting an earlier instant keeps the later one.
#[derive(Debug)]
pub(super) struct Walk {
    real: Arc<dyn Clock>,
    at: Mutex<Option<DateTime<Utc>>>,
}

impl Walk {
    pub(super) fn new(real: Arc<dyn Clock>) -> Walk {
        Walk {
            real,
            at: Mutex::new(None),
        }
    }

    pub(super) fn go(&self, t: DateTime<Utc>) {
        if let Ok(mut at) = self.at.lock() {
            *at = Some(at.map_or(t, |a| a.max(t)));
        }
    }

    /// Back to the real clock.
    pub(super) fn stop(&self) {
        if let Ok(mut at) = self.at.lock() {
            *at = None;
        }
    }
}

impl Clock for Walk {
    fn now(&self) -> DateTime<Utc> {
        self.at
            .lock()
            .ok()
            .and_then(|a| *a)
            .unwrap_or_else(|| self.real.now())
    }
}

enum Act {
    Create(Box<ReleaseFields>),
    Status(ReleaseStatus),
    Deploy {
        env: String,
        outcome: Outcome,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    Plan(String),
    Rehearse(RehearsalResult),
    /// Break-glass, naming the approver (by index) who confirms afterwards.
    Declare(usize),
    Approve,
    /// Back to a version in an environment.
    Rollback(String, String),
    /// The review written: outcome, what went well, what went badly; only when it is
    /// mandatory at that point of the ledger when the last is set.
    Review(ReviewOutcome, &'static str, &'static str, bool),
    /// A sign-off of the review as it stands.
    Sign,
    /// A follow-up action: its id, title, owner (by index) and due date.
    Action(ActionId, &'static str, usize, NaiveDate),
    Done(ActionId),
}

struct Step {
    at: DateTime<Utc>,
    release: usize,
    /// Index in the signers' keys.
    signer: usize,
    act: Act,
}

/// Who signs what, by index in the keys given to [`Timeline::run`].
#[derive(Clone, Copy)]
pub(super) struct Cast {
    pub author: usize,
    /// Moves the release to approved.
    pub authorizer: usize,
    /// Approves for production, and confirms an emergency afterwards (never the author).
    pub approver: usize,
}

/// The past releases' steps, replayed in time order.
#[derive(Default)]
pub(super) struct Timeline {
    releases: Vec<(ReleaseId, String)>,
    steps: Vec<Step>,
    deployments: u32,
}

/// How the story goes for one release, besides its statuses.
#[derive(Clone, Copy, Default)]
pub(super) struct Twists {
    /// Deployed to production an hour after its window closed.
    pub late: bool,
    /// Went to production without going through staging.
    pub skip_staging: bool,
    /// Its first rehearsal failed.
    pub failed_rehearsal: bool,
    /// Nobody wrote a rollback plan.
    pub no_plan: bool,
    /// It failed, and its review and follow-up action are late.
    pub lagging: bool,
}

impl Timeline {
    /// Plan the steps of a release whose window (`fields.window`) is in the past and which went
    /// through `path`, ending no later than `now`.
    pub(super) fn release(
        &mut self,
        fields: ReleaseFields,
        path: &[ReleaseStatus],
        cast: Cast,
        twists: Twists,
        now: DateTime<Utc>,
    ) -> Result<()> {
        use ReleaseStatus::*;
        let Some(w) = fields.window.clone() else {
            return Ok(());
        };
        let (s, e) = (w.start, w.end);
        let created = s - Duration::days(12);
        let id = ReleaseId::generate(created, random::<10>()?);
        let n = self.releases.len();
        self.releases.push((id, fields.service.clone()));
        let envs = fields.environments.clone();
        let last = envs.last().cloned().unwrap_or_default();
        let production = last == "prod";
        // A written plan (when the release's own text has none) and a rehearsal for all but
        // low-risk changes: a disciplined team, with a few lapses the deviations show.
        let plan = fields.rollback_plan.trim().is_empty() && !twists.no_plan;
        let rehearse = fields.risk >= RiskLevel::Medium;
        let previous = previous_version(&fields.version);
        let emergency = fields.change_type == ChangeType::Emergency;
        let mut step = |at: DateTime<Utc>, signer: usize, act: Act| {
            if at <= now {
                self.steps.push(Step {
                    at,
                    release: n,
                    signer,
                    act,
                });
            }
        };
        step(created, cast.author, Act::Create(Box::new(fields)));
        if plan || rehearse {
            step(
                created + Duration::hours(3),
                cast.author,
                Act::Plan(previous.clone()),
            );
        }
        let run = Duration::minutes(20);
        let shift = if twists.late {
            e - s + Duration::hours(1)
        } else {
            Duration::minutes(5)
        };
        let (go, done) = (s + shift, s + shift + run);
        for to in path {
            match to {
                Planned => step(
                    created + Duration::hours(2),
                    cast.author,
                    Act::Status(Planned),
                ),
                Approved => {
                    // Tested in dev and staging, rehearsed when the risk asks, approved.
                    let before = |days: i64| s - Duration::days(days);
                    let mut tested = vec![("dev", before(3))];
                    if production && !twists.skip_staging {
                        tested.push(("staging", before(2)));
                    }
                    for (env, at) in tested.into_iter().filter(|(e, _)| *e != last) {
                        step(
                            at + run,
                            cast.author,
                            Act::Deploy {
                                env: env.into(),
                                outcome: Outcome::Succeeded,
                                start: at,
                                end: at + run,
                            },
                        );
                    }
                    if rehearse {
                        let at = before(2) + Duration::hours(2);
                        if twists.failed_rehearsal {
                            step(
                                at - Duration::hours(1),
                                cast.author,
                                Act::Rehearse(RehearsalResult::Failed),
                            );
                        }
                        step(at, cast.author, Act::Rehearse(RehearsalResult::Passed));
                    }
                    if production {
                        if emergency {
                            step(before(1), cast.author, Act::Declare(cast.approver));
                        }
                        step(before(1) + Duration::hours(1), cast.approver, Act::Approve);
                    }
                    step(
                        before(1) + Duration::hours(2),
                        cast.authorizer,
                        Act::Status(Approved),
                    );
                }
                Deploying => step(s, cast.author, Act::Status(Deploying)),
                Deployed | Failed | RolledBack => {
                    let outcome = if *to == Failed {
                        Outcome::Failed
                    } else {
                        Outcome::Succeeded
                    };
                    step(
                        done,
                        cast.author,
                        Act::Deploy {
                            env: last.clone(),
                            outcome,
                            start: go,
                            end: done,
                        },
                    );
                    if *to == RolledBack {
                        step(
                            done + Duration::minutes(35),
                            cast.author,
                            Act::Rollback(last.clone(), previous.clone()),
                        );
                    }
                }
                // The review moves the release to reviewed once it is signed off.
                Reviewed => {}
                Cancelled => step(s - Duration::days(3), cast.author, Act::Status(Cancelled)),
                Draft => {}
            }
        }
        // The post-release review: mandatory after a failure, a rollback, an emergency or a
        // deviation the story tells; done and signed off for older releases, in draft or not
        // opened for the most recent ones (they show as due or overdue), with follow-up actions.
        let failed = path.contains(&Failed);
        let rolled_back = path.contains(&RolledBack);
        // Staging is skipped and emergencies declared on the way to production only.
        let troubled = failed
            || rolled_back
            || twists.late
            || (production && (twists.skip_staging || emergency));
        let deployed = path
            .iter()
            .any(|p| matches!(p, Deployed | Failed | RolledBack));
        // One recent failure's review lags behind (the dashboard and the service's next
        // release's verdict show it); the others are reviewed within three days.
        let lagging = twists.lagging;
        let settled = e + Duration::days(3) < now && !lagging;
        let (well, badly) = REVIEW_TEXTS[n % REVIEW_TEXTS.len()];
        let outcome = if failed {
            ReviewOutcome::Failed
        } else if rolled_back {
            ReviewOutcome::RolledBack
        } else if troubled {
            ReviewOutcome::SucceededWithIssues
        } else {
            ReviewOutcome::Succeeded
        };
        // Whether the review is mandatory also depends on what the replicas make of the
        // deployments (a deviation the story did not plan): asked when the step runs.
        let signed = deployed && (path.contains(&Reviewed) || settled);
        let drafted = signed || lagging || (deployed && troubled && n.is_multiple_of(2));
        if drafted {
            step(
                e + Duration::days(1),
                cast.author,
                Act::Review(outcome, well, badly, !path.contains(&Reviewed) && !troubled),
            );
        }
        if signed {
            step(e + Duration::days(2), cast.author, Act::Sign);
            step(
                e + Duration::days(2) + Duration::hours(3),
                cast.approver,
                Act::Sign,
            );
        }
        if drafted && (failed || rolled_back) {
            let (title, owner) = ACTIONS[n % ACTIONS.len()];
            let id = ActionId::generate(e + Duration::days(1), random::<10>()?);
            let due = (e + Duration::days(if lagging { 7 } else { 14 })).date_naive();
            step(
                e + Duration::days(1) + Duration::hours(1),
                cast.author,
                Act::Action(id.clone(), title, owner, due),
            );
            // Done, now and then a few days late; the last month's and the lagging service's
            // are still open (late ones among them).
            let late = if n.is_multiple_of(3) { 18 } else { 10 };
            if !lagging && e + Duration::days(30) < now {
                step(e + Duration::days(late), owner, Act::Done(id));
            }
        }
        Ok(())
    }

    /// Sign every step at its time, in time order. Returns how many releases were created.
    pub(super) fn run(
        mut self,
        relm: &mut Relm,
        walk: &Walk,
        keys: &[&SecretKey],
    ) -> Result<usize> {
        // A stable sort: steps at the same instant keep the order they were planned in.
        self.steps.sort_by_key(|s| s.at);
        let key = |i: usize| {
            keys.get(i)
                .copied()
                .ok_or_else(|| ApiError::new(ErrorCode::Internal, "demo signer"))
        };
        for s in std::mem::take(&mut self.steps) {
            walk.go(s.at);
            let (id, service) = self.releases[s.release].clone();
            let signer = key(s.signer)?;
            match s.act {
                Act::Create(fields) => {
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::ReleaseCreated {
                            release_id: id.clone(),
                            fields: *fields,
                        }])
                    })?;
                }
                Act::Status(to) => {
                    let Some(row) = releases::get(relm.store.conn(), &id.0)? else {
                        continue;
                    };
                    if row.status.check_transition(to).is_err() {
                        continue;
                    }
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::ReleaseStatusChanged {
                            release_id: id.clone(),
                            from: row.status,
                            to,
                            note: None,
                            blocked: vec![],
                        }])
                    })?;
                }
                Act::Deploy {
                    env,
                    outcome,
                    start,
                    end,
                } => {
                    self.deployments += 1;
                    let n = 4000 + self.deployments;
                    let production = env == "prod";
                    super::deployed_at(
                        relm,
                        signer,
                        &id,
                        &env,
                        outcome,
                        (start, end),
                        if production {
                            ("Argo CD", format!("argocd:{service}-{n}"))
                        } else {
                            ("GitHub Actions", format!("github:{n}"))
                        },
                    )?;
                }
                Act::Plan(previous) => {
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::RollbackPlanned {
                            release_id: id.clone(),
                            plan: RollbackPlan {
                                previous_version: previous,
                                steps: format!(
                                    "Roll the {service} deployment back to the previous image in Argo CD.\nWatch the error rate for 10 minutes."
                                ),
                                reversible: true,
                                duration_minutes: Some(15),
                                ..Default::default()
                            },
                        }])
                    })?;
                }
                Act::Rehearse(result) => {
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::RollbackRehearsed {
                            release_id: id.clone(),
                            note: match result {
                                RehearsalResult::Passed => "Rolled back in staging in 6 minutes",
                                RehearsalResult::Failed => {
                                    "The previous image was no longer in the registry"
                                }
                            }
                            .into(),
                            link: None,
                            environment: Some("staging".into()),
                            result: Some(result),
                            evidence_digest: None,
                        }])
                    })?;
                }
                Act::Declare(approver) => {
                    let approver = key(approver)?.public().key_id();
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::EmergencyDeclared {
                            release_id: id.clone(),
                            reason: "Card payments failing for one acquirer".into(),
                            incident: format!("INC-{}", 4100 + s.release),
                            approver,
                        }])
                    })?;
                }
                Act::Review(outcome, went_well, went_badly, if_required) => {
                    if if_required
                        && relm_store::projection::reviews::requirement_of(
                            relm.store.conn(),
                            &id.0,
                            5,
                        )?
                        .is_none()
                    {
                        continue;
                    }
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::ReviewUpdated {
                            release_id: id.clone(),
                            patch: ReviewPatch {
                                outcome: Some(outcome),
                                went_well: Some(went_well.into()),
                                went_badly: Some(went_badly.into()),
                                incidents: None,
                            },
                        }])
                    })?;
                }
                Act::Sign => {
                    let Some(stored) =
                        relm_store::projection::reviews::get(relm.store.conn(), &id.0)?
                    else {
                        continue;
                    };
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::ReviewSigned {
                            release_id: id.clone(),
                            digest: stored.digest,
                        }])
                    })?;
                }
                Act::Action(action_id, title, owner, due) => {
                    let owner = key(owner)?.public().key_id();
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::ActionAdded {
                            action_id,
                            release_id: id.clone(),
                            title: title.into(),
                            owner,
                            due: due.to_string(),
                        }])
                    })?;
                }
                Act::Done(action_id) => {
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::ActionDone {
                            action_id,
                            release_id: id.clone(),
                        }])
                    })?;
                }
                Act::Approve => {
                    relm.decide_as(signer, &id.0, "prod", Decision::Approve, None, Lang::En)?;
                }
                Act::Rollback(environment, to_version) => {
                    relm.emit_as(signer, |_| {
                        Ok(vec![EventBody::RollbackRecorded {
                            release_id: id.clone(),
                            environment,
                            to_version,
                            reason: "Error rate above 2% on the new version".into(),
                            deployment: None,
                        }])
                    })?;
                }
            }
        }
        Ok(self.releases.len())
    }
}

/// The version before `version` (the patch or minor number down by one).
fn previous_version(version: &str) -> String {
    match semver::Version::parse(version) {
        Ok(mut v) if v.patch > 0 => {
            v.patch -= 1;
            v.to_string()
        }
        Ok(mut v) if v.minor > 0 => {
            v.minor -= 1;
            v.to_string()
        }
        _ => version.to_string(),
    }
}

/// What reviews say went well and badly.
const REVIEW_TEXTS: &[(&str, &str)] = &[
    (
        "The rollback plan worked as rehearsed; the on-call engineer was in the channel.",
        "The error-rate alert fired twelve minutes after the deployment, not two.",
    ),
    (
        "Staging caught the migration's lock early; the fix was small.",
        "Nobody checked the window before starting; the deployment ran past it.",
    ),
    (
        "Customers saw nothing: the feature flag turned the change off in a minute.",
        "The runbook still named the old Argo CD project.",
    ),
    (
        "Clear hand-over between the release manager and the approver.",
        "The smoke tests do not cover refunds in other currencies.",
    ),
];

/// Follow-up actions of reviews after a failure or a rollback, with their owner (by index).
const ACTIONS: &[(&str, usize)] = &[
    ("Alert on the error rate two minutes after a deployment", 3),
    ("Add a canary stage before production", 1),
    (
        "Rehearse the rollback with the production image registry",
        0,
    ),
    ("Cover refunds in other currencies in the smoke tests", 3),
];
