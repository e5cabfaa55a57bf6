//! DOCX written by hand: the few OOXML parts Word needs, zipped with deflate. A4, the
//! Decree 30 margins (top and bottom 20 mm, left 30 mm, right 15 mm), Times New Roman
//! on every script slot of every run (ascii, hAnsi, cs, eastAsia) so that no Vietnamese
//! letter falls back to a theme font.

use std::fmt::Write as _;
use std::io::Write as _;

use zip::write::SimpleFileOptions;

use crate::MinutesError;
use crate::html::escape;
use crate::layout::{Align, BODY_PT, Block, Line};

/// A4 in twentieths of a point.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
/// Margins in twentieths of a point (1 mm = 56.7).
const MARGIN_TOP: u32 = 1_134;
const MARGIN_BOTTOM: u32 = 1_134;
const MARGIN_LEFT: u32 = 1_701;
const MARGIN_RIGHT: u32 = 850;
/// The font, on every script slot.
const FONTS: &str = r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman"/>"#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const NAMESPACE: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The document as a DOCX archive.
pub(crate) fn render(blocks: &[Block]) -> Result<Vec<u8>, MinutesError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", RELS.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", styles()),
        ("word/document.xml", document(blocks)),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).map_err(MinutesError::Docx)?;
        zip.write_all(text.as_bytes())
            .map_err(|error| MinutesError::Docx(error.into()))?;
    }
    let cursor = zip.finish().map_err(MinutesError::Docx)?;
    Ok(cursor.into_inner())
}

fn half_points(points: f32) -> u32 {
    // Sizes are small positive numbers of points; the cast cannot truncate.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a font size in points, positive and small"
    )]
    let half = (points * 2.0).round().max(1.0) as u32;
    half
}

fn styles() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{NAMESPACE}"><w:docDefaults><w:rPrDefault><w:rPr>{FONTS}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:rPr>{FONTS}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        size = half_points(BODY_PT)
    )
}

fn document(blocks: &[Block]) -> String {
    let mut body = String::new();
    let text_width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
    for block in blocks {
        match block {
            Block::Para(line) => paragraph(&mut body, line),
            Block::Columns { left, right, split } => {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    clippy::cast_precision_loss,
                    reason = "a share of the text width, between 0 and 1"
                )]
                let left_width = (text_width as f32 * split.clamp(0.0, 1.0)) as u32;
                let right_width = text_width - left_width;
                let _ = write!(
                    body,
                    r#"<w:tbl><w:tblPr><w:tblW w:w="{text_width}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders></w:tblPr><w:tblGrid><w:gridCol w:w="{left_width}"/><w:gridCol w:w="{right_width}"/></w:tblGrid><w:tr>"#
                );
                for (cell, column) in [(left, left_width), (right, right_width)] {
                    let _ = write!(
                        body,
                        r#"<w:tc><w:tcPr><w:tcW w:w="{column}" w:type="dxa"/></w:tcPr>"#
                    );
                    cell.iter().for_each(|line| paragraph(&mut body, line));
                    if cell.is_empty() {
                        body.push_str("<w:p/>");
                    }
                    body.push_str("</w:tc>");
                }
                body.push_str("</w:tr></w:tbl>");
            }
        }
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{NAMESPACE}"><w:body>{body}<w:sectPr><w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/><w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_LEFT}" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    )
}

fn paragraph(out: &mut String, line: &Line) {
    let align = match line.align {
        Align::Center => "center",
        Align::Justify => "both",
    };
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "spacing in points, positive and small"
    )]
    let before = (line.space_before * 20.0).round().max(0.0) as u32;
    let indent = u32::from(line.indent) * 567;
    let _ = write!(
        out,
        r#"<w:p><w:pPr><w:spacing w:before="{before}"/><w:ind w:left="{indent}"/><w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>{FONTS}{}{}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        if line.bold { "<w:b/><w:bCs/>" } else { "" },
        if line.italic { "<w:i/><w:iCs/>" } else { "" },
        escape(&line.text),
        size = half_points(line.size),
    );
}
