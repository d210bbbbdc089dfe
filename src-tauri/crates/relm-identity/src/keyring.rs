//! The OS keyring, behind a small trait.
//!
//! Entries are named `<service>` / `<key id>` where the service is `relm` (release builds) or
//! `relm-dev` (debug builds) followed by the replica's namespace, a random id kept in the data
//! dir. Two data dirs on one machine therefore never see each other's keys.
//!
//! Backends: the platform's native store (macOS Keychain, Windows Credential Manager); on Linux
//! the Secret Service (GNOME Keyring, KWallet) when a desktop session bus is present, otherwise
//! the kernel keyring (keyutils), which works headless but forgets keys at reboot and after a
//! few days unused — fine for CI and servers, and `relm identity export` makes a lasting copy.
//! `RELM_KEYRING=secret-service|kernel|native` overrides the choice.

use keyring::Entry;
use keyring::credential::Credential;
use zeroize::Zeroizing;

use crate::{IdentityError, SecretKey};

/// Where private keys are kept.
pub trait KeyStore: Send + Sync + std::fmt::Debug {
    fn put(&self, key_id: &str, key: &SecretKey) -> Result<(), IdentityError>;
    fn get(&self, key_id: &str) -> Result<Option<SecretKey>, IdentityError>;
    fn delete(&self, key_id: &str) -> Result<(), IdentityError>;
    /// A human name of the backend, e.g. "kernel keyring (keyutils)".
    fn backend(&self) -> &'static str;
    /// Whether keys survive a reboot.
    fn persistent(&self) -> bool;
    /// Keep a secret that is not a key (a platform's access token) under `name`.
    fn put_secret(&self, name: &str, secret: &str) -> Result<(), IdentityError>;
    fn get_secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, IdentityError>;
    fn delete_secret(&self, name: &str) -> Result<(), IdentityError>;
}

/// The keyring entry of secret `name`: apart from keys, whose entries are key ids.
fn secret_entry(name: &str) -> String {
    format!("secret:{name}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Native,
    SecretService,
    Kernel,
}

impl Backend {
    /// The backend for this machine, honouring `RELM_KEYRING`.
    pub fn detect() -> Result<Backend, IdentityError> {
        match std::env::var("RELM_KEYRING").ok().as_deref().map(str::trim) {
            Some("secret-service") => Ok(Backend::SecretService),
            Some("kernel") => Ok(Backend::Kernel),
            Some("native") => Ok(Backend::Native),
            Some("") | None => Ok(Self::default_for_platform()),
            Some(other) => Err(IdentityError::KeyringUnavailable {
                backend: other.to_string(),
                reason: "RELM_KEYRING must be secret-service, kernel or native".into(),
            }),
        }
    }

    fn default_for_platform() -> Backend {
        if cfg!(target_os = "linux") {
            if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
                Backend::SecretService
            } else {
                Backend::Kernel
            }
        } else {
            Backend::Native
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Native => "native OS keyring",
            Backend::SecretService => "Secret Service",
            Backend::Kernel => "kernel keyring (keyutils)",
        }
    }
}

#[derive(Debug)]
pub struct OsKeyring {
    service: String,
    backend: Backend,
}

impl OsKeyring {
    /// The keyring for the replica whose namespace is `namespace`.
    pub fn new(namespace: &str, backend: Backend) -> Result<OsKeyring, IdentityError> {
        let prefix = if cfg!(debug_assertions) {
            "relm-dev"
        } else {
            "relm"
        };
        if backend == Backend::Kernel {
            ensure_session_keyring()?;
        }
        Ok(OsKeyring {
            service: format!("{prefix}:{namespace}"),
            backend,
        })
    }

    fn entry(&self, key_id: &str) -> Result<Entry, IdentityError> {
        let unavailable = |e: keyring::Error| IdentityError::KeyringUnavailable {
            backend: self.backend.name().into(),
            reason: e.to_string(),
        };
        let credential: Box<Credential> = match self.backend {
            #[cfg(target_os = "linux")]
            Backend::Kernel => Box::new(
                keyring::keyutils::KeyutilsCredential::new_with_target(None, &self.service, key_id)
                    .map_err(unavailable)?,
            ),
            #[cfg(target_os = "linux")]
            Backend::SecretService => Box::new(
                keyring::secret_service::SsCredential::new_with_target(None, &self.service, key_id)
                    .map_err(unavailable)?,
            ),
            _ => return Entry::new(&self.service, key_id).map_err(unavailable),
        };
        Ok(Entry::new_with_credential(credential))
    }

    fn fail(&self, e: keyring::Error) -> IdentityError {
        IdentityError::KeyringUnavailable {
            backend: self.backend.name().into(),
            reason: e.to_string(),
        }
    }
}

impl KeyStore for OsKeyring {
    fn put(&self, key_id: &str, key: &SecretKey) -> Result<(), IdentityError> {
        self.entry(key_id)?
            .set_password(&key.seed_hex())
            .map_err(|e| self.fail(e))
    }

    fn get(&self, key_id: &str) -> Result<Option<SecretKey>, IdentityError> {
        match self.entry(key_id)?.get_password() {
            Ok(text) => {
                let text = Zeroizing::new(text);
                SecretKey::from_seed_hex(&text).map(Some).ok_or_else(|| {
                    IdentityError::KeyringUnavailable {
                        backend: self.backend.name().into(),
                        reason: format!("the keyring entry for {key_id} is not a Relm key"),
                    }
                })
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn delete(&self, key_id: &str) -> Result<(), IdentityError> {
        match self.entry(key_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn backend(&self) -> &'static str {
        self.backend.name()
    }

    fn persistent(&self) -> bool {
        self.backend != Backend::Kernel
    }

    fn put_secret(&self, name: &str, secret: &str) -> Result<(), IdentityError> {
        self.entry(&secret_entry(name))?
            .set_password(secret)
            .map_err(|e| self.fail(e))
    }

    fn get_secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, IdentityError> {
        match self.entry(&secret_entry(name))?.get_password() {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn delete_secret(&self, name: &str) -> Result<(), IdentityError> {
        self.delete(&secret_entry(name))
    }
}

/// Call first thing in `main`, before any thread starts. Linux keeps keyring membership in
/// each *thread's* credentials: a session keyring joined later by one worker thread is not seen
/// by the others, so a multi-threaded process (the desktop app) must join it while it still has
/// one thread, and every thread it starts inherits it.
pub fn prepare_process() {
    if matches!(Backend::detect(), Ok(Backend::Kernel))
        && let Err(e) = ensure_session_keyring()
    {
        tracing::warn!("kernel keyring: {e}");
    }
}

/// The kernel keyring needs a session keyring; a process started outside a login session (CI,
/// a service) has none, so join a fresh one. Keys are also linked into the user's persistent
/// keyring by the keyring crate, so later processes find them.
#[cfg(target_os = "linux")]
fn ensure_session_keyring() -> Result<(), IdentityError> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    KeyRing::from_special_id(KeyRingIdentifier::Session, true)
        .map(|_| ())
        .map_err(|e| IdentityError::KeyringUnavailable {
            backend: Backend::Kernel.name().into(),
            reason: format!("{e:?}; is the `keyutils` kernel feature enabled?"),
        })
}

#[cfg(not(target_os = "linux"))]
fn ensure_session_keyring() -> Result<(), IdentityError> {
    Ok(())
}

/// An in-process key store for unit tests of code that only needs *a* store. Tests of the
/// product's promises use [`OsKeyring`].
#[derive(Debug, Default)]
pub struct MemoryKeyStore {
    keys: std::sync::Mutex<std::collections::HashMap<String, [u8; 32]>>,
    secrets: std::sync::Mutex<std::collections::HashMap<String, Zeroizing<String>>>,
}

impl KeyStore for MemoryKeyStore {
    fn put(&self, key_id: &str, key: &SecretKey) -> Result<(), IdentityError> {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.insert(key_id.into(), key.signing_key().to_bytes());
        Ok(())
    }
    fn get(&self, key_id: &str) -> Result<Option<SecretKey>, IdentityError> {
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        Ok(keys.get(key_id).map(SecretKey::from_seed))
    }
    fn delete(&self, key_id: &str) -> Result<(), IdentityError> {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key_id);
        Ok(())
    }
    fn backend(&self) -> &'static str {
        "in-memory (tests)"
    }
    fn persistent(&self) -> bool {
        false
    }
    fn put_secret(&self, name: &str, secret: &str) -> Result<(), IdentityError> {
        let mut secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets.insert(name.into(), Zeroizing::new(secret.into()));
        Ok(())
    }
    fn get_secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, IdentityError> {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        Ok(secrets.get(name).cloned())
    }
    fn delete_secret(&self, name: &str) -> Result<(), IdentityError> {
        self.secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real kernel keyring: keys put under one namespace are invisible from another.
    #[cfg(target_os = "linux")]
    #[test]
    fn kernel_keyring_round_trip_and_namespaces_are_separate() {
        let ns_a = format!(
            "test-{}",
            hex::encode(SecretKey::generate().unwrap().public().0.as_bytes())
        );
        let ns_b = format!("{ns_a}-other");
        let a = OsKeyring::new(&ns_a, Backend::Kernel).unwrap();
        let b = OsKeyring::new(&ns_b, Backend::Kernel).unwrap();
        let key = SecretKey::generate().unwrap();
        let id = key.public().key_id().0;
        a.put(&id, &key).unwrap();
        assert_eq!(a.get(&id).unwrap().map(|k| k.public()), Some(key.public()));
        assert!(
            b.get(&id).unwrap().is_none(),
            "another replica's namespace must not see the key"
        );
        a.delete(&id).unwrap();
        assert!(a.get(&id).unwrap().is_none());
    }

    /// A secret (a platform token) round-trips through the real kernel keyring, is apart from
    /// keys and from another replica's namespace, and is gone once deleted.
    #[cfg(target_os = "linux")]
    #[test]
    fn kernel_keyring_keeps_secrets_apart() {
        let ns = format!(
            "test-{}",
            hex::encode(SecretKey::generate().unwrap().public().0.as_bytes())
        );
        let a = OsKeyring::new(&ns, Backend::Kernel).unwrap();
        let b = OsKeyring::new(&format!("{ns}-other"), Backend::Kernel).unwrap();
        a.put_secret("connector:gh", "ghp_secret").unwrap();
        assert_eq!(
            a.get_secret("connector:gh")
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some("ghp_secret")
        );
        assert!(b.get_secret("connector:gh").unwrap().is_none());
        assert!(
            a.get("connector:gh").unwrap().is_none(),
            "a secret is not a key"
        );
        a.delete_secret("connector:gh").unwrap();
        assert!(a.get_secret("connector:gh").unwrap().is_none());
    }
}
