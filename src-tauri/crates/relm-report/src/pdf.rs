//! A [`Layout`] drawn as PDF with `printpdf`.
//!
//! Reproducible: the fonts' resource names, the outline and the document ID are derived from
//! the content, the dates are the document's `created`, and no part of the file is drawn at
//! random, so the same document gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rgb, TextItem, WindingOrder,
};
use sha2::{Digest, Sha256};

use crate::ReportError;
use crate::fonts::{Face, Fonts};
use crate::layout::{Ink, Item, Layout};
use crate::model::Document;

/// The resource name of each face; its first six letters are the subset's tag.
fn font_id(face: Face) -> FontId {
    FontId(
        match face {
            Face::Regular => "RLMREG",
            Face::Bold => "RLMBLD",
        }
        .into(),
    )
}

fn color(ink: Ink) -> Color {
    let (r, g, b) = ink.rgb();
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

fn point(x: f32, y: f32, height: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(height - y),
    }
}

fn line_points(points: &[(f32, f32)], height: f32) -> Vec<LinePoint> {
    points
        .iter()
        .map(|(x, y)| LinePoint {
            p: point(*x, *y, height),
            bezier: false,
        })
        .collect()
}

fn page_ops(items: &[Item], height: f32) -> Vec<Op> {
    let mut ops = Vec::with_capacity(items.len() * 6);
    for item in items {
        match item {
            Item::Text {
                x,
                y,
                size,
                face,
                ink,
                text,
            } => ops.extend([
                Op::StartTextSection,
                Op::SetFillColor { col: color(*ink) },
                Op::SetFont {
                    font: PdfFontHandle::External(font_id(*face)),
                    size: Pt(*size),
                },
                Op::SetTextCursor {
                    pos: point(*x, *y, height),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(text.clone())],
                },
                Op::EndTextSection,
            ]),
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                ink,
            } => ops.extend([
                Op::SetOutlineColor { col: color(*ink) },
                Op::SetOutlineThickness { pt: Pt(*width) },
                Op::DrawLine {
                    line: Line {
                        points: line_points(&[(*x1, *y1), (*x2, *y2)], height),
                        is_closed: false,
                    },
                },
            ]),
            Item::Polyline { points, width, ink } => ops.extend([
                Op::SetOutlineColor { col: color(*ink) },
                Op::SetOutlineThickness { pt: Pt(*width) },
                Op::DrawLine {
                    line: Line {
                        points: line_points(points, height),
                        is_closed: false,
                    },
                },
            ]),
            Item::Rect { x, y, w, h, ink } => ops.extend([
                Op::SetFillColor { col: color(*ink) },
                Op::DrawPolygon {
                    polygon: Polygon {
                        rings: vec![PolygonRing {
                            points: line_points(
                                &[(*x, *y), (x + w, *y), (x + w, y + h), (*x, y + h)],
                                height,
                            ),
                        }],
                        mode: PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                },
            ]),
        }
    }
    ops
}

/// `layout` (of `doc`) as the bytes of a PDF file.
pub fn render(doc: &Document, layout: &Layout) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::embedded()?;
    let (width, height) = layout.paper.size();
    let mut pdf = PdfDocument::new(&doc.title);
    // Each face with only the characters it prints.
    let mut used: BTreeMap<Face, BTreeSet<char>> = BTreeMap::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text { face, text, .. } = item {
                used.entry(*face).or_default().extend(text.chars());
            }
        }
    }
    for (face, chars) in &used {
        let parsed = fonts.subset(*face, chars)?;
        pdf.resources
            .fonts
            .map
            .insert(font_id(*face), printpdf::PdfFont::new(parsed));
    }
    let pages: Vec<PdfPage> = layout
        .pages
        .iter()
        .map(|p| {
            let mut page = PdfPage::new(
                printpdf::Mm::from(Pt(width)),
                printpdf::Mm::from(Pt(height)),
                page_ops(&p.items, height),
            );
            // Exactly the paper's size in points (no round trip through millimetres).
            for r in [&mut page.media_box, &mut page.trim_box, &mut page.crop_box] {
                r.width = Pt(width);
                r.height = Pt(height);
            }
            page
        })
        .collect();
    pdf.with_pages(pages);
    let created = printpdf::OffsetDateTime::from_unix_timestamp(doc.created)
        .map_err(|e| ReportError::Write(format!("the report's time: {e}")))?;
    let info = &mut pdf.metadata.info;
    info.document_title = doc.title.clone();
    info.author = doc.author.clone();
    info.subject = doc.subject.clone();
    info.creator = "Relm".into();
    info.producer = format!("Relm {}", env!("CARGO_PKG_VERSION"));
    info.keywords = vec![doc.digest.clone()];
    info.identifier = doc.digest.clone();
    info.creation_date = created;
    info.modification_date = created;
    info.metadata_date = created;

    let mut warnings = Vec::new();
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
    name_fonts(&mut lo);
    outline(&mut lo, layout)?;
    catalog_language(&mut lo, doc)?;
    lo.compress();
    // The document ID: the first save's digest (the ID takes its place in the second).
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(vec![0; 16], StringFormat::Hexadecimal),
            Object::String(vec![0; 16], StringFormat::Hexadecimal),
        ]),
    );
    let mut first = Vec::new();
    lo.save_to(&mut first)
        .map_err(|e| ReportError::Write(e.to_string()))?;
    let id: Vec<u8> = Sha256::digest(&first)[..16].to_vec();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    let mut bytes = Vec::with_capacity(first.len());
    lo.save_to(&mut bytes)
        .map_err(|e| ReportError::Write(e.to_string()))?;
    Ok(bytes)
}

/// The embedded fonts named as PDF names subsets, `TAG+PostScriptName`: readers (and
/// `pdffonts`) then show them as the subsets they are.
fn name_fonts(lo: &mut lopdf::Document) {
    for object in lo.objects.values_mut() {
        let Object::Dictionary(dict) = object else {
            continue;
        };
        for key in [b"BaseFont".as_slice(), b"FontName".as_slice()] {
            let full = match dict.get(key) {
                Ok(Object::Name(n)) if n.as_slice() == b"RLMREG" => "RLMREG+LiberationSans",
                Ok(Object::Name(n)) if n.as_slice() == b"RLMBLD" => "RLMBLD+LiberationSans-Bold",
                _ => continue,
            };
            dict.set(key, Object::Name(full.as_bytes().to_vec()));
        }
    }
}

/// The document's language (`/Lang`), for screen readers and hyphenation.
fn catalog_language(lo: &mut lopdf::Document, doc: &Document) -> Result<(), ReportError> {
    let catalog = lo
        .catalog_mut()
        .map_err(|e| ReportError::Write(e.to_string()))?;
    catalog.set(
        "Lang",
        Object::String(doc.lang.code().as_bytes().to_vec(), StringFormat::Literal),
    );
    Ok(())
}

/// Text in a PDF text string: UTF-16BE with its byte-order mark.
fn pdf_text(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// The outline: one entry per section, in the document's order.
fn outline(lo: &mut lopdf::Document, layout: &Layout) -> Result<(), ReportError> {
    if layout.outline.is_empty() {
        return Ok(());
    }
    let pages: Vec<ObjectId> = lo.get_pages().into_values().collect();
    let root = lo.new_object_id();
    let ids: Vec<ObjectId> = layout.outline.iter().map(|_| lo.new_object_id()).collect();
    for (i, b) in layout.outline.iter().enumerate() {
        let Some(page) = pages.get(b.page) else {
            continue;
        };
        let mut entry = Dictionary::new();
        entry.set("Title", pdf_text(&b.title));
        entry.set("Parent", Object::Reference(root));
        entry.set(
            "Dest",
            Object::Array(vec![
                Object::Reference(*page),
                Object::Name(b"XYZ".to_vec()),
                Object::Null,
                Object::Null,
                Object::Null,
            ]),
        );
        if i > 0 {
            entry.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            entry.set("Next", Object::Reference(*next));
        }
        lo.objects.insert(ids[i], Object::Dictionary(entry));
    }
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Outlines".to_vec()));
    dict.set("Count", Object::Integer(ids.len() as i64));
    if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
        dict.set("First", Object::Reference(*first));
        dict.set("Last", Object::Reference(*last));
    }
    lo.objects.insert(root, Object::Dictionary(dict));
    let catalog = lo
        .catalog_mut()
        .map_err(|e| ReportError::Write(e.to_string()))?;
    catalog.set("Outlines", Object::Reference(root));
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    Ok(())
}

/// The evidence digest a Relm PDF carries in its metadata (the document information's
/// `Keywords`), or `None` when `bytes` is not a PDF or carries none.
pub fn carried_digest(bytes: &[u8]) -> Option<String> {
    let doc = lopdf::Document::load_mem(bytes).ok()?;
    let info = doc.trailer.get(b"Info").ok()?;
    let info = match info {
        Object::Reference(r) => doc.get_object(*r).ok()?,
        other => other,
    };
    let keywords = info.as_dict().ok()?.get(b"Keywords").ok()?;
    let text = lopdf::decode_text_string(keywords).ok()?;
    Some(text.trim().to_string()).filter(|t| t.starts_with("sha256:"))
}
