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
        why: String,
        after: Option<Duration>,
    },
    /// Refused for good (other 4xx, a redirect): trying again would get the same answer.
    Refused(String),
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

/// What an answer's body said, short and printable.
fn said(body: &str) -> String {
    let s: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    let s = s.trim();
    if s.is_empty() {
        String::new()
    } else {
        format!(": {s}")
    }
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
        Err(e) => return Posted::Refused(format!("the HTTP client could not start: {e}")),
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
            return Posted::Retry {
                why: format!("{host} did not answer within {} s", timeout.as_secs_f32()),
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
            return Posted::Retry { why, after: None };
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
    if status.is_success() {
        Posted::Done(format!("HTTP {code}{}", said(&text)))
    } else if code == 429 {
        Posted::Retry {
            why: format!("{host} asked to slow down (HTTP 429){}", said(&text)),
            after,
        }
    } else if status.is_server_error() || code == 408 {
        Posted::Retry {
            why: format!("{host} failed (HTTP {code}){}", said(&text)),
            after,
        }
    } else if status.is_redirection() {
        Posted::Refused(format!(
            "{host} answered with a redirect (HTTP {code}); give the webhook URL the platform shows, not one that forwards"
        ))
    } else {
        let hint = match code {
            401 | 403 => {
                "; the webhook was revoked or the URL is wrong: add it again with a new URL"
            }
            404 | 410 => "; the webhook no longer exists: add it again with a new URL",
            _ => "",
        };
        Posted::Refused(format!(
            "{host} refused the message (HTTP {code}){}{hint}",
            said(&text)
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
