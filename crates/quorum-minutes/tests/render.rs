//! The minutes of a meeting run through the real engine (no hub): the model says what
//! happened, every renderer prints it, and a secret poll never shows who voted how.
//! DOCX is unzipped and parsed, the PDF's text is extracted by poppler's `pdftotext`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module puts them in `tests/render/`.
mod render {
    pub(crate) mod hall;
    pub(crate) mod read;
}

use quorum_minutes::{Format, Minutes};
use render::hall::record;
use render::read::{docx_text, pdf_text, secret_section};

const TITLE: &str = "Kỳ họp thứ 12 Hội đồng nhân dân xã Tân Phước <khóa XII>";
const ITEM: &str = "Nghị quyết về kế hoạch phát triển kinh tế - xã hội năm 2027";
const ELECTION: &str = "Bầu Phó Chủ tịch Hội đồng nhân dân xã";
/// 2026-11-28 08:00 in Vietnam.
const START: i64 = 1_795_827_600_000;

#[test]
fn the_model_says_what_happened() {
    let minutes = Minutes::from_record(&record());
    assert_eq!(minutes.title, TITLE);
    assert_eq!(minutes.issuing_body, "Hội đồng nhân dân xã Tân Phước");
    assert_eq!(minutes.chair.as_ref().unwrap().name, "Trần Văn Hùng");
    assert_eq!(minutes.secretary.as_ref().unwrap().name, "Lê Thị Mai");
    let attendance = &minutes.attendance;
    let names = |people: &[quorum_minutes::minutes::Person]| {
        people.iter().map(|p| p.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&attendance.remote), ["Phạm Thị Bích"]);
    assert_eq!(names(&attendance.absent), ["Đặng Quốc Việt"]);
    assert_eq!(attendance.proxies[0].holder.name, "Nguyễn Văn An");
    assert_eq!(attendance.in_room.len(), 4);
    assert!(attendance.quorum.met);
    assert_eq!(minutes.items[0].title, ITEM);
    assert_eq!(minutes.items[0].speakers[0].person.name, "Phạm Thị Bích");
    assert!(minutes.other.is_none());
    let polls: Vec<_> = minutes.polls().collect();
    assert_eq!(polls.len(), 3);
    let counts = |index: usize| {
        polls[index].questions[0]
            .options
            .iter()
            .map(|option| option.ballots)
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(0), [3, 1, 1]);
    assert_eq!(polls[0].questions[0].verdict.words, "THÔNG QUA");
    assert_eq!(
        polls[0].questions[0].base, 4,
        "votes cast, abstentions left out"
    );
    assert_eq!(
        polls[0].questions[0].options[0].percent.as_deref(),
        Some("75,00%")
    );
    assert_eq!(polls[0].votes.as_ref().unwrap().len(), 5);
    assert_eq!(counts(1), [2, 3, 0]);
    assert_eq!(polls[1].questions[0].verdict.words, "KHÔNG THÔNG QUA");
    assert!(polls[1].votes.is_none(), "a secret poll names no voter");
    assert_eq!(polls[1].receipts.as_ref().unwrap().len(), 5);
    assert_eq!(counts(2), [4, 1]);
    assert_eq!(
        polls[2].questions[0].verdict.words,
        "THÔNG QUA phương án: Nguyễn Văn An"
    );
    let directive = &minutes.items[0].directives[0];
    assert_eq!(directive.unit, "Ủy ban nhân dân xã");
    assert_eq!(
        directive.due.as_ref().unwrap().local,
        "2026-12-05T08:00+07:00"
    );
    assert_eq!(minutes.audit.as_ref().unwrap().head_hash, "ab".repeat(32));
}

#[test]
fn every_format_prints_the_same_minutes() {
    let minutes = Minutes::from_record(&record());
    let json: serde_json::Value =
        serde_json::from_slice(&minutes.render(Format::Json).unwrap()).unwrap();
    assert_eq!(json["format"], "quorum.minutes.v1");
    assert_eq!(json["items"][0]["polls"][1]["secret"], true);
    assert!(json["items"][0]["polls"][1]["votes"].is_null());

    let html = String::from_utf8(minutes.render(Format::Html).unwrap()).unwrap();
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("font-family: 'Times New Roman'"));
    assert!(
        html.contains("&lt;khóa XII&gt;") && !html.contains("<khóa"),
        "escaped"
    );
    assert!(html.contains("&amp; giao UBND"));

    let docx = docx_text(&minutes.render(Format::Docx).unwrap());
    let pdf = pdf_text(&minutes.render(Format::Pdf).unwrap());
    // pdftotext breaks lines where the PDF does; join them for searching.
    let pdf_joined = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
    let html_text = html
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    for (format, text) in [("docx", &docx), ("pdf", &pdf_joined), ("html", &html_text)] {
        assert!(
            unicode_normalization::is_nfc(text),
            "{format}: every letter precomposed (NFC)"
        );
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BIÊN BẢN",
            TITLE,
            ITEM,
            ELECTION,
            "HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHƯỚC",
            "Hội trường UBND xã Tân Phước, ngày 28 tháng 11 năm 2026",
            "Tán thành: 3 phiếu",
            "Không tán thành: 1 phiếu",
            "Không biểu quyết: 1 phiếu",
            "Kết quả: THÔNG QUA",
            "Tán thành: 2 phiếu",
            "Không tán thành: 3 phiếu",
            "Kết quả: KHÔNG THÔNG QUA",
            "Kết quả: THÔNG QUA phương án: Nguyễn Văn An",
            "Ủy ban nhân dân xã: Hoàn thiện hồ sơ kế hoạch",
            "thời hạn: 05/12/2026",
            "Phạm Thị Bích, Đại biểu — Phát biểu: Đề nghị tăng vốn cho giao thông nông thôn",
            "Vũ Thị Hương (ủy quyền cho Nguyễn Văn An)",
            "THƯ KÝ",
            "CHỦ TỌA",
        ] {
            assert!(
                text.contains(expected),
                "{format} lacks {expected:?}:\n{text}"
            );
        }
        let secret = secret_section(text);
        for name in [
            "Nguyễn Văn An",
            "Phạm Thị Bích",
            "Hoàng Đức Long",
            "Trần Văn Hùng",
        ] {
            assert!(
                !secret.contains(name),
                "{format}: the secret poll names {name}"
            );
        }
    }
}
