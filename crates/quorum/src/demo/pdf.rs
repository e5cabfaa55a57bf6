//! A small, valid PDF for the demo meeting, written by hand: pages of plain text in the
//! standard Helvetica font (ASCII only, so no font is embedded), enough for a device to
//! show a real multi-page document without shipping a binary file.

/// The first item's report, three pages of plain text (ASCII: Vietnamese without its
/// diacritics, as the standard PDF fonts cannot show them without an embedded font).
pub(crate) fn report() -> Vec<u8> {
    document(
        "To trinh ke hoach phong, chong thien tai nam 2027 (demo)",
        &[
            Page {
                heading: "TO TRINH",
                lines: &[
                    "Ve viec thong qua Ke hoach phong, chong thien tai nam 2027",
                    "",
                    "Kinh gui: Hoi dong nhan dan tinh.",
                    "",
                    "Uy ban nhan dan tinh trinh Hoi dong nhan dan tinh xem xet, thong qua",
                    "Ke hoach phong, chong thien tai nam 2027 voi cac noi dung chinh sau.",
                    "",
                    "1. Su can thiet: mua lu nam 2026 gay thiet hai lon tai cac huyen",
                    "   vung nui; can chu dong phuong an so tan va du tru vat tu.",
                    "2. Muc tieu: giam thieu thiet hai ve nguoi va tai san; bao dam",
                    "   thong tin canh bao den tung thon, ban trong 30 phut.",
                    "3. Pham vi: toan tinh, uu tien 52 xa co nguy co sat lo dat cao.",
                    "",
                    "(Tai lieu mau cua cuoc hop demo Quorum; tieng Viet khong dau.)",
                ],
            },
            Page {
                heading: "NOI DUNG KE HOACH",
                lines: &[
                    "I. Phong ngua",
                    "   - Ra soat 1.240 ho dan o vung nguy hiem; lap danh sach so tan.",
                    "   - Kiem tra 86 ho chua truoc mua mua; van hanh theo quy trinh.",
                    "   - Dien tap ung pho tai 9 huyen, thi xa, thanh pho.",
                    "",
                    "II. Ung pho",
                    "   - Truc ban 24/24 gio trong mua mua bao.",
                    "   - Luc luong xung kich tai moi xa; phuong tien cuu ho tai cho.",
                    "",
                    "III. Khac phuc hau qua",
                    "   - Ho tro nha o, giong cay trong trong 10 ngay sau thien tai.",
                    "",
                    "IV. Kinh phi du kien: 45 ty dong (ngan sach tinh 60%).",
                ],
            },
            Page {
                heading: "DU THAO NGHI QUYET",
                lines: &[
                    "Dieu 1. Thong qua Ke hoach phong, chong thien tai nam 2027",
                    "        cua tinh (kem theo To trinh).",
                    "",
                    "Dieu 2. Giao Uy ban nhan dan tinh to chuc thuc hien; bao cao",
                    "        ket qua tai ky hop cuoi nam.",
                    "",
                    "Dieu 3. Thuong truc, cac Ban va dai bieu Hoi dong nhan dan tinh",
                    "        giam sat viec thuc hien Nghi quyet nay.",
                    "",
                    "Nghi quyet co hieu luc tu ngay duoc thong qua.",
                ],
            },
        ],
    )
}

/// One page: a heading and its lines of text.
pub(crate) struct Page<'a> {
    /// Printed large at the top.
    pub(crate) heading: &'a str,
    /// Printed below, one line each; an empty string is a blank line.
    pub(crate) lines: &'a [&'a str],
}

/// A4 in points.
const WIDTH: u32 = 595;
const HEIGHT: u32 = 842;
const MARGIN: u32 = 56;

/// The document: `title` in its information dictionary and on every page's footer.
pub(crate) fn document(title: &str, pages: &[Page<'_>]) -> Vec<u8> {
    let count = pages.len();
    // Objects 1 to 3 are the catalogue, the page tree and the font; then each page is
    // followed by its content stream; the information dictionary comes last.
    let page_object = |index: usize| 4 + 2 * index;
    let info_object = 4 + 2 * count;
    let mut objects: Vec<String> = Vec::with_capacity(info_object);
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = (0..count)
        .map(|index| format!("{} 0 R", page_object(index)))
        .collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {count} >>",
        kids.join(" ")
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    );
    for (index, page) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            page_object(index) + 1
        ));
        let content = content(title, page, index + 1, count);
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    objects.push(format!(
        "<< /Title ({}) /Producer (Quorum demo) >>",
        escape(title)
    ));

    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{object}\nendobj\n", index + 1));
    }
    let xref = out.len();
    // Each cross-reference entry is exactly 20 bytes, its end of line included.
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R /Info {info_object} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// A page's content stream: the heading, a rule, the lines, and a footer.
fn content(title: &str, page: &Page<'_>, number: usize, count: usize) -> String {
    let top = HEIGHT - MARGIN - 18;
    let mut stream = format!(
        "BT /F1 18 Tf {MARGIN} {top} Td ({}) Tj ET\n",
        escape(page.heading)
    );
    let rule = top - 12;
    stream.push_str(&format!(
        "0.6 w {MARGIN} {rule} m {} {rule} l S\n",
        WIDTH - MARGIN
    ));
    stream.push_str(&format!("BT /F1 12 Tf 16 TL {MARGIN} {} Td", rule - 28));
    for line in page.lines {
        stream.push_str(&format!(" ({}) Tj T*", escape(line)));
    }
    stream.push_str(" ET\n");
    stream.push_str(&format!(
        "BT /F1 9 Tf {MARGIN} {} Td ({} - Trang {number}/{count}) Tj ET",
        MARGIN - 24,
        escape(title)
    ));
    stream
}

/// `text` as the inside of a PDF string: ASCII only, with `\`, `(` and `)` escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test")]
    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let pages = [
            Page {
                heading: "One (1)",
                lines: &["first", "", "back\\slash"],
            },
            Page {
                heading: "Two",
                lines: &["second"],
            },
        ];
        let bytes = document("Sample", &pages);
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // The catalogue, the page tree, the font, two pages with their contents, the
        // information dictionary: eight objects, and entry 0.
        assert!(text[startxref..].starts_with("xref\n0 9\n"));
        let entries: Vec<&str> = text[startxref..].lines().skip(3).take(8).collect();
        assert_eq!(entries.len(), 8);
        for (index, entry) in entries.iter().enumerate() {
            assert_eq!(entry.len() + 1, 20, "{entry:?}");
            let offset: usize = entry[..10].parse().unwrap();
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj\n", index + 1)),
                "object {} is not at {offset}",
                index + 1
            );
        }
        assert!(text.contains("/Count 2"));
        assert!(text.contains("(One \\(1\\)) Tj"));
        assert!(text.contains("(back\\\\slash) Tj"));
        // Every stream's stated length is its length.
        for part in text.split("<< /Length ").skip(1) {
            let (length, rest) = part.split_once(" >>\nstream\n").unwrap();
            let length: usize = length.parse().unwrap();
            assert!(rest[length..].starts_with("\nendstream"));
        }
    }

    #[test]
    fn text_outside_ascii_is_replaced() {
        assert_eq!(escape("Kế (a)"), "K? \\(a\\)");
    }
}
