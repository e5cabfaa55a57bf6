//! The WebSocket upgrade: the `Sec-WebSocket-Protocol` and `Origin` headers, a small
//! per-connection configuration, an optional local address, and what a refused upgrade
//! means.

use std::net::{IpAddr, SocketAddr};

use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{ProtocolError, UrlError};
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, client_async_with_config, connect_async_with_config};

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
    let handshake = async {
        match options.local_address {
            None => connect_async_with_config(request, Some(config), true).await,
            Some(local) => {
                let stream = connect_from(local, &request).await?;
                client_async_with_config(request, MaybeTlsStream::Plain(stream), Some(config)).await
            }
        }
    };
    let (socket, _response) = tokio::time::timeout(options.request_timeout, handshake)
        .await
        .map_err(|_| ClientError::Timeout {
            waiting_for: "the websocket handshake",
        })?
        .map_err(|error| handshake_error(url, error))?;
    Ok(socket)
}

/// Opens the TCP connection for `request` from `local` (port 0: the system picks one),
/// with Nagle's algorithm off as for any other connection.
async fn connect_from(local: IpAddr, request: &Request) -> Result<TcpStream, tungstenite::Error> {
    let uri = request.uri();
    if uri.scheme_str() != Some("ws") {
        // Without a TLS feature, `wss://` fails the same way through tokio-tungstenite.
        return Err(tungstenite::Error::Url(UrlError::TlsFeatureNotEnabled));
    }
    let host = uri
        .host()
        .ok_or(tungstenite::Error::Url(UrlError::NoHostName))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(80);
    let remote = tokio::net::lookup_host((host, port))
        .await?
        .find(|address| address.is_ipv4() == local.is_ipv4())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::AddrNotAvailable,
                format!("{host} has no address of the family of {local}"),
            )
        })?;
    let socket = if local.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.bind(SocketAddr::new(local, 0))?;
    let stream = socket.connect(remote).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
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
