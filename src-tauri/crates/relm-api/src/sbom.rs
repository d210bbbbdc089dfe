//! What a release contains: software bills of materials attached to its components, their
//! packages, the difference from the previous release of the same service, and where a
//! package ships.

use relm_domain::ids::ReleaseId;
use relm_domain::payload::EventBody;
use relm_domain::sbom::{Package, SbomDocument};
use relm_domain::window::fmt_utc;
use relm_sbom::Diff;
use relm_store::projection::{releases, sbom};
use serde::Serialize;

use crate::error::{ApiError, Result, no_release};
use crate::session::Relm;

/// The largest SBOM file read.
pub const MAX_FILE: u64 = relm_sbom::MAX_BYTES as u64;

/// An SBOM as attached.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SbomAttached {
    pub release_id: String,
    pub component: String,
    pub document: SbomDocument,
    /// What the document describes, when it says.
    pub subject: Option<String>,
    pub packages: u32,
    /// What was odd in the document and how it was read, in English.
    pub notes: Vec<String>,
    /// The same notes, with their codes and names for the app's wording.
    pub note_details: Vec<relm_sbom::Note>,
    pub event_id: String,
}

/// One component's SBOM and packages.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComponentContents {
    pub component: String,
    pub document: SbomDocument,
    /// RFC 3339 UTC.
    pub attached_at: String,
    pub attached_by: String,
    pub packages: Vec<Package>,
}

/// A package under a licence the policy in force denies.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LicenceFinding {
    pub component: String,
    pub name: String,
    pub version: Option<String>,
    /// The entries of the deny list it falls under.
    pub licence: String,
    /// The `sbom` rule whose list it is.
    pub rule: String,
}

/// A release's contents.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SbomContents {
    pub release_id: String,
    pub service: String,
    pub version: String,
    pub components: Vec<ComponentContents>,
    /// Packages under a licence an `sbom` rule of the policy in force denies.
    pub findings: Vec<LicenceFinding>,
}

/// A release, as the diff and search name it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleaseRef {
    pub id: String,
    pub service: String,
    pub version: String,
    pub status: String,
}

/// What changed in a release's contents since another release (by default the previous
/// release of its service that has an SBOM).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SbomDiffView {
    pub release: ReleaseRef,
    /// `None`: no earlier release of the service has an SBOM; every package is new.
    pub against: Option<ReleaseRef>,
    pub diff: Diff,
}

/// A release that ships a package.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Shipping {
    pub release: ReleaseRef,
    pub component: String,
    pub package: Package,
}

/// The most releases `sbom where` lists.
pub const WHERE_LIMIT: u32 = 1_000;

fn reference(r: &releases::ReleaseRow) -> ReleaseRef {
    ReleaseRef {
        id: r.id.clone(),
        service: r.fields.service.clone(),
        version: r.fields.version.clone(),
        status: r.status.to_string(),
    }
}

impl Relm {
    /// Attach the SBOM in `bytes` (the file `file`, for messages) to the component of release
    /// `release` named `component`: its digest on record, its packages as the component's
    /// contents. The document is read first, and nothing is recorded if it is refused.
    pub fn attach_sbom(
        &mut self,
        release: &str,
        component: &str,
        bytes: &[u8],
        file: &str,
    ) -> Result<SbomAttached> {
        let id = self.resolve_release(release)?;
        let component = component.trim().to_string();
        let row = releases::get(self.store.conn(), &id)?.ok_or_else(|| no_release(&id))?;
        let names: Vec<&str> = row
            .fields
            .components
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        if !names.is_empty() && !names.contains(&component.as_str()) {
            return Err(ApiError::from(
                relm_domain::DomainError::problem(
                    "component",
                    relm_domain::ProblemCode::UnknownChoice,
                    format!(
                        "release {} {} has no component `{component}`; its components are {}",
                        row.fields.service,
                        row.fields.version,
                        names.join(", ")
                    ),
                )
                .with("value", &component)
                .with("allowed", names.join(", ")),
            ));
        }
        if names.is_empty() {
            return Err(ApiError::invalid(
                "component",
                format!(
                    "release {} {} lists no components; add `{component}` to it first (`relm release update {id} --component '{component}|VERSION'`)",
                    row.fields.service, row.fields.version
                ),
            ));
        }
        let read = relm_sbom::read(bytes).map_err(|e| {
            ApiError::from(
                relm_domain::DomainError::problem(
                    "file",
                    relm_domain::ProblemCode::BadSbom,
                    format!("{file}: {e}"),
                )
                .with("value", file)
                .with("reason", sbom_reason(&e)),
            )
        })?;
        let document = SbomDocument {
            format: read.format.clone(),
            spec_version: read.spec_version.clone(),
            digest: relm_sbom::digest(bytes),
            tool: read.tool.clone(),
        };
        let count = read.packages.len() as u32;
        let body = EventBody::SbomAttached {
            release_id: ReleaseId(id.clone()),
            component: component.clone(),
            document: document.clone(),
            packages: read.packages,
        };
        // What the ledger keeps must fit in one event.
        let size = body.to_parts().1.to_string().len();
        if size > relm_domain::limits::MAX_BODY - 4096 {
            return Err(ApiError::from(
                relm_domain::DomainError::problem(
                    "file",
                    relm_domain::ProblemCode::BadSbom,
                    format!(
                        "{file}: its {count} packages take {} KiB, more than one event carries ({} KiB); split the SBOM per component",
                        size / 1024,
                        relm_domain::limits::MAX_BODY / 1024
                    ),
                )
                .with("value", file)
                .with("reason", "too_large"),
            ));
        }
        let signed = self.emit(|_| Ok(vec![body]))?;
        let event_id = signed
            .first()
            .map(|e| e.envelope.id.0.clone())
            .unwrap_or_default();
        tracing::info!(release = %id, %component, packages = count, "SBOM attached");
        Ok(SbomAttached {
            release_id: id,
            component,
            document,
            subject: read.subject,
            packages: count,
            notes: read.notes.iter().map(|n| n.message.clone()).collect(),
            note_details: read.notes,
            event_id,
        })
    }

    /// [`Relm::attach_sbom`] from the file at `path` (a regular file of at most [`MAX_FILE`]).
    pub fn attach_sbom_file(
        &mut self,
        release: &str,
        component: &str,
        path: &std::path::Path,
    ) -> Result<SbomAttached> {
        let bytes = crate::files::read_user_file(
            path,
            MAX_FILE,
            "; an SBOM that large is refused, split it per component",
        )?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        self.attach_sbom(release, component, &bytes, &name)
    }

    /// A release's contents: each component's SBOM and packages.
    pub fn sbom_contents(&self, release: &str) -> Result<SbomContents> {
        let id = self.resolve_release(release)?;
        let conn = self.store.conn();
        let row = releases::get(conn, &id)?.ok_or_else(|| no_release(&id))?;
        let mut packages = sbom::packages(conn, &id)?.into_iter().peekable();
        let mut components = Vec::new();
        for d in sbom::documents(conn, &id)? {
            let mut list = Vec::new();
            while let Some((_, p)) = packages.next_if(|(c, _)| *c == d.component) {
                list.push(p);
            }
            components.push(ComponentContents {
                attached_at: fmt_utc(relm_domain::hlc::Hlc::from_packed(d.at_hlc).to_datetime()),
                attached_by: member_name(conn, &d.by_key)?,
                component: d.component,
                document: d.document,
                packages: list,
            });
        }
        let (policy, _) = crate::gates::in_force(conn)?;
        let mut findings = Vec::new();
        for rule in &policy.rules {
            let relm_policy::rules::RuleSpec::Sbom(r) = &rule.spec else {
                continue;
            };
            for c in &components {
                for p in &c.packages {
                    if let Some(licence) = p
                        .licenses
                        .iter()
                        .find_map(|l| relm_sbom::licence::denied(l, &r.deny_licenses))
                    {
                        findings.push(LicenceFinding {
                            component: c.component.clone(),
                            name: p.name.clone(),
                            version: p.version.clone(),
                            licence,
                            rule: rule.id.clone(),
                        });
                    }
                }
            }
        }
        Ok(SbomContents {
            release_id: id,
            service: row.fields.service,
            version: row.fields.version,
            components,
            findings,
        })
    }

    /// What changed in release `release`'s packages since `against` (by default the release
    /// of its service with an SBOM whose version comes just before).
    pub fn sbom_diff(&self, release: &str, against: Option<&str>) -> Result<SbomDiffView> {
        let id = self.resolve_release(release)?;
        let conn = self.store.conn();
        let row = releases::get(conn, &id)?.ok_or_else(|| no_release(&id))?;
        let other = match against {
            Some(a) => {
                let a = self.resolve_release(a)?;
                Some(releases::get(conn, &a)?.ok_or_else(|| no_release(&a))?)
            }
            None => {
                match sbom::previous_with_sbom(conn, &id, &row.fields.service, &row.fields.version)?
                {
                    Some(p) => releases::get(conn, &p)?,
                    None => None,
                }
            }
        };
        let list = |rid: &str| -> Result<Vec<Package>> {
            Ok(sbom::packages(conn, rid)?
                .into_iter()
                .map(|(_, p)| p)
                .collect())
        };
        let before = match &other {
            Some(o) => list(&o.id)?,
            None => Vec::new(),
        };
        Ok(SbomDiffView {
            release: reference(&row),
            against: other.as_ref().map(reference),
            diff: relm_sbom::diff(&before, &list(&id)?),
        })
    }

    /// The releases that ship package `name` (without case), at `version` when given.
    pub fn sbom_where(&self, name: &str, version: Option<&str>) -> Result<Vec<Shipping>> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::invalid(
                "package",
                "name the package, e.g. openssl",
            ));
        }
        let conn = self.store.conn();
        let mut out = Vec::new();
        let mut cache: std::collections::HashMap<String, Option<ReleaseRef>> = Default::default();
        let mut stmt =
            conn.prepare_cached("SELECT service, version, status FROM releases WHERE id = ?1")?;
        for (rid, component, package) in
            sbom::shipping(conn, name, version.map(str::trim), WHERE_LIMIT)?
        {
            if !cache.contains_key(&rid) {
                use relm_store::rusqlite::OptionalExtension;
                let found = stmt
                    .query_row([&rid], |r| {
                        Ok(ReleaseRef {
                            id: rid.clone(),
                            service: r.get(0)?,
                            version: r.get(1)?,
                            status: r.get(2)?,
                        })
                    })
                    .optional()?;
                cache.insert(rid.clone(), found);
            }
            if let Some(Some(release)) = cache.get(&rid) {
                out.push(Shipping {
                    release: release.clone(),
                    component,
                    package,
                });
            }
        }
        Ok(out)
    }
}

/// A member's name, or their key's fingerprint when the workspace does not know it.
fn member_name(conn: &relm_store::Connection, key: &str) -> Result<String> {
    use relm_store::rusqlite::OptionalExtension;
    let name: Option<String> = conn
        .query_row("SELECT name FROM members WHERE key_id = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| relm_domain::keys::KeyId(key.to_string()).fingerprint()))
}

/// A short code for why an SBOM was refused (for the app's words).
fn sbom_reason(e: &relm_sbom::SbomError) -> &'static str {
    use relm_sbom::SbomError::*;
    match e {
        TooLarge { .. } => "too_large",
        Empty => "empty",
        Utf16 => "utf16",
        Xml => "xml",
        TagValue => "tag_value",
        Truncated { .. } => "truncated",
        NotJson(_) => "not_json",
        TooDeep => "too_deep",
        UnknownFormat => "unknown_format",
        UnsupportedVersion { .. } => "unsupported_version",
        Invalid(_) => "invalid",
        TooManyPackages => "too_many_packages",
    }
}
