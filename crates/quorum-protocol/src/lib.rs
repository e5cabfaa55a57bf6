//! The Quorum wire protocol: every message between a device and the hub, how versions
//! are negotiated, the stable rejection and error codes with their Vietnamese and
//! English messages, and the JSON Schema and AsyncAPI description generated from them.
//!
//! **Invariant:** this crate is the only one that knows the wire format. Other crates
//! exchange typed messages and call [`codec`] to turn them into frames.

pub mod asyncapi;
pub mod client;
pub mod close;
pub mod codec;
pub mod examples;
pub mod localized;
pub mod request;
pub mod schema;
pub mod secret;
pub mod server;
pub mod version;

pub use client::{ClientInfo, ClientMessage};
pub use codec::{
    DecodeError, EncodeError, MAX_CLIENT_MESSAGE_BYTES, decode_client, decode_server,
    encode_client, encode_server,
};
pub use localized::Localized;
pub use request::RequestId;
pub use server::{ErrorCode, Limits, LobbyEvent, ServerMessage, SessionInfo, Update};
pub use version::{PROTOCOL_VERSION, SUPPORTED_VERSIONS, negotiate};
