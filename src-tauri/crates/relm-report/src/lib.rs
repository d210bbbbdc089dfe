//! Relm's report engine.
//!
//! A report is built in three steps, each testable on its own:
//!
//! 1. [`model`]: what the report says — sections of headings, paragraphs, key-value blocks,
//!    tables with their column widths, and charts — built by the caller from domain data.
//! 2. [`layout`]: where it goes — the model paginated on a paper size with the embedded
//!    fonts' metrics: wrapped lines, tables broken across pages with their header row
//!    repeated, page furniture (title, "page n / N", the evidence digest), the outline. Pure:
//!    the same model gives the same pages, and tests snapshot them without any PDF.
//! 3. [`pdf`]: the pages drawn with `printpdf`, the fonts subset and embedded, the outline and
//!    the document's metadata written. Reproducible: the same model gives the same bytes.

pub mod fonts;
pub mod layout;
pub mod model;
pub mod pdf;

pub use layout::{Layout, Paper, paginate};
pub use model::{Align, Block, Chart, ChartKind, Column, Document, Lang, Section, Series, Table};
pub use pdf::{carried_digest, render};

/// What can go wrong when writing a PDF.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the embedded font could not be read: {0}")]
    Font(String),
    #[error("the PDF could not be written: {0}")]
    Write(String),
}
