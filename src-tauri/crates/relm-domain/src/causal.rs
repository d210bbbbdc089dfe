//! Causal authority: whether a member's event counts is judged by what its author had seen,
//! never by a time the author chose.
//!
//! Every format 2 event carries, under its signature, the heads of other authors its author had
//! seen (its causal frontier). From those, each event has a *vector clock*: for each author, the
//! last of their events in its causal past. Two rules decide authority:
//!
//! 1. **Seen authority.** An event counts only if the membership state built from the counted
//!    membership events *in its causal past* grants its author a role allowed to emit it.
//! 2. **Removal wins over what the remover never saw.** An event does not count if a counted
//!    removal (or a role change taking away the role it needs) of its author is concurrent
//!    with it: neither had seen the other. An event its remover had seen keeps counting.
//!
//! Membership events judge each other (a removal's own authority may hang on another removal),
//! so they are resolved first, by [`resolve`]: removals are admitted most senior author first
//! (seniority is the depth of the chain of additions from the founder, which no one can choose
//! for themselves); concurrent removals between admins of equal seniority cancel each other.
//! The result depends only on the set of events, so every replica holding the same events
//! reaches the same decisions, whatever order they arrived in.
//!
//! Format 1 events (signed before the frontier existed) are taken to have seen everything
//! before them in ledger order, as format 1 said; a format 1 event concurrent with a format 2
//! removal of its author (one its remover had not seen) does not count either.

use std::collections::{BTreeMap, BTreeSet};

use crate::keys::KeyId;
use crate::ledger::Violation;
use crate::membership::Members;
use crate::payload::EventBody;
use crate::role::{Role, roles_allowed_to_emit};

/// For each author, the last of their sequence numbers in an event's causal past.
pub type VClock = BTreeMap<KeyId, u64>;

/// Where an event sits: its author, sequence number, ledger-order key and format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub author: KeyId,
    pub seq: u64,
    /// (packed HLC, author, seq): ledger order.
    pub key: (i64, String, u64),
    /// Format 1 events have no clock: they saw everything before them in ledger order.
    pub clock: Option<VClock>,
}

impl Point {
    /// Whether `x` is in this event's causal past (or is this event).
    pub fn has_seen(&self, x: &Point) -> bool {
        match &self.clock {
            None => x.key <= self.key,
            Some(c) => c.get(&x.author).is_some_and(|s| *s >= x.seq),
        }
    }

    pub fn concurrent(&self, other: &Point) -> bool {
        !self.has_seen(other) && !other.has_seen(self)
    }
}

/// A membership event (genesis, addition, role change, removal), in ledger order.
#[derive(Debug, Clone)]
pub struct Governed {
    pub id: String,
    pub at: Point,
    pub body: EventBody,
}

/// A counted removal or role change, and what it takes away from whom.
#[derive(Debug, Clone)]
pub struct Veto {
    pub id: String,
    pub at: Point,
    pub target: KeyId,
    /// `None`: removed; `Some(roles)`: the roles left.
    pub roles_left: Option<BTreeSet<Role>>,
}

impl Veto {
    /// Whether this veto takes away what an event of kind `body` needs.
    pub fn takes_away(&self, body: &EventBody) -> bool {
        match (&self.roles_left, roles_allowed_to_emit(body)) {
            (None, _) => true,
            (Some(left), Some(needed)) => !needed.iter().any(|r| left.contains(r)),
            (Some(_), None) => false,
        }
    }

    /// Why an event of the target, at `at`, concurrent with this veto, does not count.
    pub fn violation(&self, at: &Point) -> Option<Violation> {
        (at.author == self.target && at.concurrent(&self.at)).then(|| {
            Violation::new(
                "concurrent_with_removal",
                format!(
                    "made without seeing the {} of its author {} (event {}), which had not seen it either: an event its remover never saw does not count",
                    if self.roles_left.is_none() {
                        "removal"
                    } else {
                        "role change"
                    },
                    self.target.fingerprint(),
                    self.id
                ),
            )
        })
    }
}

/// The decisions on every membership event.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// Per membership event (same order as given): `None` counted, `Some` why not.
    pub verdicts: Vec<Option<Violation>>,
    /// The counted removals and role changes, whose vetoes apply to every event.
    pub vetoes: Vec<Veto>,
}

fn veto_of(g: &Governed) -> Option<Veto> {
    match &g.body {
        EventBody::MemberRemoved { key_id } => Some(Veto {
            id: g.id.clone(),
            at: g.at.clone(),
            target: key_id.clone(),
            roles_left: None,
        }),
        EventBody::MemberRolesSet { key_id, roles } => Some(Veto {
            id: g.id.clone(),
            at: g.at.clone(),
            target: key_id.clone(),
            roles_left: Some(roles.iter().copied().collect()),
        }),
        _ => None,
    }
}

/// The membership state made by the counted events among `events[..upto]` that `at` had seen.
pub fn state_seen_by(events: &[Governed], counted: &[bool], upto: usize, at: &Point) -> Members {
    let mut m = Members::default();
    for (g, _) in events[..upto]
        .iter()
        .zip(counted)
        .filter(|(g, c)| **c && at.has_seen(&g.at))
    {
        m.apply(&g.body);
    }
    m
}

/// One pass over the membership events with the vetoes `v` applied; `forced` are never counted.
/// Returns the verdicts and each event's author's seniority at that point.
fn eval(
    events: &[Governed],
    v: &[Veto],
    forced: &BTreeSet<usize>,
) -> (Vec<Option<Violation>>, Vec<u32>) {
    let mut verdicts: Vec<Option<Violation>> = Vec::with_capacity(events.len());
    let mut counted: Vec<bool> = Vec::with_capacity(events.len());
    let mut seniority: Vec<u32> = Vec::with_capacity(events.len());
    let mut depth: BTreeMap<KeyId, u32> = BTreeMap::new();
    for (i, g) in events.iter().enumerate() {
        let state = state_seen_by(events, &counted, i, &g.at);
        let author_depth = depth.get(&g.at.author).copied().unwrap_or(u32::MAX);
        let verdict = if forced.contains(&i) {
            Some(Violation::new(
                "concurrent_removals",
                "cancelled by a concurrent removal or role change between admins of the same seniority; an admin must make it again",
            ))
        } else {
            state.admit(&g.at.author, &g.body).err().or_else(|| {
                v.iter()
                    .filter(|x| x.id != g.id && x.takes_away(&g.body))
                    .find_map(|x| x.violation(&g.at))
            })
        };
        if verdict.is_none() {
            match &g.body {
                EventBody::WorkspaceCreated { founder, .. } => {
                    depth.insert(founder.key.key_id(), 0);
                }
                EventBody::MemberAdded { member, .. } => {
                    let d = author_depth.saturating_add(1);
                    depth.insert(member.key.key_id(), d);
                }
                _ => {}
            }
        }
        seniority.push(author_depth);
        counted.push(verdict.is_none());
        verdicts.push(verdict);
    }
    (verdicts, seniority)
}

/// Decide every membership event (given in ledger order). See the module documentation.
pub fn resolve(events: &[Governed]) -> Resolution {
    let mut applied: Vec<usize> = Vec::new();
    let mut forced: BTreeSet<usize> = BTreeSet::new();
    loop {
        let vetoes: Vec<Veto> = applied
            .iter()
            .filter_map(|&i| veto_of(&events[i]))
            .collect();
        let (verdicts, seniority) = eval(events, &vetoes, &forced);
        // A veto whose removal no longer counts is withdrawn, and that removal is cancelled.
        let lost: Vec<usize> = applied
            .iter()
            .copied()
            .filter(|&i| verdicts[i].is_some())
            .collect();
        if !lost.is_empty() {
            applied.retain(|i| !lost.contains(i));
            forced.extend(lost);
            continue;
        }
        let candidates: Vec<usize> = (0..events.len())
            .filter(|&i| {
                verdicts[i].is_none()
                    && veto_of(&events[i]).is_some()
                    && !applied.contains(&i)
                    && !forced.contains(&i)
            })
            .collect();
        let Some(senior) = candidates.iter().map(|&i| seniority[i]).min() else {
            return Resolution {
                vetoes: applied
                    .iter()
                    .filter_map(|&i| veto_of(&events[i]))
                    .collect(),
                verdicts,
            };
        };
        applied.extend(candidates.into_iter().filter(|&i| seniority[i] == senior));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PublicKey;
    use crate::payload::MemberInfo;
    use ed25519_dalek::SigningKey;

    fn info(seed: u8) -> MemberInfo {
        MemberInfo {
            key: PublicKey(SigningKey::from_bytes(&[seed; 32]).verifying_key()),
            name: format!("m{seed}"),
            email: String::new(),
        }
    }

    fn id(seed: u8) -> KeyId {
        info(seed).key.key_id()
    }

    /// A tiny DAG: each event names its author, what it saw (author seed → seq) and its body.
    struct Dag {
        events: Vec<Governed>,
        seqs: BTreeMap<u8, u64>,
    }

    impl Dag {
        fn new() -> Dag {
            let mut d = Dag {
                events: Vec::new(),
                seqs: BTreeMap::new(),
            };
            d.push(
                1,
                &[],
                EventBody::WorkspaceCreated {
                    name: "w".into(),
                    founder: info(1),
                },
            );
            d
        }

        /// Author `seed` signs `body` having seen `saw` (other authors' last seqs); its own
        /// earlier events are always seen. Ledger order is the order of pushes.
        fn push(&mut self, seed: u8, saw: &[(u8, u64)], body: EventBody) -> usize {
            let seq = self.seqs.entry(seed).or_default();
            *seq += 1;
            let mut clock: VClock = saw.iter().map(|(a, s)| (id(*a), *s)).collect();
            clock.insert(id(seed), *seq);
            let n = self.events.len();
            self.events.push(Governed {
                id: format!("e{n}"),
                at: Point {
                    author: id(seed),
                    seq: *seq,
                    key: (n as i64, id(seed).0, *seq),
                    clock: Some(clock),
                },
                body,
            });
            n
        }

        fn counted(&self) -> Vec<bool> {
            resolve(&self.events)
                .verdicts
                .iter()
                .map(Option::is_none)
                .collect()
        }
    }

    fn add(seed: u8, roles: &[Role]) -> EventBody {
        EventBody::MemberAdded {
            member: info(seed),
            roles: roles.to_vec(),
        }
    }

    fn remove(seed: u8) -> EventBody {
        EventBody::MemberRemoved { key_id: id(seed) }
    }

    #[test]
    fn a_removed_admin_cannot_retake_the_workspace_through_a_backdated_addition() {
        let mut d = Dag::new();
        let add_y = d.push(1, &[], add(2, &[Role::Admin]));
        // Y, offline, never sees its removal; its events come first in ledger order.
        let puppet = d.push(2, &[(1, 2)], add(3, &[Role::Admin]));
        let coup = d.push(3, &[(1, 2), (2, 1)], remove(1));
        let removal = d.push(1, &[], remove(2));
        let c = d.counted();
        assert!(c[add_y] && c[removal], "the founder's removal of Y stands");
        assert!(
            !c[puppet] && !c[coup],
            "Y's concurrent addition and its puppet's coup do not"
        );
    }

    #[test]
    fn an_event_the_remover_had_seen_keeps_counting() {
        let mut d = Dag::new();
        d.push(1, &[], add(2, &[Role::Admin]));
        let before = d.push(2, &[(1, 2)], add(3, &[Role::Auditor]));
        let removal = d.push(1, &[(2, 1)], remove(2));
        let c = d.counted();
        assert!(c[before] && c[removal]);
    }

    #[test]
    fn concurrent_removals_between_equal_admins_cancel_and_a_senior_admin_wins() {
        let mut d = Dag::new();
        d.push(1, &[], add(2, &[Role::Admin]));
        d.push(1, &[], add(3, &[Role::Admin]));
        let y_removes_w = d.push(2, &[(1, 3)], remove(3));
        let w_removes_y = d.push(3, &[(1, 3)], remove(2));
        let c = d.counted();
        assert!(
            !c[y_removes_w] && !c[w_removes_y],
            "equal seniority: both cancelled"
        );
        // The founder, more senior, removes Y concurrently with Y's removal of the founder.
        let mut d = Dag::new();
        d.push(1, &[], add(2, &[Role::Admin]));
        let coup = d.push(2, &[(1, 2)], remove(1));
        let removal = d.push(1, &[], remove(2));
        let c = d.counted();
        assert!(c[removal] && !c[coup]);
    }

    #[test]
    fn resolution_does_not_depend_on_ledger_order_of_concurrent_events() {
        // The same events, the coup ordered before or after the founder's removal.
        for coup_first in [true, false] {
            let mut d = Dag::new();
            d.push(1, &[], add(2, &[Role::Admin]));
            let (coup, removal) = if coup_first {
                (d.push(2, &[(1, 2)], remove(1)), d.push(1, &[], remove(2)))
            } else {
                let r = d.push(1, &[], remove(2));
                (d.push(2, &[(1, 2)], remove(1)), r)
            };
            let c = d.counted();
            assert!(c[removal] && !c[coup], "coup first: {coup_first}");
        }
    }
}
