//! Black-box tests of the hub through real sockets: a hub on port 0 with its SQLite log
//! in a temporary directory, driven by `quorum-client` as devices would drive it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module puts them in `tests/hub/`.
mod hub {
    mod abuse;
    mod access;
    mod cluster;
    mod contention;
    mod documents;
    mod matrix;
    mod meeting;
    mod notes;
    mod rest;
    mod resume;
    mod roles;
    mod secret_wire;
    mod support;
    mod tokens;
    mod uploads;
    mod versions;
}
