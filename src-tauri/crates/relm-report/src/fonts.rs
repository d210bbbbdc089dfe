//! The fonts every report is set in, embedded in the binary: Liberation Sans, regular and bold
//! (SIL Open Font License 1.1, `fonts/LICENSE-LiberationSans.txt`). Latin, Greek and Cyrillic
//! with their accents; a character the font lacks is printed as `?`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::OnceLock;

use printpdf::ParsedFont;
use serde::Serialize;

use crate::ReportError;

/// The fonts as embedded: deflated by the build script (400 KB each, 210 KB deflated).
const REGULAR_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/LiberationSans-Regular.ttf.z"));
const BOLD_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/LiberationSans-Bold.ttf.z"));
/// The fonts' licence, shipped beside them.
pub const LICENSE: &str = include_str!("../fonts/LICENSE-LiberationSans.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Face {
    Regular,
    Bold,
}

struct Metrics {
    bytes: Vec<u8>,
    cmap: BTreeMap<u32, u16>,
    widths: BTreeMap<u16, u16>,
    units_per_em: f32,
    ascent: f32,
}

impl Metrics {
    /// The font whose deflated bytes are `deflated`.
    fn read(deflated: &[u8]) -> Result<Metrics, ReportError> {
        let mut bytes = Vec::with_capacity(deflated.len() * 2);
        flate2::read::ZlibDecoder::new(deflated)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                ReportError::Font(format!("the embedded font could not be inflated: {e}"))
            })?;
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| ReportError::Font(format!("{warnings:?}")))?;
        Ok(Metrics {
            bytes,
            units_per_em: f32::from(parsed.units_per_em.max(1)),
            ascent: f32::from(parsed.font_metrics.ascent),
            cmap: parsed.codepoint_to_glyph,
            widths: parsed.glyph_widths,
        })
    }

    fn glyph(&self, c: char) -> Option<u16> {
        self.cmap.get(&u32::from(c)).copied().filter(|g| *g != 0)
    }

    /// The advance of `c` in font units (the `?` it is printed as when the font lacks it).
    fn advance(&self, c: char) -> f32 {
        let g = self.glyph(c).or_else(|| self.glyph('?')).unwrap_or(0);
        f32::from(self.widths.get(&g).copied().unwrap_or(0))
    }
}

/// The two faces' metrics, read once.
pub struct Fonts {
    regular: Metrics,
    bold: Metrics,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("regular_glyphs", &self.regular.cmap.len())
            .field("bold_glyphs", &self.bold.cmap.len())
            .finish()
    }
}

static EMBEDDED: OnceLock<Result<Fonts, String>> = OnceLock::new();

impl Fonts {
    /// The embedded fonts.
    pub fn embedded() -> Result<&'static Fonts, ReportError> {
        EMBEDDED
            .get_or_init(|| {
                Ok(Fonts {
                    regular: Metrics::read(REGULAR_Z).map_err(|e| e.to_string())?,
                    bold: Metrics::read(BOLD_Z).map_err(|e| e.to_string())?,
                })
            })
            .as_ref()
            .map_err(|e| ReportError::Font(e.clone()))
    }

    fn metrics(&self, face: Face) -> &Metrics {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// Whether `face` draws `c` (else it is printed as `?`).
    pub fn has(&self, face: Face, c: char) -> bool {
        self.metrics(face).glyph(c).is_some()
    }

    /// The width of `text` set in `face` at `size` points, in points.
    pub fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        let m = self.metrics(face);
        text.chars().map(|c| m.advance(c)).sum::<f32>() * size / m.units_per_em
    }

    /// The height above the baseline of `face`'s tallest glyphs at `size` points.
    pub fn ascent(&self, face: Face, size: f32) -> f32 {
        let m = self.metrics(face);
        m.ascent * size / m.units_per_em
    }

    /// `face` with only the glyphs of `chars` (and `.notdef`), for embedding: a report's fonts
    /// weigh a few kilobytes instead of 400.
    pub fn subset(&self, face: Face, chars: &BTreeSet<char>) -> Result<ParsedFont, ReportError> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData;
        use allsorts::subset::{CmapTarget, SubsetProfile, subset};
        let m = self.metrics(face);
        let mut glyphs: Vec<u16> = chars.iter().filter_map(|c| m.glyph(*c)).collect();
        glyphs.sort_unstable();
        glyphs.dedup();
        glyphs.insert(0, 0);
        let font = ReadScope::new(&m.bytes)
            .read::<FontData<'_>>()
            .map_err(|e| ReportError::Font(e.to_string()))?;
        let provider = font
            .table_provider(0)
            .map_err(|e| ReportError::Font(e.to_string()))?;
        let bytes = subset(&provider, &glyphs, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| ReportError::Font(e.to_string()))?;
        let mut warnings = Vec::new();
        ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| ReportError::Font(format!("the subset font: {warnings:?}")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is the failure report
    use super::*;

    #[test]
    fn french_accents_are_in_the_font_and_measured() {
        let f = Fonts::embedded().unwrap();
        for c in "éèêàçôûœÉÀ«»’€".chars() {
            assert!(f.has(Face::Regular, c), "{c}");
            assert!(f.has(Face::Bold, c), "{c}");
        }
        // Bold is wider than regular; a longer text is wider.
        let (r, b) = (
            f.width(Face::Regular, "Déploiement", 10.0),
            f.width(Face::Bold, "Déploiement", 10.0),
        );
        assert!(b > r && r > 40.0 && r < 70.0, "{r} {b}");
        assert!(f.width(Face::Regular, "ab", 10.0) < f.width(Face::Regular, "abc", 10.0));
        // A glyph the font lacks takes the place of `?`.
        assert!(!f.has(Face::Regular, '漢'));
        assert_eq!(
            f.width(Face::Regular, "漢", 10.0),
            f.width(Face::Regular, "?", 10.0)
        );
    }

    #[test]
    fn a_subset_keeps_only_the_glyphs_asked_for() {
        let f = Fonts::embedded().unwrap();
        let chars: BTreeSet<char> = "Relm é".chars().collect();
        let sub = f.subset(Face::Regular, &chars).unwrap();
        assert!(sub.original_bytes.len() < f.regular.bytes.len() / 10);
        for c in chars
            .iter()
            .filter(|c| **c != ' ' || f.has(Face::Regular, ' '))
        {
            assert!(
                sub.codepoint_to_glyph.contains_key(&u32::from(*c)),
                "{c} kept"
            );
        }
        assert!(!sub.codepoint_to_glyph.contains_key(&u32::from('z')));
    }
}
