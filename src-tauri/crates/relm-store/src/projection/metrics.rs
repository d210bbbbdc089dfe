//! Delivery and governance metrics over a period, per service and environment, with the exact
//! definitions of docs/metrics.md: read from the deployments, releases, approvals, reviews and
//! actions tables.

use std::collections::{BTreeMap, HashMap};

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
    let mut stmt = conn.prepare_cached(
        "SELECT d.event_id, d.release_id, d.service, d.environment, d.outcome, d.started_ms,
                d.ended_ms, d.deviation_count > 0, instr(d.deviations, '\"in_freeze\"') > 0,
                r.created_hlc >> 16, r.change_type = 'emergency'
         FROM deployments d JOIN releases r ON r.id = d.release_id
         WHERE d.ended_ms >= ?1 AND d.ended_ms < ?2 AND (?3 IS NULL OR d.service = ?3)
           AND d.environment IN (SELECT value FROM json_each(?4))
         ORDER BY d.ended_ms, d.event_id",
    )?;
    let rows: Vec<Row> = stmt
        .query_map(params![from_ms, to_ms, service, envs], |r| {
            Ok(Row {
                id: r.get(0)?,
                release: r.get(1)?,
                service: r.get(2)?,
                env: r.get(3)?,
                outcome: r.get(4)?,
                started: r.get(5)?,
                ended: r.get(6)?,
                deviating: r.get(7)?,
                in_freeze: r.get(8)?,
                created: r.get(9)?,
                emergency: r.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Lead time starts at the release's creation or its first deployment anywhere, whichever
    // is earlier (deployments imported from before the release was entered).
    let mut first: HashMap<String, i64> = HashMap::new();
    {
        let mut stmt =
            conn.prepare_cached("SELECT min(started_ms) FROM deployments WHERE release_id = ?1")?;
        for r in &rows {
            if !first.contains_key(&r.release) {
                let f: Option<i64> = stmt.query_row([&r.release], |x| x.get(0))?;
                first.insert(r.release.clone(), f.unwrap_or(r.started));
            }
        }
    }
    let lead = |r: &Row| {
        r.ended
            - r.created
                .min(first.get(&r.release).copied().unwrap_or(r.started))
    };
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
        let mut planned = conn.prepare_cached(
            "SELECT min(at_hlc) >> 16 FROM release_status_history WHERE release_id = ?1 AND to_status = 'planned'",
        )?;
        let mut approved = conn.prepare_cached(
            "SELECT max(at_hlc) >> 16 FROM approvals WHERE release_id = ?1 AND environment = ?2
             AND decision = 'approve' AND (at_hlc >> 16) <= ?3",
        )?;
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for r in rows.iter().filter(|r| ok(r)) {
            if seen.contains(&(r.release.as_str(), r.env.as_str())) {
                continue;
            }
            seen.push((r.release.as_str(), r.env.as_str()));
            let p: Option<i64> = planned.query_row([&r.release], |x| x.get(0))?;
            let a: Option<i64> =
                approved.query_row(params![r.release, r.env, r.started], |x| x.get(0))?;
            if let (Some(p), Some(a)) = (p, a)
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
    let mut due = 0u32;
    let mut done = 0u32;
    for req in super::reviews::requirements(conn, service, due_days)? {
        if req.due >= due_from && req.due < due_to {
            due += 1;
            if super::reviews::get(conn, &req.release_id)?.is_some_and(|s| s.signed_at.is_some()) {
                done += 1;
            }
        }
    }
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
    let released: Vec<&str> = {
        let mut v: Vec<&str> = succeeded.iter().map(|r| r.release.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let emergencies = released
        .iter()
        .filter(|id| succeeded.iter().any(|r| r.release == **id && r.emergency))
        .count() as u32;

    // Weeks from the Monday on or before the start.
    let mut weeks = Vec::new();
    let monday = start.date_naive()
        - Duration::days(i64::from(
            start.date_naive().weekday().num_days_from_monday(),
        ));
    let mut w = monday.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    while w < end {
        let (a, b) = (
            w.timestamp_millis(),
            (w + Duration::days(7)).timestamp_millis(),
        );
        let inside: Vec<&Row> = rows
            .iter()
            .filter(|r| r.ended >= a && r.ended < b)
            .collect();
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
    let mut names: Vec<&str> = rows.iter().map(|r| r.service.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for s in names {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.service == s).collect();
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
