//! The error every use-case returns: a closed `code` that callers switch on (the CLI maps it to
//! an exit status, the desktop shell sends it across IPC) and a message for people.

use relm_domain::{DomainError, Problem, ProblemCode, Reason, ReasonCode};
use relm_identity::IdentityError;
use relm_store::StoreError;
use relm_store::rusqlite;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ErrorCode {
    /// Input breaks a rule; fix the input.
    Validation,
    /// The named thing does not exist.
    NotFound,
    /// The request clashes with the current state (illegal transition, duplicate...).
    Conflict,
    /// The acting member lacks the role, or is not a member.
    Unauthorized,
    /// The data dir holds no workspace yet.
    NoWorkspace,
    /// The data dir cannot be used (not writable, newer schema, not a Relm store).
    DataDir,
    /// The OS keyring is unavailable or lacks this replica's key.
    Keyring,
    /// A remote is not reachable (missing folder, unmounted drive): work offline, sync later.
    Offline,
    /// A remote is reachable but cannot be used as asked (read-only, full, not Relm's).
    Remote,
    /// This computer's clock is too far from the workspace's: correct it before signing.
    Clock,
    /// A bug or an unexpected environment failure.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The input field at fault, when one is (forms show the message next to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub field: Option<String>,
    /// Every problem with the input, each with its field, a code the app words in its own
    /// language and its parameters (bad input only; forms show each beside its field).
    pub problems: Vec<Problem>,
    /// Why a request was refused by the state of things (conflicts, roles, what does not
    /// exist), as a code the app words in its own language.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<Box<Reason>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            problems: Vec::new(),
            reason: None,
        }
    }
    /// A refusal with its reason: `code` for callers, `reason` for the app's wording.
    pub fn refused(code: ErrorCode, reason: Reason) -> Self {
        ApiError {
            message: reason.message.clone(),
            reason: Some(Box::new(reason)),
            ..Self::new(code, "")
        }
    }
    /// A refusal by the state of things (`ErrorCode::Conflict`).
    pub fn conflict(code: ReasonCode, message: impl Into<String>) -> Self {
        Self::refused(ErrorCode::Conflict, Reason::new(code, message))
    }
    /// Nothing of that name or id (`ErrorCode::NotFound`).
    pub fn missing(code: ReasonCode, message: impl Into<String>) -> Self {
        Self::refused(ErrorCode::NotFound, Reason::new(code, message))
    }
    /// A parameter of the reason's wording.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        if let Some(r) = &mut self.reason {
            r.params.insert(key.to_string(), value.to_string());
        }
        self
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }
    /// Bad input in one named field (forms show the message next to it).
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::invalid(field, message).into()
    }
    /// The same error, about the input `field` (a form shows it there).
    pub fn at(self, field: &str) -> Self {
        ApiError {
            field: Some(field.to_string()),
            ..self
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
}

/// No release with the id `id`.
pub(crate) fn no_release(id: &str) -> ApiError {
    ApiError::missing(ReasonCode::NoRelease, format!("no release {id}")).with("id", id)
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let message = e.to_string();
        let field = e.field().map(str::to_string);
        match e {
            DomainError::Invalid(problems) => ApiError {
                field,
                problems,
                ..ApiError::new(ErrorCode::Validation, message)
            },
            DomainError::Conflict(r) => ApiError::refused(ErrorCode::Conflict, r),
            DomainError::Unauthorized(r) => ApiError::refused(ErrorCode::Unauthorized, r),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if let StoreError::Corrupt(detail) = &e {
            let reason =
                Reason::new(ReasonCode::StoreDamaged, e.to_string()).with("detail", detail);
            return ApiError::refused(ErrorCode::Internal, reason);
        }
        let code = match &e {
            StoreError::SchemaTooNew { .. } | StoreError::Open { .. } => ErrorCode::DataDir,
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::Corrupt(_) | StoreError::Sqlite(_) => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<relm_sync::SyncError> for ApiError {
    fn from(e: relm_sync::SyncError) -> Self {
        use relm_sync::{SyncError, TransportError};
        match e {
            SyncError::Store(s) => s.into(),
            SyncError::Transport(TransportError::Unreachable(m)) => {
                ApiError::new(ErrorCode::Offline, m)
            }
            SyncError::Transport(TransportError::Refused(m) | TransportError::Exists(m))
            | SyncError::Remote(m) => ApiError::new(ErrorCode::Remote, m),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        if let IdentityError::Passphrase(m) = &e {
            return DomainError::problem("passphrase", ProblemCode::TooShort, m)
                .with("min", relm_identity::backup::MIN_PASSPHRASE)
                .into();
        }
        let code = match &e {
            IdentityError::KeyringUnavailable { .. } | IdentityError::MissingKey { .. } => {
                ErrorCode::Keyring
            }
            IdentityError::BadBackup(_) | IdentityError::Passphrase(_) => ErrorCode::Validation,
            IdentityError::Io(_) => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;
