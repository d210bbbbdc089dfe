//! What a release contains: SBOMs written by `npm sbom` (run here on a fixture project, both
//! formats) attached through the `relm` binary, shown, diffed against the previous release,
//! searched; bad files refused with the reason and nothing stored; a member's crafted
//! attachment without effect on every replica.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::Path;

use relm_tests::{Replica, not_applied, npm_sbom, team};
use serde_json::{Value, json};

/// A release of `shop` at `version` with one component, `web`.
fn release(r: &Replica, version: &str) -> String {
    let v = r.json(&[
        "release",
        "create",
        "--service",
        "shop",
        "--version",
        version,
        "--env",
        "prod",
        "--title",
        &format!("Shop {version}"),
        "--component",
        &format!("web|{version}"),
    ]);
    v["id"].as_str().unwrap().to_string()
}

fn attach(r: &Replica, id: &str, file: &Path) -> Value {
    r.json(&[
        "sbom",
        "attach",
        id,
        "--component",
        "web",
        file.to_str().unwrap(),
    ])
}

fn versions(list: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["from"]["version"].as_str().unwrap().to_string(),
                m["to"]["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn sboms_npm_writes_are_attached_diffed_and_searched() {
    let r = Replica::new();
    r.init();
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (release(&r, "1.0.0"), release(&r, "1.1.0"));
    // Both formats npm writes, of one lockfile, read as the same packages.
    let cdx = attach(&r, &v1, &npm_sbom("npm-shop-1", "cyclonedx", dir.path()));
    assert_eq!(
        (cdx["document"]["format"].as_str(), cdx["packages"].as_u64()),
        (Some("cyclonedx"), Some(4))
    );
    assert!(
        cdx["document"]["tool"].as_str().unwrap().contains("npm"),
        "{cdx}"
    );
    assert!(
        cdx["document"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let spdx_file = npm_sbom("npm-shop-1", "spdx", dir.path());
    let v1b = release(&r, "1.0.1");
    let spdx = attach(&r, &v1b, &spdx_file);
    assert_eq!(
        (
            spdx["document"]["format"].as_str(),
            spdx["packages"].as_u64()
        ),
        (Some("spdx"), Some(4))
    );
    let same = r.json(&["sbom", "diff", &v1b, "--against", &v1]);
    assert_eq!(same["diff"]["unchanged"], 4, "{same}");
    assert!(
        same["diff"]["added"].as_array().unwrap().is_empty(),
        "{same}"
    );

    // The next version: against the previous release of the service with an SBOM (1.0.1).
    attach(&r, &v2, &npm_sbom("npm-shop-2", "cyclonedx", dir.path()));
    let d = r.json(&["sbom", "diff", &v2]);
    assert_eq!(d["against"]["version"], "1.0.1", "{d}");
    let diff = &d["diff"];
    assert_eq!(
        versions(&diff["upgraded"]),
        vec![("lodash".into(), "4.17.20".into(), "4.17.21".into())]
    );
    assert_eq!(
        versions(&diff["downgraded"]),
        vec![
            ("is-number".into(), "7.0.0".into(), "6.0.0".into()),
            ("ms".into(), "2.1.2".into(), "2.0.0".into())
        ]
    );
    assert_eq!(diff["added"][0]["name"], "debug", "{d}");
    assert_eq!(diff["added"][0]["purl"], "pkg:npm/debug@2.6.9", "{d}");
    assert!(diff["removed"].as_array().unwrap().is_empty(), "{d}");
    assert_eq!(diff["unchanged"], 1, "{d}");
    let text = r.ok(&["sbom", "diff", &v2]);
    assert!(text.contains("↑ lodash 4.17.20 → 4.17.21"), "{text}");
    assert!(text.contains("+ debug 2.6.9  (MIT)"), "{text}");

    // Which releases ship lodash, and which ship 4.17.20 exactly.
    let all = r.json(&["sbom", "where", "LoDash"]);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let old = r.json(&["sbom", "where", "lodash", "--version", "4.17.20"]);
    let mut shipped: Vec<_> = old
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["release"]["version"].as_str().unwrap().to_string())
        .collect();
    shipped.sort();
    assert_eq!(shipped, ["1.0.0", "1.0.1"]);
    assert_eq!(r.json(&["sbom", "where", "openssl"]), json!([]));

    // The contents, and the attachment on record in the release's history.
    let show = r.json(&["sbom", "show", &v2]);
    let names: Vec<_> = show["components"][0]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["debug", "is-number", "left-pad", "lodash", "ms"]);
    assert_eq!(
        show["components"][0]["packages"][2]["licenses"],
        json!(["WTFPL"])
    );
    assert_eq!(r.events_of("sbom.attached"), 3);
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
}

/// A CycloneDX 1.6 document listing `components` (JSON objects).
fn cdx(components: &[Value]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": components,
    }))
    .unwrap()
}

#[test]
fn licence_changes_are_named_and_attaching_again_replaces() {
    let r = Replica::new();
    r.init();
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (release(&r, "1.0.0"), release(&r, "1.1.0"));
    let lib = |licence: &str| {
        json!({"type": "library", "name": "widget", "version": "2.0.0",
               "purl": "pkg:cargo/widget@2.0.0", "licenses": [{"expression": licence}]})
    };
    let write = |name: &str, bytes: Vec<u8>| {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        f
    };
    attach(&r, &v1, &write("a.json", cdx(&[lib("MIT OR Apache-2.0")])));
    attach(&r, &v2, &write("b.json", cdx(&[lib("GPL-3.0-only")])));
    let d = r.json(&["sbom", "diff", &v2]);
    assert_eq!(
        d["diff"]["relicensed"][0]["from"],
        json!(["MIT OR Apache-2.0"]),
        "{d}"
    );
    assert_eq!(
        d["diff"]["relicensed"][0]["to"],
        json!(["GPL-3.0-only"]),
        "{d}"
    );
    // Attached again, the component's contents are the new document's.
    attach(&r, &v2, &write("c.json", cdx(&[lib("MIT OR Apache-2.0")])));
    let d = r.json(&["sbom", "diff", &v2]);
    assert!(
        d["diff"]["relicensed"].as_array().unwrap().is_empty(),
        "{d}"
    );
    assert_eq!(
        r.json(&["sbom", "show", &v2])["components"][0]["packages"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// `relm sbom attach` that must exit 2: what it says.
fn refused(r: &Replica, id: &str, component: &str, file: &Path) -> String {
    r.fails(
        &[
            "sbom",
            "attach",
            id,
            "--component",
            component,
            file.to_str().unwrap(),
        ],
        2,
    )
}

#[test]
fn bad_files_are_refused_with_the_reason_and_nothing_is_stored() {
    let r = Replica::new();
    r.init();
    let id = release(&r, "1.0.0");
    let dir = tempfile::tempdir().unwrap();
    let good = serde_json::to_string(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5",
        "components": [{"name": "a", "version": "1"}],
    }))
    .unwrap();
    let mut nested = String::from(r#"{"name":"leaf"}"#);
    for i in 0..40 {
        nested = format!(r#"{{"name":"c{i}","components":[{nested}]}}"#);
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.json",
            good.as_bytes()[..good.len() - 3].to_vec(),
            "cut off",
        ),
        ("bom.xml", b"<?xml version=\"1.0\"?><bom/>".to_vec(), "XML"),
        (
            "old.json",
            good.replace("1.5", "1.2").into_bytes(),
            "CycloneDX 1.2: Relm reads CycloneDX 1.4, 1.5 and 1.6",
        ),
        (
            "spdx22.json",
            br#"{"spdxVersion":"SPDX-2.2","packages":[]}"#.to_vec(),
            "SPDX 2.2: Relm reads SPDX 2.3",
        ),
        (
            "package.json",
            br#"{"name":"shop","version":"1.0.0"}"#.to_vec(),
            "neither CycloneDX",
        ),
        (
            "nested.json",
            format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{nested}]}}"#)
                .into_bytes(),
            "nests deeper",
        ),
    ];
    for (name, bytes, said) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let err = refused(&r, &id, "web", &f);
        assert!(err.contains(name) && err.contains(said), "{name}: {err}");
    }
    // 100 MB (sparse: nothing is written to disk), refused before it is read.
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    let err = refused(&r, &id, "web", &huge);
    assert!(err.contains("larger than 64 MiB"), "{err}");
    let attached_problem = |file: &Path| {
        let args = [
            "sbom",
            "attach",
            &id,
            "--component",
            "web",
            file.to_str().unwrap(),
        ];
        let problem = r.refused(&args, 2)["problems"][0].clone();
        assert_eq!(problem["code"], "bad_file", "{problem}");
        problem["params"].clone()
    };
    assert_eq!(attached_problem(&huge)["reason"], "too_large");
    assert_eq!(attached_problem(&huge)["max"], "64");
    // A FIFO is not waited on.
    let fifo = dir.path().join("fifo.json");
    relm_tests::mkfifo(&fifo);
    let err = refused(&r, &id, "web", &fifo);
    assert!(err.contains("not a regular file"), "{err}");
    assert_eq!(attached_problem(&fifo)["reason"], "not_regular");
    // A component the release does not have.
    let f = dir.path().join("good.json");
    std::fs::write(&f, &good).unwrap();
    let err = refused(&r, &id, "api", &f);
    assert!(
        err.contains("no component `api`; its components are web"),
        "{err}"
    );
    // Nothing stored by any of them.
    assert_eq!(r.events_of("sbom.attached"), 0);
    assert_eq!(r.json(&["sbom", "show", &id])["components"], json!([]));
    // Duplicate and malformed purls: read, with notes.
    let odd = serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "components": [
            {"name": "a", "version": "1", "purl": "pkg:npm/a@1"},
            {"name": "a", "version": "1", "purl": "pkg:npm/a@1"},
            {"name": "b", "version": "2", "purl": "not a purl"},
        ],
    }))
    .unwrap();
    let f = dir.path().join("odd.json");
    std::fs::write(&f, odd).unwrap();
    let v = attach(&r, &id, &f);
    assert_eq!(v["packages"], 2, "{v}");
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes[0].as_str().unwrap().contains("listed more than once"),
        "{v}"
    );
    assert!(notes[1].as_str().unwrap().contains("malformed"), "{v}");
}

#[test]
fn a_crafted_attachment_has_no_effect_on_any_replica() {
    let (a, b, remote) = team();
    let id = release(&a, "1.0.0");
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    // Bob, a release manager, signs attachments no Relm would write: a package name with an
    // escape sequence and more packages than an attachment may carry (set aside as every
    // replica receives them), a format no Relm reads and a digest that is not one (well formed
    // as events, without effect).
    let pkg = |name: String| json!({"name": name, "version": "1"});
    let doc = json!({"format": "cyclonedx", "spec_version": "1.6",
                     "digest": format!("sha256:{}", "ab".repeat(32))});
    let mut forger = relm_tests::forge::Forger::of(&b);
    let t = relm_tests::now_ms();
    // Having seen the release (and so Bob's admission before it).
    let (author, seq): (String, i64) = a
        .db()
        .query_row(
            "SELECT author, seq FROM events ORDER BY pos DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let seen = relm_tests::forge::dep_on(&a, &author, seq as u64);
    let mut craft = |n: u64, document: Value, packages: Vec<Value>| {
        forger.next_after(
            t + n,
            "sbom.attached",
            json!({"release_id": id, "component": "web", "document": document, "packages": packages}),
            if n == 0 { vec![seen.clone()] } else { Vec::new() },
        )
    };
    let crafted = [
        craft(
            0,
            json!({"format": "cyclonedx", "spec_version": "9.9", "digest": doc["digest"]}),
            vec![pkg("a".into())],
        ),
        craft(
            1,
            json!({"format": "spdx", "spec_version": "2.3", "digest": "sha256:XYZ"}),
            vec![pkg("a".into())],
        ),
        craft(2, doc.clone(), vec![pkg("evil\u{1b}[2J".into())]),
        craft(
            3,
            doc.clone(),
            (0..10_001).map(|i| pkg(format!("p{i}"))).collect(),
        ),
    ];
    relm_tests::forge::plant(remote.path(), "bob-forged", &forger.workspace, &crafted);
    let out = a.run(&["--json", "sync"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "quarantine says so in the exit code"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let set_aside: Vec<&str> = report["remotes"][0]["report"]["pulled"]["quarantined"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["reason"].as_str().unwrap())
        .collect();
    assert_eq!(set_aside.len(), 2, "{report}");
    assert!(set_aside[0].contains("escape character"), "{set_aside:?}");
    assert!(
        set_aside[1].contains("packages has 10001 items; the limit is 10000"),
        "{set_aside:?}"
    );
    let why = not_applied(&a, "sbom.attached");
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(
        why[0].contains("`cyclonedx` `9.9` is not a format Relm reads"),
        "{why:?}"
    );
    assert!(why[1].contains("digest is not `sha256:`"), "{why:?}");
    assert_eq!(a.json(&["sbom", "show", &id])["components"], json!([]));
    assert_eq!(a.json(&["audit", "verify"])["ok"], true);
}

/// `relm check --json` for prod: the line of rule `contents`.
fn contents_line(r: &Replica, id: &str) -> Value {
    let out = r.run(&["check", "--release", id, "--env", "prod", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == "contents")
        .unwrap_or_else(|| panic!("{v}"))
        .clone()
}

#[test]
fn the_sbom_rule_names_missing_sboms_denied_licences_and_unexplained_downgrades() {
    let r = Replica::new();
    r.init();
    let dir = tempfile::tempdir().unwrap();
    let mut policy = String::from_utf8(r.run(&["policy", "export"]).stdout).unwrap();
    policy.push_str(
        "\n[[rules]]\nid = \"contents\"\nkind = \"sbom\"\nwhen = { tiers = [\"production\"] }\ndeny_licenses = [\"GPL-3.0-only\", \"WTFPL\"]\n",
    );
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, policy).unwrap();
    r.ok(&[
        "policy",
        "apply",
        file.to_str().unwrap(),
        "--note",
        "contents",
    ]);
    let v1 = release(&r, "1.0.0");
    let line = contents_line(&r, &v1);
    assert_eq!(line["status"], "fail", "{line}");
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .contains("no SBOM for 1 component: web"),
        "{line}"
    );
    assert!(
        line["remedy"]
            .as_str()
            .unwrap()
            .contains("relm sbom attach"),
        "{line}"
    );
    // npm's SBOM lists left-pad, under the WTFPL, which this policy denies.
    attach(&r, &v1, &npm_sbom("npm-shop-1", "cyclonedx", dir.path()));
    let line = contents_line(&r, &v1);
    assert_eq!(line["status"], "fail", "{line}");
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .contains("1 package under a licence the policy denies: left-pad 1.3.0 (WTFPL)"),
        "{line}"
    );
    // Without the WTFPL on the list: the next version downgrades two packages unexplained.
    let mut policy = String::from_utf8(r.run(&["policy", "export"]).stdout).unwrap();
    policy = policy.replace(", \"WTFPL\"", "");
    std::fs::write(&file, policy).unwrap();
    r.ok(&[
        "policy",
        "apply",
        file.to_str().unwrap(),
        "--note",
        "WTFPL allowed",
    ]);
    assert_eq!(contents_line(&r, &v1)["status"], "pass");
    let v2 = release(&r, "1.1.0");
    attach(&r, &v2, &npm_sbom("npm-shop-2", "cyclonedx", dir.path()));
    let line = contents_line(&r, &v2);
    assert_eq!(line["status"], "fail", "{line}");
    let reason = line["reason"].as_str().unwrap();
    assert!(
        reason.contains("2 packages downgraded without a note")
            && reason.contains("is-number 7.0.0 → 6.0.0")
            && reason.contains("ms 2.1.2 → 2.0.0"),
        "{line}"
    );
    // Said why in the description, naming them: the line passes.
    r.ok(&[
        "release",
        "update",
        &v2,
        "--description",
        "debug 2.6.9 needs ms 2.0.0; is-number 6 for Node 12",
    ]);
    let line = contents_line(&r, &v2);
    assert_eq!(line["status"], "pass", "{line}");
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .contains("1 SBOM, 5 packages"),
        "{line}"
    );
    // A package only under a denied licence fails; one with an allowed alternative passes.
    for (licence, status) in [("GPL-3.0-only", "fail"), ("MIT OR GPL-3.0-only", "pass")] {
        let f = dir.path().join("gpl.json");
        std::fs::write(
            &f,
            cdx(&[json!({"name": "widget", "version": "1.0.0",
                        "licenses": [{"expression": licence}]})]),
        )
        .unwrap();
        let v = release(&r, &format!("3.0.{}", status.len()));
        attach(&r, &v, &f);
        assert_eq!(contents_line(&r, &v)["status"], status, "{licence}");
    }
}

#[test]
fn release_notes_are_drafted_from_changes_components_and_contents() {
    let r = Replica::new();
    r.init();
    let dir = tempfile::tempdir().unwrap();
    let v1 = release(&r, "1.0.0");
    attach(&r, &v1, &npm_sbom("npm-shop-1", "cyclonedx", dir.path()));
    let v2 = r.json(&[
        "release",
        "create",
        "--service",
        "shop",
        "--version",
        "1.1.0",
        "--env",
        "prod",
        "--title",
        "Faster *checkout*",
        "--description",
        "One step. [click](javascript:alert(1)) <script>x</script>",
        "--component",
        "web|1.1.0",
        "--change",
        "SHOP-12|One-step checkout|https://tracker.example/SHOP-12",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Before its SBOM: said plainly.
    let draft = r.ok(&["notes", "draft", &v2]);
    assert!(draft.contains("No SBOM is attached"), "{draft}");
    attach(&r, &v2, &npm_sbom("npm-shop-2", "cyclonedx", dir.path()));
    let draft = r.ok(&["notes", "draft", &v2]);
    for line in [
        "# shop 1.1.0 — Faster \\*checkout\\*",
        "- [SHOP-12](https://tracker.example/SHOP-12) One-step checkout",
        "- web 1.1.0",
        "Since shop 1.0.0:",
        "- Added: debug 2.6.9",
        "- Upgraded: lodash 4.17.20 → 4.17.21",
        "- Downgraded: is-number 7.0.0 → 6.0.0",
    ] {
        assert!(draft.contains(line), "{line}\n{draft}");
    }
    // Text from outside cannot make links or HTML in the notes.
    assert!(
        draft.contains("\\[click\\]\\(javascript:alert\\(1\\)\\) \\<script\\>"),
        "{draft}"
    );
    let fr = r.ok(&["notes", "draft", &v2, "--lang", "fr"]);
    assert!(
        fr.contains("Depuis shop 1.0.0\u{a0}:") && fr.contains("- Ajouté\u{a0}: debug 2.6.9"),
        "{fr}"
    );
    // Written as Markdown, or laid out as PDF with its fonts embedded.
    let md = dir.path().join("notes.md");
    let v = r.json(&["notes", "draft", &v2, "--out", md.to_str().unwrap()]);
    assert_eq!(v["format"], "markdown");
    assert_eq!(std::fs::read_to_string(&md).unwrap(), draft);
    let pdf = dir.path().join("notes.pdf");
    let v = r.json(&[
        "notes",
        "draft",
        &v2,
        "--lang",
        "fr",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(v["format"], "pdf");
    relm_tests::scenes::qpdf_check(&pdf);
    let text = relm_tests::scenes::pdf_text(&pdf);
    for line in [
        "Ce qui a changé à l’intérieur",
        "lodash",
        "4.17.21",
        "revenu en arrière",
        "SHOP-12",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let err = r.fails(
        &[
            "notes",
            "draft",
            &v2,
            "--out",
            dir.path().join("notes.docx").to_str().unwrap(),
        ],
        2,
    );
    assert!(
        err.contains("`.md` file (Markdown) or a `.pdf` file"),
        "{err}"
    );
}
