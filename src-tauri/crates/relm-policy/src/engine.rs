//! Judging one release for one environment at one time.

use chrono::{DateTime, Duration, Utc};

use relm_domain::payload::Decision;
use relm_domain::release::ChangeType;
use relm_domain::role::Role;
use relm_domain::window::fmt_utc;

use crate::facts::{ApprovalFact, Facts};
use crate::policy::{Environment, Policy};
use crate::rules::Finding;
use crate::verdict::{ApprovalLine, Line, LineStatus, Severity, Verdict, outcome_of};

/// Everything a rule may look at.
#[derive(Debug)]
pub struct Context<'a> {
    pub facts: &'a Facts,
    pub policy: &'a Policy,
    /// The environment asked about, as given.
    pub env: &'a str,
    pub environment: Option<&'a Environment>,
    pub at: DateTime<Utc>,
    /// The release's governed digest as it is now.
    pub digest: String,
}

/// One approval or rejection, judged.
#[derive(Debug, Clone)]
pub struct Assessed {
    pub fact: ApprovalFact,
    pub name: String,
    pub fresh: bool,
    pub counts: bool,
    /// A fresh rejection by someone whose decision would count.
    pub rejects: bool,
    pub reason: String,
}

impl Assessed {
    pub fn describe(&self) -> String {
        format!(
            "{} by {} {}: {}",
            self.fact.decision.as_str(),
            self.name,
            fmt_utc(self.fact.at),
            self.reason
        )
    }

    fn line(&self) -> ApprovalLine {
        ApprovalLine {
            event_id: self.fact.event_id.clone(),
            by: self.fact.by.0.clone(),
            name: self.name.clone(),
            decision: self.fact.decision.as_str().into(),
            environment: self.fact.environment.clone(),
            at: fmt_utc(self.fact.at),
            expires_at: self.fact.expires_at.map(fmt_utc),
            comment: self.fact.comment.clone(),
            policy_version: self.fact.policy_version,
            fresh: self.fresh,
            counts: self.counts,
            reason: self.reason.clone(),
        }
    }
}

impl Context<'_> {
    /// Whether `name` is the environment asked about (by name or alias).
    fn is_target(&self, name: &str) -> bool {
        name == self.env
            || self
                .environment
                .is_some_and(|e| e.name == name || e.aliases.iter().any(|a| a == name))
    }

    /// The latest decision of each person for this environment, made by `at`, each judged
    /// against the rules every approval must meet.
    pub fn assess(&self, roles: &[Role], max_age_hours: Option<u32>) -> Vec<Assessed> {
        let f = self.facts;
        let mut latest: Vec<&ApprovalFact> = Vec::new();
        for a in f
            .approvals
            .iter()
            .filter(|a| a.at <= self.at && self.is_target(&a.environment))
        {
            latest.retain(|b| b.by != a.by);
            latest.push(a);
        }
        // Judged in time order (then by key), not in the order events reached this replica, so
        // that every replica words the verdict the same way.
        latest.sort_by(|x, y| (x.at, &x.by).cmp(&(y.at, &y.by)));
        let mut seen_people: Vec<String> = Vec::new();
        latest
            .into_iter()
            .map(|a| {
                let person = f.person(&a.by);
                let name = f.name(&a.by);
                let fresh = a.release_digest == self.digest;
                let email = person.map(|p| p.email.to_lowercase()).unwrap_or_default();
                let authored = f.fields.changes.iter().find(|c| {
                    c.author.as_deref().is_some_and(|au| {
                        let au = au.trim().to_lowercase();
                        au == email || person.is_some_and(|p| au == p.name.to_lowercase())
                    })
                });
                let expiry = [
                    a.expires_at,
                    max_age_hours.map(|h| a.at + Duration::hours(i64::from(h))),
                ]
                .into_iter()
                .flatten()
                .min();
                let refusal: Option<String> = if !fresh {
                    Some("stale: the release changed after this decision".into())
                } else if a.by == f.fields.owner {
                    Some("the release's owner may not approve their own release".into())
                } else if let Some(c) = authored {
                    Some(format!(
                        "author of change {} may not approve the release",
                        c.id
                    ))
                } else if let Some(exp) = expiry.filter(|e| *e < self.at) {
                    Some(format!("expired at {}", fmt_utc(exp)))
                } else if !person.is_some_and(|p| p.active) {
                    Some("no longer a member".into())
                } else if !person.is_some_and(|p| p.roles.iter().any(|r| roles.contains(r))) {
                    Some(format!(
                        "does not hold the {} role now",
                        roles
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ))
                } else if !email.is_empty() && seen_people.contains(&email) {
                    Some("the same person already counted with another key".into())
                } else {
                    None
                };
                let valid = refusal.is_none();
                if valid && !email.is_empty() {
                    seen_people.push(email);
                }
                let approve = a.decision == Decision::Approve;
                Assessed {
                    fact: a.clone(),
                    name,
                    fresh,
                    counts: valid && approve,
                    rejects: valid && !approve,
                    reason: refusal.unwrap_or_else(|| {
                        if approve {
                            match expiry {
                                Some(e) => format!("counts; fresh until {}", fmt_utc(e)),
                                None => "counts".into(),
                            }
                        } else {
                            "blocks until the release changes or they approve".into()
                        }
                    }),
                }
            })
            .collect()
    }
}

/// Judge `facts` for environment `env` at `at` under `policy` (`version` 0: the built-in
/// default, no policy applied yet).
pub fn evaluate(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    env: &str,
    at: DateTime<Utc>,
) -> Verdict {
    let environment = policy.environment(env);
    let cx = Context {
        facts,
        policy,
        env,
        environment,
        at,
        digest: facts.fields.governed_digest(&facts.release_id),
    };
    let tier = environment.map(|e| e.tier);
    let mut lines = Vec::new();
    if version == 0 {
        lines.push(engine_line(
            "policy",
            Finding::warn(
                "no policy has been applied to this workspace; the built-in default was used",
                vec![],
                "apply one: `relm policy apply FILE` (see docs/policy.md)",
            ),
        ));
    }
    if environment.is_none() {
        lines.push(engine_line(
            "environment",
            Finding::fail(
                format!("`{env}` is not an environment of the policy, so no rule could be checked"),
                vec![],
                "use an environment listed in the policy, or add it there",
            ),
        ));
    } else if !facts.fields.environments.iter().any(|e| cx.is_target(e)) {
        lines.push(engine_line(
            "environment",
            Finding::fail(
                format!("the release does not target {env}"),
                vec![format!("targets {}", facts.fields.environments.join(", "))],
                format!("add {env} to the release's environments"),
            ),
        ));
    }
    let emergency_rule = policy.rules.iter().find(|r| {
        matches!(r.spec, crate::rules::RuleSpec::Emergency(_))
            && r.spec
                .when()
                .misses(env, tier, facts.fields.change_type, facts.fields.risk)
                .is_none()
    });
    let emergency_path =
        facts.fields.change_type == ChangeType::Emergency && emergency_rule.is_some();
    for rule in &policy.rules {
        let finding = if let Some(why) =
            rule.spec
                .when()
                .misses(env, tier, facts.fields.change_type, facts.fields.risk)
        {
            Finding::not_applicable(why)
        } else if emergency_path && rule.spec.bypassed_in_emergency() {
            Finding::not_applicable(format!(
                "emergency release: the break-glass path (rule `{}`) applies instead",
                emergency_rule.map(|r| r.id.as_str()).unwrap_or("emergency")
            ))
        } else {
            rule.spec.evaluate(&cx, &rule.id)
        };
        let mut line = Line {
            rule: rule.id.clone(),
            kind: rule.spec.kind().into(),
            status: finding.status,
            reason: finding.reason,
            evidence: finding.evidence,
            remedy: finding.remedy,
        };
        if line.status == LineStatus::Fail && rule.spec.severity() == Severity::Warn {
            line.status = LineStatus::Warn;
        }
        lines.push(line);
    }
    let approvals = cx.assess(&[Role::Approver], None);
    lines.extend(crate::rego::evaluate_all(
        &policy.rego,
        &cx,
        version,
        &approvals,
    ));
    let approval_rules: Vec<&crate::policy::Rule> = policy
        .rules
        .iter()
        .filter(|r| matches!(r.spec, crate::rules::RuleSpec::Approvals(_)))
        .collect();
    let escalation_applies = lines
        .iter()
        .any(|l| l.kind == "escalation" && l.status != LineStatus::NotApplicable);
    let judged_with = approval_rules
        .iter()
        .find_map(|r| match &r.spec {
            crate::rules::RuleSpec::Approvals(a)
                if r.spec
                    .when()
                    .misses(env, tier, facts.fields.change_type, facts.fields.risk)
                    .is_none() =>
            {
                Some(cx.assess(&a.roles, a.max_age_hours))
            }
            _ => None,
        })
        .unwrap_or(approvals);
    let listed: Vec<ApprovalLine> = judged_with.iter().map(Assessed::line).collect();
    let authorizations = if escalation_applies {
        cx.assess(&[Role::Approver], None)
            .iter()
            .filter(|a| a.fact.decision == Decision::Approve)
            .map(Assessed::line)
            .collect()
    } else {
        Vec::new()
    };
    Verdict {
        release_id: facts.release_id.0.clone(),
        service: facts.fields.service.clone(),
        version: facts.fields.version.clone(),
        environment: env.to_string(),
        tier,
        at: fmt_utc(at),
        policy_version: version,
        release_digest: cx.digest.clone(),
        outcome: outcome_of(&lines),
        rules: lines,
        approvals: listed,
        authorizations,
        review_required: facts.fields.change_type == ChangeType::Emergency,
    }
}

fn engine_line(rule: &str, f: Finding) -> Line {
    Line {
        rule: rule.into(),
        kind: rule.into(),
        status: f.status,
        reason: f.reason,
        evidence: f.evidence,
        remedy: f.remedy,
    }
}
