//! Documents over HTTP: multipart upload to the blob store, download only by those the
//! meeting lets read them once approved (revalidated by hash, resumable by range), and
//! the body limits.

use axum::http::{HeaderMap, HeaderValue, Method, header};
use quorum_client::HttpResponse;
use quorum_domain::meeting::agenda::DocumentAccess;
use quorum_domain::{ItemId, MeetingCommand, MeetingId};
use quorum_gateway::access::Grant;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::support::{TestHub, TestMeeting, actor, member};

use super::rest::{import, send, view};

pub(super) const BOUNDARY: &str = "quorum-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body: optional `name` and `access` parts, then the file.
pub(super) fn upload_form(
    access: Option<&str>,
    file_name: &str,
    media_type: &str,
    content: &[u8],
) -> Vec<u8> {
    let mut body = Vec::new();
    let mut text_part = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text_part("name", "Tờ trình ngân sách");
    if let Some(access) = access {
        text_part("access", access);
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(super) async fn upload(
    hub: &TestHub,
    meeting: &MeetingId,
    token: &str,
    access: Option<&str>,
    content: &[u8],
) -> HttpResponse {
    send(
        hub,
        Method::POST,
        &format!("/api/meetings/{meeting}/items/muc-1/documents"),
        Some(token),
        Some((
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            upload_form(access, "to-trinh.pdf", "application/pdf", content),
        )),
    )
    .await
}

/// Publishes a draft document, through the API as the secretary's screen does.
pub(super) async fn approve(hub: &TestHub, meeting: &MeetingId, token: &str, document: &str) {
    let command = json!({ "command": { "type": "approve_document", "document": document } });
    let response = send(
        hub,
        Method::POST,
        &format!("/api/meetings/{meeting}/commands"),
        Some(token),
        Some(("application/json", command.to_string().into_bytes())),
    )
    .await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.error_code());
}

pub(super) async fn download(
    hub: &TestHub,
    meeting: &MeetingId,
    document: &str,
    token: &str,
) -> HttpResponse {
    hub.http()
        .get_bytes(
            &format!("/api/meetings/{meeting}/documents/{document}"),
            Some(token),
        )
        .await
        .unwrap()
}

/// A meeting with an agenda item `muc-1`.
pub(super) async fn meeting_with_item(hub: &TestHub, id: &str) -> TestMeeting {
    let meeting = hub.meeting(id, 2).await;
    hub.run(
        &meeting.id,
        actor(&meeting.secretary),
        MeetingCommand::AddItem {
            item: ItemId::new("muc-1").unwrap(),
            title: "Ngân sách năm 2027".into(),
            description: String::new(),
            position: None,
        },
    )
    .await;
    meeting
}

/// Every file under `dir`, recursively.
pub(super) fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Bytes that are not text, so that a download that mangles them is caught.
pub(super) fn pdf_content(size: usize) -> Vec<u8> {
    let mut content = b"%PDF-1.7\n".to_vec();
    content.extend((0..size).map(|n| (n * 31 % 256) as u8));
    // The end every PDF reader looks for, or the hub refuses the file as damaged.
    content.extend_from_slice(b"\nstartxref\n9\n%%EOF\n");
    content
}

#[tokio::test]
async fn a_document_is_stored_attached_and_served_to_its_readers() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-tai-lieu").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let delegate = hub.member_token(&meeting.delegates[0]).await;
    let guest = hub.member_token(&meeting.guest).await;
    let (mut watcher, _) = hub.connect(&delegate).await;
    watcher.subscribe(&meeting.id, None).await.unwrap();

    let content = pdf_content(20_000);
    let response = upload(&hub, &meeting.id, &secretary, None, &content).await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.body);
    let document: Value = response.json().unwrap();
    let hash = hex(&Sha256::digest(&content));
    assert_eq!(document["content_hash"], json!(hash));
    assert_eq!(document["size"], json!(content.len()));
    assert_eq!(document["name"], json!("Tờ trình ngân sách"));
    assert_eq!(document["media_type"], json!("application/pdf"));
    assert_eq!(document["access"], json!({ "kind": "everyone" }));
    assert_eq!(document["status"]["draft"], json!(true));
    let id = document["id"].as_str().unwrap().to_owned();
    approve(&hub, &meeting.id, &secretary, &id).await;

    // The blob is stored under its hash.
    let stored = hub.hub.blobs().path(&hash).unwrap();
    assert_eq!(std::fs::read(stored).unwrap(), content);
    // It is attached: devices following the meeting see it.
    let attached = watcher
        .wait_for(std::time::Duration::from_secs(5), |message| {
            format!("{message:?}").contains(&id)
        })
        .await;
    assert!(attached.is_ok(), "no update names the document");
    let listed = view(&hub, &meeting.id, &delegate).await.agenda.items[0]
        .documents
        .iter()
        .any(|document| document.id.as_str() == id);
    assert!(listed);

    for token in [&delegate, &guest, &secretary] {
        let response = download(&hub, &meeting.id, &id, token).await;
        assert_eq!(response.status.as_u16(), 200);
        assert_eq!(response.body.as_ref(), content.as_slice());
        assert_eq!(
            response.headers[header::ETAG].to_str().unwrap(),
            format!("\"{hash}\"")
        );
        assert_eq!(
            response.headers[header::CONTENT_TYPE].to_str().unwrap(),
            "application/pdf"
        );
    }
    let unknown = download(&hub, &meeting.id, "doc-khong-co", &delegate).await;
    assert_eq!(unknown.status.as_u16(), 404);
    let outsider = hub.member_token(&member("nguoi-ngoai")).await;
    assert_eq!(
        download(&hub, &meeting.id, &id, &outsider)
            .await
            .status
            .as_u16(),
        403
    );
    // A delegate does not attach documents.
    let response = upload(&hub, &meeting.id, &delegate, None, b"x").await;
    assert_eq!(response.status.as_u16(), 403);
}

#[tokio::test]
async fn a_download_is_revalidated_by_its_hash_and_resumed_by_range() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-tai-tiep").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let delegate = hub.member_token(&meeting.delegates[0]).await;
    let content = pdf_content(200_000);
    let document: Value = upload(&hub, &meeting.id, &secretary, None, &content)
        .await
        .json()
        .unwrap();
    let id = document["id"].as_str().unwrap();
    approve(&hub, &meeting.id, &secretary, id).await;
    let tag = format!("\"{}\"", hex(&Sha256::digest(&content)));
    let path = format!("/api/meetings/{}/documents/{id}", meeting.id);
    let get = |pairs: Vec<(header::HeaderName, String)>| {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        let (hub, path, delegate) = (&hub, &path, &delegate);
        async move {
            hub.http()
                .get_with_headers(path, Some(delegate), &headers)
                .await
                .unwrap()
        }
    };

    let whole = get(vec![]).await;
    assert_eq!(whole.status.as_u16(), 200);
    assert_eq!(whole.headers[header::ACCEPT_RANGES], "bytes");
    // A device that holds this version downloads nothing.
    let held = get(vec![(header::IF_NONE_MATCH, tag.clone())]).await;
    assert_eq!(held.status.as_u16(), 304);
    assert!(held.body.is_empty());
    // A download that broke off at 150,000 bytes asks for the rest.
    let rest = get(vec![
        (header::RANGE, "bytes=150000-".to_owned()),
        (header::IF_RANGE, tag.clone()),
    ])
    .await;
    assert_eq!(rest.status.as_u16(), 206);
    let size = content.len();
    assert_eq!(
        rest.headers[header::CONTENT_RANGE],
        format!("bytes 150000-{}/{size}", size - 1).as_str()
    );
    assert_eq!(rest.body.as_ref(), &content[150_000..]);
    let middle = get(vec![(header::RANGE, "bytes=10-19".to_owned())]).await;
    assert_eq!(middle.status.as_u16(), 206);
    assert_eq!(middle.body.as_ref(), &content[10..20]);
    let tail = get(vec![(header::RANGE, "bytes=-7".to_owned())]).await;
    assert_eq!(tail.body.as_ref(), &content[size - 7..]);
    // A range for another version gets the whole of this one.
    let stale = get(vec![
        (header::RANGE, "bytes=150000-".to_owned()),
        (header::IF_RANGE, "\"an-older-version\"".to_owned()),
    ])
    .await;
    assert_eq!(stale.status.as_u16(), 200);
    assert_eq!(stale.body.as_ref(), content.as_slice());
    let past = get(vec![(header::RANGE, format!("bytes={size}-"))]).await;
    assert_eq!(past.status.as_u16(), 416);
    assert_eq!(
        past.headers[header::CONTENT_RANGE],
        format!("bytes */{size}").as_str()
    );
}

#[tokio::test]
async fn a_delegates_only_document_is_hidden_from_guests_and_the_projector() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-mat").await;
    let chair = hub.member_token(&meeting.chair).await;
    let access = serde_json::to_string(&DocumentAccess::DelegatesOnly).unwrap();
    assert_eq!(access, r#"{"kind":"delegates_only"}"#);
    let content = pdf_content(1_000);
    let response = upload(&hub, &meeting.id, &chair, Some(&access), &content).await;
    assert_eq!(response.status.as_u16(), 200);
    let document: Value = response.json().unwrap();
    let id = document["id"].as_str().unwrap();
    approve(&hub, &meeting.id, &chair, id).await;

    let projector = hub
        .token(Grant::Projector {
            meeting: meeting.id.clone(),
        })
        .await;
    let guest = hub.member_token(&meeting.guest).await;
    for token in [&guest, &projector] {
        assert_eq!(
            download(&hub, &meeting.id, id, token).await.status.as_u16(),
            404
        );
        let documents = &view(&hub, &meeting.id, token).await.agenda.items[0].documents;
        assert!(
            documents.is_empty(),
            "the document is listed: {documents:?}"
        );
    }
    for member in [&meeting.delegates[0], &meeting.secretary] {
        let token = hub.member_token(member).await;
        let response = download(&hub, &meeting.id, id, &token).await;
        assert_eq!(response.status.as_u16(), 200);
        assert_eq!(response.body.as_ref(), content.as_slice());
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_and_leaves_nothing() {
    let hub = TestHub::start_with(|config| config.limits.max_document_bytes = 4096).await;
    let meeting = meeting_with_item(&hub, "hop-lon").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let blobs = hub.dir.path().join("blobs");

    // Just over the limit, and far over it (past the request body limit too).
    for size in [4097, 8 * 1024, 512 * 1024] {
        let response = upload(&hub, &meeting.id, &secretary, None, &vec![7u8; size]).await;
        assert_eq!(response.status.as_u16(), 413, "{size} bytes");
        assert_eq!(files_under(&blobs), Vec::<std::path::PathBuf>::new());
    }
    let items = view(&hub, &meeting.id, &secretary).await.agenda.items;
    assert!(items[0].documents.is_empty());
    // At the limit it is fine.
    let at_limit = pdf_content(4096 - 28);
    assert_eq!(at_limit.len(), 4096);
    let response = upload(&hub, &meeting.id, &secretary, None, &at_limit).await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(files_under(&blobs).len(), 1);
}

#[tokio::test]
async fn a_request_body_over_the_limit_is_refused() {
    let hub = TestHub::start_with(|config| {
        config.limits.max_request_bytes = 2048;
        config.limits.max_document_bytes = 1024 * 1024;
    })
    .await;
    let meeting = meeting_with_item(&hub, "hop-than").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let before = view(&hub, &meeting.id, &secretary).await.seq;
    let mut roster = String::from("member,name\n");
    for n in 0..200 {
        roster.push_str(&format!("db-{n:04},Đại biểu số {n}\n"));
    }
    assert!(roster.len() > 2048);
    let response = import(&hub, &meeting.id, "", &secretary, &roster).await;
    assert_eq!(response.status.as_u16(), 413);
    let padded = format!(r#"{{"code":"qc_x","pad":"{}"}}"#, " ".repeat(4096));
    let response = send(
        &hub,
        Method::POST,
        "/api/session/redeem",
        None,
        Some(("application/json", padded.into_bytes())),
    )
    .await;
    assert_eq!(response.status.as_u16(), 413);
    assert_eq!(view(&hub, &meeting.id, &secretary).await.seq, before);
    // Documents have their own, larger limit.
    let content = pdf_content(256 * 1024);
    let response = upload(&hub, &meeting.id, &secretary, None, &content).await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.error_code());
}
