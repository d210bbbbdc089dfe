//! Delivery and governance metrics over a period (docs/metrics.md).

pub use relm_store::projection::metrics::{Metrics, ServicePoint, Unrestored, WeekPoint};

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{ApiError, Result};
use crate::session::Relm;

impl Relm {
    /// The figures over `from`..`to` (dates, `to` included, or RFC 3339 times), for one service
    /// and environment or all.
    pub fn metrics(
        &self,
        from: &str,
        to: &str,
        service: Option<&str>,
        environment: Option<&str>,
    ) -> Result<Metrics> {
        let (start, end) = crate::deployments::period_bounds(Some(from), Some(to))?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(ApiError::validation("give the period: --from D --to D"));
        };
        let service = service.map(str::trim).filter(|s| !s.is_empty());
        // The figures read the store, and the clock only for the day (actions past due).
        let today = self.clock.now();
        let question = Question {
            period: (start, end),
            service: service.map(String::from),
            environment: environment.map(String::from),
            day: today.date_naive(),
        };
        self.metrics.get(&self.store, question, || {
            let (policy, _) = crate::gates::in_force(self.store.conn())?;
            let environments = measured(&policy, environment);
            // Aliases count as their environment.
            let names = with_aliases(&policy, environments.iter().map(String::as_str));
            Ok(relm_store::projection::metrics::measure(
                self.store.conn(),
                (start, end),
                service,
                &environments,
                &names,
                today,
                policy.reviews.due_days,
            )?)
        })
    }
}

/// What the figures are of: what [`Relm::metrics`] keeps them by.
#[derive(Debug, PartialEq)]
pub(crate) struct Question {
    period: (DateTime<Utc>, DateTime<Utc>),
    service: Option<String>,
    environment: Option<String>,
    /// The day they are as of (UTC): actions past due are counted as of it.
    day: NaiveDate,
}

/// The environments the metrics measure: `environment` (by its name when it is an alias), or
/// without one the policy's production environments.
pub(crate) fn measured(policy: &relm_policy::Policy, environment: Option<&str>) -> Vec<String> {
    match environment.map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => vec![
            policy
                .environment(e)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| e.to_string()),
        ],
        None => policy
            .order()
            .filter(|e| e.tier == relm_policy::Tier::Production)
            .map(|e| e.name.clone())
            .collect(),
    }
}

/// `environments`, each with the other names the policy gives it (its own when given by an
/// alias, and its aliases), sorted, each name once.
pub(crate) fn with_aliases<'a>(
    policy: &relm_policy::Policy,
    environments: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut all = Vec::new();
    for name in environments {
        all.push(name.to_string());
        if let Some(e) = policy.environment(name) {
            all.push(e.name.clone());
            all.extend(e.aliases.iter().cloned());
        }
    }
    all.sort();
    all.dedup();
    all
}
