//! What a report says, before any page exists.

use serde::Serialize;

/// The language of a report's furniture ("page n / N") and of its metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// On every page's header, in the outline's root and in the metadata.
    pub title: String,
    /// The metadata's subject (what the report covers).
    pub subject: String,
    /// The metadata's author: who generated it.
    pub author: String,
    pub lang: Lang,
    /// Shown in every page's footer and kept in the metadata: the digest of the evidence the
    /// report was drawn from (`sha256:…`).
    pub digest: String,
    /// When it was generated, in Unix seconds: the metadata's dates.
    pub created: i64,
    pub sections: Vec<Section>,
}

/// A titled part of the report: one entry of the PDF's outline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    /// Start it on a new page.
    pub new_page: bool,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(title: impl Into<String>, blocks: Vec<Block>) -> Section {
        Section {
            title: title.into(),
            new_page: false,
            blocks,
        }
    }
}

/// One piece of a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A heading inside the section.
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// A quieter paragraph, in grey: what is missing, how something was measured.
    Note {
        text: String,
    },
    /// Labels and their values, two columns.
    KeyValues {
        pairs: Vec<(String, String)>,
    },
    Table(Table),
    Chart(Chart),
}

impl Block {
    pub fn heading(text: impl Into<String>) -> Block {
        Block::Heading { text: text.into() }
    }

    pub fn paragraph(text: impl Into<String>) -> Block {
        Block::Paragraph { text: text.into() }
    }

    pub fn note(text: impl Into<String>) -> Block {
        Block::Note { text: text.into() }
    }

    pub fn key_values<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Block {
        Block::KeyValues {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Right,
}

/// A table column: its header, its share of the text width (the shares are scaled to sum to
/// one) and how its cells align.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f32) -> Column {
        Column {
            title: title.into(),
            width,
            align: Align::Left,
        }
    }

    pub fn right(mut self) -> Column {
        self.align = Align::Right;
        self
    }
}

/// Rows of cells under a header row; a row with fewer cells than columns leaves the rest
/// empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Grouped bars per label.
    Bars,
    /// One line per series.
    Lines,
}

/// One series of a chart: a value (or nothing) per label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A chart drawn as vector graphics: labels along the bottom, values up the side from zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}
