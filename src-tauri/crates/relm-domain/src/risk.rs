//! The risk register: risks that outlive any one release, scored on 5×5 scales, mitigated,
//! accepted (an authorization with a reason and an expiry) or closed.
//!
//! A risk's state is rebuilt from its signed events in ledger order, as a release's is. Its
//! *effective* status depends on the clock only through its acceptance: an acceptance past its
//! expiry leaves the risk open again, with no event needed ([`RiskState::status_at`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::keys::KeyId;
use crate::limits::{MAX_ITEMS, MAX_SHORT, MAX_TEXT};
use crate::text::{self, Lines, check_name};
use crate::{DomainError, ProblemCode, Problems, ReasonCode};

/// A closed set of text values with their wire names, parsed with a problem naming the field.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal {
        $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|c| c.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = $name::ALL.iter().map(|c| c.as_str()).collect();
                        $crate::release::unknown_choice($field, $what, s, &allowed)
                    })
            }
        }
    };
}

pub(crate) use choice;

choice!(
    /// What kind of harm a risk is about.
    RiskCategory, "category", "risk category" {
        Technical = "technical",
        Security = "security",
        Operational = "operational",
        Compliance = "compliance",
        Business = "business",
        Schedule = "schedule",
    }
);

choice!(
    /// Where a risk stands. `accepted` lasts until its acceptance expires.
    RiskStatus, "status", "risk status" {
        Open = "open",
        /// At least one mitigation is planned or done.
        Mitigating = "mitigating",
        /// An approver accepted it, with a reason, until a date.
        Accepted = "accepted",
        Closed = "closed",
    }
);

/// The labels of the likelihood scale, 1 to 5 (docs/risk.md).
pub const LIKELIHOOD: [&str; 5] = ["rare", "unlikely", "possible", "likely", "almost certain"];
/// The labels of the impact scale, 1 to 5 (docs/risk.md).
pub const IMPACT: [&str; 5] = ["negligible", "minor", "moderate", "major", "severe"];

/// A value on a 1–5 scale, or a problem naming `field`.
pub fn check_scale(field: &str, value: u8) -> Result<(), DomainError> {
    if (1..=5).contains(&value) {
        return Ok(());
    }
    Err(DomainError::problem(
        field,
        ProblemCode::OutOfRange,
        format!("{value} is outside the 1–5 scale"),
    )
    .with("min", 1)
    .with("max", 5))
}

/// A calendar date (`YYYY-MM-DD`), or a problem naming `field`.
pub fn check_date(field: &str, value: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        DomainError::problem(
            field,
            ProblemCode::BadTime,
            format!(
                "`{}` is not a date; write it as YYYY-MM-DD",
                text::truncated(value, 40)
            ),
        )
        .with("value", text::truncated(value, 40))
    })
}

/// What a risk is, as its author gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskFields {
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub category: RiskCategory,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: u8,
    /// 1 (negligible) to 5 (severe).
    pub impact: u8,
    /// The member who answers for it (its creator unless given).
    pub owner: KeyId,
    /// Services it threatens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Releases it threatens (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<String>,
    /// When it must be looked at again (`YYYY-MM-DD`).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
    /// Likelihood once the mitigations work; the inherent one until given.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual_likelihood: Option<u8>,
    /// Impact once the mitigations work; the inherent one until given.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual_impact: Option<u8>,
}

impl RiskFields {
    /// Check every field, trimming text and dropping repeated links; every problem at once.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        let mut p = Problems::default();
        self.title = self.title.trim().to_string();
        if self.title.is_empty() {
            p.add(DomainError::problem(
                "title",
                ProblemCode::Required,
                "a risk needs a title; say what could go wrong",
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
        p.check(check_scale("likelihood", self.likelihood));
        p.check(check_scale("impact", self.impact));
        if let Some(l) = self.residual_likelihood {
            p.check(check_scale("residual_likelihood", l));
        }
        if let Some(i) = self.residual_impact {
            p.check(check_scale("residual_impact", i));
        }
        let mut services: Vec<String> = Vec::new();
        for s in &self.services {
            let s = s.trim().to_string();
            if p.check(check_name("service", &s).map_err(|e| e.for_field("services")))
                .is_some()
                && !services.iter().any(|x| x.eq_ignore_ascii_case(&s))
            {
                services.push(s);
            }
        }
        let mut releases: Vec<String> = Vec::new();
        for r in &self.releases {
            let r = r.trim().to_lowercase();
            if !r.is_empty() && !releases.contains(&r) {
                releases.push(r);
            }
        }
        for (field, n) in [("services", services.len()), ("releases", releases.len())] {
            if n > MAX_ITEMS {
                p.add(
                    DomainError::problem(
                        field,
                        ProblemCode::TooLong,
                        format!("{n} links; at most {MAX_ITEMS}"),
                    )
                    .with("length", n)
                    .with("max", MAX_ITEMS),
                );
            }
        }
        if let Some(d) = &self.review_by
            && let Some(date) = p.check(check_date("review_by", d))
        {
            self.review_by = Some(date.to_string());
        }
        if p.is_empty() {
            self.services = services;
            self.releases = releases;
        }
        p.done()
    }

    /// Likelihood × impact, 1 to 25.
    pub fn score(&self) -> u8 {
        self.likelihood * self.impact
    }

    /// The residual score: the residual likelihood and impact where given, else the inherent.
    pub fn residual_score(&self) -> u8 {
        self.residual_likelihood.unwrap_or(self.likelihood)
            * self.residual_impact.unwrap_or(self.impact)
    }

    pub fn apply(&mut self, patch: &RiskPatch) {
        let RiskPatch {
            title,
            description,
            category,
            likelihood,
            impact,
            owner,
            services,
            releases,
            review_by,
            residual_likelihood,
            residual_impact,
        } = patch;
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = $f { self.$f = v.clone(); })* };
        }
        set!(
            title,
            description,
            category,
            likelihood,
            impact,
            owner,
            services,
            releases
        );
        if let Some(d) = review_by {
            self.review_by = Some(d.clone());
        }
        if let Some(l) = residual_likelihood {
            self.residual_likelihood = Some(*l);
        }
        if let Some(i) = residual_impact {
            self.residual_impact = Some(*i);
        }
    }
}

/// An edit of some fields; absent ones are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<RiskCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<KeyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual_likelihood: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual_impact: Option<u8>,
}

impl RiskPatch {
    pub fn is_empty(&self) -> bool {
        *self == RiskPatch::default()
    }
}

/// Something done to make a risk less likely or less harmful.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mitigation {
    pub action: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<KeyId>,
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default)]
    pub done: bool,
}

impl Mitigation {
    pub fn validate(&mut self) -> Result<(), DomainError> {
        let mut p = Problems::default();
        self.action = self.action.trim().to_string();
        if self.action.is_empty() {
            p.add(DomainError::problem(
                "action",
                ProblemCode::Required,
                "say what will be done",
            ));
        }
        p.check(text::check_text(
            "action",
            &self.action,
            Lines::Many,
            MAX_TEXT,
        ));
        if let Some(d) = &self.due
            && let Some(date) = p.check(check_date("due", d))
        {
            self.due = Some(date.to_string());
        }
        p.done()
    }
}

/// An approver's acceptance: the risk is borne as it is, for a reason, until an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Acceptance {
    pub by: KeyId,
    pub reason: String,
    /// RFC 3339 UTC: the acceptance no longer holds from this instant on.
    pub expires_at: String,
    /// When it was recorded (the event's time), RFC 3339 UTC.
    pub at: String,
}

/// Why and by whom a risk was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Closure {
    pub by: KeyId,
    pub reason: String,
    pub at: String,
}

/// A risk as its events made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskState {
    pub fields: RiskFields,
    pub status: RiskStatus,
    #[serde(default)]
    pub mitigations: Vec<Mitigation>,
    #[serde(default)]
    pub acceptance: Option<Acceptance>,
    #[serde(default)]
    pub closure: Option<Closure>,
}

impl RiskState {
    pub fn new(fields: RiskFields) -> Self {
        RiskState {
            fields,
            status: RiskStatus::Open,
            mitigations: Vec::new(),
            acceptance: None,
            closure: None,
        }
    }

    /// The status at `now`: an acceptance past its expiry leaves the risk open (or mitigating,
    /// if mitigations were planned) again.
    pub fn status_at(&self, now: DateTime<Utc>) -> RiskStatus {
        match (&self.status, &self.acceptance) {
            (RiskStatus::Accepted, Some(a)) if expired(a, now) => self.unaccepted(),
            (s, _) => *s,
        }
    }

    /// Whether an acceptance was given and has expired by `now`.
    pub fn acceptance_expired(&self, now: DateTime<Utc>) -> bool {
        self.status == RiskStatus::Accepted
            && self.acceptance.as_ref().is_some_and(|a| expired(a, now))
    }

    fn unaccepted(&self) -> RiskStatus {
        if self.mitigations.is_empty() {
            RiskStatus::Open
        } else {
            RiskStatus::Mitigating
        }
    }

    /// Refuse a change to a closed risk.
    pub fn check_open(&self, id: &str) -> Result<(), DomainError> {
        if self.status == RiskStatus::Closed {
            return Err(DomainError::conflict(
                ReasonCode::RiskClosed,
                format!("risk {id} is closed; its record is history"),
            )
            .with("id", id));
        }
        Ok(())
    }

    /// Whether `by` may accept this risk: not its owner (the role is the ledger's rule).
    pub fn check_acceptor(&self, by: &KeyId) -> Result<(), DomainError> {
        if *by == self.fields.owner {
            return Err(DomainError::unauthorized(
                ReasonCode::OwnerCannotAccept,
                "the risk's owner cannot accept it; another approver must",
            ));
        }
        Ok(())
    }

    /// A new mitigation, and the residual scores it brings if given: an open risk becomes
    /// mitigating.
    pub fn mitigate(&mut self, m: Mitigation, residual: (Option<u8>, Option<u8>)) {
        self.mitigations.push(m);
        if let Some(l) = residual.0 {
            self.fields.residual_likelihood = Some(l);
        }
        if let Some(i) = residual.1 {
            self.fields.residual_impact = Some(i);
        }
        if self.status == RiskStatus::Open {
            self.status = RiskStatus::Mitigating;
        }
    }
}

fn expired(a: &Acceptance, now: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc3339(&a.expires_at).is_ok_and(|t| t <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fields() -> RiskFields {
        RiskFields {
            title: " Card processor outage ".into(),
            description: String::new(),
            category: RiskCategory::Operational,
            likelihood: 3,
            impact: 5,
            owner: KeyId("aaaa".into()),
            services: vec!["payments-api".into(), "Payments-API".into()],
            releases: vec![],
            review_by: Some("2027-03-01".into()),
            residual_likelihood: None,
            residual_impact: None,
        }
    }

    #[test]
    fn fields_are_trimmed_scored_and_checked_all_at_once() {
        let mut f = fields();
        f.validate().unwrap();
        assert_eq!(f.title, "Card processor outage");
        assert_eq!(f.services, vec!["payments-api"]);
        assert_eq!((f.score(), f.residual_score()), (15, 15));
        let mut bad = RiskFields {
            title: " ".into(),
            likelihood: 0,
            impact: 6,
            review_by: Some("31/02/2027".into()),
            ..fields()
        };
        let Err(DomainError::Invalid(ps)) = bad.validate() else {
            panic!("refused")
        };
        let got: Vec<_> = ps.iter().map(|p| (p.field.as_str(), p.code)).collect();
        assert_eq!(
            got,
            vec![
                ("title", ProblemCode::Required),
                ("likelihood", ProblemCode::OutOfRange),
                ("impact", ProblemCode::OutOfRange),
                ("review_by", ProblemCode::BadTime),
            ]
        );
        assert!("finance".parse::<RiskCategory>().is_err());
        assert_eq!(
            "Security".parse::<RiskCategory>().unwrap(),
            RiskCategory::Security
        );
    }

    #[test]
    fn an_acceptance_lapses_by_the_clock_alone() {
        let mut s = RiskState::new(fields());
        s.status = RiskStatus::Accepted;
        s.acceptance = Some(Acceptance {
            by: KeyId("bbbb".into()),
            reason: "vendor SLA".into(),
            expires_at: "2027-01-01T00:00:00Z".into(),
            at: "2026-12-01T00:00:00Z".into(),
        });
        let before = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(s.status_at(before), RiskStatus::Accepted);
        assert_eq!(s.status_at(after), RiskStatus::Open);
        assert!(s.acceptance_expired(after));
        s.mitigations.push(Mitigation {
            action: "second processor".into(),
            owner: None,
            due: None,
            done: false,
        });
        assert_eq!(s.status_at(after), RiskStatus::Mitigating);
    }

    #[test]
    fn the_owner_cannot_accept_their_own_risk() {
        let s = RiskState::new(fields());
        assert!(s.check_acceptor(&KeyId("aaaa".into())).is_err());
        assert!(s.check_acceptor(&KeyId("bbbb".into())).is_ok());
    }
}
