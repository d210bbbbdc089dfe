//! Connections to deployment platforms (GitHub, GitLab, Argo CD): docs/connectors.md.
//!
//! This crate starts with what every connector's requests must respect, as pure functions
//! tested on their own: which `Link` to follow (the next page, only on the connector's own
//! origin, so a token never leaves for another host), and how long to wait after an answer
//! (the platforms' rate-limit headers, `Retry-After`, capped exponential backoff with jitter).

pub mod argocd;
pub mod fetch;
pub mod freeze;
pub mod github;
pub mod gitlab;
pub mod link;
pub mod remote;
pub mod wait;
