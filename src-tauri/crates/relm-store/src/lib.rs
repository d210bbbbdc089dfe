//! Relm's local store: one SQLite file holding the signed ledger and its projections.
//!
//! The `events` table is the source of truth and is append-only (triggers refuse updates and
//! deletes). Every other table except `local_meta` is a projection computed from events by
//! [`projection::apply`]; appending events and updating projections happen in one
//! `BEGIN IMMEDIATE` transaction committed with `synchronous=FULL`. [`Store::rebuild`]
//! recomputes the projections from the events alone.

pub mod causal;
pub mod connectors;
mod db;
mod error;
pub mod events;
pub mod evidence;
pub mod feeds;
pub mod forks;
pub mod ingest;
pub mod local;
pub mod outbox;
pub mod projection;
pub mod taken;
pub mod verify;
pub mod webhooks;

pub use db::{SCHEMA_VERSION, Snapshot, Stamp, Store};
pub use error::StoreError;
pub use projection::releases::{Cursor, ReleaseFilter, ReleaseRow, SortKey, StatusChange};
pub use rusqlite::{self, Connection, Transaction};
