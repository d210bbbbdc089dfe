//! Delivery and governance metrics over a period, per service and environment, with the exact
//! definitions of docs/metrics.md: read from the deployments, releases, approvals, reviews and
//! actions tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::error::Result;

/// A failed or rolled-back deployment that no successful one to the same service and
/// environment has followed yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unrestored {
    pub deployment: String,
    pub release_id: String,
    pub service: String,
    pub environment: String,
    pub failed_at: String,
}

/// One week of the period (Monday to Monday, UTC).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeekPoint {
    pub start: String,
    pub deployments: u32,
    pub succeeded: u32,
    /// Failed or rolled back.
    pub failed: u32,
    pub lead_time_hours_median: Option<f64>,
}

/// One service's figures over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServicePoint {
    pub service: String,
    pub deployments: u32,
    pub deployment_frequency_per_week: f64,
    pub change_failure_rate: Option<f64>,
    pub lead_time_hours_median: Option<f64>,
    pub time_to_restore_hours_median: Option<f64>,
}

/// The figures of docs/metrics.md; a rate or a median is null when nothing was there to
/// measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Metrics {
    pub from: String,
    pub to: String,
    pub service: Option<String>,
    /// The environments measured: the one asked for, or the policy's production ones.
    pub environments: Vec<String>,
    pub deployments: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub deployment_frequency_per_week: f64,
    pub lead_time_hours_median: Option<f64>,
    pub change_failure_rate: Option<f64>,
    pub time_to_restore_hours_median: Option<f64>,
    pub unrestored: Vec<Unrestored>,
    pub approval_lead_time_hours_median: Option<f64>,
    pub deviations: u32,
    pub deviation_share: Option<f64>,
    pub freeze_overrides: u32,
    pub emergency_ratio: Option<f64>,
    pub review_completion_rate: Option<f64>,
    pub overdue_actions: u32,
    pub weeks: Vec<WeekPoint>,
    pub services: Vec<ServicePoint>,
}

/// The middle value (the mean of the two middle ones for an even count), in hours.
pub fn median_hours(mut ms: Vec<i64>) -> Option<f64> {
    if ms.is_empty() {
        return None;
    }
    ms.sort_unstable();
    let n = ms.len();
    let mid = if n % 2 == 1 {
        ms[n / 2] as f64
    } else {
        (ms[n / 2 - 1] as f64 + ms[n / 2] as f64) / 2.0
    };
    Some(round(mid / 3_600_000.0))
}

/// Two decimals: what a person reads, and what the CLI and the app agree on.
fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| round(f64::from(n) / f64::from(d)))
}

/// Strings interned as small numbers: a year's rows name a few services and environments and
/// thousands of releases, read borrowed from SQLite without an allocation per column.
/// Hashed with `FxHash`: the keys are ids and names from the store, not attacker-chosen in
/// bulk, and hashing every row's release id with SipHash costs more than the rest of the row.
#[derive(Default)]
struct Names {
    index: rustc_hash::FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    fn find(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }
}

/// Column `i` as text borrowed from SQLite.
fn text<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'a str> {
    r.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Succeeded,
    /// Failed or rolled back.
    Failed,
    /// Partial.
    Other,
}

struct Row {
    rowid: i64,
    release: u32,
    service: u32,
    env: u32,
    outcome: Kind,
    started: i64,
    ended: i64,
    deviating: bool,
    in_freeze: bool,
}

/// What the lead time and the emergency ratio need of a release.
#[derive(Clone, Copy, Default)]
struct ReleaseFacts {
    /// The earlier of the release's creation and its first deployment anywhere.
    lead_from: Option<i64>,
    emergency: bool,
    /// Its first move to planned.
    submitted: Option<i64>,
}

/// How the period's releases and their approvals are read.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Each by its key.
    ByKey,
    /// One pass over every release and every approval.
    Scan,
}

thread_local! {
    /// A way of reading chosen by a test on this thread, to compare the two.
    static FORCED: std::cell::Cell<Option<Read>> = const { std::cell::Cell::new(None) };
}

/// Make [`measure`] on this thread read the releases as `read` (`None`: its own choice). For
/// tests that check both ways give the same figures.
#[doc(hidden)]
pub fn force_read(read: Option<Read>) {
    FORCED.set(read);
}

/// By key when the period's releases are under a third of all releases: a lookup costs about
/// what three rows of a pass do (measured at 100,000 releases: 11 µs against 4 µs a row). A pass
/// read the whole table (80 MB from disk on a first visit) for a quarter's few thousand.
fn read_for(conn: &Connection, period_releases: usize) -> Result<Read> {
    if let Some(read) = FORCED.get() {
        return Ok(read);
    }
    // Releases are never deleted: the largest row id is their number.
    let all: i64 = conn
        .prepare_cached("SELECT coalesce(max(rowid), 0) FROM releases")?
        .query_row([], |r| r.get(0))?;
    Ok(if (period_releases as i64).saturating_mul(3) < all {
        Read::ByKey
    } else {
        Read::Scan
    })
}

/// An approval at `t` of a release for an environment counts when it came before the first
/// successful deployment there: the latest such is kept.
fn approved(first_ok: &mut HashMap<(u32, u32), (i64, Option<i64>)>, key: (u32, u32), t: i64) {
    if let Some((start, last)) = first_ok.get_mut(&key)
        && t <= *start
    {
        *last = Some(last.map_or(t, |l| l.max(t)));
    }
}

/// The figures over `start`..`end` for `service` (all when `None`) and the environments
/// `names` (each environment's name and aliases; `environments` are reported), as of `now`
/// (for actions past due), with reviews due `due_days` after what made them mandatory.
pub fn measure(
    conn: &Connection,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    service: Option<&str>,
    environments: &[String],
    names: &[String],
    now: DateTime<Utc>,
    due_days: u32,
) -> Result<Metrics> {
    let (from_ms, to_ms) = (start.timestamp_millis(), end.timestamp_millis());
    let (mut releases, mut words) = (Names::default(), Names::default());
    // The period's deployments to each environment name from one index alone
    // (`deployments_metrics`, environment first), in its order: by end, ties by service, outcome
    // and the other columns (rows alike in all of them are alike for every figure, and the
    // failures listed are sorted). No sort in SQLite, no membership test per row.
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, release_id, service, ended_ms, started_ms, outcome, deviation_count,
                in_freeze
         FROM deployments
         WHERE environment = ?1 AND ended_ms >= ?2 AND ended_ms < ?3
           AND (?4 IS NULL OR service = ?4)
         ORDER BY ended_ms, service, outcome, deviation_count, in_freeze, started_ms, release_id",
    )?;
    let mut rows: Vec<Row> = Vec::new();
    let mut sources = 0;
    for name in names {
        let env = words.id(name);
        let mut q = stmt.query(params![name, from_ms, to_ms, service])?;
        let before = rows.len();
        while let Some(r) = q.next()? {
            rows.push(Row {
                rowid: r.get(0)?,
                release: releases.id(text(r, 1)?),
                service: words.id(text(r, 2)?),
                env,
                ended: r.get(3)?,
                started: r.get(4)?,
                // Told apart by their bytes (an expression in SQL costs more per row).
                outcome: match r.get_ref(5)?.as_bytes().unwrap_or_default() {
                    b"succeeded" => Kind::Succeeded,
                    b"failed" | b"rolled_back" => Kind::Failed,
                    _ => Kind::Other,
                },
                deviating: r.get::<_, i64>(6)? > 0,
                in_freeze: r.get(7)?,
            });
        }
        sources += usize::from(rows.len() > before);
    }
    // Several environment names (aliases) with deployments: merged by end, each one's order
    // kept (only the order within one service and environment counts).
    if sources > 1 {
        rows.sort_by_key(|r| r.ended);
    }
    // Each release's creation, submission, first deployment and change type, and later the
    // approvals of the releases deployed: by key for the releases of the period when they are
    // few beside all releases, in one pass over the table otherwise.
    let read = read_for(conn, releases.names.len())?;
    let mut facts = vec![ReleaseFacts::default(); releases.names.len()];
    if read == Read::Scan {
        let only = if service.is_some() {
            "service = ?1"
        } else {
            "?1 IS NULL"
        };
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT id, min(created_hlc >> 16, coalesce(first_deployed_ms, created_hlc >> 16)),
                    change_type = 'emergency', submitted_ms
             FROM releases WHERE {only}"
        ))?;
        let mut q = stmt.query([service])?;
        while let Some(x) = q.next()? {
            if let Some(i) = releases.find(text(x, 0)?) {
                facts[i as usize] = ReleaseFacts {
                    lead_from: Some(x.get(1)?),
                    emergency: x.get(2)?,
                    submitted: x.get(3)?,
                };
            }
        }
    } else {
        let mut stmt = conn.prepare_cached(
            "SELECT min(created_hlc >> 16, coalesce(first_deployed_ms, created_hlc >> 16)),
                    change_type = 'emergency', submitted_ms
             FROM releases WHERE id = ?1",
        )?;
        for (i, id) in releases.names.iter().enumerate() {
            let mut q = stmt.query([id])?;
            if let Some(x) = q.next()? {
                facts[i] = ReleaseFacts {
                    lead_from: Some(x.get(0)?),
                    emergency: x.get(1)?,
                    submitted: x.get(2)?,
                };
            }
        }
    }
    let lead = |r: &Row| r.ended - facts[r.release as usize].lead_from.unwrap_or(r.started);
    let ok = |r: &Row| r.outcome == Kind::Succeeded;
    let bad = |r: &Row| r.outcome == Kind::Failed;
    let weeks_in = ((to_ms - from_ms) as f64 / (7.0 * 86_400_000.0)).max(1.0 / 7.0);
    let per_week = |n: usize| round(n as f64 / weeks_in);

    // Time to restore: the next successful deployment of the same service to the same
    // environment after the failure ended (in the period or after it).
    let mut restore: Vec<i64> = Vec::new();
    let mut restore_by_service: HashMap<u32, Vec<i64>> = HashMap::new();
    let mut unrestored = Vec::new();
    {
        let mut after = conn.prepare_cached(
            "SELECT min(ended_ms) FROM deployments
             WHERE service = ?1 AND environment = ?2 AND ended_ms > ?3 AND outcome = 'succeeded'",
        )?;
        let mut event_of =
            conn.prepare_cached("SELECT event_id FROM deployments WHERE rowid = ?1")?;
        let mut next_ok: HashMap<(u32, u32), Option<i64>> = HashMap::new();
        // Walk backwards: the next success after each failure, in the period.
        for r in rows.iter().rev() {
            let key = (r.service, r.env);
            if ok(r) {
                next_ok.insert(key, Some(r.ended));
            } else if bad(r) {
                // No success after it in the period: the first after the period restores it
                // (and every earlier failure with none in between); asked once.
                let next = match next_ok.get(&key) {
                    Some(known) => *known,
                    None => {
                        let t = after.query_row(
                            params![words.name(r.service), words.name(r.env), to_ms - 1],
                            |x| x.get::<_, Option<i64>>(0),
                        )?;
                        next_ok.insert(key, t);
                        t
                    }
                };
                match next {
                    Some(t) => {
                        restore.push(t - r.ended);
                        restore_by_service
                            .entry(r.service)
                            .or_default()
                            .push(t - r.ended);
                    }
                    None => unrestored.push(Unrestored {
                        deployment: event_of.query_row([r.rowid], |x| x.get(0))?,
                        release_id: releases.name(r.release).to_string(),
                        service: words.name(r.service).to_string(),
                        environment: words.name(r.env).to_string(),
                        failed_at: relm_domain::window::fmt_utc(
                            DateTime::from_timestamp_millis(r.ended).unwrap_or_default(),
                        ),
                    }),
                }
            }
        }
    }
    unrestored.sort_by(|a, b| (&a.failed_at, &a.deployment).cmp(&(&b.failed_at, &b.deployment)));

    // Approval lead time: from the release's submission (first move to planned) to the last
    // approval for the environment before its first successful deployment there in the period.
    let mut approval_lead = Vec::new();
    {
        // Per release and environment: the start of its first successful deployment of the
        // period; then the approvals, read once.
        let mut first_ok: HashMap<(u32, u32), (i64, Option<i64>)> = HashMap::new();
        for r in rows.iter().filter(|r| ok(r)) {
            first_ok
                .entry((r.release, r.env))
                .and_modify(|(t, _)| *t = (*t).min(r.started))
                .or_insert((r.started, None));
        }
        if read == Read::Scan {
            let mut stmt = conn.prepare_cached(
                "SELECT release_id, environment, at_hlc >> 16 FROM approvals
                 WHERE decision = 'approve'",
            )?;
            let mut q = stmt.query([])?;
            while let Some(x) = q.next()? {
                let (Some(rel), Some(env)) = (releases.find(text(x, 0)?), words.find(text(x, 1)?))
                else {
                    continue;
                };
                approved(&mut first_ok, (rel, env), x.get(2)?);
            }
        } else {
            // The approvals of those releases, by the release's index.
            let mut stmt = conn.prepare_cached(
                "SELECT environment, at_hlc >> 16 FROM approvals
                 WHERE release_id = ?1 AND decision = 'approve'",
            )?;
            let mut deployed: Vec<u32> = first_ok.keys().map(|(rel, _)| *rel).collect();
            deployed.sort_unstable();
            deployed.dedup();
            for rel in deployed {
                let mut q = stmt.query([releases.name(rel)])?;
                while let Some(x) = q.next()? {
                    let Some(env) = words.find(text(x, 0)?) else {
                        continue;
                    };
                    approved(&mut first_ok, (rel, env), x.get(1)?);
                }
            }
        }
        for ((release, _), (_, last)) in first_ok {
            if let (Some(p), Some(a)) = (facts[release as usize].submitted, last)
                && a >= p
            {
                approval_lead.push(a - p);
            }
        }
    }

    // Moves made although a freeze blocked them, in the period (the index of blocked moves).
    let overrides: u32 = conn
        .prepare_cached(
            "SELECT count(*) FROM release_status_history h JOIN releases r ON r.id = h.release_id
             WHERE h.blocked != '[]' AND h.at_hlc >= ?1 AND h.at_hlc < ?2
               AND (?3 IS NULL OR r.service = ?3) AND instr(h.blocked, '\"freeze\"') > 0",
        )?
        .query_row(params![from_ms << 16, to_ms << 16, service], |x| x.get(0))?;

    // Reviews due in the period (`due_days` after the first of what made them mandatory, as a
    // UTC date): how many were signed off. Due on a day in `due_from..due_to` means made
    // mandatory in the same days shifted back, a range of the requirements' index.
    let due_from = start.date_naive().to_string();
    let due_to = end.date_naive().to_string();
    let midnight = |t: DateTime<Utc>| {
        t.date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp_millis()
            - i64::from(due_days) * 86_400_000
    };
    let join = if service.is_some() {
        "JOIN releases r ON r.id = q.release_id AND r.service = ?3"
    } else {
        "JOIN (SELECT 1 WHERE ?3 IS NULL)"
    };
    let (due, done): (u32, u32) = conn
        .prepare_cached(&format!(
            "SELECT count(*), coalesce(sum(v.signed_hlc IS NOT NULL), 0)
             FROM (SELECT release_id FROM review_requirements
                   WHERE since_ms >= ?1 AND since_ms < ?2) q
             {join}
             LEFT JOIN reviews v ON v.release_id = q.release_id"
        ))?
        .query_row(params![midnight(start), midnight(end), service], |x| {
            Ok((x.get(0)?, x.get(1)?))
        })?;
    // Actions due in the period not done by their due date (done later, or still open).
    let overdue_actions: u32 = conn
        .prepare_cached(
            "SELECT count(*) FROM actions
             WHERE due >= ?1 AND due < ?2 AND (?3 IS NULL OR service = ?3) AND due < ?4
               AND (done_hlc IS NULL OR date((done_hlc >> 16) / 1000, 'unixepoch') > due)",
        )?
        .query_row(
            params![due_from, due_to, service, now.date_naive().to_string()],
            |x| x.get(0),
        )?;

    let succeeded: Vec<&Row> = rows.iter().filter(|r| ok(r)).collect();
    let failed = rows.iter().filter(|r| bad(r)).count() as u32;
    let released: HashSet<u32> = succeeded.iter().map(|r| r.release).collect();
    let emergencies = released
        .iter()
        .filter(|r| facts[**r as usize].emergency)
        .count() as u32;

    // Weeks from the Monday on or before the start.
    let mut weeks = Vec::new();
    let monday = start.date_naive()
        - Duration::days(i64::from(
            start.date_naive().weekday().num_days_from_monday(),
        ));
    let mut w = monday.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    // Rows are in end order: each week is the next run of them.
    let mut next = 0;
    while w < end {
        let b = (w + Duration::days(7)).timestamp_millis();
        let from = next;
        while next < rows.len() && rows[next].ended < b {
            next += 1;
        }
        let inside: Vec<&Row> = rows[from..next].iter().collect();
        weeks.push(WeekPoint {
            start: w.date_naive().to_string(),
            deployments: inside.len() as u32,
            succeeded: inside.iter().filter(|r| ok(r)).count() as u32,
            failed: inside.iter().filter(|r| bad(r)).count() as u32,
            lead_time_hours_median: median_hours(
                inside.iter().filter(|r| ok(r)).map(|r| lead(r)).collect(),
            ),
        });
        w += Duration::days(7);
    }

    let mut by_service: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        by_service.entry(words.name(r.service)).or_default().push(r);
    }
    let mut services = Vec::new();
    for (s, mine) in by_service {
        let good: Vec<&&Row> = mine.iter().filter(|r| ok(r)).collect();
        let id = words.find(s);
        services.push(ServicePoint {
            service: s.to_string(),
            deployments: mine.len() as u32,
            deployment_frequency_per_week: per_week(good.len()),
            change_failure_rate: ratio(
                mine.iter().filter(|r| bad(r)).count() as u32,
                mine.len() as u32,
            ),
            lead_time_hours_median: median_hours(good.iter().map(|r| lead(r)).collect()),
            time_to_restore_hours_median: median_hours(
                id.and_then(|i| restore_by_service.get(&i))
                    .cloned()
                    .unwrap_or_default(),
            ),
        });
    }

    let deviating = rows.iter().filter(|r| r.deviating).count() as u32;
    Ok(Metrics {
        from: relm_domain::window::fmt_utc(start),
        to: relm_domain::window::fmt_utc(end),
        service: service.map(String::from),
        environments: environments.to_vec(),
        deployments: rows.len() as u32,
        succeeded: succeeded.len() as u32,
        failed,
        deployment_frequency_per_week: per_week(succeeded.len()),
        lead_time_hours_median: median_hours(succeeded.iter().map(|r| lead(r)).collect()),
        change_failure_rate: ratio(failed, rows.len() as u32),
        time_to_restore_hours_median: median_hours(restore),
        unrestored,
        approval_lead_time_hours_median: median_hours(approval_lead),
        deviations: deviating,
        deviation_share: ratio(deviating, rows.len() as u32),
        freeze_overrides: rows.iter().filter(|r| r.in_freeze).count() as u32 + overrides,
        emergency_ratio: ratio(emergencies, released.len() as u32),
        review_completion_rate: ratio(done, due),
        overdue_actions,
        weeks,
        services,
    })
}
