//! What every format of the minutes must say and must not: the DOCX unzipped and parsed
//! (fonts on every script slot, A4), the PDF read back by poppler's `pdftotext`.

use std::io::Read as _;
use std::path::Path;
use std::process::Command;

use crate::{DELEGATES, ELECTION, ITEM, SECRET, TITLE};

/// What every format must say, and must not.
pub(crate) fn check_text(source: &str, text: &str) {
    // Renderers break lines where they must: search the text with its runs of white
    // space made single spaces.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN",
        "HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHƯỚC",
        TITLE,
        ITEM,
        ELECTION,
        "Chủ tọa: Trần Văn Hùng, Chủ tịch HĐND",
        "Thư ký: Lê Thị Mai, Chánh Văn phòng",
        "Tham dự trực tuyến (1): Phạm Thị Bích",
        "Vũ Thị Hương (ủy quyền cho Nguyễn Văn An)",
        "Vắng mặt (1): Đặng Quốc Việt",
        "Phạm Thị Bích, Đại biểu — Phát biểu: Đề nghị tăng vốn cho giao thông nông thôn",
        // The named motion: 3–1–1, passed by a simple majority (3 of 4, 75 %).
        "Tán thành: 3 phiếu, tỷ lệ 75,00%",
        "Không tán thành: 1 phiếu, tỷ lệ 25,00%",
        "Không biểu quyết: 1 phiếu",
        "Kết quả: THÔNG QUA",
        "Nguyễn Văn An: Tán thành",
        "Vũ Thị Hương: Không tán thành (do Nguyễn Văn An bỏ phiếu theo ủy quyền)",
        // The secret motion: 2–3–0 of 6 members, not passed.
        "Tán thành: 2 phiếu, tỷ lệ 33,33%",
        "Không tán thành: 3 phiếu, tỷ lệ 50,00%",
        "Kết quả: KHÔNG THÔNG QUA",
        "Mã biên nhận các phiếu (5)",
        // The election: 4–1 of 6 members.
        "Nguyễn Văn An: 4 phiếu",
        "Phạm Thị Bích: 1 phiếu",
        "Kết quả: THÔNG QUA phương án: Nguyễn Văn An",
        "Thống nhất trình kế hoạch năm 2027 & giao UBND xã hoàn thiện.",
        "Ủy ban nhân dân xã: Hoàn thiện hồ sơ kế hoạch, gửi Thường trực HĐND. (thời hạn: 15/01/2030",
        "Mã băm chuỗi nhật ký",
        "THƯ KÝ",
        "CHỦ TỌA",
    ] {
        assert!(
            text.contains(expected),
            "{source} lacks {expected:?}:\n{text}"
        );
    }
    // The secret poll's section names nobody.
    let start = text
        .find(&format!("{SECRET} (bỏ phiếu kín"))
        .unwrap_or_else(|| panic!("{source}: no secret poll"));
    let end = start + text[start..].find(ELECTION).unwrap();
    let secret = &text[start..end];
    for name in DELEGATES {
        assert!(
            !secret.contains(name),
            "{source}: the secret poll names {name}: {secret}"
        );
    }
}

pub(crate) fn check_json(source: &str, bytes: &[u8]) {
    let json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    assert_eq!(json["format"], "quorum.minutes.v1", "{source}");
    assert_eq!(json["title"], TITLE);
    let polls = json["items"][0]["polls"].as_array().unwrap();
    assert_eq!(polls[0]["questions"][0]["verdict"]["code"], "passed");
    assert_eq!(polls[0]["votes"].as_array().unwrap().len(), 5);
    assert_eq!(polls[1]["secret"], true);
    assert!(
        polls[1]["votes"].is_null(),
        "{source}: a secret poll lists no voter"
    );
    assert_eq!(polls[1]["receipts"].as_array().unwrap().len(), 5);
    assert_eq!(polls[1]["questions"][0]["verdict"]["code"], "not_passed");
    let counts: Vec<u64> = polls[1]["questions"][0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|option| option["ballots"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [2, 3, 0]);
    let election = &json["items"][1]["polls"][0];
    assert_eq!(election["questions"][0]["verdict"]["code"], "chosen");
    assert!(
        json["audit"]["head_hash"]
            .as_str()
            .is_some_and(|hash| !hash.is_empty())
    );
}

/// The paragraphs of a DOCX, after checking its fonts and page size.
pub(crate) fn docx_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let attribute = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.attributes()
            .find(|attribute| attribute.name() == name)
            .map(|attribute| attribute.value().to_owned())
    };
    let runs = document
        .descendants()
        .filter(|node| node.tag_name().name() == "r")
        .count();
    let fonts: Vec<_> = document
        .descendants()
        .filter(|node| node.tag_name().name() == "rFonts")
        .collect();
    assert_eq!(fonts.len(), runs, "every run names its font");
    for node in fonts {
        for slot in ["ascii", "hAnsi", "cs", "eastAsia"] {
            assert_eq!(
                attribute(node, slot).as_deref(),
                Some("Times New Roman"),
                "{slot}"
            );
        }
    }
    let size = document
        .descendants()
        .find(|node| node.tag_name().name() == "pgSz")
        .unwrap();
    assert_eq!(attribute(size, "w").as_deref(), Some("11906"), "A4 width");
    assert_eq!(attribute(size, "h").as_deref(), Some("16838"), "A4 height");
    let sizes: Vec<String> = document
        .descendants()
        .filter(|node| node.tag_name().name() == "sz")
        .filter_map(|node| attribute(node, "val"))
        .collect();
    assert!(sizes.iter().any(|size| size == "26"), "13 pt body text");
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

/// The PDF's text, as poppler extracts it.
pub(crate) fn pdf_text(dir: &Path, bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"));
    let path = dir.join("check.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run pdftotext ({error}): install poppler-utils with `cargo xtask browser-deps`"
            )
        });
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
