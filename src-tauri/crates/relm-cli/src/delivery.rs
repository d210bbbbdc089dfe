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
            })?;
            let mut text = String::new();
            for d in &rows {
                let r = &d.record;
                text.push_str(&format!(
                    "{}  {} {}  {}  {}  {} → {}{}\n",
                    r.id,
                    Shown(&r.service),
                    Shown(&r.version),
                    Shown(&r.environment),
                    r.outcome.as_str(),
                    r.started_at,
                    r.ended_at,
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
