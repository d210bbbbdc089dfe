//! Passphrase-encrypted identity backups in the age format (scrypt recipient, ASCII armor).
//!
//! age (https://age-encryption.org/v1) is a small, reviewed format with interoperable
//! implementations, so a backup can also be opened by the `age` tool if Relm is gone. The
//! plaintext is a small JSON document naming the workspace, the member and the key seed.

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

use crate::{IdentityError, SecretKey};

const FORMAT: &str = "relm-identity/v1";

/// What a backup holds besides the key: enough to tell the user what they are restoring.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupInfo {
    pub workspace_id: String,
    pub workspace_name: String,
    pub member_name: String,
    pub key_id: String,
    pub public_key: String,
}

#[derive(Serialize, Deserialize)]
struct Plain {
    format: String,
    #[serde(flatten)]
    info: BackupInfo,
    seed: String,
}

/// The shortest passphrase a backup accepts, in characters.
pub const MIN_PASSPHRASE: usize = 10;

/// Refuse passphrases too weak to protect a signing key.
pub fn check_passphrase(p: &str) -> Result<(), IdentityError> {
    if p.chars().count() < MIN_PASSPHRASE {
        return Err(IdentityError::Passphrase(
            "the passphrase must be at least 10 characters; a few unrelated words work well".into(),
        ));
    }
    Ok(())
}

pub fn encrypt(
    key: &SecretKey,
    info: &BackupInfo,
    passphrase: &str,
) -> Result<Vec<u8>, IdentityError> {
    check_passphrase(passphrase)?;
    let plain = Plain {
        format: FORMAT.into(),
        info: info.clone(),
        seed: key.seed_hex().to_string(),
    };
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(&plain).unwrap_or_default());
    let io = |e: std::io::Error| IdentityError::Io(format!("encrypting the backup failed: {e}"));
    let encryptor = age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_owned()));
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(io)?;
    let mut w = encryptor.wrap_output(armor).map_err(io)?;
    w.write_all(&plain).map_err(io)?;
    w.finish().and_then(|a| a.finish()).map_err(io)?;
    Ok(out)
}

pub fn decrypt(data: &[u8], passphrase: &str) -> Result<(SecretKey, BackupInfo), IdentityError> {
    let bad = |reason, message: String| IdentityError::BadBackup { reason, message };
    let reader = age::armor::ArmoredReader::new(data);
    let decryptor = age::Decryptor::new(reader).map_err(|e| {
        bad(
            "not_a_backup",
            format!("not an age-encrypted Relm identity file ({e})"),
        )
    })?;
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    let mut r = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                bad("wrong_passphrase", "wrong passphrase".into())
            }
            other => bad("not_a_backup", other.to_string()),
        })?;
    let mut plain = zeroize::Zeroizing::new(Vec::new());
    r.read_to_end(&mut plain)
        .map_err(|e| bad("damaged", format!("the file is damaged ({e})")))?;
    let p: Plain = serde_json::from_slice(&plain)
        .map_err(|e| bad("damaged", format!("unexpected content ({e})")))?;
    let seed = zeroize::Zeroizing::new(p.seed);
    if p.format != FORMAT {
        return Err(bad(
            "format",
            format!("format `{}` is not supported; expected {FORMAT}", p.format),
        ));
    }
    let key = SecretKey::from_seed_hex(&seed)
        .ok_or_else(|| bad("malformed", "the key inside is malformed".into()))?;
    if key.public().to_string() != p.info.public_key {
        return Err(bad(
            "malformed",
            "the key inside does not match the public key it claims".into(),
        ));
    }
    Ok((key, p.info))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(key: &SecretKey) -> BackupInfo {
        BackupInfo {
            workspace_id: "ws".into(),
            workspace_name: "Acme".into(),
            member_name: "Ada".into(),
            key_id: key.public().key_id().0,
            public_key: key.public().to_string(),
        }
    }

    #[test]
    fn backup_round_trips_and_refuses_wrong_or_weak_passphrases_and_garbage() {
        let key = SecretKey::generate().unwrap();
        let file = encrypt(&key, &info(&key), "correct horse battery").unwrap();
        assert!(file.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(
            !text.contains(key.seed_hex().as_str()),
            "the seed must not appear in clear"
        );
        let (back, meta) = decrypt(&file, "correct horse battery").unwrap();
        assert_eq!((back.public(), meta), (key.public(), info(&key)));
        assert!(
            decrypt(&file, "wrong horse battery")
                .unwrap_err()
                .to_string()
                .contains("wrong passphrase")
        );
        assert!(
            encrypt(&key, &info(&key), "short")
                .unwrap_err()
                .to_string()
                .contains("at least 10")
        );
        assert!(
            decrypt(b"hello", "correct horse battery")
                .unwrap_err()
                .to_string()
                .contains("not an age")
        );
        let truncated = &file[..file.len() / 2];
        assert!(decrypt(truncated, "correct horse battery").is_err());
    }
}
