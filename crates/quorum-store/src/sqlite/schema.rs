//! Opening SQLite connections: the pragmas every connection needs, and the schema
//! migrations keyed by `PRAGMA user_version`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::store_error;
use crate::StoreError;

/// Marks the file as Quorum's ("QRM1"), so that another program's SQLite file is refused
/// instead of being written into.
const APPLICATION_ID: i64 = 0x5152_4D31;

/// The migrations, in order: `MIGRATIONS[n]` takes a database from `user_version` n to
/// n + 1. Append to this list; never edit an entry that has shipped.
const MIGRATIONS: &[&str] = &[
    // Version 1: the event log. `format` numbers the body's encoding so that it can
    // change later without a rewrite; every body written today is format 1.
    "CREATE TABLE events (
        stream TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        at INTEGER NOT NULL,
        format INTEGER NOT NULL DEFAULT 1,
        body TEXT NOT NULL,
        PRIMARY KEY (stream, seq)
    ) WITHOUT ROWID, STRICT;",
];

/// The schema version this code writes and reads.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The body format this code writes and reads.
pub(crate) const BODY_FORMAT: i64 = 1;

/// Opens the one read-write connection, switches the database to WAL and brings its
/// schema up to date.
pub(crate) fn open_writer(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut connection =
        Connection::open_with_flags(path, flags).map_err(|e| store_error("open", &e))?;
    connection
        .busy_timeout(busy_timeout)
        .map_err(|e| store_error("set the busy timeout", &e))?;
    // Refuse a newer database before changing anything in it, even its journal mode.
    let version = check_version(&connection)?;
    let mode: String = connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(|e| store_error("switch to WAL", &e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unavailable(format!(
            "the database stays in journal mode {mode}, not WAL"
        )));
    }
    // FULL makes every commit fsync the WAL, so a commit that returned survives a
    // power cut: `append` promises durability.
    for (pragma, value) in [("synchronous", "FULL"), ("foreign_keys", "ON")] {
        connection
            .pragma_update(None, pragma, value)
            .map_err(|e| store_error(pragma, &e))?;
    }
    migrate(&mut connection, version)?;
    connection.set_prepared_statement_cache_capacity(16);
    Ok(connection)
}

/// Opens a read-only connection to a database that [`open_writer`] has prepared.
pub(crate) fn open_reader(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection =
        Connection::open_with_flags(path, flags).map_err(|e| store_error("open a reader", &e))?;
    connection
        .busy_timeout(busy_timeout)
        .map_err(|e| store_error("set the busy timeout", &e))?;
    connection.set_prepared_statement_cache_capacity(16);
    Ok(connection)
}

/// Reads the schema version, refusing a database from a newer Quorum or another
/// program.
fn check_version(connection: &Connection) -> Result<i64, StoreError> {
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| store_error("read the schema version", &e))?;
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
    let application_id: i64 = connection
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(|e| store_error("read the application id", &e))?;
    if application_id != APPLICATION_ID && (version > 0 || application_id != 0) {
        return Err(StoreError::Format(format!(
            "the file is not a Quorum database (application id {application_id:#x})"
        )));
    }
    Ok(version)
}

/// Runs the migrations after `version`, each in its own transaction with its new
/// version number, so that a crash leaves the database at one version or the next.
fn migrate(connection: &mut Connection, version: i64) -> Result<(), StoreError> {
    let done = usize::try_from(version).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let target = index + 1;
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| store_error("begin a migration", &e))?;
        transaction
            .execute_batch(sql)
            .map_err(|e| store_error("migrate", &e))?;
        transaction
            .execute_batch(&format!(
                "PRAGMA user_version = {target}; PRAGMA application_id = {APPLICATION_ID};"
            ))
            .map_err(|e| store_error("record the schema version", &e))?;
        transaction
            .commit()
            .map_err(|e| store_error("commit a migration", &e))?;
        tracing::info!(version = target, "event log schema migrated");
    }
    Ok(())
}
