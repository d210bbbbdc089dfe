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

struct Row {
    id: String,
    release: String,
    service: String,
    env: String,
    outcome: String,
    started: i64,
    ended: i64,
    deviating: bool,
    in_freeze: bool,
    created: i64,
    emergency: bool,
    /// The start of the release's first deployment to any environment.
    first: i64,
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
    let envs = serde_json::to_string(names).unwrap_or_else(|_| "[]".into());
    // The period's deployments from one index alone (`deployments_metrics`); what the lead time
    // and the emergency ratio need of their releases is read once per release below.
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, release_id, service, environment, outcome, ended_ms,
                deviation_count > 0, in_freeze, started_ms
         FROM deployments
         WHERE ended_ms >= ?1 AND ended_ms < ?2 AND (?3 IS NULL OR service = ?3)
           AND environment IN (SELECT value FROM json_each(?4))
         ORDER BY ended_ms, event_id",
    )?;
    let mut rows: Vec<Row> = stmt
        .query_map(params![from_ms, to_ms, service, envs], |r| {
            Ok(Row {
                id: r.get(0)?,
                release: r.get(1)?,
                service: r.get(2)?,
                env: r.get(3)?,
                outcome: r.get(4)?,
                ended: r.get(5)?,
                deviating: r.get(6)?,
                in_freeze: r.get(7)?,
                started: r.get(8)?,
                created: 0,
                emergency: false,
                first: 0,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    {
        // Each release's creation and change type, and its first deployment anywhere: two
        // passes over the service's (or every) release, not a query per release.
        // A filter that may be null would keep SQLite from the service's index.
        let only = if service.is_some() {
            "service = ?1"
        } else {
            "?1 IS NULL"
        };
        let created: HashMap<String, (i64, bool)> = conn
            .prepare_cached(&format!(
                "SELECT id, created_hlc >> 16, change_type = 'emergency' FROM releases
                 WHERE {only}"
            ))?
            .query_map([service], |x| Ok((x.get(0)?, (x.get(1)?, x.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let first: HashMap<String, i64> = conn
            .prepare_cached(&format!(
                "SELECT release_id, min(started_ms) FROM deployments
                 WHERE {only} GROUP BY release_id"
            ))?
            .query_map([service], |x| Ok((x.get(0)?, x.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for r in &mut rows {
            let (c, e) = created
                .get(&r.release)
                .copied()
                .unwrap_or((r.started, false));
            r.created = c;
            r.emergency = e;
            r.first = first.get(&r.release).copied().unwrap_or(r.started);
        }
    }
    let lead = |r: &Row| r.ended - r.created.min(r.first);
    let ok = |r: &Row| r.outcome == "succeeded";
    let bad = |r: &Row| r.outcome == "failed" || r.outcome == "rolled_back";
    let weeks_in = ((to_ms - from_ms) as f64 / (7.0 * 86_400_000.0)).max(1.0 / 7.0);
    let per_week = |n: usize| round(n as f64 / weeks_in);

    // Time to restore: the next successful deployment of the same service to the same
    // environment after the failure ended (in the period or after it).
    let mut restore: Vec<i64> = Vec::new();
    let mut restore_by_service: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut unrestored = Vec::new();
    {
        let mut after = conn.prepare_cached(
            "SELECT min(ended_ms) FROM deployments
             WHERE service = ?1 AND environment = ?2 AND ended_ms > ?3 AND outcome = 'succeeded'",
        )?;
        let mut next_ok: HashMap<(&str, &str), Option<i64>> = HashMap::new();
        // Walk backwards: the next success after each failure, in the period.
        for r in rows.iter().rev() {
            let key = (r.service.as_str(), r.env.as_str());
            if ok(r) {
                next_ok.insert(key, Some(r.ended));
            } else if bad(r) {
                // No success after it in the period: the first after the period restores it
                // (and every earlier failure with none in between); asked once.
                let next = match next_ok.get(&key) {
                    Some(known) => *known,
                    None => {
                        let t = after.query_row(params![r.service, r.env, to_ms - 1], |x| {
                            x.get::<_, Option<i64>>(0)
                        })?;
                        next_ok.insert(key, t);
                        t
                    }
                };
                match next {
                    Some(t) => {
                        restore.push(t - r.ended);
                        restore_by_service
                            .entry(r.service.clone())
                            .or_default()
                            .push(t - r.ended);
                    }
                    None => unrestored.push(Unrestored {
                        deployment: r.id.clone(),
                        release_id: r.release.clone(),
                        service: r.service.clone(),
                        environment: r.env.clone(),
                        failed_at: relm_domain::window::fmt_utc(
                            DateTime::from_timestamp_millis(r.ended).unwrap_or_default(),
                        ),
                    }),
                }
            }
        }
    }
    unrestored.reverse();

    // Approval lead time: from the release's submission (first move to planned) to the last
    // approval for the environment before its first successful deployment there in the period.
    let mut approval_lead = Vec::new();
    {
        // Per release and environment: the start of its first successful deployment of the
        // period; then each release's submission and each environment's approvals, read once.
        let mut first_ok: HashMap<(&str, &str), i64> = HashMap::new();
        for r in rows.iter().filter(|r| ok(r)) {
            first_ok
                .entry((r.release.as_str(), r.env.as_str()))
                .and_modify(|t| *t = (*t).min(r.started))
                .or_insert(r.started);
        }
        let planned: HashMap<String, i64> = conn
            .prepare_cached(
                "SELECT release_id, min(at_hlc) >> 16 FROM release_status_history
                 WHERE to_status = 'planned' GROUP BY release_id",
            )?
            .query_map([], |x| Ok((x.get(0)?, x.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut approvals: HashMap<(String, String), Vec<i64>> = HashMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT release_id, environment, at_hlc >> 16 FROM approvals
                 WHERE decision = 'approve'",
            )?;
            let mut q = stmt.query([])?;
            while let Some(x) = q.next()? {
                approvals
                    .entry((x.get(0)?, x.get(1)?))
                    .or_default()
                    .push(x.get(2)?);
            }
        }
        for ((release, env), start) in first_ok {
            let Some(p) = planned.get(release) else {
                continue;
            };
            let last = approvals
                .get(&(release.to_string(), env.to_string()))
                .and_then(|times| times.iter().filter(|t| **t <= start).max());
            if let Some(a) = last
                && a >= p
            {
                approval_lead.push(a - p);
            }
        }
    }

    // Moves made although a freeze blocked them, in the period.
    let overrides: u32 = conn
        .prepare_cached(
            "SELECT count(*) FROM release_status_history h JOIN releases r ON r.id = h.release_id
             WHERE (h.at_hlc >> 16) >= ?1 AND (h.at_hlc >> 16) < ?2 AND (?3 IS NULL OR r.service = ?3)
               AND h.blocked IS NOT NULL AND instr(h.blocked, '\"freeze\"') > 0",
        )?
        .query_row(params![from_ms, to_ms, service], |x| x.get(0))?;

    // Reviews due in the period: how many were signed off.
    let due_from = start.date_naive().to_string();
    let due_to = end.date_naive().to_string();
    // A review is due `due_days` after the first of its triggers (as a UTC date).
    let (due, done): (u32, u32) = conn
        .prepare_cached(&format!(
            "SELECT count(*), coalesce(sum(v.signed_hlc IS NOT NULL), 0)
             FROM (SELECT release_id, min(at_ms) AS since FROM ({}) GROUP BY release_id) t
             LEFT JOIN reviews v ON v.release_id = t.release_id
             WHERE date(t.since / 1000 + ?4 * 86400, 'unixepoch') >= ?2
               AND date(t.since / 1000 + ?4 * 86400, 'unixepoch') < ?3",
            super::reviews::triggers(service.is_some())
        ))?
        .query_row(params![service, due_from, due_to, due_days], |x| {
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
    let released: HashSet<&str> = succeeded.iter().map(|r| r.release.as_str()).collect();
    let emergencies = succeeded
        .iter()
        .filter(|r| r.emergency)
        .map(|r| r.release.as_str())
        .collect::<HashSet<&str>>()
        .len() as u32;

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

    let mut services = Vec::new();
    let mut by_service: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        by_service.entry(r.service.as_str()).or_default().push(r);
    }
    for (s, mine) in by_service {
        let good: Vec<&&Row> = mine.iter().filter(|r| ok(r)).collect();
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
                restore_by_service.get(s).cloned().unwrap_or_default(),
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
