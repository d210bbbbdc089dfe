//! Connections to deployment platforms (GitHub, GitLab, Argo CD): docs/connectors.md.
//!
//! Every platform is a [`connector::Connector`]: probe the connection, pull deployments since a
//! cursor. Their requests go through [`fetch`], which respects what every connector must: which
//! `Link` to follow (the next page, only on the connector's own origin, so a token never leaves
//! for another host), and how long to wait after an answer (the platforms' rate-limit headers,
//! `Retry-After`, capped exponential backoff with jitter).

pub mod argocd;
pub mod connector;
pub mod fetch;
pub mod freeze;
pub mod github;
pub mod gitlab;
pub mod link;
pub mod releases;
pub mod remote;
pub mod seen;
pub mod wait;
pub mod webhook;
