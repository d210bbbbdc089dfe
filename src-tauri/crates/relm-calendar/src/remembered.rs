//! A calendar's entries with their occurrences remembered by period.
//!
//! Judging a release expands every entry over the release's window, several times (the freeze
//! rule, the window rule, the risk signals, once per environment). A batch of releases (what is
//! pending, a digest, a policy simulation) asks for windows days apart from the same calendar.
//! Expanding a recurring entry costs the same for an hour as for four weeks (building its rule
//! and skipping to the range), so each entry is expanded once per fixed span of [`SPAN_DAYS`] and
//! the spans are kept; a window is answered from the spans it meets.
//!
//! The answer is exactly [`crate::occurrences`]'s, in the same order: an occurrence meeting
//! several spans is taken from the first, the spans' lists are each sorted by start, and
//! anything a span cannot answer (an entry that cannot be expanded, too many occurrences, a long
//! range) is asked of [`crate::occurrences`] directly.

use crate::{Entry, ExpandError, Occurrence, occurrences};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The length of a remembered span.
pub const SPAN_DAYS: i64 = 28;
const SPAN_SECONDS: i64 = SPAN_DAYS * 86_400;
/// Ranges meeting more spans than this are expanded directly (reports over years).
const MAX_SPANS: i64 = 13;
/// Spans kept at most before the memory is cleared (ten years).
const MAX_KEPT: usize = 130;

/// Remembered spans: span number → each entry's occurrences meeting the span.
type Memo = HashMap<i64, Spans>;
type Spans = Arc<SpanLists>;

/// What is remembered of one span.
#[derive(Debug)]
struct SpanLists {
    /// Each entry's occurrences meeting the span, once expanded (`None`: it cannot be expanded
    /// over the span, and the caller asks directly, for the exact error).
    each: Vec<OnceLock<Option<Vec<Occurrence>>>>,
    /// Every entry's occurrences meeting the span together, once asked for (`None`: an entry
    /// cannot be expanded over the span).
    merged: OnceLock<Option<Merged>>,
}

/// An occurrence of the entry of that index: (start, end, index).
pub type Slot = (DateTime<Utc>, DateTime<Utc>, usize);

/// Every entry's occurrences meeting a span, ordered by start, then entry, then each entry's
/// own order; and the longest occurrence's length.
#[derive(Debug)]
struct Merged {
    slots: Vec<Slot>,
    longest: chrono::TimeDelta,
}

/// The calendar's entries (id, entry), by name then id, and what was expanded of them.
/// Dereferences to the list of entries.
#[derive(Debug, Default)]
pub struct Entries {
    list: Vec<(String, Entry)>,
    memo: Mutex<Memo>,
}

impl From<Vec<(String, Entry)>> for Entries {
    fn from(list: Vec<(String, Entry)>) -> Self {
        Entries {
            list,
            memo: Mutex::default(),
        }
    }
}

impl std::ops::Deref for Entries {
    type Target = [(String, Entry)];
    fn deref(&self) -> &Self::Target {
        &self.list
    }
}

impl Entries {
    /// The occurrences of entry `index` in `[from, to)`, as [`crate::occurrences`] gives them.
    pub fn occurrences(
        &self,
        index: usize,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Occurrence>, ExpandError> {
        let spans = self.spans(from, to);
        self.gather(index, from, to, limit, spans.as_ref())
    }

    /// The occurrences in `[from, to)` of each entry of `indices`, in that order, each asked
    /// when the iterator reaches it; the spans the range meets are looked up once for all.
    pub fn occurrences_of<'s>(
        &'s self,
        indices: impl IntoIterator<Item = usize> + 's,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> impl Iterator<Item = (usize, Result<Vec<Occurrence>, ExpandError>)> + 's {
        let spans = self.spans(from, to);
        (indices.into_iter()).map(move |i| (i, self.gather(i, from, to, limit, spans.as_ref())))
    }

    /// Every entry's occurrences in `[from, to)`, in the entries' order.
    pub fn all(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Vec<Result<Vec<Occurrence>, ExpandError>> {
        let spans = self.spans(from, to);
        (0..self.list.len())
            .map(|i| self.gather(i, from, to, limit, spans.as_ref()))
            .collect()
    }

    /// Every entry's occurrences in `[from, to)`, in the order of
    /// [`Entries::all`]'s lists put end to end then sorted by start (equal starts keep that
    /// order), when the range lies inside one remembered span and every entry can be expanded
    /// over it; `None` otherwise. A short range (a release's window) is then answered by a
    /// search in one list, not by asking each entry. Each entry's occurrences in the range are
    /// its span's, so they are within [`crate::conflicts::MAX_SLOTS_PER_ENTRY`].
    pub fn merged_in(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Vec<Slot>> {
        let span = from.timestamp().div_euclid(SPAN_SECONDS);
        if to < from || to.timestamp().div_euclid(SPAN_SECONDS) != span {
            return None;
        }
        let lists = self.span(span);
        let merged = lists.merged.get_or_init(|| self.merge(span, &lists));
        let merged = merged.as_ref()?;
        // Those starting before `from - longest` end before `from`.
        let (first, last) = (
            (merged.slots).partition_point(|s| s.0 < from - merged.longest),
            (merged.slots).partition_point(|s| s.0 < to),
        );
        Some(
            (merged.slots[first..last].iter())
                .filter(|(start, end, _)| inside(*start, *end, from, to))
                .copied()
                .collect(),
        )
    }

    /// Every entry's occurrences meeting span number `span` together, or `None` if one of
    /// them cannot be expanded over it.
    fn merge(&self, span: i64, lists: &SpanLists) -> Option<Merged> {
        let mut slots = Vec::new();
        for index in 0..self.list.len() {
            let list = self.expanded(index, span, lists).as_ref()?;
            slots.extend(list.iter().map(|o| (o.start_utc, o.end_utc, index)));
        }
        // Stable: equal starts stay in entry order, then each entry's own.
        slots.sort_by_key(|s| s.0);
        let longest = (slots.iter().map(|s| s.1 - s.0).max()).unwrap_or_default();
        Some(Merged { slots, longest })
    }

    /// Entry `index`'s occurrences meeting span number `span`, expanded the first time an
    /// entry is asked there.
    fn expanded<'l>(
        &self,
        index: usize,
        span: i64,
        lists: &'l SpanLists,
    ) -> &'l Option<Vec<Occurrence>> {
        lists.each[index].get_or_init(|| {
            occurrences(
                &self.list[index].1,
                span_start(span),
                span_start(span + 1),
                crate::conflicts::MAX_SLOTS_PER_ENTRY,
            )
            .ok()
        })
    }

    /// The spans `[from, to]` meets (the first's number and each one's lists), or `None` when
    /// the range is expanded directly.
    fn spans(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<(i64, Vec<Spans>)> {
        // An occurrence meeting [from, to] meets the span holding max(its start, from).
        let (first, last) = (
            from.timestamp().div_euclid(SPAN_SECONDS),
            to.timestamp().div_euclid(SPAN_SECONDS),
        );
        if to < from || last - first >= MAX_SPANS {
            return None;
        }
        Some((first, (first..=last).map(|span| self.span(span)).collect()))
    }

    fn gather(
        &self,
        index: usize,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
        spans: Option<&(i64, Vec<Spans>)>,
    ) -> Result<Vec<Occurrence>, ExpandError> {
        let direct = || occurrences(&self.list[index].1, from, to, limit);
        let Some((first, spans)) = spans else {
            return direct();
        };
        let mut out = Vec::new();
        for (span, lists) in (*first..).zip(spans) {
            let span_start = span_start(span);
            let Some(list) = self.expanded(index, span, lists) else {
                return direct();
            };
            // One that starts before this span met the one before: it is already taken.
            out.extend(
                list.iter()
                    .filter(|o| span == *first || o.start_utc >= span_start)
                    .filter(|o| inside(o.start_utc, o.end_utc, from, to))
                    .cloned(),
            );
        }
        if out.len() > limit {
            return direct();
        }
        Ok(out)
    }

    /// The lists of span number `span`, one per entry, each filled when first asked for (the
    /// risk signals ask for the freezes only, a release list for releases years apart).
    fn span(&self, span: i64) -> Spans {
        let mut memo = self.lock();
        if let Some(lists) = memo.get(&span) {
            return lists.clone();
        }
        if memo.len() >= MAX_KEPT {
            memo.clear();
        }
        let lists: Spans = Arc::new(SpanLists {
            each: (0..self.list.len()).map(|_| OnceLock::new()).collect(),
            merged: OnceLock::new(),
        });
        memo.insert(span, lists.clone());
        lists
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memo> {
        // The memo only ever holds whole lists: one left by a panicking thread is still right.
        self.memo.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether an occurrence meets `[from, to)`: one of no length, if it is inside.
fn inside(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    if start == end {
        from <= start && start < to
    } else {
        start < to && end > from
    }
}

fn span_start(span: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(span * SPAN_SECONDS, 0).unwrap_or_default()
}
