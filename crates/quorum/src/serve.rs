//! `quorum serve`: opens the data directory, starts the hub, and serves until Ctrl-C
//! or SIGTERM, then drains.

use std::sync::Arc;

use anyhow::Context as _;
use quorum_gateway::{Bound, GatewayConfig, Hub};
use quorum_store::{BlobStore, SqliteLog, SqliteOptions};

use crate::ServeArgs;
use crate::logging;
use crate::settings;

/// The data directory, opened and locked by this process.
pub(crate) struct Data {
    /// The hub on it.
    pub(crate) hub: Hub,
    log: SqliteLog,
    _lock: std::fs::File,
}

impl Data {
    /// Opens the data directory of `config`, taking its lock: one process at a time
    /// writes a data directory.
    pub(crate) async fn open(config: GatewayConfig) -> anyhow::Result<Data> {
        let data = config.data.clone();
        std::fs::create_dir_all(&data)
            .with_context(|| format!("cannot create the data directory {}", data.display()))?;
        let lock = lock(&data)?;
        let log = SqliteLog::open(&data.join("quorum.db"), SqliteOptions::default())
            .context("cannot open the event log")?;
        let blobs =
            BlobStore::open(&data.join("blobs")).context("cannot open the document store")?;
        let hub = Hub::open(config, Arc::new(log.clone()), blobs)
            .await
            .context("cannot load the meetings")?;
        Ok(Data {
            hub,
            log,
            _lock: lock,
        })
    }

    /// Waits for the event log to finish its writes.
    pub(crate) async fn close(self) {
        let Data { hub, log, _lock } = self;
        drop(hub);
        if let Err(error) = log.close().await {
            tracing::warn!(%error, "the event log did not close cleanly");
        }
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
    let outbox = quorum_gateway::outbox::Outbox::start(hub.clone())
        .await
        .context("cannot start the notification outbox")?;
    bound.serve(shutdown_signal()).await?;
    outbox.stop().await;
    data.close().await;
    Ok(())
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
