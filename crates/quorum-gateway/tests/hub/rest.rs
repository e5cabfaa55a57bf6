//! The setup API over HTTP: roster import, invitation links, the hall's join QR code,
//! meeting lists and records by who asks, and the health, readiness and metrics pages.

use axum::http::Method;
use bytes::Bytes;
use quorum_client::{ClientError, HttpResponse, Subscribed};
use quorum_domain::{MeetingId, MeetingView, Role};
use quorum_gateway::access::Grant;
use serde_json::{Value, json};

use super::support::{TestHub, member};

/// Sends a request with a body and returns the response whatever its status.
pub(super) async fn send(
    hub: &TestHub,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> HttpResponse {
    hub.http()
        .request(
            method,
            path,
            token,
            body.as_ref()
                .map(|(kind, bytes)| (*kind, Bytes::from(bytes.clone()))),
        )
        .await
        .unwrap()
}

pub(super) async fn import(
    hub: &TestHub,
    meeting: &MeetingId,
    query: &str,
    token: &str,
    csv: &str,
) -> HttpResponse {
    send(
        hub,
        Method::POST,
        &format!("/api/meetings/{meeting}/roster{query}"),
        Some(token),
        Some(("text/csv", csv.as_bytes().to_vec())),
    )
    .await
}

pub(super) async fn view(hub: &TestHub, meeting: &MeetingId, token: &str) -> MeetingView {
    hub.http()
        .get_json(&format!("/api/meetings/{meeting}"), Some(token))
        .await
        .unwrap()
}

const GOOD_ROSTER: &str = "member,name,position,unit_name,role,voting_right,weight\n\
    db-101,Nguyễn Văn An,Ủy viên,HĐND tỉnh,đại biểu,có,1\n\
    db-102,Trần Thị Bình,Ủy viên,HĐND tỉnh,delegate,,\n\
    kh-101,Lê Văn Cường,Phóng viên,Báo tỉnh,khách mời,,\n";

#[tokio::test]
async fn a_roster_is_imported_only_when_every_row_is_good() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-danh-sach", 1).await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let before = view(&hub, &meeting.id, &secretary).await;

    // A dry run shows what would be imported, and imports nothing.
    let response = import(&hub, &meeting.id, "?dry_run=true", &secretary, GOOD_ROSTER).await;
    assert_eq!(response.status.as_u16(), 200);
    let preview: Value = response.json().unwrap();
    assert_eq!(preview["dry_run"], json!(true));
    assert_eq!(preview["seq"], Value::Null);
    assert_eq!(preview["invitees"].as_array().unwrap().len(), 3);
    assert_eq!(view(&hub, &meeting.id, &secretary).await, before);

    // Bad rows: every one reported, nothing imported.
    let bad = "member,name,role,weight\n\
               db-201,An,delegate,1\n\
               db 202,Bình,delegate,1\n\
               db-203,,boss,0\n";
    let response = import(&hub, &meeting.id, "", &secretary, bad).await;
    assert_eq!(response.status.as_u16(), 422);
    assert_eq!(response.error_code().as_deref(), Some("invalid_rows"));
    let body: Value = response.json().unwrap();
    let rows: Vec<(u64, Option<String>)> = body["error"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap(),
                row["column"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let column = |name: &str| Some(name.to_owned());
    assert_eq!(
        rows,
        vec![
            (3, column("member")),
            (4, column("name")),
            (4, column("role")),
            (4, column("weight")),
        ]
    );
    let response = import(
        &hub,
        &meeting.id,
        "",
        &secretary,
        "member,name,email\nx,y,z\n",
    )
    .await;
    assert_eq!(response.status.as_u16(), 422);
    assert_eq!(view(&hub, &meeting.id, &secretary).await, before);

    // The good file is imported.
    let response = import(&hub, &meeting.id, "", &secretary, GOOD_ROSTER).await;
    assert_eq!(response.status.as_u16(), 200);
    let imported: Value = response.json().unwrap();
    assert_eq!(imported["dry_run"], json!(false));
    let after = view(&hub, &meeting.id, &secretary).await;
    assert_eq!(imported["seq"], json!(after.seq));
    let role_of = |id: &str| {
        after
            .participants
            .iter()
            .find(|participant| participant.member.as_str() == id)
            .map(|participant| (participant.role, participant.voting_right))
    };
    assert_eq!(role_of("db-101"), Some((Role::Delegate, true)));
    assert_eq!(role_of("db-102"), Some((Role::Delegate, true)));
    assert_eq!(role_of("kh-101"), Some((Role::Guest, false)));
    assert_eq!(after.participants.len(), before.participants.len() + 3);
    // The new delegate finds the meeting in their list.
    let invited = hub.member_token(&member("db-101")).await;
    let listed: Vec<Value> = hub
        .http()
        .get_json("/api/meetings", Some(&invited))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], json!("hop-danh-sach"));
    assert_eq!(listed[0]["role"], json!("delegate"));
}

#[tokio::test]
async fn a_roster_preview_lists_every_row_beside_the_errors() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-xem-truoc", 1).await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let before = view(&hub, &meeting.id, &secretary).await;

    // A good file: one row per invitee, in order, with the line it was read from.
    let response = import(&hub, &meeting.id, "?dry_run=true", &secretary, GOOD_ROSTER).await;
    assert_eq!(response.status.as_u16(), 200);
    let preview: Value = response.json().unwrap();
    let rows: Vec<(u64, &str, &str)> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap(),
                row["name"].as_str().unwrap(),
                row["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, "Nguyễn Văn An", "delegate"),
            (3, "Trần Thị Bình", "delegate"),
            (4, "Lê Văn Cường", "guest"),
        ]
    );

    // A bad file: the check worked, so 200, with the good rows too and a stable code for
    // each error.
    let bad = "member,name,role\n\
               db-301,An,đại biểu\n\
               db-302,Bình,boss\n";
    let response = import(&hub, &meeting.id, "?dry_run=true", &secretary, bad).await;
    assert_eq!(response.status.as_u16(), 200);
    let body: Value = response.json().unwrap();
    assert_eq!(body["invitees"], json!([]));
    let preview: Vec<(u64, &str, Value, &str)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap(),
                row["member"].as_str().unwrap(),
                row["role"].clone(),
                row["role_as_written"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        preview,
        vec![
            (2, "db-301", json!("delegate"), "đại biểu"),
            (3, "db-302", Value::Null, "boss"),
        ]
    );
    let error = &body["errors"][0];
    assert_eq!(
        (&error["line"], &error["column"], &error["code"]),
        (&json!(3), &json!("role"), &json!("invalid_role"))
    );
    assert_eq!(body["errors"].as_array().unwrap().len(), 1);

    // Imported anyway: refused, with the same rows and errors.
    let response = import(&hub, &meeting.id, "", &secretary, bad).await;
    assert_eq!(response.status.as_u16(), 422);
    let refused: Value = response.json().unwrap();
    assert_eq!(refused["error"]["preview"], body["rows"]);
    assert_eq!(refused["error"]["rows"], body["errors"]);
    assert_eq!(view(&hub, &meeting.id, &secretary).await, before);
}

#[tokio::test]
async fn a_secretarys_account_creates_a_meeting_and_its_agenda_and_an_invitee_cannot() {
    let hub = TestHub::start().await;
    hub.hub
        .create_account(
            "thu-ky-tinh",
            "Phạm Văn Hùng",
            false,
            Some(member("thu-ky")),
            None,
        )
        .await
        .unwrap();
    let account = hub
        .token(Grant::Account {
            login: "thu-ky-tinh".into(),
        })
        .await;
    let created = json!({
        "meeting": "giao-ban-thang-3",
        "details": {
            "title": "Họp giao ban tháng 3",
            "kind": "routine",
            "location": "Phòng họp số 2",
            "scheduled_at": 1_780_000_000_000_i64,
        },
        "settings": {
            "quorum": { "threshold": { "more_than": { "numerator": 1, "denominator": 2 } }, "base": { "kind": "all_members" } },
            "presence": { "remote_counts": true, "proxies_count": false },
            "default_majority": {
                "threshold": { "more_than": { "numerator": 1, "denominator": 2 } },
                "base": { "kind": "votes_cast" },
                "abstentions": "excluded",
            },
            "proxies": { "allowed": true, "max_per_holder": 1 },
            "speaking_times": { "speech": 300_000, "interpellation": 180_000, "point_of_order": 60_000 },
        },
    });
    let answer: Value = hub
        .http()
        .post_json("/api/meetings", Some(&account), &created)
        .await
        .unwrap();
    assert_eq!(answer["meeting"], json!("giao-ban-thang-3"));
    let path = "/api/meetings/giao-ban-thang-3/commands";
    for (n, title) in ["Báo cáo công tác tháng", "Kết luận của chủ trì"]
        .iter()
        .enumerate()
    {
        let command = json!({
            "request": format!("r-item-{n}"),
            "command": { "type": "add_item", "item": format!("nd-{n}"), "title": title, "description": "", "position": null },
        });
        let _: Value = hub
            .http()
            .post_json(path, Some(&account), &command)
            .await
            .unwrap();
    }
    let meeting = MeetingId::new("giao-ban-thang-3").unwrap();
    let seen = view(&hub, &meeting, &account).await;
    assert_eq!(seen.me.map(|me| me.role), Some(Role::Secretary));
    assert_eq!(seen.agenda.items.len(), 2);
    assert_eq!(seen.meeting.details.title, "Họp giao ban tháng 3");

    // A secretary by invitation keeps meetings but does not create them.
    let invited = hub.member_token(&member("thu-ky")).await;
    let refused = send(
        &hub,
        Method::POST,
        "/api/meetings",
        Some(&invited),
        Some((
            "application/json",
            serde_json::to_vec(&json!({ "meeting": "khac", "details": created["details"], "settings": created["settings"] })).unwrap(),
        )),
    )
    .await;
    assert_eq!(refused.status.as_u16(), 422);
    assert_eq!(refused.error_code().as_deref(), Some("not_permitted"));
}

#[tokio::test]
async fn only_the_meetings_keepers_may_import_a_roster() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-quyen", 1).await;
    let admin = hub.admin_token().await;
    let chair = hub.member_token(&meeting.chair).await;
    let before = view(&hub, &meeting.id, &admin).await.seq;
    let projector = hub
        .token(Grant::Projector {
            meeting: meeting.id.clone(),
        })
        .await;
    for token in [
        hub.member_token(&meeting.delegates[0]).await,
        hub.member_token(&meeting.guest).await,
        hub.member_token(&member("nguoi-ngoai")).await,
        projector,
    ] {
        let response = import(&hub, &meeting.id, "", &token, GOOD_ROSTER).await;
        assert_eq!(response.status.as_u16(), 403);
    }
    let response = send(
        &hub,
        Method::POST,
        &format!("/api/meetings/{}/roster", meeting.id),
        None,
        Some(("text/csv", GOOD_ROSTER.as_bytes().to_vec())),
    )
    .await;
    assert_eq!(response.status.as_u16(), 401);
    assert_eq!(view(&hub, &meeting.id, &admin).await.seq, before);

    let response = import(&hub, &meeting.id, "?dry_run=true", &chair, GOOD_ROSTER).await;
    assert_eq!(response.status.as_u16(), 200);
    let response = import(&hub, &meeting.id, "", &admin, GOOD_ROSTER).await;
    assert_eq!(response.status.as_u16(), 200);
}

#[tokio::test]
async fn invitation_links_carry_a_code_that_signs_the_member_in() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-moi", 2).await;
    let secretary = hub.member_token(&meeting.secretary).await;
    let path = format!("/api/meetings/{}/invitations", meeting.id);
    let delegate = &meeting.delegates[0];

    let invitations: Vec<Value> = hub
        .http()
        .post_json(&path, Some(&secretary), &json!({ "members": [delegate] }))
        .await
        .unwrap();
    assert_eq!(invitations.len(), 1);
    let invitation = &invitations[0];
    assert_eq!(invitation["member"], json!(delegate));
    assert_eq!(invitation["role"], json!("delegate"));
    assert_eq!(invitation["qr_svg"], Value::Null);
    let url = invitation["url"].as_str().unwrap();
    let prefix = format!("{}/join#code=", hub.http_url());
    let code = url
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{url} is not a link to this hub"));
    assert!(code.starts_with("qc_"));

    let session = hub.http().redeem(code).await.unwrap();
    assert_eq!(session.session.member.as_ref(), Some(delegate));
    let (mut device, _) = hub.connect(&session.token).await;
    match device.subscribe(&meeting.id, None).await.unwrap() {
        Subscribed::Snapshot { view, .. } => {
            assert_eq!(view.me.map(|me| me.member).as_ref(), Some(delegate));
        }
        other => panic!("expected a snapshot, got {other:?}"),
    }
    assert!(matches!(
        hub.http().redeem(code).await,
        Err(ClientError::Http { status: 401, .. })
    ));

    // Everyone at once, with QR codes and the projector's link.
    let invitations: Vec<Value> = hub
        .http()
        .post_json(
            &path,
            Some(&secretary),
            &json!({ "qr": true, "projector": true }),
        )
        .await
        .unwrap();
    let participants = view(&hub, &meeting.id, &secretary).await.participants.len();
    assert_eq!(invitations.len(), participants + 1);
    for invitation in &invitations {
        let svg = invitation["qr_svg"].as_str().unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
    let projector = invitations
        .iter()
        .find(|invitation| invitation["member"].is_null())
        .unwrap();
    let code = projector["url"]
        .as_str()
        .unwrap()
        .split("#code=")
        .nth(1)
        .unwrap();
    let session = hub.http().redeem(code).await.unwrap();
    assert_eq!(session.session.account, format!("projector:{}", meeting.id));
    assert_eq!(session.session.member, None);

    // Not a participant, not a keeper.
    let response = send(
        &hub,
        Method::POST,
        &path,
        Some(&secretary),
        Some((
            "application/json",
            br#"{"members":["nguoi-ngoai"]}"#.to_vec(),
        )),
    )
    .await;
    assert_eq!(response.status.as_u16(), 400);
    let delegate_token = hub.member_token(delegate).await;
    let response = send(
        &hub,
        Method::POST,
        &path,
        Some(&delegate_token),
        Some(("application/json", b"{}".to_vec())),
    )
    .await;
    assert_eq!(response.status.as_u16(), 403);
}

#[tokio::test]
async fn the_join_qr_code_is_for_the_screens_that_show_the_hall() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-qr", 1).await;
    let path = format!("/api/meetings/{}/join-qr.svg", meeting.id);
    let projector = hub
        .token(Grant::Projector {
            meeting: meeting.id.clone(),
        })
        .await;
    for token in [
        projector,
        hub.member_token(&meeting.chair).await,
        hub.member_token(&meeting.secretary).await,
    ] {
        let response = hub.http().get_bytes(&path, Some(&token)).await.unwrap();
        assert_eq!(response.status.as_u16(), 200);
        assert_eq!(response.headers["content-type"], "image/svg+xml");
        let svg = std::str::from_utf8(&response.body).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("</svg>"));
    }
    for token in [
        hub.member_token(&meeting.delegates[0]).await,
        hub.member_token(&meeting.guest).await,
    ] {
        let response = hub.http().get_bytes(&path, Some(&token)).await.unwrap();
        assert_eq!(response.status.as_u16(), 403);
    }
    let response = hub.http().get_bytes(&path, None).await.unwrap();
    assert_eq!(response.status.as_u16(), 401);
}

#[tokio::test]
async fn the_meeting_list_holds_only_what_the_caller_may_see() {
    let hub = TestHub::start().await;
    let admin = hub.admin_token().await;
    let first = hub.meeting("hop-mot", 2).await;
    hub.meeting("hop-hai", 0).await;
    let listed = |token: String| {
        let http = hub.http();
        async move {
            let meetings: Vec<Value> = http.get_json("/api/meetings", Some(&token)).await.unwrap();
            meetings
                .iter()
                .map(|meeting| {
                    (
                        meeting["id"].as_str().unwrap().to_owned(),
                        meeting["role"].as_str().map(str::to_owned),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let entry = |id: &str, role: Option<&str>| (id.to_owned(), role.map(str::to_owned));

    let mut everything = listed(admin).await;
    everything.sort();
    assert_eq!(
        everything,
        vec![entry("hop-hai", None), entry("hop-mot", None)]
    );
    let mut chaired = listed(hub.member_token(&first.chair).await).await;
    chaired.sort();
    assert_eq!(
        chaired,
        vec![
            entry("hop-hai", Some("chair")),
            entry("hop-mot", Some("chair"))
        ]
    );
    assert_eq!(
        listed(hub.member_token(&first.delegates[1]).await).await,
        vec![entry("hop-mot", Some("delegate"))]
    );
    assert_eq!(
        listed(hub.member_token(&first.guest).await).await.len(),
        2,
        "the guest is invited to both"
    );
    let projector = hub
        .token(Grant::Projector {
            meeting: first.id.clone(),
        })
        .await;
    assert_eq!(listed(projector).await, vec![entry("hop-mot", None)]);
    assert_eq!(
        listed(hub.member_token(&member("nguoi-ngoai")).await).await,
        vec![]
    );
    assert!(matches!(
        hub.http().get_json::<Value>("/api/meetings", None).await,
        Err(ClientError::Http { status: 401, .. })
    ));
}

#[tokio::test]
async fn the_record_is_for_the_meetings_keepers() {
    let hub = TestHub::start().await;
    let meeting = hub.meeting("hop-bien-ban", 2).await;
    let path = format!("/api/meetings/{}/record", meeting.id);
    for keeper in [&meeting.chair, &meeting.secretary] {
        let token = hub.member_token(keeper).await;
        let record: Value = hub.http().get_json(&path, Some(&token)).await.unwrap();
        assert_eq!(record["format"], json!("quorum.record.v1"));
        assert_eq!(record["meeting"], json!(meeting.id));
        let seqs: Vec<u64> = record["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["seq"].as_u64().unwrap())
            .collect();
        let head = record["view"]["seq"].as_u64().unwrap();
        assert_eq!(seqs, (1..=head).collect::<Vec<_>>());
    }
    let admin = hub.admin_token().await;
    hub.http()
        .get_json::<Value>(&path, Some(&admin))
        .await
        .unwrap();

    let projector = hub
        .token(Grant::Projector {
            meeting: meeting.id.clone(),
        })
        .await;
    for token in [
        hub.member_token(&meeting.delegates[0]).await,
        hub.member_token(&meeting.guest).await,
        projector,
        hub.member_token(&member("nguoi-ngoai")).await,
    ] {
        let response = hub.http().get_bytes(&path, Some(&token)).await.unwrap();
        assert_eq!(response.status.as_u16(), 403);
    }
    let response = hub.http().get_bytes(&path, None).await.unwrap();
    assert_eq!(response.status.as_u16(), 401);
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let hub = TestHub::start().await;
    let http = hub.http();
    let healthz = http.get_bytes("/healthz", None).await.unwrap();
    assert_eq!(healthz.status.as_u16(), 200);
    assert_eq!(healthz.body.as_ref(), b"ok");
    let readyz = http.get_bytes("/readyz", None).await.unwrap();
    assert_eq!(readyz.status.as_u16(), 200);
    let ready: Value = serde_json::from_slice(&readyz.body).unwrap();
    assert_eq!(ready["ready"], true, "{ready}");
    assert_eq!(ready["store"], "ok", "{ready}");
    assert_eq!(ready["fanout"], "none", "{ready}");

    // The recorder is installed by the first scrape; what happens after it is counted.
    assert_eq!(
        http.get_bytes("/metrics", None)
            .await
            .unwrap()
            .status
            .as_u16(),
        200
    );
    let token = hub.admin_token().await;
    let (mut device, _) = hub.connect(&token).await;
    device.ping().await.unwrap();
    let metrics = http.get_bytes("/metrics", None).await.unwrap();
    assert_eq!(metrics.status.as_u16(), 200);
    let text = String::from_utf8(metrics.body.to_vec()).unwrap();
    let names: Vec<&str> = text
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split(['{', ' ']).next().unwrap())
        .collect();
    assert!(names.contains(&"quorum_connections_opened_total"), "{text}");
    assert!(names.contains(&"quorum_messages_received_total"), "{text}");
    for name in names {
        assert!(
            name.starts_with("quorum_"),
            "metric {name} lacks the prefix"
        );
    }
}
