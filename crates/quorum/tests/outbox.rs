//! The notification outbox's done-when test, through the real binary and real
//! receivers: a webhook receiver that checks signatures itself and an SMTP sink that
//! speaks the protocol, both on 127.0.0.1, refusing at first; the hub is killed with
//! SIGKILL while notices are pending and again between a meeting commit and the outbox
//! write, restarted, and every notice must arrive, once per id, signed, with its failed
//! attempts recorded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
mod outbox {
    pub(crate) mod hub;
    pub(crate) mod receiver;
    pub(crate) mod smtp;
}

#[allow(dead_code, reason = "each test file uses a part of the shared support")]
#[path = "support/server.rs"]
mod server;

use std::collections::BTreeSet;

use outbox::hub::{
    TC_SECRET, XD_SECRET, attempts, command, issue, state, unit_notices, wait_for, write_config,
};
use outbox::receiver::{Misbehave, Receiver};
use outbox::smtp::{Policy, Sink};
use quorum_client::Http;
use serde_json::{Value, json};
use server::{DemoFile, Server, free_port};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_survive_a_kill_and_each_arrives_once_signed_with_failures_recorded() {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let port = free_port();
    let tc = Receiver::start(TC_SECRET, 2, Misbehave::Fail500).await;
    let xd = Receiver::start(XD_SECRET, 2, Misbehave::Fail500).await;
    let sink = Sink::start(Policy::RefuseFirst(3)).await;
    let secret_file = logs.path().join("so-xd.secret");
    std::fs::write(&secret_file, format!("{XD_SECRET}\n")).unwrap();
    let units = format!(
        r#"
[[units]]
id = "so-tc"
name = "Sở Tài chính"
webhook_url = "{}"
webhook_secret = "{TC_SECRET}"
email = "van-thu@so-tc.example.vn"
results = true

[[units]]
id = "so-xd"
name = "Sở Xây dựng"
webhook_url = "{}"
webhook_secret_file = "{}"

[smtp]
host = "127.0.0.1"
port = {}
tls = "none"
from = "Quorum <quorum@example.vn>"

"#,
        tc.url,
        xd.url,
        secret_file.display(),
        sink.port
    );
    let config = |poll_ms: u64| {
        write_config(
            logs.path(),
            &format!(
                "{units}\n[outbox]\nbackoff_initial_ms = 400\nbackoff_cap_ms = 1500\npoll_ms = {poll_ms}\ntimeout_ms = 2000\nmax_attempts = 30\n"
            ),
        )
    };

    let mut server = Server::start(
        data.path(),
        port,
        &config(100),
        &logs.path().join("first.log"),
    )
    .await;
    let demo = DemoFile::read(data.path());
    let http = Http::new(&demo.url).unwrap();
    let chair = http.redeem(&demo.chair.code).await.unwrap().token;
    let meeting = demo.meeting.clone();

    // Two directives (one already overdue), then a poll closed: results for so-tc.
    issue(
        &http,
        &chair,
        &meeting,
        "cd-1",
        "so-tc",
        "Sở Tài chính",
        Some(1_000),
    )
    .await;
    issue(
        &http,
        &chair,
        &meeting,
        "cd-2",
        "so-xd",
        "Sở Xây dựng",
        None,
    )
    .await;
    command(
        &http,
        &chair,
        &meeting,
        json!({"type": "open_poll", "poll": "bq-1", "deadline": null, "override_quorum": true}),
    )
    .await;
    command(
        &http,
        &chair,
        &meeting,
        json!({"type": "close_poll", "poll": "bq-1"}),
    )
    .await;

    // Kill the hub once some attempts failed but notices are still pending.
    let expected = 5; // cd-1 webhook + e-mail, cd-2 webhook, results webhook + e-mail.
    wait_for(&server, "the first failed attempts", || async {
        let notices = unit_notices(&http, &chair, &meeting).await;
        notices.len() == expected
            && notices.iter().any(|notice| !attempts(notice).is_empty())
            && notices.iter().any(|notice| state(notice) == "pending")
    })
    .await;
    server.kill();

    // Second life: the pending notices are delivered after the restart. With the log
    // checked only every ten minutes, a directive issued now is committed but not yet
    // in the outbox when the hub is killed again: the crash between the meeting commit
    // and the outbox write.
    let mut server = Server::start(
        data.path(),
        port,
        &config(600_000),
        &logs.path().join("second.log"),
    )
    .await;
    let http = Http::new(&demo.url).unwrap();
    wait_for(&server, "every notice delivered", || async {
        let notices = unit_notices(&http, &chair, &meeting).await;
        notices.len() == expected && notices.iter().all(|notice| state(notice) == "delivered")
    })
    .await;
    issue(
        &http,
        &chair,
        &meeting,
        "cd-3",
        "so-tc",
        "Sở Tài chính",
        None,
    )
    .await;
    assert_eq!(
        unit_notices(&http, &chair, &meeting).await.len(),
        expected,
        "cd-3 is not in the outbox before the kill"
    );
    server.kill();

    // Third life: the outbox reads the meeting log from its cursor and finds cd-3.
    let expected = expected + 2;
    let server = Server::start(
        data.path(),
        port,
        &config(100),
        &logs.path().join("third.log"),
    )
    .await;
    let http = Http::new(&demo.url).unwrap();
    wait_for(&server, "cd-3's notices delivered", || async {
        let notices = unit_notices(&http, &chair, &meeting).await;
        notices.len() == expected && notices.iter().all(|notice| state(notice) == "delivered")
    })
    .await;

    // The unit acknowledges its directive with the token its notice carried.
    let cd2 = xd
        .delivered()
        .into_values()
        .find(|received| received.body["kind"] == "directive_issued")
        .expect("so-xd got its directive");
    let token = cd2.body["status_token"].as_str().unwrap().to_owned();
    let status_path = format!("/api/directives/{meeting}/cd-2/status");
    let refused = http
        .post_json::<_, Value>(
            &status_path,
            None,
            &json!({"token": "qd_forged", "status": "acknowledged"}),
        )
        .await;
    assert!(refused.is_err(), "a forged token is refused");
    let changed: Value = http
        .post_json(
            &status_path,
            None,
            &json!({"token": token, "status": "acknowledged"}),
        )
        .await
        .unwrap();
    assert_eq!(changed["status"], "acknowledged");
    let stolen = http
        .post_json::<_, Value>(
            &format!("/api/directives/{meeting}/cd-1/status"),
            None,
            &json!({"token": token, "status": "done"}),
        )
        .await;
    assert!(
        stolen.is_err(),
        "a unit's token opens only its own directive"
    );
    wait_for(&server, "the update notice delivered", || async {
        let notices = unit_notices(&http, &chair, &meeting).await;
        notices.len() == expected + 1 && notices.iter().all(|notice| state(notice) == "delivered")
    })
    .await;

    // What the receivers saw: valid, fresh signatures only; every notice once after
    // dedupe by Quorum-Notice-Id, exactly the ones the outbox recorded.
    let notices = unit_notices(&http, &chair, &meeting).await;
    for (receiver, unit) in [(&tc, "so-tc"), (&xd, "so-xd")] {
        for received in receiver.log() {
            assert!(received.signature_valid && received.fresh, "{received:?}");
        }
        let seen: BTreeSet<String> = receiver.delivered().into_keys().collect();
        let recorded: BTreeSet<String> = notices
            .iter()
            .filter(|notice| notice["unit"] == unit && notice["channel"] == "webhook")
            .map(|notice| notice["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(seen, recorded, "{unit}");
        for received in receiver.delivered().values() {
            assert_eq!(received.body["id"], received.id.as_str());
        }
    }
    let overdue = tc
        .delivered()
        .into_values()
        .find(|received| received.body["kind"] == "directive_issued")
        .unwrap();
    assert_eq!(overdue.body["directive"]["overdue"], true);
    assert!(
        overdue.body["status_token"]
            .as_str()
            .unwrap()
            .starts_with("qd_")
    );

    let mails: BTreeSet<String> = sink
        .accepted()
        .iter()
        .map(|mail| mail.message_id.clone())
        .collect();
    let email_notices: Vec<&Value> = notices
        .iter()
        .filter(|notice| notice["channel"] == "email")
        .collect();
    assert_eq!(email_notices.len(), 3);
    assert_eq!(
        mails.len(),
        3,
        "each e-mail once after dedupe by Message-ID"
    );
    for mail in sink.accepted() {
        assert_eq!(mail.to, "van-thu@so-tc.example.vn");
        assert!(mail.data.contains("Subject:"), "{}", mail.data);
    }
    assert!(sink.refused() >= 1);

    // The failed attempts are in the outbox: every webhook notice was refused twice by
    // its receiver; at least one of those refusals per notice was recorded (the kill
    // may have cut the record of an attempt in flight).
    for notice in &notices {
        let attempts = attempts(notice);
        assert_eq!(attempts.last().unwrap()["outcome"], "delivered", "{notice}");
        if notice["channel"] == "webhook" {
            assert!(
                attempts
                    .iter()
                    .any(|attempt| attempt["outcome"] == "retry" && attempt["error"] == "HTTP 500"),
                "{notice}"
            );
        }
    }
    let email_retries = email_notices
        .iter()
        .flat_map(|notice| attempts(notice))
        .filter(|attempt| attempt["outcome"] == "retry")
        .count();
    assert!(email_retries >= 1, "{email_notices:?}");
}
