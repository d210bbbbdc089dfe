//! Store errors, each with a message that tells the user what to do.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "the store at {path} was written by a newer Relm (schema {found}, this Relm knows up to {supported}); upgrade Relm to open it"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("cannot open the store at {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("the event conflicts with the ledger: {0}")]
    Conflict(String),
    #[error(
        "the store is damaged ({0}); check its ledger with `relm audit verify`: if the ledger is intact, `relm rebuild` rebuilds the tables from it"
    )]
    Corrupt(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
