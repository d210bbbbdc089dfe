//! How long to wait after a platform's answer, and whether to try again.
//!
//! The platforms say it in their own headers: `Retry-After` (seconds or an HTTP date; GitHub's
//! secondary limits, GitLab, Argo CD behind a proxy), GitHub's `x-ratelimit-remaining` /
//! `x-ratelimit-reset` and GitLab's `RateLimit-Remaining` / `RateLimit-Reset` (Unix seconds).
//! Answers that say nothing (a 5xx, a timeout, a connection cut) get capped exponential backoff
//! with jitter, so many replicas do not retry in step. A wait longer than [`MAX_WAIT`] is not
//! waited: the sync stops for that connector and says when to come back.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The longest wait a sync sits through.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Tries of one request before it is given up (the first included).
pub const MAX_TRIES: u32 = 5;
/// The first backoff, doubled at each retry, never more than [`BACKOFF_CAP`].
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// What to do after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Use the answer.
    Done,
    /// Send the same request again after this long.
    Retry(Duration),
    /// Stop: the reason, for the person who runs the sync.
    GiveUp(String),
}

/// A header of an answer, by name (case-insensitive).
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110), from `now`.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// The time the quota comes back, when the answer says none is left: GitHub's or GitLab's
/// headers (Unix seconds). A past reset waits nothing.
pub fn quota_wait(headers: &[(String, String)], now: DateTime<Utc>) -> Option<Duration> {
    for (remaining, reset) in [
        ("x-ratelimit-remaining", "x-ratelimit-reset"),
        ("ratelimit-remaining", "ratelimit-reset"),
    ] {
        if header(headers, remaining).and_then(|v| v.parse::<u64>().ok()) == Some(0) {
            let reset = header(headers, reset)?.parse::<i64>().ok()?;
            let at = DateTime::from_timestamp(reset, 0)?;
            // One second more: the reset is rounded down to the second.
            return Some((at - now).to_std().unwrap_or(Duration::ZERO) + Duration::from_secs(1));
        }
    }
    None
}

/// The backoff before try `attempt` + 1 (`attempt` ≥ 1 tries made): `BACKOFF_BASE` doubled
/// per try, capped, then scaled by a jitter in [0.5, 1) (`jitter` in [0, 1)).
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let capped = exp.min(BACKOFF_CAP);
    capped.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0 - f64::EPSILON))
}

fn give_up_or(wait: Duration, attempt: u32, why: &str) -> Next {
    if attempt >= MAX_TRIES {
        Next::GiveUp(format!(
            "{why}, {attempt} times in a row; the platform may be down: sync again later"
        ))
    } else if wait > MAX_WAIT {
        Next::GiveUp(format!(
            "{why}, and asks to wait {} min; sync again after that",
            wait.as_secs().div_ceil(60)
        ))
    } else {
        Next::Retry(wait)
    }
}

/// What to do after try `attempt` (1 for the first) answered `status` with `headers`.
/// `status` `None`: no answer (a timeout, a connection refused or cut).
pub fn after(
    status: Option<u16>,
    headers: &[(String, String)],
    now: DateTime<Utc>,
    attempt: u32,
    jitter: f64,
) -> Next {
    let told = header(headers, "retry-after").and_then(|v| retry_after(v, now));
    match status {
        None => give_up_or(backoff(attempt, jitter), attempt, "no answer in time"),
        Some(429) => give_up_or(
            told.or_else(|| quota_wait(headers, now))
                .unwrap_or_else(|| backoff(attempt, jitter)),
            attempt,
            "the platform limits the rate of requests (429)",
        ),
        // GitHub's primary and secondary rate limits answer 403 with these headers; a 403
        // without them is a refusal (the token lacks a permission) and is not retried.
        Some(403) if told.is_some() || quota_wait(headers, now).is_some() => give_up_or(
            told.or_else(|| quota_wait(headers, now))
                .unwrap_or_default(),
            attempt,
            "the platform's rate limit is used up (403)",
        ),
        Some(s @ (500 | 502 | 503 | 504)) => give_up_or(
            told.unwrap_or_else(|| backoff(attempt, jitter)),
            attempt,
            &format!("the platform failed ({s})"),
        ),
        Some(_) => Next::Done,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 19, 12, 0, 0).unwrap()
    }

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after("120", now()), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Fri, 19 Mar 2027 12:01:30 GMT", now()),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            retry_after("Fri, 19 Mar 2027 11:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
        for bad in ["", "soon", "-5", "1.5", "19/03/2027"] {
            assert_eq!(retry_after(bad, now()), None, "{bad}");
        }
    }

    #[test]
    fn github_and_gitlab_quota_headers() {
        let reset = (now().timestamp() + 300).to_string();
        let gh = h(&[
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", &reset),
        ]);
        assert_eq!(quota_wait(&gh, now()), Some(Duration::from_secs(301)));
        let gl = h(&[("RateLimit-Remaining", "0"), ("RateLimit-Reset", &reset)]);
        assert_eq!(quota_wait(&gl, now()), Some(Duration::from_secs(301)));
        let left = h(&[
            ("x-ratelimit-remaining", "12"),
            ("x-ratelimit-reset", &reset),
        ]);
        assert_eq!(quota_wait(&left, now()), None);
        let past = h(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "100")]);
        assert_eq!(quota_wait(&past, now()), Some(Duration::from_secs(1)));
        let garbled = h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "later"),
        ]);
        assert_eq!(quota_wait(&garbled, now()), None);
    }

    #[test]
    fn what_follows_each_answer() {
        assert_eq!(after(Some(200), &[], now(), 1, 0.3), Next::Done);
        assert_eq!(after(Some(304), &[], now(), 1, 0.3), Next::Done);
        // A plain 403 is a refusal, not a limit.
        assert_eq!(after(Some(403), &[], now(), 1, 0.3), Next::Done);
        assert_eq!(
            after(Some(429), &h(&[("Retry-After", "7")]), now(), 1, 0.3),
            Next::Retry(Duration::from_secs(7))
        );
        let reset = (now().timestamp() + 60).to_string();
        assert_eq!(
            after(
                Some(403),
                &h(&[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", &reset)
                ]),
                now(),
                1,
                0.3
            ),
            Next::Retry(Duration::from_secs(61))
        );
        assert!(
            matches!(after(Some(502), &[], now(), 1, 0.0), Next::Retry(d) if d == Duration::from_millis(500))
        );
        assert!(
            matches!(after(None, &[], now(), 3, 0.0), Next::Retry(d) if d == Duration::from_secs(2))
        );
        // Too long a wait, or too many tries: the sync says what to do.
        match after(Some(429), &h(&[("Retry-After", "3600")]), now(), 1, 0.3) {
            Next::GiveUp(why) => assert!(why.contains("60 min"), "{why}"),
            other => panic!("{other:?}"),
        }
        match after(Some(503), &[], now(), MAX_TRIES, 0.3) {
            Next::GiveUp(why) => assert!(why.contains("sync again later"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn backoff_stays_within_half_and_all_of_the_capped_doubling(attempt in 1u32..40, jitter in 0.0f64..1.0) {
            let d = backoff(attempt, jitter);
            let full = BACKOFF_BASE.saturating_mul(1u32 << (attempt - 1).min(20)).min(BACKOFF_CAP);
            proptest::prop_assert!(d >= full / 2 && d <= full, "{d:?} for {attempt}");
        }

        #[test]
        fn any_header_values_give_an_answer_without_panicking(
            status in proptest::option::of(100u16..600),
            name in "(?i)(retry-after|x-ratelimit-remaining|x-ratelimit-reset|ratelimit-remaining|ratelimit-reset)",
            value in "\\PC{0,40}",
            attempt in 1u32..10,
        ) {
            let _ = after(status, &[(name, value)], now(), attempt, 0.5);
        }
    }
}
