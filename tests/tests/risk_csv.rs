//! The risk register as CSV, through the real CLI on real SQLite files: files other people's
//! tools wrote, the round trip through `risk export` and `risk import`, and every kind of bad
//! file, each refused with its line and nothing imported.
//!
//! The corpus: csv-spectrum's edge cases (`tests/corpus/csv/csv-spectrum`, with the records
//! each must give) and registers written by Python's `csv` module and by pandas
//! (`tests/python/csv_reference.py`), read by Relm and by Python's `csv` module. The figures
//! go to `target/csv-corpus.txt` and `docs/risk.md`.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use relm_api::risk_csv::records;
use relm_tests::{Replica, python, workspace_root};
use serde_json::Value;

/// `tests/python/csv_reference.py MODE PATH`'s output.
fn reference(mode: &str, path: &Path) -> Vec<u8> {
    let out = Command::new(python())
        .arg(workspace_root().join("tests/python/csv_reference.py"))
        .arg(mode)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What Python's `csv` module reads from `file`.
fn python_reads(file: &Path) -> Value {
    serde_json::from_slice(&reference("read", file)).unwrap()
}

/// Registers written by Python's csv module and pandas, in a fresh folder, and the rows they
/// hold.
fn written_by_other_tools() -> (
    tempfile::TempDir,
    Vec<PathBuf>,
    Vec<BTreeMap<String, String>>,
) {
    let dir = tempfile::tempdir().unwrap();
    reference("write", dir.path());
    let expected: Vec<BTreeMap<String, String>> =
        serde_json::from_slice(&std::fs::read(dir.path().join("expected.json")).unwrap()).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    (dir, files, expected)
}

/// Records as rows keyed by the header's names (how csv-spectrum states what a file holds).
fn keyed(records: &[Vec<String>]) -> Vec<BTreeMap<String, String>> {
    let Some((header, rows)) = records.split_first() else {
        return Vec::new();
    };
    rows.iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

#[test]
fn the_csv_reader_reads_the_corpus_as_its_authors_and_python_do() {
    let spectrum = workspace_root().join("tests/corpus/csv/csv-spectrum");
    let (_dir, written, _) = written_by_other_tools();
    let mut files: Vec<PathBuf> = std::fs::read_dir(spectrum.join("csvs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.extend(written);
    let (mut identical, mut refused, mut differing) = (Vec::new(), Vec::new(), Vec::new());
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(file).unwrap();
        let ours = records(&bytes).map(|(r, _)| r.into_iter().map(|r| r.cells).collect::<Vec<_>>());
        // What the file must give: csv-spectrum says it in JSON; for the others, Python's
        // reading is the reference.
        let json = spectrum.join("json").join(name.replace(".csv", ".json"));
        // That file's JSON gives another phone number than its CSV holds (a slip in the
        // corpus): Python's reading is the reference there too.
        let stated = json.exists() && name != "location_coordinates.csv";
        let same = match (&ours, stated) {
            (Ok(ours), true) => {
                let want: Vec<BTreeMap<String, String>> =
                    serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
                keyed(ours) == want
            }
            (Ok(ours), false) => {
                let py = python_reads(file);
                py["records"] == serde_json::json!(ours)
            }
            (Err(_), _) => {
                refused.push(name);
                continue;
            }
        };
        if same {
            identical.push(name);
        } else {
            differing.push(format!("{name}: {ours:?}"));
        }
    }
    // Python's reading of the spectrum agrees with the spectrum too (the reference is sound).
    for name in ["newlines_crlf.csv", "quotes_and_newlines.csv", "utf8.csv"] {
        let py = python_reads(&spectrum.join("csvs").join(name));
        let rows: Vec<Vec<String>> = serde_json::from_value(py["records"].clone()).unwrap();
        let want: Vec<BTreeMap<String, String>> = serde_json::from_slice(
            &std::fs::read(spectrum.join("json").join(name.replace(".csv", ".json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(keyed(&rows), want, "{name}");
    }
    let figure = format!(
        "{} files: {} read identically, {} refused, {} differing\n",
        files.len(),
        identical.len(),
        refused.len(),
        differing.len()
    );
    std::fs::write(workspace_root().join("target/csv-corpus.txt"), &figure).unwrap();
    assert!(differing.is_empty(), "{figure}{differing:#?}");
    assert!(refused.is_empty(), "{figure}{refused:#?}");
    assert!(files.len() >= 17, "{figure}");
}

/// The register as `risk list` shows it, reduced to what a CSV carries.
fn register(r: &Replica) -> Vec<Value> {
    let mut list: Vec<Value> = r
        .json(&["risk", "list", "--status", "open"])
        .as_array()
        .unwrap()
        .iter()
        .chain(
            r.json(&["risk", "list", "--status", "mitigating"])
                .as_array()
                .unwrap(),
        )
        .chain(
            r.json(&["risk", "list", "--status", "closed"])
                .as_array()
                .unwrap(),
        )
        .map(|v| {
            let mitigations: Vec<Value> = v["mitigations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| serde_json::json!([m["action"], m["done"], m["due"]]))
                .collect();
            serde_json::json!({
                "title": v["title"], "description": v["description"], "category": v["category"],
                "likelihood": v["likelihood"], "impact": v["impact"], "services": v["services"],
                "review_by": v["review_by"], "status": v["status"], "mitigations": mitigations,
                "residual": [v["residual_likelihood"], v["residual_impact"]],
                "closure": v["closure"]["reason"], "owner": v["owner_name"],
            })
        })
        .collect();
    list.sort_by_key(|v| v["title"].as_str().unwrap().to_string());
    list
}

#[test]
fn files_other_tools_wrote_import_as_they_meant() {
    let (_dir, files, expected) = written_by_other_tools();
    for file in &files {
        let r = Replica::new();
        r.init();
        let v = r.json(&["risk", "import", file.to_str().unwrap()]);
        assert_eq!(v["imported"], expected.len(), "{}: {v}", file.display());
        let list = r.json(&["risk", "list"]);
        for want in &expected {
            let got = list
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["title"] == want["title"].as_str())
                .unwrap_or_else(|| panic!("{}: no {} in {list}", file.display(), want["title"]));
            assert_eq!(
                got["description"].as_str().unwrap_or_default(),
                want["description"],
                "{}",
                file.display()
            );
            assert_eq!(got["category"], want["category"].as_str());
            assert_eq!(got["likelihood"].to_string(), want["likelihood"]);
            let services: Vec<String> = want["services"]
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            assert_eq!(
                got["services"].as_array().cloned().unwrap_or_default(),
                serde_json::json!(services).as_array().cloned().unwrap(),
                "{}",
                file.display()
            );
            let actions: Vec<&str> = got["mitigations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["action"].as_str().unwrap())
                .collect();
            let want_actions: Vec<&str> = want["mitigations"]
                .lines()
                .map(|l| l[3..].trim().trim_start_matches("due:2099-01-15 "))
                .collect();
            assert_eq!(actions, want_actions, "{}", file.display());
        }
    }
}

#[test]
fn the_register_round_trips_through_export_and_import() {
    let a = Replica::new();
    a.init();
    let add = |title: &str, extra: &[&str]| -> String {
        let mut args = vec![
            "risk",
            "add",
            "--title",
            title,
            "--category",
            "technical",
            "--likelihood",
            "4",
            "--impact",
            "3",
        ];
        args.extend(extra);
        a.json(&args)["id"].as_str().unwrap().to_string()
    };
    let one = add(
        "Schema migration, \"v2\"; irreversible",
        &[
            "--description",
            "Line one\nLine two, with a comma; and a semicolon\n=HYPERLINK(\"x\")",
            "--service",
            "ledger",
            "--service",
            "payments-api",
            "--review-by",
            "2099-03-31",
        ],
    );
    a.ok(&[
        "risk",
        "mitigate",
        &one,
        "--action",
        "Rehearse the down migration",
        "--due",
        "2099-02-01",
        "--residual-likelihood",
        "2",
        "--residual-impact",
        "3",
    ]);
    a.ok(&["risk", "mitigate", &one, "--action=-- dry run first"]);
    a.ok(&["risk", "mitigate", &one, "--done", "1"]);
    let two = add("@mention starts like a formula", &[]);
    a.ok(&["risk", "close", &two, "--reason", "the vendor fixed it"]);
    add(
        "Zoë’s accented « risque »",
        &["--description", "+33 1 23 45 67 89"],
    );
    let before = register(&a);
    for delimiter in ["comma", "semicolon"] {
        let out = a.root.path().join(format!("register-{delimiter}.csv"));
        a.ok(&[
            "risk",
            "export",
            "--out",
            out.to_str().unwrap(),
            "--delimiter",
            delimiter,
        ]);
        let b = Replica::new();
        b.init();
        let v = b.json(&["risk", "import", out.to_str().unwrap()]);
        assert_eq!(v["imported"], 3, "{v}");
        assert_eq!(register(&b), before, "{delimiter}");
        // The ids come along, so a second import of the same file is refused.
        let err = b.fails(&["risk", "import", out.to_str().unwrap()], 2);
        assert!(err.contains("is in the register already"), "{err}");
    }
}

/// Write `text` (bytes) as a CSV file in `r`'s folder; returns its path.
fn csv_file(r: &Replica, name: &str, bytes: &[u8]) -> String {
    let p = r.root.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn every_bad_row_is_reported_by_line_and_nothing_is_imported() {
    let r = Replica::new();
    r.init();
    let id = "01a22ae3-7799-7e85-9dee-0b0e2ec3fbe4";
    let file = csv_file(
        &r,
        "bad.csv",
        format!(
            "id,title,category,likelihood,impact,owner\r\n\
             ,Good one,technical,2,2,\r\n\
             ,Too likely,technical,7,2,\r\n\
             ,\"Unknown owner\non two lines\",security,2,2,nobody@nowhere.example\r\n\
             {id},First with this id,business,1,1,\r\n\
             {id},Second with this id,business,1,1,\r\n\
             ,Ragged,technical,2\r\n\
             ,,kinda,0,x,\r\n"
        )
        .as_bytes(),
    );
    let before = r.event_count();
    let err = r.fails(&["risk", "import", &file], 2);
    for want in [
        "5 bad row(s), nothing imported",
        "bad.csv:3: likelihood: 7 is outside the 1–5 scale",
        "bad.csv:4: owner: no active member has the e-mail `nobody@nowhere.example`",
        "bad.csv:7: id: 01a22ae3-7799-7e85-9dee-0b0e2ec3fbe4 is on line 6 already",
        "bad.csv:8: 4 cells where the header names 6 columns",
        "bad.csv:9: impact: `x` is not a whole number from 1 to 5",
    ] {
        assert!(err.contains(want), "`{want}` in:\n{err}");
    }
    assert!(
        err.contains("category: unknown risk category `kinda`")
            && err.contains("title: a risk needs a title"),
        "{err}"
    );
    assert_eq!(
        err.matches("impact:").count(),
        1,
        "one problem per cell: {err}"
    );
    assert_eq!(r.event_count(), before, "nothing stored");
    // With --skip-invalid: the good rows, and which lines were left out.
    let v = r.json(&["risk", "import", &file, "--skip-invalid"]);
    assert_eq!(v["imported"], 2, "{v}");
    let lines: Vec<u64> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 7, 8, 9]);
    let titles: Vec<String> = r
        .json(&["risk", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"First with this id".to_string()));
    assert_eq!(r.json(&["risk", "show", id])["title"], "First with this id");
}

#[test]
fn files_that_are_not_a_register_are_refused_whole() {
    let r = Replica::new();
    r.init();
    let before = r.event_count();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "the file is empty"),
        (
            "missing.csv",
            b"title,category\nA,technical\n".to_vec(),
            "line 1: missing column(s): likelihood, impact",
        ),
        (
            "unknown.csv",
            b"title,category,likelihood,impact,severity\nA,technical,1,1,high\n".to_vec(),
            "unknown column `severity`; the columns are: id, title",
        ),
        (
            "twice.csv",
            b"title,title,category,likelihood,impact\n".to_vec(),
            "column `title` is named twice",
        ),
        (
            "latin1.csv",
            b"title,category,likelihood,impact\nDonn\xe9es,technical,1,1\n".to_vec(),
            "line 2: byte 0xE9 is not UTF-8",
        ),
        (
            "utf16.csv",
            b"\xff\xfet\x00i\x00t\x00l\x00e\x00".to_vec(),
            "the file is UTF-16; save it as UTF-8",
        ),
    ];
    for (name, bytes, want) in cases {
        let file = csv_file(&r, name, &bytes);
        let err = r.fails(&["risk", "import", &file], 2);
        assert!(err.contains(want), "{name}: `{want}` in {err}");
    }
    // A FIFO in place of a file is not waited on.
    let fifo = r.root.path().join("pipe.csv");
    relm_tests::mkfifo(&fifo);
    let err = r.fails(&["risk", "import", fifo.to_str().unwrap()], 2);
    assert!(err.contains("not a regular file"), "{err}");
    let problem = &r.refused(&["risk", "import", fifo.to_str().unwrap()], 2)["problems"][0];
    assert_eq!(
        (&problem["field"], &problem["params"]["reason"]),
        (&"file".into(), &"not_regular".into()),
        "{problem}"
    );
    assert_eq!(r.event_count(), before);
}
