//! The policy bundle: a TOML file a person writes and reviews, parsed into rules.
//!
//! Parsing is strict: unknown keys and unknown rule kinds are errors, and every error names the
//! line it is on, so a typo never silently weakens the policy. After parsing, [`Policy::parse`]
//! checks that the settings make sense together (no rule that can never apply, no approval
//! count that no role could meet) and that every Rego module compiles and evaluates within its
//! time budget.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use toml::Spanned;

use relm_domain::release::{ChangeType, RiskLevel};

use crate::rego::RegoRule;
use crate::rules::RuleSpec;
use crate::text::Msg;
use relm_domain::limits::MAX_SHORT;
use relm_domain::text::{self, Lines};

/// What a policy file may get wrong; `line` is 1-based, when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct PolicyError {
    pub line: Option<usize>,
    pub message: String,
}

impl PolicyError {
    fn at(source: &str, offset: usize, message: impl Into<String>) -> PolicyError {
        PolicyError {
            line: Some(line_of(source, offset)),
            message: message.into(),
        }
    }
}

/// The 1-based line holding byte `offset`.
pub fn line_of(source: &str, offset: usize) -> usize {
    source
        .as_bytes()
        .iter()
        .take(offset.min(source.len()))
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// How strict an environment is; rules select environments by tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Tier {
    Development,
    Test,
    Staging,
    Production,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Development => "development",
            Tier::Test => "test",
            Tier::Staging => "staging",
            Tier::Production => "production",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: String,
    pub tier: Tier,
    /// Other names the same environment goes by (`production`, `prd`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// Which releases a rule applies to; every condition given must hold (an empty one holds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change_types: Vec<ChangeType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_at_least: Option<RiskLevel>,
}

impl When {
    pub fn is_empty(&self) -> bool {
        *self == When::default()
    }

    /// Why the rule does not apply, or `None` when it does.
    pub fn misses(
        &self,
        env: &str,
        tier: Option<Tier>,
        change: ChangeType,
        risk: RiskLevel,
    ) -> Option<Msg> {
        if !self.environments.is_empty() && !self.environments.iter().any(|e| e == env) {
            return Some(Msg::OnlyEnvironments {
                list: self.environments.join(", "),
            });
        }
        if !self.tiers.is_empty() && !tier.is_some_and(|t| self.tiers.contains(&t)) {
            let tiers: Vec<_> = self.tiers.iter().map(|t| t.as_str()).collect();
            return Some(Msg::OnlyTiers {
                list: tiers.join(", "),
            });
        }
        if !self.change_types.is_empty() && !self.change_types.contains(&change) {
            let types: Vec<_> = self.change_types.iter().map(|t| t.as_str()).collect();
            return Some(Msg::OnlyChangeTypes {
                list: types.join(", "),
            });
        }
        if let Some(min) = self.risk_at_least
            && risk < min
        {
            return Some(Msg::FromRisk {
                min: min.to_string(),
                risk: risk.to_string(),
            });
        }
        None
    }
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    policy: Header,
    #[serde(default)]
    environments: Vec<Spanned<Environment>>,
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
    #[serde(default)]
    rego: Vec<Spanned<RegoRule>>,
    /// The risk questionnaire, the signals' weights and both thresholds (docs/risk.md).
    #[serde(default)]
    risk: Option<Spanned<crate::assess::Model>>,
    /// Post-release reviews (docs/reviews.md).
    #[serde(default)]
    reviews: Option<Spanned<Reviews>>,
}

/// The `[reviews]` section: how many days after an emergency, a failure, a rollback or a
/// deviation the release's review is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviews {
    #[serde(default = "five")]
    pub due_days: u32,
}

fn five() -> u32 {
    5
}

impl Default for Reviews {
    fn default() -> Self {
        Reviews { due_days: five() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// A built-in rule with its id (unique in the policy) and source line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: String,
    pub line: usize,
    #[serde(flatten)]
    pub spec: RuleSpec,
}

/// A parsed, checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub header: Header,
    pub environments: Vec<Environment>,
    pub rules: Vec<Rule>,
    pub rego: Vec<crate::rego::Compiled>,
    /// How release risk is assessed; the built-in signals and thresholds when the file has no
    /// `[risk]` section.
    pub risk: crate::assess::Model,
    /// When reviews are due; 5 days when the file has no `[reviews]` section.
    pub reviews: Reviews,
}

/// Bundles above this size are refused: a policy is read by people (and every event's size is
/// bounded, see `relm_domain::limits`).
pub use relm_domain::limits::MAX_SOURCE;

impl Policy {
    /// The lowest inherent score of a linked risk this policy looks at: the signals' high risks
    /// and every `risk` rule's `block_linked_score`.
    pub fn linked_risk_floor(&self) -> u8 {
        self.rules
            .iter()
            .filter_map(|r| match &r.spec {
                RuleSpec::Risk(k) => k.block_linked_score,
                _ => None,
            })
            .fold(crate::assess::HIGH_RISK_SCORE, u8::min)
    }

    /// Parse and check a recorded policy (the one in force, an older version).
    pub fn parse(source: &str) -> Result<Policy, PolicyError> {
        Self::read(source, false)
    }

    /// Parse and check a policy someone is about to apply or simulate: as [`Policy::parse`],
    /// and its text follows `relm_domain::text` (no control character or direction override,
    /// environment names that are names, one-line rule ids). Held at input only, like every
    /// text rule, so that a policy recorded before the rules still reads.
    pub fn parse_new(source: &str) -> Result<Policy, PolicyError> {
        Self::read(source, true)
    }

    fn read(source: &str, new: bool) -> Result<Policy, PolicyError> {
        if source.len() > MAX_SOURCE {
            return Err(PolicyError {
                line: None,
                message: format!(
                    "the policy is {} bytes; keep it under 1 MiB (split long Rego into fewer rules)",
                    source.len()
                ),
            });
        }
        if new {
            check_source_text(source)?;
        }
        let file: File = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|s| line_of(source, s.start));
            PolicyError {
                line,
                message: e.message().trim().to_string(),
            }
        })?;
        let mut environments: Vec<Environment> = Vec::new();
        let mut names = BTreeSet::new();
        for env in &file.environments {
            let e = env.get_ref();
            for name in std::iter::once(&e.name).chain(&e.aliases) {
                if name.trim().is_empty() {
                    return Err(PolicyError::at(
                        source,
                        env.span().start,
                        "an environment needs a name",
                    ));
                }
                if new {
                    text::check_name("environment", name)
                        .map_err(|m| PolicyError::at(source, env.span().start, plain(m)))?;
                }
                if !names.insert(name.clone()) {
                    return Err(PolicyError::at(
                        source,
                        env.span().start,
                        format!(
                            "environment `{name}` is listed twice; list each environment (and alias) once"
                        ),
                    ));
                }
            }
            environments.push(e.clone());
        }
        let mut rules: Vec<Rule> = Vec::new();
        let mut ids = BTreeSet::new();
        for spanned in &file.rules {
            let spec = spanned.get_ref().clone();
            let at = spanned.span().start;
            let id = spec
                .id()
                .map(str::to_string)
                .unwrap_or_else(|| spec.kind().to_string());
            if new {
                text::check_text("rule", &id, Lines::One, MAX_SHORT)
                    .map_err(|m| PolicyError::at(source, at, plain(m)))?;
            }
            if !ids.insert(id.clone()) {
                return Err(PolicyError::at(
                    source,
                    at,
                    format!(
                        "two rules are named `{id}`; give each rule of the same kind its own `id`"
                    ),
                ));
            }
            spec.check(&environments)
                .map_err(|m| PolicyError::at(source, at, format!("rule `{id}`: {m}")))?;
            check_when(spec.when(), &environments)
                .map_err(|m| PolicyError::at(source, at, format!("rule `{id}`: {m}")))?;
            rules.push(Rule {
                id,
                line: line_of(source, at),
                spec,
            });
        }
        let mut rego = Vec::new();
        for spanned in &file.rego {
            let at = spanned.span().start;
            let r = spanned.get_ref();
            if new {
                text::check_text("rule", &r.name, Lines::One, MAX_SHORT)
                    .map_err(|m| PolicyError::at(source, at, plain(m)))?;
            }
            let id = format!("rego:{}", r.name);
            if r.name.trim().is_empty() || !ids.insert(id.clone()) {
                return Err(PolicyError::at(
                    source,
                    at,
                    format!(
                        "every [[rego]] rule needs a unique `name` (`{}` is empty or taken)",
                        r.name
                    ),
                ));
            }
            let compiled = r
                .compile()
                .map_err(|m| PolicyError::at(source, at, format!("Rego rule `{}`: {m}", r.name)))?;
            rego.push(compiled);
        }
        let risk = match file.risk {
            None => crate::assess::Model::default(),
            Some(spanned) => {
                let at = spanned.span().start;
                let model = spanned.into_inner();
                model.check().map_err(|m| PolicyError::at(source, at, m))?;
                if new {
                    for q in &model.questions {
                        for t in [&q.key, &q.text, &q.text_fr] {
                            text::check_text("question", t, Lines::One, MAX_SHORT)
                                .map_err(|m| PolicyError::at(source, at, plain(m)))?;
                        }
                        for c in &q.answers {
                            for t in [&c.value, &c.label, &c.label_fr] {
                                text::check_text("answer", t, Lines::One, MAX_SHORT)
                                    .map_err(|m| PolicyError::at(source, at, plain(m)))?;
                            }
                        }
                    }
                }
                model
            }
        };
        let reviews = match file.reviews {
            None => Reviews::default(),
            Some(spanned) => {
                let at = spanned.span().start;
                let r = spanned.into_inner();
                if !(1..=90).contains(&r.due_days) {
                    return Err(PolicyError::at(
                        source,
                        at,
                        format!(
                            "`due_days = {}`: a review is due 1 to 90 days after what makes it mandatory",
                            r.due_days
                        ),
                    ));
                }
                r
            }
        };
        Ok(Policy {
            reviews,
            header: file.policy,
            environments,
            rules,
            rego,
            risk,
        })
    }

    /// The environment a release targets, by name or alias.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments
            .iter()
            .find(|e| e.name == name || e.aliases.iter().any(|a| a == name))
    }

    /// Whether `name` (or an alias) is a production environment: the calendar requires its
    /// maintenance windows.
    pub fn is_production(&self, name: &str) -> bool {
        self.environment(name)
            .is_some_and(|e| e.tier == Tier::Production)
    }

    /// Whether `a` and `b` name the same environment: equal, or one environment of the
    /// policy by name or alias.
    pub fn same_environment(&self, a: &str, b: &str) -> bool {
        a == b
            || self
                .environment(a)
                .zip(self.environment(b))
                .is_some_and(|(x, y)| x.name == y.name)
    }

    /// Whether `env` is one of `environments` (by name or alias).
    pub fn targets(&self, environments: &[String], env: &str) -> bool {
        environments.iter().any(|e| self.same_environment(e, env))
    }

    /// Environments in promotion order (as listed).
    pub fn order(&self) -> impl Iterator<Item = &Environment> {
        self.environments.iter()
    }
}

/// A domain error's message without its field prefix (a policy error says its line instead).
fn plain(e: relm_domain::DomainError) -> String {
    e.plain()
}

/// The text rules of `relm_domain::text` on a policy file: no control character but line
/// breaks and tabs (a carriage return before a line break is a Windows line end), no direction
/// override, neither written as they are nor as TOML escapes (`"\u001b"`) in a string.
fn check_source_text(source: &str) -> Result<(), PolicyError> {
    let bytes = source.as_bytes();
    if let Some((at, c)) = source.char_indices().find(|&(at, c)| {
        text::is_refused(c, Lines::Many) && !(c == '\r' && bytes.get(at + 1) == Some(&b'\n'))
    }) {
        // The line says where; a character count in a whole file would not help.
        return Err(PolicyError::at(
            source,
            at,
            text::refusal("the policy", c, None, Lines::Many),
        ));
    }
    // Strings as TOML reads them, escapes decoded. An unreadable file is left to the parser,
    // which says where.
    let Ok(value) = source.parse::<toml::Table>() else {
        return Ok(());
    };
    fn walk(path: &str, v: &toml::Value) -> Result<(), String> {
        match v {
            toml::Value::String(s) => {
                text::check_chars("source", path, s, Lines::Many).map_err(plain)
            }
            toml::Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, x)| walk(&format!("{path}[{}]", i + 1), x)),
            toml::Value::Table(t) => t.iter().try_for_each(|(k, x)| {
                text::check_chars("source", "a key", k, Lines::One).map_err(plain)?;
                walk(&format!("{path}.{k}"), x)
            }),
            _ => Ok(()),
        }
    }
    value
        .iter()
        .try_for_each(|(k, x)| walk(k, x))
        .map_err(|message| PolicyError {
            line: None,
            message,
        })
}

/// A `when` that can never hold is a contradiction: the rule would silently never apply.
fn check_when(when: &When, envs: &[Environment]) -> Result<(), String> {
    for name in &when.environments {
        let Some(env) = envs
            .iter()
            .find(|e| &e.name == name || e.aliases.contains(name))
        else {
            return Err(format!(
                "`when.environments` names `{name}`, which is not in [[environments]]"
            ));
        };
        if !when.tiers.is_empty() && !when.tiers.contains(&env.tier) {
            return Err(format!(
                "`when.environments` names `{name}` ({}), which is not in `when.tiers`: the rule could never apply there",
                env.tier.as_str()
            ));
        }
    }
    if !when.tiers.is_empty()
        && !envs.is_empty()
        && !envs.iter().any(|e| when.tiers.contains(&e.tier))
    {
        return Err(
            "no environment has a tier listed in `when.tiers`: the rule could never apply".into(),
        );
    }
    Ok(())
}
