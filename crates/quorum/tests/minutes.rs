//! The minutes (biên bản) of a whole meeting run through the real binary: prepared from
//! the command line, held on a running hub by devices over WebSocket and REST (check-in,
//! a proxy, the speakers' list, a named poll, a secret poll, a choice, a conclusion and a
//! directive), then exported in every format by `quorum export` and by the REST route.
//! The DOCX is unzipped and parsed, the PDF read back by poppler's `pdftotext`, and a
//! secret poll must never show who voted how.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module puts them in `tests/minutes/`.
mod minutes {
    pub(crate) mod binary;
    pub(crate) mod formats;
    pub(crate) mod hall;
}

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/server.rs"]
mod server;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use minutes::binary::{quorum, succeed};
use minutes::formats::{check_json, check_text, docx_text, pdf_text};
use minutes::hall::Hall;
use quorum_client::{ConnectOptions, Connection, Http};
use quorum_domain::MeetingId;
use server::{Server, free_port};

const MEETING: &str = "hdnd-xa-12";
const TITLE: &str = "Kỳ họp thứ 12 Hội đồng nhân dân xã Tân Phước";
const ITEM: &str = "Nghị quyết về kế hoạch phát triển kinh tế - xã hội năm 2027";
const ELECTION: &str = "Bầu Phó Chủ tịch Hội đồng nhân dân xã";
const SECRET: &str = "Thông qua dự toán ngân sách xã năm 2027";
const DELEGATES: [&str; 4] = [
    "Nguyễn Văn An",
    "Phạm Thị Bích",
    "Hoàng Đức Long",
    "Trần Văn Hùng",
];
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meetings_minutes_are_exported_in_every_format() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let codes = prepare(dir);

    let port = free_port();
    let mut server = Server::plain(dir, port, &dir.join("serve.log")).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = Http::new(&base).unwrap();
    let mut tokens = BTreeMap::new();
    for (member, code) in &codes {
        tokens.insert(member.clone(), http.redeem(code).await.unwrap().token);
    }
    let ws = format!("ws://127.0.0.1:{port}/ws");
    let mut devices = BTreeMap::new();
    for member in ["chair", "sec", "d1", "d2", "d3", "d4"] {
        let (connection, _) = Connection::connect(&ws, &ConnectOptions::new(&tokens[member]))
            .await
            .unwrap();
        devices.insert(member, connection);
    }
    let meeting = MeetingId::new(MEETING).unwrap();
    let mut hall = Hall {
        devices,
        meeting,
        http,
        tokens: tokens.clone(),
    };
    hall.run_meeting().await;

    // The REST route, for those who keep the meeting only.
    let mut from_rest = BTreeMap::new();
    for format in ["docx", "pdf", "html", "json"] {
        let response = hall
            .http
            .get_bytes(
                &format!("/api/meetings/{MEETING}/minutes?format={format}"),
                Some(&tokens["sec"]),
            )
            .await
            .unwrap();
        assert!(
            response.status.is_success(),
            "{format}: {}",
            response.status
        );
        let disposition = response.headers["content-disposition"].to_str().unwrap();
        assert_eq!(
            disposition,
            format!("attachment; filename=\"bien-ban-{MEETING}.{format}\"")
        );
        let content_type = response.headers["content-type"].to_str().unwrap();
        let expected = match format {
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf" => "application/pdf",
            "html" => "text/html; charset=utf-8",
            _ => "application/json",
        };
        assert_eq!(content_type, expected);
        from_rest.insert(format, response.body.to_vec());
    }
    let refused = hall
        .http
        .get_bytes(
            &format!("/api/meetings/{MEETING}/minutes?format=pdf"),
            Some(&tokens["d1"]),
        )
        .await
        .unwrap();
    assert_eq!(refused.status.as_u16(), 403, "a delegate may not export");
    let unknown = hall
        .http
        .get_bytes(
            &format!("/api/meetings/{MEETING}/minutes?format=odt"),
            Some(&tokens["sec"]),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status.as_u16(), 400);
    drop(hall);
    server.kill();

    // The command line, on the stopped hub's data directory.
    let mut from_cli = BTreeMap::new();
    for format in ["docx", "pdf", "html", "json"] {
        let out = dir.join(format!("bien-ban.{format}"));
        succeed(&quorum(
            dir,
            &[
                "export",
                "--meeting",
                MEETING,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
        ));
        from_cli.insert(format, std::fs::read(&out).unwrap());
    }
    let needs_out = quorum(dir, &["export", "--meeting", MEETING, "--format", "pdf"]);
    assert!(!needs_out.status.success());
    assert!(String::from_utf8_lossy(&needs_out.stderr).contains("--out"));
    let record = succeed(&quorum(dir, &["export", "--meeting", MEETING]));
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(
        record["format"], "quorum.record.v1",
        "the default is the raw record"
    );

    for (source, files) in [("rest", &from_rest), ("cli", &from_cli)] {
        check_json(source, &files["json"]);
        let html = String::from_utf8(files["html"].clone()).unwrap();
        assert!(html.contains("@page { size: A4"), "{source}");
        assert!(html.contains("font-family: 'Times New Roman'"), "{source}");
        let html = html
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        check_text(&format!("{source} html"), &html);
        check_text(&format!("{source} docx"), &docx_text(&files["docx"]));
        check_text(&format!("{source} pdf"), &pdf_text(dir, &files["pdf"]));
    }
}

/// Creates the meeting, imports its roster and issues the invitation links, from the
/// command line; returns each participant's one-time code.
fn prepare(dir: &Path) -> BTreeMap<String, String> {
    succeed(&quorum(
        dir,
        &[
            "create-meeting",
            "--id",
            MEETING,
            "--title",
            TITLE,
            "--location",
            "Hội trường UBND xã",
        ],
    ));
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "member,name,position,unit_name,role,voting_right\n\
         chair,Trần Văn Hùng,Chủ tịch HĐND,Hội đồng nhân dân xã Tân Phước,chủ tọa,có\n\
         sec,Lê Thị Mai,Chánh Văn phòng,Văn phòng HĐND và UBND xã,thư ký,không\n\
         d1,Nguyễn Văn An,Đại biểu,Hội đồng nhân dân xã Tân Phước,đại biểu,có\n\
         d2,Phạm Thị Bích,Đại biểu,Hội đồng nhân dân xã Tân Phước,đại biểu,có\n\
         d3,Hoàng Đức Long,Đại biểu,Hội đồng nhân dân xã Tân Phước,đại biểu,có\n\
         d4,Vũ Thị Hương,Đại biểu,Hội đồng nhân dân xã Tân Phước,đại biểu,có\n\
         d5,Đặng Quốc Việt,Đại biểu,Hội đồng nhân dân xã Tân Phước,đại biểu,có\n",
    )
    .unwrap();
    succeed(&quorum(
        dir,
        &[
            "import-roster",
            "--meeting",
            MEETING,
            "--csv",
            roster.to_str().unwrap(),
        ],
    ));
    let links = succeed(&quorum(dir, &["invite", "--meeting", MEETING]));
    links
        .lines()
        .map(|line| {
            let member = line.split('\t').next().unwrap().to_owned();
            let code = line.split("code=").nth(1).unwrap().trim().to_owned();
            (member, code)
        })
        .collect()
}
