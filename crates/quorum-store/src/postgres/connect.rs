//! Opening PostgreSQL connections: the parsed config, the session settings every
//! connection gets, and a bound on how long opening one may take.

use std::str::FromStr;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_postgres::{Client, Config, NoTls};

use super::{PgOptions, describe, unavailable};
use crate::StoreError;

/// The longest schema name PostgreSQL keeps (it silently truncates longer ones).
const MAX_IDENTIFIER_BYTES: usize = 63;

/// Opens connections to one database, all set up alike.
#[derive(Debug)]
pub(crate) struct Connector {
    config: Config,
    /// Statements run on every new connection before it is used.
    setup: String,
    timeout: Duration,
}

impl Connector {
    /// Parses `config` and prepares the session settings from `options`.
    pub(crate) fn new(config: &str, options: &PgOptions) -> Result<Self, StoreError> {
        let mut parsed = Config::from_str(config).map_err(|e| {
            StoreError::Unavailable(format!("cannot parse the PostgreSQL config: {e}"))
        })?;
        parsed.connect_timeout(options.connect_timeout);
        // Keepalives notice a peer that vanished without closing the socket (a node
        // or the database cut off the network) long before the kernel's two hours.
        parsed.keepalives(true);
        parsed.keepalives_idle(Duration::from_secs(10));
        parsed.keepalives_interval(Duration::from_secs(5));
        parsed.keepalives_retries(3);
        if parsed.get_application_name().is_none() {
            parsed.application_name("quorum");
        }
        let millis = options.statement_timeout.as_millis().max(1);
        let mut setup = format!(
            "SET statement_timeout = {millis}; \
             SET idle_in_transaction_session_timeout = {millis}; \
             SET client_connection_check_interval = 1000;"
        );
        if let Some(schema) = &options.schema {
            setup.push_str(&format!(
                " SET search_path TO {};",
                quote_identifier(schema)?
            ));
        }
        Ok(Self {
            config: parsed,
            setup,
            timeout: options.connect_timeout,
        })
    }

    /// Opens a connection, driven by a task of its own whose handle ends when the
    /// connection closes (for any reason: dropped client, server gone).
    pub(crate) async fn connect(&self) -> Result<(Client, JoinHandle<()>), StoreError> {
        let attempt = async {
            let (client, connection) = self
                .config
                .connect(NoTls)
                .await
                .map_err(|e| unavailable("cannot connect to PostgreSQL", &e))?;
            let driver = tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(error = %describe(&error), "PostgreSQL connection closed");
                }
            });
            client
                .batch_execute(&self.setup)
                .await
                .map_err(|e| unavailable("cannot set up a PostgreSQL session", &e))?;
            Ok((client, driver))
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "PostgreSQL did not accept a connection within {} ms",
                    self.timeout.as_millis()
                ))
            })?
    }
}

/// `name` quoted as an SQL identifier.
pub(crate) fn quote_identifier(name: &str) -> Result<String, StoreError> {
    if name.is_empty() || name.len() > MAX_IDENTIFIER_BYTES || name.contains('\0') {
        return Err(StoreError::Unavailable(format!(
            "{name:?} cannot name a PostgreSQL schema (1 to {MAX_IDENTIFIER_BYTES} bytes, \
             no NUL)"
        )));
    }
    Ok(format!("\"{}\"", name.replace('"', "\"\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(
            quote_identifier("quorum").ok().as_deref(),
            Some("\"quorum\"")
        );
        assert_eq!(
            quote_identifier("a\"; DROP").ok().as_deref(),
            Some("\"a\"\"; DROP\"")
        );
        assert!(quote_identifier("").is_err());
        assert!(quote_identifier(&"x".repeat(64)).is_err());
    }

    #[test]
    fn both_config_forms_parse() {
        let options = PgOptions::default();
        assert!(Connector::new("host=127.0.0.1 port=5432 user=root dbname=q", &options).is_ok());
        assert!(Connector::new("postgres://root@127.0.0.1:5432/q", &options).is_ok());
        assert!(Connector::new("port=not-a-number", &options).is_err());
    }
}
