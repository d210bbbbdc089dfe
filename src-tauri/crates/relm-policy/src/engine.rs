//! Judging one release for one environment at one time.

use chrono::{DateTime, Duration, Utc};

use relm_domain::payload::Decision;
use relm_domain::release::ChangeType;
use relm_domain::role::Role;
use relm_domain::window::fmt_utc;

use crate::facts::{ApprovalFact, Facts};
use crate::policy::{Environment, Policy};
use crate::rules::Finding;
use crate::text::{Lang, Msg, Style};
use crate::verdict::{ApprovalLine, Line, LineStatus, Outcome, Severity, Verdict, outcome_of};

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
    /// The release's risk, assessed, and the level every rule sees.
    pub assessment: crate::assess::Assessment,
    pub level: crate::assess::Judged,
    /// The calendar over the release's window, built by the first rule that asks for it and
    /// shared by the others (and, from [`evaluate_each`], by every environment judged).
    calendar: std::rc::Rc<CalendarCell<'a>>,
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
    pub reason: Msg,
}

impl Assessed {
    pub fn describe(&self) -> Msg {
        Msg::Decision {
            approve: self.fact.decision == Decision::Approve,
            name: self.name.clone(),
            at: fmt_utc(self.fact.at),
            reason: Box::new(self.reason.clone()),
        }
    }

    fn line(&self, style: Style) -> ApprovalLine {
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
            reason: self.reason.render(style),
        }
    }
}

/// A calendar expanded over a range, kept with the range.
type CalendarCell<'a> =
    std::cell::OnceCell<(DateTime<Utc>, DateTime<Utc>, relm_calendar::Calendar<'a>)>;

/// A release's risk assessed under a policy, and the level that counts: what every verdict and
/// decision on the release shares, whatever the environment; and the digest of its governed
/// fields, which every verdict carries and checks approvals against.
#[derive(Debug, Clone)]
pub struct AssessedRisk {
    assessment: crate::assess::Assessment,
    level: crate::assess::Judged,
    digest: std::sync::OnceLock<String>,
}

impl AssessedRisk {
    /// Assess `facts` under `policy`. The assessment reads the answers, the signals and the
    /// level set by hand or lowered, not the approvals: adding a decision to the facts leaves
    /// it as it is.
    pub fn of(policy: &Policy, facts: &Facts) -> AssessedRisk {
        let assessment = crate::assess::assess_release(policy, facts);
        let level = crate::assess::judge(&assessment, facts);
        AssessedRisk {
            assessment,
            level,
            digest: Default::default(),
        }
    }

    /// The digest of the release's governed fields, worked out at the first verdict.
    fn digest(&self, facts: &Facts) -> String {
        (self.digest)
            .get_or_init(|| facts.fields.governed_digest(&facts.release_id))
            .clone()
    }

    /// The level that counts (assessed, raised by hand or lowered by an approver).
    pub fn level(&self) -> relm_domain::release::RiskLevel {
        self.level.level
    }
}

impl<'a> Context<'a> {
    /// The context for judging `facts` for `env` (a name or an alias) at `at`.
    pub fn new(policy: &'a Policy, facts: &'a Facts, env: &'a str, at: DateTime<Utc>) -> Self {
        let risk = AssessedRisk::of(policy, facts);
        Self::assessed(policy, facts, env, at, &risk, Default::default())
    }

    /// [`Context::new`] with the release's risk already assessed, and the calendar's cell.
    fn assessed(
        policy: &'a Policy,
        facts: &'a Facts,
        env: &'a str,
        at: DateTime<Utc>,
        risk: &AssessedRisk,
        calendar: std::rc::Rc<CalendarCell<'a>>,
    ) -> Self {
        Context {
            assessment: risk.assessment.clone(),
            level: risk.level.clone(),
            calendar,
            facts,
            policy,
            env,
            environment: policy.environment(env),
            at,
            digest: risk.digest(facts),
        }
    }

    /// The calendar over `[start, end)`: built once for the release's window, whichever rule
    /// and environment asks first; another range is built for its caller alone.
    pub fn calendar_over(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> std::borrow::Cow<'_, relm_calendar::Calendar<'a>> {
        let build = || relm_calendar::Calendar::remembered(&self.facts.calendar, start, end);
        let (s, e, calendar) = self.calendar.get_or_init(|| (start, end, build()));
        if (*s, *e) == (start, end) {
            std::borrow::Cow::Borrowed(calendar)
        } else {
            std::borrow::Cow::Owned(build())
        }
    }

    /// The release's level and the factors of the method that decided it, worded.
    pub fn risk_msg(&self) -> Msg {
        use crate::assess::{Method, Source};
        let a = &self.assessment;
        let source = match a.method {
            Method::Questionnaire => Source::Questionnaire,
            Method::Signals => Source::Signals,
        };
        let factors = a
            .factors
            .iter()
            .filter(|f| f.source == source)
            .map(|f| {
                let question = f
                    .params
                    .get("question")
                    .and_then(|k| self.policy.risk.question(k));
                let choice = question.and_then(|qu| {
                    let v = f.params.get("answer")?;
                    qu.answers.iter().find(|c| &c.value == v)
                });
                let or = |a: &str, b: &str| {
                    if a.is_empty() {
                        b.to_string()
                    } else {
                        a.to_string()
                    }
                };
                crate::text::FactorWords {
                    name: f.name.clone(),
                    points: f.points,
                    params: f.params.clone(),
                    question: question.map(|qu| [qu.text.clone(), or(&qu.text_fr, &qu.text)]),
                    answer: choice.map(|c| {
                        let en = or(&c.label, &c.value);
                        [en.clone(), or(&c.label_fr, &en)]
                    }),
                }
            })
            .collect();
        Msg::RiskLevelIs {
            level: a.level.to_string(),
            method: match a.method {
                Method::Questionnaire => "questionnaire".into(),
                Method::Signals => "signals".into(),
            },
            score: a.score,
            factors,
        }
    }

    /// Whether `name` is the environment asked about (by name or alias).
    fn is_target(&self, name: &str) -> bool {
        name == self.env
            || self
                .environment
                .is_some_and(|e| e.name == name || e.aliases.iter().any(|a| a == name))
    }

    /// The first approvals rule whose `when` holds here: whose decisions count, and how many.
    pub fn approvals_rule(&self) -> Option<&'_ crate::rules::Approvals> {
        let tier = self.environment.map(|e| e.tier);
        let (change, risk) = (self.facts.fields.change_type, self.level.level);
        self.policy.rules.iter().find_map(|r| match &r.spec {
            crate::rules::RuleSpec::Approvals(a)
                if r.spec.when().misses(self.env, tier, change, risk).is_none() =>
            {
                Some(a)
            }
            _ => None,
        })
    }

    /// Decisions judged as the verdict lists them: under the approvals rule that applies, or
    /// by the approver role when none does.
    pub fn assess_listed(&self) -> Vec<Assessed> {
        match self.approvals_rule() {
            Some(a) => self.assess(&a.roles, a.max_age_hours),
            None => self.assess(&[Role::Approver], None),
        }
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
                let refusal: Option<Msg> = if !fresh {
                    Some(Msg::Stale)
                } else if a.by == f.fields.owner {
                    Some(Msg::OwnerSelf)
                } else if let Some(c) = authored {
                    Some(Msg::ChangeAuthor {
                        change: c.id.clone(),
                    })
                } else if let Some(exp) = expiry.filter(|e| *e < self.at) {
                    Some(Msg::Expired { at: fmt_utc(exp) })
                } else if !person.is_some_and(|p| p.active) {
                    Some(Msg::NotMember)
                } else if !person.is_some_and(|p| p.roles.iter().any(|r| roles.contains(r))) {
                    Some(Msg::RoleMissing {
                        roles: roles
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(" or "),
                    })
                } else if !email.is_empty() && seen_people.contains(&email) {
                    Some(Msg::SamePerson)
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
                                Some(e) => Msg::CountsUntil { until: fmt_utc(e) },
                                None => Msg::Counts,
                            }
                        } else {
                            Msg::Blocks
                        }
                    }),
                }
            })
            .collect()
    }
}

/// How the latest decision of `by` for `env` is judged under the policy's approval rules.
#[derive(Debug, Clone)]
pub struct Judged {
    /// Counts if an approval, blocks if a rejection.
    pub valid: bool,
    /// Why, in `lang`.
    pub reason: String,
}

/// Judge `by`'s latest decision as the verdict would (the first approvals rule that applies,
/// else the approver role), or `None` if they made none.
pub fn judge_decision(
    policy: &Policy,
    facts: &Facts,
    env: &str,
    at: DateTime<Utc>,
    by: &relm_domain::keys::KeyId,
    style: impl Into<Style>,
) -> Option<Judged> {
    judge_decision_assessed(
        policy,
        facts,
        &AssessedRisk::of(policy, facts),
        env,
        at,
        by,
        style,
    )
}

/// [`judge_decision`] with the release's risk already assessed ([`AssessedRisk::of`]).
pub fn judge_decision_assessed(
    policy: &Policy,
    facts: &Facts,
    risk: &AssessedRisk,
    env: &str,
    at: DateTime<Utc>,
    by: &relm_domain::keys::KeyId,
    style: impl Into<Style>,
) -> Option<Judged> {
    let style = style.into();
    Context::assessed(policy, facts, env, at, risk, Default::default())
        .assess_listed()
        .into_iter()
        .find(|a| &a.fact.by == by)
        .map(|a| Judged {
            valid: a.counts || a.rejects,
            reason: a.reason.render(style),
        })
}

/// Judge `facts` for environment `env` at `at` under `policy` (`version` 0: the built-in
/// default, no policy applied yet), worded in English.
pub fn evaluate(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    env: &str,
    at: DateTime<Utc>,
) -> Verdict {
    evaluate_in(policy, version, facts, env, at, Lang::En)
}

/// [`evaluate`], worded in `lang`.
pub fn evaluate_in(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    env: &str,
    at: DateTime<Utc>,
    style: impl Into<Style>,
) -> Verdict {
    judge(policy, version, facts, env, at).word(style)
}

/// [`evaluate`], unworded: for callers that read the outcome or a few lines.
pub fn judge(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    env: &str,
    at: DateTime<Utc>,
) -> Judgement {
    judgement(Context::new(policy, facts, env, at), version)
}

/// [`evaluate_in`] for each of `envs`, in order. The release's risk does not depend on the
/// environment: it is assessed once for all of them.
pub fn evaluate_each<'e>(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    envs: impl IntoIterator<Item = &'e str>,
    at: DateTime<Utc>,
    style: impl Into<Style>,
) -> Vec<Verdict> {
    evaluate_each_assessed(
        policy,
        version,
        facts,
        &AssessedRisk::of(policy, facts),
        envs,
        at,
        style,
    )
}

/// [`evaluate_each`] with the release's risk already assessed ([`AssessedRisk::of`]).
pub fn evaluate_each_assessed<'e>(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    risk: &AssessedRisk,
    envs: impl IntoIterator<Item = &'e str>,
    at: DateTime<Utc>,
    style: impl Into<Style>,
) -> Vec<Verdict> {
    let style = style.into();
    judge_each_assessed(policy, version, facts, risk, envs, at)
        .into_iter()
        .map(|j| j.word(style))
        .collect()
}

/// [`evaluate_each`], unworded: for callers that read outcomes or a few lines.
pub fn judge_each<'e>(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    envs: impl IntoIterator<Item = &'e str>,
    at: DateTime<Utc>,
) -> Vec<Judgement> {
    let risk = AssessedRisk::of(policy, facts);
    judge_each_assessed(policy, version, facts, &risk, envs, at)
}

/// [`judge_each`] with the release's risk already assessed ([`AssessedRisk::of`]).
pub fn judge_each_assessed<'e>(
    policy: &Policy,
    version: u32,
    facts: &Facts,
    risk: &AssessedRisk,
    envs: impl IntoIterator<Item = &'e str>,
    at: DateTime<Utc>,
) -> Vec<Judgement> {
    let calendar: std::rc::Rc<CalendarCell<'_>> = std::rc::Rc::default();
    (envs.into_iter())
        .map(|env| {
            let cx = Context::assessed(policy, facts, env, at, risk, calendar.clone());
            judgement(cx, version)
        })
        .collect()
}

/// A verdict reached but not yet worded: each rule's finding and the decisions weighed, as
/// messages. Wording every line of every verdict is a good part of judging many releases; a
/// caller that reads the outcome, or one line, words only what it shows ([`Judgement::word`]
/// words it all, as [`evaluate`] does).
#[derive(Debug, Clone)]
pub struct Judgement {
    release_id: String,
    service: String,
    version: String,
    environment: String,
    tier: Option<crate::Tier>,
    at: DateTime<Utc>,
    policy_version: u32,
    release_digest: String,
    /// (rule id, kind, finding), in the order they are shown.
    findings: Vec<(String, String, Finding)>,
    /// The decisions the approvals rule weighs, and those an escalation counts (when one
    /// applies).
    listed: Vec<Assessed>,
    authorizations: Vec<Assessed>,
    review_required: bool,
    assessment: crate::assess::Assessment,
    level: crate::assess::Judged,
    decided_by: Msg,
}

/// One rule's finding in a [`Judgement`], unworded.
#[derive(Debug, Clone, Copy)]
pub struct Found<'j> {
    pub rule: &'j str,
    pub kind: &'j str,
    pub status: LineStatus,
    reason: &'j Msg,
}

impl Found<'_> {
    /// Why, in `style`: the line's `reason`.
    pub fn reason(&self, style: impl Into<Style>) -> String {
        self.reason.render(style)
    }
}

impl Judgement {
    /// Each rule's finding, in the order the verdict shows them.
    pub fn findings(&self) -> impl Iterator<Item = Found<'_>> {
        self.findings.iter().map(|(rule, kind, f)| Found {
            rule,
            kind,
            status: f.status,
            reason: &f.reason,
        })
    }

    pub fn outcome(&self) -> Outcome {
        outcome_of(self.findings.iter().map(|(_, _, f)| f.status))
    }

    /// The decisions the verdict lists (its `approvals`), unworded.
    pub fn approvals(&self) -> &[Assessed] {
        &self.listed
    }

    pub fn release_digest(&self) -> &str {
        &self.release_digest
    }

    /// The whole verdict, worded in `style`.
    pub fn word(self, style: impl Into<Style>) -> Verdict {
        let style = style.into();
        let outcome = self.outcome();
        let rules: Vec<Line> = self
            .findings
            .into_iter()
            .map(|(rule, kind, f)| Line {
                rule,
                kind,
                status: f.status,
                reason: f.reason.render(style),
                evidence: f.evidence.iter().map(|m| m.render(style)).collect(),
                action: f.remedy.as_ref().and_then(Msg::action),
                remedy: f.remedy.map(|m| m.render(style)),
            })
            .collect();
        Verdict {
            release_id: self.release_id,
            service: self.service,
            version: self.version,
            environment: self.environment,
            tier: self.tier,
            at: fmt_utc(self.at),
            policy_version: self.policy_version,
            release_digest: self.release_digest,
            outcome,
            rules,
            approvals: self.listed.iter().map(|a| a.line(style)).collect(),
            authorizations: self.authorizations.iter().map(|a| a.line(style)).collect(),
            review_required: self.review_required,
            risk: crate::verdict::VerdictRisk {
                method: self.assessment.method,
                score: self.assessment.score,
                decided_by: self.decided_by.render(style),
                level: self.level,
            },
        }
    }
}

/// The rules' findings on what `cx` holds, unworded.
fn judgement(cx: Context<'_>, version: u32) -> Judgement {
    let (policy, facts, env, at) = (cx.policy, cx.facts, cx.env, cx.at);
    let environment = cx.environment;
    let tier = environment.map(|e| e.tier);
    // (rule id, kind, finding), in the order they are shown.
    let mut found: Vec<(String, String, Finding)> = Vec::new();
    if version == 0 {
        found.push((
            "policy".into(),
            "policy".into(),
            Finding::warn(Msg::NoPolicy, vec![], Msg::RemedyApplyPolicy),
        ));
    }
    if environment.is_none() {
        found.push((
            "environment".into(),
            "environment".into(),
            Finding::fail(
                Msg::UnknownEnvironment { env: env.into() },
                vec![],
                Msg::RemedyKnownEnvironment,
            ),
        ));
    } else if !facts.fields.environments.iter().any(|e| cx.is_target(e)) {
        found.push((
            "environment".into(),
            "environment".into(),
            Finding::fail(
                Msg::NotTargeted { env: env.into() },
                vec![Msg::Targets {
                    list: facts.fields.environments.join(", "),
                }],
                Msg::RemedyTarget { env: env.into() },
            ),
        ));
    }
    let risk = cx.level.level;
    if let Some(l) = &cx.level.lowered {
        found.push((
            "risk-level".into(),
            "risk_level".into(),
            Finding::pass(
                Msg::RiskLowered {
                    level: l.level.to_string(),
                    from: l.from.to_string(),
                    name: l.name.clone(),
                    reason: l.reason.clone(),
                },
                vec![cx.risk_msg()],
            ),
        ));
    } else if let Some(l) = &cx.level.lapsed {
        found.push((
            "risk-level".into(),
            "risk_level".into(),
            Finding::pass(
                Msg::RiskLoweringLapsed {
                    level: l.level.to_string(),
                    from: l.from.to_string(),
                    now: risk.to_string(),
                    name: l.name.clone(),
                },
                vec![cx.risk_msg()],
            ),
        ));
    }
    let emergency_rule = policy.rules.iter().find(|r| {
        matches!(r.spec, crate::rules::RuleSpec::Emergency(_))
            && r.spec
                .when()
                .misses(env, tier, facts.fields.change_type, risk)
                .is_none()
    });
    let emergency_path =
        facts.fields.change_type == ChangeType::Emergency && emergency_rule.is_some();
    for rule in &policy.rules {
        let mut finding = if let Some(why) =
            rule.spec
                .when()
                .misses(env, tier, facts.fields.change_type, risk)
        {
            Finding::not_applicable(why)
        } else if emergency_path && rule.spec.bypassed_in_emergency() {
            Finding::not_applicable(Msg::EmergencyPath {
                rule: emergency_rule
                    .map(|r| r.id.clone())
                    .unwrap_or_else(|| "emergency".into()),
            })
        } else {
            rule.spec.evaluate(&cx, &rule.id)
        };
        // A rule that applies because of the risk level says what decided the level.
        if finding.status != LineStatus::NotApplicable
            && (rule.spec.when().risk_at_least.is_some()
                || matches!(rule.spec, crate::rules::RuleSpec::Risk(_)))
        {
            finding.evidence.insert(0, cx.risk_msg());
        }
        if finding.status == LineStatus::Fail && rule.spec.severity() == Severity::Warn {
            finding.status = LineStatus::Warn;
        }
        found.push((rule.id.clone(), rule.spec.kind().into(), finding));
    }
    let approvals = cx.assess(&[Role::Approver], None);
    found.extend(crate::rego::evaluate_all(
        &policy.rego,
        &cx,
        version,
        &approvals,
    ));
    let escalation_applies = found
        .iter()
        .any(|(_, kind, f)| kind == "escalation" && f.status != LineStatus::NotApplicable);
    let authorizations = if escalation_applies {
        approvals
            .into_iter()
            .filter(|a| a.fact.decision == Decision::Approve)
            .collect()
    } else {
        Vec::new()
    };
    Judgement {
        release_id: facts.release_id.0.clone(),
        service: facts.fields.service.clone(),
        version: facts.fields.version.clone(),
        environment: env.to_string(),
        tier,
        at,
        policy_version: version,
        release_digest: cx.digest.clone(),
        findings: found,
        listed: cx.assess_listed(),
        authorizations,
        review_required: facts.fields.change_type == ChangeType::Emergency,
        assessment: cx.assessment.clone(),
        level: cx.level.clone(),
        decided_by: cx.risk_msg(),
    }
}
