//! The outbox's delivery rules through the real binary and real receivers: retries
//! after 500s and timeouts, HTTPS, giving up on a refusing SMTP server or after the last
//! attempt, a clean stop with an attempt in flight, and a bad webhook URL at start.
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

use std::time::Duration;

use outbox::hub::{Run, TC_SECRET, attempts, state, wait_for, webhook_unit, write_config};
use outbox::receiver::{Misbehave, Receiver};
use outbox::smtp::{Policy, Sink};
use server::{Server, free_port};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_answering_500_then_200_is_retried_and_each_attempt_recorded() {
    let receiver = Receiver::start(TC_SECRET, 2, Misbehave::Fail500).await;
    let run = Run::start(&webhook_unit(&receiver.url), "").await;
    run.issue("cd-1").await;
    let notice = run.settled(1).await.remove(0);
    assert_eq!(state(&notice), "delivered");
    let outcomes: Vec<(String, String)> = attempts(&notice)
        .iter()
        .map(|attempt| {
            (
                attempt["outcome"].as_str().unwrap().to_owned(),
                attempt["error"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("retry".into(), "HTTP 500".into()),
            ("retry".into(), "HTTP 500".into()),
            ("delivered".into(), String::new())
        ]
    );
    let log = receiver.log();
    assert_eq!(log.len(), 3);
    assert!(
        log.iter()
            .all(|received| received.signature_valid && received.id == log[0].id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_webhook_is_delivered_to_a_receiver_the_system_store_trusts() {
    let (receiver, certificate) = Receiver::start_tls(TC_SECRET).await;
    let trust = tempfile::tempdir().unwrap();
    let anchors = trust.path().join("ca.pem");
    std::fs::write(&anchors, certificate).unwrap();
    // rustls-native-certs reads SSL_CERT_FILE instead of the system's store.
    let run = Run::start_with(
        &webhook_unit(&receiver.url),
        "",
        &[("SSL_CERT_FILE", &anchors)],
    )
    .await;
    run.issue("cd-1").await;
    let notice = run.settled(1).await.remove(0);
    assert_eq!(state(&notice), "delivered", "{notice}");
    assert!(
        notice["target"]
            .as_str()
            .unwrap()
            .starts_with("https://localhost:")
    );
    let delivered = receiver.delivered();
    assert_eq!(delivered.len(), 1);
    assert!(delivered.values().all(|received| received.signature_valid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_waits_for_the_attempt_in_flight_and_records_it() {
    let receiver = Receiver::start(TC_SECRET, 100, Misbehave::Hang).await;
    let mut run = Run::start(&webhook_unit(&receiver.url), "").await;
    run.issue("cd-1").await;
    wait_for(
        &run.server,
        "the first attempt to reach the receiver",
        || async { !receiver.log().is_empty() },
    )
    .await;
    // The attempt hangs; SIGTERM must not: the outbox waits for it (bounded by the
    // 1 s timeout), records it, and the process exits cleanly.
    assert!(
        run.server.terminate(Duration::from_secs(10)),
        "the hub did not stop cleanly:\n{}",
        run.server.log_text()
    );
    let log = run.server.log_text();
    assert!(log.contains("outbox: attempt failed"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_hangs_times_out_and_the_notice_is_retried() {
    let receiver = Receiver::start(TC_SECRET, 1, Misbehave::Hang).await;
    let run = Run::start(&webhook_unit(&receiver.url), "").await;
    run.issue("cd-1").await;
    let notice = run.settled(1).await.remove(0);
    assert_eq!(state(&notice), "delivered");
    let attempts = attempts(&notice);
    assert_eq!(attempts.len(), 2, "{notice}");
    assert_eq!(attempts[0]["outcome"], "retry");
    assert!(
        attempts[0]["error"].as_str().unwrap().contains("timeout"),
        "{notice}"
    );
    assert_eq!(receiver.delivered().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanently_refusing_smtp_server_makes_the_notice_give_up_visibly() {
    let sink = Sink::start(Policy::RefuseAll).await;
    let units = r#"
[[units]]
id = "so-tc"
name = "Sở Tài chính"
email = "van-thu@so-tc.example.vn"
"#;
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"Quorum <quorum@example.vn>\"\n",
        sink.port
    );
    let run = Run::start(units, &smtp).await;
    run.issue("cd-1").await;
    let notice = run.settled(1).await.remove(0);
    assert_eq!(state(&notice), "gave_up", "{notice}");
    let attempts = attempts(&notice);
    assert_eq!(attempts.len(), 1, "a 5xx reply is not retried");
    assert_eq!(attempts[0]["outcome"], "permanent");
    assert!(
        attempts[0]["error"].as_str().unwrap().contains("550"),
        "{notice}"
    );
    assert!(sink.accepted().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_is_given_up_after_its_last_attempt() {
    let receiver = Receiver::start(TC_SECRET, 100, Misbehave::Fail500).await;
    let run = Run::start(&webhook_unit(&receiver.url), "").await;
    run.issue("cd-1").await;
    let notice = run.settled(1).await.remove(0);
    assert_eq!(state(&notice), "gave_up");
    let attempts = attempts(&notice);
    assert_eq!(attempts.len(), 3, "max_attempts = 3");
    assert_eq!(attempts[2]["outcome"], "permanent");
    assert_eq!(receiver.log().len(), 3);
}

#[test]
fn a_bad_webhook_url_stops_the_start_with_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let config = write_config(
        logs.path(),
        &format!(
            "[[units]]\nid = \"so-tc\"\nwebhook_url = \"ftp//nowhere\"\nwebhook_secret = \"{TC_SECRET}\"\n"
        ),
    );
    let printed = Server::refuses_to_start(
        data.path(),
        free_port(),
        &config,
        &logs.path().join("bad.log"),
    );
    assert!(printed.contains("units.webhook_url"), "{printed}");
    assert!(printed.contains("so-tc"), "{printed}");
}
