//! The hub's server: the WebSocket gateway and its rooms, sessions and access, the
//! REST API for setup, limits, TLS and metrics. The binary chooses the backends and
//! hands them to [`Hub::open`].

pub mod access;
pub mod audit;
pub mod clock;
pub mod cluster;
pub use quorum_protocol::close;
pub mod config;
pub mod connection;
pub mod directory;
pub mod hub;
pub mod journal;
pub mod notes;
pub mod outbound;
pub mod outbox;
pub mod push;
pub mod rest;
pub mod room;
pub mod server;
pub mod telemetry;
pub mod tls;
/// Session tokens and one-time codes; the parser lives in the protocol crate so that it
/// can be fuzzed without building the gateway.
pub use quorum_protocol::secret as token;

pub use config::GatewayConfig;
pub use hub::{Hub, HubError};
pub use server::{Bound, ServeError};
