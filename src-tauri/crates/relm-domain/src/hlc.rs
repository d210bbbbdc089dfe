//! Hybrid logical clock timestamps.
//!
//! An event's timestamp is `(ms, c)`: milliseconds of wall time from the injected clock and a
//! counter that breaks ties. A replica never issues a timestamp lower than one it has already
//! seen, so an event made after seeing another orders after it even when laptop clocks
//! disagree (Kulkarni et al., "Logical Physical Clocks", 2014). Stored packed in one integer
//! (`ms << 16 | c`) so SQLite can index and order by it.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Hlc {
    /// Wall-clock milliseconds since the Unix epoch (UTC).
    pub ms: u64,
    /// Logical counter for events within the same millisecond.
    pub c: u16,
}

/// Written `{"c":…,"ms":…}`, its fields in the order of their names, so that an event is
/// canonical as serialised (the fields are declared `ms` first, the order that compares).
impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Hlc", 2)?;
        s.serialize_field("c", &self.c)?;
        s.serialize_field("ms", &self.ms)?;
        s.end()
    }
}

impl Hlc {
    pub const ZERO: Hlc = Hlc { ms: 0, c: 0 };

    /// The next timestamp after `last` (the highest this replica has issued or seen) given the
    /// wall time `now`.
    pub fn next(last: Hlc, now: DateTime<Utc>) -> Hlc {
        let wall = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        if wall > last.ms {
            Hlc { ms: wall, c: 0 }
        } else if last.c == u16::MAX {
            // Counter exhausted within one millisecond: borrow the next millisecond.
            Hlc {
                ms: last.ms + 1,
                c: 0,
            }
        } else {
            Hlc {
                ms: last.ms,
                c: last.c + 1,
            }
        }
    }

    pub fn packed(self) -> i64 {
        ((self.ms as i64) << 16) | i64::from(self.c)
    }

    /// The smallest packed value above every timestamp at or before `ms` (for range queries
    /// on the packed column); `i64::MAX` when `ms` is beyond what the column holds.
    pub fn packed_after(ms: i64) -> i64 {
        if ms >= (i64::MAX >> 16) {
            i64::MAX
        } else {
            (ms.max(-1) + 1) << 16
        }
    }

    pub fn from_packed(v: i64) -> Hlc {
        Hlc {
            ms: (v >> 16) as u64,
            c: (v & 0xffff) as u16,
        }
    }

    /// The wall-time part as a UTC instant.
    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.ms as i64)
            .single()
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Hlc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}#{}",
            self.to_datetime().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            self.c
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(ms).unwrap()
    }

    #[test]
    fn follows_wall_clock_when_it_moves_forward() {
        assert_eq!(
            Hlc::next(Hlc { ms: 10, c: 4 }, at(20)),
            Hlc { ms: 20, c: 0 }
        );
    }

    #[test]
    fn never_goes_back_when_the_wall_clock_does() {
        assert_eq!(
            Hlc::next(Hlc { ms: 50, c: 1 }, at(20)),
            Hlc { ms: 50, c: 2 }
        );
    }

    #[test]
    fn the_bound_after_a_time_never_overflows() {
        assert_eq!(Hlc::packed_after(i64::MAX), i64::MAX);
        assert_eq!(Hlc::packed_after((1 << 47) - 1), i64::MAX);
        let h = Hlc {
            ms: 1_000,
            c: u16::MAX,
        };
        assert!(h.packed() < Hlc::packed_after(1_000));
        assert!(Hlc { ms: 1_001, c: 0 }.packed() >= Hlc::packed_after(1_000));
    }

    proptest! {
        #[test]
        fn next_is_strictly_greater_and_packing_round_trips(ms in 0u64..(1u64 << 46), c: u16, wall in 0i64..(1i64 << 46)) {
            let last = Hlc { ms, c };
            let n = Hlc::next(last, at(wall));
            prop_assert!(n > last, "an issued HLC must order after the last one seen");
            prop_assert_eq!(Hlc::from_packed(n.packed()), n);
            prop_assert!(n.packed() > last.packed(), "packed order must match HLC order");
        }
    }
}
