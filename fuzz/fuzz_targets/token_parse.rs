//! Fuzz target: the session-token and one-time-code parser
//! (`quorum_protocol::secret::SecretDigest::parse`) on arbitrary text. See
//! `quorum_fuzz::token`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Tokens arrive in headers, query strings and JSON: text by the time they are parsed.
    if let Ok(presented) = std::str::from_utf8(data) {
        quorum_fuzz::token::check(presented);
    }
});
