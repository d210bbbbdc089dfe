//! Errors raised by domain rules. Each message says what was wrong and, where it helps, what to
//! do instead; the use-case layer maps them to stable error codes.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// Input that breaks a field rule (empty service, bad semver, end before start...).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A status change the lifecycle does not allow.
    #[error("cannot move a release from `{from}` to `{to}`; allowed next: {allowed}")]
    IllegalTransition {
        from: String,
        to: String,
        allowed: String,
    },
    /// An edit refused because of the entity's state.
    #[error("{0}")]
    Conflict(String),
    /// The acting member lacks a role for this event kind.
    #[error("{0}")]
    Unauthorized(String),
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}
