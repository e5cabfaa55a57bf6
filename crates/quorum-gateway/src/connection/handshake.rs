//! The WebSocket handshake, done here on hyper's upgrade rather than through axum's
//! `WebSocketUpgrade`, so that the hub owns tokio-tungstenite's stream and can send
//! large messages in small fragments: tungstenite keeps its write buffer at the size of
//! the largest frame it ever wrote, and a snapshot written whole would cost every idle
//! connection that much for its lifetime.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Version, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::coalesce::Coalescing;
use crate::hub::Hub;
use crate::telemetry;

/// `GET /ws`: checks the origin, the handshake headers, the subprotocol and the hub's
/// capacity, then switches protocols and runs the connection on its own task.
pub async fn upgrade(State(hub): State<Hub>, mut request: Request) -> Response {
    let headers = request.headers();
    let config = hub.config();
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    if !config.origin_allowed(origin) {
        metrics::counter!(telemetry::HANDSHAKES_REFUSED, "reason" => "origin").increment(1);
        tracing::info!(
            origin = origin.unwrap_or("(none)"),
            "websocket origin refused"
        );
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let key = match websocket_key(request.method(), request.version(), headers) {
        Ok(key) => key,
        Err(reason) => return (StatusCode::BAD_REQUEST, reason).into_response(),
    };
    let Some(protocol) = choose_subprotocol(headers) else {
        metrics::counter!(telemetry::HANDSHAKES_REFUSED, "reason" => "subprotocol").increment(1);
        let supported: Vec<String> = quorum_protocol::SUPPORTED_VERSIONS
            .iter()
            .map(|version| quorum_protocol::version::subprotocol(*version))
            .collect();
        return (
            StatusCode::BAD_REQUEST,
            format!(
                "no supported subprotocol; this hub speaks {}",
                supported.join(", ")
            ),
        )
            .into_response();
    };
    if hub.open_connections() >= config.limits.max_connections {
        metrics::counter!(telemetry::HANDSHAKES_REFUSED, "reason" => "capacity").increment(1);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "the hub is at capacity",
        )
            .into_response();
    }
    let Some(on_upgrade) = request
        .extensions_mut()
        .remove::<hyper::upgrade::OnUpgrade>()
    else {
        return (
            StatusCode::BAD_REQUEST,
            "this connection cannot be upgraded",
        )
            .into_response();
    };
    let socket_config = socket_config(&config.limits);
    tokio::spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(error) => {
                tracing::debug!(%error, "websocket upgrade failed");
                return;
            }
        };
        let socket = WebSocketStream::from_raw_socket(
            Coalescing::new(TokioIo::new(upgraded)),
            Role::Server,
            Some(socket_config),
        )
        .await;
        super::run(hub, socket).await;
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    if let Some(protocol) = protocol {
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, protocol);
    }
    response
}

/// tungstenite's settings: a small read buffer, no write buffer (its buffer keeps the
/// size of the largest batch for ever; `Coalescing` gathers a batch into one system
/// call instead and frees it), and a frame limit a little above the message limit so that an oversize message is read and answered
/// with 1009 by the hub rather than cut off.
fn socket_config(limits: &crate::config::LimitsConfig) -> WebSocketConfig {
    let ceiling = limits.max_message_bytes.saturating_add(64 * 1024);
    WebSocketConfig::default()
        .read_buffer_size(limits.read_buffer_bytes)
        .write_buffer_size(0)
        .max_write_buffer_size(ceiling.saturating_mul(2))
        .max_message_size(Some(ceiling))
        .max_frame_size(Some(ceiling))
}

/// The client's key, if the request is a WebSocket handshake over HTTP/1.1.
fn websocket_key(
    method: &Method,
    version: Version,
    headers: &HeaderMap,
) -> Result<HeaderValue, &'static str> {
    if version != Version::HTTP_11 {
        return Err("WebSockets need HTTP/1.1");
    }
    if method != Method::GET {
        return Err("a WebSocket handshake is a GET");
    }
    let has = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value.to_str().is_ok_and(|value| {
                value
                    .split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    if !has(header::CONNECTION, "upgrade") || !has(header::UPGRADE, "websocket") {
        return Err("not a WebSocket handshake");
    }
    if !has(header::SEC_WEBSOCKET_VERSION, "13") {
        return Err("WebSocket version 13 is required");
    }
    headers
        .get(header::SEC_WEBSOCKET_KEY)
        .cloned()
        .ok_or("Sec-WebSocket-Key is missing")
}

/// The subprotocol to answer with: `Some(None)` when the device offered none (the
/// version is then negotiated in `hello`), `None` when it offered only unknown ones.
fn choose_subprotocol(headers: &HeaderMap) -> Option<Option<HeaderValue>> {
    let offered: Vec<&str> = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if offered.is_empty() {
        return Some(None);
    }
    // The highest version both speak.
    let best = offered
        .iter()
        .filter_map(|name| quorum_protocol::version::parse_subprotocol(name))
        .filter(|version| quorum_protocol::SUPPORTED_VERSIONS.contains(version))
        .max()?;
    HeaderValue::from_str(&quorum_protocol::version::subprotocol(best))
        .ok()
        .map(Some)
}
