//! The WebSocket close codes the hub sends, and what a device should do on each; they
//! are listed in the AsyncAPI document.
//! Codes 4000–4999 are Quorum's own.

/// The hub is going away (shutdown or restart): reconnect and resume.
pub const GOING_AWAY: u16 = 1001;
/// The device broke a policy: no `hello` before the deadline, or silent too long.
pub const POLICY: u16 = 1008;
/// A message larger than the limit.
pub const TOO_BIG: u16 = 1009;
/// The hub failed; reconnect.
pub const INTERNAL: u16 = 1011;
/// The device did not read its messages fast enough: reconnect and resume.
pub const SLOW_CONSUMER: u16 = 4000;
/// The device kept sending faster than its rate limit after being told to slow down.
pub const RATE_LIMIT: u16 = 4001;
/// A frame that is not a protocol message where one was required (a binary frame, or
/// a malformed message before `hello`).
pub const PROTOCOL: u16 = 4002;
/// The session is unknown, expired or was revoked: sign in again.
pub const UNAUTHENTICATED: u16 = 4003;

/// Every code with its meaning, for documents and tests.
pub const ALL: &[(u16, &str)] = &[
    (GOING_AWAY, "the hub is going away: reconnect and resume"),
    (
        POLICY,
        "no hello before the deadline, or silent for too long",
    ),
    (TOO_BIG, "a message over the size limit"),
    (INTERNAL, "the hub failed: reconnect"),
    (
        SLOW_CONSUMER,
        "the device did not keep up: reconnect and resume",
    ),
    (
        RATE_LIMIT,
        "too many messages after being told to slow down",
    ),
    (
        PROTOCOL,
        "a binary frame, or a malformed message before hello",
    ),
    (
        UNAUTHENTICATED,
        "unknown, expired or revoked session: sign in again",
    ),
];
