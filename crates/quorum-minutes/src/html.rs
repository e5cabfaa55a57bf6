//! Printable HTML: one self-contained page (no script, no outside resource), A4 with
//! the Decree 30 margins, Times New Roman first, every text escaped.

use std::fmt::Write as _;

use crate::layout::{Align, Block, Line};

const STYLE: &str = "@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: 'Times New Roman', Times, 'Liberation Serif', Tinos, 'Noto Serif', serif;
  font-size: 13pt; line-height: 1.3; margin: 0 auto; max-width: 165mm; color: #000; }
p { margin: 0; }
.columns { display: flex; justify-content: space-between; gap: 8mm; }
.columns > div { flex: 1; }
.center { text-align: center; } .justify { text-align: justify; }
.bold { font-weight: bold; } .italic { font-style: italic; }
@media screen { body { padding: 20mm 15mm 20mm 30mm; } }";

/// The page.
pub(crate) fn render(blocks: &[Block], title: &str) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>Biên bản - {}</title>", escape(title));
    let _ = writeln!(out, "<style>\n{STYLE}\n</style>\n</head>\n<body>");
    for block in blocks {
        match block {
            Block::Para(line) => paragraph(&mut out, line),
            Block::Columns { left, right, split } => {
                let left_share = (split * 100.0).round();
                let _ = writeln!(
                    out,
                    "<div class=\"columns\">\n<div style=\"flex: 0 0 {left_share}%\">"
                );
                left.iter().for_each(|line| paragraph(&mut out, line));
                out.push_str("</div>\n<div>\n");
                right.iter().for_each(|line| paragraph(&mut out, line));
                out.push_str("</div>\n</div>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn paragraph(out: &mut String, line: &Line) {
    let mut classes = vec![match line.align {
        Align::Center => "center",
        Align::Justify => "justify",
    }];
    if line.bold {
        classes.push("bold");
    }
    if line.italic {
        classes.push("italic");
    }
    let _ = writeln!(
        out,
        "<p class=\"{}\" style=\"font-size: {}pt; margin-left: {}mm; margin-top: {}pt\">{}</p>",
        classes.join(" "),
        line.size,
        u32::from(line.indent) * 10,
        line.space_before,
        if line.text.is_empty() {
            "&nbsp;".to_owned()
        } else {
            escape(&line.text)
        }
    );
}

/// Text escaped for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // Control characters are not text (and not allowed in XML).
            c if c.is_control() && c != '\n' && c != '\t' => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
