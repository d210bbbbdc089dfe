//! Relm's freezes and windows in the forms platforms take: GitLab freeze periods (a start cron,
//! an end cron, a zone) and Argo CD sync windows (a start cron, a duration, a zone).
//!
//! Relm's occurrences are wall-clock times in the entry's zone (an 18:00–06:00 freeze stays
//! 18:00–06:00 on the night the clocks change), which is how both platforms read their crons.
//! A cron says less than an RRULE: no year, no "every other week", no "last Friday", no
//! exceptions, no end. What cron can say exactly is written as one window; anything else is
//! written as one window per occurrence of the coming [`HORIZON_DAYS`] (dated crons, which a
//! cron repeats every year), and every place where the platform's windows cover more than
//! Relm's freeze is reported. Never less: a freeze written to a platform always covers the
//! freeze.
//!
//! Where the platforms differ: GitLab freezes from a start firing until the next end firing,
//! both wall-clock, so its windows are exact; an Argo CD window lasts a fixed duration, so a
//! window across a clock change is written with the longest duration it takes (and the extra
//! hour reported). A start inside the spring gap (02:30 where 02:00–03:00 does not exist) never
//! fires; such a start is written an hour early (reported).

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc, Weekday};
use relm_calendar::{Entry, Occurrence, occurrences};

/// How far ahead occurrences are written one by one when a rule is more than a cron can say.
pub const HORIZON_DAYS: i64 = 740;
/// At most this many dated windows for one entry.
pub const MAX_DATED: usize = 400;

/// One window in a platform's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronWindow {
    /// `minute hour day-of-month month day-of-week`, in `zone`.
    pub start: String,
    /// GitLab's `freeze_end`: the freeze lasts until the next firing of this after a start.
    pub end: String,
    /// Argo CD's `duration`, in minutes: the longest real length of the windows it stands for.
    pub minutes: i64,
    pub zone: String,
}

impl CronWindow {
    /// The duration as Argo CD writes it (`62h`, `90m`, `1h30m`).
    pub fn argo_duration(&self) -> String {
        match (self.minutes / 60, self.minutes % 60) {
            (0, m) => format!("{m}m"),
            (h, 0) => format!("{h}h"),
            (h, m) => format!("{h}h{m}m"),
        }
    }
}

/// An entry in a platform's form, and where it says more than the entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Translation {
    pub windows: Vec<CronWindow>,
    /// Each place the windows cover more than the entry, in words.
    pub wider: Vec<String>,
}

fn dow(d: Weekday) -> u32 {
    d.num_days_from_sunday()
}

/// The RRULE's parts, upper-cased keys.
fn parts(rule: &str) -> Vec<(String, String)> {
    rule.trim()
        .trim_start_matches("RRULE:")
        .split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().to_ascii_uppercase()))
        .collect()
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// A rule cron says exactly: daily, weekly on plain weekdays, monthly on a day that every
/// month has, yearly on one date; every interval 1, no end, no exceptions.
enum Simple {
    Daily,
    Weekly(Vec<Weekday>),
    Monthly,
    Yearly,
}

fn simple(entry: &Entry) -> Option<Simple> {
    let rule = entry.rrule.as_deref()?;
    // Extra dates, rules, periods and moved occurrences: written one by one.
    if !(entry.rdates.is_empty()
        && entry.more_rrules.is_empty()
        && entry.exdays.is_empty()
        && entry.periods.is_empty()
        && entry.overrides.is_empty())
    {
        return None;
    }
    let ps = parts(rule);
    let get = |k: &str| ps.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    let known = ["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"];
    if ps.iter().any(|(k, _)| !known.contains(&k.as_str())) {
        return None; // COUNT, UNTIL, BYSETPOS, BYWEEKNO, BYHOUR…
    }
    if get("INTERVAL").is_some_and(|i| i != "1") {
        return None;
    }
    let start = entry.start;
    match get("FREQ")? {
        "DAILY"
            if get("BYDAY").is_none()
                && get("BYMONTHDAY").is_none()
                && get("BYMONTH").is_none() =>
        {
            Some(Simple::Daily)
        }
        "WEEKLY" if get("BYMONTHDAY").is_none() && get("BYMONTH").is_none() => {
            let days = match get("BYDAY") {
                None => vec![start.weekday()],
                Some(list) => list.split(',').map(weekday).collect::<Option<Vec<_>>>()?,
            };
            Some(Simple::Weekly(days))
        }
        "MONTHLY" if get("BYDAY").is_none() && get("BYMONTH").is_none() => {
            let day = match get("BYMONTHDAY") {
                None => start.day(),
                Some(d) => d.parse::<u32>().ok()?,
            };
            // Days 29–31 are missing from some months: cron skips those months, as RFC 5545
            // does; both agree, but keep it simple and exact only for days every month has.
            (day <= 28 && day == start.day()).then_some(Simple::Monthly)
        }
        "YEARLY" if get("BYDAY").is_none() => {
            let month = get("BYMONTH").map_or(Some(start.month()), |m| m.parse().ok())?;
            let day = get("BYMONTHDAY").map_or(Some(start.day()), |d| d.parse().ok())?;
            (month == start.month() && day == start.day() && !(month == 2 && day == 29))
                .then_some(Simple::Yearly)
        }
        _ => None,
    }
}

/// `entry`'s occurrences over the horizon from `now`, once for every use below.
fn ahead(entry: &Entry, now: DateTime<Utc>) -> Result<Vec<Occurrence>, String> {
    occurrences(entry, now, now + TimeDelta::days(HORIZON_DAYS), 100_000).map_err(|e| e.to_string())
}

/// `entry` in a platform's form, from `now` on.
pub fn translate(entry: &Entry, now: DateTime<Utc>) -> Result<Translation, String> {
    let zone = entry.tz.clone();
    let length = entry.duration();
    if length <= TimeDelta::zero() {
        return Err(format!("`{}` ends before it starts", entry.name));
    }
    let tz = entry.zone().map_err(|e| e.to_string())?;
    let occ = ahead(entry, now)?;
    // The longest real (UTC) length, and whether an occurrence starts, or ends, in a spring gap
    // (a local time that does not exist).
    let longest = occ
        .iter()
        .map(|o| o.end_utc - o.start_utc)
        .max()
        .unwrap_or(length);
    let gap = occ
        .iter()
        .any(|o| relm_calendar::resolve(tz, o.start_local).1);
    let end_gap = occ
        .iter()
        .any(|o| relm_calendar::resolve(tz, o.end_local).1);
    let mut out = Translation::default();
    // A start in a spring gap does not fire: start an hour early where it can happen.
    let early = if gap {
        TimeDelta::hours(1)
    } else {
        TimeDelta::zero()
    };
    if gap {
        out.wider.push(format!(
            "starts an hour early ({}) and ends an hour late ({}): {} does not exist on the night the clocks go forward in {zone}, and a cron at that time never fires",
            (entry.start - early).format("%H:%M"),
            (entry.end + early).format("%H:%M"),
            entry.start.format("%H:%M")
        ));
    }
    // And ends an hour late: on that night Relm keeps the occurrence's length from the moved
    // start, past its usual end.
    let start = entry.start - early;
    let end = entry.end + early;
    let minutes = (longest + early + early).num_minutes();
    if longest > length {
        let length = CronWindow {
            start: String::new(),
            end: String::new(),
            minutes,
            zone: String::new(),
        };
        out.wider.push(format!(
            "Argo CD: lasts {} every time, the length it has where the clocks change during it: an hour more than the freeze on the other days",
            length.argo_duration()
        ));
    }
    let hm = |t: NaiveDateTime| (t.minute(), t.hour());
    let (sm, sh) = hm(start);
    let (em, eh) = hm(end);
    // An end in the spring gap does not fire either, and a GitLab freeze would run on to the
    // next day's end: a second end firing an hour later ends it when the clocks have moved
    // (on other days the first one has ended it already).
    let eh = if end_gap && eh < 23 && !(sh == eh + 1 && sm <= em) && sh != eh {
        format!("{eh},{}", eh + 1)
    } else {
        eh.to_string()
    };
    let days_later = (end.date() - start.date()).num_days();
    let cron_window = |s: String, e: String| CronWindow {
        start: s,
        end: e,
        minutes,
        zone: zone.clone(),
    };
    let pattern = simple(entry);
    if pattern.is_some() {
        let first = relm_calendar::resolve(tz, entry.start).0;
        if first > now {
            out.wider.push(format!(
                "applies from now, before the first occurrence ({}): a cron has no start date; write it to the platform nearer the time",
                relm_calendar::fmt_local(entry.start)
            ));
        }
    }
    if pattern.is_some() && !entry.exdates.is_empty() {
        out.wider.push(format!(
            "also covers the {} occurrence(s) the entry leaves out: a cron has no exceptions",
            entry.exdates.len()
        ));
    }
    match pattern {
        Some(Simple::Daily) if length < TimeDelta::days(1) => {
            out.windows.push(cron_window(
                format!("{sm} {sh} * * *"),
                format!("{em} {eh} * * *"),
            ));
        }
        Some(Simple::Weekly(days)) if length < TimeDelta::days(7) => {
            let list = |shift: i64| {
                let mut v: Vec<u32> = days
                    .iter()
                    .map(|d| (dow(*d) + shift.rem_euclid(7) as u32) % 7)
                    .collect();
                v.sort_unstable();
                v.dedup();
                v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
            };
            // The start's weekday moves with an early start before midnight.
            let start_shift = (start.date() - entry.start.date()).num_days();
            out.windows.push(cron_window(
                format!("{sm} {sh} * * {}", list(start_shift)),
                format!("{em} {eh} * * {}", list(days_later + start_shift)),
            ));
        }
        Some(Simple::Monthly) if start.day() <= 28 && end.day() <= 28 && days_later < 28 => {
            out.windows.push(cron_window(
                format!("{sm} {sh} {} * *", start.day()),
                format!("{em} {eh} {} * *", end.day()),
            ));
        }
        Some(Simple::Yearly) if days_later < 300 => {
            out.windows.push(cron_window(
                format!("{sm} {sh} {} {} *", start.day(), start.month()),
                format!("{em} {eh} {} {} *", end.day(), end.month()),
            ));
        }
        _ => {
            // One dated window per occurrence ahead; too many, and the rule's frequency covers.
            if occ.len() > MAX_DATED {
                if length >= TimeDelta::days(1) {
                    return Err(format!(
                        "`{}` has more than {MAX_DATED} occurrences in the coming {HORIZON_DAYS} days and lasts a day or more: it cannot be written to the platform; split it into simpler entries",
                        entry.name
                    ));
                }
                out.windows.push(cron_window(
                    format!("{sm} {sh} * * *"),
                    format!("{em} {eh} * * *"),
                ));
                out.wider.push(
                    "written as every day at its times: the rule has more occurrences than can be written one by one".into(),
                );
                return Ok(out);
            }
            for o in &occ {
                let s = o.start_local - early;
                let e = o.end_local + early;
                out.windows.push(cron_window(
                    format!("{} {} {} {} *", s.minute(), s.hour(), s.day(), s.month()),
                    format!("{} {} {} {} *", e.minute(), e.hour(), e.day(), e.month()),
                ));
            }
            out.wider.push(format!(
                "written as {} dated windows for the coming {HORIZON_DAYS} days: a cron cannot say this rule{}; each also fires on the same date in later years, until the next sync rewrites them",
                occ.len(),
                if entry.exdates.is_empty() { String::new() } else { " or its exceptions".into() }
            ));
        }
    }
    Ok(out)
}
