//! `quorum serve`: opens the data directory, starts the hub, and serves until Ctrl-C
//! or SIGTERM, then drains.

use std::sync::Arc;

use anyhow::Context as _;
use quorum_gateway::config::{DocumentStorage, StoreBackend};
use quorum_gateway::{Bound, GatewayConfig, Hub};
use quorum_store::{
    BlobError, BlobStore, EventLog, PgLog, PgOptions, SqliteLog, SqliteOptions, StoreError,
};

use crate::ServeArgs;
use crate::logging;
use crate::settings;

/// The data directory, opened and locked by this process, and the event log chosen
/// by the configuration.
pub(crate) struct Data {
    /// The hub on it.
    pub(crate) hub: Hub,
    log: Log,
    _lock: std::fs::File,
}

/// The event log's backend.
#[derive(Clone)]
pub(crate) enum Log {
    /// `DATA/quorum.db`.
    Sqlite(SqliteLog),
    /// A PostgreSQL database (a cluster's).
    Postgres(PgLog),
}

impl Log {
    async fn open(config: &GatewayConfig) -> anyhow::Result<Log> {
        match config.store.backend {
            StoreBackend::Sqlite => {
                let path = config.data.join("quorum.db");
                let log = SqliteLog::open(&path, SqliteOptions::default())
                    .context("cannot open the event log")?;
                Ok(Log::Sqlite(log))
            }
            StoreBackend::Postgres => {
                let log = PgLog::connect(&config.store.postgres, PgOptions::default())
                    .await
                    .context("cannot open the event log in PostgreSQL (store.postgres)")?;
                Ok(Log::Postgres(log))
            }
        }
    }

    fn shared(&self) -> Arc<dyn EventLog> {
        match self {
            Log::Sqlite(log) => Arc::new(log.clone()),
            Log::Postgres(log) => Arc::new(log.clone()),
        }
    }

    async fn close(self) -> Result<(), StoreError> {
        match self {
            Log::Sqlite(log) => log.close().await,
            Log::Postgres(log) => log.close().await,
        }
    }
}

impl Data {
    /// Opens the data directory of `config`, taking its lock (one process at a time
    /// writes a data directory), its event log and its document store.
    pub(crate) async fn open(config: GatewayConfig) -> anyhow::Result<Data> {
        let data = config.data.clone();
        std::fs::create_dir_all(&data)
            .with_context(|| format!("cannot create the data directory {}", data.display()))?;
        let lock = lock(&data)?;
        let log = Log::open(&config).await?;
        let blobs = open_documents(&config, &log).context("cannot open the document store")?;
        let hub = Hub::open(config, log.shared(), blobs)
            .await
            .context("cannot load the meetings")?;
        Ok(Data {
            hub,
            log,
            _lock: lock,
        })
    }

    /// The event log.
    pub(crate) fn log(&self) -> &Log {
        &self.log
    }

    /// Waits for the event log to finish its writes.
    pub(crate) async fn close(self) {
        let Data { hub, log, _lock } = self;
        if let Some(cluster) = hub.cluster() {
            cluster.flush(std::time::Duration::from_secs(2)).await;
        }
        drop(hub);
        if let Err(error) = log.close().await {
            tracing::warn!(%error, "the event log did not close cleanly");
        }
    }
}

/// The document store the configuration names: a directory (shared by a cluster's
/// nodes, each with its own place for unfinished uploads), or PostgreSQL with this
/// node's directory as its cache.
fn open_documents(config: &GatewayConfig, log: &Log) -> Result<BlobStore, BlobError> {
    let local = config.data.join("blobs");
    match (config.documents.storage, log) {
        (DocumentStorage::Postgres, Log::Postgres(log)) => {
            let cache = config.documents.path.as_deref().unwrap_or(&local);
            Ok(BlobStore::open(cache)?.with_mirror(Arc::new(log.documents())))
        }
        _ => match (&config.documents.path, &config.cluster) {
            (Some(path), Some(cluster)) => BlobStore::open_shared(path, &node_name(&cluster.node)),
            (Some(path), None) => BlobStore::open(path),
            (None, _) => BlobStore::open(&local),
        },
    }
}

/// The name a node's unfinished uploads are kept under in a shared document directory.
fn node_name(configured: &str) -> String {
    if configured.is_empty() {
        format!("pid-{}", std::process::id())
    } else {
        configured.to_owned()
    }
}

/// Takes the data directory's lock: one process at a time writes a data directory.
pub(crate) fn lock(data: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let lock_path = data.join("quorum.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    lock.try_lock().map_err(|_| {
        anyhow::anyhow!(
            "another quorum process is using {} (stop it first, or use the REST API of the running hub)",
            data.display()
        )
    })?;
    Ok(lock)
}

/// Runs the hub.
pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut overrides = Vec::new();
    if let Some(listen) = args.listen {
        overrides.push(("listen", listen.to_string().into()));
    }
    if args.dev_tls {
        overrides.push(("tls.dev_self_signed", true.into()));
    }
    let config = settings::load(&args.config, &overrides)?;
    logging::init(&config.log, args.log_json);
    let data = Data::open(config).await?;
    let hub = data.hub.clone();
    let bound = Bound::bind(hub.clone()).await?;
    let address = bound.local_addr()?;
    let public_url = hub.config().public_url();
    if hub.config().public_url.is_empty() && hub.config().listen.ip().is_unspecified() {
        tracing::warn!(
            "listening on every interface without `public_url`: set it to the address devices use (for example http://192.168.1.10:8080), or links and QR codes will not work on other devices and browsers there will be refused by the origin check"
        );
    }
    tracing::info!(%address, url = %public_url, data = %hub.config().data.display(), "quorum hub listening");
    if let Some(code) = hub.first_start().await? {
        crate::demo::announce_admin(&public_url, code.expose());
    }
    if args.demo {
        crate::demo::seed(&hub)
            .await
            .context("cannot seed the demo meeting")?;
    }
    let (stop_outbox, stopping) = tokio::sync::watch::channel(false);
    let outbox = match data.log() {
        // In a cluster one node at a time delivers the notices: the one holding the
        // lease, a PostgreSQL advisory lock that dies with its connection.
        Log::Postgres(log) if hub.cluster().is_some() => {
            tokio::spawn(lead_outbox(hub.clone(), log.clone(), stopping))
        }
        _ => {
            let outbox = quorum_gateway::outbox::Outbox::start(hub.clone())
                .await
                .context("cannot start the notification outbox")?;
            tokio::spawn(async move {
                let mut stopping = stopping;
                let _ = stopping.wait_for(|stop| *stop).await;
                outbox.stop().await;
            })
        }
    };
    bound.serve(shutdown_signal()).await?;
    stop_outbox.send_replace(true);
    let _ = outbox.await;
    data.close().await;
    Ok(())
}

/// The outbox's lease in PostgreSQL.
const OUTBOX_LEASE: &str = "quorum.outbox";

/// Runs the outbox while this node holds its lease; waits for the lease otherwise (a
/// node that dies loses it with its connection, and another takes over within
/// seconds, resuming from the outbox's durable cursors).
async fn lead_outbox(hub: Hub, log: PgLog, mut stopping: tokio::sync::watch::Receiver<bool>) {
    loop {
        match log.lease(OUTBOX_LEASE).await {
            Ok(Some(mut lease)) => {
                tracing::info!("this node delivers the notices (it holds the outbox lease)");
                match quorum_gateway::outbox::Outbox::start(hub.clone()).await {
                    Ok(outbox) => {
                        tokio::select! {
                            error = lease.lost() => tracing::warn!(%error, "the outbox lease was lost; stopping deliveries"),
                            _ = stopping.wait_for(|stop| *stop) => {}
                        }
                        outbox.stop().await;
                    }
                    Err(error) => tracing::error!(%error, "cannot start the notification outbox"),
                }
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot ask for the outbox lease"),
        }
        if *stopping.borrow() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(3)) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
