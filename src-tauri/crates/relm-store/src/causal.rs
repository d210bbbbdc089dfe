//! What causal authority needs from the store, loaded once per transaction: each event's
//! vector clock (from the frontiers recorded in `event_deps`) and the resolution of every
//! membership event ([`relm_domain::causal::resolve`]). [`Judge::verdict`] then decides any
//! event: a membership event by the resolution, any other by the membership its author had
//! seen and the removals it was concurrent with.

use relm_domain::causal::{Governed, Point, Resolution, VClock, Veto, resolve, state_seen_by};
use relm_domain::event::{LEGACY_FORMAT, SignedEvent};
use relm_domain::keys::KeyId;
use relm_domain::ledger::{OTHER_BRANCH, Violation};
use relm_domain::payload::EventBody;
use rusqlite::{Connection, params};
use std::collections::HashMap;

use crate::error::{Result, StoreError};
use crate::projection::members;

/// The code of a verdict on an event at or after its author's fork point. Such events are not
/// listed in `not_applied` (which branch a replica holds differs); the `forks` table says it.
pub const FORKED: &str = "forked";

/// The kinds of the membership events, as SQL. Migration 0024's `events_membership` index has
/// this very condition (a test checks that the judge's query reads it).
const MEMBERSHIP_KINDS: &str =
    "('workspace.created', 'member.added', 'member.roles_set', 'member.removed')";

/// Every declared frontier, in ledger order. Frontiers are few beside the events: read them and
/// find each one's event (`CROSS JOIN` keeps SQLite from walking the whole ledger in order and
/// looking for a frontier at each event, 166 ms instead of 19 at 626,000 events, at every
/// write).
const FRONTIERS: &str = "SELECT d.author, d.seq, d.dep_author, d.dep_seq FROM event_deps d
     CROSS JOIN events e ON e.author = d.author AND e.seq = d.seq
     ORDER BY e.hlc, e.author, e.seq, d.dep_author";

/// The membership events, in ledger order.
fn membership_query() -> String {
    format!(
        "SELECT body, sig FROM events WHERE kind IN {MEMBERSHIP_KINDS} ORDER BY hlc, author, seq"
    )
}

/// Whether `body` is a membership event (judged by the resolution).
pub fn is_membership(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::WorkspaceCreated { .. }
            | EventBody::MemberAdded { .. }
            | EventBody::MemberRolesSet { .. }
            | EventBody::MemberRemoved { .. }
    )
}

#[derive(Debug, Default)]
pub struct Judge {
    /// Per author, the clocks of their events that carry a frontier, by sequence number.
    checkpoints: HashMap<KeyId, Vec<(u64, VClock)>>,
    governed: Vec<Governed>,
    counted: Vec<bool>,
    resolution: Resolution,
    index: HashMap<String, usize>,
    /// For each prefix of the membership events: per author, the last counted one's sequence
    /// number (to tell quickly whether an event had seen every counted one before it).
    seen_needed: Vec<Vec<(KeyId, u64)>>,
    /// Forked authors: the first sequence number signed twice. Nothing of theirs from there on
    /// counts or is taken as seen, on every replica alike, whichever branch it holds.
    forks: HashMap<KeyId, u64>,
}

impl Judge {
    /// Load the clocks and resolve the membership events of the ledger in `conn`.
    pub fn load(conn: &Connection) -> Result<Judge> {
        let mut judge = Judge {
            forks: crate::forks::fork_points(conn)?,
            ..Judge::default()
        };
        {
            let mut stmt = conn.prepare_cached(FRONTIERS)?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)? as u64,
                ))
            })?;
            let mut current: Option<(KeyId, u64, VClock)> = None;
            for row in rows {
                let (author, seq, dep_author, dep_seq) = row?;
                let author = KeyId(author);
                if judge.suspended(&author, seq) {
                    continue;
                }
                if current
                    .as_ref()
                    .is_none_or(|(a, s, _)| *a != author || *s != seq)
                {
                    if let Some((a, s, c)) = current.take() {
                        judge.checkpoint(a, s, c);
                    }
                    let base = judge.clock_at(&author, seq.saturating_sub(1));
                    current = Some((author, seq, base));
                }
                if let Some((_, _, clock)) = current.as_mut() {
                    join(clock, &judge.clock_at(&KeyId(dep_author), dep_seq));
                }
            }
            if let Some((a, s, c)) = current.take() {
                judge.checkpoint(a, s, c);
            }
        }
        let mut stmt = conn.prepare_cached(&membership_query())?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (body, sig) = row?;
            let ev = SignedEvent::from_stored(body, &sig).map_err(StoreError::Corrupt)?;
            // A forked author's membership events from the fork point on weigh nothing.
            if judge.suspended(&ev.envelope.author, ev.envelope.seq) {
                continue;
            }
            let body = ev.body().map_err(StoreError::Corrupt)?;
            judge
                .index
                .insert(ev.envelope.id.0.clone(), judge.governed.len());
            judge.governed.push(Governed {
                id: ev.envelope.id.0.clone(),
                at: judge.point(&ev),
                body,
            });
        }
        judge.resolution = resolve(&judge.governed);
        judge.counted = judge
            .resolution
            .verdicts
            .iter()
            .map(Option::is_none)
            .collect();
        let mut last: VClock = VClock::new();
        judge.seen_needed.push(Vec::new());
        for (g, c) in judge.governed.iter().zip(&judge.counted) {
            if *c {
                last.insert(g.at.author.clone(), g.at.seq);
            }
            judge
                .seen_needed
                .push(last.iter().map(|(a, s)| (a.clone(), *s)).collect());
        }
        Ok(judge)
    }

    fn checkpoint(&mut self, author: KeyId, seq: u64, mut clock: VClock) {
        clock.insert(author.clone(), seq);
        let list = self.checkpoints.entry(author).or_default();
        if list.last().is_none_or(|(s, _)| *s < seq) {
            list.push((seq, clock));
        }
    }

    /// Whether `author`'s event `seq` is at or after the author's fork point.
    pub fn suspended(&self, author: &KeyId, seq: u64) -> bool {
        self.forks.get(author).is_some_and(|f| seq >= *f)
    }

    /// The vector clock of `author`'s event `seq`. A forked author's events from the fork
    /// point on are not taken as seen: which branch a replica holds must not matter.
    pub fn clock_at(&self, author: &KeyId, seq: u64) -> VClock {
        let seq = match self.forks.get(author) {
            Some(f) => seq.min(f.saturating_sub(1)),
            None => seq,
        };
        let mut clock = self
            .checkpoints
            .get(author)
            .and_then(|list| {
                let i = list.partition_point(|(s, _)| *s <= seq);
                i.checked_sub(1).map(|i| list[i].1.clone())
            })
            .unwrap_or_default();
        if seq > 0 {
            clock.insert(author.clone(), seq);
        }
        clock
    }

    /// Where `ev` sits, with its clock (computed from its own frontier, so the event need not
    /// be loaded yet).
    pub fn point(&self, ev: &SignedEvent) -> Point {
        let env = &ev.envelope;
        let clock = (env.v > LEGACY_FORMAT).then(|| {
            let mut clock = self.clock_at(&env.author, env.seq.saturating_sub(1));
            for d in &env.deps {
                join(&mut clock, &self.clock_at(&d.author, d.seq));
            }
            if !self.suspended(&env.author, env.seq) {
                clock.insert(env.author.clone(), env.seq);
            }
            clock
        });
        Point {
            author: env.author.clone(),
            seq: env.seq,
            key: (env.hlc.packed(), env.author.0.clone(), env.seq),
            clock,
        }
    }

    /// The counted removals and role changes.
    pub fn vetoes(&self) -> &[Veto] {
        &self.resolution.vetoes
    }

    /// The governance decision for `ev` at its place: `Some` when it does not count.
    pub fn verdict(
        &self,
        conn: &Connection,
        ev: &SignedEvent,
        body: &EventBody,
    ) -> Result<Option<Violation>> {
        if let Some(f) = self.forks.get(&ev.envelope.author)
            && ev.envelope.seq >= *f
        {
            return Ok(Some(Violation::new(
                FORKED,
                format!(
                    "author {} signed two different events with sequence number {f}: their key is in two places, and nothing they signed from there on counts until an admin rotates their key (`relm member rotate`)",
                    ev.envelope.author.fingerprint()
                ),
            )));
        }
        if is_membership(body) {
            return Ok(match self.index.get(&ev.envelope.id.0) {
                Some(&i) => self.resolution.verdicts[i].clone(),
                None => Some(Violation::new(
                    "not_resolved",
                    "a membership event applied before it was resolved",
                )),
            });
        }
        let env = &ev.envelope;
        let author = &env.author;
        // The membership events before it in ledger order, found without building its key.
        let hlc = env.hlc.packed();
        let upto = self.governed.partition_point(|g| {
            (g.at.key.0, g.at.key.1.as_str(), g.at.key.2) < (hlc, author.0.as_str(), env.seq)
        });
        // Its clock is needed only if it may not have seen one of them (another author's), or
        // a counted removal or demotion of its author exists: rarely. A format 1 event saw
        // everything before it.
        let others_needed = env.v > LEGACY_FORMAT
            && self.seen_needed[upto]
                .iter()
                .any(|(a, s)| a != author || *s > env.seq);
        let targeted = self.resolution.vetoes.iter().any(|v| v.target == *author);
        let at = (others_needed || targeted).then(|| self.point(ev));
        let unseen = match at.as_ref().and_then(|p| p.clock.as_ref()) {
            Some(clock) if others_needed => self.seen_needed[upto]
                .iter()
                .any(|(a, s)| clock.get(a).is_none_or(|x| x < s)),
            _ => false,
        };
        let seen = match &at {
            Some(at) if unseen => state_seen_by(&self.governed, &self.counted, upto, at),
            _ => members::load_one(conn, author)?,
        };
        if let Err(v) = seen.admit(author, body) {
            return Ok(Some(v));
        }
        Ok(at.and_then(|at| {
            self.resolution
                .vetoes
                .iter()
                .filter(|v| v.takes_away(body))
                .find_map(|v| v.violation(&at))
        }))
    }
}

/// Find the event a frontier names: (hash, timestamp). A forked author's event at or after the
/// fork point is taken as present on another branch ([`OTHER_BRANCH`]): whichever branch a
/// replica holds, an event that saw the other one must not wait for ever.
pub fn find_dep(
    conn: &Connection,
    forks: &HashMap<KeyId, u64>,
    author: &KeyId,
    seq: u64,
) -> Option<([u8; 32], relm_domain::hlc::Hlc)> {
    if forks.get(author).is_some_and(|f| seq >= *f) {
        return Some((OTHER_BRANCH, relm_domain::hlc::Hlc::ZERO));
    }
    crate::ingest::stored_hlc(conn, author, seq).ok().flatten()
}

fn join(into: &mut VClock, other: &VClock) {
    for (a, s) in other {
        let e = into.entry(a.clone()).or_insert(0);
        *e = (*e).max(*s);
    }
}

/// Record the frontier an event carries (at insert; derived from the event, never synced).
pub fn record_deps(conn: &Connection, ev: &SignedEvent) -> Result<()> {
    let env = &ev.envelope;
    for d in &env.deps {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO event_deps (author, seq, dep_author, dep_seq) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![env.author.0, env.seq as i64, d.author.0, d.seq as i64])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    fn plan(sql: &str) -> Vec<String> {
        let store = crate::Store::open_in_memory().unwrap();
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn the_membership_events_are_read_from_their_index() {
        // A scan of the ledger at every write would cost a second at a million events.
        let plan = plan(&super::membership_query());
        assert_eq!(
            plan,
            ["SCAN events USING INDEX events_membership"],
            "{plan:?}"
        );
    }

    #[test]
    fn the_frontiers_are_read_without_walking_the_ledger() {
        let plan = plan(super::FRONTIERS);
        assert_eq!(plan[0], "SCAN d", "{plan:?}");
        assert!(
            plan[1].starts_with("SEARCH e USING INDEX") && plan[1].contains("(author=? AND seq=?)"),
            "{plan:?}"
        );
    }
}
