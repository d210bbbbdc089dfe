//! `relm deploy` and `relm rollback`: deployment records and rollback readiness.

use clap::{Args, Subcommand, ValueEnum};
use relm_api::deployments::{DeploymentInput, DeploymentQuery, PlanInput, RollbackView};
use relm_api::{Options, Relm, Result};
use relm_domain::text::Shown;

use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum DeployCmd {
    /// Record a deployment of a release to an environment; prints its id and deviations.
    Record(RecordArgs),
    /// Deployments, latest first.
    List(ListArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum OutcomeArg {
    Succeeded,
    Failed,
    RolledBack,
    Partial,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    pub release: String,
    #[arg(long = "env", value_name = "ENV")]
    pub env: String,
    #[arg(long, value_enum)]
    pub outcome: OutcomeArg,
    /// When it started (RFC 3339, e.g. 2027-03-19T18:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub start: String,
    /// When it ended (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub end: String,
    /// Read --start and --end as wall-clock times in this zone (IANA name) when they have no
    /// offset.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// The tool that ran it.
    #[arg(long, value_name = "NAME")]
    pub tool: Option<String>,
    #[arg(long, value_name = "URL")]
    pub link: Option<String>,
    /// The deployment in its tool, `TOOL:ID`: recording it again changes nothing.
    #[arg(long = "ref", value_name = "TOOL:ID")]
    pub external_ref: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub release: Option<String>,
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long = "env", value_name = "ENV")]
    pub env: Option<String>,
    /// Deployments that ended from this date (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long, value_name = "D")]
    pub from: Option<String>,
    /// ... to this date (included) or time (excluded).
    #[arg(long, value_name = "D")]
    pub to: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RollbackCmd {
    /// Write (or replace) the release's rollback plan.
    Plan {
        release: String,
        #[arg(long, value_name = "V")]
        previous_version: String,
        #[arg(long, value_name = "TEXT")]
        steps: String,
        /// Whether the data changes can be undone (yes by default); with no, --forward-fix.
        #[arg(long, value_parser = ["yes", "no"])]
        reversible: Option<String>,
        /// How the data is repaired going forward when it cannot be undone.
        #[arg(long, value_name = "TEXT")]
        forward_fix: Option<String>,
        /// A feature flag that turns the change off; repeat for several.
        #[arg(long = "flag", value_name = "NAME")]
        flags: Vec<String>,
        /// Expected duration of a rollback, in minutes.
        #[arg(long, value_name = "MINUTES")]
        duration: Option<u32>,
        /// The member who decides to roll back (key id or e-mail).
        #[arg(long, value_name = "KEY|EMAIL")]
        decider: Option<String>,
    },
    /// Record a rehearsal of the rollback plan.
    Rehearse {
        release: String,
        #[arg(long = "env", value_name = "ENV")]
        env: String,
        #[arg(long, value_parser = ["passed", "failed"])]
        result: String,
        /// An https:// link, or a file whose SHA-256 is kept.
        #[arg(long, value_name = "LINK|FILE")]
        evidence: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Record a rollback, linked to the deployment it undid and the plan in force.
    Record {
        release: String,
        #[arg(long = "env", value_name = "ENV")]
        env: String,
        #[arg(long, value_name = "V")]
        to_version: String,
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The deployment it undid (id or unique prefix); the latest to ENV by default.
        #[arg(long, value_name = "ID")]
        deployment: Option<String>,
    },
    /// The release's rollback plan, rehearsals, rollbacks and readiness.
    Show { release: String },
}

fn outcome(o: OutcomeArg) -> &'static str {
    match o {
        OutcomeArg::Succeeded => "succeeded",
        OutcomeArg::Failed => "failed",
        OutcomeArg::RolledBack => "rolled_back",
        OutcomeArg::Partial => "partial",
    }
}

pub fn deploy(opts: &Options, cmd: DeployCmd) -> Result<Outcome> {
    match cmd {
        DeployCmd::Record(a) => {
            let mut relm = Relm::open(opts)?;
            let r = relm.record_deployment_full(&DeploymentInput {
                release: a.release,
                environment: a.env,
                outcome: outcome(a.outcome).into(),
                start: Some(a.start),
                end: Some(a.end),
                tz: a.tz,
                tool: a.tool,
                link: a.link,
                external_ref: a.external_ref,
                note: a.note,
            })?;
            let mut text = if r.existing {
                format!("already recorded as {}", r.id)
            } else {
                format!("recorded deployment {}; the release is {}", r.id, r.status)
            };
            if r.deviations.is_empty() {
                text.push_str("\nno deviation");
            }
            for d in &r.deviations {
                text.push_str(&format!("\ndeviation {}: {}", d.kind, Shown(&d.reason)));
            }
            Outcome::ok(&r, text)
        }
        DeployCmd::List(a) => {
            let relm = Relm::open(opts)?;
            let rows = relm.deployments(&DeploymentQuery {
                release: a.release,
                service: a.service,
                environment: a.env,
                from: a.from,
                to: a.to,
                ..Default::default()
            })?;
            let mut text = String::new();
            for d in &rows {
                let r = &d.record;
                text.push_str(&format!(
                    "{}  {} {}  {}  {}  {} → {}{}{}\n",
                    r.id,
                    Shown(&r.service),
                    Shown(&r.version),
                    Shown(&r.environment),
                    r.outcome.as_str(),
                    r.started_at,
                    r.ended_at,
                    r.external_ref
                        .as_deref()
                        .map(|x| format!("  {}", Shown(x)))
                        .unwrap_or_default(),
                    if r.deviations.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "  deviations: {}",
                            r.deviations
                                .iter()
                                .map(|d| d.kind())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ));
            }
            if rows.is_empty() {
                text.push_str("no deployments\n");
            }
            Outcome::ok(serde_json::json!({ "deployments": rows }), text)
        }
    }
}

fn rollback_text(v: &RollbackView) -> String {
    let mut text = format!(
        "{}: rollback readiness {}\n",
        v.release_id,
        v.readiness.as_str()
    );
    if let Some(p) = &v.plan {
        text.push_str(&format!(
            "plan: back to {}; {}\n",
            Shown(&p.plan.previous_version),
            Shown(&p.plan.steps)
        ));
    }
    for r in &v.rehearsals {
        text.push_str(&format!(
            "rehearsal {} {} in {}\n",
            r.at,
            r.result.as_str(),
            Shown(r.environment.as_deref().unwrap_or("-"))
        ));
    }
    for r in &v.rollbacks {
        text.push_str(&format!(
            "rolled back {} in {} to {} (deployment {})\n",
            r.at,
            Shown(&r.environment),
            Shown(&r.to_version),
            r.deployment
        ));
    }
    text
}

pub fn rollback(opts: &Options, cmd: RollbackCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    let v = match cmd {
        RollbackCmd::Plan {
            release,
            previous_version,
            steps,
            reversible,
            forward_fix,
            flags,
            duration,
            decider,
        } => relm.plan_rollback(
            &release,
            &PlanInput {
                previous_version,
                steps,
                reversible: reversible.map(|r| r == "yes"),
                forward_fix,
                feature_flags: Some(flags),
                duration_minutes: duration,
                decider,
            },
        )?,
        RollbackCmd::Rehearse {
            release,
            env,
            result,
            evidence,
            note,
        } => relm.rehearse_rollback(
            &release,
            &env,
            &result,
            evidence.as_deref(),
            note.as_deref(),
        )?,
        RollbackCmd::Record {
            release,
            env,
            to_version,
            reason,
            deployment,
        } => relm.record_rollback(&release, &env, &to_version, &reason, deployment.as_deref())?,
        RollbackCmd::Show { release } => relm.rollback(&release)?,
    };
    let text = rollback_text(&v);
    Outcome::ok(&v, text)
}

#[derive(Debug, Subcommand)]
pub enum ReviewCmd {
    /// Open the release's post-release review (drafted from the ledger), or show it.
    Draft { release: String },
    /// The review: status, due date, content, sign-offs, timeline and actions.
    Show { release: String },
    /// Edit the review (opening it when needed).
    Update {
        release: String,
        /// succeeded, succeeded_with_issues, failed or rolled_back.
        #[arg(long)]
        outcome: Option<String>,
        #[arg(long, value_name = "TEXT")]
        went_well: Option<String>,
        #[arg(long, value_name = "TEXT")]
        went_badly: Option<String>,
        /// An incident `REF:SEVERITY:START[:END]` (severity sev1 to sev4, times RFC 3339);
        /// repeat for several. Replaces the review's incidents.
        #[arg(long = "incident", value_name = "REF:SEVERITY:START:END")]
        incidents: Vec<String>,
    },
    /// Sign the review off, as the release's owner or as an approver.
    Sign { release: String },
    /// Reviews: required ones and every one opened.
    List {
        /// Only required reviews not signed off yet.
        #[arg(long)]
        due: bool,
        /// Only required reviews past their due date.
        #[arg(long)]
        overdue: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ActionCmd {
    /// Add a follow-up action to a release's review.
    Add {
        release: String,
        #[arg(long)]
        title: String,
        /// Who does it: key id or e-mail.
        #[arg(long, value_name = "KEY|EMAIL")]
        owner: String,
        /// By when (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        due: String,
    },
    /// Follow-up actions, due soonest first.
    List {
        /// Only open ones past their due date.
        #[arg(long)]
        overdue: bool,
        /// Only open ones.
        #[arg(long)]
        open: bool,
        /// Only this member's (key id or e-mail).
        #[arg(long, value_name = "KEY|EMAIL")]
        owner: Option<String>,
        #[arg(long)]
        release: Option<String>,
    },
    /// Mark an action done.
    Done { id: String },
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// First day (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long, value_name = "D")]
    pub from: String,
    /// Last day (included) or time (excluded).
    #[arg(long, value_name = "D")]
    pub to: String,
    #[arg(long)]
    pub service: Option<String>,
    /// One environment (the policy's production ones by default).
    #[arg(long = "env", value_name = "ENV")]
    pub env: Option<String>,
}

fn review_text(v: &relm_api::reviews::ReviewView) -> String {
    use relm_api::reviews::ReviewStatus;
    let mut t = format!(
        "{} {} — review {}",
        Shown(&v.service),
        Shown(&v.version),
        match v.status {
            ReviewStatus::Missing => "not opened",
            ReviewStatus::Draft => "in draft",
            ReviewStatus::Signed => "signed off",
        }
    );
    if v.required {
        t.push_str(&format!(
            "; required ({}), due {}{}",
            v.reasons.join(", "),
            v.due.as_deref().unwrap_or("-"),
            if v.overdue { ", OVERDUE" } else { "" }
        ));
    }
    t.push('\n');
    if let Some(o) = v.content.outcome {
        t.push_str(&format!("outcome: {}\n", o.as_str()));
    }
    if !v.content.went_well.is_empty() {
        t.push_str(&format!("went well: {}\n", Shown(&v.content.went_well)));
    }
    if !v.content.went_badly.is_empty() {
        t.push_str(&format!("went badly: {}\n", Shown(&v.content.went_badly)));
    }
    for s in &v.signatures {
        t.push_str(&format!(
            "signed by {} ({}) {}{}\n",
            Shown(&s.name),
            if s.as_owner { "owner" } else { "approver" },
            s.at,
            if s.current {
                ""
            } else {
                ", on an earlier version"
            }
        ));
    }
    if !v.awaiting.is_empty() && v.status != ReviewStatus::Missing {
        t.push_str(&format!("awaiting: {}\n", v.awaiting.join(", ")));
    }
    t.push_str("timeline:\n");
    for e in &v.timeline {
        t.push_str(&format!("  {}  {}\n", e.at, Shown(&e.text)));
    }
    for a in &v.actions {
        t.push_str(&format!(
            "action {}: {} ({}, due {}{})\n",
            a.action.id,
            Shown(&a.action.title),
            Shown(&a.owner_name),
            a.action.due,
            if a.action.done_at.is_some() {
                ", done"
            } else if a.overdue {
                ", OVERDUE"
            } else {
                ""
            }
        ));
    }
    t
}

pub fn review(opts: &Options, cmd: ReviewCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    let v = match cmd {
        ReviewCmd::Draft { release } => relm.draft_review(&release)?,
        ReviewCmd::Show { release } => relm.review(&release)?,
        ReviewCmd::Sign { release } => relm.sign_review(&release)?,
        ReviewCmd::Update {
            release,
            outcome,
            went_well,
            went_badly,
            incidents,
        } => {
            let mut problems = relm_domain::Problems::default();
            let parsed: Vec<_> = incidents
                .iter()
                .filter_map(|i| problems.check(relm_domain::review::Incident::parse(i)))
                .collect();
            problems.done()?;
            relm.update_review(
                &release,
                &relm_api::reviews::ReviewInput {
                    outcome,
                    went_well,
                    went_badly,
                    incidents: (!incidents.is_empty()).then_some(parsed),
                },
            )?
        }
        ReviewCmd::List { due, overdue } => {
            let rows = relm.reviews(&relm_api::reviews::ReviewQuery {
                due,
                overdue,
                ..Default::default()
            })?;
            let mut text = String::new();
            for r in &rows {
                text.push_str(&format!(
                    "{}  {} {}  {:?}{}{}\n",
                    r.release_id,
                    Shown(&r.service),
                    Shown(&r.version),
                    r.status,
                    r.due
                        .as_deref()
                        .map(|d| format!("  due {d}"))
                        .unwrap_or_default(),
                    if r.overdue { "  OVERDUE" } else { "" }
                ));
            }
            if rows.is_empty() {
                text.push_str("no reviews\n");
            }
            return Outcome::ok(serde_json::json!({ "reviews": rows }), text);
        }
    };
    let text = review_text(&v);
    Outcome::ok(&v, text)
}

pub fn action(opts: &Options, cmd: ActionCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    let one = |a: relm_api::reviews::ActionView| {
        let text = format!(
            "action {}: {} ({}, due {}){}",
            a.action.id,
            Shown(&a.action.title),
            Shown(&a.owner_name),
            a.action.due,
            if a.action.done_at.is_some() {
                " done"
            } else {
                ""
            }
        );
        Outcome::ok(&a, text)
    };
    match cmd {
        ActionCmd::Add {
            release,
            title,
            owner,
            due,
        } => one(relm.add_action(&release, &title, &owner, &due)?),
        ActionCmd::Done { id } => one(relm.action_done(&id)?),
        ActionCmd::List {
            overdue,
            open,
            owner,
            release,
        } => {
            let rows = relm.actions(&relm_api::reviews::ActionQuery {
                overdue,
                open,
                owner,
                release,
            })?;
            let mut text = String::new();
            for a in &rows {
                text.push_str(&format!(
                    "{}  {} {}  {}  {}  due {}{}\n",
                    a.action.id,
                    Shown(&a.action.service),
                    Shown(&a.version),
                    Shown(&a.action.title),
                    Shown(&a.owner_name),
                    a.action.due,
                    if a.action.done_at.is_some() {
                        "  done"
                    } else if a.overdue {
                        "  OVERDUE"
                    } else {
                        ""
                    }
                ));
            }
            if rows.is_empty() {
                text.push_str("no actions\n");
            }
            Outcome::ok(serde_json::json!({ "actions": rows }), text)
        }
    }
}

pub fn metrics(opts: &Options, a: MetricsArgs) -> Result<Outcome> {
    let relm = Relm::open(opts)?;
    let m = relm.metrics(&a.from, &a.to, a.service.as_deref(), a.env.as_deref())?;
    let opt = |x: Option<f64>, unit: &str| x.map_or("-".to_string(), |v| format!("{v}{unit}"));
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.0}%", v * 100.0));
    let text = format!(
        "{} → {} ({})\n\
         deployments: {} ({} succeeded, {} failed or rolled back)\n\
         deployment frequency: {} per week\n\
         lead time for changes (median): {}\n\
         change failure rate: {}\n\
         time to restore (median): {}{}\n\
         approval lead time (median): {}\n\
         deviations: {} ({})\n\
         freeze overrides: {}\n\
         emergency ratio: {}\n\
         review completion: {}\n\
         overdue actions: {}\n",
        m.from,
        m.to,
        m.environments.join(", "),
        m.deployments,
        m.succeeded,
        m.failed,
        m.deployment_frequency_per_week,
        opt(m.lead_time_hours_median, " h"),
        pct(m.change_failure_rate),
        opt(m.time_to_restore_hours_median, " h"),
        if m.unrestored.is_empty() {
            String::new()
        } else {
            format!(" ({} not restored yet)", m.unrestored.len())
        },
        opt(m.approval_lead_time_hours_median, " h"),
        m.deviations,
        pct(m.deviation_share),
        m.freeze_overrides,
        pct(m.emergency_ratio),
        pct(m.review_completion_rate),
        m.overdue_actions,
    );
    Outcome::ok(&m, text)
}
