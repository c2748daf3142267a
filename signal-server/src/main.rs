//! `stube`: reads the configuration (flags, environment, `--config` file), starts logging, binds
//! (with TLS if configured) and serves until Ctrl-C or SIGTERM.

use anyhow::Context as _;
use signal_server::{Config, ConfigError, SelfSignedCertificate, Tls, serve, shutdown};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = match Config::load(std::env::args_os()) {
        Ok(config) => config,
        Err(ConfigError::Arguments(error)) => error.exit(),
        Err(error) => return Err(error.into()),
    };
    let filter = EnvFilter::try_new(&config.log).context("invalid --log filter")?;
    tracing_subscriber::fmt().with_env_filter(filter).init();
    if tracing::enabled!(target: "signal_server", tracing::Level::DEBUG) {
        tracing::warn!(
            "debug logging is on: debug lines describe single connections and may help to tell \
             people apart; turn it off (--log info) when you are done"
        );
    }
    tracing::info!(
        listen = %config.listen,
        max_message_size = config.max_message_size,
        max_peers_per_room = config.max_peers_per_room,
        max_groups_per_room = config.max_groups_per_room,
        max_connections_per_ip = config.max_connections_per_ip,
        max_connections_per_ipv4_24 = config.max_connections_per_ipv4_24,
        max_connections_per_ipv6_56 = config.max_connections_per_ipv6_56,
        max_connections_per_ipv6_48 = config.max_connections_per_ipv6_48,
        max_joins_per_minute_per_ip = config.max_joins_per_minute_per_ip,
        max_joins_per_minute_per_network = config.max_joins_per_minute_per_network,
        max_connections = config.max_connections,
        max_rooms = config.max_rooms,
        join_timeout = ?config.join_timeout,
        idle_timeout = ?config.idle_timeout,
        ping_interval = ?config.ping_interval,
        send_queue_bytes = config.send_queue_bytes,
        send_budget_bytes = config.send_budget_bytes,
        allowed_origins = config.allowed_origin.len(),
        max_malformed = config.max_malformed,
        max_messages_per_second = config.max_messages_per_second,
        max_message_burst = config.max_message_burst,
        ice_servers = config.ice_server.len(),
        turn_secret = config.turn_secret.is_some(),
        turn_credential_ttl = ?config.turn_credential_ttl,
        relay_only = config.relay_only,
        tls = config.certificate_source().is_some(),
        nats = !config.nats.is_empty(),
        "starting stube {}",
        env!("CARGO_PKG_VERSION"),
    );
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let tls = match config.certificate_source() {
        Some(source) => Some(Tls::new(source, config.listen).context("cannot set up TLS")?),
        None => None,
    };
    match &tls {
        Some(Tls {
            self_signed: Some(certificate),
            ..
        }) => announce_self_signed(certificate),
        Some(_) => {}
        None if !config.listen.ip().is_loopback() => tracing::warn!(
            "serving plain http on a non-loopback address: browsers allow camera and microphone \
             only on https or localhost; use --tls-cert/--tls-key or a TLS reverse proxy"
        ),
        None => {}
    }
    serve(config, listener, tls, shutdown::signal())
        .await
        .context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Prints a self-signed certificate's facts on standard output, so that people can compare the
/// fingerprint their browser shows (and tests can trust it).
fn announce_self_signed(certificate: &SelfSignedCertificate) {
    tracing::warn!(
        "serving https with a self-signed certificate made now: browsers will warn; for a trial \
         only, use a real certificate (--tls-cert/--tls-key) for anything else"
    );
    println!(
        "TLS certificate SHA-256 fingerprint: {}",
        certificate.fingerprint
    );
    println!("TLS public key SHA-256 (SPKI): {}", certificate.spki_sha256);
    print!("{}", certificate.pem);
}
