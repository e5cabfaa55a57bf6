//! Reading the files back: the DOCX unzipped and parsed with roxmltree (checking the
//! fonts on every script slot and the A4 page), the PDF's text by poppler's `pdftotext`.

use std::io::Read as _;

use crate::ELECTION;

/// The text of every paragraph of a DOCX, and checks of its fonts and page.
pub(crate) fn docx_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let fonts: Vec<_> = document
        .descendants()
        .filter(|node| node.tag_name().name() == "rFonts")
        .collect();
    assert!(!fonts.is_empty());
    for node in &fonts {
        for slot in ["ascii", "hAnsi", "cs", "eastAsia"] {
            let value = node
                .attributes()
                .find(|attribute| attribute.name() == slot)
                .map(|attribute| attribute.value());
            assert_eq!(value, Some("Times New Roman"), "font slot {slot}");
        }
    }
    let size = document
        .descendants()
        .find(|node| node.tag_name().name() == "pgSz")
        .unwrap();
    let attribute = |name: &str| {
        size.attributes()
            .find(|attribute| attribute.name() == name)
            .unwrap()
            .value()
            .to_owned()
    };
    assert_eq!(
        (attribute("w").as_str(), attribute("h").as_str()),
        ("11906", "16838")
    );
    document
        .descendants()
        .filter(|node| node.tag_name().name() == "p")
        .map(|paragraph| {
            paragraph
                .descendants()
                .filter(|node| node.tag_name().name() == "t")
                .filter_map(|node| node.text())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile_dir();
    let path = dir.join("bien-ban.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|error| {
            panic!("pdftotext (poppler-utils) is missing ({error}): run `cargo xtask browser-deps`")
        });
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("quorum-minutes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The lines of the secret poll's section.
pub(crate) fn secret_section(text: &str) -> String {
    let start = text
        .find("Thông qua dự toán ngân sách xã năm 2027 (bỏ phiếu kín")
        .unwrap();
    let end = text[start..].find(ELECTION).unwrap();
    text[start..start + end].to_owned()
}
