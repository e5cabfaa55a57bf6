//! Personal notes over HTTP: saved and read back by their author only, last writer wins
//! with a revision, a stale save answered 409 with the current note, and nothing of a
//! note in the meeting's shared log.

use axum::http::Method;
use quorum_client::HttpResponse;
use quorum_domain::MeetingId;
use serde_json::{Value, json};

use super::documents::{approve, meeting_with_item, pdf_content, upload};
use super::rest::send;
use super::support::TestHub;

fn path(meeting: &MeetingId, document: &str) -> String {
    format!("/api/meetings/{meeting}/documents/{document}/notes")
}

async fn get(hub: &TestHub, meeting: &MeetingId, document: &str, token: &str) -> HttpResponse {
    send(
        hub,
        Method::GET,
        &path(meeting, document),
        Some(token),
        None,
    )
    .await
}

async fn put(
    hub: &TestHub,
    meeting: &MeetingId,
    document: &str,
    token: &str,
    body: Value,
) -> HttpResponse {
    send(
        hub,
        Method::PUT,
        &path(meeting, document),
        Some(token),
        Some(("application/json", body.to_string().into_bytes())),
    )
    .await
}

#[tokio::test]
async fn a_note_is_its_authors_only_and_a_stale_save_is_refused() {
    let hub = TestHub::start().await;
    let meeting = meeting_with_item(&hub, "hop-ghi-chu").await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let document: Value = upload(&hub, &meeting.id, &secretary, None, &pdf_content(500))
        .await
        .json()
        .unwrap();
    let id = document["id"].as_str().unwrap().to_owned();
    let delegate = hub.member_token(&meeting.delegates[0]).await;
    // A draft cannot be annotated by someone who cannot read it.
    let early = put(
        &hub,
        &meeting.id,
        &id,
        &delegate,
        json!({"base_revision": 0, "text": "x"}),
    )
    .await;
    assert_eq!(early.status.as_u16(), 404);
    approve(&hub, &meeting.id, &secretary, &id).await;

    // No note yet.
    let none: Value = get(&hub, &meeting.id, &id, &delegate).await.json().unwrap();
    assert_eq!(
        none,
        json!({"revision": 0, "text": "", "highlights": [], "saved_at": null})
    );
    // Two devices of the same person: the phone saves first.
    let phone = put(
        &hub,
        &meeting.id,
        &id,
        &delegate,
        json!({"base_revision": 0, "text": "Hỏi về mục 3", "highlights": [{"page": 2, "text": "dự toán"}]}),
    )
    .await;
    assert_eq!(phone.status.as_u16(), 200, "{:?}", phone.error_code());
    let saved: Value = phone.json().unwrap();
    assert_eq!(saved["revision"], json!(1));
    // The tablet, signed in as the same delegate, reads it.
    let tablet = hub.member_token(&meeting.delegates[0]).await;
    let read: Value = get(&hub, &meeting.id, &id, &tablet).await.json().unwrap();
    assert_eq!(read["text"], json!("Hỏi về mục 3"));
    assert_eq!(read["revision"], json!(1));
    assert_eq!(read["highlights"], json!([{"page": 2, "text": "dự toán"}]));
    // The tablet saves on top of revision 1.
    let next = put(
        &hub,
        &meeting.id,
        &id,
        &tablet,
        json!({"base_revision": 1, "text": "Hỏi về mục 3 và 4"}),
    )
    .await;
    assert_eq!(next.status.as_u16(), 200);
    assert_eq!(next.json::<Value>().unwrap()["revision"], json!(2));
    // The phone, still on revision 1, is told what the note now says.
    let stale = put(
        &hub,
        &meeting.id,
        &id,
        &delegate,
        json!({"base_revision": 1, "text": "Cũ"}),
    )
    .await;
    assert_eq!(stale.status.as_u16(), 409);
    let current: Value = stale.json().unwrap();
    assert_eq!(current["revision"], json!(2));
    assert_eq!(current["text"], json!("Hỏi về mục 3 và 4"));

    // Nobody else reads it: not another delegate, not the chair, not the secretary;
    // each of them addresses only their own (empty) note.
    for other in [&meeting.delegates[1], &meeting.chair, &meeting.secretary] {
        let token = hub.member_token(other).await;
        let theirs: Value = get(&hub, &meeting.id, &id, &token).await.json().unwrap();
        assert_eq!(theirs["revision"], json!(0), "{other}");
        assert_eq!(theirs["text"], json!(""), "{other}");
    }
    // Someone who may not read the document has no note on it to address: 404.
    let hidden: Value = upload(
        &hub,
        &meeting.id,
        &secretary,
        Some(r#"{"kind":"delegates_only"}"#),
        &pdf_content(10),
    )
    .await
    .json()
    .unwrap();
    let hidden = hidden["id"].as_str().unwrap().to_owned();
    approve(&hub, &meeting.id, &secretary, &hidden).await;
    let guest = hub.member_token(&meeting.guest).await;
    let refused = get(&hub, &meeting.id, &hidden, &guest).await;
    assert_eq!(refused.status.as_u16(), 404);
    assert_eq!(
        get(&hub, &meeting.id, &id, &guest).await.status.as_u16(),
        200
    );
    // Another delegate's own note is separate.
    let other = hub.member_token(&meeting.delegates[1]).await;
    let own = put(
        &hub,
        &meeting.id,
        &id,
        &other,
        json!({"base_revision": 0, "text": "Của tôi"}),
    )
    .await;
    assert_eq!(own.json::<Value>().unwrap()["revision"], json!(1));
    let mine: Value = get(&hub, &meeting.id, &id, &delegate).await.json().unwrap();
    assert_eq!(mine["text"], json!("Hỏi về mục 3 và 4"));

    // The meeting's shared record holds no note.
    let admin = hub.admin_token().await;
    let record = send(
        &hub,
        Method::GET,
        &format!("/api/meetings/{}/record", meeting.id),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(record.status.as_u16(), 200);
    let text = String::from_utf8_lossy(&record.body).into_owned();
    assert!(
        !text.contains("Hỏi về mục 3"),
        "a note is in the meeting's record"
    );
    // Too long a note is refused.
    let long = "x".repeat(20_001);
    let refused = put(
        &hub,
        &meeting.id,
        &id,
        &delegate,
        json!({"base_revision": 2, "text": long}),
    )
    .await;
    assert_eq!(refused.status.as_u16(), 400);
}
