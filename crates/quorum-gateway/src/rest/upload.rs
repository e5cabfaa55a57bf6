//! What an uploaded document really is: its kind read from its bytes (never taken on
//! the word of its name or of the browser), a PDF checked for the markers every reader
//! needs, and a file name with no path left in it.

use serde::Serialize;

/// Bytes kept from the start of a file to recognise it.
const HEAD: usize = 4096;
/// Bytes kept from its end: a PDF ends with `startxref … %%EOF`, give or take some
/// trailing bytes that readers tolerate.
const TAIL: usize = 2048;
/// The longest file name kept, in characters.
const NAME_MAX: usize = 180;

/// Why an upload is refused for what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FileProblem {
    /// The file is empty.
    Empty,
    /// Not a kind of document a meeting takes (PDF, office documents, images, text).
    NotAccepted,
    /// The name or the declared type says one kind, the content is another.
    Mismatch {
        /// What the name or the declared type claims.
        claimed: String,
        /// What the content is.
        found: String,
    },
    /// It starts as a PDF but lacks the end a reader needs: damaged or cut short.
    BrokenPdf,
}

impl FileProblem {
    /// What is wrong, in Vietnamese and in English.
    pub fn message(&self) -> (String, String) {
        match self {
            FileProblem::Empty => (
                "Tệp rỗng: không có nội dung để tải lên.".into(),
                "The file is empty.".into(),
            ),
            FileProblem::NotAccepted => (
                "Loại tệp này không được nhận. Hãy dùng PDF, Word, Excel, PowerPoint, \
                 OpenDocument, ảnh (PNG, JPEG) hoặc văn bản."
                    .into(),
                "This kind of file is not accepted. Use PDF, Word, Excel, PowerPoint, \
                 OpenDocument, an image (PNG, JPEG) or text."
                    .into(),
            ),
            FileProblem::Mismatch { claimed, found } => (
                format!("Tệp ghi là {claimed} nhưng nội dung là {found}. Hãy kiểm tra lại tệp."),
                format!(
                    "The file says it is {claimed} but its content is {found}. Check the file."
                ),
            ),
            FileProblem::BrokenPdf => (
                "Tệp PDF bị hỏng hoặc không đầy đủ (thiếu phần kết thúc). Hãy xuất lại tệp PDF."
                    .into(),
                "The PDF is damaged or cut short (its end is missing). Export it again.".into(),
            ),
        }
    }
}

/// A kind of document, as recognised from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pdf,
    /// A ZIP container: Office Open XML or OpenDocument, told apart by the name.
    Zip,
    /// An OLE compound file: the older Word, Excel and PowerPoint formats.
    Ole,
    Png,
    Jpeg,
    Gif,
    Webp,
    Text,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Pdf => "PDF",
            Kind::Zip => "an office document (ZIP)",
            Kind::Ole => "an older office document",
            Kind::Png => "a PNG image",
            Kind::Jpeg => "a JPEG image",
            Kind::Gif => "a GIF image",
            Kind::Webp => "a WebP image",
            Kind::Text => "text",
        }
    }
}

/// What is accepted: the media type to store and serve, and the cleaned file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The media type, from the content.
    pub media_type: String,
    /// The file name, without any path.
    pub file_name: String,
}

/// Watches a file go by, chunk by chunk, keeping only its first and last bytes.
#[derive(Debug, Default)]
pub struct Inspector {
    head: Vec<u8>,
    tail: Vec<u8>,
    size: u64,
}

impl Inspector {
    /// Sees the next chunk.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.size = self.size.saturating_add(chunk.len() as u64);
        let room = HEAD.saturating_sub(self.head.len());
        self.head
            .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        self.tail.extend_from_slice(chunk);
        if self.tail.len() > TAIL {
            let cut = self.tail.len() - TAIL;
            self.tail.drain(..cut);
        }
    }

    /// Decides on the whole file, given the name and type the uploader claimed.
    ///
    /// # Errors
    ///
    /// The [`FileProblem`] that a person must fix.
    pub fn verdict(&self, claimed_type: &str, file_name: &str) -> Result<Accepted, FileProblem> {
        if self.size == 0 {
            return Err(FileProblem::Empty);
        }
        let kind = self.kind().ok_or(FileProblem::NotAccepted)?;
        let file_name = clean_name(file_name);
        let extension = extension(&file_name);
        for (claimed, family) in [
            (claimed_type.to_owned(), family_of_type(claimed_type)),
            (format!(".{extension}"), family_of_extension(&extension)),
        ] {
            if let Some(family) = family
                && !family.contains(&kind)
            {
                return Err(FileProblem::Mismatch {
                    claimed,
                    found: kind.label().into(),
                });
            }
        }
        if kind == Kind::Pdf && !self.pdf_is_whole() {
            return Err(FileProblem::BrokenPdf);
        }
        let media_type = media_type(kind, &extension).ok_or(FileProblem::NotAccepted)?;
        Ok(Accepted {
            media_type: media_type.into(),
            file_name,
        })
    }

    fn kind(&self) -> Option<Kind> {
        let head = self.head.as_slice();
        // A PDF reader accepts the header anywhere in the first 1024 bytes.
        let pdf_window = head.get(..head.len().min(1024)).unwrap_or_default();
        if pdf_window.windows(5).any(|window| window == b"%PDF-") {
            return Some(Kind::Pdf);
        }
        let kind = if head.starts_with(b"PK\x03\x04") {
            Kind::Zip
        } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            Kind::Ole
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Kind::Png
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Kind::Jpeg
        } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            Kind::Gif
        } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
            Kind::Webp
        } else if is_text(head, self.size as usize == head.len()) {
            Kind::Text
        } else {
            return None;
        };
        Some(kind)
    }

    fn pdf_is_whole(&self) -> bool {
        let tail = self.tail.as_slice();
        let has = |marker: &[u8]| tail.windows(marker.len()).any(|window| window == marker);
        has(b"%%EOF") && has(b"startxref")
    }
}

/// UTF-8 without NUL or other control characters than whitespace; a multi-byte letter
/// cut at the end of the head does not count against it.
fn is_text(head: &[u8], whole: bool) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(error) if !whole && error.error_len().is_none() => {
            match std::str::from_utf8(head.get(..error.valid_up_to()).unwrap_or_default()) {
                Ok(text) => text,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    !valid
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{feff}'))
}

fn family_of_type(media_type: &str) -> Option<&'static [Kind]> {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Some(match essence.as_str() {
        "application/pdf" => &[Kind::Pdf],
        "image/png" => &[Kind::Png],
        "image/jpeg" => &[Kind::Jpeg],
        "image/gif" => &[Kind::Gif],
        "image/webp" => &[Kind::Webp],
        "text/plain" | "text/csv" | "text/markdown" => &[Kind::Text],
        "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => {
            &[Kind::Ole]
        }
        other if other.starts_with("application/vnd.openxmlformats-officedocument.") => {
            &[Kind::Zip]
        }
        other if other.starts_with("application/vnd.oasis.opendocument.") => &[Kind::Zip],
        // Generic or unknown claims say nothing either way.
        _ => return None,
    })
}

fn family_of_extension(extension: &str) -> Option<&'static [Kind]> {
    Some(match extension {
        "pdf" => &[Kind::Pdf],
        "png" => &[Kind::Png],
        "jpg" | "jpeg" => &[Kind::Jpeg],
        "gif" => &[Kind::Gif],
        "webp" => &[Kind::Webp],
        "txt" | "csv" | "md" => &[Kind::Text],
        "doc" | "xls" | "ppt" => &[Kind::Ole],
        "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" => &[Kind::Zip],
        _ => return None,
    })
}

fn media_type(kind: Kind, extension: &str) -> Option<&'static str> {
    Some(match (kind, extension) {
        (Kind::Pdf, _) => "application/pdf",
        (Kind::Png, _) => "image/png",
        (Kind::Jpeg, _) => "image/jpeg",
        (Kind::Gif, _) => "image/gif",
        (Kind::Webp, _) => "image/webp",
        (Kind::Text, "csv") => "text/csv; charset=utf-8",
        (Kind::Text, _) => "text/plain; charset=utf-8",
        (Kind::Zip, "docx") => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        (Kind::Zip, "xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (Kind::Zip, "pptx") => {
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        }
        (Kind::Zip, "odt") => "application/vnd.oasis.opendocument.text",
        (Kind::Zip, "ods") => "application/vnd.oasis.opendocument.spreadsheet",
        (Kind::Zip, "odp") => "application/vnd.oasis.opendocument.presentation",
        (Kind::Ole, "doc") => "application/msword",
        (Kind::Ole, "xls") => "application/vnd.ms-excel",
        (Kind::Ole, "ppt") => "application/vnd.ms-powerpoint",
        // A bare ZIP or OLE file could hold anything.
        (Kind::Zip | Kind::Ole, _) => return None,
    })
}

/// The last part of a path-like name, without control characters, characters that
/// file systems refuse, or leading dots; `tai-lieu` if nothing is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            other => other,
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let cleaned: String = cleaned.chars().take(NAME_MAX).collect();
    if cleaned.is_empty() {
        "tai-lieu".into()
    } else {
        cleaned
    }
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] =
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n";

    fn inspect(bytes: &[u8], claimed: &str, name: &str) -> Result<Accepted, FileProblem> {
        let mut inspector = Inspector::default();
        for chunk in bytes.chunks(7) {
            inspector.feed(chunk);
        }
        inspector.verdict(claimed, name)
    }

    #[test]
    fn the_content_decides_the_type() {
        let pdf = inspect(PDF, "application/octet-stream", "bao-cao.pdf").unwrap();
        assert_eq!(pdf.media_type, "application/pdf");
        let text = inspect("Báo cáo tình hình".as_bytes(), "", "ghi-chu.txt").unwrap();
        assert_eq!(text.media_type, "text/plain; charset=utf-8");
        let png = inspect(b"\x89PNG\r\n\x1a\n....", "image/png", "so-do.png").unwrap();
        assert_eq!(png.media_type, "image/png");
        let docx = inspect(b"PK\x03\x04[Content_Types].xml", "", "to-trinh.docx").unwrap();
        assert!(docx.media_type.contains("wordprocessingml"));
    }

    #[test]
    fn lies_about_the_kind_are_refused() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        assert_eq!(
            inspect(png, "application/pdf", "anh.png"),
            Err(FileProblem::Mismatch {
                claimed: "application/pdf".into(),
                found: "a PNG image".into()
            })
        );
        assert!(matches!(
            inspect(png, "application/octet-stream", "bao-cao.pdf"),
            Err(FileProblem::Mismatch { .. })
        ));
        assert!(matches!(
            inspect(PDF, "application/pdf", "bang-tinh.xlsx"),
            Err(FileProblem::Mismatch { .. })
        ));
    }

    #[test]
    fn unknown_empty_and_broken_files_are_refused() {
        assert_eq!(
            inspect(b"\x7fELF\x02\x01\x01\0\0\0", "", "chuong-trinh"),
            Err(FileProblem::NotAccepted)
        );
        assert_eq!(
            inspect(b"", "application/pdf", "a.pdf"),
            Err(FileProblem::Empty)
        );
        let cut = PDF.get(..40).unwrap();
        assert_eq!(
            inspect(cut, "application/pdf", "a.pdf"),
            Err(FileProblem::BrokenPdf)
        );
        assert_eq!(
            inspect(b"PK\x03\x04zip", "application/zip", "archive.zip"),
            Err(FileProblem::NotAccepted)
        );
    }

    #[test]
    fn a_pdf_with_a_long_tail_or_a_late_header_is_whole() {
        let mut late = b"garbage before the header\n".to_vec();
        late.extend_from_slice(PDF);
        late.extend_from_slice(&[b'\n'; 300]);
        assert!(inspect(&late, "application/pdf", "a.pdf").is_ok());
        let mut big = PDF.get(..30).unwrap().to_vec();
        big.extend(std::iter::repeat_n(b'x', 100_000));
        big.extend_from_slice(b"\nstartxref\n123\n%%EOF\n");
        assert!(inspect(&big, "application/pdf", "a.pdf").is_ok());
    }

    #[test]
    fn paths_are_taken_out_of_names() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_name("C:\\Users\\thu-ky\\Tờ trình.pdf"),
            "Tờ trình.pdf"
        );
        assert_eq!(clean_name(".."), "tai-lieu");
        assert_eq!(clean_name("..\\.."), "tai-lieu");
        assert_eq!(clean_name(".hidden.pdf"), "hidden.pdf");
        assert_eq!(clean_name("a\nb\u{0}c.pdf"), "abc.pdf");
        assert_eq!(clean_name("x<y>:z?.pdf"), "x_y__z_.pdf");
        assert_eq!(clean_name(&"ệ".repeat(500)).chars().count(), NAME_MAX);
    }

    #[test]
    fn vietnamese_text_cut_inside_a_letter_is_still_text() {
        let text = "Nghị quyết ".repeat(1000);
        let mut inspector = Inspector::default();
        inspector.feed(text.as_bytes());
        assert_eq!(
            inspector
                .verdict("text/plain", "nghi-quyet.txt")
                .unwrap()
                .media_type,
            "text/plain; charset=utf-8"
        );
    }
}
