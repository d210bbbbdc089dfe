//! The release: what is shipped, where, when, and how it can be undone.
//!
//! This module holds the release's fields, their validation rules and the status lifecycle.
//! Field rules live here so the CLI, the desktop app and a replayed event all agree on what a
//! valid release is.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::ids::ReleaseId;
use crate::keys::KeyId;
use crate::limits::{MAX_SHORT, MAX_TEXT};
use crate::text::{self, Lines, check_name};
use crate::window::PlannedWindow;
use crate::{DomainError, ProblemCode, Problems, ReasonCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ChangeType {
    /// Pre-authorized, low-risk, repeatable.
    Standard,
    /// Goes through the normal assessment and approval path.
    Normal,
    /// Urgent fix; break-glass rules apply.
    Emergency,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Standard => "standard",
            ChangeType::Normal => "normal",
            ChangeType::Emergency => "emergency",
        }
    }
}

impl FromStr for ChangeType {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "standard" => Ok(ChangeType::Standard),
            "normal" => Ok(ChangeType::Normal),
            "emergency" => Ok(ChangeType::Emergency),
            other => Err(unknown_choice(
                "change_type",
                "change type",
                other,
                &["standard", "normal", "emergency"],
            )),
        }
    }
}

/// How much could go wrong: decides which policy rules apply (e.g. escalation above `high`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RiskLevel {
    Low,
    /// Also the level of releases recorded before risk levels existed.
    #[default]
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RiskLevel {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RiskLevel::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                unknown_choice(
                    "risk",
                    "risk level",
                    s,
                    &RiskLevel::ALL.map(RiskLevel::as_str),
                )
            })
    }
}

impl std::fmt::Display for ChangeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReleaseStatus {
    Draft,
    Planned,
    Approved,
    Deploying,
    Deployed,
    Reviewed,
    Cancelled,
    RolledBack,
    Failed,
}

impl ReleaseStatus {
    pub const ALL: [ReleaseStatus; 9] = [
        ReleaseStatus::Draft,
        ReleaseStatus::Planned,
        ReleaseStatus::Approved,
        ReleaseStatus::Deploying,
        ReleaseStatus::Deployed,
        ReleaseStatus::Reviewed,
        ReleaseStatus::Cancelled,
        ReleaseStatus::RolledBack,
        ReleaseStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseStatus::Draft => "draft",
            ReleaseStatus::Planned => "planned",
            ReleaseStatus::Approved => "approved",
            ReleaseStatus::Deploying => "deploying",
            ReleaseStatus::Deployed => "deployed",
            ReleaseStatus::Reviewed => "reviewed",
            ReleaseStatus::Cancelled => "cancelled",
            ReleaseStatus::RolledBack => "rolled_back",
            ReleaseStatus::Failed => "failed",
        }
    }

    /// The lifecycle: draft → planned → approved → deploying → deployed → reviewed, with
    /// cancellation before deployment starts, and failure / rollback once it has.
    pub fn next(self) -> &'static [ReleaseStatus] {
        use ReleaseStatus::*;
        match self {
            Draft => &[Planned, Cancelled],
            Planned => &[Approved, Draft, Cancelled],
            Approved => &[Deploying, Planned, Cancelled],
            Deploying => &[Deployed, Failed, RolledBack],
            Deployed => &[Reviewed, RolledBack],
            Failed => &[RolledBack, Reviewed],
            RolledBack => &[Reviewed],
            Reviewed | Cancelled => &[],
        }
    }

    pub fn check_transition(self, to: ReleaseStatus) -> Result<(), DomainError> {
        if self.next().contains(&to) {
            return Ok(());
        }
        let allowed = if self.next().is_empty() {
            format!("none, `{}` is final", self.as_str())
        } else {
            self.next()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(DomainError::conflict(
            ReasonCode::IllegalTransition,
            format!(
                "cannot move a release from `{}` to `{}`; allowed next: {allowed}",
                self.as_str(),
                to.as_str()
            ),
        )
        .with("from", self.as_str())
        .with("to", to.as_str())
        .with(
            "allowed",
            self.next()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ))
    }

    /// A move into this status is an authorization: the policy's verdict must allow it, or it
    /// is an override (with a reason, marked as such everywhere).
    pub fn is_gated(self) -> bool {
        matches!(self, ReleaseStatus::Approved | ReleaseStatus::Deploying)
    }

    /// No status follows this one: a move into it cannot be undone.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// Whether the release's content may still be edited. Once deployment starts the record
    /// is history: what was deployed must stay what was approved.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            ReleaseStatus::Draft | ReleaseStatus::Planned | ReleaseStatus::Approved
        )
    }
}

impl std::fmt::Display for ReleaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReleaseStatus {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().replace('-', "_");
        ReleaseStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == norm)
            .ok_or_else(|| {
                let all: Vec<_> = ReleaseStatus::ALL.iter().map(|s| s.as_str()).collect();
                unknown_choice("status", "status", s, &all)
            })
    }
}

/// A deployable part of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Component {
    pub name: String,
    pub version: String,
    /// Artifact digest, `sha256:<64 hex>`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// A change (ticket, merge request, commit) included in the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChangeRef {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Who wrote the change (an e-mail or a name): they may not approve the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// A named piece of evidence (test report, scan, SBOM) recorded as a link or a file digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceLink {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Everything a person decides about a release (status and history live elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleaseFields {
    pub service: String,
    pub version: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub change_type: ChangeType,
    #[serde(default)]
    pub risk: RiskLevel,
    pub environments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<PlannedWindow>,
    pub owner: KeyId,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub changes: Vec<ChangeRef>,
    #[serde(default)]
    pub rollback_plan: String,
    #[serde(default)]
    pub evidence: Vec<EvidenceLink>,
}

/// A partial edit: only the fields that change. `clear_window` removes the planned window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_type: Option<ChangeType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<PlannedWindow>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub clear_window: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<Component>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<ChangeRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<EvidenceLink>>,
}

impl ReleasePatch {
    pub fn is_empty(&self) -> bool {
        *self == ReleasePatch::default()
    }
}

impl ReleaseFields {
    /// Apply a patch (already validated or not: call [`ReleaseFields::validate`] afterwards).
    pub fn apply(&mut self, p: &ReleasePatch) {
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = &p.$f { self.$f = v.clone(); } )* };
        }
        set!(
            service,
            version,
            title,
            description,
            change_type,
            risk,
            environments,
            components,
            changes,
            rollback_plan,
            evidence
        );
        if p.clear_window {
            self.window = None;
        }
        if let Some(w) = &p.window {
            self.window = Some(w.clone());
        }
    }

    /// The digest of what an approval approves: `sha256:` and the hex SHA-256 of the canonical
    /// JSON of the release's id, service, version, change type, risk level, environments,
    /// planned window, components (with their digests), changes and rollback plan. Any change to
    /// one of these makes earlier approvals stale; title, description and evidence can change
    /// without that (evidence is judged by its own rules).
    pub fn governed_digest(&self, release_id: &ReleaseId) -> String {
        let governed = serde_json::json!({
            "release_id": release_id.0,
            "service": self.service,
            "version": self.version,
            "change_type": self.change_type,
            "risk": self.risk,
            "environments": self.environments,
            "window": self.window,
            "components": self.components,
            "changes": self.changes,
            "rollback_plan": self.rollback_plan,
        });
        let bytes = crate::canonical::to_canonical_bytes(&governed);
        format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
    }

    /// Normalise (trim, dedupe environments) and check every field rule, reporting every
    /// problem at once. Fields are named as a form names them: `service`, `environments`,
    /// `start`/`end`/`tz`, and a list's cells as `components.0.digest`, `changes.1.id`.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        let mut p = Problems::default();
        self.service = self.service.trim().to_string();
        self.version = self.version.trim().to_string();
        self.title = self.title.trim().to_string();
        p.check(check_name("service", &self.service));
        p.check(check_version("version", &self.version));
        if self.title.is_empty() {
            p.add(DomainError::problem(
                "title",
                ProblemCode::Required,
                "a release needs a title; say what it ships",
            ));
        }
        p.check(text::check_text(
            "title",
            &self.title,
            Lines::One,
            MAX_SHORT,
        ));
        p.check(text::check_text(
            "description",
            &self.description,
            Lines::Many,
            MAX_TEXT,
        ));
        p.check(text::check_text(
            "rollback_plan",
            &self.rollback_plan,
            Lines::Many,
            MAX_TEXT,
        ));
        let mut envs: Vec<String> = Vec::new();
        for env in &self.environments {
            let env = env.trim().to_string();
            let named = check_name("environment", &env).map_err(|e| e.for_field("environments"));
            if p.check(named).is_some() && !envs.contains(&env) {
                envs.push(env);
            }
        }
        if self.environments.is_empty() {
            p.add(DomainError::problem(
                "environments",
                ProblemCode::Required,
                "name at least one target environment (e.g. --env prod)",
            ));
        }
        if p.is_empty() {
            self.environments = envs;
        }
        if let Some(w) = &self.window {
            p.check(w.validate());
        }
        for (i, c) in self.components.iter().enumerate() {
            let row = format!("components.{i}");
            p.check_in(
                &row,
                check_name("component", &c.name).map_err(|e| e.for_field("name")),
            );
            if c.version.trim().is_empty() {
                p.add(DomainError::problem(
                    format!("{row}.version"),
                    ProblemCode::Required,
                    format!("component `{}` needs a version", c.name),
                ));
            }
            p.check_in(
                &row,
                text::check_text("version", &c.version, Lines::One, MAX_SHORT),
            );
            if let Some(d) = &c.digest {
                p.check_in(&row, check_digest(d));
            }
        }
        for (i, ch) in self.changes.iter().enumerate() {
            let row = format!("changes.{i}");
            if ch.id.trim().is_empty() {
                p.add(DomainError::problem(
                    format!("{row}.id"),
                    ProblemCode::Required,
                    "every included change needs an id (ticket, MR or commit)",
                ));
            }
            for (key, t) in [
                ("id", Some(&ch.id)),
                ("title", Some(&ch.title)),
                ("link", ch.link.as_ref()),
                ("author", ch.author.as_ref()),
            ] {
                if let Some(t) = t {
                    p.check_in(&row, text::check_text(key, t, Lines::One, MAX_SHORT));
                }
            }
        }
        for (i, ev) in self.evidence.iter().enumerate() {
            let row = format!("evidence.{i}");
            if ev.name.trim().is_empty() {
                p.add(DomainError::problem(
                    format!("{row}.name"),
                    ProblemCode::Required,
                    "evidence needs a name and a link or a file digest",
                ));
            }
            if ev.link.is_none() && ev.digest.is_none() {
                p.add(DomainError::problem(
                    format!("{row}.link"),
                    ProblemCode::Required,
                    "evidence needs a name and a link or a file digest",
                ));
            }
            p.check_in(
                &row,
                text::check_text("name", &ev.name, Lines::One, MAX_SHORT),
            );
            if let Some(link) = &ev.link {
                p.check_in(&row, text::check_text("link", link, Lines::One, MAX_TEXT));
            }
            if let Some(d) = &ev.digest {
                p.check_in(&row, check_digest(d));
            }
        }
        p.done()
    }
}

/// A semantic version (`1.4.0`, `2.0.0-rc.1`).
pub fn check_version(field: &str, v: &str) -> Result<(), DomainError> {
    if v.is_empty() {
        return Err(DomainError::problem(
            field,
            ProblemCode::Required,
            "no version; use MAJOR.MINOR.PATCH such as 1.4.0 or 2.0.0-rc.1",
        ));
    }
    semver::Version::parse(v).map(|_| ()).map_err(|e| {
        DomainError::problem(
            field,
            ProblemCode::BadVersion,
            format!("`{v}` is not a semantic version ({e}); use MAJOR.MINOR.PATCH such as 1.4.0 or 2.0.0-rc.1"),
        )
        .with("value", v)
    })
}

fn check_digest(d: &str) -> Result<(), DomainError> {
    let ok = d
        .strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(DomainError::problem(
            "digest",
            ProblemCode::BadDigest,
            format!("`{d}` is not a digest; use sha256: followed by 64 hex digits"),
        )
        .with("value", text::truncated(d, 80)))
    }
}

/// A value that must be one of `allowed`.
pub fn unknown_choice(field: &str, what: &str, value: &str, allowed: &[&str]) -> DomainError {
    DomainError::problem(
        field,
        ProblemCode::UnknownChoice,
        format!(
            "unknown {what} `{value}`; use one of {}",
            allowed.join(", ")
        ),
    )
    .with("value", text::truncated(value, 80))
    .with("allowed", allowed.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ReleaseFields {
        ReleaseFields {
            service: "payments-api".into(),
            version: "1.4.0".into(),
            title: "Faster refunds".into(),
            description: String::new(),
            change_type: ChangeType::Normal,
            risk: RiskLevel::Medium,
            environments: vec!["staging".into(), "prod".into(), "prod".into()],
            window: None,
            owner: KeyId("0011223344556677".into()),
            components: vec![],
            changes: vec![],
            rollback_plan: String::new(),
            evidence: vec![],
        }
    }

    #[track_caller]
    fn check(edit: impl FnOnce(&mut ReleaseFields), expected: Result<(), &str>) {
        let mut f = fields();
        edit(&mut f);
        match (f.validate(), expected) {
            (Ok(()), Ok(())) => {}
            (Err(e), Err(fragment)) => assert!(
                e.to_string().contains(fragment),
                "`{e}` should mention `{fragment}`"
            ),
            (got, want) => panic!("got {got:?}, wanted {want:?}"),
        }
    }

    #[test]
    fn field_rules() {
        check(|_| {}, Ok(()));
        check(|f| f.version = "1.4".into(), Err("not a semantic version"));
        check(
            |f| f.version = "v1.4.0".into(),
            Err("not a semantic version"),
        );
        check(|f| f.version = "2.0.0-rc.1+build.5".into(), Ok(()));
        check(|f| f.service = "  ".into(), Err("service name is empty"));
        check(
            |f| f.service = "pay ments".into(),
            Err("not a valid service name"),
        );
        check(|f| f.title = "".into(), Err("needs a title"));
        check(
            |f| f.environments.clear(),
            Err("at least one target environment"),
        );
        check(
            |f| {
                f.components.push(Component {
                    name: "api".into(),
                    version: "1".into(),
                    digest: Some("md5:abc".into()),
                })
            },
            Err("not a digest"),
        );
        check(
            |f| {
                f.evidence.push(EvidenceLink {
                    name: "tests".into(),
                    link: None,
                    digest: None,
                })
            },
            Err("a link or a file digest"),
        );
    }

    /// `(field, code)` of every problem `f` has.
    fn problems(mut f: ReleaseFields) -> Vec<(String, ProblemCode)> {
        match f.validate() {
            Ok(()) => vec![],
            Err(DomainError::Invalid(ps)) => ps.into_iter().map(|p| (p.field, p.code)).collect(),
            Err(other) => panic!("not an input error: {other}"),
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_beside_its_field() {
        use ProblemCode::*;
        let mut f = fields();
        f.service = String::new();
        f.version = "1.4".into();
        f.title = "a\u{1b}[2Jb".into();
        f.environments = vec!["prod".into(), "../etc".into()];
        f.components = vec![
            Component {
                name: "api".into(),
                version: "1.0.0".into(),
                digest: None,
            },
            Component {
                name: "".into(),
                version: " ".into(),
                digest: Some("md5:x".into()),
            },
        ];
        f.evidence = vec![EvidenceLink {
            name: "".into(),
            link: None,
            digest: None,
        }];
        let got = problems(f);
        let want = [
            ("service", Required),
            ("version", BadVersion),
            ("title", BadChar),
            ("environments", BadName),
            ("components.1.name", Required),
            ("components.1.version", Required),
            ("components.1.digest", BadDigest),
            ("evidence.0.name", Required),
            ("evidence.0.link", Required),
        ]
        .map(|(f, c)| (f.to_string(), c));
        assert_eq!(got, want);
        // The CLI reads the same problems, one per line.
        let mut f = fields();
        f.service = String::new();
        f.version = "x".into();
        let text = f.validate().unwrap_err().to_string();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.starts_with("service: the service name is empty"),
            "{text}"
        );
    }

    #[test]
    fn a_problem_carries_what_its_wording_needs() {
        let mut f = fields();
        f.title = "x".repeat(MAX_SHORT + 1);
        let Err(DomainError::Invalid(ps)) = f.validate() else {
            panic!("accepted")
        };
        assert_eq!(ps[0].code, ProblemCode::TooLong);
        assert_eq!(ps[0].params["max"], MAX_SHORT.to_string());
        assert_eq!(ps[0].params["length"], (MAX_SHORT + 1).to_string());
    }

    #[test]
    fn environments_are_deduplicated_in_order() {
        let mut f = fields();
        f.validate().unwrap();
        assert_eq!(f.environments, vec!["staging", "prod"]);
    }

    #[test]
    fn lifecycle_allows_only_listed_moves() {
        use ReleaseStatus::*;
        assert!(Draft.check_transition(Planned).is_ok());
        assert!(Deploying.check_transition(RolledBack).is_ok());
        let err = Draft.check_transition(Deployed).unwrap_err().to_string();
        assert!(err.contains("allowed next: planned, cancelled"), "{err}");
        let err = Reviewed.check_transition(Draft).unwrap_err().to_string();
        assert!(err.contains("final"), "{err}");
        for s in ReleaseStatus::ALL {
            assert_eq!(
                s.as_str().parse::<ReleaseStatus>().unwrap(),
                s,
                "status names round-trip"
            );
        }
        assert_eq!("rolled-back".parse::<ReleaseStatus>().unwrap(), RolledBack);
    }
}
