//! The decoder never panics: arbitrary text, and every documented example mangled at
//! random, decode to a message or to an error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use proptest::prelude::*;
use quorum_protocol::examples::{client_examples, server_examples};
use quorum_protocol::{
    ClientMessage, DecodeError, decode_client, decode_server, encode_client, encode_server,
};

fn example_frames() -> Vec<String> {
    let mut frames: Vec<String> = client_examples()
        .iter()
        .map(|example| encode_client(&example.message).unwrap())
        .collect();
    frames.extend(
        server_examples()
            .iter()
            .map(|example| encode_server(&example.message).unwrap()),
    );
    frames
}

#[test]
fn every_example_round_trips_through_the_codec() {
    for example in client_examples() {
        let frame = encode_client(&example.message).unwrap();
        assert_eq!(
            decode_client(&frame).unwrap(),
            example.message,
            "{}",
            example.name
        );
    }
    for example in server_examples() {
        let frame = encode_server(&example.message).unwrap();
        let decoded = decode_server(&frame, usize::MAX).unwrap();
        assert_eq!(decoded, example.message, "{}", example.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(frame in "\\PC{0,300}") {
        let _ = decode_client(&frame);
        let _ = decode_server(&frame, 1 << 20);
    }

    #[test]
    fn mangled_examples_never_panic(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        insert in "\\PC{0,8}",
    ) {
        let frames = example_frames();
        let frame = which.get(&frames);
        let boundaries: Vec<usize> = (0..=frame.len()).filter(|i| frame.is_char_boundary(*i)).collect();
        let at = *cut.get(&boundaries);
        let mangled = format!("{}{}{}", &frame[..at], insert, &frame[at..]);
        match decode_client(&mangled) {
            Ok(message) => {
                // Whatever decodes re-encodes to something that decodes the same.
                let again = encode_client(&message).unwrap();
                prop_assert_eq!(decode_client(&again).unwrap(), message);
            }
            Err(DecodeError::Malformed(_) | DecodeError::TooLarge { .. }) => {}
        }
        let _ = decode_server(&mangled, 1 << 20);
    }
}

#[test]
fn unknown_message_types_and_missing_fields_are_errors() {
    for frame in [
        r#"{"type":"vote","poll":"p1"}"#,
        r#"{"type":"command","request":"r1","meeting":"m1"}"#,
        r#"{"type":"command","request":"bad id","meeting":"m1","command":{"type":"tick"}}"#,
        r#"{"type":"subscribe","meeting":"m 1"}"#,
    ] {
        assert!(
            matches!(decode_client(frame), Err(DecodeError::Malformed(_))),
            "{frame}"
        );
    }
    let tick = r#"{"type":"command","request":"r1","meeting":"m1","command":{"type":"tick"}}"#;
    assert!(matches!(
        decode_client(tick),
        Ok(ClientMessage::Command { .. })
    ));
}
