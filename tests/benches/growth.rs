//! How the work grows with the ledger (`make bench`): one workspace grown through five sizes,
//! from 10,000 to 1,000,000 events (`RELM_BENCH_GROWTH`, comma-separated, to change them), one
//! release for every ten events. At each size:
//!
//! - `audit verify` of the whole ledger;
//! - a replica's sync that pulls the next 5,000 events (verified, then applied), and a sync
//!   that finds nothing new;
//! - the first page of the release list, unfiltered and filtered by service;
//! - the policy verdict a pipeline asks for (`relm check --service S --version V --env prod`).
//!
//! Prints a Markdown table and the growth exponent between neighbouring sizes (1 is linear),
//! and draws the chart `target/bench/growth.svg` (copied by hand to docs/growth.svg).

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)] // a benchmark reports on stdout (progress on stderr)

use plotters::prelude::*;
use relm_api::Relm;
use relm_api::gates::CheckRequest;
use relm_api::releases::ReleaseQuery;
use relm_tests::bench::{FounderAndReader, release_input};
use std::path::Path;
use std::time::Instant;

/// New events a replica pulls at each size (sizes must be further apart).
const DELTA: usize = 5_000;

/// Median milliseconds of `runs` runs of `f`.
fn median_ms(runs: usize, f: impl FnMut()) -> f64 {
    relm_tests::bench::timed(runs, f).0
}

struct Row {
    events: usize,
    releases: usize,
    verify_ms: f64,
    pull_ms: f64,
    noop_ms: f64,
    list_ms: f64,
    filtered_ms: f64,
    verdict_ms: f64,
}

impl Row {
    fn series(&self) -> [f64; 6] {
        [
            self.verify_ms,
            self.pull_ms,
            self.noop_ms,
            self.list_ms,
            self.filtered_ms,
            self.verdict_ms,
        ]
    }
}

const NAMES: [&str; 6] = [
    "audit verify (whole ledger)",
    "sync pulling 5,000 new events",
    "sync with nothing new",
    "release list, first page",
    "release list filtered by service",
    "verdict (relm check)",
];

fn main() {
    let sizes: Vec<usize> = std::env::var("RELM_BENCH_GROWTH")
        .ok()
        .map(|s| s.split(',').map(|n| n.trim().parse().unwrap()).collect())
        .unwrap_or_else(|| vec![10_000, 30_000, 100_000, 300_000, 1_000_000]);
    let root = tempfile::tempdir().unwrap();
    let (pair, mut a) = FounderAndReader::new(root.path(), "Growth");
    let mut releases = 0;
    let mut rows = Vec::new();
    for &size in &sizes {
        // Releases through the use-case (a tenth of the events), then edits, up to the size
        // less what the replica will pull.
        while releases < size / 10 {
            let n = (size / 10 - releases).min(1000);
            let batch: Vec<_> = (releases..releases + n).map(release_input).collect();
            a.create_releases(&batch).unwrap();
            pair.clock.advance(chrono::Duration::milliseconds(1));
            releases += n;
        }
        a = pair.grow(a, size - DELTA);
        a.sync(None).unwrap();
        let mut b = Relm::open(&pair.options_b()).unwrap();
        b.sync(None).unwrap();
        // The next events, pushed, then pulled by the replica.
        a = pair.grow(a, size);
        a.sync(None).unwrap();
        let t = Instant::now();
        let pulled = b.sync(None).unwrap()[0]
            .report
            .clone()
            .unwrap()
            .pulled
            .added;
        let pull_ms = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(
            pulled, DELTA,
            "sizes must be more than {DELTA} events apart"
        );
        let noop_ms = median_ms(5, || {
            let r = b.sync(None).unwrap()[0].report.clone().unwrap();
            assert_eq!((r.pushed, r.pulled.added), (0, 0));
        });
        drop(b);

        let events = relm_store::events::count(a.store().conn()).unwrap() as usize;
        let t = Instant::now();
        let report = relm_store::verify::verify(a.store()).unwrap();
        let verify_ms = t.elapsed().as_secs_f64() * 1e3;
        assert!(report.ok, "{:?}", report.problem);

        let first = ReleaseQuery {
            limit: Some(100),
            ..Default::default()
        };
        let list_ms = median_ms(21, || {
            assert_eq!(a.query_releases(&first).unwrap().releases.len(), 100);
        });
        let by_service = ReleaseQuery {
            service: Some("service-7".into()),
            ..first.clone()
        };
        let filtered_ms = median_ms(21, || {
            assert!(!a.query_releases(&by_service).unwrap().releases.is_empty());
        });
        let mut i = 0;
        let verdict_ms = median_ms(21, || {
            // A different release each time, spread over the whole list.
            let n = (i * 7919) % releases;
            i += 1;
            std::hint::black_box(
                a.check(&CheckRequest {
                    service: Some(format!("service-{}", n % 50)),
                    version: Some(format!("1.{}.{}", n / 1000, n % 1000)),
                    environment: "prod".into(),
                    ..CheckRequest::default()
                })
                .unwrap(),
            );
        });
        rows.push(Row {
            events,
            releases,
            verify_ms,
            pull_ms,
            noop_ms,
            list_ms,
            filtered_ms,
            verdict_ms,
        });
        let r = rows.last().unwrap();
        eprintln!(
            "{} events: verify {:.0} ms, pull {:.0} ms, no-op {:.1} ms, list {:.2} ms, filtered {:.2} ms, verdict {:.2} ms",
            r.events, r.verify_ms, r.pull_ms, r.noop_ms, r.list_ms, r.filtered_ms, r.verdict_ms
        );
    }

    println!(
        "| events | releases | `audit verify` | sync pulling 5,000 | sync, nothing new | list, first page | list by service | verdict |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {:.2} s | {:.0} ms | {:.1} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            r.events,
            r.releases,
            r.verify_ms / 1e3,
            r.pull_ms,
            r.noop_ms,
            r.list_ms,
            r.filtered_ms,
            r.verdict_ms
        );
    }
    // The growth exponent between neighbouring sizes: log(t2/t1) / log(n2/n1).
    println!("\ngrowth exponent between neighbouring sizes (1 = linear, 0 = constant):\n");
    println!("| measure | {} |", exponent_headers(&rows));
    println!("|---|{}", "---|".repeat(rows.len().saturating_sub(1)));
    for (k, name) in NAMES.iter().enumerate() {
        let cells: Vec<String> = rows
            .windows(2)
            .map(|w| {
                let (a, b) = (w[0].series()[k], w[1].series()[k]);
                format!(
                    "{:.2}",
                    (b / a).ln() / (w[1].events as f64 / w[0].events as f64).ln()
                )
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/growth.svg");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    chart(&rows, &out);
    println!("\nchart: {}", out.display());
}

fn exponent_headers(rows: &[Row]) -> String {
    rows.windows(2)
        .map(|w| format!("{}k → {}k", w[0].events / 1000, w[1].events / 1000))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A log-log chart of every measure against the ledger's size, with a line of slope 1 (linear
/// growth) through the verify's first point for comparison.
fn chart(rows: &[Row], out: &Path) {
    let root = SVGBackend::new(out, (900, 560)).into_drawing_area();
    root.fill(&WHITE).unwrap();
    let x0 = rows.first().unwrap().events as f64;
    let x1 = rows.last().unwrap().events as f64;
    let all: Vec<f64> = rows.iter().flat_map(|r| r.series()).collect();
    let lo = all.iter().copied().fold(f64::MAX, f64::min) / 2.0;
    let hi = all.iter().copied().fold(0.0, f64::max) * 2.0;
    let mut c = ChartBuilder::on(&root)
        .caption(
            "Relm: time against ledger size (log-log)",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d((x0 * 0.8..x1 * 1.25).log_scale(), (lo..hi).log_scale())
        .unwrap();
    c.configure_mesh()
        .x_desc("events in the ledger")
        .y_desc("milliseconds")
        .x_label_formatter(&|x| {
            if *x >= 1e6 {
                format!("{:.0}M", x / 1e6)
            } else {
                format!("{:.0}k", x / 1e3)
            }
        })
        .y_label_formatter(&|y| format!("{y}"))
        .draw()
        .unwrap();
    let colours = [
        RGBColor(0x1f, 0x77, 0xb4),
        RGBColor(0xd6, 0x27, 0x28),
        RGBColor(0x2c, 0xa0, 0x2c),
        RGBColor(0x94, 0x67, 0xbd),
        RGBColor(0x8c, 0x56, 0x4b),
        RGBColor(0xff, 0x7f, 0x0e),
    ];
    for (k, name) in NAMES.iter().enumerate() {
        let colour = colours[k];
        let points: Vec<(f64, f64)> = rows
            .iter()
            .map(|r| (r.events as f64, r.series()[k]))
            .collect();
        c.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .unwrap()
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour));
        c.draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))
            .unwrap();
    }
    let v0 = rows.first().unwrap().verify_ms;
    c.draw_series(LineSeries::new(
        [(x0, v0), (x1, v0 * x1 / x0)],
        BLACK.mix(0.35),
    ))
    .unwrap()
    .label("linear growth from verify's first point")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.mix(0.35)));
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .unwrap();
    root.present().unwrap();
}
