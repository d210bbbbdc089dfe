//! Posting a message to a chat's incoming webhook (Slack, Microsoft Teams): one request, and
//! what its answer means for the outbox. A webhook URL is a secret, so it never appears in an
//! error; redirects are not followed (the platforms answer in place).

use std::time::Duration;

pub use reqwest::Url;

/// How one post ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// Taken (2xx): the status and what the platform said.
    Done(String),
    /// Worth trying again: rate limited (429), the platform's trouble (5xx, 408), no answer in
    /// time, or no connection. `after`: how long the platform asked to wait.
    Retry {
        why: Trouble,
        after: Option<Duration>,
    },
    /// Refused for good (other 4xx, a redirect): trying again would get the same answer.
    Refused(Trouble),
}

/// Why a message was not posted: a code with its values for the app's wording, and the same
/// in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    pub code: TroubleCode,
    /// The webhook's host (never its URL: that is the secret).
    pub host: String,
    /// The HTTP status of the answer, when one came.
    pub http: Option<u16>,
    /// What the platform said, a few words (empty when it said nothing).
    pub said: String,
    /// In English.
    pub message: String,
}

/// What kept a message from being posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TroubleCode {
    /// The HTTP client could not start (this machine's trouble).
    NoClient,
    /// No answer in time.
    Timeout,
    /// No connection to the host, or the request failed on the way.
    Unreachable,
    /// Rate limited (429).
    SlowDown,
    /// The platform's own trouble (5xx, 408).
    Failed,
    /// A redirect: the URL given forwards.
    Redirect,
    /// Refused (another 4xx).
    Refused,
}

impl std::fmt::Display for Trouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Trouble {
    fn new(code: TroubleCode, host: &str, http: Option<u16>, said: &str, message: String) -> Self {
        Trouble {
            code,
            host: host.to_string(),
            http,
            said: said.to_string(),
            message,
        }
    }
}

/// Check a webhook URL as a person gives it: `https://`, or `http://` on this machine only.
pub fn check_url(url: &str) -> Result<Url, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("give the webhook's URL on standard input".into());
    }
    if url.len() > 2_048 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("the URL has spaces or control characters, or is longer than 2,048 bytes: give the one URL the platform shows".into());
    }
    let parsed = Url::parse(url).map_err(|e| format!("this is not a URL ({e})"))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(
                "the URL must start with https:// (a webhook posts to a channel; plain http would expose it)"
                    .into(),
            );
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("the URL carries a user name or password; give the webhook URL alone".into());
    }
    Ok(parsed)
}

/// The seconds of a `Retry-After` header (its date form is not used by these platforms).
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    h.get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// What an answer's body said, short and printable (empty when nothing).
fn said(body: &str) -> String {
    let s: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    s.trim().to_string()
}

/// Post `body` (JSON) to `url`, waiting at most `timeout` for the answer.
pub async fn post(url: &Url, body: &str, timeout: Duration) -> Posted {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .user_agent(concat!("relm/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            let why = format!("the HTTP client could not start: {e}");
            return Posted::Refused(Trouble::new(TroubleCode::NoClient, "", None, "", why));
        }
    };
    let host = url.host_str().unwrap_or_default().to_string();
    let sent = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            let why = format!("{host} did not answer within {} s", timeout.as_secs_f32());
            return Posted::Retry {
                why: Trouble::new(TroubleCode::Timeout, &host, None, "", why),
                after: None,
            };
        }
        Err(e) => {
            // Without the URL: it is the secret.
            let why = if e.is_connect() {
                format!("cannot reach {host}")
            } else {
                format!("the request to {host} failed")
            };
            return Posted::Retry {
                why: Trouble::new(TroubleCode::Unreachable, &host, None, "", why),
                after: None,
            };
        }
    };
    let status = resp.status();
    let after = retry_after(resp.headers());
    // The platforms answer a few bytes ("ok", "1", an error name); more is not read.
    let text = match tokio::time::timeout(timeout, resp.text()).await {
        Ok(Ok(t)) => t.chars().take(4_096).collect::<String>(),
        _ => String::new(),
    };
    let code = status.as_u16();
    let said = said(&text);
    // As the English messages quote it.
    let words = if said.is_empty() {
        String::new()
    } else {
        format!(": {said}")
    };
    let trouble = |kind, message| Trouble::new(kind, &host, Some(code), &said, message);
    if status.is_success() {
        Posted::Done(format!("HTTP {code}{words}"))
    } else if code == 429 {
        Posted::Retry {
            why: trouble(
                TroubleCode::SlowDown,
                format!("{host} asked to slow down (HTTP 429){words}"),
            ),
            after,
        }
    } else if status.is_server_error() || code == 408 {
        Posted::Retry {
            why: trouble(
                TroubleCode::Failed,
                format!("{host} failed (HTTP {code}){words}"),
            ),
            after,
        }
    } else if status.is_redirection() {
        Posted::Refused(trouble(
            TroubleCode::Redirect,
            format!(
                "{host} answered with a redirect (HTTP {code}); give the webhook URL the platform shows, not one that forwards"
            ),
        ))
    } else {
        let hint = match code {
            401 | 403 => {
                "; the webhook was revoked or the URL is wrong: add it again with a new URL"
            }
            404 | 410 => "; the webhook no longer exists: add it again with a new URL",
            _ => "",
        };
        Posted::Refused(trouble(
            TroubleCode::Refused,
            format!("{host} refused the message (HTTP {code}){words}{hint}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_url_is_https_or_on_this_machine() {
        assert!(check_url("https://hooks.slack.com/services/T0/B0/x").is_ok());
        assert!(check_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(
            check_url("http://hooks.example.com/x")
                .unwrap_err()
                .contains("https://")
        );
        assert!(
            check_url("https://u:p@hooks.example.com/x")
                .unwrap_err()
                .contains("password")
        );
        assert!(check_url("https://a b").unwrap_err().contains("spaces"));
        assert!(check_url("").unwrap_err().contains("standard input"));
        assert!(
            check_url("hooks.slack.com/x")
                .unwrap_err()
                .contains("not a URL")
        );
        assert!(check_url("ftp://x/y").is_err());
    }
}
