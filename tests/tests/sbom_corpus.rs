//! SBOMs nobody on this project wrote, read as a new user's would be: every file of the corpus
//! is read by Relm (`relm_sbom::read`, what `relm sbom attach` and the app use) and by the
//! CycloneDX and SPDX projects' own Python readers (`tests/python/sbom_reference.py`), and the
//! packages compared (name, version, purl, licences).
//!
//! The corpus: `tests/corpus/sbom/cyclonedx-bom-examples/` (the CycloneDX project's example
//! BOMs written by cdxgen, syft, cyclonedx-npm and others, CC0), `tests/corpus/sbom/
//! spdx-tools-python/` (the SPDX Python tools' test documents, Apache-2.0, among them one
//! trivy wrote), and what `npm sbom` writes here, in both formats, for the fixture projects.
//!
//! A file is *identical* when both read the same packages, *refused* when both refuse it. Any
//! other outcome fails the test unless it is listed in [`DIFFERING`] with its reason. The
//! figures go to `target/sbom-corpus.txt` and `docs/sbom.md`.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::{python, workspace_root};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files read differently, each for a reason given here (none today; a file that comes to
/// differ is named by the test and goes here only with its reason).
const DIFFERING: &[(&str, &str)] = &[];

type Packages = Vec<(String, Option<String>, Option<String>, Vec<String>)>;

fn normalized(mut list: Packages) -> Packages {
    for p in &mut list {
        p.3.sort();
    }
    list.sort();
    list
}

fn relm(bytes: &[u8]) -> Result<Packages, String> {
    relm_sbom::read(bytes)
        .map(|s| {
            normalized(
                s.packages
                    .into_iter()
                    .map(|p| (p.name, p.version, p.purl, p.licenses))
                    .collect(),
            )
        })
        .map_err(|e| e.to_string())
}

fn reference(py: &Path, files: &[PathBuf]) -> BTreeMap<PathBuf, Result<Packages, String>> {
    let out = Command::new(py)
        .arg(workspace_root().join("tests/python/sbom_reference.py"))
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let file = PathBuf::from(v["file"].as_str().unwrap());
            let read = if v["ok"] == true {
                Ok(normalized(
                    serde_json::from_value(v["packages"].clone()).unwrap(),
                ))
            } else {
                Err(v["why"].as_str().unwrap().to_string())
            };
            (file, read)
        })
        .collect()
}

#[test]
fn sboms_other_tools_wrote_read_as_their_projects_readers_read_them() {
    let py = python();
    let root = workspace_root().join("tests/corpus/sbom");
    let mut files: Vec<PathBuf> = ["cyclonedx-bom-examples", "spdx-tools-python"]
        .iter()
        .flat_map(|d| {
            let dir = root.join(d);
            relm_tests::Replica::files_under(&dir)
                .into_iter()
                .filter(|f| f.ends_with(".json"))
                .map(move |f| dir.join(f))
        })
        .collect();
    let npm = tempfile::tempdir().unwrap();
    for project in ["npm-shop-1", "npm-shop-2"] {
        for format in ["cyclonedx", "spdx"] {
            files.push(relm_tests::npm_sbom(project, format, npm.path()));
        }
    }
    files.sort();
    let theirs = reference(&py, &files);
    let (mut identical, mut refused, mut differing, mut packages) = (0, 0, Vec::new(), 0);
    let mut report = String::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let ours = relm(&std::fs::read(f).unwrap());
        let other = theirs
            .get(f)
            .unwrap_or_else(|| panic!("no reference for {name}"));
        let verdict = match (&ours, other) {
            (Ok(a), Ok(b)) if a == b => {
                identical += 1;
                packages += a.len();
                format!("identical ({} packages)", a.len())
            }
            (Err(a), Err(b)) => {
                refused += 1;
                format!("refused by both — Relm: {a} — reference: {b}")
            }
            (a, b) => {
                differing.push(name.clone());
                format!(
                    "DIFFERING — Relm: {} — reference: {}",
                    a.as_ref()
                        .map_or_else(|e| e.clone(), |p| format!("{} packages", p.len())),
                    b.as_ref()
                        .map_or_else(|e| e.clone(), |p| format!("{} packages", p.len()))
                )
            }
        };
        report.push_str(&format!("{name}: {verdict}\n"));
    }
    let figure = format!(
        "{} files: {identical} read identically ({packages} packages), {refused} refused by both, {} differing\n",
        files.len(),
        differing.len()
    );
    report.insert_str(0, &figure);
    std::fs::write(workspace_root().join("target/sbom-corpus.txt"), &report).unwrap();
    let expected: Vec<String> = DIFFERING.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(differing, expected, "{report}");
    // Files written by the tools users run, not only empty examples.
    assert!(identical >= 40 && packages >= 1_000, "{report}");
}
