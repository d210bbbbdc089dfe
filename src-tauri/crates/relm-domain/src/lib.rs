//! Relm's domain model, free of I/O.
//!
//! Everything that decides *what is true* in a workspace lives here: the shape of a signed
//! ledger event and how it is hashed and verified, who may emit which kind of event, the release
//! entity and its lifecycle, and the clocks that stamp events. The store, the CLI and the
//! desktop shell only move these values around; none of them re-implements a rule.

pub mod canonical;
pub mod causal;
pub mod clock;
pub mod error;
pub mod event;
pub mod hlc;
pub mod ids;
pub mod keys;
pub mod ledger;
pub mod limits;
pub mod membership;
pub mod payload;
pub mod release;
pub mod review;
pub mod risk;
pub mod role;
pub mod sbom;
pub mod text;
pub mod window;

pub use error::{DomainError, Problem, ProblemCode, Problems, Reason, ReasonCode};
