//! The only door through which wall-clock time enters Relm.
//!
//! Every timestamp (event HLCs, "now" in listings, the demo's relative dates) comes from a
//! [`Clock`]. Production uses [`SystemClock`]; tests inject a [`FixedClock`] so results do not
//! depend on when they run. `clippy.toml` forbids reading the wall clock anywhere else.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
    /// Whether this clock claims to be the computer's wall clock, so that it can be compared
    /// with other computers' (a remote's file times). A clock pinned by a test cannot.
    fn is_wall_clock(&self) -> bool {
        false
    }
}

/// The operating system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned wall-clock read
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn is_wall_clock(&self) -> bool {
        true
    }
}

/// A clock that only moves when told to; used by tests and benchmarks.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}
