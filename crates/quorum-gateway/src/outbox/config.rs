//! The outbox's settings: the units that receive notices and how (`[[units]]`), the
//! SMTP relay (`[smtp]`), and the delivery policy (`[outbox]`).

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::ConfigError;

/// A secret read from the configuration, never printed by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Redacted(pub String);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// A unit that receives notices: by signed webhook, by e-mail, or both.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UnitConfig {
    /// The unit's id, as directives name it (`unit` in `issue_directive`).
    pub id: String,
    /// Its name, for e-mails.
    pub name: String,
    /// Where to POST signed JSON notices (`http://` or `https://`).
    pub webhook_url: Option<String>,
    /// The HMAC key shared with the receiver.
    pub webhook_secret: Option<Redacted>,
    /// Or: the environment variable that holds it.
    pub webhook_secret_env: Option<String>,
    /// Or: a file that holds it (trailing whitespace ignored).
    pub webhook_secret_file: Option<PathBuf>,
    /// Where to e-mail notices.
    pub email: Option<String>,
    /// Whether the unit also gets the meeting's results (conclusions, published poll
    /// results, the closing summary), not only its own directives.
    pub results: bool,
}

impl UnitConfig {
    /// The webhook secret, from the value, the variable or the file.
    pub fn resolve_secret(&self) -> Result<Option<String>, String> {
        if let Some(secret) = &self.webhook_secret {
            return Ok(Some(secret.0.clone()));
        }
        if let Some(variable) = &self.webhook_secret_env {
            return std::env::var(variable)
                .map(Some)
                .map_err(|_| format!("the environment variable {variable} is not set"));
        }
        if let Some(file) = &self.webhook_secret_file {
            return std::fs::read_to_string(file)
                .map(|text| Some(text.trim_end().to_owned()))
                .map_err(|error| format!("cannot read {}: {error}", file.display()));
        }
        Ok(None)
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a trusted network only).
    None,
    /// STARTTLS, required.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The SMTP relay that sends e-mail to units.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// The relay's host name.
    pub host: String,
    /// Its port (587 for STARTTLS, 465 for TLS, 25 for none).
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub tls: SmtpTls,
    /// The login, if the relay wants one.
    pub username: Option<String>,
    /// The password (or `QUORUM_SMTP__PASSWORD`).
    pub password: Option<Redacted>,
    /// The sender, such as `Quorum <quorum@tinh.gov.vn>`.
    pub from: String,
}

/// How the outbox delivers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Attempts before a notice is given up.
    pub max_attempts: u32,
    /// The wait after the first failure, in milliseconds; it doubles each time.
    pub backoff_initial_ms: u64,
    /// The longest wait between attempts, in milliseconds.
    pub backoff_cap_ms: u64,
    /// How often the meeting logs are checked for new events, in milliseconds.
    pub poll_ms: u64,
    /// How long a webhook or SMTP exchange may take, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for OutboxConfig {
    fn default() -> OutboxConfig {
        OutboxConfig {
            concurrency: 4,
            max_attempts: 10,
            backoff_initial_ms: 2_000,
            backoff_cap_ms: 600_000,
            poll_ms: 500,
            timeout_ms: 5_000,
        }
    }
}

/// Checks the units, the relay and the policy; an error names the key and the unit.
pub fn validate(
    units: &[UnitConfig],
    smtp: Option<&SmtpConfig>,
    outbox: &OutboxConfig,
) -> Result<(), ConfigError> {
    let invalid = |key, reason: String| Err(ConfigError { key, reason });
    if outbox.concurrency == 0 || outbox.max_attempts == 0 {
        return invalid(
            "outbox.concurrency",
            "concurrency and max_attempts must be at least 1".into(),
        );
    }
    if outbox.poll_ms == 0 || outbox.timeout_ms == 0 || outbox.backoff_initial_ms == 0 {
        return invalid("outbox.poll_ms", "intervals must be at least 1 ms".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    for unit in units {
        if quorum_domain::UnitId::new(unit.id.clone()).is_err() {
            return invalid("units.id", format!("`{}` is not a valid unit id", unit.id));
        }
        if !seen.insert(unit.id.as_str()) {
            return invalid(
                "units.id",
                format!("unit `{}` is configured twice", unit.id),
            );
        }
        if let Some(url) = &unit.webhook_url {
            if let Err(reason) = crate::outbox::webhook::Target::parse(url) {
                return invalid(
                    "units.webhook_url",
                    format!("unit `{}`: `{url}` {reason}", unit.id),
                );
            }
            match unit.resolve_secret() {
                Ok(Some(secret)) if secret.len() >= 16 => {}
                Ok(_) => {
                    return invalid(
                        "units.webhook_secret",
                        format!(
                            "unit `{}`: a webhook needs a secret of at least 16 characters",
                            unit.id
                        ),
                    );
                }
                Err(reason) => {
                    return invalid(
                        "units.webhook_secret",
                        format!("unit `{}`: {reason}", unit.id),
                    );
                }
            }
        }
        if let Some(email) = &unit.email {
            if email.parse::<lettre::message::Mailbox>().is_err() {
                return invalid(
                    "units.email",
                    format!("unit `{}`: `{email}` is not an address", unit.id),
                );
            }
            if smtp.is_none() {
                return invalid(
                    "smtp.host",
                    format!(
                        "unit `{}` has an e-mail address but [smtp] is not set",
                        unit.id
                    ),
                );
            }
        }
    }
    if let Some(smtp) = smtp {
        if smtp.host.is_empty() || smtp.port == 0 {
            return invalid("smtp.host", "host and port are required".into());
        }
        if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            return invalid("smtp.from", format!("`{}` is not an address", smtp.from));
        }
    }
    Ok(())
}
