//! Public keys, key ids and fingerprints of members.
//!
//! A member is known by an Ed25519 public key, written `ed25519:<base64url>` so it can be pasted
//! into a chat or an e-mail. Its *key id* is the first 16 hex digits of SHA-256 of the key and
//! names the author on every event; its *fingerprint* is the same digits grouped for people to
//! compare over the phone. Private keys never appear in this crate except as an argument to
//! [`sign`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::DomainError;

const PREFIX: &str = "ed25519:";

/// A member's public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub VerifyingKey);

impl PublicKey {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::problem(
                "key",
                crate::ProblemCode::BadKey,
                format!(
                    "`{s}` is not a Relm public key; expected `ed25519:` followed by 43 base64url characters, as printed by `relm identity show`"
                ),
            )
            .with("value", crate::text::truncated(s, 80))
        };
        let body = s.trim().strip_prefix(PREFIX).ok_or_else(bad)?;
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| bad())?
            .try_into()
            .map_err(|_| bad())?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| bad())
    }

    pub fn key_id(&self) -> KeyId {
        let digest = Sha256::digest(self.0.as_bytes());
        KeyId(hex::encode(&digest[..8]))
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}{}", URL_SAFE_NO_PAD.encode(self.0.as_bytes()))
    }
}

impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PublicKey::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Short stable name of a public key (16 hex digits).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyId(pub String);

impl KeyId {
    /// `3f2a-9c1b-77de-0a41`: the key id grouped for reading aloud.
    pub fn fingerprint(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Domain separation: a Relm event signature can never be mistaken for a signature over
/// anything else made with the same key.
const SIGNING_CONTEXT: &[u8] = b"relm/event/v1\n";

fn signing_input(message: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(SIGNING_CONTEXT.len() + message.len());
    input.extend_from_slice(SIGNING_CONTEXT);
    input.extend_from_slice(message);
    input
}

/// Sign the canonical bytes of an event.
pub fn sign(key: &SigningKey, message: &[u8]) -> Signature {
    key.sign(&signing_input(message))
}

/// Verify one signature strictly (rejects malleable and small-order encodings).
pub fn verify(key: &PublicKey, message: &[u8], signature: &Signature) -> bool {
    key.0
        .verify_strict(&signing_input(message), signature)
        .is_ok()
}

/// Verify many signatures at once; `false` if any is bad (then check them one by one to find
/// which).
pub fn verify_batch(keys: &[VerifyingKey], messages: &[&[u8]], signatures: &[Signature]) -> bool {
    let inputs: Vec<Vec<u8>> = messages.iter().map(|m| signing_input(m)).collect();
    let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    ed25519_dalek::verify_batch(&refs, signatures, keys).is_ok()
}

/// Context of a newcomer's join request (proof that they hold the key they ask to be added with).
const REQUEST_CONTEXT: &[u8] = b"relm/join-request/v1\n";

pub fn sign_request(key: &SigningKey, message: &[u8]) -> Signature {
    key.sign(&[REQUEST_CONTEXT, message].concat())
}

pub fn verify_request(key: &PublicKey, message: &[u8], signature: &Signature) -> bool {
    key.0
        .verify_strict(&[REQUEST_CONTEXT, message].concat(), signature)
        .is_ok()
}

/// Context of an evidence pack's manifest signature: `manifest.sig` signs these bytes followed
/// by `manifest.json`'s, so it can be checked by hand with any Ed25519 tool.
pub const PACK_CONTEXT: &[u8] = b"relm/pack/v1\n";

pub fn sign_pack(key: &SigningKey, manifest: &[u8]) -> Signature {
    key.sign(&[PACK_CONTEXT, manifest].concat())
}

pub fn verify_pack(key: &PublicKey, manifest: &[u8], signature: &Signature) -> bool {
    key.0
        .verify_strict(&[PACK_CONTEXT, manifest].concat(), signature)
        .is_ok()
}

/// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo, RFC 8410), as OpenSSL reads it.
pub fn public_pem(key: &PublicKey) -> String {
    // The DER prefix of an Ed25519 SubjectPublicKeyInfo, then the 32 key bytes.
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(key.0.as_bytes());
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_signatures_are_not_event_signatures() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let sig = sign_request(&key, b"m");
        assert!(verify_request(&PublicKey(key.verifying_key()), b"m", &sig));
        assert!(!verify(&PublicKey(key.verifying_key()), b"m", &sig));
    }

    #[test]
    fn public_key_text_form_round_trips_and_rejects_garbage() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let public = PublicKey(key.verifying_key());
        let text = public.to_string();
        assert!(text.starts_with("ed25519:"));
        assert_eq!(PublicKey::parse(&text).unwrap(), public);
        for bad in [
            "",
            "ed25519:",
            "ed25519:!!!!",
            "rsa:abcd",
            &text[..text.len() - 2],
        ] {
            assert!(PublicKey::parse(bad).is_err(), "`{bad}` must be refused");
        }
    }

    #[test]
    fn signature_binds_the_message_and_the_context() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let public = PublicKey(key.verifying_key());
        let sig = sign(&key, b"hello");
        assert!(verify(&public, b"hello", &sig));
        assert!(!verify(&public, b"hellp", &sig), "a changed byte must fail");
        let raw = key.sign(b"hello");
        assert!(
            !verify(&public, b"hello", &raw),
            "a signature without the context must fail"
        );
    }

    #[test]
    fn fingerprint_groups_the_key_id() {
        assert_eq!(
            KeyId("0123456789abcdef".into()).fingerprint(),
            "0123-4567-89ab-cdef"
        );
    }
}
