//! The embedded fonts: Liberation Serif Regular and Bold (SIL OFL 1.1, metric-compatible
//! with Times New Roman, which may not be bundled), measured with ttf-parser, subset to
//! the glyphs drawn and embedded as CID fonts with a ToUnicode map, so that text
//! extracts as written.

use std::collections::BTreeMap;

use crate::MinutesError;

/// Liberation Serif Regular.
pub(super) const REGULAR: &[u8] = include_bytes!("../../fonts/LiberationSerif-Regular.ttf");
/// Liberation Serif Bold.
pub(super) const BOLD: &[u8] = include_bytes!("../../fonts/LiberationSerif-Bold.ttf");

/// A font being used on the pages: its metrics and the glyphs drawn so far.
pub(super) struct Font {
    data: &'static [u8],
    pub(super) name: &'static str,
    face: ttf_parser::Face<'static>,
    /// The font's glyph ids → the subset's, in the order first drawn.
    remapper: subsetter::GlyphRemapper,
    /// The subset's glyph id → the character it draws (for the ToUnicode map) and its
    /// width.
    pub(super) used: BTreeMap<u16, (char, f32)>,
}

impl Font {
    pub(super) fn new(data: &'static [u8], name: &'static str) -> Result<Font, MinutesError> {
        let face = ttf_parser::Face::parse(data, 0)
            .map_err(|error| MinutesError::Font(format!("{name}: {error}")))?;
        Ok(Font {
            data,
            name,
            face,
            remapper: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
        })
    }

    fn units(&self) -> f32 {
        f32::from(self.face.units_per_em().max(1))
    }

    /// A glyph's advance in thousandths of the font size.
    fn advance(&self, glyph: ttf_parser::GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) * 1000.0 / self.units()
    }

    fn glyph(&self, c: char) -> ttf_parser::GlyphId {
        self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0))
    }

    /// The width of `text` at `size` points.
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// `text` as 2-byte glyph ids of the subset (Identity-H), remembering each glyph
    /// used.
    pub(super) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = self.glyph(c);
            let width = self.advance(glyph);
            let subset = self.remapper.remap(glyph.0);
            if glyph.0 != 0 {
                self.used.entry(subset).or_insert((c, width));
            }
            out.extend_from_slice(&subset.to_be_bytes());
        }
        out
    }

    /// The font file with only the glyphs drawn, numbered as [`Font::encode`] wrote them.
    pub(super) fn subset(&self) -> Result<Vec<u8>, MinutesError> {
        subsetter::subset(self.data, 0, &self.remapper)
            .map_err(|error| MinutesError::Font(format!("{}: cannot subset: {error}", self.name)))
    }

    /// Metrics for the font descriptor, in thousandths: ascent, descent, cap height,
    /// bounding box.
    pub(super) fn metrics(&self) -> (f32, f32, f32, [f32; 4]) {
        let scale = 1000.0 / self.units();
        let bbox = self.face.global_bounding_box();
        (
            f32::from(self.face.ascender()) * scale,
            f32::from(self.face.descender()) * scale,
            f32::from(self.face.capital_height().unwrap_or(self.face.ascender())) * scale,
            [
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ],
        )
    }
}

/// Breaks `text` into lines no wider than `width` points, at spaces, and inside a word
/// only when the word alone is too wide.
pub(super) fn break_lines(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if font.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: split it by characters if it does not fit.
        for c in word.chars() {
            let mut longer = line.clone();
            longer.push(c);
            if !line.is_empty() && font.width(&longer, size) > width {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = longer;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}
