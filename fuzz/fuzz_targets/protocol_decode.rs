//! Fuzz target: the protocol decoder (`quorum_protocol::codec`) on arbitrary text, as a
//! device's frame and as a hub's frame with a size limit. See `quorum_fuzz::protocol`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Frames are WebSocket text frames: UTF-8 by the time the codec sees them.
    if let Ok(frame) = std::str::from_utf8(data) {
        quorum_fuzz::protocol::check(frame);
    }
});
