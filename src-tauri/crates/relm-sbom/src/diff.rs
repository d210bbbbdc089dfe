//! What changed between two package lists.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::version::compare;
use crate::{Package, identity};

/// A package whose version moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Moved {
    pub name: String,
    /// The package's identity (its purl without version, else its name).
    pub identity: String,
    pub from: Package,
    pub to: Package,
}

/// A package, at the same version, whose licences changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Relicensed {
    pub name: String,
    pub version: Option<String>,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// The difference from one package list (`before`) to another (`after`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diff {
    pub added: Vec<Package>,
    pub removed: Vec<Package>,
    pub upgraded: Vec<Moved>,
    pub downgraded: Vec<Moved>,
    /// Licences changed: at the same version, or across an upgrade or downgrade.
    pub relicensed: Vec<Relicensed>,
    pub unchanged: u32,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.upgraded.is_empty()
            && self.downgraded.is_empty()
            && self.relicensed.is_empty()
    }
}

fn by_identity(list: &[Package]) -> BTreeMap<String, Vec<&Package>> {
    let mut out: BTreeMap<String, Vec<&Package>> = BTreeMap::new();
    for p in list {
        out.entry(identity(p)).or_default().push(p);
    }
    out
}

fn licences(p: &Package) -> BTreeSet<&str> {
    p.licenses.iter().map(String::as_str).collect()
}

/// The licence change from `from` to `to`, if their licences differ.
fn relicensed(from: &Package, to: &Package) -> Option<Relicensed> {
    (licences(from) != licences(to)).then(|| Relicensed {
        name: to.name.clone(),
        version: to.version.clone(),
        from: from.licenses.clone(),
        to: to.licenses.clone(),
    })
}

/// Compare two package lists. A package is known across versions by its identity; where one
/// version gave way to one other, it is an upgrade or a downgrade, else versions only before
/// are removed and versions only after are added (a package present at several versions, as
/// npm trees have, is compared version by version).
pub fn diff(before: &[Package], after: &[Package]) -> Diff {
    let (old, new) = (by_identity(before), by_identity(after));
    let mut d = Diff::default();
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for id in ids {
        let none = Vec::new();
        let (o, n) = (old.get(id).unwrap_or(&none), new.get(id).unwrap_or(&none));
        let version = |p: &&Package| p.version.clone().unwrap_or_default();
        let only = |a: &[&Package], b: &[&Package]| -> Vec<Package> {
            a.iter()
                .filter(|p| !b.iter().any(|q| version(q) == version(p)))
                .map(|p| (*p).clone())
                .collect()
        };
        for p in o {
            if let Some(q) = n.iter().find(|q| version(q) == version(p)) {
                d.unchanged += 1;
                d.relicensed.extend(relicensed(p, q));
            }
        }
        let (gone, came) = (only(o, n), only(n, o));
        if let ([from], [to]) = (gone.as_slice(), came.as_slice()) {
            let moved = Moved {
                name: to.name.clone(),
                identity: id.clone(),
                from: from.clone(),
                to: to.clone(),
            };
            d.relicensed.extend(relicensed(from, to));
            let ordering = compare(
                from.version.as_deref().unwrap_or(""),
                to.version.as_deref().unwrap_or(""),
            );
            match ordering {
                Ordering::Greater => d.downgraded.push(moved),
                // Two spellings of one version (`v1.0` and `1.0`) count as an upgrade: the
                // version text changed.
                _ => d.upgraded.push(moved),
            }
        } else {
            d.removed.extend(gone);
            d.added.extend(came);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pkg(name: &str, version: &str, licence: &str) -> Package {
        Package {
            name: name.into(),
            version: Some(version.into()),
            purl: Some(format!("pkg:npm/{name}@{version}")),
            licenses: vec![licence.into()],
        }
    }

    #[test]
    fn added_removed_upgraded_downgraded_and_relicensed() {
        let before = [
            pkg("a", "1.0.0", "MIT"),
            pkg("b", "2.0.0", "MIT"),
            pkg("c", "3.0.0", "MIT"),
            pkg("d", "1.0.0", "MIT"),
        ];
        let after = [
            pkg("a", "1.1.0", "MIT"),
            pkg("b", "1.9.0", "MIT"),
            pkg("d", "1.0.0", "GPL-3.0-only"),
            pkg("e", "0.1.0", "ISC"),
        ];
        let d = diff(&before, &after);
        assert_eq!(d.upgraded.len(), 1);
        assert_eq!(d.upgraded[0].name, "a");
        assert_eq!(d.downgraded[0].to.version.as_deref(), Some("1.9.0"));
        assert_eq!(d.removed, vec![pkg("c", "3.0.0", "MIT")]);
        assert_eq!(d.added, vec![pkg("e", "0.1.0", "ISC")]);
        assert_eq!(d.relicensed.len(), 1);
        assert_eq!(d.relicensed[0].to, vec!["GPL-3.0-only".to_string()]);
        assert_eq!(d.unchanged, 1);
        assert!(diff(&after, &after).is_empty());
    }

    fn list() -> impl Strategy<Value = Vec<Package>> {
        prop::collection::vec(("[a-e]", 0u8..4, 0u8..3, prop::bool::ANY), 0..12).prop_map(|v| {
            let mut seen = std::collections::HashSet::new();
            v.into_iter()
                .filter(|(n, m, _, _)| seen.insert((n.clone(), *m)))
                .map(|(n, m, l, gpl)| {
                    let mut p = pkg(
                        &n,
                        &format!("1.{m}.{l}"),
                        if gpl { "GPL-3.0-only" } else { "MIT" },
                    );
                    p.version = Some(format!("1.{m}.0"));
                    p.purl = Some(format!("pkg:npm/{n}@1.{m}.0"));
                    p
                })
                .collect()
        })
    }

    proptest! {
        /// Every package of either side is accounted for exactly once, a list against itself
        /// has no difference, and swapping the sides swaps added and removed, upgraded and
        /// downgraded.
        #[test]
        fn every_package_is_accounted_for(before in list(), after in list()) {
            let d = diff(&before, &after);
            let moved = d.upgraded.len() + d.downgraded.len();
            prop_assert_eq!(d.removed.len() + moved + d.unchanged as usize, before.len());
            prop_assert_eq!(d.added.len() + moved + d.unchanged as usize, after.len());
            prop_assert!(diff(&before, &before).is_empty());
            let back = diff(&after, &before);
            prop_assert_eq!(back.added.len(), d.removed.len());
            prop_assert_eq!(back.removed.len(), d.added.len());
            prop_assert_eq!(back.upgraded.len(), d.downgraded.len());
            prop_assert_eq!(back.downgraded.len(), d.upgraded.len());
            prop_assert_eq!(back.relicensed.len(), d.relicensed.len());
        }
    }
}
