//! A directive's status link: the route a unit calls to acknowledge or complete its
//! directive, and the unit's token for it, `qd_` + HMAC-SHA256(hub key, meeting,
//! directive, unit). The token is derived, never stored: the hub key lives in the data
//! directory (`outbox.key`, created on first start) or, in a cluster, where every node
//! reads it (the `outbox-key` stream, like the VAPID key), and the stored notices hold
//! only a placeholder that is filled in when the notice is sent.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit as _, Mac as _};
use quorum_domain::{DirectiveId, MeetingId, UnitId};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The prefix of directive tokens.
pub const TOKEN_PREFIX: &str = "qd_";

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "outbox.key";

/// The hub's key for directive tokens.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(***)")
    }
}

/// The stream holding the key in a cluster.
pub const KEY_STREAM: &str = "outbox-key";

impl LinkKey {
    /// The hub's key: from the log in a cluster (so that every node checks the tokens
    /// another node sent), from the data directory otherwise.
    pub async fn of_hub(hub: &crate::Hub) -> std::io::Result<LinkKey> {
        if hub.cluster().is_none() {
            return LinkKey::load_or_create(&hub.config().data);
        }
        let mut candidate = [0u8; 32];
        getrandom::fill(&mut candidate)
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        let encoded = format!("\"{}\"", URL_SAFE_NO_PAD.encode(candidate));
        let body = crate::journal::stored_once(hub.store().as_ref(), KEY_STREAM, encoded)
            .await
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        URL_SAFE_NO_PAD
            .decode(body.trim().trim_matches('"'))
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
            .map(LinkKey)
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the outbox-key stream does not hold a 32-byte key",
                )
            })
    }

    /// Reads the key from `data/outbox.key`, creating it (mode 0600) if it is missing.
    pub fn load_or_create(data: &Path) -> std::io::Result<LinkKey> {
        let path = data.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} is not a 32-byte key", path.display()),
                    )
                })?;
                Ok(LinkKey(key))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)
                    .map_err(|error| std::io::Error::other(error.to_string()))?;
                std::fs::create_dir_all(data)?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(&path) {
                    Ok(mut file) => {
                        file.write_all(&key)?;
                        file.sync_all()?;
                        Ok(LinkKey(key))
                    }
                    // Made meanwhile by another task of this process: read that one.
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                        LinkKey::load_or_create(data)
                    }
                    Err(error) => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// The unit's token for one directive.
    pub fn token(&self, meeting: &MeetingId, directive: &DirectiveId, unit: &UnitId) -> String {
        let mut text = String::from(TOKEN_PREFIX);
        URL_SAFE_NO_PAD.encode_string(self.mac(meeting, directive, unit), &mut text);
        text
    }

    /// Whether `token` is the unit's token for the directive (compared in constant time).
    pub fn verify(
        &self,
        token: &str,
        meeting: &MeetingId,
        directive: &DirectiveId,
        unit: &UnitId,
    ) -> bool {
        let Some(encoded) = token.strip_prefix(TOKEN_PREFIX) else {
            return false;
        };
        let Ok(given) = URL_SAFE_NO_PAD.decode(encoded) else {
            return false;
        };
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.0) else {
            return false;
        };
        mac.update(&message(meeting, directive, unit));
        mac.verify_slice(&given).is_ok()
    }

    fn mac(&self, meeting: &MeetingId, directive: &DirectiveId, unit: &UnitId) -> Vec<u8> {
        match HmacSha256::new_from_slice(&self.0) {
            Ok(mut mac) => {
                mac.update(&message(meeting, directive, unit));
                mac.finalize().into_bytes().to_vec()
            }
            // HMAC takes keys of any length.
            Err(_) => Vec::new(),
        }
    }
}

fn message(meeting: &MeetingId, directive: &DirectiveId, unit: &UnitId) -> Vec<u8> {
    format!("quorum.directive.v1\0{meeting}\0{directive}\0{unit}").into_bytes()
}

/// The route a unit calls to update its directive.
pub fn status_url(public_url: &str, meeting: &MeetingId, directive: &DirectiveId) -> String {
    format!("{public_url}/api/directives/{meeting}/{directive}/status")
}

/// The placeholder in stored notices where the token goes.
pub const TOKEN_PLACEHOLDER: &str = "{{status_token}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_its_own_directive_and_unit() {
        let key = LinkKey([7; 32]);
        let meeting = MeetingId::new("m1").unwrap_or_else(|_| unreachable!());
        let directive = DirectiveId::new("d1").unwrap_or_else(|_| unreachable!());
        let other = DirectiveId::new("d2").unwrap_or_else(|_| unreachable!());
        let unit = UnitId::new("so-tc").unwrap_or_else(|_| unreachable!());
        let token = key.token(&meeting, &directive, &unit);
        assert!(key.verify(&token, &meeting, &directive, &unit));
        assert!(!key.verify(&token, &meeting, &other, &unit));
        assert!(!key.verify("qd_AAAA", &meeting, &directive, &unit));
        assert!(!LinkKey([8; 32]).verify(&token, &meeting, &directive, &unit));
    }
}
