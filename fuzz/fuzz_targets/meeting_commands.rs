//! Fuzz target: the meeting engine (`quorum_domain::Meeting`) on a script of commands
//! from chosen actors, checking the engine's invariants after each. See
//! `quorum_fuzz::meeting` for the script's form.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(script) = std::str::from_utf8(data) {
        quorum_fuzz::meeting::run(script);
    }
});
