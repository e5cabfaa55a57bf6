//! Leases: "only one node of the cluster runs this worker", as a PostgreSQL session
//! advisory lock held on a connection of its own.

use std::fmt;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_postgres::Client;
use tokio_postgres::types::Type;

use super::connect::Connector;
use super::{PgOptions, unavailable};
use crate::StoreError;

/// The right to run one named worker, held by at most one node of the cluster.
///
/// It is a session advisory lock on a connection that the `Lease` owns: PostgreSQL
/// releases it when that connection ends, whether the `Lease` is dropped, the node
/// dies, or the connection breaks. So a holder must stop its worker as soon as
/// [`Lease::lost`] resolves, and take a new lease before it starts again. Between the
/// connection breaking and `lost` resolving (at most about
/// [`PgOptions::lease_check_interval`](super::PgOptions::lease_check_interval) plus
/// [`PgOptions::ping_timeout`](super::PgOptions::ping_timeout) when the network rather
/// than the server fails) another node may already hold the lease: work done under a
/// lease must still be safe to do twice (idempotent, or checked by its own writes).
///
/// The lock lives in a PostgreSQL session, so nodes must reach the server directly or
/// through a session-mode pooler, never a transaction-mode one.
pub struct Lease {
    name: String,
    client: Client,
    /// The task driving the connection; it ends when the connection does.
    connection: JoinHandle<()>,
    check_interval: Duration,
    check_timeout: Duration,
    /// Why the lease was lost, once `lost` has found out.
    lost: Option<String>,
}

impl Lease {
    /// Opens a connection and tries the lock on it.
    pub(crate) async fn try_take(
        connector: &Connector,
        name: &str,
        options: &PgOptions,
    ) -> Result<Option<Self>, StoreError> {
        let (client, connection) = connector.connect().await?;
        let key = lease_key(name);
        let taken = tokio::time::timeout(
            options.statement_timeout,
            client.query_typed_one("SELECT pg_try_advisory_lock($1)", &[(&key, Type::INT8)]),
        )
        .await
        .map_err(|_| StoreError::Unavailable(format!("taking the lease {name} timed out")))?
        .and_then(|row| row.try_get::<_, bool>(0))
        .map_err(|e| unavailable(&format!("take the lease {name}"), &e))?;
        if !taken {
            // Dropping the client closes the connection.
            return Ok(None);
        }
        tracing::info!(lease = name, "lease taken");
        Ok(Some(Self {
            name: name.to_owned(),
            client,
            connection,
            check_interval: options.lease_check_interval,
            check_timeout: options.ping_timeout,
            lost: None,
        }))
    }

    /// The lease's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Resolves once the lease may no longer be held: its connection closed, or did
    /// not answer a check in time. Says why. Cancel-safe, so it can sit in a
    /// `select!` beside the worker; once it has resolved, it resolves at once.
    pub async fn lost(&mut self) -> StoreError {
        if let Some(reason) = &self.lost {
            return StoreError::Unavailable(reason.clone());
        }
        let reason = loop {
            tokio::select! {
                _ = &mut self.connection => {
                    break "its connection to PostgreSQL closed".to_owned();
                }
                () = tokio::time::sleep(self.check_interval) => {
                    let check = self.client.simple_query("SELECT 1");
                    match tokio::time::timeout(self.check_timeout, check).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(error)) => break format!("a check failed: {error}"),
                        Err(_) => break "PostgreSQL did not answer a check in time".to_owned(),
                    }
                }
            }
        };
        let reason = format!("the lease {} is lost: {reason}", self.name);
        tracing::warn!("{reason}");
        self.lost = Some(reason.clone());
        StoreError::Unavailable(reason)
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("name", &self.name)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

/// The advisory lock key of lease `name`: a 64-bit FNV-1a hash, the same on every
/// node and every version (PostgreSQL's `hashtext` is only 32 bits and not promised
/// stable). Leases live in the one-key lock space, beside the migration lock.
fn lease_key(name: &str) -> i64 {
    let hash = format!("quorum-lease/{name}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    i64::from_be_bytes(hash.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_keys_are_stable_and_distinct() {
        // Pinned (FNV-1a 64 of "quorum-lease/outbox", checked against another
        // implementation): nodes of different versions must agree on the key.
        assert_eq!(lease_key("outbox"), 1_995_342_192_182_277_001);
        assert_ne!(lease_key("outbox"), lease_key("minutes"));
    }
}
