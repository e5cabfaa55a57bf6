//! Signed webhooks: a JSON POST with `Quorum-Notice-Id`, `Quorum-Timestamp` and
//! `Quorum-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`, over HTTP
//! or HTTPS (rustls with ring, the system's trust anchors). One connection per attempt.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hmac::{KeyInit as _, Mac as _};
use http_body_util::{BodyExt as _, Full};
use hyper::Request;
use hyper::http::uri::{Scheme, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// A webhook's URL, checked.
#[derive(Debug, Clone)]
pub struct Target {
    uri: Uri,
    host: String,
    port: u16,
    tls: bool,
}

impl Target {
    /// Parses and checks a webhook URL; the error says what is wrong with it.
    pub fn parse(url: &str) -> Result<Target, String> {
        let uri: Uri = url.parse().map_err(|_| "is not a URL".to_owned())?;
        let tls = match uri.scheme() {
            Some(scheme) if *scheme == Scheme::HTTPS => true,
            Some(scheme) if *scheme == Scheme::HTTP => false,
            _ => return Err("must start with http:// or https://".to_owned()),
        };
        let host = uri
            .host()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| "has no host".to_owned())?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        Ok(Target {
            uri,
            host,
            port,
            tls,
        })
    }
}

/// What the receiver made of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 2xx.
    Accepted,
    /// 4xx other than 408 and 429: retrying will not help.
    Refused(String),
    /// Anything else (5xx, 408, 429, a timeout, a network error): try again later.
    Failed(String),
}

/// The `Quorum-Signature` value for a body sent at `timestamp` (unix seconds).
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(3 + digest.len() * 2);
    hex.push_str("v1=");
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// POSTs a notice, signed, and classifies the answer. The whole exchange (connect,
/// TLS, request, response head) is bounded by `timeout`.
pub async fn deliver(
    target: &Target,
    secret: &str,
    notice_id: &str,
    body: String,
    timestamp: i64,
    timeout: Duration,
) -> Answer {
    let headers = [
        ("Content-Type", "application/json; charset=utf-8".to_owned()),
        ("Quorum-Notice-Id", notice_id.to_owned()),
        ("Quorum-Timestamp", timestamp.to_string()),
        (
            "Quorum-Signature",
            signature(secret.as_bytes(), timestamp, body.as_bytes()),
        ),
    ];
    post(target, &headers, body.into_bytes(), timeout).await
}

/// POSTs `body` with `headers` and classifies the answer, the whole exchange bounded by
/// `timeout`: the transport of webhooks and of Web Push.
pub async fn post(
    target: &Target,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> Answer {
    match tokio::time::timeout(timeout, send(target, headers, body)).await {
        Err(_) => Answer::Failed(format!("timeout after {} ms", timeout.as_millis())),
        Ok(Err(error)) => Answer::Failed(error),
        Ok(Ok(status)) => classify(status),
    }
}

/// 2xx delivered; 4xx except 408 and 429 refused for good; anything else retried.
pub fn classify(status: u16) -> Answer {
    match status {
        200..=299 => Answer::Accepted,
        408 | 429 => Answer::Failed(format!("HTTP {status}")),
        400..=499 => Answer::Refused(format!("HTTP {status}")),
        _ => Answer::Failed(format!("HTTP {status}")),
    }
}

async fn send(
    target: &Target,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> Result<u16, String> {
    let path = target
        .uri
        .path_and_query()
        .map_or("/", |path| path.as_str())
        .to_owned();
    let authority = target
        .uri
        .authority()
        .map_or_else(|| target.host.clone(), |authority| authority.to_string());
    let mut request = Request::post(path)
        .header(hyper::header::HOST, authority)
        .header(hyper::header::USER_AGENT, "Quorum-Outbox/1");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|error| format!("bad request: {error}"))?;
    let stream = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|error| format!("connect: {error}"))?;
    if target.tls {
        let name = rustls::pki_types::ServerName::try_from(target.host.clone())
            .map_err(|error| format!("bad host name: {error}"))?;
        let stream = tls_connector()?
            .connect(name, stream)
            .await
            .map_err(|error| format!("TLS: {error}"))?;
        exchange(TokioIo::new(stream), request).await
    } else {
        exchange(TokioIo::new(stream), request).await
    }
}

async fn exchange<T>(io: T, request: Request<Full<Bytes>>) -> Result<u16, String>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|error| format!("HTTP: {error}"))?;
    let driver = tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| format!("HTTP: {error}"));
    let status = match response {
        Ok(response) => {
            let status = response.status().as_u16();
            // Read (and drop) the answer so that the connection ends cleanly.
            let _ = response.into_body().collect().await;
            Ok(status)
        }
        Err(error) => Err(error),
    };
    driver.abort();
    status
}

/// A TLS client with ring (named explicitly: no process-wide provider is assumed) and
/// the system's trust anchors, so that a venue's own CA works as it does for its other
/// software.
fn tls_connector() -> Result<tokio_rustls::TlsConnector, String> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err("TLS: no trusted certificates in the system store".to_owned());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS: {error}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified_as_documented() {
        assert_eq!(classify(204), Answer::Accepted);
        assert_eq!(classify(410), Answer::Refused("HTTP 410".into()));
        assert_eq!(classify(429), Answer::Failed("HTTP 429".into()));
        assert_eq!(classify(408), Answer::Failed("HTTP 408".into()));
        assert_eq!(classify(503), Answer::Failed("HTTP 503".into()));
    }

    #[test]
    fn the_signature_is_hmac_of_timestamp_dot_body() {
        // RFC 4231-style check against a value computed with Python's hmac module:
        // hmac.new(b"key", b"1700000000.{}", hashlib.sha256).hexdigest()
        assert_eq!(
            signature(b"key", 1_700_000_000, b"{}"),
            "v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }

    #[test]
    fn bad_urls_are_explained() {
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("not a url").is_err());
        assert!(Target::parse("http://127.0.0.1:9/hook").is_ok());
    }
}
