//! Stube's signalling server: relays sealed signalling between the browsers of a meeting, in
//! memory only, and serves the built app.
//!
//! Browsers join an opaque room id over one WebSocket each (`/ws/{room}`, see the `protocol`
//! crate); the server tells them who else is there and passes each sealed `signal` payload to the
//! one peer it names, without reading it. Rooms are forgotten when they empty. Every limit is
//! configurable ([`Config`]) and ends a connection with a [`protocol::CloseCode`] the app can show.
//!
//! [`app`] builds the router (for tests), [`serve`] runs it until a shutdown signal.

mod bus;
pub mod config;
mod config_file;
mod connection;
mod headers;
mod ice;
mod limits;
mod metrics;
pub mod operator;
mod origin;
mod outbox;
mod proxy;
mod rooms;
pub mod shutdown;
mod state;
mod static_files;
mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;

pub use crate::config::Config;
pub use crate::config_file::ConfigError;
use crate::connection::CLOSE_GRACE;
pub use crate::ice::{IceConfigError, MAX_TURN_CREDENTIAL_TTL};
pub use crate::origin::{InvalidOrigin, Origin};
pub use crate::state::AppState;
pub use crate::tls::{CertificateSource, SelfSignedCertificate, Tls, TlsError};

/// The whole HTTP surface: `/ws` (and `/ws/{room}`, the same WebSocket with the room in the path
/// for load balancers), `/healthz` and the app, with security headers on everything. Serve it
/// with `into_make_service_with_connect_info::<SocketAddr>()`: `/ws` counts per address and
/// network.
pub fn app(state: AppState) -> Router {
    let web = Router::new()
        .fallback(static_files::handler)
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    Router::new()
        .route("/ws", get(connection::upgrade))
        .route("/ws/{room}", get(connection::upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .route("/operator.json", get(operator::handler))
        .fallback_service(web)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::add,
        ))
        .with_state(state)
}

/// Serves `/metrics` on its own address until the returned guard is dropped.
async fn serve_metrics(address: SocketAddr, state: AppState) -> Result<AbortOnDrop, ServeError> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|error| ServeError::MetricsListen(address, error))?;
    let router = Router::new()
        .route("/metrics", get(metrics::handler))
        .with_state(state);
    Ok(AbortOnDrop(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::warn!(%error, "the metrics listener failed");
        }
    })))
}

/// Ends a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("invalid ICE server configuration")]
    Ice(#[from] IceConfigError),
    #[error("cannot listen for metrics on {0}")]
    MetricsListen(SocketAddr, #[source] std::io::Error),
    #[error("the NATS secret is shorter than {MIN_NATS_SECRET} characters")]
    WeakNatsSecret,
    #[error("cannot share rooms through NATS")]
    Bus(#[from] bus::nats::BusError),
    #[error("the HTTP server failed")]
    Http(#[source] std::io::Error),
}

/// The shortest NATS secret accepted: room names on the bus are only as hidden as it is.
const MIN_NATS_SECRET: usize = 16;

/// How long connections get to close after a shutdown began, beyond their own close grace.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Serves on `listener` (over `tls` if given: [`Tls::new`] with the config's
/// [`Config::certificate_source`]) until `shutdown` resolves; then refuses new connections,
/// closes every WebSocket with `GoingAway` and returns.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    tls: Option<Tls>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let nats = match &config.nats_secret {
        Some(secret) if secret.expose().len() < MIN_NATS_SECRET => {
            return Err(ServeError::WeakNatsSecret);
        }
        Some(_) if !config.nats.is_empty() => Some(bus::nats::connect(&config.nats).await?),
        _ => None,
    };
    let me = bus::wire::InstanceId::random();
    let (bus, outgoing) = nats.is_some().then(|| bus::Bus::new(me)).unzip();
    let state = AppState::sharing(&config, tls.is_some(), bus)?;
    let bus = match nats.zip(outgoing) {
        Some((client, outgoing)) => {
            tracing::info!("sharing rooms with the other instances on NATS");
            Some(bus::nats::start(client, outgoing, state.clone(), me).await?)
        }
        None => None,
    };
    let _metrics = match config.metrics_listen {
        Some(address) => Some(serve_metrics(address, state.clone()).await?),
        None => None,
    };
    let stopping = state.shutdown.clone();
    let service = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let graceful = async move {
        shutdown.await;
        stopping.begin();
    };
    let served = match tls {
        None => {
            axum::serve(listener, service)
                .with_graceful_shutdown(graceful)
                .await
        }
        Some(tls) => {
            let watch = AbortOnDrop(tls.watch());
            // `tap_io` only so that the address reaches `ConnectInfo`, as for a TCP listener.
            let listener = tls
                .listen(listener)
                .map_err(ServeError::Http)?
                .tap_io(|_| {});
            let served = axum::serve(listener, service)
                .with_graceful_shutdown(graceful)
                .await;
            drop(watch);
            served
        }
    };
    let census = state.rooms.census();
    tracing::info!(
        connections = state.limiter.total(),
        rooms = census.rooms,
        peers = census.peers,
        "stopped accepting; closing connections"
    );
    if !state
        .shutdown
        .connections_closed(CLOSE_GRACE + SHUTDOWN_GRACE)
        .await
    {
        tracing::warn!(
            connections = state.limiter.total(),
            "some connections did not close in time"
        );
    }
    if let Some(bus) = bus {
        bus.stop().await;
    }
    served.map_err(ServeError::Http)
}
