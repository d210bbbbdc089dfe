//! Custom rules in Rego, evaluated in-process by `regorus`.
//!
//! A `[[rego]]` entry holds one module. Following the conftest convention, the module defines
//! `deny` and/or `warn`: sets of messages (strings, or objects with a `msg`). Each message is
//! one verdict line (fail or warn); a module with no message gives one passing line. The input
//! is the release, the environment, the time, the policy version and the judged approvals
//! (see `docs/policy.md`), so policies written for OPA-style tools carry over. There is no
//! clock or network inside a rule: the time is `input.now`, which keeps verdicts deterministic.

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::num::NonZeroU32;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};
use relm_domain::window::fmt_utc;

use crate::engine::{Assessed, Context};
use crate::rules::Finding;
use crate::text::Msg;
use crate::verdict::LineStatus;

/// How long one Rego rule may run for one verdict before it is stopped (and fails).
pub const TIME_BUDGET: Duration = Duration::from_millis(250);

/// A `[[rego]]` entry as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegoRule {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub module: String,
}

/// A compiled module, ready to evaluate.
#[derive(Clone)]
pub struct Compiled {
    pub name: String,
    engine: Engine,
    /// `data.<package>.deny` / `.warn`, when the module defines them.
    deny: Option<String>,
    warn: Option<String>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("name", &self.name)
            .field("deny", &self.deny)
            .field("warn", &self.warn)
            .finish()
    }
}

fn new_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: TIME_BUDGET,
        check_interval: NonZeroU32::MIN.saturating_add(63),
    });
    engine
}

impl RegoRule {
    /// Parse, compile and try the module once on a sample input, so that a module that does not
    /// compile, fails at run time or runs away is refused before it becomes the policy.
    pub fn compile(&self) -> Result<Compiled, String> {
        let mut engine = new_engine();
        let package = engine
            .add_policy(format!("{}.rego", self.name), self.module.clone())
            .map_err(|e| first_lines(&e.to_string()))?;
        engine.set_input(Value::from(sample_input()));
        let mut defined = |rule: &str| -> Result<Option<String>, String> {
            let path = format!("{package}.{rule}");
            match engine.eval_rule(path.clone()) {
                Ok(_) => Ok(Some(path)),
                Err(e) if e.to_string().contains("not a valid rule path") => Ok(None),
                Err(e) => Err(first_lines(&e.to_string())),
            }
        };
        let deny = defined("deny")?;
        let warn = defined("warn")?;
        if deny.is_none() && warn.is_none() {
            return Err(format!(
                "the module ({package}) defines neither `deny` nor `warn`; define a set of messages, e.g. `deny contains msg if {{ ... }}`"
            ));
        }
        // The engine that ran the trial keeps its prepared interpreter (rule analysis, loop
        // hoisting), so each verdict's clone only sets its input and evaluates.
        Ok(Compiled {
            name: self.name.clone(),
            engine,
            deny,
            warn,
        })
    }
}

/// A Rego error as a person reads it: its first lines, and a plain word for a runaway rule.
fn first_lines(s: &str) -> String {
    if s.contains("exceeded time limit") {
        return format!(
            "ran longer than its {} ms budget (an unbounded loop or a very large comprehension?)",
            TIME_BUDGET.as_millis()
        );
    }
    s.lines().take(6).collect::<Vec<_>>().join("\n")
}

/// The input document a Rego rule sees.
pub fn input(cx: &Context<'_>, version: u32, approvals: &[Assessed]) -> Json {
    let f = cx.facts;
    json!({
        "release": {
            "id": f.release_id.0,
            "status": f.status,
            "digest": cx.digest,
            "created_at": fmt_utc(f.created_at),
            "submitted_at": f.submitted_at.map(fmt_utc),
            "owner": f.fields.owner.0,
            "service": f.fields.service,
            "version": f.fields.version,
            "title": f.fields.title,
            "change_type": f.fields.change_type,
            "risk": cx.level.level,
            "risk_assessed": cx.assessment.level,
            "risk_score": cx.assessment.score,
            "environments": f.fields.environments,
            "window": f.fields.window,
            "components": f.fields.components,
            "changes": f.fields.changes,
            "rollback_plan": f.fields.rollback_plan,
            "evidence": f.fields.evidence,
        },
        "environment": {
            "name": cx.env,
            "tier": cx.environment.map(|e| e.tier),
        },
        "now": fmt_utc(cx.at),
        "policy_version": version,
        "approvals": approvals.iter().map(|a| json!({
            "by": a.fact.by.0,
            "name": a.name,
            "decision": a.fact.decision,
            "at": fmt_utc(a.fact.at),
            "fresh": a.fresh,
            "counts": a.counts,
            "reason": a.reason.render(crate::text::Lang::En),
        })).collect::<Vec<_>>(),
        "deployments": f.deployments.iter().map(|d| json!({
            "environment": d.environment,
            "outcome": d.outcome,
            "at": fmt_utc(d.at),
            "same_release": d.release_digest == cx.digest,
        })).collect::<Vec<_>>(),
        "rehearsals": f.rehearsals.iter().map(|r| json!({"at": fmt_utc(r.at), "note": r.note})).collect::<Vec<_>>(),
        "emergency": f.emergency.as_ref().map(|e| json!({
            "reason": e.reason, "incident": e.incident, "approver": e.approver.0, "at": fmt_utc(e.at),
        })),
    })
}

/// A plausible input used to try a module at apply time.
fn sample_input() -> Json {
    json!({
        "release": {
            "id": "01J00000000000000000000000", "status": "planned", "digest": "sha256:00",
            "created_at": "2027-01-04T09:00:00Z", "submitted_at": "2027-01-04T10:00:00Z",
            "owner": "0000000000000000", "service": "payments-api", "version": "1.0.0",
            "title": "Sample", "change_type": "normal", "risk": "medium",
            "environments": ["staging", "prod"],
            "window": {"start": "2027-01-06T09:00:00Z", "end": "2027-01-06T10:00:00Z", "tz": "UTC"},
            "components": [], "changes": [], "rollback_plan": "redeploy 0.9.0", "evidence": [],
        },
        "environment": {"name": "prod", "tier": "production"},
        "now": "2027-01-05T12:00:00Z",
        "policy_version": 1,
        "approvals": [], "deployments": [], "rehearsals": [], "emergency": null,
    })
}

/// Messages from a `deny` / `warn` value: strings, or objects with `msg`.
fn messages(v: &Value) -> Vec<String> {
    let json = serde_json::to_value(v).unwrap_or(Json::Null);
    let items = match json {
        Json::Array(a) => a,
        Json::Null => Vec::new(),
        Json::String(s) if s == "<undefined>" => Vec::new(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|m| match m {
            Json::String(s) => s,
            Json::Object(o) => o
                .get("msg")
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| Json::Object(o).to_string()),
            other => other.to_string(),
        })
        .collect()
}

/// Every Rego rule's findings for one verdict, as (rule id, kind, finding).
pub fn evaluate_all(
    rules: &[Compiled],
    cx: &Context<'_>,
    version: u32,
    approvals: &[Assessed],
) -> Vec<(String, String, Finding)> {
    if rules.is_empty() {
        return Vec::new();
    }
    let input = Value::from(input(cx, version, approvals));
    let mut out = Vec::new();
    for rule in rules {
        let mut engine = rule.engine.clone();
        engine.set_input(input.clone());
        let id = format!("rego:{}", rule.name);
        let mut produced = Vec::new();
        let mut failed = None;
        for (path, status) in [
            (&rule.deny, LineStatus::Fail),
            (&rule.warn, LineStatus::Warn),
        ] {
            let Some(path) = path else { continue };
            match engine.eval_rule(path.clone()) {
                Ok(v) => produced.extend(messages(&v).into_iter().map(|m| (status, m))),
                Err(e) => failed = Some(first_lines(&e.to_string())),
            }
        }
        let mut push = |f: Finding| out.push((id.clone(), "rego".to_string(), f));
        if let Some(error) = failed {
            push(Finding::fail(
                Msg::RegoFailed { error },
                vec![],
                Msg::RemedyFixRego,
            ));
        } else if produced.is_empty() {
            push(Finding::pass(Msg::RegoNoFindings, vec![]));
        } else {
            produced.sort();
            for (status, msg) in produced {
                push(Finding {
                    status,
                    reason: Msg::Raw(msg),
                    evidence: Vec::new(),
                    remedy: Some(Msg::RemedySeeRule),
                });
            }
        }
    }
    out
}
