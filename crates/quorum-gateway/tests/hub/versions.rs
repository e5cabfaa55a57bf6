//! A document's life over HTTP: a draft that only the keepers see until approved, a new
//! version uploaded with the earlier one still downloadable by its hash, and a
//! confidential document refused to everyone the meeting does not name.

use axum::http::Method;
use quorum_client::HttpResponse;
use quorum_domain::MeetingId;
use quorum_domain::meeting::agenda::DocumentAccess;
use quorum_gateway::access::Grant;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::documents::{approve, download, hex, meeting_with_item, pdf_content, upload};
use super::rest::{send, view};
use super::support::TestHub;

const BOUNDARY: &str = "quorum-version-boundary-Zq81";

/// `POST …/documents/{document}/versions` with a note and the file.
async fn replace(
    hub: &TestHub,
    meeting: &MeetingId,
    token: &str,
    document: &str,
    content: &[u8],
) -> HttpResponse {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nSửa số liệu mục 2\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"to-trinh-v2.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    send(
        hub,
        Method::POST,
        &format!("/api/meetings/{meeting}/documents/{document}/versions"),
        Some(token),
        Some((&format!("multipart/form-data; boundary={BOUNDARY}"), body)),
    )
    .await
}

async fn download_version(
    hub: &TestHub,
    meeting: &MeetingId,
    document: &str,
    hash: &str,
    token: &str,
) -> HttpResponse {
    hub.http()
        .get_bytes(
            &format!("/api/meetings/{meeting}/documents/{document}/versions/{hash}"),
            Some(token),
        )
        .await
        .unwrap()
}

/// Whether `token`'s view of the meeting lists `document`.
async fn listed(hub: &TestHub, meeting: &MeetingId, token: &str, document: &str) -> bool {
    view(hub, meeting, token).await.agenda.items[0]
        .documents
        .iter()
        .any(|doc| doc.id.as_str() == document)
}

#[tokio::test]
async fn a_draft_is_invisible_until_approved_and_then_reaches_the_devices() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-du-thao").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let chair = hub.member_token(&meeting.chair).await;
    let delegate = hub.member_token(&meeting.delegates[0]).await;
    let content = pdf_content(5_000);
    let document: Value = upload(&hub, &meeting.id, &secretary, None, &content)
        .await
        .json()
        .unwrap();
    let id = document["id"].as_str().unwrap();
    assert_eq!(document["status"]["draft"], json!(true));

    assert!(listed(&hub, &meeting.id, &chair, id).await);
    assert!(!listed(&hub, &meeting.id, &delegate, id).await);
    assert_eq!(
        download(&hub, &meeting.id, id, &delegate)
            .await
            .status
            .as_u16(),
        404
    );
    assert_eq!(
        download(&hub, &meeting.id, id, &chair)
            .await
            .status
            .as_u16(),
        200
    );

    // A delegate's device following the meeting is told when it is published.
    let (mut device, _) = hub.connect(&delegate).await;
    device.subscribe(&meeting.id, None).await.unwrap();
    approve(&hub, &meeting.id, &chair, id).await;
    let published = device
        .wait_for(std::time::Duration::from_secs(5), |message| {
            format!("{message:?}").contains(id)
        })
        .await;
    assert!(published.is_ok(), "no update names the approved document");
    assert!(listed(&hub, &meeting.id, &delegate, id).await);
    let response = download(&hub, &meeting.id, id, &delegate).await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.body.as_ref(), content.as_slice());
}

#[tokio::test]
async fn a_new_version_keeps_the_earlier_one_downloadable_by_its_hash() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-phien-ban").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let delegate = hub.member_token(&meeting.delegates[0]).await;
    let first = pdf_content(3_000);
    let second = pdf_content(4_500);
    let document: Value = upload(&hub, &meeting.id, &secretary, None, &first)
        .await
        .json()
        .unwrap();
    let id = document["id"].as_str().unwrap().to_owned();
    approve(&hub, &meeting.id, &secretary, &id).await;

    let response = replace(&hub, &meeting.id, &secretary, &id, &second).await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.error_code());
    let replaced: Value = response.json().unwrap();
    let (first_hash, second_hash) = (hex(&Sha256::digest(&first)), hex(&Sha256::digest(&second)));
    assert_eq!(replaced["content_hash"], json!(second_hash));
    assert_eq!(replaced["status"]["version"], json!(2));
    assert_eq!(replaced["status"]["draft"], json!(false));
    assert_eq!(replaced["status"]["note"], json!("Sửa số liệu mục 2"));
    assert_eq!(replaced["status"]["earlier"][0]["number"], json!(1));
    assert_eq!(
        replaced["status"]["earlier"][0]["content_hash"],
        json!(first_hash)
    );
    assert_eq!(replaced["status"]["earlier"][0]["size"], json!(first.len()));

    // The delegate's view shows the current version and the earlier one.
    let seen = view(&hub, &meeting.id, &delegate).await;
    let doc = &seen.agenda.items[0].documents[0];
    assert_eq!(doc.content_hash.as_str(), second_hash);
    assert_eq!(doc.status.earlier.len(), 1);

    let current = download(&hub, &meeting.id, &id, &delegate).await;
    assert_eq!(current.body.as_ref(), second.as_slice());
    for (hash, content) in [(&first_hash, &first), (&second_hash, &second)] {
        let response = download_version(&hub, &meeting.id, &id, hash, &delegate).await;
        assert_eq!(response.status.as_u16(), 200);
        assert_eq!(response.body.as_ref(), content.as_slice());
        assert_eq!(
            response.headers["etag"].to_str().unwrap(),
            format!("\"{hash}\"")
        );
    }
    // A hash that is no version of this document is not served through it.
    let other = hex(&Sha256::digest(b"something else"));
    let response = download_version(&hub, &meeting.id, &id, &other, &delegate).await;
    assert_eq!(response.status.as_u16(), 404);
    // A delegate does not upload versions.
    let response = replace(&hub, &meeting.id, &delegate, &id, b"x").await;
    assert_eq!(response.status.as_u16(), 403);
}

#[tokio::test]
async fn a_confidential_document_is_refused_to_those_not_named() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-tai-lieu-mat").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let access = DocumentAccess::Confidential {
        members: [meeting.delegates[0].clone(), meeting.guest.clone()].into(),
    };
    let access = serde_json::to_string(&access).unwrap();
    let content = pdf_content(2_000);
    let document: Value = upload(&hub, &meeting.id, &secretary, Some(&access), &content)
        .await
        .json()
        .unwrap();
    let id = document["id"].as_str().unwrap().to_owned();
    let hash = document["content_hash"].as_str().unwrap().to_owned();
    approve(&hub, &meeting.id, &secretary, &id).await;

    let named = hub.member_token(&meeting.delegates[0]).await;
    let chair = hub.member_token(&meeting.chair).await;
    for token in [&named, &chair, &secretary] {
        let response = download(&hub, &meeting.id, &id, token).await;
        assert_eq!(response.status.as_u16(), 200);
        assert_eq!(response.body.as_ref(), content.as_slice());
    }
    let other = hub.member_token(&meeting.delegates[1]).await;
    let guest = hub.member_token(&meeting.guest).await;
    let projector = hub
        .token(Grant::Projector {
            meeting: meeting.id.clone(),
        })
        .await;
    for token in [&other, &guest, &projector] {
        assert_eq!(
            download(&hub, &meeting.id, &id, token)
                .await
                .status
                .as_u16(),
            404
        );
        assert_eq!(
            download_version(&hub, &meeting.id, &id, &hash, token)
                .await
                .status
                .as_u16(),
            404
        );
        assert!(!listed(&hub, &meeting.id, token, &id).await);
    }
    let outsider = hub
        .member_token(&quorum_domain::MemberId::new("nguoi-ngoai").unwrap())
        .await;
    assert_eq!(
        download(&hub, &meeting.id, &id, &outsider)
            .await
            .status
            .as_u16(),
        403
    );
}
