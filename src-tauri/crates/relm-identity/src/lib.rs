//! Member identities: the private half of a member's Ed25519 key.
//!
//! Private keys live only in the operating system's keyring ([`keyring::OsKeyring`]) and in
//! passphrase-encrypted backups ([`backup`]). They are wrapped in [`SecretKey`], which never
//! prints itself and wipes its memory when dropped. Nothing here touches SQLite.

pub mod backup;
pub mod keyring;
mod secret;

pub use secret::SecretKey;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum IdentityError {
    #[error("the OS keyring is not available ({backend}): {reason}")]
    KeyringUnavailable { backend: String, reason: String },
    #[error(
        "no private key for {key_id} in the OS keyring ({backend}); restore it with `relm identity import FILE`"
    )]
    MissingKey { key_id: String, backend: String },
    /// `reason`: `not_a_backup`, `wrong_passphrase`, `damaged`, `format` or `malformed`.
    #[error("the backup could not be decrypted: {message}")]
    BadBackup {
        reason: &'static str,
        message: String,
    },
    #[error("{0}")]
    Passphrase(String),
    #[error("{0}")]
    Io(String),
}
