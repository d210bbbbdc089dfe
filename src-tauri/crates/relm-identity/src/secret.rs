//! A private signing key that cannot leak by accident: no `Debug` contents, no `Display`, no
//! `Serialize`, zeroed on drop (ed25519-dalek's `zeroize` feature).

use ed25519_dalek::SigningKey;
use relm_domain::keys::PublicKey;

pub struct SecretKey(SigningKey);

impl SecretKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<SecretKey, crate::IdentityError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| crate::IdentityError::Io(format!("no randomness available: {e}")))?;
        let key = SecretKey(SigningKey::from_bytes(&seed));
        zeroize::Zeroize::zeroize(&mut seed);
        Ok(key)
    }

    pub fn from_seed(seed: &[u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(seed))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// The raw seed, for the keyring and for encrypted backups only.
    pub(crate) fn seed_hex(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(hex::encode(self.0.to_bytes()))
    }

    pub(crate) fn from_seed_hex(text: &str) -> Option<SecretKey> {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut()).ok()?;
        Some(SecretKey::from_seed(&bytes))
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SecretKey(<redacted>, public {})",
            self.public().key_id()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_seed() {
        let key = SecretKey::generate().unwrap();
        let seed = key.seed_hex();
        let shown = format!("{key:?}");
        assert!(
            !shown.contains(seed.as_str()) && shown.contains("redacted"),
            "{shown}"
        );
        assert_eq!(
            SecretKey::from_seed_hex(&seed).unwrap().public(),
            key.public()
        );
    }
}
