//! Replica sync: how a replica's ledger meets the others'.
//!
//! [`transport`] abstracts where replicas meet (a folder, or a git repository: [`git`]); [`segment`] is the file format
//! events travel in; [`sync`] pulls (verify before apply) and pushes; [`schedule`] times the
//! background sync.

pub mod folder;
pub mod git;
pub mod schedule;
pub mod segment;
pub mod sync;
pub mod transport;

pub use schedule::Schedule;
pub use sync::{FileNote, JoinRequest, SyncError, SyncReport};
pub use transport::{Folder, Transport, TransportError};
