//! The token parser on arbitrary text: it never panics, it accepts exactly the shape of
//! a secret (its prefix, then 43 characters of URL-safe base64), and what it accepts is
//! the SHA-256 of the whole presented text, judged here independently of the parser.

use quorum_protocol::secret::{SecretDigest, SecretKind};
use sha2::{Digest as _, Sha256};

/// Parses `presented` as a session token and as a one-time code, and checks both.
pub fn check(presented: &str) {
    for (kind, prefix) in [(SecretKind::Session, "qs_"), (SecretKind::Code, "qc_")] {
        let parsed = SecretDigest::parse(kind, presented);
        let well_formed = presented
            .strip_prefix(prefix)
            .is_some_and(|body| body.chars().count() == 43 && body.chars().all(base64_url));
        match parsed {
            None => assert!(
                !well_formed,
                "{presented:?} is a well-formed {kind:?} and was refused"
            ),
            Some(digest) => {
                assert!(
                    well_formed,
                    "{presented:?} is not a well-formed {kind:?} and was accepted"
                );
                let expected = hex_sha256(presented);
                let stored = serde_json::to_value(&digest).expect("a digest serializes");
                assert_eq!(
                    stored.as_str(),
                    Some(expected.as_str()),
                    "the digest of {presented:?} is not its SHA-256"
                );
                assert_eq!(digest.label(), &expected[..8], "the label of {presented:?}");
            }
        }
    }
}

/// The URL-safe base64 alphabet (RFC 4648, section 5).
fn base64_url(character: char) -> bool {
    matches!(character, 'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_')
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
