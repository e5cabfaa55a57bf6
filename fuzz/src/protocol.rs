//! The protocol decoder on arbitrary text: it never panics, it refuses frames over the
//! limit before parsing them, and whatever decodes survives a round trip through the
//! encoder.

use quorum_protocol::{
    DecodeError, MAX_CLIENT_MESSAGE_BYTES, decode_client, decode_server, encode_client,
    encode_server,
};

/// Decodes `frame` as a device's and as a hub's message and checks what comes out.
pub fn check(frame: &str) {
    check_client(frame);
    check_server(frame);
}

/// A device's frame: the hub's own path for every frame it receives.
fn check_client(frame: &str) {
    let Ok(message) = decode_client(frame) else {
        return;
    };
    let encoded = encode_client(&message)
        .unwrap_or_else(|error| panic!("{message:?} decoded but does not encode: {error}"));
    // Absent optional fields are written as `null`, so the encoding may be longer than
    // the frame; only one that fits the limit must decode again.
    if encoded.len() <= MAX_CLIENT_MESSAGE_BYTES {
        let again = decode_client(&encoded);
        assert_eq!(
            again.as_ref(),
            Ok(&message),
            "{frame:?} decoded, encoded as {encoded:?}, which decodes otherwise"
        );
    }
    let twice = encode_client(&message).expect("it encoded once");
    assert_eq!(encoded, twice, "encoding is not deterministic");
}

/// A hub's frame, with the size limit a device chooses.
fn check_server(frame: &str) {
    let unlimited = decode_server(frame, usize::MAX);
    assert_eq!(
        decode_server(frame, frame.len()),
        unlimited,
        "a frame exactly at the limit decodes otherwise"
    );
    if let Some(limit) = frame.len().checked_sub(1) {
        assert_eq!(
            decode_server(frame, limit),
            Err(DecodeError::TooLarge {
                size: frame.len(),
                limit
            }),
            "a frame over the limit is not refused as too large"
        );
    }
    let Ok(message) = unlimited else {
        return;
    };
    let encoded = encode_server(&message)
        .unwrap_or_else(|error| panic!("{message:?} decoded but does not encode: {error}"));
    let again = decode_server(&encoded, usize::MAX);
    assert_eq!(
        again.as_ref(),
        Ok(&message),
        "{frame:?} decoded, encoded as {encoded:?}, which decodes otherwise"
    );
}
