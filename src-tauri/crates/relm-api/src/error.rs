//! The error every use-case returns: a closed `code` that callers switch on (the CLI maps it to
//! an exit status, the desktop shell sends it across IPC) and a message for people.

use relm_domain::{DomainError, Problem, ProblemCode, Reason, ReasonCode};
use relm_identity::IdentityError;
use relm_store::StoreError;
use relm_store::rusqlite;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The input field at fault, when one is (forms show the message next to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub field: Option<String>,
    /// Every problem with the input, each with its field, a code the app words in its own
    /// language and its parameters (bad input only; forms show each beside its field).
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// Why a request was refused by the state of things (conflicts, roles, what does not
    /// exist), as a code the app words in its own language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// The English messages of `errors`, for the fields that keep them as text beside the errors.
pub(crate) fn texts(errors: &[ApiError]) -> Vec<String> {
    errors.iter().map(|e| e.message.clone()).collect()
}

/// How an error is kept in a text column: whole (as JSON), its reason with it, for the app to
/// word it when it is shown.
pub(crate) fn keep(e: &ApiError) -> Result<String> {
    serde_json::to_string(e)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot keep the error: {e}")))
}

/// An error as [`keep`] kept it: its English text, and the error whole. Text an earlier
/// version kept (or anything that is not a kept error) is the text alone.
pub(crate) fn kept(text: Option<String>) -> (Option<String>, Option<ApiError>) {
    match text
        .as_deref()
        .filter(|t| t.starts_with('{'))
        .and_then(|t| serde_json::from_str::<ApiError>(t).ok())
    {
        Some(e) => (Some(e.message.clone()), Some(e)),
        None => (text, None),
    }
}

/// A backup file that cannot restore this identity (`reason`: see [`ProblemCode::BadBackup`]).
pub(crate) fn bad_backup(field: &str, reason: &str, message: impl Into<String>) -> DomainError {
    DomainError::problem(field, ProblemCode::BadBackup, message).with("reason", reason)
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
            SyncError::Transport(TransportError::Unreachable(r)) => {
                ApiError::refused(ErrorCode::Offline, r)
            }
            SyncError::Transport(TransportError::Refused(r)) | SyncError::Remote(r) => {
                ApiError::refused(ErrorCode::Remote, r)
            }
            SyncError::Transport(TransportError::Exists(m)) => ApiError::new(ErrorCode::Remote, m),
            SyncError::Internal(m) => ApiError::new(ErrorCode::Internal, m),
        }
    }
}

/// What a platform's API did wrong, as a refusal the app words in its own language (the
/// English message is the CLI's and the log's).
impl From<relm_connect::fetch::FetchError> for ApiError {
    fn from(e: relm_connect::fetch::FetchError) -> Self {
        use relm_connect::fetch::FetchError as F;
        use relm_connect::link::LinkError as L;
        let message = e.to_string();
        // The address without its query: which endpoint, not the paging and filters asked.
        let said = |code| Reason::new(code, message.clone());
        let reason = |code, url: &str| said(code).with("url", url.split('?').next().unwrap_or(url));
        let reason = match &e {
            F::Unauthorized { url, status } => {
                reason(ReasonCode::TokenRefused, url).with("http", status)
            }
            F::Refused {
                url,
                status,
                message,
            } => reason(ReasonCode::PlatformRefused, url)
                .with("http", status)
                .with("detail", message),
            F::GaveUp { url, why } => reason(ReasonCode::PlatformFailed, url).with("detail", why),
            F::Untrusted { url, why } => {
                reason(ReasonCode::CertificateUntrusted, url).with("detail", why)
            }
            F::BadJson { url, why } => reason(ReasonCode::NotJson, url).with("detail", why),
            F::TooLarge { url } => reason(ReasonCode::AnswerTooLarge, url)
                .with("max", relm_connect::fetch::MAX_BODY >> 20),
            F::TooManyPages { url } => {
                reason(ReasonCode::TooManyPages, url).with("max", relm_connect::fetch::MAX_PAGES)
            }
            F::Link(L::OffOrigin { found, api }) => said(ReasonCode::NextPageElsewhere)
                .with("found", found)
                .with("api", api),
            F::Link(l) => said(ReasonCode::BadNextPage).with("detail", l),
            F::Setup(_) => return ApiError::new(ErrorCode::Remote, message),
        };
        ApiError::refused(ErrorCode::Remote, reason)
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
        if let IdentityError::BadBackup { reason, .. } = &e {
            let field = if *reason == "wrong_passphrase" {
                "passphrase"
            } else {
                "file"
            };
            return bad_backup(field, reason, e.to_string()).into();
        }
        let code = match &e {
            IdentityError::KeyringUnavailable { .. } | IdentityError::MissingKey { .. } => {
                ErrorCode::Keyring
            }
            IdentityError::BadBackup { .. } | IdentityError::Passphrase(_) => ErrorCode::Validation,
            IdentityError::Io(_) => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use relm_connect::fetch::FetchError as F;
    use relm_connect::link::LinkError as L;

    fn reason(e: F) -> (ErrorCode, Reason) {
        let e = ApiError::from(e);
        (e.code, *e.reason.expect("a reason"))
    }

    #[test]
    fn a_platforms_failures_carry_a_reason_the_app_words() {
        let url = "https://gitlab.example.com/api/v4/projects/7/deployments?per_page=100&page=2";
        let (code, r) = reason(F::Unauthorized {
            url: url.into(),
            status: 401,
        });
        assert_eq!(
            (code, r.code),
            (ErrorCode::Remote, ReasonCode::TokenRefused)
        );
        // The endpoint, without the paging and filters asked.
        assert_eq!(
            r.params["url"],
            "https://gitlab.example.com/api/v4/projects/7/deployments"
        );
        assert_eq!(r.params["http"], "401");
        // The English message, for the CLI and the log, is the fetch error's, query and all.
        assert!(r.message.contains("per_page=100"), "{}", r.message);
        let (_, r) = reason(F::Refused {
            url: url.into(),
            status: 403,
            message: "403 Forbidden".into(),
        });
        assert_eq!(r.code, ReasonCode::PlatformRefused);
        assert_eq!(
            (&*r.params["http"], &*r.params["detail"]),
            ("403", "403 Forbidden")
        );
        let (_, r) = reason(F::GaveUp {
            url: url.into(),
            why: "answered 503".into(),
        });
        assert_eq!(r.code, ReasonCode::PlatformFailed);
        assert_eq!(r.params["detail"], "answered 503");
        let (_, r) = reason(F::Untrusted {
            url: url.into(),
            why: "invalid peer certificate: UnknownIssuer".into(),
        });
        assert_eq!(r.code, ReasonCode::CertificateUntrusted);
        let (_, r) = reason(F::BadJson {
            url: url.into(),
            why: "EOF at line 1".into(),
        });
        assert_eq!(r.code, ReasonCode::NotJson);
        let (_, r) = reason(F::TooLarge { url: url.into() });
        assert_eq!(
            (r.code, &*r.params["max"]),
            (ReasonCode::AnswerTooLarge, "32")
        );
        let (_, r) = reason(F::TooManyPages { url: url.into() });
        assert_eq!(
            (r.code, &*r.params["max"]),
            (ReasonCode::TooManyPages, "1000")
        );
        let (_, r) = reason(F::Link(L::OffOrigin {
            found: "https://evil.example/next".into(),
            api: "https://gitlab.example.com/api/v4".into(),
        }));
        assert_eq!(r.code, ReasonCode::NextPageElsewhere);
        assert_eq!(r.params["found"], "https://evil.example/next");
        let (_, r) = reason(F::Link(L::NotAUrl("::".into())));
        assert_eq!(r.code, ReasonCode::BadNextPage);
        // A client that could not be made is no refusal by the platform: no reason.
        let e = ApiError::from(F::Setup("no TLS backend".into()));
        assert_eq!((e.code, e.reason), (ErrorCode::Remote, None));
    }

    #[test]
    fn an_error_reads_back_as_it_was_written() {
        let e = ApiError::from(F::Unauthorized {
            url: "https://api.github.com/graphql".into(),
            status: 401,
        });
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<ApiError>(&json).unwrap(), e);
    }
}
