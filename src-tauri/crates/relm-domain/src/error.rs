//! Errors raised by domain rules. Each message says what was wrong and, where it helps, what to
//! do instead; the use-case layer maps them to stable error codes.
//!
//! Bad input is a list of [`Problem`]s, every one found in a submit at once, each naming the
//! field it is about, a closed [`ProblemCode`] and its parameters (so the app words it in the
//! reader's language, beside the field) and an English message (for the CLI and the log).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What is wrong with a field, as a closed set the app words in its own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ProblemCode {
    /// Nothing was given where something is needed.
    Required,
    /// Not a name (`value`, `max`).
    BadName,
    /// Longer than allowed (`length`, `max`).
    TooLong,
    /// Shorter than allowed (`min`).
    TooShort,
    /// A character that may not be used (`char`: `U+001B`; `position` when known; `lines`:
    /// `one` or `many`).
    BadChar,
    /// Not a semantic version (`value`).
    BadVersion,
    /// Not an IANA time zone (`value`).
    UnknownZone,
    /// Not a date-time (`value`).
    BadTime,
    /// A wall-clock time that happens twice in its zone (`value`, `zone`).
    AmbiguousTime,
    /// A wall-clock time that does not exist in its zone (`value`, `zone`).
    NonexistentTime,
    /// An end at or before the start.
    EndNotAfterStart,
    /// Not a `sha256:` digest (`value`).
    BadDigest,
    /// Not an e-mail address (`value`).
    BadEmail,
    /// Not one of the allowed values (`value`, `allowed`).
    UnknownChoice,
    /// A number outside its range (`min`, `max`).
    OutOfRange,
    /// Not a Relm public key (`value`).
    BadKey,
    /// The value already in force: nothing would change.
    Unchanged,
    /// A time already past where a future one is needed (`value`).
    Past,
    /// No active member is this key or e-mail (`value`).
    UnknownMember,
    /// Taken already, by the register (`value`).
    Taken,
    /// Given on an earlier line of the same file already (`value`, `line`).
    Repeated,
    /// A row with another number of cells (`cells`) than the header has columns (`columns`).
    RowCells,
    /// An end before the start.
    EndBeforeStart,
    /// A time later than now, where something that happened is described (`value`).
    Future,
    /// Not an http(s) address (`value`).
    BadUrl,
    /// An address that holds a password or token, which would be stored in the clear.
    SecretInUrl,
    /// A file Relm cannot use as asked (`value`; `reason`: `relative`, `not_ics`, `no_folder`,
    /// `is_folder`, `taken` for a file kept written; `unreadable` with `detail`, `not_regular`,
    /// `too_large` with `max` MiB for a file read).
    BadFile,
    /// A file that cannot restore this identity (`reason`: `not_a_backup`,
    /// `wrong_passphrase`, `damaged`, `format`, `malformed`, `other_workspace` with
    /// `workspace`, `other_member` with `name`, `not_member`).
    BadBackup,
    /// Not a `FROM=TO` pair (`value`).
    BadMapping,
    /// Not an SBOM Relm reads (`value`: the file; `reason`: `too_large`, `empty`, `utf16`, `xml`,
    /// `tag_value`, `truncated`, `not_json`, `too_deep`, `unknown_format`,
    /// `unsupported_version`, `invalid`, `too_many_packages`).
    BadSbom,
    /// Not a recurrence rule Relm can expand (`detail`: what is wrong with it, in English).
    BadRule,
    /// One occurrence would last longer than a calendar entry may (`max`: days).
    SpanTooLong,
    /// A rule with no code of its own: the message says it (in English).
    Other,
}

/// Why a request was refused by the state of things (not by its input), as a closed set the
/// app words in its own language, without the CLI commands the English message may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReasonCode {
    /// The workspace exists; it is created once.
    WorkspaceOnce,
    /// The key is not a member (`key`).
    NotAMember,
    /// The member was removed (`name`).
    MemberRemoved,
    /// The member lacks a role (`name`, `need`, `kind`, `have`).
    RoleRequired,
    /// The key is a member already (`key`).
    AlreadyMember,
    /// Taking this away would leave no admin.
    LastAdmin,
    /// The lifecycle does not allow this move (`from`, `to`, `allowed`).
    IllegalTransition,
    /// The release's content is history (`release`, `status`).
    NotEditable,
    /// The release's window is history (`release`, `status`).
    NotMovable,
    /// This text is the policy in force (`version`).
    PolicyInForce,
    /// The release is final: nothing left to decide (`status`).
    NothingToDecide,
    /// The same decision stands already (`environment`, `at`).
    AlreadyDecided,
    /// The decision would not count (`reason`, already in the asked language).
    DecisionWouldNotCount,
    /// Only an emergency change can do this (`change_type`).
    NotEmergency,
    /// The folder holds a workspace already (`dir`, `workspace`).
    WorkspaceExists,
    /// The workspace has releases already (`dir`).
    WorkspaceNotEmpty,
    /// A remote has this name already (`name`).
    RemoteExists,
    /// A removed setting cannot be put back: one of the same name was added since (`what`:
    /// remote, connector, webhook or feed; `name`).
    NameTakenAgain,
    /// The removal to undo is no longer kept.
    NothingToUndo,
    /// The release changed since it was checked (`release`).
    ChangedSinceChecked,
    /// A file exists where a new one would go (`path`).
    FileExists,
    /// No release with this id (`id`), or of this service and version (`service`,
    /// `version`).
    NoRelease,
    /// No such policy version (`version`); without it, no policy applied yet.
    NoPolicyVersion,
    /// No calendar entry with this id (`id`).
    NoCalendarEntry,
    /// No remote of this name (`name`); without it, no remotes at all.
    NoRemote,
    /// No active member matches (`who`).
    NoMember,
    /// This identity is not a member yet (`key`).
    NotJoined,
    /// The risk is closed: its record is history (`id`).
    RiskClosed,
    /// The risk's owner cannot accept it.
    OwnerCannotAccept,
    /// No risk with this id (`id`).
    NoRisk,
    /// The release's owner cannot lower its risk level (`release`).
    OwnerCannotLower,
    /// Another deployment was recorded under this reference (`ref`, `id`).
    RefTaken,
    /// The release has no deployment to this environment to roll back (`release`,
    /// `environment`), or not this one (`deployment`).
    NoDeployment,
    /// The release has not been deployed, or has no review yet (`release`).
    NothingToReview,
    /// The review was signed off: it is history (`release`).
    ReviewSigned,
    /// Only the release's owner or an approver signs its review off.
    CannotSignReview,
    /// This member signed the review as it is already.
    AlreadySigned,
    /// The action is done already (`id`).
    ActionDone,
    /// No action with this id (`id`).
    NoAction,
    /// The release's review is mandatory: its sign-offs mark it reviewed (`release`).
    ReviewRequired,
    /// A connection of this name exists (`name`).
    ConnectorExists,
    /// No connection of this name (`name`).
    NoConnector,
    /// A webhook of this name exists (`name`).
    WebhookExists,
    /// No webhook of this name (`name`).
    NoWebhook,
    /// A calendar subscription of this name exists (`name`).
    FeedExists,
    /// This computer's store holds what no event could have written: a table edited or
    /// damaged outside Relm (`detail`, in English).
    StoreDamaged,
    /// The ledger itself fails verification (`count` problems besides the tables): the tables
    /// are not rebuilt from it.
    LedgerDamaged,
    /// A platform refused the connection's token (`url`, `http`: the HTTP status).
    TokenRefused,
    /// A platform answered with an error (`url`, `http`: the HTTP status, `detail`: its message).
    PlatformRefused,
    /// A platform did not answer as it should, and Relm gave up after retrying (`url`,
    /// `detail`, in English: no answer, a server error, a rate limit too long to wait).
    PlatformFailed,
    /// A platform's certificate is not trusted (`url`, `detail`, in English).
    CertificateUntrusted,
    /// A platform answered something that is not the JSON its API gives (`url`, `detail`).
    NotJson,
    /// A platform's answer is larger than any of its API's (`url`, `max`: MiB).
    AnswerTooLarge,
    /// A platform lists more pages than Relm follows (`url`, `max`).
    TooManyPages,
    /// A platform's next page is not a link Relm can follow (`detail`, in English).
    BadNextPage,
    /// A platform's next page is outside the connection's API (`found`, `api`): not followed,
    /// and the token not sent there.
    NextPageElsewhere,
    /// A write waited for by a platform is no longer awaited (`platform`: `gitlab` for a
    /// deployment's approval, `github` for a run's review).
    NoLongerAwaited,
    /// A freeze period Relm wrote was deleted on the platform (`id`): the next sync writes it
    /// again.
    FreezeDeleted,
    /// An outbox entry of a kind this version does not write (`kind`).
    UnknownWrite,
    /// Release notes wait for their tag on the platform (`tags`: the names tried).
    NoTag,
    /// A chat's webhook did not answer in time (`host`).
    WebhookTimeout,
    /// A chat's webhook could not be reached (`host`).
    WebhookUnreachable,
    /// A chat's webhook asked to slow down (`host`, `http`, `said`).
    WebhookSlowDown,
    /// A chat's webhook failed on its side (`host`, `http`, `said`).
    WebhookFailed,
    /// A chat's webhook URL forwards elsewhere (`host`, `http`).
    WebhookRedirect,
    /// A chat's webhook refused the message (`host`, `http`, `said`): 401 and 403 say it was
    /// revoked, 404 and 410 that it no longer exists.
    WebhookRefused,
    /// A remote folder cannot be reached (`path`, `detail`): a drive not mounted, a folder
    /// moved. Relm works offline.
    RemoteOffline,
    /// A remote, or a folder in it, is not a folder (`path`).
    RemoteNotFolder,
    /// A remote holds a symbolic link where Relm needs a folder (`path`).
    RemoteLink,
    /// A file name Relm cannot use on a remote (`name`).
    RemoteBadName,
    /// Relm could not do something with a remote's folder or file (`doing`, `path`, `detail`;
    /// `cause` is `read_only` or `full` when known).
    RemoteRefused,
    /// A remote file larger than any Relm file (`name`, `max` MiB).
    RemoteFileTooLarge,
    /// git cannot be run (`detail`).
    GitMissing,
    /// A git host asks who is calling: no token, credential helper or SSH key (`doing`, `url`).
    GitWho,
    /// A git host refused the credentials (`doing`, `url`, `said`).
    GitCredentialsRefused,
    /// A git host cannot be reached (`doing`, `url`, `said`): Relm works offline.
    GitUnreachable,
    /// git failed with a git remote (`doing`, `url`, `said`).
    GitFailed,
    /// A git remote's branch no longer holds a commit this replica pulled (`url`, `commit`,
    /// `branch`): a force-push, tampering or a mistake.
    HistoryRewritten,
    /// Others kept pushing to a git remote while this replica pushed (`url`, `tries`).
    PushRaced,
    /// A remote holds the events of several workspaces (`remote`, `count`).
    SeveralWorkspaces,
    /// A repository holds files that are not Relm's (`location`, `files`).
    NotARelmRemote,
    /// A remote to join from holds no workspace yet (`location`).
    NoWorkspaceThere,
    /// No verifiable workspace could be read from a remote to join from (`location`,
    /// `incomplete`, `ignored`, `quarantined`).
    WorkspaceUnreadable,
    /// A file could not be written (`path`, `detail`; `cause` is `read_only` or `full` when
    /// known).
    CannotWrite,
    /// This computer's clock is far from a remote's (`clock`, `remote`, `location`,
    /// `remote_clock`, `offset_ms`, `direction` `ahead` or `behind`, `max` minutes): Relm signs
    /// nothing until it is right.
    ClockOffRemote,
    /// This computer's clock is behind an event the workspace holds (`who`: an author's
    /// fingerprint, empty for this replica; `offset_ms`).
    ClockBehind,
    /// The private key of this replica's identity is not in the key store (`fingerprint`,
    /// `keyring`).
    KeyMissing,
    /// The OS keyring holds no token for a connection (`name`).
    NoToken,
}

/// A refusal: its code and parameters for the app, an English message for the CLI and the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reason {
    pub code: ReasonCode,
    /// The values the wording needs, as text.
    pub params: BTreeMap<String, String>,
    pub message: String,
}

impl Reason {
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        Reason {
            code,
            params: BTreeMap::new(),
            message: message.into(),
        }
    }
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.params.insert(key.to_string(), value.to_string());
        self
    }
    /// The same reason with `detail`, what the system said, and `cause` when [`io_cause`]
    /// knows it.
    pub fn with_io_error(self, e: &std::io::Error) -> Self {
        let reason = self.with("detail", e);
        match io_cause(e) {
            Some(c) => reason.with("cause", c),
            None => reason,
        }
    }
}

/// What a file system error lets the reader do something about: `read_only` (permissions, a
/// read-only mount) or `full` (a full drive, a quota).
pub fn io_cause(e: &std::io::Error) -> Option<&'static str> {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied | K::ReadOnlyFilesystem => Some("read_only"),
        K::StorageFull | K::QuotaExceeded => Some("full"),
        _ => None,
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One thing wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FieldProblem"))]
pub struct Problem {
    /// The input at fault: a form field's name (`end`), or a row's cell (`components.1.digest`).
    pub field: String,
    pub code: ProblemCode,
    /// The values the wording needs (`value`, `max`...), as text.
    pub params: BTreeMap<String, String>,
    /// The English wording, for the CLI and the log.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// Input that breaks field rules (empty service, bad semver, end before start...): every
    /// problem found, never empty.
    #[error("{}", Lines(.0))]
    Invalid(Vec<Problem>),
    /// A request refused because of the entity's state (a status change the lifecycle does not
    /// allow, a duplicate...).
    #[error("{0}")]
    Conflict(Reason),
    /// The acting member lacks a role for this event kind, or is not a member.
    #[error("{0}")]
    Unauthorized(Reason),
}

/// Problems one per line.
struct Lines<'a>(&'a [Problem]);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl DomainError {
    /// A problem with no code of its own (the message says it).
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::problem(field, ProblemCode::Other, message)
    }

    pub fn problem(
        field: impl Into<String>,
        code: ProblemCode,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid(vec![Problem {
            field: field.into(),
            code,
            params: BTreeMap::new(),
            message: message.into(),
        }])
    }

    /// Add a parameter to the (last) problem.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        match &mut self {
            Self::Invalid(ps) => {
                if let Some(p) = ps.last_mut() {
                    p.params.insert(key.to_string(), value.to_string());
                }
            }
            Self::Conflict(r) | Self::Unauthorized(r) => {
                r.params.insert(key.to_string(), value.to_string());
            }
        }
        self
    }

    /// A refusal by the state of things.
    pub fn conflict(code: ReasonCode, message: impl Into<String>) -> Self {
        Self::Conflict(Reason::new(code, message))
    }

    /// A refusal for lack of a role or of membership.
    pub fn unauthorized(code: ReasonCode, message: impl Into<String>) -> Self {
        Self::Unauthorized(Reason::new(code, message))
    }

    /// The field of the first problem, for bad input.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(ps) => ps.first().map(|p| p.field.as_str()),
            _ => None,
        }
    }

    /// The message without the field prefix (one problem) or the whole text.
    pub fn plain(&self) -> String {
        match self {
            Self::Invalid(ps) if ps.len() == 1 => ps[0].message.clone(),
            other => other.to_string(),
        }
    }

    /// The same problems, each about `prefix.<its field>`.
    pub fn within(mut self, prefix: &str) -> Self {
        if let Self::Invalid(ps) = &mut self {
            for p in ps {
                p.field = format!("{prefix}.{}", p.field);
            }
        }
        self
    }

    /// The same problems, about the field `field` instead (a value checked for one input).
    pub fn for_field(mut self, field: &str) -> Self {
        if let Self::Invalid(ps) = &mut self {
            for p in ps {
                p.field = field.to_string();
            }
        }
        self
    }
}

/// Every problem of a submit, collected while checking each field.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Keep `r`'s problems and give its value, if any. An error that is not about input is kept
    /// as a problem of no field.
    pub fn check<T>(&mut self, r: Result<T, DomainError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(e);
                None
            }
        }
    }

    pub fn add(&mut self, e: DomainError) {
        match e {
            DomainError::Invalid(ps) => self.0.extend(ps),
            other => self.0.push(Problem {
                field: String::new(),
                code: ProblemCode::Other,
                params: BTreeMap::new(),
                message: other.to_string(),
            }),
        }
    }

    /// Keep the problems of `r`, each now about `prefix.<its field>` (a cell of a list's row).
    pub fn check_in<T>(&mut self, prefix: &str, r: Result<T, DomainError>) -> Option<T> {
        self.check(r.map_err(|e| e.within(prefix)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was wrong, else every problem.
    pub fn done(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}
