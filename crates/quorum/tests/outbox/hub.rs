//! What the outbox tests share: a hub with a quick outbox policy (`Run`), the REST
//! calls they make, and a patient wait on a real process.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use quorum_client::Http;
use quorum_domain::MeetingId;
use serde_json::{Value, json};

use crate::server::{DemoFile, Server, free_port};

/// The secrets the receivers and the hub share.
pub(crate) const TC_SECRET: &str = "so-tai-chinh-0123456789abcdef";
pub(crate) const XD_SECRET: &str = "so-xay-dung-0123456789abcdef";

/// One unit with a webhook at `url`.
pub(crate) fn webhook_unit(url: &str) -> String {
    format!(
        "[[units]]\nid = \"so-tc\"\nname = \"Sở Tài chính\"\nwebhook_url = \"{url}\"\nwebhook_secret = \"{TC_SECRET}\"\n"
    )
}

/// A hub with a quick outbox policy, its demo meeting and the chair's session.
pub(crate) struct Run {
    pub(crate) server: Server,
    http: Http,
    chair: String,
    meeting: MeetingId,
    _data: tempfile::TempDir,
    _logs: tempfile::TempDir,
}

impl Run {
    pub(crate) async fn start(units: &str, smtp: &str) -> Run {
        Run::start_with(units, smtp, &[]).await
    }

    pub(crate) async fn start_with(units: &str, smtp: &str, env: &[(&str, &Path)]) -> Run {
        let data = tempfile::tempdir().unwrap();
        let logs = tempfile::tempdir().unwrap();
        let config = write_config(
            logs.path(),
            &format!(
                "{units}\n{smtp}\n[outbox]\nbackoff_initial_ms = 200\nbackoff_cap_ms = 400\npoll_ms = 100\ntimeout_ms = 1000\nmax_attempts = 3\n"
            ),
        );
        let server = Server::start_with(
            data.path(),
            free_port(),
            &config,
            &logs.path().join("hub.log"),
            env,
        )
        .await;
        let demo = DemoFile::read(data.path());
        let http = Http::new(&demo.url).unwrap();
        let chair = http.redeem(&demo.chair.code).await.unwrap().token;
        Run {
            server,
            http,
            chair,
            meeting: demo.meeting,
            _data: data,
            _logs: logs,
        }
    }

    pub(crate) async fn issue(&self, directive: &str) {
        issue(
            &self.http,
            &self.chair,
            &self.meeting,
            directive,
            "so-tc",
            "Sở Tài chính",
            None,
        )
        .await;
    }

    /// Waits until `count` notices to units exist and none is pending; returns them.
    /// (Invitations also push to members' browsers; `tests/push.rs` covers those.)
    pub(crate) async fn settled(&self, count: usize) -> Vec<Value> {
        wait_for(&self.server, "the notices to settle", || async {
            let notices = unit_notices(&self.http, &self.chair, &self.meeting).await;
            notices.len() == count && notices.iter().all(|notice| state(notice) != "pending")
        })
        .await;
        unit_notices(&self.http, &self.chair, &self.meeting).await
    }
}

pub(crate) async fn issue(
    http: &Http,
    token: &str,
    meeting: &MeetingId,
    directive: &str,
    unit: &str,
    unit_name: &str,
    due: Option<i64>,
) {
    command(
        http,
        token,
        meeting,
        json!({
            "type": "issue_directive",
            "directive": directive,
            "item": null,
            "unit": unit,
            "unit_name": unit_name,
            "text": "Rà soát kinh phí phòng, chống thiên tai và báo cáo UBND tỉnh",
            "due": due,
        }),
    )
    .await;
}

pub(crate) async fn command(http: &Http, token: &str, meeting: &MeetingId, command: Value) {
    let _: Value = http
        .post_json(
            &format!("/api/meetings/{meeting}/commands"),
            Some(token),
            &json!({ "request": null, "command": command }),
        )
        .await
        .unwrap_or_else(|error| panic!("{command}: {error}"));
}

pub(crate) async fn notices(http: &Http, token: &str, meeting: &MeetingId) -> Vec<Value> {
    http.get_json(&format!("/api/meetings/{meeting}/notices"), Some(token))
        .await
        .unwrap()
}

/// The notices to units (webhooks and e-mail), leaving out members' pushes.
pub(crate) async fn unit_notices(http: &Http, token: &str, meeting: &MeetingId) -> Vec<Value> {
    let mut all = notices(http, token, meeting).await;
    all.retain(|notice| notice["channel"] != "push");
    all
}

pub(crate) fn state(notice: &Value) -> &str {
    notice["state"]["state"].as_str().unwrap_or("")
}

pub(crate) fn attempts(notice: &Value) -> Vec<Value> {
    notice["attempts"].as_array().cloned().unwrap_or_default()
}

/// Polls the hub's REST face (a real process: there is no clock to advance) until
/// `done`, for at most 40 s.
pub(crate) async fn wait_for<F, Fut>(server: &Server, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "timed out waiting for {what}:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("quorum.toml");
    std::fs::write(&path, text).unwrap();
    path
}
