//! The checks behind the fuzz targets in `fuzz_targets/`, kept in a library so that the
//! seed generator (`examples/seeds.rs`) runs the very same code on the seeds it writes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a fuzz check that panics has found a bug: that is how libFuzzer is told"
)]

pub mod meeting;
pub mod protocol;
pub mod token;
