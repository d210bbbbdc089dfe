//! What a release's component contains, from a software bill of materials: the packages an
//! SBOM lists, as the `sbom.attached` event carries them. Reading SBOMs is `relm-sbom`'s; this
//! is the shape the ledger keeps and the bounds every replica checks.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ProblemCode};

/// The most packages one attachment may carry (and its event must still fit in
/// [`crate::limits::MAX_BODY`]: a component of more is split).
pub const MAX_PACKAGES: usize = 10_000;
/// The longest name, version, purl or licence expression kept.
pub const MAX_FIELD: usize = 1_000;

/// A package an SBOM lists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Package {
    pub name: String,
    /// `None` when the document gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The package URL (`pkg:npm/%40scope/name@1.2.3`), when given and well formed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Licence expressions (SPDX ids or expressions, or names as written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
}

/// What an `sbom.attached` event says of its document, besides the packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SbomDocument {
    /// `cyclonedx` or `spdx`.
    pub format: String,
    /// `1.4`, `1.5`, `1.6` (CycloneDX) or `2.3` (SPDX).
    pub spec_version: String,
    /// `sha256:` and 64 hex digits: the document as given, byte for byte.
    pub digest: String,
    /// The tool that wrote it, as it names itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
}

fn bad(code: ProblemCode, what: String) -> DomainError {
    DomainError::problem("sbom", code, what)
}

fn field_ok(s: &str) -> bool {
    s.len() <= MAX_FIELD && !s.chars().any(char::is_control)
}

/// Check what an attachment carries, as every replica does before projecting it.
pub fn check(component: &str, doc: &SbomDocument, packages: &[Package]) -> Result<(), DomainError> {
    if component.trim().is_empty() || !field_ok(component) || component.len() > 200 {
        return Err(bad(
            ProblemCode::BadName,
            "the component's name is empty, too long or holds control characters".into(),
        ));
    }
    match (doc.format.as_str(), doc.spec_version.as_str()) {
        ("cyclonedx", "1.4" | "1.5" | "1.6") | ("spdx", "2.3") => {}
        (f, v) => {
            return Err(bad(
                ProblemCode::UnknownChoice,
                format!("`{f}` `{v}` is not a format Relm reads"),
            ));
        }
    }
    let hex = doc.digest.strip_prefix("sha256:").unwrap_or_default();
    if hex.len() != 64
        || !hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(bad(
            ProblemCode::BadDigest,
            "the document's digest is not `sha256:` and 64 hex digits".into(),
        ));
    }
    if doc.tool.as_deref().is_some_and(|t| !field_ok(t)) {
        return Err(bad(
            ProblemCode::BadChar,
            "the tool's name is too long or holds control characters".into(),
        ));
    }
    if packages.len() > MAX_PACKAGES {
        return Err(bad(
            ProblemCode::OutOfRange,
            format!("more than {MAX_PACKAGES} packages"),
        ));
    }
    for p in packages {
        let fields_ok = !p.name.trim().is_empty()
            && field_ok(&p.name)
            && p.version.as_deref().is_none_or(field_ok)
            && p.purl.as_deref().is_none_or(field_ok)
            && p.licenses.len() <= 64
            && p.licenses.iter().all(|l| field_ok(l));
        if !fields_ok {
            return Err(bad(
                ProblemCode::BadChar,
                format!(
                    "package `{}`: a field is empty, too long or holds control characters",
                    crate::text::truncated(&p.name, 80)
                ),
            ));
        }
    }
    Ok(())
}
