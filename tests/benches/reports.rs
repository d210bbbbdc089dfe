//! Report benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! The dossier of a release with `RELM_BENCH_EVENTS` (default 200) events of its own
//! (deployments, rollback plans and rehearsals, recorded through the use-cases) in a workspace
//! of `RELM_BENCH_RELEASES` (default 1,000) other releases: gathering its facts and evidence,
//! laying it out, and writing the PDF, as `relm report release` does. Median and 99th
//! percentile of 20 runs.
//!
//! The compliance report of a period with `RELM_BENCH_PERIOD` (default 1,000) releases, each
//! deployed to staging and prod in it: its time and the process's peak resident memory while
//! it is made (the high-water mark reset just before); and, for the same content, printing an
//! equivalent HTML page to PDF with headless Chromium (`chromium --headless --print-to-pdf`)
//! when it is installed, side by side.
//!
//! Verifying an evidence pack of `RELM_BENCH_PACK_EVENTS` (default 100,000) events, as
//! `relm verify` does.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{TimeZone, Utc};
use relm_api::releases::ReleaseInput;
use relm_api::reports::ReportOptions;
use relm_report::{Lang, Paper};
use relm_tests::bench::{env_usize, timed};
use std::time::Instant;

fn main() {
    let wanted = env_usize("RELM_BENCH_EVENTS", 200);
    let others = env_usize("RELM_BENCH_RELEASES", 1_000);
    let root = tempfile::tempdir().unwrap();
    let (mut relm, _, clock) = relm_tests::bench::workspace(
        root.path(),
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    );
    let inputs: Vec<ReleaseInput> = (0..=others)
        .map(|i| ReleaseInput {
            service: Some(format!("svc-{:02}", i % 20)),
            version: Some(format!("1.{}.{}", i / 1000, i % 1000)),
            title: Some("Bench release".into()),
            environments: Some(vec!["staging".into(), "prod".into()]),
            ..ReleaseInput::default()
        })
        .collect();
    let ids = relm.create_releases(&inputs).unwrap();
    let id = ids[0].clone();
    clock.set(Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap());
    // Its creation, and the rest.
    let events = 1 + relm_tests::bench::busy_release(&mut relm, &id, wanted - 1);
    let out = root.path().join("dossier.pdf");
    let report = ReportOptions {
        lang: Lang::En,
        zone: Some("Europe/Paris".into()),
        at: Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap(),
    };
    let mut written = None;
    let (p50, p99) = timed(20, || {
        written = Some(
            relm.write_release_report(&id, &out, Paper::A4, &report)
                .unwrap(),
        );
    });
    let w = written.unwrap();
    println!("| Measure | Median | p99 |");
    println!("|---|---:|---:|");
    println!(
        "| `relm report release`: the dossier of a release with {events} events ({} pages, {} bytes, {} evidence events) among {others} releases | {p50:.1} ms | {p99:.1} ms |",
        w.pages, w.bytes, w.events
    );
    drop(relm);
    period();
    pack_verify();
}

/// The process's peak resident memory since the last reset, in MiB (Linux).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak() {
    // Writing 5 to clear_refs resets the high-water mark of the resident set (Linux ≥ 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn period() {
    use relm_api::deployments::DeploymentInput;
    let n = env_usize("RELM_BENCH_PERIOD", 1_000);
    let root = tempfile::tempdir().unwrap();
    let at = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
    let (mut relm, _, clock) = relm_tests::bench::workspace(root.path(), at);
    let inputs: Vec<ReleaseInput> = (0..n)
        .map(|i| ReleaseInput {
            service: Some(format!("svc-{:02}", i % 20)),
            version: Some(format!("2.{}.{}", i / 1000, i % 1000)),
            title: Some(format!("Quarterly release {i}")),
            environments: Some(vec!["staging".into(), "prod".into()]),
            ..ReleaseInput::default()
        })
        .collect();
    let ids = relm.create_releases(&inputs).unwrap();
    clock.set(Utc.with_ymd_and_hms(2027, 4, 1, 9, 0, 0).unwrap());
    for (i, id) in ids.iter().enumerate() {
        for (k, env) in ["staging", "prod"].into_iter().enumerate() {
            let start = Utc.with_ymd_and_hms(2027, 1, 5, 8, 0, 0).unwrap()
                + chrono::Duration::minutes((i * 120 + k * 60) as i64);
            relm.record_deployment_full(&DeploymentInput {
                release: id.clone(),
                environment: env.into(),
                outcome: if i % 13 == 0 { "failed" } else { "succeeded" }.into(),
                start: Some(relm_domain::window::fmt_utc(start)),
                end: Some(relm_domain::window::fmt_utc(
                    start + chrono::Duration::minutes(20),
                )),
                tool: Some("bench".into()),
                ..DeploymentInput::default()
            })
            .unwrap();
        }
    }
    let opts = ReportOptions {
        lang: Lang::En,
        zone: Some("UTC".into()),
        at: Utc.with_ymd_and_hms(2027, 4, 1, 9, 0, 0).unwrap(),
    };
    let out = root.path().join("period.pdf");
    let mut peak = 0.0f64;
    let mut written = None;
    let (p50, p99) = timed(5, || {
        reset_peak();
        written = Some(
            relm.write_period_report(("2027-01-01", "2027-03-31"), None, &out, Paper::A4, &opts)
                .unwrap(),
        );
        peak = peak.max(peak_mib());
    });
    let w = written.unwrap();
    println!(
        "| `relm report period`: {n} releases, {} deployments ({} pages, {} bytes, {} evidence events) | {p50:.0} ms | {p99:.0} ms |",
        2 * n,
        w.pages,
        w.bytes,
        w.events
    );
    println!("| … peak resident memory of the process while it is made | {peak:.0} MiB | |");

    // The same content laid out and written by the engine, and printed by Chromium.
    let report = relm
        .period_report("2027-01-01", "2027-03-31", None, &opts)
        .unwrap();
    let (e50, _) = timed(5, || {
        let layout = relm_report::paginate(&report.document, Paper::A4).unwrap();
        let bytes = relm_report::render(&report.document, &layout).unwrap();
        std::hint::black_box(bytes);
    });
    println!("| … the engine alone (layout and PDF of the same content) | {e50:.0} ms | |");
    let html = root.path().join("period.html");
    std::fs::write(&html, html_of(&report.document)).unwrap();
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    match chromium {
        Some(c) => {
            let pdf = root.path().join("chromium.pdf");
            let mut times = Vec::new();
            for _ in 0..3 {
                let t = Instant::now();
                let done = std::process::Command::new(c)
                    .args([
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-pdf-header-footer",
                    ])
                    .arg(format!("--print-to-pdf={}", pdf.display()))
                    .arg(format!("file://{}", html.display()))
                    .output()
                    .unwrap();
                assert!(pdf.exists(), "{done:?}");
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            let c50 = times[1];
            let pages = std::process::Command::new("pdfinfo")
                .arg(&pdf)
                .output()
                .ok()
                .and_then(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .find_map(|l| l.strip_prefix("Pages:").map(|p| p.trim().to_string()))
                })
                .unwrap_or_default();
            println!(
                "| … the same content as HTML printed by `{c} --headless --print-to-pdf` ({pages} pages; median of 3) | {c50:.0} ms | |"
            );
            println!(
                "| … ratio, Chromium / the whole `report period` | {:.1}× | |",
                c50 / p50
            );
        }
        None => println!("| … Chromium not installed: no comparison | | |"),
    }
}

/// The report as one HTML page of the same content: headings, paragraphs, key-value lists,
/// tables and charts (as inline SVG).
fn html_of(doc: &relm_report::Document) -> String {
    use relm_report::Block;
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut h = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:'Liberation Sans',sans-serif;font-size:9pt}}table{{border-collapse:collapse;width:100%}}th,td{{border-bottom:1px solid #ccc;padding:3px;text-align:left}}thead{{display:table-header-group}}@page{{size:A4;margin:18mm}}</style></head><body>",
        doc.lang.code(),
        esc(&doc.title)
    );
    for s in &doc.sections {
        h.push_str(&format!("<h1>{}</h1>", esc(&s.title)));
        for b in &s.blocks {
            match b {
                Block::Heading { text } => h.push_str(&format!("<h2>{}</h2>", esc(text))),
                Block::Paragraph { text } => h.push_str(&format!("<p>{}</p>", esc(text))),
                Block::Note { text } => {
                    h.push_str(&format!("<p style=\"color:#666\">{}</p>", esc(text)))
                }
                Block::KeyValues { pairs } => {
                    h.push_str("<dl>");
                    for (k, v) in pairs {
                        h.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v)));
                    }
                    h.push_str("</dl>");
                }
                Block::Table(t) => {
                    h.push_str("<table><thead><tr>");
                    for c in &t.columns {
                        h.push_str(&format!("<th>{}</th>", esc(&c.title)));
                    }
                    h.push_str("</tr></thead><tbody>");
                    for r in &t.rows {
                        h.push_str("<tr>");
                        for c in r {
                            h.push_str(&format!("<td>{}</td>", esc(c)));
                        }
                        h.push_str("</tr>");
                    }
                    h.push_str("</tbody></table>");
                }
                Block::Chart(c) => {
                    let max = c
                        .series
                        .iter()
                        .flat_map(|s| s.values.iter().flatten())
                        .fold(1.0f64, |a, b| a.max(*b));
                    let n = c.labels.len().max(1) as f64;
                    h.push_str(&format!(
                        "<h3>{}</h3><svg width=\"600\" height=\"200\" viewBox=\"0 0 600 200\">",
                        esc(&c.title)
                    ));
                    for (si, s) in c.series.iter().enumerate() {
                        for (i, v) in s.values.iter().enumerate() {
                            if let Some(v) = v {
                                let hgt = 180.0 * v / max;
                                h.push_str(&format!(
                                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{hgt:.1}\" fill=\"{}\"/>",
                                    600.0 * i as f64 / n + si as f64 * 4.0,
                                    190.0 - hgt,
                                    (600.0 / n / 3.0).max(1.0),
                                    if si == 0 { "#2b6cb0" } else { "#c53030" }
                                ));
                            }
                        }
                    }
                    h.push_str("</svg>");
                }
            }
        }
    }
    h.push_str(&format!(
        "<footer>{}</footer></body></html>",
        esc(&doc.digest)
    ));
    h
}

fn pack_verify() {
    let total = env_usize("RELM_BENCH_PACK_EVENTS", 100_000);
    let root = tempfile::tempdir().unwrap();
    let at = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
    let (mut relm, opts, clock) = relm_tests::bench::workspace(root.path(), at);
    let inputs: Vec<ReleaseInput> = (0..1_000)
        .map(|i| ReleaseInput {
            service: Some(format!("svc-{:02}", i % 20)),
            version: Some(format!("3.0.{i}")),
            title: Some("Bench release".into()),
            environments: Some(vec!["staging".into(), "prod".into()]),
            ..ReleaseInput::default()
        })
        .collect();
    let ids = relm.create_releases(&inputs).unwrap();
    let me = relm.identity().unwrap().member.key_id;
    drop(relm);
    // The founder's chain grows with edits of every release: a release edited last rests on
    // all of it.
    {
        let mut store = relm_store::Store::open(&relm_api::db_path(&opts.data_dir)).unwrap();
        let key = relm_tests::bench::key_of(&opts, &me);
        relm_tests::bench::grow_ledger(&mut store, &key, &clock, total);
    }
    let mut relm = relm_api::Relm::open(&opts).unwrap();
    let id = ids.last().unwrap();
    let report = ReportOptions {
        lang: Lang::En,
        zone: None,
        at: Utc.with_ymd_and_hms(2027, 4, 1, 9, 0, 0).unwrap(),
    };
    let pack = root.path().join("pack.zip");
    let t = Instant::now();
    let w = relm
        .write_release_pack(id, &pack, Paper::A4, &report)
        .unwrap();
    let export_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut verdict = None;
    let (v50, v99) = timed(5, || {
        verdict = Some(relm_api::pack::verify_pack(&pack).unwrap());
    });
    let v = verdict.unwrap();
    assert!(v.ok, "{:?}", v.problems);
    println!(
        "| `relm pack release`: a release resting on {} events ({} bytes) | {export_ms:.0} ms | |",
        w.events, w.bytes
    );
    println!(
        "| `relm verify` of that pack ({} events: files, signature, every event replayed, tables rebuilt) | {v50:.0} ms | {v99:.0} ms |",
        v.events
    );
}
