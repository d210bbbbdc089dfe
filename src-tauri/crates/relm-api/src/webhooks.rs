//! Chat webhooks (Slack, Microsoft Teams): add one with its URL (which goes to the OS keyring
//! and nowhere else, since whoever has it can post to the channel), and post the stakeholder
//! digest to it through the outbox.
//!
//! A message is queued once (its key is the webhook and a digest of its content: the same
//! digest is never queued twice), marked `sending` before each attempt, and `done` only when
//! the platform took it. An answer of 429, 408 or 5xx, no answer in time, or no connection is
//! tried again after a pause (the platform's `Retry-After`, else doubling); what is still not
//! delivered stays `failed` in the outbox with the reason, and is tried again by the next send
//! to that webhook or by `relm outbox retry`. Another refusal (a revoked webhook, a bad
//! payload) is `failed` at once: trying again would get the same answer.
//!
//! The platforms offer no idempotency key, so a request whose answer was lost (a timeout after
//! the platform took it) may post the message twice when it is tried again; every other case
//! posts it once.

use std::time::Duration;

use relm_connect::webhook::{self, Posted, Trouble, TroubleCode};
use relm_domain::{DomainError, ProblemCode, Problems, Reason, ReasonCode};
use relm_store::outbox::{self, OutboxRow};
use relm_store::webhooks::{self as store, WebhookRow, outbox_name};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::connectors::{Hold, stored};
use crate::digest::DigestQuery;
use crate::error::{ApiError, ErrorCode, Result};
use crate::session::Relm;
use crate::undo::{Removal, Removed};

/// A webhook as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WebhookView {
    pub name: String,
    /// `slack` or `teams`.
    pub kind: String,
    /// The URL's host (the URL is a secret).
    pub host: String,
    pub added_at: String,
    /// Whether the OS keyring holds its URL.
    pub has_url: bool,
    /// Messages posted.
    pub sent: u32,
    /// Messages waiting or failed.
    pub waiting: u32,
}

/// How hard a delivery tries.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts per message in one delivery.
    pub attempts: u32,
    /// How long one request may take.
    pub timeout: Duration,
    /// The first pause between attempts (doubled each time) when the platform names none.
    pub pause: Duration,
    /// The longest pause; a platform asking for more is tried again at the next delivery.
    pub max_pause: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 4,
            timeout: Duration::from_secs(15),
            pause: Duration::from_secs(2),
            max_pause: Duration::from_secs(30),
        }
    }
}

/// What posting a digest did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WebhookSent {
    pub webhook: String,
    /// The digest's outbox entry, as it is now.
    pub entry: OutboxRow,
    /// The same digest was queued before (nothing new was queued).
    pub queued_before: bool,
    /// Messages of this webhook delivered by this send (earlier failed ones included).
    pub delivered: u32,
    /// What could not be delivered, and why, in English.
    pub errors: Vec<String>,
    /// The same, with their reasons for the app's wording.
    pub failures: Vec<ApiError>,
}

/// Mark the outbox entry `id` failed with why its message was not posted; that error.
fn mark_failed(w: &impl Hold, id: &str, why: &Trouble) -> Result<ApiError> {
    let e = not_posted(why);
    w.hold(|r| r.outbox_mark(id, "failed", None, Some(&stored(&e))))?;
    Ok(e)
}

/// Why a message was not posted, as an error with its reason.
fn not_posted(why: &Trouble) -> ApiError {
    let message = why.message.clone();
    let code = match why.code {
        TroubleCode::NoClient => return ApiError::new(ErrorCode::Remote, message),
        TroubleCode::Timeout => ReasonCode::WebhookTimeout,
        TroubleCode::Unreachable => ReasonCode::WebhookUnreachable,
        TroubleCode::SlowDown => ReasonCode::WebhookSlowDown,
        TroubleCode::Failed => ReasonCode::WebhookFailed,
        TroubleCode::Redirect => ReasonCode::WebhookRedirect,
        TroubleCode::Refused => ReasonCode::WebhookRefused,
    };
    let mut reason = Reason::new(code, message).with("host", &why.host);
    if let Some(http) = why.http {
        reason = reason.with("http", http);
    }
    // Always there (empty when the platform said nothing): the app's wording places it.
    ApiError::refused(ErrorCode::Remote, reason.with("said", &why.said))
}

fn secret_name(name: &str) -> String {
    format!("webhook:{name}")
}

impl Relm {
    fn webhook_row(&self, name: &str) -> Result<WebhookRow> {
        store::get(self.store.conn(), name.trim())?.ok_or_else(|| {
            ApiError::missing(
                ReasonCode::NoWebhook,
                format!(
                    "no webhook named `{}`; `relm webhook list` shows them",
                    name.trim()
                ),
            )
            .with("name", name.trim())
        })
    }

    fn webhook_view(&self, row: WebhookRow) -> Result<WebhookView> {
        let has_url = self.keys.get_secret(&secret_name(&row.name))?.is_some();
        let (sent, waiting): (i64, i64) = self
            .store
            .conn()
            .query_row(
                "SELECT count(*) FILTER (WHERE state = 'done'),
                        count(*) FILTER (WHERE state IN ('pending', 'sending', 'failed'))
                 FROM outbox WHERE connector = ?1",
                [outbox_name(&row.name)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(relm_store::StoreError::from)?;
        Ok(WebhookView {
            added_at: relm_domain::window::fmt_utc(
                chrono::DateTime::from_timestamp_millis(row.added_ms).unwrap_or_default(),
            ),
            name: row.name,
            kind: row.kind,
            host: row.host,
            has_url,
            sent: sent as u32,
            waiting: waiting as u32,
        })
    }

    /// Add a webhook: `kind` is `slack` or `teams`; `url` goes to the OS keyring.
    pub fn add_webhook(&mut self, name: &str, kind: &str, url: &str) -> Result<WebhookView> {
        let name = name.trim().to_string();
        let kind = kind.trim().to_lowercase();
        let url = Zeroizing::new(url.trim().to_string());
        let mut problems = Problems::default();
        problems.check(relm_domain::text::check_name("name", &name));
        if !matches!(kind.as_str(), "slack" | "teams") {
            problems.add(
                DomainError::problem(
                    "kind",
                    ProblemCode::UnknownChoice,
                    format!("`{kind}` is not a webhook kind; choose slack or teams"),
                )
                .with("value", &kind)
                .with("allowed", "slack, teams"),
            );
        }
        let parsed = match webhook::check_url(&url) {
            Ok(u) => Some(u),
            Err(why) => {
                // The URL is a secret: the problem names what is wrong, never the URL.
                problems.add(DomainError::problem("url", ProblemCode::Other, why));
                None
            }
        };
        problems.done()?;
        let host = parsed
            .as_ref()
            .and_then(|u| u.host_str())
            .unwrap_or_default()
            .to_string();
        self.workspace_id()?;
        if store::get(self.store.conn(), &name)?.is_some() {
            return Err(ApiError::conflict(
                ReasonCode::WebhookExists,
                format!("a webhook named `{name}` exists; choose another name, or remove it first"),
            )
            .with("name", &name)
            .at("name"));
        }
        let row = WebhookRow {
            name: name.clone(),
            kind: kind.clone(),
            host,
            added_ms: self.clock.now().timestamp_millis(),
        };
        if !self.keep_with_secret(&secret_name(&name), &url, |tx| Ok(store::insert(tx, &row)?))? {
            return Err(ApiError::conflict(
                ReasonCode::WebhookExists,
                format!("a webhook named `{name}` exists"),
            )
            .with("name", &name));
        }
        tracing::info!(webhook = %name, %kind, "webhook added");
        self.webhook_view(row)
    }

    pub fn webhooks(&self) -> Result<Vec<WebhookView>> {
        store::list(self.store.conn())?
            .into_iter()
            .map(|r| self.webhook_view(r))
            .collect()
    }

    /// Forget a webhook, its URL and its messages in the outbox (kept in the returned
    /// [`Removal`] for an undo).
    pub fn remove_webhook(&mut self, name: &str) -> Result<Removal> {
        let n = self.webhook_row(name)?.name;
        let queued = outbox_name(&n);
        let removal = self.remove_undoably(
            Removed::Webhook,
            &n,
            &[("webhooks", "name", &n), ("outbox", "connector", &queued)],
            Some(secret_name(&n)),
            |tx| Ok(store::remove(tx, &n)?),
        )?;
        tracing::info!(webhook = %n, "webhook removed");
        Ok(removal)
    }

    /// Queue the digest `q` for the webhook `name`, in its platform's format: the entry, and
    /// whether the same digest was queued before (then nothing is queued again).
    pub fn queue_digest(&mut self, name: &str, q: &DigestQuery) -> Result<(OutboxRow, bool)> {
        let row = self.webhook_row(name)?;
        let d = self.digest(q)?;
        let (kind, payload) = match row.kind.as_str() {
            "teams" => ("teams.message", crate::digest::teams(&d)),
            _ => ("slack.message", crate::digest::slack(&d)),
        };
        let payload = payload.to_string();
        let key = {
            use sha2::{Digest, Sha256};
            format!(
                "webhook:{}:digest:{}",
                row.name,
                hex::encode(Sha256::digest(payload.as_bytes()))
            )
        };
        self.queue_outbox((&outbox_name(&row.name), kind, &key), &payload)
    }

    /// The webhook's URL, from the OS keyring.
    fn webhook_url(&self, name: &str) -> Result<webhook::Url> {
        let url = self.keys.get_secret(&secret_name(name))?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::Keyring,
                format!(
                    "the OS keyring holds no URL for the webhook `{name}`; remove it and add it again with its URL"
                ),
            )
        })?;
        webhook::check_url(&url).map_err(ApiError::validation)
    }

    fn outbox_mark(
        &mut self,
        id: &str,
        state: &str,
        done: Option<&str>,
        why: Option<&str>,
    ) -> Result<()> {
        let at = self.clock.now().timestamp_millis();
        self.store
            .write(|tx| -> Result<()> { Ok(outbox::finish(tx, id, state, (done, why), at)?) })
    }
}

/// Deliver the webhook's messages waiting in the outbox (failed ones included), each tried up
/// to `retry.attempts` times; the workspace is not held while the platform answers. Returns
/// how many were delivered and what was not, with why.
pub fn deliver_webhook(w: &impl Hold, name: &str, retry: &Retry) -> Result<(u32, Vec<ApiError>)> {
    let (row, url, due) = w.hold(|r| {
        let row = r.webhook_row(name)?;
        let url = r.webhook_url(&row.name)?;
        let due = outbox::due(r.store.conn(), &outbox_name(&row.name), true)?;
        Ok((row, url, due))
    })?;
    let runtime = Relm::runtime()?;
    let (mut delivered, mut errors) = (0, Vec::new());
    for entry in due {
        let mut pause = retry.pause;
        for attempt in 1..=retry.attempts.max(1) {
            w.hold(|r| {
                let at = r.clock.now().timestamp_millis();
                r.store
                    .write(|tx| -> Result<()> { Ok(outbox::sending(tx, &entry.id, at)?) })
            })?;
            match runtime.block_on(webhook::post(&url, &entry.payload, retry.timeout)) {
                Posted::Done(said) => {
                    w.hold(|r| r.outbox_mark(&entry.id, "done", Some(&said), None))?;
                    tracing::info!(webhook = %row.name, entry = %entry.id, attempt, "message posted");
                    delivered += 1;
                    break;
                }
                Posted::Refused(why) => {
                    let e = mark_failed(w, &entry.id, &why)?;
                    tracing::warn!(webhook = %row.name, entry = %entry.id, %why, "message refused");
                    errors.push(ApiError {
                        message: format!("outbox entry {}: {why}", entry.id),
                        ..e
                    });
                    break;
                }
                Posted::Retry { why, after } => {
                    let e = mark_failed(w, &entry.id, &why)?;
                    tracing::warn!(webhook = %row.name, entry = %entry.id, attempt, %why, "message not posted yet");
                    let wait = after.unwrap_or(pause);
                    if attempt == retry.attempts.max(1) || wait > retry.max_pause {
                        errors.push(ApiError {
                            message: format!(
                                "outbox entry {}: {why}; kept in the outbox and tried again at the next send to `{}` or by `relm outbox retry {}`",
                                entry.id, row.name, entry.id
                            ),
                            ..e
                        });
                        break;
                    }
                    std::thread::sleep(wait);
                    pause = (pause * 2).min(retry.max_pause);
                }
            }
        }
    }
    Ok((delivered, errors))
}

/// Queue the digest `q` for the webhook `name` and deliver what waits for it.
pub fn send_digest(
    w: &impl Hold,
    name: &str,
    q: &DigestQuery,
    retry: &Retry,
) -> Result<WebhookSent> {
    let (entry, queued_before) = w.hold(|r| r.queue_digest(name, q))?;
    let (delivered, failures) = deliver_webhook(w, name, retry)?;
    let entry = w.hold(|r| {
        outbox::get(r.store.conn(), &entry.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the queued message vanished"))
    })?;
    Ok(WebhookSent {
        webhook: name.trim().to_string(),
        entry,
        queued_before,
        delivered,
        errors: crate::error::texts(&failures),
        failures,
    })
}
