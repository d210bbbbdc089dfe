//! PDFs written by the engine, read back by other people's tools: `qpdf --check` finds no
//! fault, `pdffonts` shows the fonts embedded (subset), `pdftotext` gives back every word,
//! accents included, `pdfinfo` the metadata and the paper size, `qpdf --json` the outline. And
//! the same document gives the same bytes. (`make deps` installs qpdf and poppler-utils.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::path::Path;
use std::process::Command;

use relm_report::{
    Block, Chart, ChartKind, Column, Document, Lang, Paper, Section, Series, Table, paginate,
    render,
};

fn tool(name: &str, args: &[&str], file: &Path) -> (bool, String) {
    let out = Command::new(name)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("`{name}` could not run ({e}): `make deps` installs it"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn dossier(rows: usize, created: i64) -> Document {
    Document {
        title: "Dossier de mise en production — paiements 4.2.0".into(),
        subject: "paiements 4.2.0 (prod)".into(),
        author: "Zoë Lefèvre".into(),
        lang: Lang::Fr,
        digest: format!("sha256:{}", "7f".repeat(32)),
        created,
        sections: vec![
            Section::new(
                "Synthèse",
                vec![
                    Block::key_values([
                        ("Version", "4.2.0"),
                        ("Statut", "déployée"),
                        ("Fenêtre", "mardi 10 mars 2026, 10:00–12:00 (Europe/Paris)"),
                    ]),
                    Block::paragraph(
                        "Déploiement approuvé par Bérénice Ørsted ; « aucune dérogation » n’a été nécessaire. Œuvre à côté.",
                    ),
                ],
            ),
            Section::new(
                "Journal d’audit",
                vec![Block::Table(Table {
                    columns: vec![
                        Column::new("N°", 0.6).right(),
                        Column::new("Événement", 2.0),
                        Column::new("Auteur", 1.4),
                    ],
                    rows: (0..rows)
                        .map(|i| {
                            vec![
                                format!("{i}"),
                                format!("déploiement n° {i} en production"),
                                "Élodie".into(),
                            ]
                        })
                        .collect(),
                })],
            ),
            Section::new(
                "Indicateurs",
                vec![Block::Chart(Chart {
                    title: "Déploiements par semaine".into(),
                    kind: ChartKind::Lines,
                    labels: (1..=10).map(|w| format!("S{w}")).collect(),
                    series: vec![Series {
                        name: "réussis".into(),
                        values: (1..=10).map(|w| Some(f64::from(w % 4))).collect(),
                    }],
                })],
            ),
        ],
    }
}

#[test]
fn a_dossier_is_a_valid_pdf_with_its_fonts_text_outline_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dossier(120, 1_767_225_600);
    for paper in [Paper::A4, Paper::Letter] {
        let layout = paginate(&doc, paper).unwrap();
        let bytes = render(&doc, &layout).unwrap();
        let file = dir.path().join(format!("{paper:?}.pdf"));
        std::fs::write(&file, &bytes).unwrap();

        let (ok, out) = tool("qpdf", &["--check"], &file);
        assert!(ok, "qpdf --check: {out}");
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");

        let (ok, fonts) = tool("pdffonts", &[], &file);
        assert!(ok, "{fonts}");
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert_eq!(rows.len(), 2, "regular and bold: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert!(cols[0].contains("+LiberationSans"), "subset tag: {row}");
            // emb sub uni: yes yes yes.
            assert_eq!(
                &cols[cols.len() - 5..cols.len() - 2],
                ["yes", "yes", "yes"],
                "{row}"
            );
        }

        // pdftotext writes FILE.txt beside FILE.pdf.
        let (ok, out) = tool("pdftotext", &["-enc", "UTF-8", "-layout"], &file);
        assert!(ok, "{out}");
        let text = std::fs::read_to_string(file.with_extension("txt")).unwrap();
        for needle in [
            "Déploiement approuvé par Bérénice Ørsted",
            "« aucune dérogation » n’a été nécessaire",
            "Œuvre",
            "déploiement n° 0 en production",
            "déploiement n° 119 en production",
            "Journal d’audit",
            "Europe/Paris",
        ] {
            assert!(text.contains(needle), "{needle} in the text of {paper:?}");
        }
        let pages = layout.pages.len();
        assert!(text.contains(&format!("page {pages} / {pages}")));
        assert!(text.contains(&doc.digest));

        let (ok, info) = tool("pdfinfo", &[], &file);
        assert!(ok, "{info}");
        assert!(
            info.contains(&format!("Pages:           {pages}")),
            "{info}"
        );
        assert!(
            info.contains("Title:           Dossier de mise en production — paiements 4.2.0"),
            "{info}"
        );
        assert!(info.contains("Author:          Zoë Lefèvre"), "{info}");
        assert!(
            info.contains("Subject:         paiements 4.2.0 (prod)"),
            "{info}"
        );
        let size = match paper {
            Paper::A4 => "595.28 x 841.89 pts (A4)",
            Paper::Letter => "612 x 792 pts (letter)",
        };
        assert!(info.contains(size), "{size} in {info}");

        let (ok, json) = tool("qpdf", &["--json", "--json-key=outlines"], &file);
        assert!(ok, "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let titles: Vec<&str> = v["outlines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Synthèse", "Journal d’audit", "Indicateurs"]);

        // The chart is vector graphics: no image anywhere.
        let (ok, images) = tool("pdfimages", &["-list"], &file);
        assert!(ok, "{images}");
        assert_eq!(images.lines().count(), 2, "{images}");
    }
}

#[test]
fn the_same_document_gives_the_same_bytes_and_another_time_other_bytes() {
    let doc = dossier(40, 1_767_225_600);
    let layout = paginate(&doc, Paper::A4).unwrap();
    let a = render(&doc, &layout).unwrap();
    let b = render(&doc, &paginate(&doc, Paper::A4).unwrap()).unwrap();
    assert!(a == b, "two renders differ");
    let later = dossier(40, 1_767_225_601);
    let c = render(&later, &paginate(&later, Paper::A4).unwrap()).unwrap();
    assert!(a != c, "the time is in the metadata");
    // A report of 40 rows with its fonts embedded weighs little.
    assert!(a.len() < 120_000, "{} bytes", a.len());
}
