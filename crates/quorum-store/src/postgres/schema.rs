//! The PostgreSQL schema and its migrations, keyed by the version number in
//! `quorum_schema` and run under an advisory lock so that nodes starting at once take
//! turns.

use tokio_postgres::Client;
use tokio_postgres::types::Type;

use super::connect::quote_identifier;
use super::unavailable;
use crate::StoreError;

/// The migrations, in order: `MIGRATIONS[n]` takes a database from version n to n + 1.
/// Append to this list; never edit an entry that has shipped.
const MIGRATIONS: &[&str] = &[
    // Version 1: the event log. Stream names compare byte-wise ("C"), so that the
    // primary key's order is the order `streams` promises and the order in which
    // writers lock streams. `quorum_streams` holds each stream's head: its row is what
    // concurrent writers lock, so events need no lock of their own. `format` numbers
    // the body's encoding, as in the SQLite log.
    r#"CREATE TABLE quorum_streams (
        stream text COLLATE "C" PRIMARY KEY,
        head bigint NOT NULL CHECK (head >= 0)
    );
    CREATE TABLE quorum_events (
        stream text COLLATE "C" NOT NULL,
        seq bigint NOT NULL CHECK (seq >= 1),
        at bigint NOT NULL,
        format integer NOT NULL DEFAULT 1,
        body text NOT NULL,
        PRIMARY KEY (stream, seq)
    );"#,
    // Version 2: documents, for a cluster that keeps them in PostgreSQL rather than
    // on a shared directory. Content-addressed: a blob is written once, in chunks, and
    // its `quorum_blobs` row, inserted last in the same transaction, says it is whole.
    r#"CREATE TABLE quorum_blobs (
        hash text COLLATE "C" PRIMARY KEY,
        size bigint NOT NULL CHECK (size >= 0)
    );
    CREATE TABLE quorum_blob_chunks (
        hash text COLLATE "C" NOT NULL,
        n integer NOT NULL CHECK (n >= 0),
        bytes bytea NOT NULL,
        PRIMARY KEY (hash, n)
    );"#,
];

/// The schema version this code writes and reads.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The body format this code writes and reads.
pub(crate) const BODY_FORMAT: i32 = 1;

/// The advisory lock that migrations take (for the whole database, whatever the
/// schema): "QRM-MIGR" in ASCII.
const MIGRATION_LOCK: i64 = 0x5152_4D2D_4D49_4752;

/// Brings the schema up to date in one transaction: creates `schema` if it is named,
/// refuses a database from a newer Quorum, and runs the missing migrations.
pub(crate) async fn migrate(client: &mut Client, schema: Option<&str>) -> Result<(), StoreError> {
    let transaction = client
        .transaction()
        .await
        .map_err(|e| unavailable("begin a migration", &e))?;
    // The lock is released with the transaction: a node that waited for it then sees
    // the schema as the first node left it.
    transaction
        .query_typed(
            "SELECT pg_advisory_xact_lock($1)",
            &[(&MIGRATION_LOCK, Type::INT8)],
        )
        .await
        .map_err(|e| unavailable("take the migration lock", &e))?;
    if let Some(schema) = schema {
        transaction
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                quote_identifier(schema)?
            ))
            .await
            .map_err(|e| unavailable("create the schema", &e))?;
    }
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS quorum_schema (version bigint NOT NULL)")
        .await
        .map_err(|e| unavailable("create the version table", &e))?;
    let rows = transaction
        .query_typed("SELECT version FROM quorum_schema", &[])
        .await
        .map_err(|e| unavailable("read the schema version", &e))?;
    let version = match rows.as_slice() {
        [] => 0,
        [row] => row
            .try_get::<_, i64>(0)
            .map_err(|e| unavailable("read the schema version", &e))?,
        _ => {
            return Err(StoreError::Format(format!(
                "quorum_schema has {} rows; it should have one",
                rows.len()
            )));
        }
    };
    check_version(version)?;
    if version == SCHEMA_VERSION {
        return transaction
            .commit()
            .await
            .map_err(|e| unavailable("end the migration", &e));
    }
    for (target, sql) in (1..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(version).unwrap_or(0))
    {
        transaction
            .batch_execute(sql)
            .await
            .map_err(|e| unavailable(&format!("migrate to version {target}"), &e))?;
        tracing::info!(version = target, "event log schema migrated");
    }
    let record = if rows.is_empty() {
        "INSERT INTO quorum_schema (version) VALUES ($1)"
    } else {
        "UPDATE quorum_schema SET version = $1"
    };
    transaction
        .query_typed(record, &[(&SCHEMA_VERSION, Type::INT8)])
        .await
        .map_err(|e| unavailable("record the schema version", &e))?;
    transaction
        .commit()
        .await
        .map_err(|e| unavailable("commit the migration", &e))
}

/// Refuses a version that no Quorum writes or that a newer one wrote.
fn check_version(version: i64) -> Result<(), StoreError> {
    if version < 0 {
        return Err(StoreError::Format(format!(
            "the database has schema version {version}, which no Quorum writes"
        )));
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::Format(format!(
            "the database has schema version {version}; this Quorum knows up to \
             {SCHEMA_VERSION}: upgrade Quorum"
        )));
    }
    Ok(())
}
