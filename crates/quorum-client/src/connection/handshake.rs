//! The WebSocket upgrade: the `Sec-WebSocket-Protocol` and `Origin` headers, a small
//! per-connection configuration, and what a refused upgrade means.

use tokio_tungstenite::connect_async_with_config;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::Socket;
use crate::error::ClientError;
use crate::options::ConnectOptions;

/// Opens the TCP connection and upgrades it, within the options' request timeout.
pub(super) async fn open(url: &str, options: &ConnectOptions) -> Result<Socket, ClientError> {
    let mut request = url
        .into_client_request()
        .map_err(|error| invalid_url(url, &error))?;
    let subprotocols = options.offered_subprotocols();
    if !subprotocols.is_empty() {
        request.headers_mut().insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            header_value(&subprotocols.join(", "))?,
        );
    }
    if let Some(origin) = &options.origin {
        request
            .headers_mut()
            .insert(header::ORIGIN, header_value(origin)?);
    }
    let config = WebSocketConfig::default()
        .read_buffer_size(options.read_buffer_bytes)
        .write_buffer_size(0)
        .max_message_size(Some(options.max_message_bytes))
        .max_frame_size(Some(options.max_message_bytes));
    let handshake = connect_async_with_config(request, Some(config), true);
    let (socket, _response) = tokio::time::timeout(options.request_timeout, handshake)
        .await
        .map_err(|_| ClientError::Timeout {
            waiting_for: "the websocket handshake",
        })?
        .map_err(|error| handshake_error(url, error))?;
    Ok(socket)
}

fn header_value(value: &str) -> Result<HeaderValue, ClientError> {
    HeaderValue::from_str(value)
        .map_err(|_| ClientError::InvalidOption(format!("{value:?} is not a valid header value")))
}

fn invalid_url(url: &str, error: &tungstenite::Error) -> ClientError {
    ClientError::Url {
        url: url.to_owned(),
        reason: error.to_string(),
    }
}

/// A failed upgrade, by cause.
fn handshake_error(url: &str, error: tungstenite::Error) -> ClientError {
    match error {
        tungstenite::Error::Http(response) => ClientError::Handshake {
            status: response.status().as_u16(),
            body: response
                .body()
                .as_deref()
                .map(|body| String::from_utf8_lossy(body).into_owned())
                .unwrap_or_default(),
        },
        tungstenite::Error::Io(error) => ClientError::Connect(error),
        tungstenite::Error::Url(_) | tungstenite::Error::HttpFormat(_) => invalid_url(url, &error),
        tungstenite::Error::Protocol(ProtocolError::SecWebSocketSubProtocolError(error)) => {
            ClientError::Subprotocol(error.to_string())
        }
        error => ClientError::WebSocket(Box::new(error)),
    }
}
