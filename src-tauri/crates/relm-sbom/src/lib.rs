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
    pub notes: Vec<Note>,
}

/// Something odd in a document and how it was read: a code the app words in its reader's
/// language, the names it needs, and the same in English for the CLI and the logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SbomNote"))]
pub struct Note {
    pub code: NoteCode,
    /// The package the note is about (its name, or the key it was listed under), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub package: Option<String>,
    /// A second name: the malformed purl, or the other package given the same purl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub other: Option<String>,
    /// How many notes were left out (`more` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub count: Option<u32>,
    /// In English.
    pub message: String,
}

/// What a [`Note`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SbomNoteCode"))]
#[serde(rename_all = "snake_case")]
pub enum NoteCode {
    /// A package without a name: left out.
    Nameless,
    /// A field too long (`relm_domain::sbom::MAX_FIELD`) or with control characters: the package left out.
    OddField,
    /// Its purl too long (`relm_domain::sbom::MAX_FIELD`) or with control characters: kept without it.
    OddPurl,
    /// Its purl malformed: kept without it.
    BadPurl,
    /// The same package listed more than once: kept once.
    ListedTwice,
    /// One purl given to two packages: the first kept.
    PurlShared,
    /// More notes than are kept: how many were left out.
    More,
}

/// `sha256:<hex>` of a document's bytes: the evidence that names it.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}
