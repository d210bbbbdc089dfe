//! Software bills of materials: what a release's components contain.
//!
//! - [`read`] takes a CycloneDX (1.4, 1.5, 1.6) or SPDX (2.3) document in its JSON form, as
//!   `npm sbom`, `cargo cyclonedx`, `syft` and other tools write them, and gives its packages
//!   (name, version, purl, licences) with what was odd about it. Anything else — another
//!   format or version, XML, a truncated or garbled file, one too large or nested too deep —
//!   is refused with the reason. Memory stays bounded: the size is checked first, and only the
//!   fields Relm keeps are materialized.
//! - [`diff`] compares two package lists (a release against the previous one of its service):
//!   added, removed, upgraded, downgraded, licences changed.
//! - [`licence`] checks licence expressions against a deny list, as SPDX expressions mean them
//!   (`MIT OR GPL-3.0-only` is fine when only GPL is denied).

pub mod diff;
pub mod licence;
mod read;
pub mod version;

pub use diff::{Diff, diff};
pub use read::{MAX_BYTES, MAX_DEPTH, MAX_PACKAGES, SbomError, read};

use serde::{Deserialize, Serialize};

pub use relm_domain::sbom::Package;

/// What identifies a package across versions: its purl without version, qualifiers or
/// subpath (`pkg:npm/%40scope/name`), else its name in lower case.
pub fn identity(p: &Package) -> String {
    p.purl
        .as_deref()
        .and_then(|p| p.parse::<packageurl::PackageUrl<'_>>().ok())
        .map(|p| {
            let mut id = format!("pkg:{}/", p.ty());
            if let Some(ns) = p.namespace() {
                id.push_str(&ns.to_lowercase());
                id.push('/');
            }
            id.push_str(&p.name().to_lowercase());
            id
        })
        .unwrap_or_else(|| p.name.to_lowercase())
}

/// An SBOM as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Sbom {
    /// `cyclonedx` or `spdx`.
    pub format: String,
    /// `1.4`, `1.5`, `1.6` (CycloneDX) or `2.3` (SPDX).
    pub spec_version: String,
    /// The tool that wrote it, as it names itself (`npm-cli-10.8.2`, `syft 1.4.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// What the document describes (its root component or package), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub packages: Vec<Package>,
    /// What was odd and how it was read (a package listed twice, a malformed purl...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// `sha256:<hex>` of a document's bytes: the evidence that names it.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}
