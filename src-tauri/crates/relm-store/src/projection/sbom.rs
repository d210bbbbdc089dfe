//! What a release's components contain: the SBOM in force per component and its packages
//! (`sbom.attached`; a new one for a component replaces the old).

use rusqlite::{Connection, params};

use relm_domain::ids::ReleaseId;
use relm_domain::ledger::Violation;
use relm_domain::sbom::{Package, SbomDocument};

use crate::error::Result;

/// Project an attachment, or say why it has no effect: no such release at this point of the
/// ledger, or what it carries is out of bounds (a crafted event).
pub fn attached(
    conn: &Connection,
    event_id: &str,
    release_id: &ReleaseId,
    (component, doc, packages): (&str, &SbomDocument, &[Package]),
    (at, by): (i64, &str),
) -> Result<Option<Violation>> {
    if super::releases::get(conn, &release_id.0)?.is_none() {
        return Ok(Some(super::unknown_release(release_id)));
    }
    if let Err(e) = relm_domain::sbom::check(component, doc, packages) {
        return Ok(Some(Violation::new("invalid_change", e.to_string())));
    }
    conn.prepare_cached("DELETE FROM sbom_packages WHERE release_id = ?1 AND component = ?2")?
        .execute(params![release_id.0, component])?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO sbom_documents
           (release_id, component, format, spec_version, digest, tool, packages, event_id, at_hlc, by_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        release_id.0,
        component,
        doc.format,
        doc.spec_version,
        doc.digest,
        doc.tool,
        packages.len() as i64,
        event_id,
        at,
        by
    ])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO sbom_packages (release_id, component, ord, name, version, purl, licenses)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, p) in packages.iter().enumerate() {
        insert.execute(params![
            release_id.0,
            component,
            i as i64,
            p.name,
            p.version,
            p.purl,
            serde_json::to_string(&p.licenses).unwrap_or_else(|_| "[]".into())
        ])?;
    }
    Ok(None)
}

/// A component's SBOM as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub release_id: String,
    pub component: String,
    pub document: SbomDocument,
    pub packages: u64,
    pub event_id: String,
    pub at_hlc: i64,
    pub by_key: String,
}

/// The SBOMs attached to a release's components, by component.
pub fn documents(conn: &Connection, release_id: &str) -> Result<Vec<DocumentRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT release_id, component, format, spec_version, digest, tool, packages, event_id, at_hlc, by_key
         FROM sbom_documents WHERE release_id = ?1 ORDER BY component",
    )?;
    let rows = stmt.query_map([release_id], |r| {
        Ok(DocumentRow {
            release_id: r.get(0)?,
            component: r.get(1)?,
            document: SbomDocument {
                format: r.get(2)?,
                spec_version: r.get(3)?,
                digest: r.get(4)?,
                tool: r.get(5)?,
            },
            packages: r.get::<_, i64>(6)? as u64,
            event_id: r.get(7)?,
            at_hlc: r.get(8)?,
            by_key: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn package(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Package> {
    let licenses: String = r.get(at + 3)?;
    Ok(Package {
        name: r.get(at)?,
        version: r.get(at + 1)?,
        purl: r.get(at + 2)?,
        licenses: serde_json::from_str(&licenses).unwrap_or_default(),
    })
}

/// A release's packages, by component, in the order their SBOMs list them.
pub fn packages(conn: &Connection, release_id: &str) -> Result<Vec<(String, Package)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT component, name, version, purl, licenses FROM sbom_packages
         WHERE release_id = ?1 ORDER BY component, ord",
    )?;
    let rows = stmt.query_map([release_id], |r| Ok((r.get(0)?, package(r, 1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Where a package ships: (release id, component, the package), by name (without case) and,
/// when given, version; at most `limit`, by version then release.
pub fn shipping(
    conn: &Connection,
    name: &str,
    version: Option<&str>,
    limit: u32,
) -> Result<Vec<(String, String, Package)>> {
    // Only the filters given go into the query, so that the index on (name, version) serves
    // both forms.
    let base = "SELECT release_id, component, name, version, purl, licenses FROM sbom_packages
                WHERE name = ?1 COLLATE NOCASE";
    let rows = match version {
        Some(v) => {
            let mut stmt = conn.prepare_cached(&format!(
                "{base} AND version = ?2 ORDER BY release_id, component LIMIT ?3"
            ))?;
            stmt.query_map(params![name, v, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, package(r, 2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        }
        None => {
            // By version, then release: the index's own order, so the limit stops the scan.
            let mut stmt = conn.prepare_cached(&format!(
                "{base} ORDER BY name COLLATE NOCASE, version, release_id LIMIT ?2"
            ))?;
            stmt.query_map(params![name, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, package(r, 2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(rows)
}

/// What a release's components contain, for its verdict: each component's packages, and the
/// packages at a lower version than in the service's previous version with an SBOM.
pub fn facts(
    conn: &Connection,
    release_id: &str,
    service: &str,
    version: &str,
) -> Result<relm_policy::facts::SbomFacts> {
    let mut components: Vec<relm_policy::facts::SbomComponent> = Vec::new();
    for (component, p) in packages(conn, release_id)? {
        match components.last_mut() {
            Some(c) if c.component == component => c.packages.push(p),
            _ => components.push(relm_policy::facts::SbomComponent {
                component,
                packages: vec![p],
            }),
        }
    }
    let previous = previous_with_sbom(conn, release_id, service, version)?;
    let downgrades = match previous {
        Some(prev) => {
            let before: Vec<Package> = packages(conn, &prev)?.into_iter().map(|(_, p)| p).collect();
            let after: Vec<Package> = components
                .iter()
                .flat_map(|c| c.packages.iter().cloned())
                .collect();
            relm_sbom::diff(&before, &after)
                .downgraded
                .into_iter()
                .map(|m| relm_policy::facts::Downgrade {
                    name: m.name,
                    from: m.from.version.unwrap_or_default(),
                    to: m.to.version.unwrap_or_default(),
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(relm_policy::facts::SbomFacts {
        components,
        downgrades,
    })
}

/// The release of `service` with an SBOM whose version comes just before `version`.
pub fn previous_with_sbom(
    conn: &Connection,
    release_id: &str,
    service: &str,
    version: &str,
) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.version FROM releases r
         WHERE r.service = ?1 AND r.id <> ?2
           AND EXISTS (SELECT 1 FROM sbom_documents d WHERE d.release_id = r.id)",
    )?;
    let candidates = stmt
        .query_map(params![service, release_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(candidates
        .into_iter()
        .filter(|(_, v)| relm_sbom::version::compare(v, version).is_lt())
        .max_by(|a, b| relm_sbom::version::compare(&a.1, &b.1))
        .map(|(id, _)| id))
}
