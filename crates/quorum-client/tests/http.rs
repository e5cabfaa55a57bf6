//! The HTTP client against a one-shot responder on a real socket: what each call sends,
//! and how answers and error bodies come back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use quorum_client::{ClientError, Http};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The request the responder received.
#[derive(Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// Answers one request with `status` and `body`; returns the base URL and what was sent.
async fn respond_once(status: &'static str, body: String) -> (String, JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap().to_owned();
        let path = parts.next().unwrap().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let length = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, value)| value.parse().unwrap());
        let mut content = vec![0; length];
        reader.read_exact(&mut content).await.unwrap();
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        reader
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .unwrap();
        reader.get_mut().shutdown().await.unwrap();
        Seen {
            method,
            path,
            headers,
            body: String::from_utf8(content).unwrap(),
        }
    });
    (base, handle)
}

fn session_json() -> String {
    json!({
        "token": "qs_abc",
        "session": {
            "account": "db-02",
            "member": "db-02",
            "name": "Trần Văn Minh",
            "admin": false,
            "expires_at": null
        }
    })
    .to_string()
}

#[tokio::test]
async fn redeem_posts_the_code_and_reads_the_session() {
    let (base, seen) = respond_once("200 OK", session_json()).await;
    let session = Http::new(&base).unwrap().redeem("ABCD-1234").await.unwrap();
    assert_eq!(session.token, "qs_abc");
    assert_eq!(session.session.name, "Trần Văn Minh");
    let seen = seen.await.unwrap();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/api/session/redeem");
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(seen.json(), json!({"code": "ABCD-1234"}));
}

#[tokio::test]
async fn login_posts_the_credentials() {
    let (base, seen) = respond_once("200 OK", session_json()).await;
    let http = Http::new(&format!("{base}/"))
        .unwrap()
        .with_origin("http://hub.test");
    let session = http.login("db-02", "mật khẩu").await.unwrap();
    assert_eq!(session.session.account, "db-02");
    let seen = seen.await.unwrap();
    assert_eq!(seen.path, "/api/session/login");
    assert_eq!(seen.header("origin"), Some("http://hub.test"));
    assert_eq!(
        seen.json(),
        json!({"login": "db-02", "password": "mật khẩu"})
    );
}

#[tokio::test]
async fn revoke_deletes_the_session_with_the_bearer_token() {
    let (base, seen) = respond_once("204 No Content", String::new()).await;
    Http::new(&base).unwrap().revoke("qs_abc").await.unwrap();
    let seen = seen.await.unwrap();
    assert_eq!(seen.method, "DELETE");
    assert_eq!(seen.path, "/api/session");
    assert_eq!(seen.header("authorization"), Some("Bearer qs_abc"));
}

#[tokio::test]
async fn an_error_body_becomes_an_http_error_with_its_code() {
    let body = json!({"error": {"code": "forbidden", "message": {"vi": "Không được phép", "en": "Forbidden"}}});
    let (base, _seen) = respond_once("403 Forbidden", body.to_string()).await;
    let error = Http::new(&base)
        .unwrap()
        .get_json::<Value>("/api/meetings", Some("qs_abc"))
        .await
        .unwrap_err();
    let ClientError::Http { status, code, body } = error else {
        panic!("expected an HTTP error, got {error:?}");
    };
    assert_eq!(status, 403);
    assert_eq!(code.as_deref(), Some("forbidden"));
    assert!(body.contains("Không được phép"));
}

#[tokio::test]
async fn an_error_without_a_json_body_has_no_code() {
    let (base, _seen) = respond_once("502 Bad Gateway", "upstream down".to_owned()).await;
    let error = Http::new(&base)
        .unwrap()
        .post_json::<_, Value>("/api/meetings", Some("qs_abc"), &json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::Http { status: 502, code: None, ref body } if body == "upstream down"),
        "{error:?}"
    );
}

#[tokio::test]
async fn get_json_sends_the_bearer_token_and_reads_the_answer() {
    let (base, seen) = respond_once("200 OK", json!({"meetings": []}).to_string()).await;
    let answer: Value = Http::new(&base)
        .unwrap()
        .get_json("/api/meetings?status=open", Some("qs_abc"))
        .await
        .unwrap();
    assert_eq!(answer, json!({"meetings": []}));
    let seen = seen.await.unwrap();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path, "/api/meetings?status=open");
    assert_eq!(seen.header("authorization"), Some("Bearer qs_abc"));
}

#[tokio::test]
async fn post_bytes_sends_the_content_type_and_the_bytes() {
    let (base, seen) = respond_once("201 Created", json!({"imported": 2}).to_string()).await;
    let answer: Value = Http::new(&base)
        .unwrap()
        .post_bytes(
            "/api/directory/import",
            Some("qs_abc"),
            "text/csv",
            "member,name\ndb-01,Lan\n",
        )
        .await
        .unwrap();
    assert_eq!(answer["imported"], 2);
    let seen = seen.await.unwrap();
    assert_eq!(seen.header("content-type"), Some("text/csv"));
    assert_eq!(seen.body, "member,name\ndb-01,Lan\n");
}

#[tokio::test]
async fn get_bytes_returns_any_status_with_headers_and_body() {
    let (base, _seen) = respond_once(
        "404 Not Found",
        json!({"error": {"code": "not_found"}}).to_string(),
    )
    .await;
    let response = Http::new(&base)
        .unwrap()
        .get_bytes("/api/documents/tl-9", None)
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 404);
    assert_eq!(
        response.headers.get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(response.error_code().as_deref(), Some("not_found"));
    assert!(matches!(
        response.error_for_status(),
        Err(ClientError::Http { status: 404, .. })
    ));
}

#[tokio::test]
async fn only_plain_http_base_urls_are_accepted() {
    assert!(matches!(
        Http::new("ws://127.0.0.1:1"),
        Err(ClientError::Url { .. })
    ));
    assert!(matches!(
        Http::new("not a url"),
        Err(ClientError::Url { .. })
    ));
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let error = Http::new(&base).unwrap().redeem("x").await.unwrap_err();
    assert!(matches!(error, ClientError::HttpTransport(_)), "{error:?}");
}
