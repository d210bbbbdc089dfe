//! Post-release reviews: how a release went, its incidents, what went well and badly, and the
//! actions that follow up; signed off by the release's owner and an approver.
//!
//! A review is written in signed edits, like a release. Its *digest* is what a sign-off binds
//! to: the outcome, the two texts and the incidents. Once the owner and an approver have signed
//! the same digest the review is done and is history; its actions are followed up after.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::limits::{MAX_ITEMS, MAX_SHORT, MAX_TEXT};
use crate::risk::choice;
use crate::text::{self, Lines};
use crate::{DomainError, ProblemCode, Problems};

choice!(
    /// How the release went, as its review says.
    ReviewOutcome, "outcome", "review outcome" {
        Succeeded = "succeeded",
        /// It went out, with problems on the way.
        SucceededWithIssues = "succeeded_with_issues",
        Failed = "failed",
        RolledBack = "rolled_back",
    }
);

choice!(
    /// How bad an incident was: sev1 (an outage) to sev4 (cosmetic).
    IncidentSeverity, "severity", "incident severity" {
        Sev1 = "sev1",
        Sev2 = "sev2",
        Sev3 = "sev3",
        Sev4 = "sev4",
    }
);

/// An incident the release caused or met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Incident {
    /// Its reference in the incident tool (`INC-4411`).
    pub reference: String,
    pub severity: IncidentSeverity,
    /// RFC 3339 UTC.
    pub start: String,
    /// RFC 3339 UTC; absent while it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub end: Option<String>,
}

impl Incident {
    /// Read `REF:SEVERITY:START[:END]` (times in RFC 3339, whose own colons are told apart by
    /// the date that starts the end).
    pub fn parse(text: &str) -> Result<Incident, DomainError> {
        let bad = |why: String| {
            DomainError::problem("incidents", ProblemCode::Other, why)
                .with("value", text::truncated(text, 80))
        };
        let mut parts = text.trim().splitn(3, ':');
        let (Some(reference), Some(severity), Some(times)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad(format!(
                "`{}` is not REF:SEVERITY:START[:END] (e.g. INC-4411:sev2:2027-03-19T18:10:00Z:2027-03-19T19:00:00Z)",
                text::truncated(text, 80)
            )));
        };
        // The end starts at the first `:` followed by a date (YYYY-).
        let split = times.char_indices().find(|&(i, c)| {
            c == ':'
                && times[i + 1..].len() >= 5
                && times[i + 1..i + 5].bytes().all(|b| b.is_ascii_digit())
                && times.as_bytes().get(i + 5) == Some(&b'-')
        });
        let (start, end) = match split {
            Some((i, _)) => (&times[..i], Some(&times[i + 1..])),
            None => (times, None),
        };
        let end = end.filter(|e| !e.trim().is_empty());
        let mut i = Incident {
            reference: reference.trim().to_string(),
            severity: severity.parse()?,
            start: start.trim().to_string(),
            end: end.map(|e| e.trim().to_string()),
        };
        i.validate()?;
        Ok(i)
    }

    /// Check and normalise (times to RFC 3339 UTC, to the second).
    pub fn validate(&mut self) -> Result<(), DomainError> {
        let mut problems = Problems::default();
        if self.reference.trim().is_empty() {
            problems.add(DomainError::problem(
                "incidents",
                ProblemCode::Required,
                "an incident needs its reference (e.g. INC-4411)",
            ));
        }
        problems.check(text::check_text(
            "incidents",
            &self.reference,
            Lines::One,
            MAX_SHORT,
        ));
        let time = |s: &str| {
            DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    DomainError::problem(
                        "incidents",
                        ProblemCode::BadTime,
                        format!(
                            "`{}` is not an RFC 3339 time; use e.g. 2027-03-19T18:00:00Z",
                            text::truncated(s, 40)
                        ),
                    )
                    .with("value", text::truncated(s, 40))
                })
        };
        let start = problems.check(time(&self.start));
        let end = self.end.as_deref().and_then(|e| problems.check(time(e)));
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            problems.add(DomainError::problem(
                "incidents",
                ProblemCode::EndBeforeStart,
                format!("incident {} ends before it starts", self.reference),
            ));
        }
        problems.done()?;
        if let Some(s) = start {
            self.start = crate::window::fmt_utc(s);
        }
        self.end = end.map(crate::window::fmt_utc);
        self.reference = self.reference.trim().to_string();
        Ok(())
    }
}

/// What a review says, as edited so far.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub outcome: Option<ReviewOutcome>,
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub went_badly: String,
    #[serde(default)]
    pub incidents: Vec<Incident>,
}

/// Some of a review's fields; the incidents, when given, replace the list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub outcome: Option<ReviewOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub went_well: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub went_badly: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub incidents: Option<Vec<Incident>>,
}

impl ReviewPatch {
    pub fn is_empty(&self) -> bool {
        self == &ReviewPatch::default()
    }

    /// Check the texts and incidents, every problem at once.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        let mut problems = Problems::default();
        for (field, v) in [
            ("went_well", &mut self.went_well),
            ("went_badly", &mut self.went_badly),
        ] {
            if let Some(t) = v {
                *t = t.trim().to_string();
                problems.check(text::check_text(field, t, Lines::Many, MAX_TEXT));
            }
        }
        if let Some(list) = &mut self.incidents {
            if list.len() > MAX_ITEMS {
                problems.add(DomainError::problem(
                    "incidents",
                    ProblemCode::TooLong,
                    format!("{} incidents; the limit is {MAX_ITEMS}", list.len()),
                ));
            }
            for i in list.iter_mut() {
                problems.check(i.validate());
            }
        }
        problems.done()
    }
}

impl ReviewContent {
    pub fn apply(&mut self, patch: &ReviewPatch) {
        if let Some(o) = patch.outcome {
            self.outcome = Some(o);
        }
        if let Some(t) = &patch.went_well {
            self.went_well = t.clone();
        }
        if let Some(t) = &patch.went_badly {
            self.went_badly = t.clone();
        }
        if let Some(list) = &patch.incidents {
            self.incidents = list.clone();
        }
    }

    /// What a sign-off binds to: `sha256:` and the hex SHA-256 of the content's canonical JSON.
    pub fn digest(&self) -> String {
        let bytes = crate::canonical::to_canonical_bytes(self);
        format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
    }

    /// What the content lacks before it can be signed: an outcome, and what went well or badly.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.outcome.is_none() {
            out.push("outcome");
        }
        if self.went_well.trim().is_empty() && self.went_badly.trim().is_empty() {
            out.push("went_well");
        }
        out
    }
}

/// An action's due date, checked: a date, and not before `today` when it is set.
pub fn check_due(value: &str, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    let due = crate::risk::check_date("due", value)?;
    if due < today {
        return Err(DomainError::problem(
            "due",
            ProblemCode::Past,
            format!("{due} has passed; give a date from today on"),
        )
        .with("value", due));
    }
    Ok(due)
}

/// An action title, checked.
pub fn check_title(value: &str) -> Result<String, DomainError> {
    let t = value.trim().to_string();
    if t.is_empty() {
        return Err(DomainError::problem(
            "title",
            ProblemCode::Required,
            "say what is to be done: --title TEXT",
        ));
    }
    text::check_text("title", &t, Lines::One, MAX_SHORT)?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn incidents_read_with_the_colons_of_their_times() {
        let i = Incident::parse("INC-4411:sev2:2027-03-19T18:10:00Z:2027-03-19T20:00:00+01:00")
            .unwrap();
        assert_eq!(i.reference, "INC-4411");
        assert_eq!(i.severity, IncidentSeverity::Sev2);
        assert_eq!(i.start, "2027-03-19T18:10:00Z");
        assert_eq!(i.end.as_deref(), Some("2027-03-19T19:00:00Z"));
        let open = Incident::parse("INC-7:SEV1:2027-03-19T18:10:00Z").unwrap();
        assert_eq!(open.end, None);
        for bad in [
            "INC-7",
            "INC-7:sev9:2027-03-19T18:10:00Z",
            "INC-7:sev1:yesterday",
            ":sev1:2027-03-19T18:10:00Z",
            "INC-7:sev1:2027-03-19T18:10:00Z:2027-03-19T17:00:00Z",
        ] {
            assert!(Incident::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_digest_changes_with_the_content() {
        let mut c = ReviewContent::default();
        let empty = c.digest();
        c.apply(&ReviewPatch {
            went_well: Some("fast rollback".into()),
            ..Default::default()
        });
        assert_ne!(c.digest(), empty);
        assert!(c.digest().starts_with("sha256:"));
        assert_eq!(c.missing(), ["outcome"]);
    }
}
