//! When a background sync runs next: a steady interval while remotes answer, and a capped
//! exponential backoff with jitter while they do not, so a replica whose share is offline
//! neither hammers it nor waits half an hour once it is back (a manual sync resets the count).

use std::time::Duration;

/// The background sync's timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Between two syncs that went well.
    pub every: Duration,
    /// After the first failure; doubled after each further one.
    pub retry: Duration,
    /// The longest wait after failures.
    pub max: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            every: Duration::from_secs(300),
            retry: Duration::from_secs(30),
            max: Duration::from_secs(1800),
        }
    }
}

impl Schedule {
    /// The wait before the next sync after `failures` failed syncs in a row. `jitter` in
    /// `[0, 1)` spreads waits over ±20 % so replicas sharing a folder do not sync in lockstep.
    pub fn next(&self, failures: u32, jitter: f64) -> Duration {
        let base = if failures == 0 {
            self.every
        } else {
            let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
            self.retry.saturating_mul(factor).min(self.max)
        };
        base.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
    }
}

/// A uniform value in `[0, 1)` from the OS's randomness (0.5, no jitter, if it has none).
pub fn jitter() -> f64 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Schedule = Schedule {
        every: Duration::from_secs(300),
        retry: Duration::from_secs(30),
        max: Duration::from_secs(1800),
    };

    #[test]
    fn steady_interval_while_syncs_succeed() {
        assert_eq!(S.next(0, 0.5), Duration::from_secs(300));
    }

    #[test]
    fn failures_double_the_wait_up_to_the_cap() {
        let waits: Vec<u64> = (1..=8).map(|f| S.next(f, 0.5).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1800, 1800]);
        assert_eq!(S.next(u32::MAX, 0.5), Duration::from_secs(1800));
    }

    #[test]
    fn jitter_spreads_waits_over_forty_percent() {
        assert_eq!(S.next(0, 0.0), Duration::from_secs(240));
        assert_eq!(S.next(0, 1.0), Duration::from_secs(360));
        assert_eq!(S.next(1, 0.0), Duration::from_secs(24));
        // Out-of-range jitter is clamped, never a zero or a runaway wait.
        assert_eq!(S.next(0, -3.0), Duration::from_secs(240));
        assert_eq!(S.next(0, 7.0), Duration::from_secs(360));
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
