//! PDF drawn directly with pdf-writer: A4, the Decree 30 margins, Liberation Serif
//! embedded as subsets (Regular and Bold; italic is the regular face slanted), lines broken by
//! glyph widths, page numbers at the top from the second page.

mod font;

use std::io::Write as _;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish as _, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::MinutesError;
use crate::layout::{Align, Block, Line};
use font::{Font, break_lines};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.276;
const PAGE_HEIGHT: f32 = 841.89;
/// One millimetre in points.
const MM: f32 = 72.0 / 25.4;
const MARGIN_TOP: f32 = 20.0 * MM;
const MARGIN_BOTTOM: f32 = 20.0 * MM;
const MARGIN_LEFT: f32 = 30.0 * MM;
const MARGIN_RIGHT: f32 = 15.0 * MM;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.25;
/// The gap between two columns.
const GUTTER: f32 = 4.0 * MM;

const SYSTEM_INFO: SystemInfo<'static> = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// The two faces drawn.
struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    fn pick(&self, bold: bool) -> &Font {
        if bold { &self.bold } else { &self.regular }
    }

    fn pick_mut(&mut self, bold: bool) -> &mut Font {
        if bold {
            &mut self.bold
        } else {
            &mut self.regular
        }
    }
}

/// A line placed on a page.
struct Placed {
    page: usize,
    x: f32,
    y: f32,
    text: String,
    bold: bool,
    italic: bool,
    size: f32,
}

/// Lays lines out over pages.
struct Pages {
    placed: Vec<Placed>,
    page: usize,
    y: f32,
}

impl Pages {
    fn top() -> f32 {
        PAGE_HEIGHT - MARGIN_TOP
    }

    /// Makes room for `height` points, starting a page if needed.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN_BOTTOM && self.y < Pages::top() {
            self.page += 1;
            self.y = Pages::top();
        }
    }

    /// Lays out a paragraph in the column from `left`, `width` wide, from `y`; returns
    /// the `y` under it.
    fn paragraph(&mut self, fonts: &Fonts, line: &Line, left: f32, width: f32) {
        let font = fonts.pick(line.bold);
        let indent = f32::from(line.indent) * 10.0 * MM;
        let height = line.size * LEADING;
        self.y -= line.space_before;
        for text in break_lines(font, &line.text, line.size, width - indent) {
            self.room(height);
            self.y -= height;
            let x = match line.align {
                Align::Center => left + (width - font.width(&text, line.size)) / 2.0,
                Align::Justify => left + indent,
            };
            self.placed.push(Placed {
                page: self.page,
                x,
                y: self.y + (LEADING - 1.0) * line.size,
                text,
                bold: line.bold,
                italic: line.italic,
                size: line.size,
            });
        }
    }
}

/// The document as PDF bytes.
pub(crate) fn render(blocks: &[Block], title: &str) -> Result<Vec<u8>, MinutesError> {
    let mut fonts = Fonts {
        regular: Font::new(font::REGULAR, "QRMREG+LiberationSerif")?,
        bold: Font::new(font::BOLD, "QRMBLD+LiberationSerif-Bold")?,
    };
    let text_width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
    let mut pages = Pages {
        placed: Vec::new(),
        page: 0,
        y: Pages::top(),
    };
    for block in blocks {
        match block {
            Block::Para(line) => pages.paragraph(&fonts, line, MARGIN_LEFT, text_width),
            Block::Columns { left, right, split } => {
                // Kept together on one page: measure, then lay out both from one top.
                let left_width = (text_width - GUTTER) * split;
                let right_width = text_width - GUTTER - left_width;
                let height = |lines: &[Line], column: f32| {
                    lines
                        .iter()
                        .map(|line| {
                            let font = fonts.pick(line.bold);
                            let count = break_lines(font, &line.text, line.size, column).len();
                            line.space_before + count as f32 * line.size * LEADING
                        })
                        .sum::<f32>()
                };
                pages.room(height(left, left_width).max(height(right, right_width)));
                let top = pages.y;
                for line in left {
                    pages.paragraph(&fonts, line, MARGIN_LEFT, left_width);
                }
                let bottom_left = pages.y;
                pages.y = top;
                for line in right {
                    pages.paragraph(&fonts, line, MARGIN_LEFT + left_width + GUTTER, right_width);
                }
                pages.y = pages.y.min(bottom_left);
            }
        }
    }
    let page_count = pages.page + 1;

    let mut contents: Vec<Content> = (0..page_count).map(|_| Content::new()).collect();
    for (number, content) in contents.iter_mut().enumerate().skip(1) {
        let label = (number + 1).to_string();
        let size = 13.0;
        let x = MARGIN_LEFT + (text_width - fonts.regular.width(&label, size)) / 2.0;
        let encoded = fonts.regular.encode(&label);
        content
            .begin_text()
            .set_font(Name(b"F0"), size)
            .next_line(x, PAGE_HEIGHT - 12.0 * MM)
            .show(Str(&encoded))
            .end_text();
    }
    for placed in &pages.placed {
        let Some(content) = contents.get_mut(placed.page) else {
            continue;
        };
        let font = fonts.pick_mut(placed.bold);
        let encoded = font.encode(&placed.text);
        let slant = if placed.italic { 0.2 } else { 0.0 };
        content
            .begin_text()
            .set_font(Name(if placed.bold { b"F1" } else { b"F0" }), placed.size)
            .set_text_matrix([1.0, 0.0, slant, 1.0, placed.x, placed.y])
            .show(Str(&encoded))
            .end_text();
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let id = Ref::new(next);
        next += 1;
        id
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let mut font_ids = || [alloc(), alloc(), alloc(), alloc(), alloc()];
    let ids = [font_ids(), font_ids()];
    let page_ids: Vec<(Ref, Ref)> = (0..page_count).map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree).lang(TextStr("vi"));
    pdf.document_info(info)
        .title(TextStr(&format!("Biên bản - {title}")))
        .producer(TextStr("Quorum"));
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(page_count).unwrap_or(i32::MAX));
    for ((page_id, content_id), content) in page_ids.iter().zip(contents) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree)
            .contents(*content_id);
        let mut resources = page.resources();
        let mut names = resources.fonts();
        names.pair(Name(b"F0"), ids[0][0]);
        names.pair(Name(b"F1"), ids[1][0]);
        names.finish();
        resources.finish();
        page.finish();
        let data = deflate(&content.finish())?;
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
    }
    let [regular_ids, bold_ids] = ids;
    embed(&mut pdf, &fonts.regular, regular_ids)?;
    embed(&mut pdf, &fonts.bold, bold_ids)?;
    Ok(pdf.finish())
}

/// Writes one font's objects: the Type 0 font, its CID font, descriptor, file and
/// ToUnicode map.
fn embed(pdf: &mut Pdf, font: &Font, ids: [Ref; 5]) -> Result<(), MinutesError> {
    let [type0, cid, descriptor, file, cmap] = ids;
    let name = Name(font.name.as_bytes());
    pdf.type0_font(type0)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(name)
        .system_info(SYSTEM_INFO)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = cid_font.widths();
    for (glyph, (_, width)) in &font.used {
        widths.consecutive(*glyph, [*width]);
    }
    widths.finish();
    cid_font.finish();
    let (ascent, descent, cap_height, bbox) = font.metrics();
    pdf.font_descriptor(descriptor)
        .name(name)
        .flags(FontFlags::SERIF | FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(bbox[0], bbox[1], bbox[2], bbox[3]))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(cap_height)
        .stem_v(80.0)
        .font_file2(file);
    let subset = font.subset()?;
    let data = deflate(&subset)?;
    pdf.stream(file, &data).filter(Filter::FlateDecode).pair(
        Name(b"Length1"),
        i32::try_from(subset.len()).unwrap_or(i32::MAX),
    );
    let mut map = UnicodeCmap::<u16>::new(Name(b"Quorum-UTF16"), SYSTEM_INFO);
    for (glyph, (c, _)) in &font.used {
        map.pair(*glyph, *c);
    }
    pdf.cmap(cmap, &map.finish());
    Ok(())
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, MinutesError> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|error| MinutesError::Font(format!("cannot compress: {error}")))
}
