//! Relm's use-cases, shared by the `relm` CLI and the desktop shell.
//!
//! A [`Relm`] is one open data dir (one replica): its store, the injected clock, and the key
//! store holding this replica's private key. Every governed change goes through
//! [`Relm::emit`], which, inside one `BEGIN IMMEDIATE` transaction, re-reads the state, checks
//! the member's role and the domain rules, signs the events, appends them and updates the
//! projections. Adapters (CLI subcommands, Tauri commands) stay a few lines long.

pub mod audit;
pub mod calendar;
pub mod connectors;
pub mod demo;
pub mod deployments;
pub mod digest;
mod error;
pub mod feeds;
pub mod files;
pub mod gates;
pub mod identity;
mod kept;
pub mod logging;
pub mod members;
pub mod metrics;
mod mirror;
pub mod notes;
pub mod pack;
pub mod releases;
pub mod replicas;
pub mod report_period;
pub mod reports;
pub mod reschedule;
pub mod reviews;
pub mod risk_csv;
pub mod risks;
pub mod sbom;
mod session;
pub mod undo;
pub mod webhooks;
pub mod workspace;

pub use audit::Repair;
pub use error::{ApiError, ErrorCode, Result};
pub use relm_identity::keyring::prepare_process as prepare_keyring;
pub mod private;
pub mod publish;
pub use relm_store::events::LogEntry;
pub use relm_store::ingest::{Held, Rejected};
pub use relm_store::verify::{Problem, Report as VerifyReport};
pub use relm_store::{ReleaseFilter, ReleaseRow, StatusChange};
pub use session::{KeyringChoice, Options, Relm, db_path};
