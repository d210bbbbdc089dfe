//! This replica's identity: show it, back it up, restore it.

use relm_domain::keys::PublicKey;
use relm_identity::backup::{self, BackupInfo};
use relm_store::{local, projection};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

use crate::error::{ApiError, Result, bad_backup};
use crate::members::MemberView;
use crate::session::{IDENTITY, Relm};
use relm_domain::ReasonCode;

/// This replica's member, plus where its private key is kept.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdentityView {
    #[serde(flatten)]
    pub member: MemberView,
    pub keyring: String,
    pub keyring_persistent: bool,
    /// Whether the private key is present in the keyring right now.
    pub private_key_present: bool,
}

impl Relm {
    pub fn identity(&self) -> Result<IdentityView> {
        let member = self.my_member()?;
        Ok(IdentityView {
            private_key_present: self.keys.get(&member.key_id)?.is_some(),
            member,
            keyring: self.keys.backend().into(),
            keyring_persistent: self.keys.persistent(),
        })
    }

    /// This replica's member; for a newcomer not added yet, what they gave when joining (no
    /// roles, not active).
    fn my_member(&self) -> Result<MemberView> {
        let me = self.me()?;
        if let Ok(m) = self.member(&me.0) {
            return Ok(m);
        }
        let key = self.signing_key()?.public();
        let Some((name, email)) = self.joined_as()? else {
            return Err(ApiError::missing(
                ReasonCode::NotJoined,
                format!(
                    "identity {} is not a member of this workspace",
                    me.fingerprint()
                ),
            )
            .with("key", me.fingerprint()));
        };
        Ok(MemberView {
            fingerprint: me.fingerprint(),
            key_id: me.0,
            public_key: key.to_string(),
            name,
            email,
            roles: Vec::new(),
            team: String::new(),
            active: false,
        })
    }

    /// Write this identity's private key to `out`, encrypted with `passphrase` (age format).
    /// The file is created with owner-only permissions and never overwrites an existing file.
    pub fn export_identity(&self, out: &Path, passphrase: &str) -> Result<BackupInfo> {
        let member = self.my_member()?;
        let key = self.signing_key()?;
        let (workspace_id, workspace_name) = self.workspace()?;
        let info = BackupInfo {
            workspace_id: workspace_id.0,
            workspace_name,
            member_name: member.name,
            key_id: member.key_id,
            public_key: member.public_key,
        };
        let data = backup::encrypt(&key, &info, passphrase)?;
        write_new_private_file(out, &data)?;
        tracing::info!(key = %info.key_id, "identity exported");
        Ok(info)
    }

    /// Restore an identity from a backup into this data dir's keyring.
    pub fn import_identity(&mut self, file: &Path, passphrase: &str) -> Result<BackupInfo> {
        // A backup is a few hundred bytes: anything far larger is not one (and is not read
        // whole into memory).
        let data = crate::files::read_user_file(file, 1 << 20, "; it is not an identity backup")?;
        let (key, info) = backup::decrypt(&data, passphrase)?;
        let workspace = self.workspace_id()?;
        if info.workspace_id != workspace.0 {
            return Err(bad_backup(
                "file",
                "other_workspace",
                format!(
                    "this backup belongs to workspace `{}` ({}), not to the one in {} ({workspace})",
                    info.workspace_name,
                    info.workspace_id,
                    self.data_dir.display()
                ),
            )
            .with("workspace", &info.workspace_name)
            .into());
        }
        let public = PublicKey::parse(&info.public_key)?;
        let known = projection::members::list(self.store.conn())?
            .into_iter()
            .any(|m| m.key == public);
        // A data folder keeps the identity it has: another member's backup does not replace it.
        if let Some(mine) = local::get(self.store.conn(), IDENTITY)?
            && mine != info.key_id
        {
            return Err(bad_backup(
                "file",
                "other_member",
                format!(
                    "this backup is the key of {}, not of this data folder's identity ({}); restore that member's key in their own data folder",
                    info.member_name,
                    relm_domain::keys::KeyId(mine).fingerprint()
                ),
            )
            .with("name", &info.member_name)
            .into());
        }
        if !known {
            return Err(bad_backup(
                "file",
                "not_member",
                "the key in this backup was never a member of this workspace",
            )
            .into());
        }
        self.keys.put(&info.key_id, &key)?;
        self.store
            .write(|tx| local::set(tx, IDENTITY, &info.key_id))?;
        tracing::info!(key = %info.key_id, "identity imported");
        Ok(info)
    }
}

fn write_new_private_file(path: &Path, data: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| {
        let message = format!(
            "cannot write {}: {e}; choose another --out path",
            path.display()
        );
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            ApiError::conflict(ReasonCode::FileExists, message).with("path", path.display())
        } else {
            ApiError::validation(message)
        }
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(fail)?;
    f.write_all(data).and_then(|()| f.sync_all()).map_err(fail)
}
