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
#[derive(Debug, Clone)]
pub struct Calendar<'a> {
    entries: &'a [(String, Entry)],
    /// Sorted by start.
    slots: Vec<Slot>,
    longest: TimeDelta,
    /// Entries that could not be expanded over the span (index, why).
    broken: Vec<(usize, String)>,
    /// The maintenance windows among the entries (indices): asked about for every release and
    /// environment, and far fewer than the entries.
    windows: Vec<usize>,
}

/// Occurrences expanded per entry at most (a guard; real calendars are far below).
pub const MAX_SLOTS_PER_ENTRY: usize = 100_000;

/// A conflict found and not yet worded: what a [`Conflict`] will say, by reference. Counting
/// and ordering thousands of conflicts then costs no string; only those shown are worded.
#[derive(Debug, Clone, Copy)]
enum Found<'r> {
    /// An entry covering the release that cannot be expanded (index into `broken`).
    Unreadable {
        r: &'r Planned,
        env: &'r str,
        broken: usize,
    },
    /// Inside a freeze occurrence, or running into it (index into `slots`); `over_window`, the
    /// window occurrence a hard freeze decides over.
    Freeze {
        r: &'r Planned,
        env: &'r str,
        slot: usize,
        over_window: Option<usize>,
    },
    OutsideWindows {
        r: &'r Planned,
        env: &'r str,
    },
    /// `b` overlaps `count` releases the same way, `a` the first of them to start.
    Overlap {
        a: &'r Planned,
        b: &'r Planned,
        env: Option<&'r str>,
        count: u32,
    },
}

impl<'r> Found<'r> {
    /// The release the conflict is attached to.
    fn release(&self) -> &'r Planned {
        match *self {
            Found::Unreadable { r, .. }
            | Found::Freeze { r, .. }
            | Found::OutsideWindows { r, .. } => r,
            Found::Overlap { b, .. } => b,
        }
    }

    fn severity(&self, cal: &Calendar<'_>) -> Severity {
        match *self {
            Found::Unreadable { .. } | Found::OutsideWindows { .. } => Severity::Error,
            Found::Freeze { slot, .. } if cal.hard(slot) => Severity::Error,
            Found::Freeze { .. } | Found::Overlap { .. } => Severity::Warning,
        }
    }

    fn code(&self, cal: &Calendar<'_>) -> Code {
        match *self {
            Found::Unreadable { .. } => Code::UnreadableEntry,
            Found::OutsideWindows { .. } => Code::OutsideWindows,
            Found::Freeze { r, slot, .. } if r.start < cal.slots[slot].start => {
                Code::CrossesFreezeStart
            }
            Found::Freeze { slot, .. } if cal.hard(slot) => Code::InsideHardFreeze,
            Found::Freeze { .. } => Code::InsideSoftFreeze,
            Found::Overlap { env, .. } => overlap_code(env),
        }
    }

    /// The conflict in words; `cal` is the calendar that found it.
    fn word(&self, cal: &Calendar<'_>) -> Conflict {
        let (r, env) = match *self {
            Found::Overlap { a, b, env, count } => return overlaps(a, b, env, count),
            Found::Unreadable { r, env, .. }
            | Found::Freeze { r, env, .. }
            | Found::OutsideWindows { r, env } => (r, env),
        };
        let mut c = Conflict {
            release_id: r.id.clone(),
            service: r.service.clone(),
            version: r.version.clone(),
            environment: Some(env.to_string()),
            severity: self.severity(cal),
            code: self.code(cal),
            entry_id: None,
            entry_name: None,
            occurrence: None,
            other_release: None,
            other_name: None,
            over_window: None,
            others: 0,
            reason: String::new(),
        };
        match *self {
            Found::Unreadable { broken, .. } => {
                let (i, why) = &cal.broken[broken];
                let (id, e) = &cal.entries[*i];
                let name = &e.name;
                c.reason = format!(
                    "the calendar entry `{name}` ({id}) cannot be expanded ({why}), so no freeze can be ruled out; remove it with `relm calendar remove {id}` and add it again"
                );
                c.entry_id = Some(id.clone());
                c.entry_name = Some(name.clone());
            }
            Found::Freeze {
                slot, over_window, ..
            } => {
                let s = &cal.slots[slot];
                let (id, e) = &cal.entries[s.entry];
                let word = if cal.hard(slot) { "hard" } else { "soft" };
                c.reason = if c.code == Code::CrossesFreezeStart {
                    format!(
                        "runs into the {word} freeze `{}` starting {}",
                        e.name,
                        fmt_utc(s.start)
                    )
                } else {
                    format!(
                        "inside the {word} freeze `{}` ({} → {})",
                        e.name,
                        fmt_utc(s.start),
                        fmt_utc(s.end)
                    )
                };
                if let Some(w) = over_window {
                    let window = &cal.entries[cal.slots[w].entry].1.name;
                    c.reason.push_str(&format!(
                        "; it decides over the window `{window}`, a hard freeze beats a window"
                    ));
                    c.over_window = Some(window.clone());
                }
                c.entry_id = Some(id.clone());
                c.entry_name = Some(e.name.clone());
                c.occurrence = Some((fmt_utc(s.start), fmt_utc(s.end)));
            }
            Found::OutsideWindows { .. } => {
                c.reason = format!(
                    "{env} has maintenance windows, and {} → {} lies in none of them",
                    fmt_utc(r.start),
                    fmt_utc(r.end)
                );
            }
            Found::Overlap { .. } => {}
        }
        c
    }
}

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
        match entries.merged_in(from, to) {
            Some(found) => Self::assemble(
                entries,
                (found.into_iter())
                    .map(|(start, end, entry)| Slot { start, end, entry })
                    .collect(),
                Vec::new(),
            ),
            None => Self::build(entries, entries.all(from, to, MAX_SLOTS_PER_ENTRY)),
        }
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
        Self::assemble(entries, slots, broken)
    }

    /// The calendar of `slots`, sorted by start, and the entries that could not be expanded.
    fn assemble(
        entries: &'a [(String, Entry)],
        slots: Vec<Slot>,
        broken: Vec<(usize, String)>,
    ) -> Calendar<'a> {
        let longest = slots
            .iter()
            .map(|s| s.end - s.start)
            .max()
            .unwrap_or_default();
        let windows = (0..entries.len())
            .filter(|&i| entries[i].1.kind == Kind::Window)
            .collect();
        Calendar {
            entries,
            slots,
            longest,
            broken,
            windows,
        }
    }

    /// Whether the occurrence `slot` is of a hard freeze (a freeze not marked soft).
    fn hard(&self, slot: usize) -> bool {
        self.entries[self.slots[slot].entry].1.level != Some(Level::Soft)
    }

    /// Entries that cannot be expanded and concern a release of `service` to `env`:
    /// (id, name, why).
    pub fn unreadable(&self, service: &str, env: &str) -> Vec<(&'a str, &'a str, &str)> {
        self.unreadable_at(service, env)
            .map(|b| {
                let (i, why) = &self.broken[b];
                let (id, e) = &self.entries[*i];
                (id.as_str(), e.name.as_str(), why.as_str())
            })
            .collect()
    }

    /// [`Calendar::unreadable`], as indices into `broken`.
    fn unreadable_at(&self, service: &str, env: &str) -> impl Iterator<Item = usize> {
        (0..self.broken.len())
            .filter(move |&b| self.entries[self.broken[b].0].1.scope.covers(service, env))
    }

    /// Occurrences overlapping `[start, end)`, as indices into `slots`.
    fn overlapping(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> impl Iterator<Item = usize> {
        let first = self
            .slots
            .partition_point(|s| s.start < start - self.longest);
        (first..self.slots.len())
            .take_while(move |&i| self.slots[i].start < end)
            .filter(move |&i| self.slots[i].end > start)
    }

    /// Occurrences covering a whole range.
    fn covering(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> impl Iterator<Item = usize> {
        self.overlapping(start, end)
            .filter(move |&i| self.slots[i].start <= start && self.slots[i].end >= end)
    }

    /// Whether windows cover `env` for `service` (so its releases must lie inside one).
    pub fn has_windows(&self, service: &str, env: &str) -> bool {
        (self.windows.iter()).any(|&i| self.entries[i].1.scope.covers(service, env))
    }

    /// The name of a window occurrence holding the whole release, if one does.
    pub fn window_holding(&self, r: &Planned, env: &str) -> Option<&str> {
        self.covering(r.start, r.end)
            .map(|s| &self.entries[self.slots[s].entry].1)
            .find(|e| e.kind == Kind::Window && e.scope.covers(&r.service, env))
            .map(|e| e.name.as_str())
    }

    /// The calendar's conflicts for one release and one environment. `production` says whether
    /// the environment's windows are required.
    pub fn judge(&self, r: &Planned, env: &str, production: bool) -> Vec<Conflict> {
        let mut found = Vec::new();
        let windows_required = production && self.has_windows(&r.service, env);
        self.find(r, env, windows_required, &mut found);
        found.iter().map(|f| f.word(self)).collect()
    }

    /// [`Calendar::judge`], unworded, added to `out`. `windows_required`: the environment is
    /// production and windows cover it for the release's service.
    fn find<'r>(
        &self,
        r: &'r Planned,
        env: &'r str,
        windows_required: bool,
        out: &mut Vec<Found<'r>>,
    ) {
        let entry = |s: usize| &self.entries[self.slots[s].entry].1;
        let covers = |&s: &usize| entry(s).scope.covers(&r.service, env);
        let mut hard_freeze = None;
        for slot in self
            .overlapping(r.start, r.end)
            .filter(covers)
            .filter(|&s| entry(s).kind == Kind::Freeze)
        {
            if self.hard(slot) && hard_freeze.is_none() {
                hard_freeze = Some(out.len());
            }
            out.push(Found::Freeze {
                r,
                env,
                slot,
                over_window: None,
            });
        }
        if windows_required {
            let inside = self
                .covering(r.start, r.end)
                .filter(covers)
                .find(|&s| entry(s).kind == Kind::Window);
            match (inside, hard_freeze) {
                (None, _) => out.push(Found::OutsideWindows { r, env }),
                // Inside a window and a hard freeze: the freeze decides (already listed), and
                // says so.
                (Some(w), Some(f)) => {
                    if let Found::Freeze { over_window, .. } = &mut out[f] {
                        *over_window = Some(w);
                    }
                }
                (Some(_), None) => {}
            }
        }
    }
}

/// The warning, attached to `b`, that `count` releases overlap it the same way (same service,
/// or `environment` in common): it names `a`, the first of them to start, and counts the others.
fn overlaps(a: &Planned, b: &Planned, environment: Option<&str>, count: u32) -> Conflict {
    let others = count.saturating_sub(1);
    let more = match others {
        0 => String::new(),
        1 => " and 1 other release".to_string(),
        n => format!(" and {n} other releases"),
    };
    let when = format!("{} → {}", fmt_utc(a.start), fmt_utc(a.end));
    let reason = match environment {
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
        environment: environment.map(str::to_string),
        severity: Severity::Warning,
        code: overlap_code(environment),
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

/// Overlapping the same service, or in `Some` environment.
fn overlap_code(environment: Option<&str>) -> Code {
    match environment {
        None => Code::SameServiceOverlap,
        Some(_) => Code::SameEnvironmentOverlap,
    }
}

/// Releases by planned start, then id.
fn by_start(a: &&Planned, b: &&Planned) -> std::cmp::Ordering {
    (a.start, &a.id).cmp(&(b.start, &b.id))
}

/// The overlaps of `b` with `others` (the other releases whose windows overlap it, in any
/// order): per kind (same service; each environment in common), one warning naming the first
/// to start and counting the rest.
pub fn overlaps_of(b: &Planned, others: &[&Planned]) -> Vec<Conflict> {
    let mut found = Vec::new();
    find_overlaps(b, others, &mut found);
    (found.iter())
        .filter_map(|f| match *f {
            Found::Overlap { a, b, env, count } => Some(overlaps(a, b, env, count)),
            _ => None,
        })
        .collect()
}

/// [`overlaps_of`], unworded, added to `out`.
fn find_overlaps<'r>(b: &'r Planned, others: &[&'r Planned], out: &mut Vec<Found<'r>>) {
    let mut near = others.to_vec();
    near.sort_by(by_start);
    near.push(b);
    let keyed = Keyed::all(&near);
    if let Some((b, others)) = keyed.split_last() {
        find_overlaps_sorted(b, others.iter(), out);
    }
}

/// A release with its id, service and environments as numbers: the sweep over a busy
/// calendar compares them for every pair of releases that overlap.
struct Keyed<'r> {
    r: &'r Planned,
    id: u32,
    service: u32,
    envs: Vec<u32>,
}

impl<'r> Keyed<'r> {
    /// Each of `releases`, keyed (one number for each distinct text).
    fn all(releases: &[&'r Planned]) -> Vec<Keyed<'r>> {
        let mut numbers: std::collections::HashMap<&'r str, u32> = Default::default();
        let mut number = |text: &'r str| {
            let next = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
            *numbers.entry(text).or_insert(next)
        };
        (releases.iter())
            .map(|&r| Keyed {
                r,
                id: number(&r.id),
                service: number(&r.service),
                envs: r.environments.iter().map(|e| number(e)).collect(),
            })
            .collect()
    }
}

/// [`find_overlaps`] with `others` sorted [`by_start`]: one pass, the first of each kind kept
/// and the rest counted.
fn find_overlaps_sorted<'r, 'k>(
    b: &Keyed<'r>,
    others: impl Iterator<Item = &'k Keyed<'r>>,
    out: &mut Vec<Found<'r>>,
) where
    'r: 'k,
{
    type Seen<'r> = Option<(&'r Planned, u32)>;
    let see = |seen: &mut Seen<'r>, a: &'r Planned| match seen {
        Some((_, n)) => *n += 1,
        None => *seen = Some((a, 1)),
    };
    let mut same: Seen<'r> = None;
    let mut shared: Vec<Seen<'r>> = vec![None; b.envs.len()];
    let near = others.filter(|a| a.id != b.id && a.r.start < b.r.end && b.r.start < a.r.end);
    for a in near {
        if a.service == b.service {
            see(&mut same, a.r);
        }
        for (seen, env) in shared.iter_mut().zip(&b.envs) {
            if a.envs.contains(env) {
                see(seen, a.r);
            }
        }
    }
    let b = b.r;
    let overlap = |(a, count): (&'r Planned, u32), env| Found::Overlap { a, b, env, count };
    out.extend(same.map(|s| overlap(s, None)));
    for (seen, env) in shared.into_iter().zip(&b.environments) {
        out.extend(seen.map(|s| overlap(s, Some(env.as_str()))));
    }
}

/// Conflicts counted, and those asked for worded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    /// The first conflicts, in the order of [`conflicts`].
    pub conflicts: Vec<Conflict>,
    /// How many in all, and how many of them errors.
    pub total: usize,
    pub errors: usize,
    /// The releases an error blocks, sorted.
    pub blocked: Vec<String>,
}

/// Every conflict of `releases` with the calendar and with each other, errors first, then by
/// release start. `production(env)` says which environments require their windows.
pub fn conflicts(
    releases: &[Planned],
    entries: &[(String, Entry)],
    production: impl Fn(&str) -> bool,
) -> Result<Vec<Conflict>, ExpandError> {
    Ok(conflicts_counted(releases, entries, production, None, usize::MAX)?.conflicts)
}

/// [`conflicts`] counted, with the first `limit` worded; with `only`, those of that release
/// alone. Only the conflicts shown cost their sentences.
pub fn conflicts_counted(
    releases: &[Planned],
    entries: &[(String, Entry)],
    production: impl Fn(&str) -> bool,
    only: Option<&str>,
    limit: usize,
) -> Result<Counted, ExpandError> {
    let (Some(from), Some(to)) = (
        releases.iter().map(|r| r.start).min(),
        releases.iter().map(|r| r.end).max(),
    ) else {
        return Ok(Counted::default());
    };
    let calendar = Calendar::new(entries, from, to);
    let asked = |r: &Planned| only.is_none_or(|id| r.id == id);
    let mut found = Vec::new();
    // Whether windows are required, asked once per service and environment rather than for
    // each release (every window's scope is read to answer).
    let mut required = std::collections::HashMap::new();
    for r in releases.iter().filter(|r| asked(r)) {
        for env in &r.environments {
            let windows_required = *(required.entry((r.service.as_str(), env.as_str())))
                .or_insert_with(|| production(env) && calendar.has_windows(&r.service, env));
            found.extend(
                (calendar.unreadable_at(&r.service, env)).map(|broken| Found::Unreadable {
                    r,
                    env,
                    broken,
                }),
            );
            calendar.find(r, env, windows_required, &mut found);
        }
    }
    // Overlaps between releases, attached to the later to start: a sweep over releases sorted
    // by start gathers, for each, those started before it that overlap it (in that order).
    let mut sorted: Vec<&Planned> = releases.iter().collect();
    sorted.sort_by(by_start);
    let keyed = Keyed::all(&sorted);
    let mut earlier: Vec<Vec<usize>> = vec![Vec::new(); sorted.len()];
    for (i, a) in sorted.iter().enumerate() {
        for (j, b) in sorted.iter().enumerate().skip(i + 1) {
            if b.start >= a.end {
                break;
            }
            earlier[j].push(i);
        }
    }
    for (b, before) in keyed.iter().zip(&earlier) {
        if asked(b.r) {
            find_overlaps_sorted(b, before.iter().map(|&i| &keyed[i]), &mut found);
        }
    }
    found.sort_by(|x, y| {
        let (a, b) = (x.release(), y.release());
        (x.severity(&calendar), a.start, &a.id, x.code(&calendar)).cmp(&(
            y.severity(&calendar),
            b.start,
            &b.id,
            y.code(&calendar),
        ))
    });
    let errors = (found.iter())
        .take_while(|f| f.severity(&calendar) == Severity::Error)
        .count();
    let mut blocked: Vec<&str> = (found[..errors].iter())
        .map(|f| f.release().id.as_str())
        .collect();
    blocked.sort_unstable();
    blocked.dedup();
    Ok(Counted {
        conflicts: (found.iter().take(limit))
            .map(|f| f.word(&calendar))
            .collect(),
        total: found.len(),
        errors,
        blocked: blocked.into_iter().map(str::to_string).collect(),
    })
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
