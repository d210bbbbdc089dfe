//! Conflicts between planned releases and the calendar, and between releases.
//!
//! For each environment a release targets:
//! - inside a **hard freeze** that covers it: an error; a **soft freeze**: a warning (the
//!   release needs a written justification and an extra approval);
//! - a release that starts before a freeze and runs into it **crosses the freeze's start**
//!   (error or warning as the freeze);
//! - when maintenance **windows** cover a production environment, the release must lie wholly
//!   inside one of them; otherwise an error;
//! - a hard freeze beats a window: inside both, the freeze decides, and the conflict names it.
//!
//! Between releases (warnings): two releases of the same service, or to the same environment,
//! whose planned windows overlap.
//!
//! Every occurrence is expanded once over the span of the releases, then found by binary
//! search, so the cost grows with releases × log(occurrences).

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::entry::{Entry, Kind, Level, Scope};
use crate::expand::{ExpandError, occurrences};
use crate::fmt_utc;

/// A release as the calendar sees it: what, where, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub id: String,
    pub service: String,
    pub version: String,
    pub environments: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Code {
    InsideHardFreeze,
    InsideSoftFreeze,
    CrossesFreezeStart,
    OutsideWindows,
    SameServiceOverlap,
    SameEnvironmentOverlap,
    /// A calendar entry covering the release cannot be expanded (stored by an older version
    /// or another replica): no freeze can be ruled out.
    UnreadableEntry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conflict {
    pub release_id: String,
    pub service: String,
    pub version: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub severity: Severity,
    pub code: Code,
    /// The calendar entry that decided, when one did.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_name: Option<String>,
    /// The occurrence of the entry concerned (RFC 3339), when one is.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<(String, String)>,
    /// The other release, for overlaps.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_release: Option<String>,
    /// The other release as "service version", for overlaps.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_name: Option<String>,
    /// The maintenance window a hard freeze decided over, when the release is inside both.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_window: Option<String>,
    /// For overlaps: how many releases overlap it besides `other_release` (the same way: same
    /// service, or the same environment). One warning names the first and counts the rest, so
    /// seventy releases of an evening give seventy warnings, not thousands of pairs.
    #[cfg_attr(feature = "ts", ts(type = "number | undefined"))]
    #[serde(default, skip_serializing_if = "is_zero")]
    pub others: u32,
    pub reason: String,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One occurrence of one entry.
#[derive(Debug, Clone)]
struct Slot {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    entry: usize,
}

/// The calendar expanded over a span, ready to be asked about releases.
#[derive(Debug)]
pub struct Calendar<'a> {
    entries: &'a [(String, Entry)],
    /// Sorted by start.
    slots: Vec<Slot>,
    longest: TimeDelta,
    /// Entries that could not be expanded over the span (index, why).
    broken: Vec<(usize, String)>,
}

/// Occurrences expanded per entry at most (a guard; real calendars are far below).
pub const MAX_SLOTS_PER_ENTRY: usize = 100_000;

impl<'a> Calendar<'a> {
    /// Expand `entries` (id, entry) over `[from, to)`. An entry that cannot be expanded is
    /// kept aside ([`Calendar::unreadable`]): it must not hide the others.
    pub fn new(
        entries: &'a [(String, Entry)],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Calendar<'a> {
        let each = entries
            .iter()
            .map(|(_, e)| occurrences(e, from, to, MAX_SLOTS_PER_ENTRY));
        Self::build(entries, each)
    }

    /// [`Calendar::new`] from the spans `entries` remembers (the same calendar, expanded once
    /// for every release judged near the same days).
    pub fn remembered(
        entries: &'a crate::Entries,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Calendar<'a> {
        Self::build(entries, entries.all(from, to, MAX_SLOTS_PER_ENTRY))
    }

    fn build(
        entries: &'a [(String, Entry)],
        each: impl IntoIterator<Item = Result<Vec<crate::Occurrence>, ExpandError>>,
    ) -> Calendar<'a> {
        let mut slots = Vec::new();
        let mut broken = Vec::new();
        for (i, expanded) in each.into_iter().enumerate() {
            match expanded {
                Ok(list) => slots.extend(list.into_iter().map(|o| Slot {
                    start: o.start_utc,
                    end: o.end_utc,
                    entry: i,
                })),
                Err(why) => broken.push((i, why.to_string())),
            }
        }
        slots.sort_by_key(|s| s.start);
        let longest = slots
            .iter()
            .map(|s| s.end - s.start)
            .max()
            .unwrap_or_default();
        Calendar {
            entries,
            slots,
            longest,
            broken,
        }
    }

    /// Entries that cannot be expanded and concern a release of `service` to `env`:
    /// (id, name, why).
    pub fn unreadable(&self, service: &str, env: &str) -> Vec<(&'a str, &'a str, &str)> {
        self.broken
            .iter()
            .filter(|(i, _)| self.entries[*i].1.scope.covers(service, env))
            .map(|(i, why)| {
                let (id, e) = &self.entries[*i];
                (id.as_str(), e.name.as_str(), why.as_str())
            })
            .collect()
    }

    /// Occurrences overlapping `[start, end)`.
    fn overlapping(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> impl Iterator<Item = &Slot> {
        let first = self
            .slots
            .partition_point(|s| s.start < start - self.longest);
        self.slots[first..]
            .iter()
            .take_while(move |s| s.start < end)
            .filter(move |s| s.end > start)
    }

    /// Windows covering a whole range.
    fn covering(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> impl Iterator<Item = &Slot> {
        self.overlapping(start, end)
            .filter(move |s| s.start <= start && s.end >= end)
    }

    /// Whether windows cover `env` for `service` (so its releases must lie inside one).
    pub fn has_windows(&self, service: &str, env: &str) -> bool {
        self.entries
            .iter()
            .any(|(_, e)| e.kind == Kind::Window && e.scope.covers(service, env))
    }

    /// The name of a window occurrence holding the whole release, if one does.
    pub fn window_holding(&self, r: &Planned, env: &str) -> Option<&str> {
        self.covering(r.start, r.end)
            .map(|s| &self.entries[s.entry].1)
            .find(|e| e.kind == Kind::Window && e.scope.covers(&r.service, env))
            .map(|e| e.name.as_str())
    }

    /// The calendar's conflicts for one release and one environment. `production` says whether
    /// the environment's windows are required.
    pub fn judge(&self, r: &Planned, env: &str, production: bool) -> Vec<Conflict> {
        let mut out = Vec::new();
        let conflict = |severity, code, slot: Option<&Slot>, reason: String| Conflict {
            release_id: r.id.clone(),
            service: r.service.clone(),
            version: r.version.clone(),
            environment: Some(env.to_string()),
            severity,
            code,
            entry_id: slot.map(|s| self.entries[s.entry].0.clone()),
            entry_name: slot.map(|s| self.entries[s.entry].1.name.clone()),
            occurrence: slot.map(|s| (fmt_utc(s.start), fmt_utc(s.end))),
            other_release: None,
            other_name: None,
            over_window: None,
            others: 0,
            reason,
        };
        let covers = |s: &&Slot| self.entries[s.entry].1.scope.covers(&r.service, env);
        let freezes: Vec<&Slot> = self
            .overlapping(r.start, r.end)
            .filter(covers)
            .filter(|s| self.entries[s.entry].1.kind == Kind::Freeze)
            .collect();
        let mut hard_freeze = None;
        for s in &freezes {
            let e = &self.entries[s.entry].1;
            let hard = e.level != Some(Level::Soft);
            let severity = if hard {
                Severity::Error
            } else {
                Severity::Warning
            };
            let word = if hard { "hard" } else { "soft" };
            let when = format!("{} → {}", fmt_utc(s.start), fmt_utc(s.end));
            if hard {
                hard_freeze.get_or_insert(s.entry);
            }
            if r.start < s.start {
                out.push(conflict(
                    severity,
                    Code::CrossesFreezeStart,
                    Some(s),
                    format!(
                        "runs into the {word} freeze `{}` starting {}",
                        e.name,
                        fmt_utc(s.start)
                    ),
                ));
            } else {
                out.push(conflict(
                    severity,
                    if hard {
                        Code::InsideHardFreeze
                    } else {
                        Code::InsideSoftFreeze
                    },
                    Some(s),
                    format!("inside the {word} freeze `{}` ({when})", e.name),
                ));
            }
        }
        if production {
            let required = self
                .entries
                .iter()
                .any(|(_, e)| e.kind == Kind::Window && e.scope.covers(&r.service, env));
            if required {
                let inside = self
                    .covering(r.start, r.end)
                    .filter(covers)
                    .find(|s| self.entries[s.entry].1.kind == Kind::Window);
                match (inside, hard_freeze) {
                    (None, _) => out.push(conflict(
                        Severity::Error,
                        Code::OutsideWindows,
                        None,
                        format!(
                            "{env} has maintenance windows, and {} → {} lies in none of them",
                            fmt_utc(r.start),
                            fmt_utc(r.end)
                        ),
                    )),
                    (Some(w), Some(f)) => {
                        // Inside a window and a hard freeze: the freeze decides (already listed);
                        // say so on the freeze's conflict.
                        if let Some(c) = out
                            .iter_mut()
                            .find(|c| c.entry_id.as_deref() == Some(self.entries[f].0.as_str()))
                        {
                            let window = &self.entries[w.entry].1.name;
                            c.reason.push_str(&format!(
                                "; it decides over the window `{window}`, a hard freeze beats a window"
                            ));
                            c.over_window = Some(window.clone());
                        }
                    }
                    (Some(_), None) => {}
                }
            }
        }
        out
    }
}

/// The warning, attached to `b`, that `count` releases overlap it the same way (same service,
/// or `environment` in common): it names `a`, the first of them to start, and counts the others.
fn overlaps(
    a: &Planned,
    b: &Planned,
    code: Code,
    environment: Option<String>,
    count: u32,
) -> Conflict {
    let others = count.saturating_sub(1);
    let more = match others {
        0 => String::new(),
        1 => " and 1 other release".to_string(),
        n => format!(" and {n} other releases"),
    };
    let when = format!("{} → {}", fmt_utc(a.start), fmt_utc(a.end));
    let reason = match &environment {
        Some(env) => format!(
            "overlaps {} {}{more} in {env} ({when})",
            a.service, a.version
        ),
        None => format!(
            "overlaps {} {}{more} of the same service ({when})",
            a.service, a.version
        ),
    };
    Conflict {
        release_id: b.id.clone(),
        service: b.service.clone(),
        version: b.version.clone(),
        environment,
        severity: Severity::Warning,
        code,
        entry_id: None,
        entry_name: None,
        occurrence: None,
        other_release: Some(a.id.clone()),
        other_name: Some(format!("{} {}", a.service, a.version)),
        over_window: None,
        others,
        reason,
    }
}

/// The overlaps of `b` with `others` (the other releases whose windows overlap it, in any
/// order): per kind (same service; each environment in common), one warning naming the first
/// to start and counting the rest.
pub fn overlaps_of(b: &Planned, others: &[&Planned]) -> Vec<Conflict> {
    let mut near: Vec<&Planned> = (others.iter().copied())
        .filter(|a| a.id != b.id && a.start < b.end && b.start < a.end)
        .collect();
    near.sort_by_key(|a| (a.start, a.id.clone()));
    let mut out = Vec::new();
    let same: Vec<&&Planned> = near.iter().filter(|a| a.service == b.service).collect();
    if let Some(first) = same.first() {
        out.push(overlaps(
            first,
            b,
            Code::SameServiceOverlap,
            None,
            same.len() as u32,
        ));
    }
    for env in &b.environments {
        let shared: Vec<&&Planned> = near
            .iter()
            .filter(|a| a.environments.contains(env))
            .collect();
        if let Some(first) = shared.first() {
            out.push(overlaps(
                first,
                b,
                Code::SameEnvironmentOverlap,
                Some(env.clone()),
                shared.len() as u32,
            ));
        }
    }
    out
}

/// Every conflict of `releases` with the calendar and with each other, errors first, then by
/// release start. `production(env)` says which environments require their windows.
pub fn conflicts(
    releases: &[Planned],
    entries: &[(String, Entry)],
    production: impl Fn(&str) -> bool,
) -> Result<Vec<Conflict>, ExpandError> {
    let mut out = Vec::new();
    let (Some(from), Some(to)) = (
        releases.iter().map(|r| r.start).min(),
        releases.iter().map(|r| r.end).max(),
    ) else {
        return Ok(out);
    };
    let calendar = Calendar::new(entries, from, to);
    for r in releases {
        for env in &r.environments {
            for (id, name, why) in calendar.unreadable(&r.service, env) {
                out.push(Conflict {
                    release_id: r.id.clone(),
                    service: r.service.clone(),
                    version: r.version.clone(),
                    environment: Some(env.clone()),
                    severity: Severity::Error,
                    code: Code::UnreadableEntry,
                    entry_id: Some(id.to_string()),
                    entry_name: Some(name.to_string()),
                    occurrence: None,
                    other_release: None,
                    other_name: None,
                    over_window: None,
                    others: 0,
                    reason: format!(
                        "the calendar entry `{name}` ({id}) cannot be expanded ({why}), so no freeze can be ruled out; remove it with `relm calendar remove {id}` and add it again"
                    ),
                });
            }
            out.extend(calendar.judge(r, env, production(env)));
        }
    }
    // Overlaps between releases, attached to the later to start: a sweep over releases sorted
    // by start gathers, for each, those started before it that overlap it.
    let mut sorted: Vec<&Planned> = releases.iter().collect();
    sorted.sort_by_key(|r| (r.start, r.id.clone()));
    let mut earlier: Vec<Vec<&Planned>> = vec![Vec::new(); sorted.len()];
    for (i, a) in sorted.iter().enumerate() {
        for (j, b) in sorted.iter().enumerate().skip(i + 1) {
            if b.start >= a.end {
                break;
            }
            earlier[j].push(a);
        }
    }
    for (b, before) in sorted.iter().zip(&earlier) {
        out.extend(overlaps_of(b, before));
    }
    let starts: std::collections::HashMap<&str, DateTime<Utc>> =
        releases.iter().map(|r| (r.id.as_str(), r.start)).collect();
    let start_of = |id: &str| starts.get(id).copied();
    out.sort_by(|x, y| {
        (x.severity, start_of(&x.release_id), &x.release_id, x.code).cmp(&(
            y.severity,
            start_of(&y.release_id),
            &y.release_id,
            y.code,
        ))
    });
    Ok(out)
}

/// An occurrence as [`overriding_freezes`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct Span<'a> {
    pub kind: Kind,
    pub level: Option<Level>,
    pub scope: &'a Scope,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A hard freeze beats a maintenance window: for each span, the index of the first hard freeze
/// (by start) that overlaps it when it is a window and their scopes meet (an environment and a
/// service in common, an empty list meaning all). `None` for freezes and untouched windows.
pub fn overriding_freezes(spans: &[Span<'_>]) -> Vec<Option<usize>> {
    let mut hard: Vec<usize> = (0..spans.len())
        .filter(|&i| spans[i].kind == Kind::Freeze && spans[i].level != Some(Level::Soft))
        .collect();
    hard.sort_by_key(|&i| (spans[i].start, i));
    let longest = hard
        .iter()
        .map(|&i| spans[i].end - spans[i].start)
        .max()
        .unwrap_or_default();
    spans
        .iter()
        .map(|w| {
            if w.kind != Kind::Window {
                return None;
            }
            let first = hard.partition_point(|&i| spans[i].start < w.start - longest);
            hard[first..]
                .iter()
                .copied()
                .take_while(|&i| spans[i].start < w.end)
                .find(|&i| spans[i].end > w.start && w.scope.concerns(spans[i].scope))
        })
        .collect()
}
