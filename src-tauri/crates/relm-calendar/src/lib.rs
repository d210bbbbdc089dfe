//! The release calendar: freezes (hard or soft) and maintenance windows, once or recurring
//! (RFC 5545 RRULE with EXDATE/RDATE) in an IANA zone, and their occurrences in a range.
//!
//! Pure: no clock, no I/O. [`entry`] holds the model and its rules, [`expand`] turns an entry
//! into occurrences with daylight-saving changes handled on wall-clock times.

pub mod conflicts;
pub mod entry;
pub mod expand;
pub mod ics;
pub mod ics_read;
pub mod remembered;
pub mod vtimezone;

pub use conflicts::{Calendar, Conflict, Counted, Planned, Severity, conflicts, conflicts_counted};
pub use entry::{
    Entry, EntryError, Kind, Level, Override, Period, RuleMistake, RuleReason, Scope, fmt_local,
    label, parse_local, zone,
};
pub use expand::{ExpandError, Occurrence, occurrences, resolve};
pub use remembered::Entries;

/// `2027-03-19T17:00:00Z`.
pub fn fmt_utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
