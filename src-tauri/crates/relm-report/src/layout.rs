//! Pagination: a [`Document`] set on a paper size with the embedded fonts' metrics.
//!
//! Coordinates are points (1/72 inch) from the page's top-left corner, `y` growing down; a
//! text's `y` is its baseline. Nothing here writes PDF: [`Layout::dump`] gives the pages as
//! text for snapshot tests.

use std::fmt::Write as _;

use serde::Serialize;

use crate::ReportError;
use crate::fonts::{Face, Fonts};
use crate::model::{Align, Block, Chart, ChartKind, Column, Document, Table};

/// Paper sizes, in points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 8.5 × 11 in.
    Letter,
}

impl Paper {
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }

    /// `a4` or `letter`.
    pub fn parse(s: &str) -> Option<Paper> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "letter" | "us-letter" => Some(Paper::Letter),
            _ => None,
        }
    }
}

/// The colours a report uses, named by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ink {
    Text,
    Muted,
    Rule,
    /// The fill behind a table's header row.
    Shade,
    /// A chart series, by its index.
    Series(u8),
}

impl Ink {
    /// Red, green, blue in 0..1.
    pub fn rgb(self) -> (f32, f32, f32) {
        match self {
            Ink::Text => (0.11, 0.12, 0.14),
            Ink::Muted => (0.40, 0.42, 0.46),
            Ink::Rule => (0.78, 0.80, 0.83),
            Ink::Shade => (0.93, 0.94, 0.95),
            Ink::Series(i) => match i % 4 {
                0 => (0.16, 0.42, 0.75),
                1 => (0.84, 0.33, 0.23),
                2 => (0.20, 0.60, 0.38),
                _ => (0.55, 0.40, 0.70),
            },
        }
    }
}

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: Face,
        ink: Ink,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        ink: Ink,
    },
    /// A filled rectangle; `y` is its top.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        ink: Ink,
    },
    /// An open path through `points`.
    Polyline {
        points: Vec<(f32, f32)>,
        width: f32,
        ink: Ink,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page {
    pub items: Vec<Item>,
}

/// An outline entry: a section's title and the page (from 0) it starts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bookmark {
    pub title: String,
    pub page: usize,
}

/// The document paginated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub paper: Paper,
    pub pages: Vec<Page>,
    pub outline: Vec<Bookmark>,
}

const MARGIN_X: f32 = 56.0;
const MARGIN_TOP: f32 = 66.0;
const MARGIN_BOTTOM: f32 = 62.0;
const BODY: f32 = 9.5;
const LEADING: f32 = 13.0;
const SECTION: f32 = 15.0;
const HEADING: f32 = 11.0;
const CELL: f32 = 8.5;
const CELL_LEADING: f32 = 11.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.5;
const FURNITURE: f32 = 7.5;
const CHART_HEIGHT: f32 = 170.0;

struct Cursor<'a> {
    fonts: &'a Fonts,
    width: f32,
    height: f32,
    pages: Vec<Page>,
    y: f32,
}

impl<'a> Cursor<'a> {
    fn left(&self) -> f32 {
        MARGIN_X
    }

    fn right(&self) -> f32 {
        self.width - MARGIN_X
    }

    fn text_width(&self) -> f32 {
        self.width - 2.0 * MARGIN_X
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    fn at_top(&self) -> bool {
        self.pages.last().is_none_or(|p| p.items.is_empty())
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
    }

    /// Room for `h` more points on this page, else a new one.
    fn need(&mut self, h: f32) {
        if self.y + h > self.bottom() && !self.at_top() {
            self.new_page();
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(p) = self.pages.last_mut() {
            p.items.push(item);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, x: f32, y: f32, size: f32, face: Face, ink: Ink, text: String) {
        if !text.is_empty() {
            self.push(Item::Text {
                x,
                y,
                size,
                face,
                ink,
                text,
            });
        }
    }

    /// A paragraph of `text` (hard line breaks kept) from the cursor down.
    fn paragraph(&mut self, text: &str, size: f32, face: Face, ink: Ink) {
        let lines = wrap(self.fonts, face, size, text, self.text_width());
        let leading = size * LEADING / BODY;
        for line in lines {
            self.need(leading);
            let base = self.y + self.fonts.ascent(face, size);
            self.text(self.left(), base, size, face, ink, line);
            self.y += leading;
        }
    }
}

/// The characters of `text` the face draws, the others as `?`; controls other than line breaks
/// as spaces.
fn printable(fonts: &Fonts, face: Face, text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => '\n',
            c if c.is_control() => ' ',
            c if c == ' ' || fonts.has(face, c) => c,
            '\u{a0}' | '\u{202f}' => ' ',
            _ => '?',
        })
        .collect()
}

/// `text` broken into lines no wider than `width`: at spaces, inside a word only when the word
/// alone is too wide; hard line breaks kept.
pub fn wrap(fonts: &Fonts, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let text = printable(fonts, face, text);
    let fits = |s: &str| fonts.width(face, s, size) <= width;
    let mut out = Vec::new();
    for hard in text.split('\n') {
        let mut line = String::new();
        for word in hard.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if fits(&candidate) {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            // A word wider than the line: as many characters per line as fit.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if !fits(&piece) && piece.chars().count() > 1 {
                    piece.pop();
                    out.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        out.push(line);
    }
    // Trailing empty lines of a text that ends in a line break are not printed.
    while out.len() > 1 && out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// Paginate `doc` on `paper`.
pub fn paginate(doc: &Document, paper: Paper) -> Result<Layout, ReportError> {
    let fonts = Fonts::embedded()?;
    let (width, height) = paper.size();
    let mut c = Cursor {
        fonts,
        width,
        height,
        pages: Vec::new(),
        y: MARGIN_TOP,
    };
    c.new_page();
    let mut outline = Vec::new();
    for (i, section) in doc.sections.iter().enumerate() {
        if section.new_page && !c.at_top() {
            c.new_page();
        }
        // A section title keeps the start of its first block with it.
        let space = if c.at_top() || i == 0 { 0.0 } else { 16.0 };
        let first = section
            .blocks
            .first()
            .map_or(LEADING, |b| min_height(b, section.blocks.get(1)));
        c.need(space + SECTION * 1.4 + 6.0 + first);
        if !c.at_top() {
            c.y += space;
        }
        outline.push(Bookmark {
            title: section.title.clone(),
            page: c.pages.len() - 1,
        });
        let base = c.y + fonts.ascent(Face::Bold, SECTION);
        let title = printable(fonts, Face::Bold, &section.title);
        c.text(c.left(), base, SECTION, Face::Bold, Ink::Text, title);
        c.y += SECTION * 1.4;
        let (l, r, y) = (c.left(), c.right(), c.y - 2.0);
        c.push(Item::Line {
            x1: l,
            y1: y,
            x2: r,
            y2: y,
            width: 0.6,
            ink: Ink::Rule,
        });
        c.y += 6.0;
        for (n, block) in section.blocks.iter().enumerate() {
            block_layout(&mut c, block, section.blocks.get(n + 1));
        }
    }
    let mut pages = c.pages;
    furniture(fonts, doc, width, height, &mut pages);
    Ok(Layout {
        paper,
        pages,
        outline,
    })
}

/// The least height of `block` that may start a page's last part: a heading with the start
/// of `next`, a table's header with one row, two lines of text, a whole chart.
fn min_height(block: &Block, next: Option<&Block>) -> f32 {
    match block {
        Block::Heading { .. } => {
            HEADING * 1.6 + 9.0 + next.map_or(LEADING, |b| min_height(b, None))
        }
        Block::Paragraph { .. } | Block::Note { .. } | Block::KeyValues { .. } => 2.0 * LEADING,
        Block::Table(_) => 2.0 * (2.0 * CELL_LEADING + 2.0 * CELL_PAD_Y),
        Block::Chart(_) => CHART_HEIGHT,
    }
}

fn block_layout(c: &mut Cursor<'_>, block: &Block, next: Option<&Block>) {
    match block {
        Block::Heading { text } => {
            c.need(min_height(block, next));
            if !c.at_top() {
                c.y += 6.0;
            }
            let base = c.y + c.fonts.ascent(Face::Bold, HEADING);
            let left = c.left();
            for (n, line) in wrap(c.fonts, Face::Bold, HEADING, text, c.text_width())
                .into_iter()
                .enumerate()
            {
                c.text(
                    left,
                    base + n as f32 * HEADING * 1.3,
                    HEADING,
                    Face::Bold,
                    Ink::Text,
                    line,
                );
                c.y += HEADING * 1.3;
            }
            c.y += 3.0;
        }
        Block::Paragraph { text } => {
            c.paragraph(text, BODY, Face::Regular, Ink::Text);
            c.y += 5.0;
        }
        Block::Note { text } => {
            c.paragraph(text, BODY - 0.5, Face::Regular, Ink::Muted);
            c.y += 5.0;
        }
        Block::KeyValues { pairs } => {
            let key_w = (c.text_width() * 0.3).min(170.0);
            let value_w = c.text_width() - key_w - 8.0;
            for (k, v) in pairs {
                let keys = wrap(c.fonts, Face::Bold, BODY - 0.5, k, key_w);
                let values = wrap(c.fonts, Face::Regular, BODY, v, value_w);
                let lines = keys.len().max(values.len());
                for n in 0..lines {
                    c.need(LEADING);
                    let base = c.y + c.fonts.ascent(Face::Regular, BODY);
                    let left = c.left();
                    if let Some(k) = keys.get(n) {
                        c.text(left, base, BODY - 0.5, Face::Bold, Ink::Muted, k.clone());
                    }
                    if let Some(v) = values.get(n) {
                        c.text(
                            left + key_w + 8.0,
                            base,
                            BODY,
                            Face::Regular,
                            Ink::Text,
                            v.clone(),
                        );
                    }
                    c.y += LEADING;
                }
                c.y += 1.5;
            }
            c.y += 5.0;
        }
        Block::Table(t) => table(c, t),
        Block::Chart(ch) => chart(c, ch),
    }
}

/// The x position and width of each column.
fn columns(c: &Cursor<'_>, cols: &[Column]) -> Vec<(f32, f32)> {
    let total: f32 = cols.iter().map(|col| col.width.max(0.01)).sum();
    let mut x = c.left();
    cols.iter()
        .map(|col| {
            let w = c.text_width() * col.width.max(0.01) / total;
            let at = (x, w);
            x += w;
            at
        })
        .collect()
}

/// Each cell's lines.
fn cells(c: &Cursor<'_>, at: &[(f32, f32)], cells: &[String], face: Face) -> Vec<Vec<String>> {
    at.iter()
        .enumerate()
        .map(|(i, (_, w))| {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            wrap(c.fonts, face, CELL, text, w - 2.0 * CELL_PAD_X)
        })
        .collect()
}

/// Draw lines `from..to` of a row's cells from the cursor down; the row's height.
#[allow(clippy::too_many_arguments)]
fn row(
    c: &mut Cursor<'_>,
    at: &[(f32, f32)],
    cols: &[Column],
    lines: &[Vec<String>],
    from: usize,
    to: usize,
    face: Face,
    shade: bool,
) -> f32 {
    let h = (to - from) as f32 * CELL_LEADING + 2.0 * CELL_PAD_Y;
    let (left, right, top) = (c.left(), c.right(), c.y);
    if shade {
        c.push(Item::Rect {
            x: left,
            y: top,
            w: right - left,
            h,
            ink: Ink::Shade,
        });
    }
    let ascent = c.fonts.ascent(face, CELL);
    for (i, ((x, w), cell)) in at.iter().zip(lines).enumerate() {
        for (n, line) in cell.iter().enumerate().take(to).skip(from) {
            let base = top + CELL_PAD_Y + ascent + (n - from) as f32 * CELL_LEADING;
            let tx = match cols[i].align {
                Align::Left => x + CELL_PAD_X,
                Align::Right => x + w - CELL_PAD_X - c.fonts.width(face, line, CELL),
            };
            let ink = if shade { Ink::Muted } else { Ink::Text };
            c.text(tx, base, CELL, face, ink, line.clone());
        }
    }
    c.push(Item::Line {
        x1: left,
        y1: top + h,
        x2: right,
        y2: top + h,
        width: 0.4,
        ink: Ink::Rule,
    });
    c.y += h;
    h
}

fn table(c: &mut Cursor<'_>, t: &Table) {
    if t.columns.is_empty() {
        return;
    }
    let at = columns(c, &t.columns);
    let titles: Vec<String> = t.columns.iter().map(|col| col.title.clone()).collect();
    let head = cells(c, &at, &titles, Face::Bold);
    let head_lines = head.iter().map(Vec::len).max().unwrap_or(1);
    let head_h = head_lines as f32 * CELL_LEADING + 2.0 * CELL_PAD_Y;
    let one = CELL_LEADING + 2.0 * CELL_PAD_Y;
    c.need(head_h + one);
    row(c, &at, &t.columns, &head, 0, head_lines, Face::Bold, true);
    for r in &t.rows {
        let lines = cells(c, &at, r, Face::Regular);
        let count = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut done = 0;
        while done < count {
            let room = ((c.bottom() - c.y - 2.0 * CELL_PAD_Y) / CELL_LEADING).floor();
            let room = if room < 1.0 { 0 } else { room as usize };
            let rest = count - done;
            // The whole row where it fits; a row taller than a page is split line by line.
            let fits_fresh =
                (rest as f32) * CELL_LEADING + 2.0 * CELL_PAD_Y <= c.bottom() - MARGIN_TOP - head_h;
            let take = if room >= rest {
                rest
            } else if !fits_fresh && room > 0 {
                room
            } else {
                0
            };
            if take == 0 {
                c.new_page();
                row(c, &at, &t.columns, &head, 0, head_lines, Face::Bold, true);
                continue;
            }
            row(
                c,
                &at,
                &t.columns,
                &lines,
                done,
                done + take,
                Face::Regular,
                false,
            );
            done += take;
        }
    }
    c.y += 8.0;
}

/// The top of a value axis with four equal steps, each a round number (1, 2, 2.5 or 5 times a
/// power of ten), covering `v`.
fn axis_top(v: f64) -> f64 {
    if v <= 0.0 {
        return 4.0;
    }
    let step = v / 4.0;
    let p = 10f64.powf(step.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|x| *x >= step * (1.0 - 1e-9))
        .unwrap_or(10.0 * p);
    4.0 * step
}

fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn chart(c: &mut Cursor<'_>, ch: &Chart) {
    c.need(CHART_HEIGHT);
    let fonts = c.fonts;
    let top = c.y;
    let left = c.left();
    let title = printable(fonts, Face::Bold, &ch.title);
    c.text(
        left,
        top + fonts.ascent(Face::Bold, BODY),
        BODY,
        Face::Bold,
        Ink::Text,
        title,
    );
    let max = ch
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |m, v| m.max(*v));
    let max = axis_top(max);
    let (x0, x1) = (left + 34.0, c.right());
    let (y0, y1) = (top + 22.0, top + CHART_HEIGHT - 38.0);
    let y_of = |v: f64| y1 - ((v / max) as f32) * (y1 - y0);
    // Grid lines with their values.
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = y_of(v);
        c.push(Item::Line {
            x1: x0,
            y1: y,
            x2: x1,
            y2: y,
            width: if i == 0 { 0.7 } else { 0.3 },
            ink: Ink::Rule,
        });
        let label = number(v);
        let w = fonts.width(Face::Regular, &label, 7.0);
        c.text(x0 - 4.0 - w, y + 2.5, 7.0, Face::Regular, Ink::Muted, label);
    }
    let n = ch.labels.len().max(1);
    let slot = (x1 - x0) / n as f32;
    // At most about twelve labels along the bottom.
    let every = n.div_ceil(12).max(1);
    for (i, label) in ch.labels.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let label = printable(fonts, Face::Regular, label);
        let w = fonts.width(Face::Regular, &label, 7.0);
        let x = x0 + slot * (i as f32 + 0.5) - w / 2.0;
        c.text(x, y1 + 10.0, 7.0, Face::Regular, Ink::Muted, label);
    }
    let count = ch.series.len().max(1) as f32;
    for (s, series) in ch.series.iter().enumerate() {
        let ink = Ink::Series(s as u8);
        match ch.kind {
            ChartKind::Bars => {
                let bar = slot * 0.7 / count;
                for (i, v) in series.values.iter().enumerate().take(n) {
                    let Some(v) = v.filter(|v| *v > 0.0) else {
                        continue;
                    };
                    let x = x0 + slot * i as f32 + slot * 0.15 + bar * s as f32;
                    let y = y_of(v);
                    c.push(Item::Rect {
                        x,
                        y,
                        w: bar,
                        h: y1 - y,
                        ink,
                    });
                }
            }
            ChartKind::Lines => {
                // A missing value breaks the line.
                let mut run: Vec<(f32, f32)> = Vec::new();
                for (i, v) in series.values.iter().enumerate().take(n) {
                    match v {
                        Some(v) => run.push((x0 + slot * (i as f32 + 0.5), y_of(*v))),
                        None => flush(c, &mut run, ink),
                    }
                }
                flush(c, &mut run, ink);
            }
        }
    }
    // The legend.
    let mut x = x0;
    let ly = y1 + 24.0;
    for (s, series) in ch.series.iter().enumerate() {
        c.push(Item::Rect {
            x,
            y: ly - 6.5,
            w: 7.0,
            h: 7.0,
            ink: Ink::Series(s as u8),
        });
        let name = printable(fonts, Face::Regular, &series.name);
        let w = fonts.width(Face::Regular, &name, 7.5);
        c.text(x + 10.0, ly, 7.5, Face::Regular, Ink::Text, name);
        x += 10.0 + w + 14.0;
    }
    c.y = top + CHART_HEIGHT + 6.0;
}

fn flush(c: &mut Cursor<'_>, run: &mut Vec<(f32, f32)>, ink: Ink) {
    match run.len() {
        0 => {}
        // A lone point: a dot.
        1 => c.push(Item::Rect {
            x: run[0].0 - 1.5,
            y: run[0].1 - 1.5,
            w: 3.0,
            h: 3.0,
            ink,
        }),
        _ => c.push(Item::Polyline {
            points: run.clone(),
            width: 1.4,
            ink,
        }),
    }
    run.clear();
}

/// "page n / N" (the same in English and in French).
fn page_label(n: usize, total: usize) -> String {
    format!("page {n} / {total}")
}

/// Title above, digest and page number below, on every page.
fn furniture(fonts: &Fonts, doc: &Document, width: f32, height: f32, pages: &mut [Page]) {
    let total = pages.len();
    let title = printable(fonts, Face::Regular, &doc.title);
    let digest = printable(fonts, Face::Regular, &doc.digest);
    for (i, page) in pages.iter_mut().enumerate() {
        let label = page_label(i + 1, total);
        let lw = fonts.width(Face::Regular, &label, FURNITURE);
        page.items.splice(
            0..0,
            [
                Item::Text {
                    x: MARGIN_X,
                    y: 38.0,
                    size: FURNITURE,
                    face: Face::Regular,
                    ink: Ink::Muted,
                    text: title.clone(),
                },
                Item::Line {
                    x1: MARGIN_X,
                    y1: 44.0,
                    x2: width - MARGIN_X,
                    y2: 44.0,
                    width: 0.4,
                    ink: Ink::Rule,
                },
                Item::Line {
                    x1: MARGIN_X,
                    y1: height - 44.0,
                    x2: width - MARGIN_X,
                    y2: height - 44.0,
                    width: 0.4,
                    ink: Ink::Rule,
                },
                Item::Text {
                    x: MARGIN_X,
                    y: height - 34.0,
                    size: FURNITURE - 0.5,
                    face: Face::Regular,
                    ink: Ink::Muted,
                    text: digest.clone(),
                },
                Item::Text {
                    x: width - MARGIN_X - lw,
                    y: height - 34.0,
                    size: FURNITURE,
                    face: Face::Regular,
                    ink: Ink::Muted,
                    text: label,
                },
            ],
        );
    }
}

impl Layout {
    /// The pages as text, one item per line (positions to a tenth of a point), for snapshot
    /// tests.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "paper {:?}", self.paper);
        for b in &self.outline {
            let _ = writeln!(out, "outline p{} {}", b.page + 1, b.title);
        }
        for (n, page) in self.pages.iter().enumerate() {
            let _ = writeln!(out, "--- page {}", n + 1);
            for item in &page.items {
                let _ = match item {
                    Item::Text {
                        x,
                        y,
                        size,
                        face,
                        text,
                        ..
                    } => writeln!(
                        out,
                        "T {x:.1} {y:.1} {}{size} {text}",
                        if *face == Face::Bold { "b" } else { "" }
                    ),
                    Item::Line { x1, y1, x2, y2, .. } => {
                        writeln!(out, "L {x1:.1} {y1:.1} {x2:.1} {y2:.1}")
                    }
                    Item::Rect { x, y, w, h, .. } => {
                        writeln!(out, "R {x:.1} {y:.1} {w:.1} {h:.1}")
                    }
                    Item::Polyline { points, .. } => writeln!(out, "P {} points", points.len()),
                };
            }
        }
        out
    }

    /// Every text on the pages, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.pages.iter().flat_map(|p| {
            p.items.iter().filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is the failure report
    use super::*;
    use crate::model::{Lang, Section, Series};

    fn doc(sections: Vec<Section>) -> Document {
        Document {
            title: "Release dossier — payments 4.2.0".into(),
            subject: "payments 4.2.0".into(),
            author: "Ann".into(),
            lang: Lang::En,
            digest: format!("sha256:{}", "ab".repeat(32)),
            created: 1_767_225_600,
            sections,
        }
    }

    #[test]
    fn lines_break_at_spaces_and_inside_words_only_when_a_word_is_too_wide() {
        let f = Fonts::embedded().unwrap();
        let lines = wrap(f, Face::Regular, 10.0, "one two three four five six", 60.0);
        assert!(lines.len() > 1, "{lines:?}");
        for l in &lines {
            assert!(f.width(Face::Regular, l, 10.0) <= 60.0, "{l}");
            assert!(!l.starts_with(' ') && !l.ends_with(' '), "{l:?}");
        }
        assert_eq!(lines.join(" "), "one two three four five six");
        let long = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef";
        let lines = wrap(f, Face::Regular, 10.0, long, 80.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat(), long);
        // Hard breaks are kept; an empty text is one empty line.
        assert_eq!(wrap(f, Face::Regular, 10.0, "a\nb", 200.0), ["a", "b"]);
        assert_eq!(wrap(f, Face::Regular, 10.0, "", 200.0), [""]);
        // What the font cannot draw is a question mark, controls are spaces.
        assert_eq!(
            wrap(f, Face::Regular, 10.0, "Zoë\tsaid 漢", 200.0),
            ["Zoë said ?"]
        );
    }

    proptest::proptest! {
        /// Whatever the text and the width: no line wider than the width (unless one character
        /// alone is), and the words come back in order, nothing lost or added.
        #[test]
        fn wrapping_keeps_every_word_and_the_width(
            text in "[a-zA-Zéàç0-9 ,.;:!?«»’\\-]{0,300}",
            width in 10.0f32..400.0,
            bold in proptest::bool::ANY,
        ) {
            let f = Fonts::embedded().unwrap();
            let face = if bold { Face::Bold } else { Face::Regular };
            let lines = wrap(f, face, 9.5, &text, width);
            for l in &lines {
                proptest::prop_assert!(
                    f.width(face, l, 9.5) <= width || l.chars().count() == 1,
                    "{l:?} wider than {width}"
                );
            }
            let words: String = text.split_whitespace().collect();
            let back: String = lines.iter().flat_map(|l| l.split_whitespace()).collect();
            proptest::prop_assert_eq!(back, words);
        }
    }

    #[test]
    fn a_short_document_laid_out() {
        let d = doc(vec![
            Section::new(
                "Summary",
                vec![
                    Block::key_values([("Release", "payments 4.2.0"), ("Status", "deployed")]),
                    Block::paragraph("Approved by Bob for prod; deployed inside its window."),
                    Block::note("No review yet."),
                ],
            ),
            Section::new(
                "Approvals",
                vec![Block::Table(Table {
                    columns: vec![
                        Column::new("Approver", 2.0),
                        Column::new("Environment", 1.0),
                        Column::new("Events", 1.0).right(),
                    ],
                    rows: vec![vec!["Bob".into(), "prod".into(), "3".into()]],
                })],
            ),
        ]);
        let l = paginate(&d, Paper::A4).unwrap();
        insta::assert_snapshot!(l.dump());
    }

    fn long_table(rows: usize) -> Table {
        Table {
            columns: vec![Column::new("Event", 1.0), Column::new("What", 3.0)],
            rows: (0..rows)
                .map(|i| vec![format!("e{i:03}"), format!("deployment {i} to prod")])
                .collect(),
        }
    }

    #[test]
    fn a_table_breaks_across_pages_and_repeats_its_header() {
        let d = doc(vec![Section::new(
            "Audit trail",
            vec![Block::Table(long_table(150))],
        )]);
        let l = paginate(&d, Paper::Letter).unwrap();
        assert!(l.pages.len() >= 3, "{} pages", l.pages.len());
        let (_, height) = Paper::Letter.size();
        for (n, page) in l.pages.iter().enumerate() {
            let texts: Vec<&str> = page
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Text { text, y, .. } if *y > MARGIN_TOP && *y < height - 50.0 => {
                        Some(text.as_str())
                    }
                    _ => None,
                })
                .collect();
            // Every page's table starts with the header row (the first after the title).
            let first = texts.iter().position(|t| *t == "Event").unwrap();
            assert_eq!(texts[first + 1], "What", "page {}", n + 1);
            // Nothing below the bottom margin.
            for i in &page.items {
                if let Item::Text { y, .. } = i {
                    assert!(*y <= height - 30.0, "page {} text at {y}", n + 1);
                }
            }
        }
        // Every row is there once, in order.
        let rows: Vec<&str> = l
            .texts()
            .filter(|t| t.starts_with('e') && t.len() == 4)
            .collect();
        assert_eq!(rows.len(), 150);
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        // Furniture: "page n / N" on every page.
        let total = l.pages.len();
        for n in 1..=total {
            let label = format!("page {n} / {total}");
            assert!(l.texts().any(|t| t == label), "{label}");
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_and_nothing_is_lost() {
        let words: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
        let d = doc(vec![Section::new(
            "Notes",
            vec![Block::Table(Table {
                columns: vec![Column::new("Who", 1.0), Column::new("Comment", 4.0)],
                rows: vec![vec!["Bob".into(), words.join(" ")]],
            })],
        )]);
        let l = paginate(&d, Paper::A4).unwrap();
        assert!(l.pages.len() >= 2);
        let printed: Vec<&str> = l
            .texts()
            .flat_map(|t| t.split(' '))
            .filter(|w| w.starts_with('w') && w[1..].parse::<u32>().is_ok())
            .collect();
        assert_eq!(
            printed,
            words.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }

    #[test]
    fn sections_are_in_the_outline_on_the_page_they_start() {
        let d = doc(vec![
            Section::new("One", vec![Block::Table(long_table(80))]),
            Section::new("Two", vec![Block::paragraph("after")]),
            Section {
                new_page: true,
                ..Section::new("Three", vec![Block::paragraph("alone")])
            },
        ]);
        let l = paginate(&d, Paper::A4).unwrap();
        let outline: Vec<(&str, usize)> = l
            .outline
            .iter()
            .map(|b| (b.title.as_str(), b.page))
            .collect();
        assert_eq!(outline[0], ("One", 0));
        assert_eq!(outline[1].0, "Two");
        assert!(outline[1].1 >= 1);
        assert_eq!(outline[2], ("Three", outline[1].1 + 1));
    }

    #[test]
    fn a_title_is_never_left_alone_at_the_bottom_of_a_page() {
        // Tables of every length push the next section's title down the page; the chart under
        // it always starts on the same page as the title.
        for rows in 20..60 {
            let d = doc(vec![
                Section::new("Trail", vec![Block::Table(long_table(rows))]),
                Section::new(
                    "Delivery",
                    vec![
                        Block::heading("Per week"),
                        Block::Chart(Chart {
                            title: "Deployments".into(),
                            kind: ChartKind::Lines,
                            labels: vec!["W1".into()],
                            series: vec![],
                        }),
                    ],
                ),
            ]);
            let l = paginate(&d, Paper::A4).unwrap();
            let page_of = |needle: &str| {
                l.pages
                    .iter()
                    .position(|p| {
                        p.items
                            .iter()
                            .any(|i| matches!(i, Item::Text { text, .. } if text == needle))
                    })
                    .unwrap()
            };
            assert_eq!(page_of("Delivery"), page_of("Deployments"), "{rows} rows");
            assert_eq!(page_of("Per week"), page_of("Deployments"), "{rows} rows");
        }
    }

    #[test]
    fn a_chart_is_drawn_to_scale() {
        let d = doc(vec![Section::new(
            "Delivery",
            vec![Block::Chart(Chart {
                title: "Deployments per week".into(),
                kind: ChartKind::Bars,
                labels: vec!["W1".into(), "W2".into(), "W3".into()],
                series: vec![Series {
                    name: "succeeded".into(),
                    values: vec![Some(2.0), Some(4.0), None],
                }],
            })],
        )]);
        let l = paginate(&d, Paper::A4).unwrap();
        let bars: Vec<f32> = l.pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Rect {
                    h,
                    ink: Ink::Series(0),
                    w,
                    ..
                } if *w > 8.0 => Some(*h),
                _ => None,
            })
            .collect();
        assert_eq!(bars.len(), 2, "a missing value draws no bar");
        assert!((bars[1] - 2.0 * bars[0]).abs() < 0.01, "{bars:?}");
        // The scale tops at a round number at or above the largest value.
        assert!(
            l.texts().any(|t| t == "4"),
            "{:?}",
            l.texts().collect::<Vec<_>>()
        );
        assert_eq!(axis_top(4.0), 4.0);
        assert_eq!(axis_top(4.2), 8.0);
        assert_eq!(axis_top(0.0), 4.0);
        assert_eq!(axis_top(130.0), 200.0);
        assert_eq!(axis_top(0.37), 0.4);
        assert_eq!(axis_top(9.0), 10.0);
    }
}
