//! Undoing the removal of one of this replica's own settings: a remote, a connection, a webhook
//! or a calendar subscription. None of them is governed (no event, no signature, nothing shared),
//! so the app offers to undo their removal rather than asking first.
//!
//! A [`Removal`] holds the rows the removal took (the setting and what hung on it: a remote's
//! sync records, a connection's cursor, its unmatched deployments and its outbox entries) and
//! its secret from the OS keyring. It lives in the caller's memory only; the secret is wiped
//! when it is dropped and never leaves the backend.

use crate::{ApiError, Relm, Result};
use relm_domain::ReasonCode;
use relm_store::taken::{PutBack, Taken};
use serde::Serialize;
use zeroize::Zeroizing;

/// What was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Removed {
    Remote,
    Connector,
    Webhook,
    Feed,
}

impl Removed {
    pub fn as_str(self) -> &'static str {
        match self {
            Removed::Remote => "remote",
            Removed::Connector => "connector",
            Removed::Webhook => "webhook",
            Removed::Feed => "feed",
        }
    }
}

/// A removal that can be undone: see the module's documentation.
pub struct Removal {
    pub what: Removed,
    pub name: String,
    /// The workspace it was removed from: it goes back there only.
    workspace: String,
    rows: Taken,
    /// The keyring entry's name and its secret.
    secret: Option<(String, Zeroizing<String>)>,
}

impl std::fmt::Debug for Removal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Removal")
            .field("what", &self.what)
            .field("name", &self.name)
            .field("rows", &self.rows.len())
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Relm {
    /// Remove the setting `name` of kind `what`: keep the rows of `tables` (each a table and
    /// the column holding the key, parents first) and the keyring entry `secret`, then run
    /// `delete` in the same transaction and delete the secret. `delete` says whether there was
    /// anything to remove.
    pub(crate) fn remove_undoably(
        &mut self,
        what: Removed,
        name: &str,
        tables: &[(&'static str, &'static str, &str)],
        secret: Option<String>,
        delete: impl FnOnce(&relm_store::Transaction<'_>) -> Result<bool>,
    ) -> Result<Removal> {
        let (workspace, _) = self.workspace()?;
        let kept = match &secret {
            Some(s) => self.keys.get_secret(s)?,
            None => None,
        };
        let rows = self.store.write(|tx| -> Result<Taken> {
            let mut rows = Taken::default();
            for (table, column, key) in tables {
                rows.keep(tx, table, column, key)?;
            }
            if !delete(tx)? {
                return Err(ApiError::not_found(format!(
                    "no {} named `{name}`",
                    what.as_str()
                )));
            }
            Ok(rows)
        })?;
        if let Some(s) = &secret {
            self.keys.delete_secret(s)?;
        }
        Ok(Removal {
            what,
            name: name.to_string(),
            workspace: workspace.0,
            rows,
            secret: secret.zip(kept),
        })
    }

    /// Put back what `removal` took, as it was, in one transaction: refused if the workspace
    /// is another one now, or if something of the same name was added since (nothing changes
    /// then).
    pub fn undo_removal(&mut self, removal: &Removal) -> Result<()> {
        let (workspace, _) = self.workspace()?;
        if workspace.0 != removal.workspace {
            return Err(nothing_to_undo());
        }
        let keys = self.keys.clone();
        self.store.write(|tx| -> Result<()> {
            removal.rows.put_back(tx).map_err(|e| match e {
                PutBack::Clash(_) => ApiError::conflict(
                    ReasonCode::NameTakenAgain,
                    format!(
                        "a {} named `{}` was added since it was removed; remove that one first to put the old one back",
                        removal.what.as_str(),
                        removal.name
                    ),
                )
                .with("what", removal.what.as_str())
                .with("name", &removal.name),
                PutBack::Store(e) => e.into(),
            })?;
            // Last, so that a clash above leaves the keyring as it is.
            if let Some((entry, secret)) = &removal.secret {
                keys.put_secret(entry, secret)?;
            }
            Ok(())
        })?;
        tracing::info!(what = removal.what.as_str(), name = %removal.name, "removal undone");
        Ok(())
    }
}

/// The removal to undo is not kept any more (another removal replaced it, or the workspace
/// changed).
pub fn nothing_to_undo() -> ApiError {
    ApiError::missing(
        ReasonCode::NothingToUndo,
        "that removal can no longer be undone; add the setting again",
    )
}
