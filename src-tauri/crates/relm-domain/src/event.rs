//! The signed event: the unit of the ledger.
//!
//! An event's *body* is the RFC 8785 canonical JSON of its envelope:
//! `{v, id, workspace, author, seq, prev, hlc, wall, deps, kind, payload}`. The author signs the body with
//! Ed25519 (under the `relm/event/v1` context); the event's *hash* is SHA-256 of
//! `body || signature`, and the author's next event carries that hash in `prev`, so each author's
//! events form a chain in which nothing can be removed, inserted or reordered unnoticed.

use ed25519_dalek::{Signature, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::canonical::{is_canonical, to_canonical_bytes};
use crate::hlc::Hlc;
use crate::ids::{EventId, WorkspaceId};
use crate::keys::{self, KeyId, PublicKey};
use crate::payload::EventBody;

/// The format this version writes: 2 adds the author's wall clock (`wall`) and the causal
/// frontier (`deps`). Format 1 events (no `wall`, no `deps`) are still read.
pub const FORMAT_VERSION: u32 = 2;
/// The first format, read for the events signed before format 2.
pub const LEGACY_FORMAT: u32 = 1;

/// One head of another author that the signer had seen: that author's event `seq`, whose hash
/// is `hash`. Everything that event had seen was seen too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dep {
    // Fields in the order of their names: serialised as declared, the body is canonical as
    // written (see `canonical::to_canonical_bytes`).
    pub author: KeyId,
    pub hash: String,
    pub seq: u64,
}

/// Everything the author signs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    // Fields in the order of their names: serialised as declared, the body is canonical as
    // written, without a re-encode (see `canonical::to_canonical_bytes`).
    pub author: KeyId,
    /// Format 2: the heads of other authors the signer had seen that its previous event had
    /// not already declared (a causal frontier, sent as a difference).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deps: Vec<Dep>,
    pub hlc: Hlc,
    pub id: EventId,
    pub kind: String,
    pub payload: Value,
    /// Hex SHA-256 of the author's previous event; absent on the author's first event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// The author's own sequence number, from 1.
    pub seq: u64,
    pub v: u32,
    /// Format 2: the author's wall clock when signing, in milliseconds (shown beside the ledger
    /// order; it decides nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall: Option<u64>,
    pub workspace: WorkspaceId,
}

/// An envelope with its canonical body, signature and hash.
#[derive(Debug, Clone)]
pub struct SignedEvent {
    pub envelope: Envelope,
    pub body: Vec<u8>,
    pub signature: Signature,
    pub hash: [u8; 32],
}

impl SignedEvent {
    pub fn sign(envelope: Envelope, key: &SigningKey) -> SignedEvent {
        let body = to_canonical_bytes(&envelope);
        let signature = keys::sign(key, &body);
        let hash = event_hash(&body, &signature);
        SignedEvent {
            envelope,
            body,
            signature,
            hash,
        }
    }

    /// Read an event back from its stored body and signature. Checks that the body parses and
    /// is in canonical form; the signature itself is checked by the ledger verifier, which knows
    /// the author's key at that point.
    pub fn from_stored(body: impl Into<Vec<u8>>, signature: &[u8]) -> Result<SignedEvent, String> {
        let body = body.into();
        let envelope: Envelope = serde_json::from_slice(&body).map_err(|e| {
            if serde_json::from_slice::<Value>(&body).is_err() {
                format!("body is not JSON: {e}")
            } else {
                format!("body is not an event: {e}")
            }
        })?;
        // One byte form per event: re-encoding must give back exactly the stored bytes.
        let canonical =
            is_canonical(&body).unwrap_or_else(|| to_canonical_bytes(&envelope) == body);
        if !canonical {
            return Err("body is not in canonical (RFC 8785) form".into());
        }
        let sig: [u8; 64] = signature
            .try_into()
            .map_err(|_| format!("signature has {} bytes, expected 64", signature.len()))?;
        let signature = Signature::from_bytes(&sig);
        let hash = event_hash(&body, &signature);
        Ok(SignedEvent {
            envelope,
            body,
            signature,
            hash,
        })
    }

    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash)
    }

    /// The typed kind and payload, read straight from the signed bytes.
    pub fn body(&self) -> Result<EventBody, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            format!(
                "payload of kind `{}` does not parse: {e}",
                self.envelope.kind
            )
        })
    }

    pub fn verify_signature(&self, key: &PublicKey) -> bool {
        keys::verify(key, &self.body, &self.signature)
    }
}

pub fn event_hash(body: &[u8], signature: &Signature) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(body);
    h.update(signature.to_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope() -> Envelope {
        Envelope {
            v: FORMAT_VERSION,
            id: EventId("0190a5b0-0000-7000-8000-000000000001".into()),
            workspace: WorkspaceId("0190a5b0-0000-7000-8000-000000000000".into()),
            author: KeyId("0011223344556677".into()),
            seq: 1,
            prev: None,
            hlc: Hlc {
                ms: 1_700_000_000_000,
                c: 0,
            },
            wall: Some(1_700_000_000_000),
            deps: vec![Dep {
                author: KeyId("8899aabbccddeeff".into()),
                seq: 3,
                hash: "ab".repeat(32),
            }],
            kind: "member.removed".into(),
            payload: json!({"key_id": "8899aabbccddeeff"}),
        }
    }

    #[test]
    fn body_is_canonical_json_with_a_stable_layout() {
        let ev = SignedEvent::sign(envelope(), &SigningKey::from_bytes(&[3; 32]));
        insta::assert_snapshot!(String::from_utf8(ev.body.clone()).unwrap());
    }

    #[test]
    fn a_format_1_body_still_reads_back_byte_for_byte() {
        let mut env = envelope();
        env.v = LEGACY_FORMAT;
        env.wall = None;
        env.deps.clear();
        let ev = SignedEvent::sign(env, &SigningKey::from_bytes(&[3; 32]));
        let text = String::from_utf8(ev.body.clone()).unwrap();
        assert!(!text.contains("wall") && !text.contains("deps"), "{text}");
        let back = SignedEvent::from_stored(ev.body.as_slice(), &ev.signature.to_bytes()).unwrap();
        assert_eq!(back.hash, ev.hash);
    }

    #[test]
    fn stored_event_round_trips_and_verifies() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let ev = SignedEvent::sign(envelope(), &key);
        let back = SignedEvent::from_stored(ev.body.as_slice(), &ev.signature.to_bytes()).unwrap();
        assert_eq!(back.hash, ev.hash);
        assert!(back.verify_signature(&PublicKey(key.verifying_key())));
    }

    #[test]
    fn non_canonical_or_garbled_bodies_are_refused() {
        let ev = SignedEvent::sign(envelope(), &SigningKey::from_bytes(&[3; 32]));
        let sig = ev.signature.to_bytes();
        let spaced = String::from_utf8(ev.body.clone())
            .unwrap()
            .replace(",", ", ");
        assert!(
            SignedEvent::from_stored(spaced.as_bytes(), &sig)
                .unwrap_err()
                .contains("canonical")
        );
        assert!(
            SignedEvent::from_stored(b"{\"v\":1", &sig)
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            SignedEvent::from_stored(b"{\"v\":1}", &sig)
                .unwrap_err()
                .contains("not an event")
        );
        assert!(
            SignedEvent::from_stored(ev.body.as_slice(), &sig[..10])
                .unwrap_err()
                .contains("64")
        );
    }
}
