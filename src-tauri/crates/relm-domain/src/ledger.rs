//! Replaying the ledger: the rules every event must satisfy at its point in history.
//!
//! Events are taken in *ledger order* — by hybrid logical clock, then author key id, then the
//! author's sequence number — which is the same on every replica that holds the same events.
//! For each event [`Ledger::admit`] checks *integrity*: the format, the workspace, that the
//! author's key was introduced (by the genesis or a `member.added` event earlier in the ledger),
//! and the author's chain (no gap, no fork, no reorder, `prev` hash matches). Signatures are
//! checked by the caller (in batches) with the key `admit` returns.
//!
//! Whether the author held a role allowed to emit the event *at that point* is a separate,
//! governance decision ([`crate::membership::Members::admit`]), taken when the event is applied
//! to the projections: with replicas, events made concurrently can arrive in any order, and an
//! event that was allowed when made may lose its effect once an earlier removal arrives. Such an
//! event stays in the ledger (it is authentic) but has no effect, and the reason is recorded.

use serde::Serialize;
use std::collections::HashMap;

use crate::event::{FORMAT_VERSION, LEGACY_FORMAT, SignedEvent};
use crate::hlc::Hlc;
use crate::ids::WorkspaceId;
use crate::keys::{KeyId, PublicKey};
use crate::limits::{MAX_BODY, MAX_SEQ, MAX_TIMESTAMP_MS, check_sizes, payload_violation};
use crate::payload::EventBody;

/// Why an event is not acceptable; `code` is stable for tools, `message` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub code: &'static str,
    pub message: String,
}

impl Violation {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Violation {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

#[derive(Debug, Clone)]
struct Head {
    seq: u64,
    hash: [u8; 32],
    hlc: Hlc,
    format: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Ledger {
    workspace: Option<WorkspaceId>,
    /// Every key introduced so far, whether or not the event introducing it took effect.
    keys: HashMap<KeyId, PublicKey>,
    heads: HashMap<KeyId, Head>,
    count: u64,
}

/// An author's last event, to resume a ledger from a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorHead {
    pub seq: u64,
    pub hash: [u8; 32],
    pub hlc: Hlc,
    /// The event's format version.
    pub format: u32,
}

impl Ledger {
    /// A ledger that continues from a store's state (to admit events pulled from a replica).
    pub fn resume(
        workspace: Option<WorkspaceId>,
        keys: impl IntoIterator<Item = (KeyId, PublicKey)>,
        heads: impl IntoIterator<Item = (KeyId, AuthorHead)>,
        count: u64,
    ) -> Ledger {
        Ledger {
            workspace,
            keys: keys.into_iter().collect(),
            heads: heads
                .into_iter()
                .map(|(k, h)| {
                    (
                        k,
                        Head {
                            seq: h.seq,
                            hash: h.hash,
                            hlc: h.hlc,
                            format: h.format,
                        },
                    )
                })
                .collect(),
            count,
        }
    }

    pub fn workspace(&self) -> Option<&WorkspaceId> {
        self.workspace.as_ref()
    }

    pub fn event_count(&self) -> u64 {
        self.count
    }

    /// The public key of an introduced author.
    pub fn key(&self, author: &KeyId) -> Option<PublicKey> {
        self.keys.get(author).copied()
    }

    /// The last sequence number and event hash of `author`, if any.
    pub fn head(&self, author: &KeyId) -> Option<(u64, [u8; 32])> {
        self.heads.get(author).map(|h| (h.seq, h.hash))
    }

    pub fn author_count(&self) -> usize {
        self.heads.len()
    }

    /// The last sequence number seen from each author.
    pub fn author_heads(&self) -> impl Iterator<Item = (&KeyId, u64)> {
        self.heads.iter().map(|(k, h)| (k, h.seq))
    }

    /// Move past an event that failed its checks, taking its recorded place in its author's
    /// chain, so that one bad event is named once and does not make every later event of the
    /// same author fail too (`audit verify` goes on after a problem).
    pub fn skip(&mut self, author: KeyId, seq: u64, hash: [u8; 32], hlc: Hlc) {
        if self.heads.get(&author).is_none_or(|h| h.seq < seq) {
            let format = FORMAT_VERSION;
            self.heads.insert(
                author,
                Head {
                    seq,
                    hash,
                    hlc,
                    format,
                },
            );
        }
    }

    /// Check `ev` against the ledger so far and, if it is acceptable, apply it. Returns the
    /// author's public key for the signature check.
    pub fn admit(&mut self, ev: &SignedEvent, body: &EventBody) -> Result<PublicKey, Violation> {
        let env = &ev.envelope;
        check_format(ev)?;
        if body.kind() != env.kind {
            return Err(Violation::new("bad_payload", "kind does not match payload"));
        }
        check_ranges(ev)?;
        let key = match (&self.workspace, body) {
            (None, EventBody::WorkspaceCreated { founder, .. }) => {
                if founder.key.key_id() != env.author || env.seq != 1 || env.prev.is_some() {
                    return Err(Violation::new(
                        "bad_genesis",
                        "the genesis event must be the founder's first event, signed by the founder",
                    ));
                }
                self.workspace = Some(env.workspace.clone());
                founder.key
            }
            (None, _) => {
                return Err(Violation::new(
                    "missing_genesis",
                    "the ledger does not start with a `workspace.created` event",
                ));
            }
            (Some(_), EventBody::WorkspaceCreated { .. }) => {
                return Err(Violation::new(
                    "second_genesis",
                    "a second `workspace.created` event; a workspace is created once",
                ));
            }
            (Some(ws), _) => {
                if *ws != env.workspace {
                    return Err(Violation::new(
                        "wrong_workspace",
                        format!("event belongs to workspace {}, not {ws}", env.workspace),
                    ));
                }
                *self.keys.get(&env.author).ok_or_else(|| {
                    Violation::new(
                        "unknown_author",
                        format!(
                            "signed by key {}, which no member ever added to this workspace",
                            env.author.fingerprint()
                        ),
                    )
                })?
            }
        };
        self.check_chain(ev)?;
        match body {
            EventBody::WorkspaceCreated { founder: m, .. }
            | EventBody::MemberAdded { member: m, .. } => {
                self.keys.insert(m.key.key_id(), m.key);
            }
            _ => {}
        }
        self.heads.insert(
            env.author.clone(),
            Head {
                seq: env.seq,
                hash: ev.hash,
                hlc: env.hlc,
                format: env.v,
            },
        );
        self.count += 1;
        Ok(key)
    }

    fn check_chain(&self, ev: &SignedEvent) -> Result<(), Violation> {
        let env = &ev.envelope;
        let (expected_seq, expected_prev, last_hlc) = match self.heads.get(&env.author) {
            Some(h) => (h.seq + 1, Some(hex::encode(h.hash)), Some(h.hlc)),
            None => (1, None, None),
        };
        if env.v < FORMAT_VERSION
            && self
                .heads
                .get(&env.author)
                .is_some_and(|h| h.format >= FORMAT_VERSION && env.seq > h.seq)
        {
            return Err(Violation::new(
                "downgrade",
                format!(
                    "author {} signed format {} after a format {FORMAT_VERSION} event; an old format cannot follow a new one (its events carry no causal frontier)",
                    env.author.fingerprint(),
                    env.v
                ),
            ));
        }
        if env.seq < expected_seq {
            return Err(Violation::new(
                "fork",
                format!(
                    "author {} already has an event with sequence {} (fork or replay)",
                    env.author, env.seq
                ),
            ));
        }
        if env.seq > expected_seq {
            return Err(Violation::new(
                "gap",
                format!(
                    "author {}'s sequence jumps from {} to {}: {} event(s) missing",
                    env.author,
                    expected_seq - 1,
                    env.seq,
                    env.seq - expected_seq
                ),
            ));
        }
        if env.prev != expected_prev {
            return Err(Violation::new(
                "broken_chain",
                format!(
                    "`prev` does not match the hash of author {}'s event {}",
                    env.author,
                    expected_seq.saturating_sub(1)
                ),
            ));
        }
        if last_hlc.is_some_and(|h| env.hlc <= h) {
            return Err(Violation::new(
                "reordered",
                format!(
                    "timestamp {} is not after the author's previous event",
                    env.hlc
                ),
            ));
        }
        Ok(())
    }
}

/// The format version and the fields it requires: format 2 carries `wall`, format 1 neither
/// `wall` nor `deps`; a frontier names other authors, each once.
pub fn check_format(ev: &SignedEvent) -> Result<(), Violation> {
    let env = &ev.envelope;
    match env.v {
        FORMAT_VERSION if env.wall.is_none() => Err(Violation::new(
            "bad_format",
            "a format 2 event must carry the author's wall clock (`wall`)",
        )),
        LEGACY_FORMAT if env.wall.is_some() || !env.deps.is_empty() => Err(Violation::new(
            "bad_format",
            "a format 1 event carries no `wall` and no `deps`",
        )),
        FORMAT_VERSION | LEGACY_FORMAT => {
            let mut authors = std::collections::HashSet::new();
            for d in &env.deps {
                if d.author == env.author
                    || !authors.insert(&d.author)
                    || d.seq == 0
                    || d.seq > MAX_SEQ
                    || d.hash.len() != 64
                {
                    return Err(Violation::new(
                        "bad_format",
                        format!(
                            "the causal frontier is malformed at author {} (each other author once, a sequence number, a 64-digit hash)",
                            d.author
                        ),
                    ));
                }
            }
            if env.wall.is_some_and(|w| w > MAX_TIMESTAMP_MS) {
                return Err(Violation::new(
                    "out_of_range",
                    "the signing time is beyond the year 6429",
                ));
            }
            Ok(())
        }
        v => Err(Violation::new(
            "unsupported_format",
            format!("event format v{v} is not understood by this version of Relm; upgrade Relm"),
        )),
    }
}

/// Finds an author's event by sequence number: its hash and timestamp.
pub type EventLookup<'a> = dyn FnMut(&KeyId, u64) -> Option<([u8; 32], Hlc)> + 'a;

/// The hash a lookup gives for an event on the other branch of a forked author: present, but
/// not comparable (whichever branch a replica holds).
pub const OTHER_BRANCH: [u8; 32] = [0; 32];

/// The causal frontier of `ev` against the ledger: every event it says its author had seen is
/// there, with that hash, and stamped before it. `lookup` gives an author's event `seq` as
/// (hash, timestamp), or [`OTHER_BRANCH`] for a forked author's event past the fork point. A
/// missing one, or one held with another hash, is `missing_dep`: the event waits for it (or
/// for the proof that its author signed two); a later timestamp is `reordered`.
pub fn check_deps(ev: &SignedEvent, lookup: &mut EventLookup<'_>) -> Result<(), Violation> {
    let env = &ev.envelope;
    for d in &env.deps {
        let Some((hash, hlc)) = lookup(&d.author, d.seq) else {
            return Err(Violation::new(
                "missing_dep",
                format!(
                    "made after event {} of author {}, which has not arrived yet",
                    d.seq,
                    d.author.fingerprint()
                ),
            ));
        };
        if hash == OTHER_BRANCH {
            continue;
        }
        if hex::encode(hash) != d.hash {
            return Err(Violation::new(
                "missing_dep",
                format!(
                    "made after event {} of author {} with a hash this replica does not hold: it waits for that event, or for the proof that the author signed two",
                    d.seq,
                    d.author.fingerprint()
                ),
            ));
        }
        if hlc >= env.hlc {
            return Err(Violation::new(
                "reordered",
                format!(
                    "stamped {} but made after event {} of author {}, stamped {}: its timestamp was set back",
                    env.hlc,
                    d.seq,
                    d.author.fingerprint(),
                    hlc
                ),
            ));
        }
    }
    Ok(())
}

/// Values that the store could not hold, or that no honest replica writes: refused at ingest,
/// before anything is stored.
pub fn check_ranges(ev: &SignedEvent) -> Result<(), Violation> {
    check_envelope(ev)?;
    check_sizes(&ev.envelope.payload).map_err(|e| Violation::new("too_long", e.to_string()))
}

/// The ranges of [`check_ranges`] but the payload's.
fn check_envelope(ev: &SignedEvent) -> Result<(), Violation> {
    let env = &ev.envelope;
    if env.hlc.ms > MAX_TIMESTAMP_MS {
        return Err(Violation::new(
            "out_of_range",
            format!(
                "timestamp {} ms is beyond the year 6429, the largest Relm stores; the author's clock or software is broken",
                env.hlc.ms
            ),
        ));
    }
    if env.seq == 0 || env.seq > MAX_SEQ {
        return Err(Violation::new(
            "out_of_range",
            format!("sequence number {} is out of range", env.seq),
        ));
    }
    if ev.body.len() > MAX_BODY {
        return Err(Violation::new(
            "too_large",
            format!(
                "the event is {} bytes; the limit is {MAX_BODY}",
                ev.body.len()
            ),
        ));
    }
    Ok(())
}

/// [`check_ranges`] and the text rules of `crate::text` (no control character or direction
/// override, names that are names): what a replica accepts from another one. Events already in
/// a ledger are held to [`check_ranges`] only (see [`crate::limits::check_sizes`]).
pub fn check_incoming(ev: &SignedEvent) -> Result<(), Violation> {
    check_envelope(ev)?;
    // One walk of the payload: the text rules include the sizes.
    payload_violation(&ev.envelope.payload).map_err(|(code, e)| Violation::new(code, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Envelope;
    use crate::ids::{EventId, ReleaseId};
    use crate::keys::PublicKey;
    use crate::payload::MemberInfo;
    use crate::release::ReleaseStatus;
    use crate::role::Role;
    use ed25519_dalek::SigningKey;

    struct Author {
        key: SigningKey,
        seq: u64,
        prev: Option<String>,
    }

    fn author(seed: u8) -> Author {
        Author {
            key: SigningKey::from_bytes(&[seed; 32]),
            seq: 0,
            prev: None,
        }
    }

    fn info(a: &Author) -> MemberInfo {
        MemberInfo {
            key: PublicKey(a.key.verifying_key()),
            name: "m".into(),
            email: String::new(),
        }
    }

    fn id(a: &Author) -> KeyId {
        PublicKey(a.key.verifying_key()).key_id()
    }

    fn cancel() -> EventBody {
        EventBody::ReleaseStatusChanged {
            release_id: ReleaseId("r".into()),
            from: ReleaseStatus::Draft,
            to: ReleaseStatus::Cancelled,
            note: None,
            blocked: vec![],
        }
    }

    /// Sign `body` as `a`'s event number `seq` after `prev`, at HLC `ms`, admit it, and
    /// compare with `expected` (a violation code). Accepted events advance the author.
    #[track_caller]
    fn check_at(
        l: &mut Ledger,
        a: &mut Author,
        seq: u64,
        prev: Option<String>,
        ms: u64,
        body: EventBody,
        expected: Result<(), &str>,
    ) {
        let (kind, payload) = body.to_parts();
        let env = Envelope {
            v: FORMAT_VERSION,
            id: EventId(format!("e-{ms}")),
            workspace: WorkspaceId("ws".into()),
            author: id(a),
            seq,
            prev,
            hlc: Hlc { ms, c: 0 },
            wall: Some(ms),
            deps: Vec::new(),
            kind,
            payload,
        };
        let ev = SignedEvent::sign(env, &a.key);
        match (l.admit(&ev, &body), expected) {
            (Ok(_), Ok(())) => {
                a.seq = seq;
                a.prev = Some(ev.hash_hex());
            }
            (Err(v), Err(code)) => assert_eq!(v.code, code, "{v}"),
            (got, want) => panic!("got {got:?}, wanted {want:?}"),
        }
    }

    #[track_caller]
    fn check(l: &mut Ledger, a: &mut Author, ms: u64, body: EventBody, expected: Result<(), &str>) {
        let (seq, prev) = (a.seq + 1, a.prev.clone());
        check_at(l, a, seq, prev, ms, body, expected);
    }

    #[test]
    fn only_introduced_keys_may_sign_and_genesis_comes_first() {
        let (mut founder, mut bob) = (author(1), author(2));
        let mut l = Ledger::default();
        check(&mut l, &mut bob, 1, cancel(), Err("missing_genesis"));
        let genesis = EventBody::WorkspaceCreated {
            name: "w".into(),
            founder: info(&founder),
        };
        check(&mut l, &mut founder, 2, genesis.clone(), Ok(()));
        check(&mut l, &mut founder, 3, genesis, Err("second_genesis"));
        check(&mut l, &mut bob, 4, cancel(), Err("unknown_author"));
        assert!(l.key(&id(&bob)).is_none());
        let add = EventBody::MemberAdded {
            member: info(&bob),
            roles: vec![Role::Auditor],
        };
        check(&mut l, &mut founder, 5, add, Ok(()));
        // Integrity only: whether an auditor may cancel is decided when the event is applied.
        check(&mut l, &mut bob, 6, cancel(), Ok(()));
        assert_eq!(l.key(&id(&bob)), Some(PublicKey(bob.key.verifying_key())));
        assert_eq!(l.head(&id(&bob)).map(|h| h.0), Some(1));
    }

    #[test]
    fn author_chains_refuse_gaps_forks_and_reordering() {
        let mut f = author(1);
        let mut l = Ledger::default();
        let genesis = EventBody::WorkspaceCreated {
            name: "w".into(),
            founder: info(&f),
        };
        check(&mut l, &mut f, 10, genesis, Ok(()));
        check(&mut l, &mut f, 11, cancel(), Ok(()));
        let prev = f.prev.clone();
        check_at(&mut l, &mut f, 4, prev.clone(), 12, cancel(), Err("gap"));
        check_at(&mut l, &mut f, 2, prev.clone(), 13, cancel(), Err("fork"));
        check_at(
            &mut l,
            &mut f,
            3,
            Some("00".repeat(32)),
            14,
            cancel(),
            Err("broken_chain"),
        );
        check_at(
            &mut l,
            &mut f,
            3,
            prev.clone(),
            5,
            cancel(),
            Err("reordered"),
        );
        check_at(&mut l, &mut f, 3, prev, 15, cancel(), Ok(()));
    }
}
