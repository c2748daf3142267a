//! Stube's signalling server: relays sealed signalling between the browsers of a meeting, in
//! memory only, and serves the built app.
//!
//! Browsers join an opaque room id over one WebSocket each (`/ws`, see the `protocol` crate); the
//! server tells them who else is there and passes each sealed `signal` payload to the one peer it
//! names, without reading it. Rooms are forgotten when they empty. Every limit is configurable
//! ([`Config`]) and ends a connection with a [`protocol::CloseCode`] the app can show.
//!
//! [`app`] builds the router (for tests), [`serve`] runs it until a shutdown signal.

pub mod config;
mod connection;
mod headers;
mod ice;
mod limits;
pub mod operator;
mod origin;
mod outbox;
mod rooms;
pub mod shutdown;
mod state;
mod static_files;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;

pub use crate::config::Config;
use crate::connection::CLOSE_GRACE;
pub use crate::ice::{IceConfigError, MAX_TURN_CREDENTIAL_TTL};
pub use crate::origin::{InvalidOrigin, Origin};
pub use crate::state::AppState;

/// The whole HTTP surface: `/ws`, `/healthz` and the app, with security headers on everything.
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()`: `/ws` counts per address
/// and network.
pub fn app(state: AppState) -> Router {
    let web = Router::new()
        .fallback(static_files::handler)
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    Router::new()
        .route("/ws", get(connection::upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .route("/operator.json", get(operator::handler))
        .fallback_service(web)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::add,
        ))
        .with_state(state)
}

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("invalid ICE server configuration")]
    Ice(#[from] IceConfigError),
    #[error("the HTTP server failed")]
    Http(#[source] std::io::Error),
}

/// How long connections get to close after a shutdown began, beyond their own close grace.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Serves on `listener` until `shutdown` resolves; then refuses new connections, closes every
/// WebSocket with `GoingAway` and returns.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let state = AppState::new(&config)?;
    let stopping = state.shutdown.clone();
    let service = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            stopping.begin();
        })
        .await;
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
    served.map_err(ServeError::Http)
}
