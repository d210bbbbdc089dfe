//! Reading CycloneDX and SPDX documents (JSON).

use std::collections::HashMap;

use serde::Deserialize;
use thiserror::Error;

use crate::{NoteCode, Package, Sbom};

/// The largest document read (larger ones are refused before parsing).
pub const MAX_BYTES: usize = 64 << 20;
/// The most packages one document may list.
pub const MAX_PACKAGES: usize = relm_domain::sbom::MAX_PACKAGES;
/// How deep CycloneDX components may nest.
pub const MAX_DEPTH: usize = 32;
/// The longest name, version or purl kept.
const MAX_FIELD: usize = relm_domain::sbom::MAX_FIELD;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SbomError {
    #[error(
        "the file is {size} bytes, more than the {} MiB an SBOM may be; split the SBOM per component",
        MAX_BYTES >> 20
    )]
    TooLarge { size: usize },
    #[error("the file is empty")]
    Empty,
    #[error(
        "UTF-16 text: Relm reads JSON in UTF-8, as RFC 8259 asks of JSON exchanged between systems; convert it (e.g. `iconv -f UTF-16 -t UTF-8`)"
    )]
    Utf16,
    #[error(
        "an XML document: Relm reads the JSON form of CycloneDX and SPDX; write it as JSON (e.g. `cyclonedx-npm --output-format JSON`, `syft -o cyclonedx-json`)"
    )]
    Xml,
    #[error(
        "an SPDX tag-value document: Relm reads SPDX 2.3 as JSON; write it as JSON (e.g. `syft -o spdx-json`)"
    )]
    TagValue,
    #[error(
        "the document ends early, at line {line}, column {column}: it was cut off (an interrupted download or copy?); produce it again"
    )]
    Truncated { line: usize, column: usize },
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error(
        "the document nests deeper than Relm reads (more than {MAX_DEPTH} levels of components, or a JSON value nested past serde's limit); flatten it or produce it again"
    )]
    TooDeep,
    #[error(
        "neither CycloneDX (no `bomFormat`) nor SPDX (no `spdxVersion`): Relm reads CycloneDX 1.4-1.6 and SPDX 2.3, as JSON"
    )]
    UnknownFormat,
    #[error("{format} {version}: Relm reads {supported}; produce the SBOM in one of those")]
    UnsupportedVersion {
        format: String,
        version: String,
        supported: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("the document lists more than {MAX_PACKAGES} packages; split the SBOM per component")]
    TooManyPackages,
}

/// Read a CycloneDX (1.4-1.6) or SPDX (2.3) JSON document.
pub fn read(bytes: &[u8]) -> Result<Sbom, SbomError> {
    if bytes.len() > MAX_BYTES {
        return Err(SbomError::TooLarge { size: bytes.len() });
    }
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(SbomError::Utf16);
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(SbomError::Empty);
    };
    match text[start] {
        b'<' => return Err(SbomError::Xml),
        b'{' => {}
        _ if text[start..].starts_with(b"SPDXVersion:") => return Err(SbomError::TagValue),
        _ => {}
    }
    let probe: Probe = parse(text)?;
    match (probe.bom_format, probe.spdx_version) {
        (Some(f), _) if f == "CycloneDX" => {
            let version = probe.spec_version.unwrap_or_default();
            if !["1.4", "1.5", "1.6"].contains(&version.as_str()) {
                return Err(unsupported(
                    "CycloneDX",
                    &version,
                    "CycloneDX 1.4, 1.5 and 1.6",
                ));
            }
            cyclonedx(parse(text)?, version)
        }
        (Some(f), _) => Err(SbomError::Invalid(format!(
            "`bomFormat` is `{}`, not `CycloneDX`",
            clip(&f)
        ))),
        (None, Some(v)) => {
            let version = v.strip_prefix("SPDX-").unwrap_or(&v).to_string();
            if version != "2.3" {
                return Err(unsupported("SPDX", &version, "SPDX 2.3"));
            }
            spdx(parse(text)?)
        }
        (None, None) => Err(SbomError::UnknownFormat),
    }
}

fn unsupported(format: &str, version: &str, supported: &str) -> SbomError {
    SbomError::UnsupportedVersion {
        format: format.into(),
        version: clip(version),
        supported: supported.into(),
    }
}

/// At most 80 characters of outside text, for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

fn parse<'a, T: Deserialize<'a>>(text: &'a [u8]) -> Result<T, SbomError> {
    serde_json::from_slice(text).map_err(|e| {
        use serde_json::error::Category;
        let said = e.to_string();
        if said.contains("recursion limit") {
            SbomError::TooDeep
        } else {
            match e.classify() {
                Category::Eof => SbomError::Truncated {
                    line: e.line(),
                    column: e.column(),
                },
                Category::Syntax | Category::Io => SbomError::NotJson(said),
                Category::Data => SbomError::Invalid(format!(
                    "the document does not read as its format says: {said}"
                )),
            }
        }
    })
}

#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    #[serde(rename = "specVersion")]
    spec_version: Option<String>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<String>,
}

// CycloneDX: only what Relm keeps; everything else is skipped unread.

#[derive(Deserialize)]
struct CdxDoc {
    #[serde(default)]
    metadata: Option<CdxMeta>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxMeta {
    #[serde(default)]
    tools: Option<CdxTools>,
    #[serde(default)]
    component: Option<CdxRoot>,
}

/// 1.4 lists tools; 1.5 and 1.6 give `{components, services}` (the list is deprecated).
#[derive(Deserialize)]
#[serde(untagged)]
enum CdxTools {
    List(Vec<CdxTool>),
    Parts {
        #[serde(default)]
        components: Vec<CdxTool>,
    },
}

#[derive(Deserialize)]
struct CdxTool {
    /// 1.4's vendor; 1.5 and 1.6 name the tool's supplier or group instead.
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct CdxRoot {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct CdxComponent {
    /// Unique in its document: two components of one name told apart (a key and an
    /// algorithm both named `RSA-2048` in a CBOM).
    #[serde(rename = "bom-ref", default)]
    bom_ref: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    licenses: Vec<CdxLicense>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CdxLicense {
    Expression { expression: String },
    License { license: CdxLicenseBody },
}

#[derive(Deserialize)]
struct CdxLicenseBody {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

fn cyclonedx(doc: CdxDoc, version: String) -> Result<Sbom, SbomError> {
    let mut kept = Kept::default();
    let mut stack: Vec<(usize, &CdxComponent)> = doc.components.iter().map(|c| (1, c)).collect();
    stack.reverse();
    while let Some((depth, c)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(SbomError::TooDeep);
        }
        let licenses = c
            .licenses
            .iter()
            .filter_map(|l| match l {
                CdxLicense::Expression { expression } => Some(expression.clone()),
                CdxLicense::License { license } => license.id.clone().or(license.name.clone()),
            })
            .collect();
        kept.add(
            c.name.as_deref(),
            c.version.as_deref(),
            c.purl.as_deref(),
            c.bom_ref.as_deref(),
            licenses,
        )?;
        stack.extend(c.components.iter().rev().map(|n| (depth + 1, n)));
    }
    let meta = doc.metadata;
    let tool = meta.as_ref().and_then(|m| match &m.tools {
        Some(CdxTools::List(t)) | Some(CdxTools::Parts { components: t }) => {
            t.iter().find_map(|t| {
                let by = t.vendor.as_ref().or(t.group.as_ref());
                t.name.as_ref().map(|n| match by {
                    Some(v) if !n.starts_with(v.as_str()) => {
                        named(&format!("{v} {n}"), t.version.as_deref())
                    }
                    _ => named(n, t.version.as_deref()),
                })
            })
        }
        None => None,
    });
    let subject = meta
        .and_then(|m| m.component)
        .and_then(|c| c.name.map(|n| named(&n, c.version.as_deref())));
    Ok(kept.sbom("cyclonedx", version, tool, subject))
}

fn named(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) if !v.is_empty() => clip(&format!("{name} {v}")),
        _ => clip(name),
    }
}

// SPDX 2.3.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxDoc {
    #[serde(default)]
    creation_info: Option<SpdxCreation>,
    #[serde(default)]
    packages: Vec<SpdxPackage>,
    #[serde(default)]
    document_describes: Vec<String>,
    #[serde(default)]
    relationships: Vec<SpdxRelationship>,
}

#[derive(Deserialize)]
struct SpdxCreation {
    #[serde(default)]
    creators: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    #[serde(rename = "SPDXID", default)]
    spdx_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version_info: Option<String>,
    #[serde(default)]
    external_refs: Vec<SpdxRef>,
    #[serde(default)]
    license_concluded: Option<String>,
    #[serde(default)]
    license_declared: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxRef {
    #[serde(default)]
    reference_type: Option<String>,
    #[serde(default)]
    reference_locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxRelationship {
    #[serde(default)]
    spdx_element_id: Option<String>,
    #[serde(default)]
    relationship_type: Option<String>,
    #[serde(default)]
    related_spdx_element: Option<String>,
}

/// An SPDX licence field that says something (not `NOASSERTION` or `NONE`).
fn asserted(l: &Option<String>) -> Option<String> {
    l.as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "NOASSERTION" && *l != "NONE")
        .map(str::to_string)
}

fn spdx(doc: SpdxDoc) -> Result<Sbom, SbomError> {
    // What the document describes (the project itself) is not one of its packages.
    let mut described: Vec<&str> = doc.document_describes.iter().map(String::as_str).collect();
    described.extend(doc.relationships.iter().filter_map(|r| {
        (r.spdx_element_id.as_deref() == Some("SPDXRef-DOCUMENT")
            && r.relationship_type.as_deref() == Some("DESCRIBES"))
        .then_some(r.related_spdx_element.as_deref())
        .flatten()
    }));
    let mut kept = Kept::default();
    let mut subject = None;
    for p in &doc.packages {
        if p.spdx_id
            .as_deref()
            .is_some_and(|id| described.contains(&id))
        {
            subject.get_or_insert_with(|| {
                named(p.name.as_deref().unwrap_or("?"), p.version_info.as_deref())
            });
            continue;
        }
        let purl = p
            .external_refs
            .iter()
            .find(|r| r.reference_type.as_deref() == Some("purl"))
            .and_then(|r| r.reference_locator.as_deref());
        let licenses = asserted(&p.license_concluded)
            .or_else(|| asserted(&p.license_declared))
            .into_iter()
            .collect();
        kept.add(
            p.name.as_deref(),
            p.version_info.as_deref(),
            purl,
            p.spdx_id.as_deref(),
            licenses,
        )?;
    }
    let tool = doc.creation_info.and_then(|c| {
        c.creators
            .iter()
            .find_map(|c| c.strip_prefix("Tool:").map(|t| clip(t.trim())))
    });
    Ok(kept.sbom("spdx", "2.3".into(), tool, subject))
}

/// Packages as they are kept: checked, each once, with notes on what was odd.
#[derive(Default)]
struct Kept {
    packages: Vec<Package>,
    seen: HashMap<String, usize>,
    notes: Vec<crate::Note>,
    skipped: usize,
}

impl Kept {
    fn note(
        &mut self,
        code: NoteCode,
        package: Option<&str>,
        other: Option<&str>,
        message: String,
    ) {
        // A document with thousands of odd entries says so fifty times, not thousands.
        if self.notes.len() < 50 {
            self.notes.push(crate::Note {
                code,
                package: package.map(clip),
                other: other.map(clip),
                count: None,
                message,
            });
        } else {
            self.skipped += 1;
        }
    }

    fn add(
        &mut self,
        name: Option<&str>,
        version: Option<&str>,
        purl: Option<&str>,
        reference: Option<&str>,
        licenses: Vec<String>,
    ) -> Result<(), SbomError> {
        let name = name.map(str::trim).unwrap_or_default();
        let odd = |s: &str| s.len() > MAX_FIELD || s.chars().any(char::is_control);
        if name.is_empty() {
            self.note(
                NoteCode::Nameless,
                None,
                None,
                "a package without a name; left out".into(),
            );
            return Ok(());
        }
        if odd(name) || version.is_some_and(odd) || licenses.iter().any(|l| odd(l)) {
            self.note(
                NoteCode::OddField,
                Some(name),
                None,
                format!(
                    "package `{}`: a field over {MAX_FIELD} characters or with control characters; left out",
                    clip(name)
                ),
            );
            return Ok(());
        }
        let purl = match purl.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) if odd(p) => {
                self.note(
                    NoteCode::OddPurl,
                    Some(name),
                    None,
                    format!(
                        "package `{}`: its purl is over {MAX_FIELD} characters or has control characters; kept without it",
                        clip(name)
                    ),
                );
                None
            }
            Some(p) => match p.parse::<packageurl::PackageUrl<'_>>() {
                Ok(_) => Some(p.to_string()),
                Err(e) => {
                    self.note(
                        NoteCode::BadPurl,
                        Some(name),
                        Some(p),
                        format!(
                            "package `{}`: purl `{}` is malformed ({e}); kept without it",
                            clip(name),
                            clip(p)
                        ),
                    );
                    None
                }
            },
        };
        let version = version.map(str::trim).filter(|v| !v.is_empty());
        // The same package listed twice: by purl, else by the document's own reference for the
        // entry (a CycloneDX bom-ref, an SPDX id), else by name and version.
        let key = purl
            .clone()
            .or_else(|| reference.map(|r| format!("ref:{r}")))
            .unwrap_or_else(|| format!("{name}@{}", version.unwrap_or("")));
        if let Some(&i) = self.seen.get(&key) {
            let first = &self.packages[i];
            let same = first.name == name && first.version.as_deref() == version;
            if same {
                let message = format!("`{}` is listed more than once; kept once", clip(&key));
                self.note(NoteCode::ListedTwice, Some(&key), None, message);
            } else {
                let message = format!(
                    "purl `{}` is given to `{}` and to `{}`; the first kept",
                    clip(&key),
                    clip(&first.name),
                    clip(name)
                );
                let first = first.name.clone();
                self.note(NoteCode::PurlShared, Some(&first), Some(name), message);
            }
            return Ok(());
        }
        if self.packages.len() >= MAX_PACKAGES {
            return Err(SbomError::TooManyPackages);
        }
        self.seen.insert(key, self.packages.len());
        self.packages.push(Package {
            name: name.to_string(),
            version: version.map(str::to_string),
            purl,
            licenses,
        });
        Ok(())
    }

    fn sbom(
        mut self,
        format: &str,
        spec_version: String,
        tool: Option<String>,
        subject: Option<String>,
    ) -> Sbom {
        if self.skipped > 0 {
            self.notes.push(crate::Note {
                code: NoteCode::More,
                package: None,
                other: None,
                count: Some(u32::try_from(self.skipped).unwrap_or(u32::MAX)),
                message: format!("and {} more notes like these", self.skipped),
            });
        }
        Sbom {
            format: format.into(),
            spec_version,
            tool,
            subject,
            packages: self.packages,
            notes: self.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdx(version: &str, components: &str) -> String {
        format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"{version}","version":1,
               "metadata":{{"tools":{{"components":[{{"name":"cdxgen","version":"10.0.0"}}]}},
                            "component":{{"name":"shop","version":"2.0.0","type":"application"}}}},
               "components":[{components}]}}"#
        )
    }

    const LIB: &str = r#"{"type":"library","name":"left-pad","version":"1.3.0",
        "purl":"pkg:npm/left-pad@1.3.0","licenses":[{"license":{"id":"WTFPL"}}]}"#;

    #[test]
    fn cyclonedx_of_each_version_is_read_with_its_tool_and_subject() {
        for v in ["1.4", "1.5", "1.6"] {
            let s = read(cdx(v, LIB).as_bytes()).unwrap();
            assert_eq!(
                (s.format.as_str(), s.spec_version.as_str()),
                ("cyclonedx", v)
            );
            assert_eq!(s.tool.as_deref(), Some("cdxgen 10.0.0"));
            assert_eq!(s.subject.as_deref(), Some("shop 2.0.0"));
            assert_eq!(
                s.packages,
                vec![Package {
                    name: "left-pad".into(),
                    version: Some("1.3.0".into()),
                    purl: Some("pkg:npm/left-pad@1.3.0".into()),
                    licenses: vec!["WTFPL".into()],
                }]
            );
        }
        // 1.4's list of tools, a licence expression and a named licence; nested components.
        let doc = r#"{"bomFormat":"CycloneDX","specVersion":"1.4",
            "metadata":{"tools":[{"vendor":"anchore","name":"syft","version":"0.90.0"}]},
            "components":[{"name":"a","version":"1","licenses":[{"expression":"MIT OR Apache-2.0"}],
              "components":[{"name":"b","version":"2","licenses":[{"license":{"name":"Custom"}}]}]}]}"#;
        let s = read(doc.as_bytes()).unwrap();
        assert_eq!(s.tool.as_deref(), Some("anchore syft 0.90.0"));
        let names: Vec<_> = s
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.licenses.clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("a", vec!["MIT OR Apache-2.0".to_string()]),
                ("b", vec!["Custom".to_string()])
            ]
        );
    }

    #[test]
    fn spdx_23_is_read_without_the_package_it_describes() {
        let doc = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"shop",
          "creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Organization: Acme","Tool: npm/cli-10.8.2"]},
          "documentDescribes":["SPDXRef-Package-shop"],
          "packages":[
            {"SPDXID":"SPDXRef-Package-shop","name":"shop","versionInfo":"2.0.0","licenseDeclared":"MIT"},
            {"SPDXID":"SPDXRef-Package-lodash","name":"lodash","versionInfo":"4.17.21",
             "licenseConcluded":"NOASSERTION","licenseDeclared":"MIT",
             "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
                              "referenceLocator":"pkg:npm/lodash@4.17.21"}]},
            {"SPDXID":"SPDXRef-Package-x","name":"x","licenseConcluded":"NONE"}]}"#;
        let s = read(doc.as_bytes()).unwrap();
        assert_eq!(
            (s.format.as_str(), s.spec_version.as_str()),
            ("spdx", "2.3")
        );
        assert_eq!(s.tool.as_deref(), Some("npm/cli-10.8.2"));
        assert_eq!(s.subject.as_deref(), Some("shop 2.0.0"));
        assert_eq!(s.packages.len(), 2);
        assert_eq!(
            s.packages[0].purl.as_deref(),
            Some("pkg:npm/lodash@4.17.21")
        );
        assert_eq!(s.packages[0].licenses, vec!["MIT".to_string()]);
        assert_eq!(
            (
                s.packages[1].version.as_deref(),
                s.packages[1].licenses.len()
            ),
            (None, 0)
        );
    }

    #[test]
    fn bad_input_is_refused_with_the_reason() {
        let full = cdx("1.5", LIB);
        let cases: Vec<(Vec<u8>, SbomError)> = vec![
            (Vec::new(), SbomError::Empty),
            (b"\xff\xfe{\x00}\x00".to_vec(), SbomError::Utf16),
            (b"  \n".to_vec(), SbomError::Empty),
            (
                b"<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>"
                    .to_vec(),
                SbomError::Xml,
            ),
            (
                b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n".to_vec(),
                SbomError::TagValue,
            ),
            (
                b"{\"name\": \"not an sbom\"}".to_vec(),
                SbomError::UnknownFormat,
            ),
            (
                cdx("1.2", LIB).into_bytes(),
                unsupported("CycloneDX", "1.2", "CycloneDX 1.4, 1.5 and 1.6"),
            ),
            (
                br#"{"spdxVersion":"SPDX-2.2","packages":[]}"#.to_vec(),
                unsupported("SPDX", "2.2", "SPDX 2.3"),
            ),
            (
                vec![b' '; MAX_BYTES + 1],
                SbomError::TooLarge {
                    size: MAX_BYTES + 1,
                },
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(read(&bytes).unwrap_err(), want);
        }
        // Cut anywhere inside, the document is refused: truncated, mostly, and never read.
        for cut in (1..full.len()).step_by(7) {
            let err = read(&full.as_bytes()[..cut]).unwrap_err();
            assert!(
                matches!(
                    err,
                    SbomError::Truncated { .. } | SbomError::NotJson(_) | SbomError::UnknownFormat
                ),
                "cut at {cut}: {err}"
            );
        }
        assert!(matches!(
            read(&full.as_bytes()[..full.len() - 1]).unwrap_err(),
            SbomError::Truncated { .. }
        ));
        assert!(matches!(
            read(b"{\"bomFormat\": CycloneDX}").unwrap_err(),
            SbomError::NotJson(_)
        ));
        // A field of the wrong type says where.
        let err = read(cdx("1.5", r#"{"name":"a","licenses":"MIT"}"#).as_bytes()).unwrap_err();
        assert!(
            matches!(&err, SbomError::Invalid(m) if m.contains("line")),
            "{err}"
        );
        assert!(
            err.to_string().contains("does not read as its format says"),
            "{err}"
        );
    }

    #[test]
    fn deeply_nested_documents_are_refused_not_overflowing() {
        // Components nested past the bound.
        let mut inner = String::from(r#"{"name":"leaf"}"#);
        for i in 0..MAX_DEPTH + 1 {
            inner = format!(r#"{{"name":"c{i}","components":[{inner}]}}"#);
        }
        assert_eq!(
            read(cdx("1.6", &inner).as_bytes()).unwrap_err(),
            SbomError::TooDeep
        );
        // JSON nested a million deep, in a field Relm does not read: skipped without a stack
        // or memory to match; where Relm reads, refused.
        let deep = |field: &str| {
            format!(
                "{{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"{field}\":{}{}}}",
                "[".repeat(1_000_000),
                "]".repeat(1_000_000)
            )
        };
        assert!(read(deep("x").as_bytes()).unwrap().packages.is_empty());
        let err = read(deep("components").as_bytes()).unwrap_err();
        assert!(
            matches!(err, SbomError::TooDeep | SbomError::Invalid(_)),
            "{err}"
        );
    }

    #[test]
    fn duplicate_and_malformed_purls_are_read_with_a_note() {
        let comps = format!(
            r#"{LIB},{LIB},{{"name":"other","version":"9","purl":"pkg:npm/left-pad@1.3.0"}},
               {{"name":"bad","version":"1","purl":"npm/bad@1"}},{{"version":"1"}}"#
        );
        let s = read(cdx("1.6", &comps).as_bytes()).unwrap();
        let names: Vec<_> = s.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["left-pad", "bad"]);
        assert_eq!(s.packages[1].purl, None);
        assert_eq!(s.notes.len(), 4, "{:?}", s.notes);
        let codes: Vec<_> = s.notes.iter().map(|n| n.code).collect();
        use crate::NoteCode::*;
        assert_eq!(codes, vec![ListedTwice, PurlShared, BadPurl, Nameless]);
        assert!(s.notes[0].message.contains("listed more than once"));
        assert_eq!(
            s.notes[0].package.as_deref(),
            Some("pkg:npm/left-pad@1.3.0")
        );
        assert!(
            s.notes[1]
                .message
                .contains("given to `left-pad` and to `other`")
        );
        assert_eq!(
            (s.notes[1].package.as_deref(), s.notes[1].other.as_deref()),
            (Some("left-pad"), Some("other"))
        );
        assert!(s.notes[2].message.contains("malformed"));
        assert_eq!(
            (s.notes[2].package.as_deref(), s.notes[2].other.as_deref()),
            (Some("bad"), Some("npm/bad@1"))
        );
        assert!(s.notes[3].message.contains("without a name"));
    }

    #[test]
    fn too_many_packages_are_refused() {
        let comps: Vec<String> = (0..=MAX_PACKAGES)
            .map(|i| format!(r#"{{"name":"p{i}","version":"1"}}"#))
            .collect();
        assert_eq!(
            read(cdx("1.6", &comps.join(",")).as_bytes()).unwrap_err(),
            SbomError::TooManyPackages
        );
        assert_eq!(
            read(cdx("1.6", &comps[1..].join(",")).as_bytes())
                .unwrap()
                .packages
                .len(),
            MAX_PACKAGES
        );
    }
}
