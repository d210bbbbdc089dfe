//! Reading a platform's REST API: one request with its retries, and a list across its pages.
//!
//! Every request: a timeout; the token in a header only for the API's own origin (redirects to
//! another origin are not followed); a bounded body; conditional (`If-None-Match`) when an ETag
//! is known, a 304 costing GitHub nothing; rate limits and failures handled as [`crate::wait`]
//! says. Proxies come from `HTTPS_PROXY`/`NO_PROXY`, certificates from the system's store (a
//! company's CA included).

use std::time::Duration;

pub use reqwest::Method;
use serde_json::Value;
use url::Url;

use crate::link::{self, LinkError};
use crate::wait::{self, Next};

/// The largest body read from a platform.
pub const MAX_BODY: usize = 32 << 20;
/// The most pages one list is read across.
pub const MAX_PAGES: usize = 1_000;

/// Why a read failed, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Link(#[from] LinkError),
    #[error(
        "the token was refused at {url} ({status}): it was revoked or has expired, or lacks a permission; give a new one with `relm connector add … --token-stdin`"
    )]
    Unauthorized { url: String, status: u16 },
    #[error("{url} answered {status}: {message}")]
    Refused {
        url: String,
        status: u16,
        message: String,
    },
    #[error("{url}: {why}")]
    GaveUp { url: String, why: String },
    #[error(
        "{url} answered something that is not the JSON expected ({why}); the answer was cut or the API URL is wrong"
    )]
    BadJson { url: String, why: String },
    #[error("{url} answered more than {MAX_BODY} bytes; that is not an answer of this API")]
    TooLarge { url: String },
    #[error("{url} lists more than {MAX_PAGES} pages; narrow what is asked")]
    TooManyPages { url: String },
    #[error(
        "{url}: the platform's certificate is not trusted ({why}); if your company's network has its own certificate authority, give its certificate in SSL_CERT_FILE (or a folder of them in SSL_CERT_DIR)"
    )]
    Untrusted { url: String, why: String },
    #[error("{0}")]
    Setup(String),
}

/// The TLS refusal behind a failed request, if that is what it was: a certificate that is not
/// trusted is no outage, and waiting will not change it.
fn tls_refusal(e: &reqwest::Error) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r.to_string());
        }
        // An I/O error holds the TLS one as its payload, perhaps inside another I/O error (its
        // `source` skips the payload).
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|i| i as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// An API: its base URL, the token sent to it, the client, and how waits are taken.
pub struct Api {
    base: Url,
    token: Option<String>,
    client: reqwest::Client,
    /// Waits are multiplied by this (1 in use; 0 in tests, which record them instead).
    pace: f64,
    /// For the rate limits' reset times.
    clock: std::sync::Arc<dyn relm_domain::clock::Clock>,
    /// Every wait asked for, in order (what a test checks).
    pub waited: std::sync::Mutex<Vec<Duration>>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Api")
            .field("base", &self.base.as_str())
            .field(
                "token",
                &self.token.as_ref().map(|_| "[kept in the keyring]"),
            )
            .finish_non_exhaustive()
    }
}

/// One page read.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// `None`: not modified since the ETag given (304).
    pub body: Option<Value>,
    pub etag: Option<String>,
    pub next: Option<Url>,
}

impl Api {
    /// An API at `base` (`https://api.github.com`, `https://gitlab.example.com/api/v4`…),
    /// authenticated with `token` as a bearer token, each request bounded by `timeout`.
    pub fn new(base: &str, token: Option<String>, timeout: Duration) -> Result<Api, FetchError> {
        let base = Url::parse(base.trim())
            .map_err(|e| FetchError::Setup(format!("`{base}` is not an API URL: {e}")))?;
        if !matches!(base.scheme(), "https" | "http") {
            return Err(FetchError::Setup(format!(
                "`{base}` is not an http(s) URL; give the platform's API URL"
            )));
        }
        // The process's TLS provider (ring); one already installed is kept.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let origin = base.origin();
        let client = reqwest::Client::builder()
            .user_agent(concat!("relm/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            // A redirect is followed only on the API's origin: the token never goes elsewhere.
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.url().origin() == origin && attempt.previous().len() < 5 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .build()
            .map_err(|e| FetchError::Setup(format!("the HTTP client could not start: {e}")))?;
        Ok(Api {
            base,
            token,
            client,
            pace: 1.0,
            clock: std::sync::Arc::new(relm_domain::clock::SystemClock),
            waited: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Waits are taken `pace` times as long (0: not at all; tests record them instead).
    pub fn with_pace(mut self, pace: f64) -> Api {
        self.pace = pace;
        self
    }

    /// Reset times are read against `clock` (the system's by default).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn relm_domain::clock::Clock>) -> Api {
        self.clock = clock;
        self
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `path` (`/repos/o/r/deployments?per_page=100`) under the API's base.
    pub fn url(&self, path: &str) -> Result<Url, FetchError> {
        let mut base = self.base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let url = base
            .join(path.trim_start_matches('/'))
            .map_err(|e| FetchError::Setup(format!("`{path}`: {e}")))?;
        link::same_origin(&url, &self.base)?;
        Ok(url)
    }

    async fn pause(&self, d: Duration) {
        if let Ok(mut w) = self.waited.lock() {
            w.push(d);
        }
        if self.pace > 0.0 {
            tokio::time::sleep(d.mul_f64(self.pace)).await;
        }
    }

    /// GET `url` (on the API's origin) as JSON, with `etag` as `If-None-Match` when given.
    pub async fn get(&self, url: &Url, etag: Option<&str>) -> Result<Page, FetchError> {
        self.send(url, etag, (Method::GET, None), true).await
    }

    /// POST `body` as JSON to `url` (on the API's origin) and read the JSON answer: a GraphQL
    /// query, which reads and so may be sent again.
    pub async fn post(&self, url: &Url, body: &Value) -> Result<Page, FetchError> {
        self.send(url, None, (Method::POST, Some(body)), true).await
    }

    /// POST `body` once, a write: never sent again here whatever the answer (a write that may
    /// have landed is re-checked against the platform before it is tried again).
    pub async fn write(&self, url: &Url, body: &Value) -> Result<Page, FetchError> {
        self.send(url, None, (Method::POST, Some(body)), false)
            .await
    }

    /// PUT `body`, or DELETE (`body` `None`), once, as [`Api::write`]. An empty answer (GitLab's
    /// `204 No Content`) reads as JSON `null`.
    pub async fn write_as(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Page, FetchError> {
        self.send(url, None, (method, body), false).await
    }

    async fn send(
        &self,
        url: &Url,
        etag: Option<&str>,
        (method, body): (Method, Option<&Value>),
        again: bool,
    ) -> Result<Page, FetchError> {
        link::same_origin(url, &self.base)?;
        let shown = url.as_str().to_string();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut req = self
                .client
                .request(method.clone(), url.clone())
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            if let Some(e) = etag {
                req = req.header("If-None-Match", e);
            }
            let sent = req.send().await;
            if let Err(e) = &sent
                && let Some(why) = tls_refusal(e)
            {
                return Err(FetchError::Untrusted { url: shown, why });
            }
            let (status, headers) = match &sent {
                Ok(r) => (
                    Some(r.status().as_u16()),
                    r.headers()
                        .iter()
                        .map(|(k, v)| {
                            (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())
                        })
                        .collect::<Vec<_>>(),
                ),
                Err(_) => (None, Vec::new()),
            };
            let jitter = jitter(attempt);
            match wait::after(status, &headers, self.clock.now(), attempt, jitter) {
                Next::Retry(_) if !again => {
                    return Err(FetchError::GaveUp {
                        url: shown,
                        why: match status {
                            Some(s) => format!("answered {s}"),
                            None => "no answer".into(),
                        },
                    });
                }
                Next::Retry(d) => {
                    self.pause(d).await;
                    continue;
                }
                Next::GiveUp(why) => return Err(FetchError::GaveUp { url: shown, why }),
                Next::Done => {}
            }
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    return Err(FetchError::GaveUp {
                        url: shown,
                        why: e.to_string(),
                    });
                }
            };
            let status = resp.status().as_u16();
            let header = |n: &str| wait::header(&headers, n);
            let next = match header("link") {
                Some(l) => link::next_page(l, url, &self.base)?,
                None => None,
            };
            let etag = header("etag").map(str::to_string);
            if status == 304 {
                return Ok(Page {
                    body: None,
                    etag,
                    next,
                });
            }
            if status == 401 || (status == 403 && header("x-ratelimit-remaining").is_none()) {
                return Err(FetchError::Unauthorized { url: shown, status });
            }
            let bytes = read_bounded(resp, &shown).await?;
            if !(200..300).contains(&status) {
                return Err(FetchError::Refused {
                    url: shown,
                    status,
                    message: message_of(&bytes),
                });
            }
            if bytes.is_empty() && method != Method::GET {
                return Ok(Page {
                    body: Some(Value::Null),
                    etag,
                    next,
                });
            }
            let body = serde_json::from_slice(&bytes).map_err(|e| FetchError::BadJson {
                url: shown.clone(),
                why: e.to_string(),
            })?;
            return Ok(Page {
                body: Some(body),
                etag,
                next,
            });
        }
    }

    /// Every item of a list that starts at `first`, across its pages (`Link: rel="next"`),
    /// each page a JSON array (or an object holding one under `key`, as GitHub's
    /// `{"total_count", "deployments": [...]}` lists are).
    pub async fn get_all(&self, first: &Url, key: Option<&str>) -> Result<Vec<Value>, FetchError> {
        let mut items = Vec::new();
        let mut url = Some(first.clone());
        let mut pages = 0;
        while let Some(u) = url {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(FetchError::TooManyPages {
                    url: first.to_string(),
                });
            }
            let page = self.get(&u, None).await?;
            let body = page.body.unwrap_or(Value::Null);
            let list = match (key, body) {
                (None, Value::Array(a)) => a,
                (Some(k), Value::Object(mut o)) => match o.remove(k) {
                    Some(Value::Array(a)) => a,
                    _ => {
                        return Err(FetchError::BadJson {
                            url: u.to_string(),
                            why: format!("no `{k}` list in the answer"),
                        });
                    }
                },
                _ => {
                    return Err(FetchError::BadJson {
                        url: u.to_string(),
                        why: "the answer is not a list".into(),
                    });
                }
            };
            items.extend(list);
            url = page.next;
        }
        Ok(items)
    }
}

/// A fraction in [0, 1) that differs from one process and try to the next.
fn jitter(attempt: u32) -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

async fn read_bounded(mut resp: reqwest::Response, url: &str) -> Result<Vec<u8>, FetchError> {
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if out.len() + c.len() > MAX_BODY {
                    return Err(FetchError::TooLarge { url: url.into() });
                }
                out.extend_from_slice(&c);
            }
            Ok(None) => return Ok(out),
            Err(e) => {
                return Err(FetchError::GaveUp {
                    url: url.into(),
                    why: format!("the answer was cut: {e}"),
                });
            }
        }
    }
}

/// The platform's own message from an error body (`{"message": …}` for GitHub and GitLab),
/// bounded; else the start of the body.
fn message_of(bytes: &[u8]) -> String {
    let text = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| {
            v.get("message")
                .or_else(|| v.get("error"))
                .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
        })
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned());
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}
