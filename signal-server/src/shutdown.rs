//! Graceful shutdown: the signals that start it, and the bookkeeping that lets every WebSocket
//! close with `GoingAway` before the process exits.
//!
//! Upgraded sockets are no longer HTTP connections, so the HTTP server's own graceful shutdown does
//! not wait for them; each connection task is tracked here instead.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TrackedFuture;

/// Shared by the server and every connection.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    requested: CancellationToken,
    connections: TaskTracker,
}

impl Shutdown {
    /// Starts the shutdown: connections close with `GoingAway`, new ones are refused.
    pub fn begin(&self) {
        self.requested.cancel();
    }

    pub fn is_requested(&self) -> bool {
        self.requested.is_cancelled()
    }

    /// Resolves once the shutdown has begun.
    pub async fn requested(&self) {
        self.requested.cancelled().await;
    }

    /// Wraps a connection task so that [`Shutdown::connections_closed`] waits for it.
    pub fn track<F: Future>(&self, connection: F) -> TrackedFuture<F> {
        self.connections.track_future(connection)
    }

    /// Waits up to `limit` for every tracked connection to finish; false if some did not.
    pub async fn connections_closed(&self, limit: Duration) -> bool {
        self.connections.close();
        tokio::time::timeout(limit, self.connections.wait())
            .await
            .is_ok()
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
