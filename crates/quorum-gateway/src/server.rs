//! The HTTP server: routes, request limits, health and metrics endpoints, TLS, and the
//! graceful shutdown that tells devices to reconnect and drains before exiting.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

use crate::hub::Hub;
use crate::{connection, rest, tls};

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The server failed while running.
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The routes of the hub.
pub fn router(hub: Hub) -> Router {
    let limits = &hub.config().limits;
    let documents_limit = usize::try_from(limits.max_document_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let request_limit = limits.max_request_bytes;
    Router::new()
        .route("/ws", get(connection::upgrade))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/", get(app_page))
        .route("/join", get(app_page))
        .route("/app", get(app_page))
        .route("/assets/{*path}", get(app_asset))
        .route("/sw.js", get(service_worker))
        .route("/favicon.ico", get(favicon))
        // The upload route's own limit sits inside this one, so it wins there.
        .merge(rest::router(documents_limit))
        .layer(DefaultBodyLimit::max(request_limit))
        .with_state(hub)
}

/// A bound, not yet serving, server.
pub struct Bound {
    listener: TcpListener,
    hub: Hub,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Bound {
    /// Binds the configured address (port 0 picks a free port).
    pub async fn bind(hub: Hub) -> Result<Bound, ServeError> {
        let address = hub.config().listen;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ServeError::Bind { address, source })?;
        hub.bound_to(listener.local_addr()?);
        let tls = tls::server_config(&hub.config().tls, &hub.config().data)?;
        Ok(Bound { listener, hub, tls })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `stop` resolves, then shuts down gracefully: stops accepting,
    /// closes every WebSocket with 1001 after what it already queued, and waits up to
    /// the drain time for requests in flight.
    pub async fn serve(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let Bound { listener, hub, tls } = self;
        let drain = Duration::from_millis(hub.config().limits.drain_ms);
        let app = router(hub.clone());
        let stopping = hub.clone();
        let stop = async move {
            stop.await;
            tracing::info!("shutting down: telling devices to reconnect");
            stopping.begin_shutdown();
        };
        match tls {
            None => {
                // Small frames (acks, updates) go out at once: with Nagle's algorithm an
                // ack waits behind the previous segment for the device's delayed ACK,
                // about 40 ms on Linux.
                let listener = listener.tap_io(|stream| {
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!(%error, "cannot set TCP_NODELAY");
                    }
                });
                let server = axum::serve(listener, app).with_graceful_shutdown(stop);
                let mut shutdown = hub.shutdown_signal();
                tokio::select! {
                    result = server => result?,
                    () = async {
                        crate::hub::stopping(&mut shutdown).await;
                        tokio::time::sleep(drain).await;
                    } => tracing::warn!("drain time over; closing what is left"),
                }
            }
            Some(config) => {
                let handle = axum_server::Handle::new();
                let stopper = handle.clone();
                tokio::spawn(async move {
                    stop.await;
                    stopper.graceful_shutdown(Some(drain));
                });
                let listener = listener.into_std()?;
                let tls = axum_server::tls_rustls::RustlsAcceptor::new(
                    axum_server::tls_rustls::RustlsConfig::from_config(config),
                )
                .acceptor(axum_server::accept::NoDelayAcceptor::new());
                axum_server::from_tcp(listener)
                    .acceptor(tls)
                    .handle(handle)
                    .serve(app.into_make_service())
                    .await?;
            }
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the event log answers. In a cluster the body also says whether the
/// fan-out is subscribed (`{"ready":true,"store":"ok","fanout":"down","degraded":true}`):
/// without Redis a node still serves correctly, only slower (its rooms poll the log),
/// so a Redis outage must not make a load balancer drop every node at once. Alert on
/// `degraded` (or `quorum_fanout_up`) instead.
async fn readyz(State(hub): State<Hub>) -> Response {
    let store = match tokio::time::timeout(
        Duration::from_secs(2),
        hub.store().head(crate::access::HUB_STREAM),
    )
    .await
    {
        Ok(Ok(_)) => "ok",
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the event log does not answer");
            "down"
        }
        Err(_) => {
            tracing::warn!("not ready: the event log does not answer in time");
            "down"
        }
    };
    let fanout = match hub.cluster().map(crate::cluster::Cluster::health) {
        None => "none",
        Some(crate::cluster::FanoutHealth::Up) => "ok",
        Some(crate::cluster::FanoutHealth::Down) => "down",
    };
    let ready = store == "ok";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let node = hub.cluster().map(|cluster| cluster.node().to_owned());
    (
        status,
        axum::Json(serde_json::json!({
            "ready": ready,
            "store": store,
            "fanout": fanout,
            "degraded": fanout == "down",
            "node": node,
        })),
    )
        .into_response()
}

async fn metrics() -> Response {
    match crate::telemetry::install() {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable").into_response(),
    }
}

/// The browser app's page, for every path the app routes itself.
async fn app_page(headers: HeaderMap) -> Response {
    web_asset(quorum_web::asset(quorum_web::INDEX), &headers, false)
}

/// The app's other files. The page links them under `/assets/{version}/`, whose content
/// never changes, so they may be cached for a year; without the version (or with an old
/// one) they are served, but revalidated on every use.
async fn app_asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let (immutable, name) = match path.split_once('/') {
        Some((version, name)) if version == quorum_web::version() => (true, name),
        _ => (false, path.as_str()),
    };
    web_asset(quorum_web::asset(name), &headers, immutable)
}

/// The service worker that keeps the app and its documents for offline use. Served from
/// the root, so that its scope covers the app's pages; revalidated on every use, so that
/// an upgrade reaches devices at their next visit.
async fn service_worker(headers: HeaderMap) -> Response {
    web_asset(quorum_web::service_worker(), &headers, false)
}

/// The app's icon, for browsers that ask for it at the root (on /readyz, /metrics…):
/// an answer rather than a 404 in their console.
async fn favicon(headers: HeaderMap) -> Response {
    web_asset(quorum_web::asset("icon.svg"), &headers, false)
}

/// An embedded file with its validators and the app's security headers; `304 Not
/// Modified` when the device already holds this version.
fn web_asset(asset: Option<quorum_web::Asset>, headers: &HeaderMap, immutable: bool) -> Response {
    let Some(asset) = asset else {
        return (
            StatusCode::NOT_FOUND,
            [(header::X_CONTENT_TYPE_OPTIONS, "nosniff")],
            "not found",
        )
            .into_response();
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let common = [
        (
            header::ETAG,
            HeaderValue::from_str(&asset.etag).unwrap_or(HeaderValue::from_static("\"\"")),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(quorum_web::CONTENT_SECURITY_POLICY),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    let held = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == asset.etag || tag == "*");
    if held {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        )],
        match asset.body {
            std::borrow::Cow::Borrowed(body) => bytes::Bytes::from_static(body),
            std::borrow::Cow::Owned(body) => bytes::Bytes::from(body),
        },
    )
        .into_response()
}
