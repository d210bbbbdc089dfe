//! Release policy: the versioned bundle a workspace governs its releases by, the built-in rule
//! kinds, custom Rego rules, and the verdict that the desktop app and `relm check` both show.
//!
//! Pure: no I/O, no clock. The store gathers [`facts::Facts`] for a release; [`evaluate`]
//! judges them under a [`Policy`] for one environment at one time, so the same ledger state,
//! policy version and time always give the same verdict.

pub mod assess;
pub mod deviation;
pub mod engine;
pub mod facts;
pub mod policy;
pub mod rego;
pub mod rules;
pub mod text;
pub mod verdict;

pub use engine::{
    AssessedRisk, Judgement, evaluate, evaluate_each, evaluate_each_assessed, evaluate_in, judge,
    judge_each, judge_each_assessed,
};
pub use facts::Facts;
pub use policy::{Policy, PolicyError, Tier};
pub use text::{Lang, Style};
pub use verdict::{Line, LineStatus, Outcome, Verdict};

/// The policy a new workspace starts with (version 1, authored by the founder).
pub const DEFAULT_POLICY: &str = include_str!("default-policy.toml");
