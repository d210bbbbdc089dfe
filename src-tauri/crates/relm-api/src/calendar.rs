//! Calendar use-cases: add, update and remove freezes and maintenance windows, list entries,
//! and expand occurrences in a range.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use relm_calendar::conflicts::{Span, overriding_freezes};
use relm_calendar::entry::MAX_DURATION_DAYS;
use relm_calendar::ics_read::{Note as IcsNote, NoteCode};
use relm_calendar::{Entry, EntryError, Kind, Level, Scope, fmt_local, fmt_utc, parse_local, zone};
use relm_domain::ids::CalendarEntryId;
use relm_domain::payload::EventBody;
use relm_store::projection::calendar::{self, CalendarRow};

use crate::error::{ApiError, ErrorCode, Result};
use crate::session::{Relm, random};
use relm_domain::{DomainError, ProblemCode, Problems, ReasonCode};

/// A calendar entry as a person describes it (CLI options, UI form).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct CalendarInput {
    /// `freeze` or `window`.
    pub kind: Option<String>,
    /// For freezes: soft (warns) instead of hard (blocks, the default).
    pub soft: bool,
    pub name: Option<String>,
    /// Wall-clock time in `tz` of the first (or only) occurrence, e.g. `2027-03-19T18:00`.
    pub start: Option<String>,
    pub end: Option<String>,
    pub tz: Option<String>,
    pub rrule: Option<String>,
    pub exdates: Vec<String>,
    pub rdates: Vec<String>,
    pub environments: Vec<String>,
    pub services: Vec<String>,
    pub reason: Option<String>,
    /// The member answerable for it: a key id (or a unique prefix) or an e-mail; whoever
    /// records it by default.
    pub owner: Option<String>,
}

/// How to import an iCalendar file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ImportRequest {
    /// `freeze`, `window` or `holidays`.
    pub kind: String,
    /// The holiday set's name (required for `holidays`).
    pub name: Option<String>,
    /// Zone for floating times and all-day dates (default UTC).
    pub tz: Option<String>,
    pub soft: bool,
    /// Holidays: freeze the day before each holiday too.
    pub day_before: bool,
    pub environments: Vec<String>,
    pub services: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportOutcome {
    pub added: u32,
    pub updated: u32,
    /// Holidays: the dates frozen.
    pub dates: u32,
    /// How the file was read where it needed a choice (events without an end, zones the
    /// file defines, cancelled events, series without occurrences…), one sentence each,
    /// with `file:line`.
    pub notes: Vec<String>,
    /// The same, each with its code, line and values (the app words them).
    pub read: Vec<IcsNote>,
}

impl ImportOutcome {
    /// What an import of `file` did, its notes said in English at their line of the file too.
    fn new(file: &str, added: u32, updated: u32, dates: u32, read: Vec<IcsNote>) -> Self {
        let notes = read
            .iter()
            .map(|n| match n.line {
                Some(line) => format!("{file}:{line}: {}", n.text()),
                None => format!("{file}: {}", n.text()),
            })
            .collect();
        ImportOutcome {
            added,
            updated,
            dates,
            notes,
            read,
        }
    }
}

/// The largest calendar file imported, in bytes: the reader's own bound
/// ([`relm_calendar::ics_read::MAX_BYTES`]).
pub const MAX_ICS_FILE: u64 = relm_calendar::ics_read::MAX_BYTES as u64;

/// Years of holidays a holiday set covers, from the current year.
pub const HOLIDAY_YEARS: i32 = 10;

/// One occurrence, with UTC and local times.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OccurrenceView {
    pub entry_id: String,
    pub name: String,
    pub kind: Kind,
    /// Freezes: `hard` or `soft`.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// RFC 3339, `Z`.
    pub start_utc: String,
    pub end_utc: String,
    /// Wall-clock in `tz`.
    pub start_local: String,
    pub end_local: String,
    pub tz: String,
    pub scope: Scope,
    /// A start or end fell in a daylight-saving gap and was moved forward.
    pub shifted: bool,
    /// The entry's reason (empty when none was given), and the name of the member answerable
    /// for it.
    pub reason: String,
    pub owner: String,
    /// Windows: the hard freeze that overlaps this occurrence and so decides over it (a hard
    /// freeze beats a window).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub overridden_by: Option<String>,
}

/// A calendar entry that cannot be expanded, and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnreadableEntry {
    pub id: String,
    pub name: String,
    /// The member answerable for it (name, or key id).
    pub owner: String,
    /// Why, in English (inside a sentence, without its full stop).
    pub why: String,
    /// Why, as a problem of the entry's field the app words in the reader's language.
    pub problem: relm_domain::Problem,
}

/// Occurrences in a range, and the entries that could not be expanded over it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Listing {
    pub occurrences: Vec<OccurrenceView>,
    pub unreadable: Vec<UnreadableEntry>,
}

/// A release in the calendar, with its window's wall-clock times in the zone shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalendarReleaseView {
    #[serde(flatten)]
    pub release: calendar::CalendarRelease,
    /// "2027-03-19T18:00" in the zone shown.
    pub start_local: String,
    pub end_local: String,
}

/// The releases of the days a calendar view shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalendarReleases {
    /// In window order (start, then id): every release whose window overlaps the period or,
    /// when a number per day was asked for, the first that many of each day.
    pub releases: Vec<CalendarReleaseView>,
    /// How many releases touch each day of the period ("2027-03-19" in the zone shown) that
    /// has any.
    pub days: std::collections::BTreeMap<String, u32>,
    /// How many releases overlap the period, each once.
    pub total: u32,
    /// More releases than the most listed ([`MAX_CALENDAR_RELEASES`]) were to be listed: the
    /// first ones are.
    pub truncated: bool,
}

/// The most releases listed for one period: a week of a busy organization holds a few hundred.
pub const MAX_CALENDAR_RELEASES: usize = 2_000;

/// The longest period whose releases are listed, in days (a month view shows 42).
pub const MAX_CALENDAR_DAYS: i64 = 366;

/// The conflicts of the releases still to go out, as the calendar page shows them: how many,
/// the first ones (errors first, then by release start), and the releases an error blocks.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictSummary {
    pub total: u32,
    pub errors: u32,
    pub conflicts: Vec<relm_calendar::Conflict>,
    /// Releases with at least one error (of those the summary is of), whichever conflicts are
    /// listed.
    pub blocked: Vec<String>,
}

/// Occurrences listed at most per request; more asks for a shorter range.
pub const MAX_OCCURRENCES: usize = 50_000;

/// The text rules of `relm_domain::text` on an entry: one-line name, multi-line reason, names
/// in its scope, a one-line source.
fn check_entry_text(e: &Entry) -> std::result::Result<(), DomainError> {
    use relm_domain::limits::{MAX_SHORT, MAX_TEXT};
    use relm_domain::text::{Lines, check_name, check_text};
    check_text("name", &e.name, Lines::One, relm_calendar::entry::MAX_NAME)?;
    check_text("reason", &e.reason, Lines::Many, MAX_TEXT)?;
    if let Some(source) = &e.source {
        check_text("source", source, Lines::One, 5 * MAX_SHORT)?;
    }
    e.scope
        .environments
        .iter()
        .try_for_each(|v| check_name("environment", v))?;
    e.scope
        .services
        .iter()
        .try_for_each(|v| check_name("service", v))
}

/// Text from a calendar file as Relm keeps it: a summary on one line (line breaks and tabs
/// become spaces, as calendar clients show it), a description with `\n` line ends.
fn tidy_imported(e: &mut Entry) {
    e.name = e
        .name
        .split(['\n', '\r', '\t'])
        .collect::<Vec<_>>()
        .join(" ");
    e.reason = e.reason.replace("\r\n", "\n");
}

impl From<EntryError> for ApiError {
    fn from(e: EntryError) -> Self {
        ApiError::invalid(e.field, e.message)
    }
}

/// A wall-clock time a person typed for `field`, in `tz`.
fn local(
    field: &str,
    text: Option<&str>,
) -> std::result::Result<chrono::NaiveDateTime, DomainError> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(DomainError::problem(
            field,
            ProblemCode::Required,
            format!("{field}: required, a local time such as 2027-03-19T18:00"),
        ));
    }
    parse_local(text).ok_or_else(|| {
        DomainError::problem(
            field,
            ProblemCode::BadTime,
            format!(
                "{field} `{text}` is not a local time; write it like 2027-03-19T18:00 (wall-clock in --tz)"
            ),
        )
        .with("value", text)
    })
}

/// What `Entry::validate` refused, as a problem of its field: a rule it cannot expand is
/// `bad_rule` with the rule's own complaint.
fn entry_problem(e: EntryError) -> DomainError {
    match e.field {
        "rrule" | "rdate" | "exdate" => {
            // Why, when Relm knows the mistake (`reason` and its values), and always the rule
            // reader's own words when it refused the rule, else Relm's.
            let detail = e.detail.unwrap_or_else(|| e.message.clone());
            let mut problem = DomainError::problem(e.field, ProblemCode::BadRule, e.message)
                .with("detail", detail);
            if let Some(reason) = e.reason {
                problem = problem.with("reason", reason.mistake.code());
                for (key, value) in reason.params {
                    problem = problem.with(key, value);
                }
            }
            problem
        }
        field => DomainError::invalid(field, e.message),
    }
}

/// Why a stored entry cannot be expanded, as a problem of its field: its zone unknown (to this
/// version's time zone database), else as [`entry_problem`] says it.
fn unreadable_problem(entry: &Entry, e: EntryError) -> relm_domain::Problem {
    let error = match e.field {
        "tz" => {
            DomainError::problem("tz", ProblemCode::UnknownZone, e.message).with("value", &entry.tz)
        }
        _ => entry_problem(e),
    };
    match error {
        DomainError::Invalid(mut problems) if !problems.is_empty() => problems.remove(0),
        other => relm_domain::Problem {
            field: String::new(),
            code: ProblemCode::Other,
            params: Default::default(),
            message: other.to_string(),
        },
    }
}

impl CalendarInput {
    /// The entry a person described, or every problem of the description at once, each with
    /// its field and code (the app words them beside the fields).
    fn to_entry(&self) -> Result<Entry> {
        let mut problems = Problems::default();
        let kind = match self.kind.as_deref().map(str::trim) {
            Some("freeze") => Some(Kind::Freeze),
            Some("window") => Some(Kind::Window),
            other => {
                let other = other.unwrap_or_default();
                problems.add(
                    DomainError::problem(
                        "kind",
                        ProblemCode::UnknownChoice,
                        format!("kind `{other}`: use freeze or window"),
                    )
                    .with("value", other)
                    .with("allowed", "freeze, window"),
                );
                None
            }
        };
        if kind == Some(Kind::Window) && self.soft {
            problems.add(DomainError::invalid(
                "level",
                "--soft applies to freezes only",
            ));
        }
        let name = self.name.as_deref().map(str::trim).unwrap_or_default();
        if name.is_empty() {
            problems.add(DomainError::problem(
                "name",
                ProblemCode::Required,
                "give the entry a name",
            ));
        }
        let tz = problems.check(relm_domain::window::parse_zone(
            self.tz.as_deref().unwrap_or_default(),
        ));
        let start = problems.check(local("start", self.start.as_deref()));
        let end = problems.check(local("end", self.end.as_deref()));
        let list = |v: &[String], field: &str, problems: &mut Problems| {
            v.iter()
                .filter_map(|t| problems.check(local(field, Some(t))))
                .collect::<Vec<_>>()
        };
        let exdates = list(&self.exdates, "exdate", &mut problems);
        let rdates = list(&self.rdates, "rdate", &mut problems);
        // Typed in by a person, an entry needs a length (imported events may have none).
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            problems.add(DomainError::problem(
                "end",
                ProblemCode::EndNotAfterStart,
                format!(
                    "end: the end ({}) must be after the start ({}): an entry needs a positive duration",
                    fmt_local(end),
                    fmt_local(start)
                ),
            ));
        } else if let (Some(start), Some(end)) = (start, end)
            && end - start > chrono::TimeDelta::days(MAX_DURATION_DAYS)
        {
            problems.add(
                DomainError::problem(
                    "end",
                    ProblemCode::SpanTooLong,
                    format!(
                        "end: an occurrence may last at most {MAX_DURATION_DAYS} days; check the year of the end"
                    ),
                )
                .with("max", MAX_DURATION_DAYS),
            );
        }
        let (Some(kind), Some(tz), Some(start), Some(end), true) =
            (kind, tz, start, end, problems.is_empty())
        else {
            return Err(problems.done().expect_err("a part failed").into());
        };
        let mut entry = Entry {
            name: name.to_string(),
            kind,
            level: (kind == Kind::Freeze).then_some(if self.soft {
                Level::Soft
            } else {
                Level::Hard
            }),
            scope: Scope {
                environments: self.environments.clone(),
                services: self.services.clone(),
            },
            reason: self.reason.clone().unwrap_or_default().trim().to_string(),
            tz: tz.name().to_string(),
            start,
            end,
            rrule: self.rrule.clone().filter(|r| !r.trim().is_empty()),
            exdates,
            rdates,
            ..Entry::blank()
        };
        // The texts first: a name too long is said as such, not as the calendar's rule.
        check_entry_text(&entry)?;
        entry.validate().map_err(entry_problem)?;
        Ok(entry)
    }
}

/// A date (`2027-03-01`, midnight in `tz`) or an RFC 3339 instant.
fn bound(field: &str, text: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(relm_calendar::resolve(tz, d.and_time(NaiveTime::MIN)).0);
    }
    DateTime::parse_from_rfc3339(t)
        .map(|x| x.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::invalid(
                field,
                format!("--{field} `{t}`: use a date (2027-03-01) or an RFC 3339 time"),
            )
        })
}

/// The instants of a range given as dates (midnight in `tz`) or RFC 3339 times; refused unless
/// `to` is after `from`.
fn period(from: &str, to: &str, tz: chrono_tz::Tz) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let (from, to) = (bound("from", from, tz)?, bound("to", to, tz)?);
    if to <= from {
        return Err(ApiError::invalid(
            "to",
            format!(
                "--to ({}) must be after --from ({})",
                fmt_utc(to),
                fmt_utc(from)
            ),
        ));
    }
    Ok((from, to))
}

impl Relm {
    /// The member an input names as the entry's owner, if it names one.
    fn named_owner(&self, input: &CalendarInput) -> Result<Option<String>> {
        input
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|who| Ok(self.resolve_member(who)?.0))
            .transpose()
    }

    /// Add a freeze or window to the calendar (owned by this replica's member unless the input
    /// names another); returns it.
    pub fn add_calendar_entry(&mut self, input: &CalendarInput) -> Result<CalendarRow> {
        let mut entry = input.to_entry()?;
        entry.owner = Some(match self.named_owner(input)? {
            Some(owner) => owner,
            None => self.me()?.0,
        });
        let id = CalendarEntryId::generate(self.clock.now(), random::<10>()?);
        let body = EventBody::CalendarEntryAdded {
            entry_id: id.clone(),
            entry,
        };
        self.emit(|_| Ok(vec![body]))?;
        self.calendar_entry(&id.0)
    }

    /// Replace an entry's fields.
    pub fn update_calendar_entry(
        &mut self,
        id: &str,
        input: &CalendarInput,
    ) -> Result<CalendarRow> {
        let id = self.resolve_entry(id)?;
        let mut entry = input.to_entry()?;
        entry.owner = match self.named_owner(input)? {
            Some(owner) => Some(owner),
            None => self.calendar_entry(&id)?.entry.owner,
        };
        let body = EventBody::CalendarEntryUpdated {
            entry_id: CalendarEntryId(id.clone()),
            entry,
        };
        self.emit(|_| Ok(vec![body]))?;
        self.calendar_entry(&id)
    }

    /// Remove an entry (its history stays in the ledger).
    pub fn remove_calendar_entry(&mut self, id: &str) -> Result<CalendarRow> {
        let id = self.resolve_entry(id)?;
        let row = self.calendar_entry(&id)?;
        let body = EventBody::CalendarEntryRemoved {
            entry_id: CalendarEntryId(id),
        };
        self.emit(|_| Ok(vec![body]))?;
        Ok(row)
    }

    pub fn calendar_entries(&self) -> Result<Vec<CalendarRow>> {
        self.workspace_id()?;
        Ok(calendar::list(self.store.conn())?)
    }

    /// One entry by its id.
    pub fn calendar_entry(&self, id: &str) -> Result<CalendarRow> {
        self.workspace_id()?;
        calendar::get(self.store.conn(), id)?.ok_or_else(|| {
            ApiError::missing(
                ReasonCode::NoCalendarEntry,
                format!("no calendar entry {id}"),
            )
            .with("id", id)
        })
    }

    pub(crate) fn resolve_entry(&self, id: &str) -> Result<String> {
        self.resolve_prefix(
            id,
            ("calendar entry", "calendar entries"),
            ("relm calendar entries", ReasonCode::NoCalendarEntry),
            calendar::ids_with_prefix,
        )
    }

    /// The calendar as an RFC 5545 file: every entry (with an occurrence in the range, when one
    /// is given) and every release with a planned window in the range, narrowed to `scope`
    /// (`env:NAME`, `service:NAME`, or a bare name that is one or the other).
    pub fn calendar_ics(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        scope: &[String],
    ) -> Result<String> {
        let (_, name) = self.workspace()?;
        self.calendar_ics_titled(from, to, scope, &format!("{name} release calendar"))
    }

    /// [`Relm::calendar_ics`] under the calendar name `title` (what a client shows).
    pub(crate) fn calendar_ics_titled(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        scope: &[String],
        title: &str,
    ) -> Result<String> {
        let scope = self.export_scope(scope)?;
        let conn = self.store.conn();
        let range = match (from, to) {
            (None, None) => None,
            (f, t) => Some((
                bound("from", f.unwrap_or("1970-01-01"), chrono_tz::UTC)?,
                bound("to", t.unwrap_or("2200-01-01"), chrono_tz::UTC)?,
            )),
        };
        let rows = calendar::list(conn)?;
        let parse = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        let mut entries = Vec::new();
        for r in rows.iter().filter(|r| scope.concerns(&r.entry.scope)) {
            if let Some((f, t)) = range {
                let any = relm_calendar::occurrences(&r.entry, f, t, MAX_OCCURRENCES)
                    .map(|o| !o.is_empty())
                    .unwrap_or(true);
                if !any {
                    continue;
                }
            }
            entries.push(relm_calendar::ics::IcsEntry {
                id: &r.id,
                entry: &r.entry,
                updated: parse(&r.updated_at),
            });
        }
        let mut releases = Vec::new();
        let page = self.list_releases(
            relm_store::ReleaseFilter {
                limit: 100_000,
                sort: relm_store::SortKey::Window,
                ..Default::default()
            },
            None,
        )?;
        for r in page.releases {
            let Some(w) = &r.fields.window else { continue };
            if !scope.holds(&r.fields.service, &r.fields.environments) {
                continue;
            }
            if let Some((f, t)) = range
                && (w.start >= t || w.end <= f)
            {
                continue;
            }
            releases.push(relm_calendar::ics::IcsRelease {
                id: r.id.clone(),
                summary: format!(
                    "{} {} — {}",
                    r.fields.service, r.fields.version, r.fields.title
                ),
                status: r.status.to_string(),
                start: w.start,
                end: w.end,
                tz: w.tz.clone(),
                updated: parse(&r.updated_at),
            });
        }
        Ok(relm_calendar::ics::export(
            title,
            &entries,
            &releases,
            self.clock.now(),
        ))
    }

    /// `--scope` values checked and spelled out (`env:prod`, `service:api`), to keep.
    pub(crate) fn export_scope_values(&self, values: &[String]) -> Result<Vec<String>> {
        let s = self.export_scope(values)?;
        Ok(s.environments
            .iter()
            .map(|e| format!("env:{e}"))
            .chain(s.services.iter().map(|v| format!("service:{v}")))
            .collect())
    }

    /// Read `--scope` values: `env:NAME`, `service:NAME`, or a bare name found among the
    /// policy's environments or the services of recorded releases.
    fn export_scope(&self, values: &[String]) -> Result<Scope> {
        let mut scope = Scope::default();
        if values.is_empty() {
            return Ok(scope);
        }
        let conn = self.store.conn();
        let (policy, _) = crate::gates::in_force(conn)?;
        let services = calendar::services(conn)?;
        for v in values.iter().flat_map(|v| v.split(',')).map(str::trim) {
            let (kind, name) = match v.split_once(':') {
                Some(("env" | "environment", n)) => ("env", n.trim()),
                Some(("service", n)) => ("service", n.trim()),
                Some((k, _)) => {
                    return Err(ApiError::invalid(
                        "scope",
                        format!(
                            "--scope `{v}`: `{k}:` is not a scope; use env:NAME or service:NAME"
                        ),
                    ));
                }
                None if policy.environment(v).is_some() => ("env", v),
                None if services.iter().any(|s| s == v) => ("service", v),
                None => {
                    return Err(ApiError::invalid(
                        "scope",
                        format!(
                            "--scope `{v}` is neither an environment of the policy nor a service with releases; write env:{v} or service:{v} to use it anyway"
                        ),
                    ));
                }
            };
            if name.is_empty() {
                return Err(ApiError::invalid(
                    "scope",
                    format!("--scope `{v}` names nothing; write e.g. env:prod"),
                ));
            }
            let list = if kind == "env" {
                &mut scope.environments
            } else {
                &mut scope.services
            };
            let name = match policy.environment(name) {
                Some(e) if kind == "env" => e.name.clone(),
                _ => name.to_string(),
            };
            if !list.contains(&name) {
                list.push(name);
            }
        }
        Ok(scope)
    }

    /// Import the iCalendar file at `path` (read as outside input: a regular file of at most
    /// [`MAX_ICS_FILE`] bytes, UTF-8), as [`Relm::import_calendar`] does its text.
    pub fn import_calendar_file(
        &mut self,
        path: &std::path::Path,
        req: &ImportRequest,
    ) -> Result<ImportOutcome> {
        let bytes = crate::files::read_user_file(path, MAX_ICS_FILE, "; split it")?;
        let shown = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| {
            crate::files::bad_file(
                "file",
                &shown,
                "not_utf8",
                format!(
                    "{shown} is not UTF-8 text, as RFC 5545 requires; export it again as UTF-8"
                ),
            )
        })?;
        self.import_calendar(&text, &shown, req)
    }

    /// Write the calendar ([`Relm::calendar_ics`]) to `path`; returns how many events it holds.
    pub fn export_calendar_file(
        &self,
        path: &std::path::Path,
        from: Option<&str>,
        to: Option<&str>,
        scope: &[String],
    ) -> Result<usize> {
        let ics = self.calendar_ics(from, to, scope)?;
        crate::reports::write_whole(path, ics.as_bytes())?;
        Ok(ics.matches("BEGIN:VEVENT").count())
    }

    /// Import an iCalendar file (Outlook, Google Calendar, Thunderbird, Relm) as freezes or
    /// windows (one entry per event, RRULE kept) or as a holiday set (one freeze over every
    /// holiday date). All or nothing: any error names `file:line` and nothing is recorded. An
    /// event imported before (same UID, or the same holiday set) is updated, not duplicated.
    pub fn import_calendar(
        &mut self,
        text: &str,
        file: &str,
        req: &ImportRequest,
    ) -> Result<ImportOutcome> {
        self.workspace_id()?;
        // A file name is outside text too: it is quoted in errors and in a holiday set's reason.
        let file = &*relm_domain::text::shown(file);
        let floating = relm_domain::window::parse_zone(req.tz.as_deref().unwrap_or("UTC"))?;
        // The scope is the request's, not the file's: its names are said as the request's.
        let mut problems = Problems::default();
        for v in &req.environments {
            problems.check(relm_domain::text::check_name("environment", v));
        }
        for v in &req.services {
            problems.check(relm_domain::text::check_name("service", v));
        }
        problems.done()?;
        // What the file holds that Relm cannot take, at its line (the app words the reason and
        // shows the reader's English detail).
        let fail = |line: usize, m: String| -> ApiError {
            crate::files::bad_file("file", file, "not_calendar", format!("{file}:{line}: {m}"))
                .with("line", line)
                .with("detail", m)
                .into()
        };
        let reading =
            relm_calendar::ics_read::read(text, floating).map_err(|e| fail(e.line, e.message))?;
        let mut read = reading.notes;
        // Releases in a file Relm exported are not calendar entries.
        let events: Vec<_> = reading
            .events
            .into_iter()
            .filter(|e| !e.is_release)
            .collect();
        if events.is_empty() {
            return Err(crate::files::bad_file(
                "file",
                file,
                "no_events",
                format!("{file}: no events to import"),
            )
            .into());
        }
        let (kind, level) = match req.kind.as_str() {
            "freeze" | "holidays" => (
                Kind::Freeze,
                Some(if req.soft { Level::Soft } else { Level::Hard }),
            ),
            "window" if !req.soft => (Kind::Window, None),
            "window" => return Err(ApiError::invalid("level", "--soft applies to freezes only")),
            other => {
                return Err(ApiError::invalid(
                    "kind",
                    format!("--as `{other}`: use freeze, window or holidays"),
                ));
            }
        };
        let scope = Scope {
            environments: req.environments.clone(),
            services: req.services.clone(),
        };
        let as_entry = |ev: &relm_calendar::ics_read::IcsEvent| -> Result<Entry> {
            let mut e = Entry {
                kind,
                level,
                scope: scope.clone(),
                ..ev.entry()
            };
            tidy_imported(&mut e);
            e.validate().map_err(|err| fail(ev.line, err.to_string()))?;
            check_entry_text(&e).map_err(|err| {
                // Point at the property that holds the text.
                let line = match err.field() {
                    Some("name") => ev.summary_line,
                    Some("reason") => ev.description_line,
                    _ => ev.line,
                };
                fail(line, err.to_string())
            })?;
            Ok(e)
        };
        let mut entries: Vec<Entry> = Vec::new();
        if req.kind == "holidays" {
            let name = req
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| {
                    DomainError::problem(
                        "name",
                        ProblemCode::Required,
                        "name the holiday set: --name \"French public holidays\"",
                    )
                })?;
            let year = self.clock.now().year();
            let from = bound("from", &format!("{}-01-01", year - 1), floating)?;
            let to = bound("to", &format!("{}-01-01", year + HOLIDAY_YEARS), floating)?;
            let mut dates: Vec<NaiveDate> = Vec::new();
            for ev in &events {
                let mut probe = as_entry(ev)?;
                probe.tz = floating.name().into();
                for o in relm_calendar::occurrences(&probe, from, to, MAX_OCCURRENCES)
                    .map_err(|e| fail(ev.line, e.to_string()))?
                {
                    dates.push(o.start_local.date());
                }
            }
            dates.sort();
            dates.dedup();
            let lead = i64::from(req.day_before);
            let starts: Vec<chrono::NaiveDateTime> = dates
                .iter()
                .map(|d| (*d - chrono::TimeDelta::days(lead)).and_time(NaiveTime::MIN))
                .collect();
            let Some(first) = starts.first().copied() else {
                return Err(ApiError::invalid(
                    "file",
                    format!("{file}: no holiday falls in the {HOLIDAY_YEARS} years covered"),
                ));
            };
            entries.push(Entry {
                name: name.trim().to_string(),
                kind,
                level,
                scope,
                reason: format!(
                    "{} holidays{} imported from {file}",
                    dates.len(),
                    if req.day_before {
                        " and the day before each"
                    } else {
                        ""
                    }
                ),
                tz: floating.name().into(),
                start: first,
                end: first + chrono::TimeDelta::days(1 + lead),
                rdates: starts[1..].to_vec(),
                source: Some(format!("holidays:{}", name.trim())),
                ..Entry::blank()
            });
            check_entry_text(&entries[0])?;
            let n = dates.len() as u32;
            let (added, updated) = self.store_imported(entries)?;
            return Ok(ImportOutcome::new(file, added, updated, n, read));
        }
        let mut empty = Vec::new();
        for ev in &events {
            let e = as_entry(ev)?;
            // A series whose every occurrence was deleted freezes nothing: said, not kept.
            if relm_calendar::expand::never_occurs(&e).map_err(|x| fail(ev.line, x.to_string()))? {
                empty.push(format!("{file}:{} `{}`", ev.line, e.name));
                continue;
            }
            entries.push(e);
        }
        if !empty.is_empty() {
            read.push(IcsNote::new(
                NoteCode::NeverOccurs,
                None,
                &[
                    ("count", empty.len().to_string()),
                    ("events", empty.join(", ")),
                ],
            ));
        }
        let (added, updated) = if entries.is_empty() {
            (0, 0)
        } else {
            self.store_imported(entries)?
        };
        Ok(ImportOutcome::new(file, added, updated, 0, read))
    }

    /// Add or update imported entries in one transaction; returns (added, updated).
    fn store_imported(&mut self, entries: Vec<Entry>) -> Result<(u32, u32)> {
        let existing = calendar::list(self.store.conn())?;
        let now = self.clock.now();
        let me = self.me()?.0;
        let mut bodies = Vec::new();
        let (mut added, mut updated) = (0, 0);
        for mut e in entries {
            // Relm's own export names entries `<id>@relm`; other files keep their UIDs.
            let known = e.source.as_deref().and_then(|src| {
                existing.iter().find(|r| {
                    r.entry.source.as_deref() == Some(src)
                        || src.strip_suffix("@relm") == Some(r.id.as_str())
                })
            });
            match known {
                Some(row) => {
                    updated += 1;
                    // Re-importing keeps the owner, and, for Relm's own export, where the
                    // entry first came from.
                    e.owner = row
                        .entry
                        .owner
                        .clone()
                        .or_else(|| Some(row.created_by.clone()));
                    if e.source.as_deref().is_some_and(|s| s.ends_with("@relm")) {
                        e.source = row.entry.source.clone();
                    }
                    bodies.push(EventBody::CalendarEntryUpdated {
                        entry_id: CalendarEntryId(row.id.clone()),
                        entry: e,
                    });
                }
                None => {
                    added += 1;
                    e.owner = Some(me.clone());
                    bodies.push(EventBody::CalendarEntryAdded {
                        entry_id: CalendarEntryId::generate(now, random::<10>()?),
                        entry: e,
                    });
                }
            }
        }
        self.emit(|_| Ok(bodies))?;
        Ok((added, updated))
    }

    /// Conflicts of the releases still to go out with the calendar and with each other. The
    /// policy in force says which environments are production (whose windows are required).
    pub fn calendar_conflicts(&self) -> Result<Vec<relm_calendar::Conflict>> {
        Ok(self.all_conflicts(usize::MAX)?.conflicts)
    }

    /// The conflicts of every release still to go out, the first `limit` worded. Kept while
    /// the store's stamp stays the same: what they come from (releases, calendar entries, the
    /// policy in force) is all in the store, forks and replays included, and they read no
    /// clock.
    fn all_conflicts(&self, limit: usize) -> Result<relm_calendar::Counted> {
        self.workspace_id()?;
        self.conflicts.get(&self.store, limit, || {
            let all = calendar::planned_releases(self.store.conn())?;
            self.conflicts_among(&all, None, limit)
        })
    }

    /// The conflicts of `releases` with the calendar and with each other (of the release
    /// `only`, when given), counted, the first `limit` worded.
    fn conflicts_among(
        &self,
        releases: &[relm_calendar::Planned],
        only: Option<&str>,
        limit: usize,
    ) -> Result<relm_calendar::Counted> {
        let conn = self.store.conn();
        let (policy, _) = crate::gates::in_force(conn)?;
        let production = |env: &str| policy.is_production(env);
        let entries = calendar::entries(conn)?;
        relm_calendar::conflicts_counted(releases, &entries, production, only, limit)
            .map_err(|e| ApiError::new(ErrorCode::Validation, e.to_string()))
    }

    /// [`Relm::calendar_conflicts`] summed up: the first `limit` conflicts (all when 0), how
    /// many in all, and the releases an error blocks. With `release`, those of that release only
    /// (read from the releases whose windows meet its own: an overlap is attached to the later
    /// of two releases, and only those can be the earlier one). Only the conflicts listed are
    /// worded.
    pub fn calendar_conflict_summary(
        &self,
        limit: u32,
        release: Option<&str>,
    ) -> Result<ConflictSummary> {
        let limit = match limit {
            0 => usize::MAX,
            n => n as usize,
        };
        let counted = match release {
            Some(r) => {
                let id = self.resolve_release(r)?;
                let conn = self.store.conn();
                let window =
                    relm_store::projection::releases::get(conn, &id)?.and_then(|r| r.fields.window);
                match window {
                    Some(w) => {
                        let (start, end) = (w.start.timestamp(), w.end.timestamp());
                        let near = calendar::planned_releases_between(conn, start, end)?;
                        self.conflicts_among(&near, Some(&id), limit)?
                    }
                    None => relm_calendar::Counted::default(),
                }
            }
            None => self.all_conflicts(limit)?,
        };
        Ok(ConflictSummary {
            total: counted.total as u32,
            errors: counted.errors as u32,
            conflicts: counted.conflicts,
            blocked: counted.blocked,
        })
    }

    /// Freezes that start within `minutes` from now, soonest first: the app announces each once.
    pub fn freezes_starting(&self, minutes: i64) -> Result<Vec<OccurrenceView>> {
        let now = self.clock.now();
        let (from, to) = (
            fmt_utc(now),
            fmt_utc(now + chrono::Duration::minutes(minutes)),
        );
        Ok(self
            .calendar_occurrences(&from, &to, None)?
            .into_iter()
            .filter(|o| o.kind == Kind::Freeze && o.start_utc >= from && o.start_utc < to)
            .collect())
    }

    /// Every occurrence overlapping `[from, to)`, in start order. Dates are midnight in
    /// `display_tz` (UTC when absent); local times are shown in `display_tz`, or in each
    /// entry's own zone when absent.
    pub fn calendar_occurrences(
        &self,
        from: &str,
        to: &str,
        display_tz: Option<&str>,
    ) -> Result<Vec<OccurrenceView>> {
        Ok(self.calendar_listing(from, to, display_tz)?.occurrences)
    }

    /// [`Relm::calendar_occurrences`], and the entries that could not be expanded over the
    /// range (stored by an older version or another replica): they are left out of the list
    /// and named, so that one bad entry does not hide the others.
    pub fn calendar_listing(
        &self,
        from: &str,
        to: &str,
        display_tz: Option<&str>,
    ) -> Result<Listing> {
        let shown = display_tz.map(zone).transpose()?;
        let (from, to) = period(from, to, shown.unwrap_or(chrono_tz::UTC))?;
        let names: std::collections::HashMap<String, String> = self
            .members()?
            .into_iter()
            .map(|m| (m.key_id, m.name))
            .collect();
        let mut out = Vec::new();
        let mut times = Vec::new();
        let mut unreadable = Vec::new();
        for row in self.calendar_entries()? {
            let owner = row.entry.owner.as_deref().unwrap_or(&row.created_by);
            let owner = names
                .get(owner)
                .cloned()
                .unwrap_or_else(|| owner.to_string());
            let left = MAX_OCCURRENCES.saturating_sub(out.len());
            let list = match relm_calendar::occurrences(&row.entry, from, to, left) {
                Ok(list) => list,
                Err(relm_calendar::ExpandError::Entry(why)) => {
                    tracing::warn!(entry = %row.id, %why, "calendar entry cannot be expanded");
                    unreadable.push(UnreadableEntry {
                        id: row.id.clone(),
                        name: row.entry.name.clone(),
                        owner: owner.clone(),
                        // Said inside a sentence: without its own full stop.
                        why: why.to_string().trim_end_matches('.').to_string(),
                        problem: unreadable_problem(&row.entry, why),
                    });
                    continue;
                }
                Err(e) => return Err(ApiError::new(ErrorCode::Validation, e.to_string())),
            };
            for o in list {
                let (start_local, end_local, tz) = match shown {
                    Some(z) => (
                        fmt_local(o.start_utc.with_timezone(&z).naive_local()),
                        fmt_local(o.end_utc.with_timezone(&z).naive_local()),
                        z.name().to_string(),
                    ),
                    None => (
                        fmt_local(o.start_local),
                        fmt_local(o.end_local),
                        row.entry.tz.clone(),
                    ),
                };
                out.push(OccurrenceView {
                    entry_id: row.id.clone(),
                    name: row.entry.name.clone(),
                    kind: row.entry.kind,
                    level: row.entry.level,
                    start_utc: fmt_utc(o.start_utc),
                    end_utc: fmt_utc(o.end_utc),
                    start_local,
                    end_local,
                    tz,
                    scope: row.entry.scope.clone(),
                    shifted: o.shifted,
                    reason: row.entry.reason.clone(),
                    owner: owner.clone(),
                    overridden_by: None,
                });
                times.push((o.start_utc, o.end_utc));
            }
        }
        // A hard freeze beats a window: say which one did.
        let spans: Vec<Span> = out
            .iter()
            .zip(&times)
            .map(|(o, &(start, end))| Span {
                kind: o.kind,
                level: o.level,
                scope: &o.scope,
                start,
                end,
            })
            .collect();
        let overrides: Vec<Option<String>> = overriding_freezes(&spans)
            .into_iter()
            .map(|f| f.map(|i| out[i].name.clone()))
            .collect();
        for (o, by) in out.iter_mut().zip(overrides) {
            o.overridden_by = by;
        }
        out.sort_by(|a, b| (&a.start_utc, &a.name).cmp(&(&b.start_utc, &b.name)));
        Ok(Listing {
            occurrences: out,
            unreadable,
        })
    }

    /// The releases whose planned window overlaps the days from `from` to `to` (dates at
    /// midnight in `display_tz`, UTC when absent): each day's count and, with `per_day`, only
    /// the first that many of each day (a month view draws a few and counts the rest).
    pub fn calendar_releases(
        &self,
        from: &str,
        to: &str,
        display_tz: Option<&str>,
        per_day: Option<u32>,
    ) -> Result<CalendarReleases> {
        self.calendar_releases_at_most(from, to, display_tz, per_day, MAX_CALENDAR_RELEASES)
    }

    /// [`Relm::calendar_releases`], listing at most `most` releases (the rest counted).
    pub fn calendar_releases_at_most(
        &self,
        from: &str,
        to: &str,
        display_tz: Option<&str>,
        per_day: Option<u32>,
        most: usize,
    ) -> Result<CalendarReleases> {
        self.workspace_id()?;
        let tz = display_tz.map(zone).transpose()?.unwrap_or(chrono_tz::UTC);
        let (from, to) = period(from, to, tz)?;
        if to - from > chrono::Duration::days(MAX_CALENDAR_DAYS) {
            return Err(ApiError::invalid(
                "to",
                format!(
                    "the releases of at most {MAX_CALENDAR_DAYS} days are listed at once: \
                     ask for a shorter period"
                ),
            ));
        }
        let (start, end) = (from.timestamp(), to.timestamp());
        let day = |secs: i64| {
            DateTime::from_timestamp(secs, 0)
                .unwrap_or_default()
                .with_timezone(&tz)
                .date_naive()
        };
        let mut days: std::collections::BTreeMap<NaiveDate, u32> = Default::default();
        let (mut total, mut listed, mut truncated) = (0usize, 0usize, false);
        let releases = calendar::releases_in_period(self.store.conn(), start, end, |s, e| {
            total += 1;
            // The days it touches within the period, in the zone shown.
            let (first, last) = (day(s.max(start)), day(e.min(end) - 1));
            let mut wanted = false;
            for d in first.iter_days().take_while(|d| *d <= last) {
                let n = days.entry(d).or_default();
                wanted |= per_day.is_none_or(|k| *n < k);
                *n += 1;
            }
            if wanted && listed == most {
                truncated = true;
                return false;
            }
            listed += usize::from(wanted);
            wanted
        })?;
        let local = |t: DateTime<Utc>| fmt_local(t.with_timezone(&tz).naive_local());
        Ok(CalendarReleases {
            releases: releases
                .into_iter()
                .map(|r| CalendarReleaseView {
                    start_local: local(r.window.start),
                    end_local: local(r.window.end),
                    release: r,
                })
                .collect(),
            days: days
                .into_iter()
                .map(|(d, n)| (d.format("%Y-%m-%d").to_string(), n))
                .collect(),
            total: total as u32,
            truncated,
        })
    }
}
