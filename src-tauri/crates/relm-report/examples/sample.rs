//! A sample report with every kind of block: `cargo run -p relm-report --example sample -- OUT.pdf [a4|letter]`.

#![allow(clippy::print_stderr, clippy::unwrap_used)] // a developer's tool

use relm_report::{
    Block, Chart, ChartKind, Column, Document, Lang, Paper, Section, Series, Table, paginate,
    render,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "sample.pdf".into());
    let paper = args
        .next()
        .and_then(|p| Paper::parse(&p))
        .unwrap_or(Paper::A4);
    let weeks: Vec<String> = (1..=26).map(|w| format!("S{w}")).collect();
    let doc = Document {
        title: "Dossier de mise en production — paiements 4.2.0".into(),
        subject: "paiements 4.2.0".into(),
        author: "Zoë Lefèvre".into(),
        lang: Lang::Fr,
        digest: format!("sha256:{}", "7f3a".repeat(16)),
        created: 1_767_225_600,
        sections: vec![
            Section::new(
                "Synthèse",
                vec![
                    Block::key_values([
                        ("Version", "4.2.0"),
                        ("Service", "paiements"),
                        ("Statut", "déployée"),
                        ("Fenêtre", "mardi 10 mars 2026, 10:00–12:00 (Europe/Paris)"),
                    ]),
                    Block::paragraph(
                        "Déploiement approuvé par Bérénice Ørsted ; « aucune dérogation » n’a été nécessaire. Le plan de retour arrière a été répété en préproduction le 9 mars.",
                    ),
                    Block::note("Aucune revue post-déploiement n’est requise pour cette version."),
                ],
            ),
            Section::new(
                "Approbations",
                vec![Block::Table(Table {
                    columns: vec![
                        Column::new("Approbateur", 1.6),
                        Column::new("Rôle", 1.0),
                        Column::new("Quand", 1.6),
                        Column::new("Commentaire", 2.4),
                        Column::new("Clé", 1.2),
                    ],
                    rows: (0..60)
                        .map(|i| {
                            vec![
                                format!("Élodie Marchand {i}"),
                                "approbateur".into(),
                                format!("2026-03-0{} 09:{:02} (Europe/Paris)", 1 + i % 9, i % 60),
                                "Vu le plan de retour arrière et le résultat des tests de charge."
                                    .into(),
                                "ed25519:7f3a9c01".into(),
                            ]
                        })
                        .collect(),
                })],
            ),
            Section::new(
                "Indicateurs de livraison",
                vec![
                    Block::Chart(Chart {
                        title: "Déploiements par semaine".into(),
                        kind: ChartKind::Bars,
                        labels: weeks.clone(),
                        series: vec![
                            Series {
                                name: "réussis".into(),
                                values: (0..26).map(|w| Some(f64::from(3 + w % 5))).collect(),
                            },
                            Series {
                                name: "échoués".into(),
                                values: (0..26).map(|w| Some(f64::from(w % 3))).collect(),
                            },
                        ],
                    }),
                    Block::Chart(Chart {
                        title: "Délai de mise en production (heures, médiane)".into(),
                        kind: ChartKind::Lines,
                        labels: weeks,
                        series: vec![Series {
                            name: "délai".into(),
                            values: (0..26)
                                .map(|w| (w != 7).then(|| 20.0 + f64::from((w * 7) % 13)))
                                .collect(),
                        }],
                    }),
                ],
            ),
        ],
    };
    let layout = paginate(&doc, paper).unwrap();
    let bytes = render(&doc, &layout).unwrap();
    std::fs::write(&out, &bytes).unwrap();
    eprintln!("{out}: {} pages, {} bytes", layout.pages.len(), bytes.len());
}
