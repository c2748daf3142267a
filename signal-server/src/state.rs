//! The state every handler shares: limits, rooms, address counts, join rates, the send budget,
//! allowed origins, trusted proxies, ICE servers, static files, CSP, the shutdown switch, the metrics
//! and `/operator.json`.

use std::sync::Arc;

use crate::bus::Bus;
use crate::config::Config;
use crate::connection::ConnectionLimits;
use crate::headers::ContentSecurityPolicy;
use crate::ice::{IceConfigError, IceServers};
use crate::limits::join_rate::JoinRateLimiter;
use crate::limits::{ConnectionCaps, ConnectionLimiter};
use crate::metrics::Metrics;
use crate::operator::{Facts, OperatorJson};
use crate::origin::AllowedOrigins;
use crate::outbox::budget::SendBudget;
use crate::proxy::TrustedProxies;
use crate::rooms::keys::Keying;
use crate::rooms::{RoomLimits, Rooms};
use crate::shutdown::Shutdown;
use crate::static_files::StaticFiles;

/// Everything the handlers share; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub(crate) limits: ConnectionLimits,
    pub(crate) rooms: Rooms,
    pub(crate) limiter: Arc<ConnectionLimiter>,
    pub(crate) join_rate: JoinRateLimiter,
    pub(crate) send_budget: Arc<SendBudget>,
    pub(crate) origins: AllowedOrigins,
    pub(crate) proxies: TrustedProxies,
    pub(crate) ice: IceServers,
    pub(crate) files: StaticFiles,
    pub(crate) csp: ContentSecurityPolicy,
    pub(crate) shutdown: Shutdown,
    pub(crate) metrics: Metrics,
    /// Whether responses carry HSTS (the server speaks TLS itself).
    pub(crate) hsts: bool,
    pub(crate) operator: OperatorJson,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State for a server with this configuration, serving TLS itself if `tls`, holding its rooms
    /// alone.
    pub fn new(config: &Config, tls: bool) -> Result<Self, IceConfigError> {
        Self::sharing(config, tls, None)
    }

    /// State as [`AppState::new`], sharing rooms through `bus` if given.
    pub(crate) fn sharing(
        config: &Config,
        tls: bool,
        bus: Option<Bus>,
    ) -> Result<Self, IceConfigError> {
        let ice = IceServers::new(
            &config.ice_server,
            config.turn_secret.clone(),
            config.turn_credential_ttl,
            config.relay_only,
        )?;
        let files = StaticFiles::new(config.static_dir.as_deref());
        let hashes = files.index_script_hashes();
        if hashes.is_none() {
            tracing::warn!(
                app = files.describe(),
                "no index.html in the static directory; serving a 503 page until the app is built"
            );
        }
        if config.ping_interval >= config.idle_timeout {
            tracing::warn!(
                "the ping interval is not below the idle timeout; idle browsers will be dropped"
            );
        }
        Ok(Self(Arc::new(Shared {
            limits: ConnectionLimits {
                max_message_size: config.max_message_size.get(),
                join_timeout: config.join_timeout,
                idle_timeout: config.idle_timeout,
                ping_interval: config.ping_interval,
                send_queue_bytes: config.send_queue_bytes.get(),
                max_malformed: config.max_malformed,
                message_rate: governor::Quota::per_second(config.max_messages_per_second)
                    .allow_burst(config.max_message_burst),
            },
            rooms: Rooms::new(
                RoomLimits {
                    max_rooms: config.max_rooms.get(),
                    max_peers_per_room: config.max_peers_per_room.get(),
                    max_groups_per_room: config.max_groups_per_room.get(),
                },
                match &config.nats_secret {
                    Some(secret) => Keying::shared(secret.expose().as_bytes()),
                    None => Keying::random(),
                },
                bus,
            ),
            limiter: ConnectionLimiter::new(ConnectionCaps {
                total: config.max_connections.get(),
                per_address: config.max_connections_per_ip.get(),
                per_ipv4_24: config.max_connections_per_ipv4_24.get(),
                per_ipv6_56: config.max_connections_per_ipv6_56.get(),
                per_ipv6_48: config.max_connections_per_ipv6_48.get(),
            }),
            join_rate: JoinRateLimiter::new(
                config.max_joins_per_minute_per_ip,
                config.max_joins_per_minute_per_network,
            ),
            send_budget: SendBudget::new(config.send_budget_bytes.get()),
            origins: AllowedOrigins::new(config.allowed_origin.clone()),
            proxies: TrustedProxies::new(&config.trusted_proxy),
            ice,
            csp: ContentSecurityPolicy::new(&hashes.unwrap_or_default()),
            files,
            shutdown: Shutdown::default(),
            metrics: Metrics::default(),
            hsts: tls,
            operator: OperatorJson::new(&Facts::new(
                &config.operator,
                &config.ice_server,
                config.relay_only,
            )),
        })))
    }
}
