//! Deviations: how a deployment departed from what was planned and authorized.
//!
//! A deployment is a deviation when it ran outside the release's planned window (production
//! environments), without an allowing verdict at its start, inside a freeze, or before the
//! environment before it in the promotion order had the release. Every replica computes them
//! from the ledger as it stood when the deployment was recorded, so an author cannot leave
//! one out; the verdict is taken at the deployment's start and sees only the approvals,
//! deployments and rehearsals made by then.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::facts::Facts;
use crate::policy::Policy;
use crate::verdict::{LineStatus, Outcome};
use relm_domain::payload::Outcome as Deployed;
use relm_domain::window::fmt_utc;

/// One way a deployment departed from the plan, with what it departed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Deviation {
    /// A production deployment outside the planned window (`window` absent: none was planned).
    OutsideWindow {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        window: Option<(String, String)>,
    },
    /// The verdict at its start did not allow it; `rules` failed.
    NotAllowed { rules: Vec<String> },
    /// It overlapped a freeze (a soft one without a justification recorded before it).
    InFreeze {
        entry_id: String,
        name: String,
        hard: bool,
    },
    /// The environment before it in the promotion order had no successful deployment of the
    /// release that ended before it started.
    SkippedEnvironment { skipped: String },
}

impl Deviation {
    pub fn kind(&self) -> &'static str {
        match self {
            Deviation::OutsideWindow { .. } => "outside_window",
            Deviation::NotAllowed { .. } => "not_allowed",
            Deviation::InFreeze { .. } => "in_freeze",
            Deviation::SkippedEnvironment { .. } => "skipped_environment",
        }
    }

    /// The reason, in English (the app words it in the reader's language from the fields).
    pub fn reason(&self) -> String {
        match self {
            Deviation::OutsideWindow { window: None } => {
                "deployed to production without a planned window".into()
            }
            Deviation::OutsideWindow {
                window: Some((s, e)),
            } => format!("deployed outside the planned window {s} → {e}"),
            Deviation::NotAllowed { rules } => format!(
                "the verdict at its start did not allow it (failing: {})",
                rules.join(", ")
            ),
            Deviation::InFreeze { name, hard, .. } => format!(
                "deployed inside the {} freeze `{name}`{}",
                if *hard { "hard" } else { "soft" },
                if *hard {
                    ""
                } else {
                    " without a justification"
                }
            ),
            Deviation::SkippedEnvironment { skipped } => format!(
                "{skipped} comes first in the promotion order and had no successful deployment of this release before it"
            ),
        }
    }
}

/// Whether the release's planned window governs deployments to `env`: production
/// environments, or the release's last environment when it targets no production one.
fn window_applies(policy: &Policy, facts: &Facts, env: &str) -> bool {
    let targets = &facts.fields.environments;
    if targets.iter().any(|t| policy.is_production(t)) {
        return policy.is_production(env);
    }
    promotion(policy, targets)
        .last()
        .is_some_and(|last| policy.same_environment(last, env))
}

/// The release's environments in the policy's promotion order (ones the policy does not know
/// keep their order, after).
pub fn promotion(policy: &Policy, targets: &[String]) -> Vec<String> {
    let mut known: Vec<(usize, String)> = Vec::new();
    let mut unknown = Vec::new();
    for t in targets {
        match policy
            .order()
            .position(|e| policy.same_environment(&e.name, t))
        {
            Some(i) => known.push((i, t.clone())),
            None => unknown.push(t.clone()),
        }
    }
    known.sort_by_key(|(i, _)| *i);
    known.into_iter().map(|(_, t)| t).chain(unknown).collect()
}

/// The release's last environment in promotion order: a deployment there decides the
/// release's status.
pub fn last_environment(policy: &Policy, targets: &[String]) -> Option<String> {
    promotion(policy, targets).pop()
}

/// The deviations of a deployment of `facts`'s release to `env` from `start` to `end`, under
/// `policy` (`version`, 0 for the built-in default). `facts` are the release's as the ledger
/// stood when the deployment was recorded, without the deployment itself.
pub fn deviations(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    env: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<Deviation> {
    let mut out = Vec::new();
    if window_applies(policy, facts, env) {
        match &facts.fields.window {
            None => out.push(Deviation::OutsideWindow { window: None }),
            Some(w) if start < w.start || end > w.end => out.push(Deviation::OutsideWindow {
                window: Some((fmt_utc(w.start), fmt_utc(w.end))),
            }),
            Some(_) => {}
        }
    }
    let verdict = crate::evaluate(policy, version, facts, env, start);
    if verdict.outcome == Outcome::Blocked {
        out.push(Deviation::NotAllowed {
            rules: verdict
                .rules
                .iter()
                .filter(|l| l.status == LineStatus::Fail)
                .map(|l| l.rule.clone())
                .collect(),
        });
    }
    let name = policy
        .environment(env)
        .map(|e| e.name.as_str())
        .unwrap_or(env);
    let calendar = relm_calendar::Calendar::remembered(&facts.calendar, start, end);
    let planned = relm_calendar::Planned {
        id: facts.release_id.0.clone(),
        service: facts.fields.service.clone(),
        version: facts.fields.version.clone(),
        environments: facts.fields.environments.clone(),
        start,
        end,
    };
    use relm_calendar::conflicts::Code;
    let mut seen: Vec<String> = Vec::new();
    for c in calendar.judge(&planned, name, policy.is_production(name)) {
        if !matches!(
            c.code,
            Code::InsideHardFreeze | Code::InsideSoftFreeze | Code::CrossesFreezeStart
        ) {
            continue;
        }
        let entry_id = c.entry_id.clone().unwrap_or_default();
        let hard = c.severity == relm_calendar::Severity::Error;
        let justified = facts
            .justifications
            .iter()
            .any(|j| j.entry_id == entry_id && j.at <= start);
        if seen.contains(&entry_id) || (!hard && justified) {
            continue;
        }
        seen.push(entry_id.clone());
        out.push(Deviation::InFreeze {
            entry_id,
            name: c.entry_name.unwrap_or_default(),
            hard,
        });
    }
    let order = promotion(policy, &facts.fields.environments);
    if let Some(i) = order.iter().position(|e| policy.same_environment(e, env))
        && i > 0
    {
        let before = &order[i - 1];
        let promoted = facts.deployments.iter().any(|d| {
            d.outcome == Deployed::Succeeded
                && d.at <= start
                && policy.same_environment(&d.environment, before)
        });
        if !promoted {
            out.push(Deviation::SkippedEnvironment {
                skipped: before.clone(),
            });
        }
    }
    out
}
