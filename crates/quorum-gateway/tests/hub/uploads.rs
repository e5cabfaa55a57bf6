//! Uploads that must be refused for what they hold — a file whose name or declared type
//! lies about its content, a damaged PDF, a program, an empty file — each with a message
//! a secretary can act on and nothing stored; and file names with paths in them.

use axum::http::Method;
use quorum_client::HttpResponse;
use quorum_domain::MeetingId;
use serde_json::Value;

use super::documents::{
    BOUNDARY, approve, files_under, meeting_with_item, pdf_content, upload_form,
};
use super::rest::{send, view};
use super::support::TestHub;

async fn upload_as(
    hub: &TestHub,
    meeting: &MeetingId,
    token: &str,
    file_name: &str,
    media_type: &str,
    content: &[u8],
) -> HttpResponse {
    send(
        hub,
        Method::POST,
        &format!("/api/meetings/{meeting}/items/muc-1/documents"),
        Some(token),
        Some((
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            upload_form(None, file_name, media_type, content),
        )),
    )
    .await
}

type Case = (
    &'static str,
    &'static str,
    Vec<u8>,
    u16,
    &'static str,
    &'static str,
);

#[tokio::test]
async fn files_that_are_not_what_they_say_are_refused_with_a_reason_and_nothing_kept() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-tep-xau").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let blobs = hub.dir.path().join("blobs");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let mut cut_pdf = pdf_content(2000);
    cut_pdf.truncate(1000);
    // File name, declared type, content, status, problem code, words of the message.
    let cases: [Case; 5] = [
        (
            "so-do.png",
            "application/pdf",
            png.clone(),
            415,
            "mismatch",
            "nội dung là",
        ),
        (
            "bao-cao.pdf",
            "application/octet-stream",
            png,
            415,
            "mismatch",
            "nội dung là",
        ),
        (
            "to-trinh.pdf",
            "application/pdf",
            cut_pdf,
            422,
            "broken_pdf",
            "PDF bị hỏng",
        ),
        (
            "cai-dat.exe",
            "application/octet-stream",
            b"MZ\x90\0\x03\0\0\0\x04\0".to_vec(),
            415,
            "not_accepted",
            "không được nhận",
        ),
        (
            "rong.pdf",
            "application/pdf",
            Vec::new(),
            422,
            "empty",
            "Tệp rỗng",
        ),
    ];
    for (name, media_type, content, status, problem, words) in cases {
        let response = upload_as(&hub, &meeting.id, &secretary, name, media_type, &content).await;
        assert_eq!(response.status.as_u16(), status, "{name} as {media_type}");
        let body: Value = response.json().unwrap();
        assert_eq!(body["error"]["code"], "file_refused", "{body}");
        assert_eq!(body["error"]["problem"]["code"], problem, "{body}");
        let message = body["error"]["message"]["vi"].as_str().unwrap();
        assert!(message.contains(words), "{name}: {message}");
        assert!(!body["error"]["message"]["en"].as_str().unwrap().is_empty());
        assert!(files_under(&blobs).is_empty(), "{name} left a file behind");
    }
    let items = view(&hub, &meeting.id, &secretary).await.agenda.items;
    assert!(
        items[0].documents.is_empty(),
        "no refused file was attached"
    );
}

#[tokio::test]
async fn a_path_in_a_file_name_is_dropped_and_the_content_sets_the_type() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-ten-tep").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    for (name, expected) in [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        (
            "C:\\Users\\thu-ky\\Tờ trình số 12.pdf",
            "Tờ trình số 12.pdf",
        ),
        ("..", "tai-lieu"),
    ] {
        // No `name` part: the document is called after its file.
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&pdf_content(64));
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let response = send(
            &hub,
            Method::POST,
            &format!("/api/meetings/{}/items/muc-1/documents", meeting.id),
            Some(&secretary),
            Some((&format!("multipart/form-data; boundary={BOUNDARY}"), body)),
        )
        .await;
        assert_eq!(response.status.as_u16(), 200, "{name}");
        let document: Value = response.json().unwrap();
        let id = document["id"].as_str().unwrap().to_owned();
        approve(&hub, &meeting.id, &secretary, &id).await;
        let items = view(&hub, &meeting.id, &secretary).await.agenda.items;
        let stored = items[0]
            .documents
            .iter()
            .find(|doc| doc.id.as_str() == id)
            .unwrap();
        assert_eq!(stored.name, expected, "{name}");
        assert_eq!(stored.media_type, "application/pdf", "the content decides");
    }
}
