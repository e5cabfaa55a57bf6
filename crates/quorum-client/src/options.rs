//! How to open a connection: the session token, the origin, the versions offered, and
//! the limits that keep one connection small (the load generator holds thousands).

use std::net::IpAddr;
use std::time::Duration;

use quorum_protocol::{ClientInfo, PROTOCOL_VERSION};

/// Options for [`Connection::connect`](crate::Connection::connect) and
/// [`Connection::connect_raw`](crate::Connection::connect_raw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// The session token, sent in `hello` (never in the URL).
    pub token: String,
    /// The `Origin` header; `None` sends none.
    pub origin: Option<String>,
    /// The versions offered in `hello`.
    pub versions: Vec<u16>,
    /// The `Sec-WebSocket-Protocol` values offered in the handshake; `None` offers
    /// `quorum.vN` for each of [`versions`](Self::versions), an empty list sends no
    /// header. Set it to test how the hub treats a foreign or missing subprotocol.
    pub subprotocols: Option<Vec<String>>,
    /// What the device is, sent in `hello`.
    pub client: Option<ClientInfo>,
    /// How long to wait for the handshake and for each answer (`welcome`, `snapshot`,
    /// `ack`, `pong`).
    pub request_timeout: Duration,
    /// The largest message accepted from the hub, in bytes (a snapshot of a large
    /// meeting is the largest).
    pub max_message_bytes: usize,
    /// How many received messages may wait unconsumed while an answer is awaited;
    /// `None` is unbounded.
    pub buffer_limit: Option<usize>,
    /// The WebSocket read buffer, allocated once per connection.
    pub read_buffer_bytes: usize,
    /// The local address to connect from (the port is the system's choice); `None`
    /// lets the system choose. The load generator spreads its sockets over 127.0.0.x
    /// so that no one source address runs out of ports. Plain `ws://` URLs only.
    pub local_address: Option<IpAddr>,
}

impl ConnectOptions {
    /// Options with this token and the defaults: no origin, this build's protocol
    /// version, 10 s timeouts, 16 MiB messages, 1,024 buffered messages, a 4 KiB read
    /// buffer.
    pub fn new(token: impl Into<String>) -> ConnectOptions {
        ConnectOptions {
            token: token.into(),
            ..ConnectOptions::default()
        }
    }

    /// The same options with this `Origin` header.
    pub fn with_origin(mut self, origin: impl Into<String>) -> ConnectOptions {
        self.origin = Some(origin.into());
        self
    }

    /// The subprotocols offered in the handshake.
    pub(crate) fn offered_subprotocols(&self) -> Vec<String> {
        match &self.subprotocols {
            Some(subprotocols) => subprotocols.clone(),
            None => self
                .versions
                .iter()
                .map(|version| quorum_protocol::version::subprotocol(*version))
                .collect(),
        }
    }
}

impl Default for ConnectOptions {
    fn default() -> ConnectOptions {
        ConnectOptions {
            token: String::new(),
            origin: None,
            versions: vec![PROTOCOL_VERSION],
            subprotocols: None,
            client: Some(ClientInfo {
                name: env!("CARGO_PKG_NAME").to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            }),
            request_timeout: Duration::from_secs(10),
            max_message_bytes: 16 * 1024 * 1024,
            buffer_limit: Some(1024),
            read_buffer_bytes: 4 * 1024,
            local_address: None,
        }
    }
}
