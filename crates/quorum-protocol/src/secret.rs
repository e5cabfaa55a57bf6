//! Secrets handed to people: session tokens and the one-time codes of invitation and
//! sign-in links. Only their SHA-256 is ever stored; the secret itself is shown once.
//! The gateway uses it as `quorum_gateway::token`; it lives here, in a crate without a
//! runtime or network stack, so that its parser can be fuzzed cheaply (`fuzz/`).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a secret is for, written as its prefix so that a token pasted in the wrong
/// place is refused before any lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A session token: `qs_…`.
    Session,
    /// A one-time code of an invitation or sign-in link: `qc_…`.
    Code,
}

impl SecretKind {
    fn prefix(self) -> &'static str {
        match self {
            SecretKind::Session => "qs_",
            SecretKind::Code => "qc_",
        }
    }
}

/// Random bytes in a secret: 256 bits.
const SECRET_BYTES: usize = 32;

/// A freshly made secret. `Debug` never prints it.
pub struct Secret {
    text: String,
}

impl Secret {
    /// Makes a new random secret of this kind.
    pub fn generate(kind: SecretKind) -> Result<Secret, getrandom::Error> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        let mut text = String::with_capacity(3 + 43);
        text.push_str(kind.prefix());
        URL_SAFE_NO_PAD.encode_string(bytes, &mut text);
        Ok(Secret { text })
    }

    /// The secret, to hand to its holder exactly once.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// What is stored.
    pub fn digest(&self) -> SecretDigest {
        SecretDigest::of(&self.text)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret(…)")
    }
}

/// The SHA-256 of a secret, in hex: what the event log keeps and lookups use.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretDigest(String);

impl SecretDigest {
    fn of(text: &str) -> SecretDigest {
        let digest = Sha256::digest(text.as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest.iter() {
            hex.push_str(&format!("{byte:02x}"));
        }
        SecretDigest(hex)
    }

    /// The digest of a presented secret, if it is well-formed for `kind`. Malformed
    /// input (wrong prefix, length or alphabet) is refused without hashing.
    pub fn parse(kind: SecretKind, presented: &str) -> Option<SecretDigest> {
        let body = presented.strip_prefix(kind.prefix())?;
        let well_formed = body.len() == 43
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| SecretDigest::of(presented))
    }

    /// A short, non-secret label for logs: the first 8 hex digits of the digest.
    pub fn label(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }
}

impl fmt::Debug for SecretDigest {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "SecretDigest({}…)", self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_parses_only_as_its_kind() {
        let secret = Secret::generate(SecretKind::Session).unwrap();
        assert_eq!(
            SecretDigest::parse(SecretKind::Session, secret.expose()),
            Some(secret.digest())
        );
        assert_eq!(SecretDigest::parse(SecretKind::Code, secret.expose()), None);
        assert_eq!(SecretDigest::parse(SecretKind::Session, "qs_short"), None);
        let tampered = format!("{}!", &secret.expose()[..secret.expose().len() - 1]);
        assert_eq!(SecretDigest::parse(SecretKind::Session, &tampered), None);
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let secret = Secret::generate(SecretKind::Code).unwrap();
        assert!(!format!("{secret:?}").contains(&secret.expose()[3..]));
        assert!(!format!("{:?}", secret.digest()).contains(&secret.expose()[3..]));
    }
}
