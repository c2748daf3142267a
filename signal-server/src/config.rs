//! Command-line flags and environment variables: everything an operator can configure.

use std::net::SocketAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::ice::MAX_TURN_CREDENTIAL_TTL;
use crate::origin::Origin;
use crate::proxy::TrustedProxy;
use crate::tls::CertificateSource;

/// Relays sealed signalling between the browsers of a Stube meeting and serves the built app.
///
/// Every flag can also be set by the environment variable named in its help, and by a key of the
/// same name (without the dashes) in the TOML file given with --config. A flag wins over the
/// environment, and both over the file.
#[derive(Debug, Clone, Parser)]
#[command(name = "stube", version, about)]
pub struct Config {
    /// A TOML file of options: each key is a flag's name without the dashes, e.g.
    /// `max-peers-per-room = 6` or `ice-server = ["turn:turn.example.org:3478"]`. An unknown key is
    /// an error.
    #[arg(long, env = "STUBE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address and port to listen on, for the app, `/ws` and `/healthz`.
    #[arg(long, env = "STUBE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory holding the built app, instead of the app built into this binary (`cargo xtask
    /// dist` builds it in; without that, the default is `dist`). If it holds no app, the server
    /// starts anyway and answers 503 with a page saying so.
    #[arg(long, env = "STUBE_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Largest WebSocket message accepted, in bytes; a bigger one closes the connection with 1009.
    #[arg(long, env = "STUBE_MAX_MESSAGE_SIZE", default_value = "65536")]
    pub max_message_size: NonZeroUsize,

    /// Participants per room with the same passphrase (the same admission token); one more is
    /// refused with close code 4001. People with another passphrase, or only the link, are seated
    /// in groups of their own and can never take these seats.
    #[arg(long, env = "STUBE_MAX_PEERS_PER_ROOM", default_value = "8")]
    pub max_peers_per_room: NonZeroUsize,

    /// Groups with different passphrases (admission tokens) in one room at once; a join that would
    /// add one more is closed with 4008, and the client tries again later. Members of all groups
    /// still hear of each other, so that browsers can report a wrong passphrase.
    #[arg(long, env = "STUBE_MAX_GROUPS_PER_ROOM", default_value = "3")]
    pub max_groups_per_room: NonZeroUsize,

    /// Simultaneous WebSocket connections per IP address (IPv6: per /64 network); one more is
    /// closed with 4003.
    #[arg(long, env = "STUBE_MAX_CONNECTIONS_PER_IP", default_value = "32")]
    pub max_connections_per_ip: NonZeroUsize,

    /// Simultaneous WebSocket connections per IPv4 /24 network (IPv4-mapped IPv6 addresses count
    /// as IPv4); one more is closed with 4003. Keeps one network from taking all connections.
    #[arg(long, env = "STUBE_MAX_CONNECTIONS_PER_IPV4_24", default_value = "64")]
    pub max_connections_per_ipv4_24: NonZeroUsize,

    /// Simultaneous WebSocket connections per IPv6 /56 network (what one subscriber usually
    /// gets); one more is closed with 4003.
    #[arg(long, env = "STUBE_MAX_CONNECTIONS_PER_IPV6_56", default_value = "64")]
    pub max_connections_per_ipv6_56: NonZeroUsize,

    /// Simultaneous WebSocket connections per IPv6 /48 network (what one site usually gets); one
    /// more is closed with 4003.
    #[arg(long, env = "STUBE_MAX_CONNECTIONS_PER_IPV6_48", default_value = "128")]
    pub max_connections_per_ipv6_48: NonZeroUsize,

    /// Joins per minute from one IP address (IPv6: per /64), as a burst that refills evenly over
    /// the minute; one more is closed with 4007, and the client tries again later.
    #[arg(long, env = "STUBE_MAX_JOINS_PER_MINUTE_PER_IP", default_value = "30")]
    pub max_joins_per_minute_per_ip: NonZeroU32,

    /// Joins per minute from one network (IPv4 /24, IPv6 /48), as a burst that refills evenly over
    /// the minute; one more is closed with 4007, and the client tries again later.
    #[arg(
        long,
        env = "STUBE_MAX_JOINS_PER_MINUTE_PER_NETWORK",
        default_value = "120"
    )]
    pub max_joins_per_minute_per_network: NonZeroU32,

    /// Simultaneous WebSocket connections in total, from all addresses; one more is closed with 4003.
    #[arg(long, env = "STUBE_MAX_CONNECTIONS", default_value = "10000")]
    pub max_connections: NonZeroUsize,

    /// Rooms held at once; a join that would open one more is refused with 4002.
    #[arg(long, env = "STUBE_MAX_ROOMS", default_value = "10000")]
    pub max_rooms: NonZeroUsize,

    /// A connection that has not joined a room this long after it opened is closed with 4006,
    /// however much else it sends. Units: ms, s, m, h.
    #[arg(long, env = "STUBE_JOIN_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub join_timeout: Duration,

    /// A connection that sends nothing for this long is closed with 4004. Any frame counts,
    /// including the Pong a browser answers each server Ping with on its own, so this catches dead
    /// connections, not quiet participants. Units: ms, s, m, h.
    #[arg(long, env = "STUBE_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// How often the server sends a WebSocket Ping (browsers answer with a Pong). Keep it well
    /// below the idle timeout. Units: ms, s, m, h.
    #[arg(long, env = "STUBE_PING_INTERVAL", default_value = "20s", value_parser = parse_duration)]
    pub ping_interval: Duration,

    /// Bytes queued for one connection (each message counts its length plus 64); a client that
    /// falls this far behind is closed with 4005. An empty queue always takes one message.
    #[arg(long, env = "STUBE_SEND_QUEUE_BYTES", default_value = "262144")]
    pub send_queue_bytes: NonZeroUsize,

    /// Bytes queued for all connections together. When a message would exceed it, its recipient
    /// is closed with 4005 (as if its own queue were full) and its queue is freed: the server sheds
    /// slow clients rather than grow.
    #[arg(long, env = "STUBE_SEND_BUDGET_BYTES", default_value = "67108864")]
    pub send_budget_bytes: NonZeroUsize,

    /// Messages one connection may send per second, on average (`signal` and `ping`; WebSocket
    /// pings and pongs do not count); a client above it is closed with 4009 so that it cannot
    /// flood the others. A browser sends a few dozen while it connects to a full room.
    #[arg(long, env = "STUBE_MAX_MESSAGES_PER_SECOND", default_value = "50")]
    pub max_messages_per_second: NonZeroU32,

    /// Messages one connection may send at once above the per-second rate, before it is held to
    /// that rate.
    #[arg(long, env = "STUBE_MAX_MESSAGE_BURST", default_value = "200")]
    pub max_message_burst: NonZeroU32,

    /// Refused messages (malformed, or `join`/`signal` out of order) tolerated per connection; the
    /// next one closes it with 4006.
    #[arg(long, env = "STUBE_MAX_MALFORMED", default_value = "16")]
    pub max_malformed: usize,

    /// A STUN or TURN server handed to browsers, e.g. `stun:turn.example.org:3478` or
    /// `turn:turn.example.org:3478?transport=udp`. Repeat the flag (or separate by commas in the
    /// variable) for several. None by default: browsers then use host candidates only.
    #[arg(long, env = "STUBE_ICE_SERVERS", value_delimiter = ',')]
    pub ice_server: Vec<String>,

    /// A web origin besides this server's own whose pages may open `/ws`, e.g.
    /// `https://meet.example.org` when a reverse proxy passes on another `Host`. Repeat the flag
    /// (or separate by commas in the variable) for several. Without it, a WebSocket upgrade whose
    /// `Origin` is not the requested `Host` is refused with 403; one without `Origin` (not from a
    /// browser page) is allowed.
    #[arg(long, env = "STUBE_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origin: Vec<Origin>,

    /// A reverse proxy's address or network (CIDR, e.g. `127.0.0.1` or `10.0.0.0/8`): for
    /// connections from it, the per-address limits count the client named in `Forwarded` or
    /// `X-Forwarded-For` (the rightmost address that is not a trusted proxy). Repeat the flag (or
    /// separate by commas in the variable) for several. Without it those headers are ignored.
    #[arg(long, env = "STUBE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<TrustedProxy>,

    /// Tell browsers to connect through the TURN server only (`iceTransportPolicy: "relay"`), so
    /// that participants never learn each other's IP addresses. Needs a `turn:` or `turns:` server
    /// in `--ice-server`; the server refuses to start without one.
    #[arg(long, env = "STUBE_RELAY_ONLY", value_parser = clap::builder::BoolishValueParser::new())]
    pub relay_only: bool,

    /// Shared secret of the TURN server (coturn `static-auth-secret`); required for `turn:` URLs.
    /// Each welcome carries fresh time-limited credentials derived from it.
    #[arg(long, env = "STUBE_TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<Secret>,

    /// How long the TURN credentials in a welcome stay valid, at most 10m. Every welcome (every
    /// join and reconnect) carries fresh ones. Units: ms, s, m, h.
    #[arg(long, env = "STUBE_TURN_CREDENTIAL_TTL", default_value = "10m", value_parser = parse_turn_ttl)]
    pub turn_credential_ttl: Duration,

    /// TLS certificate chain (PEM) to serve https and wss with; needs --tls-key. The files are
    /// read again when they change (checked every 30 s) and on SIGHUP; open connections keep
    /// going. With TLS, responses carry HSTS.
    #[arg(
        long,
        env = "STUBE_TLS_CERT",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// Private key (PEM) of --tls-cert.
    #[arg(long, env = "STUBE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve https with a certificate made at start, for a trial on a LAN: browsers warn about
    /// it, and its fingerprint is printed to compare. Not for real use.
    #[arg(long, env = "STUBE_TLS_SELF_SIGNED", value_parser = clap::builder::BoolishValueParser::new())]
    pub tls_self_signed: bool,

    /// Address to serve Prometheus metrics on (`/metrics`: connections, rooms, relayed messages
    /// and bytes, refusals by reason; counts only). Off by default; keep it off the public
    /// network, e.g. `127.0.0.1:9090`.
    #[arg(long, env = "STUBE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// NATS server through which this instance shares rooms with every other instance connected
    /// to it, e.g. `nats://127.0.0.1:4222` (repeat the flag, or separate by commas, for the
    /// servers of a NATS cluster): the members of one meeting may then use different instances.
    /// Core publish/subscribe only; the broker stores nothing and sees keyed hashes of room ids
    /// and the sealed payloads, never a room id. Needs --nats-secret. Without it, this instance
    /// holds its rooms alone, in memory.
    #[arg(
        long,
        env = "STUBE_NATS",
        value_delimiter = ',',
        requires = "nats_secret"
    )]
    pub nats: Vec<String>,

    /// Secret shared by every instance on the same NATS (at least 16 characters, e.g. from
    /// `openssl rand -hex 32`): rooms are named on NATS by keyed hashes made with it.
    #[arg(
        long,
        env = "STUBE_NATS_SECRET",
        hide_env_values = true,
        requires = "nats"
    )]
    pub nats_secret: Option<Secret>,

    /// Log filter in `tracing` `EnvFilter` syntax, e.g. `info` or `signal_server=debug`.
    #[arg(long, env = "STUBE_LOG", default_value = "info")]
    pub log: String,

    #[command(flatten)]
    pub operator: crate::operator::Operator,
}

impl Config {
    /// Where the TLS certificate comes from, if TLS is on.
    pub fn certificate_source(&self) -> Option<CertificateSource> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(CertificateSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ if self.tls_self_signed => Some(CertificateSource::SelfSigned),
            _ => None,
        }
    }
}

/// A value that must never be logged; its `Debug` output is redacted.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Parses a positive duration such as `300ms`, `60s`, `5m` or `12h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` does not start with a number"))?;
    let duration = match unit.trim() {
        "ms" => Duration::from_millis(number),
        "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number.saturating_mul(60)),
        "h" => Duration::from_secs(number.saturating_mul(3600)),
        other => return Err(format!("unknown unit `{other}` (use ms, s, m or h)")),
    };
    if duration.is_zero() {
        Err("must be longer than zero".to_owned())
    } else {
        Ok(duration)
    }
}

/// Parses a TURN credential lifetime: a duration of at most [`MAX_TURN_CREDENTIAL_TTL`].
pub fn parse_turn_ttl(text: &str) -> Result<Duration, String> {
    let ttl = parse_duration(text)?;
    if ttl > MAX_TURN_CREDENTIAL_TTL {
        Err(format!(
            "`{text}` is too long: TURN credentials are valid for at most 10m (browsers get fresh \
             ones with every join)"
        ))
    } else {
        Ok(ttl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_reject_zero_and_garbage() {
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        for bad in ["0s", "s", "10", "10d", "-1s", ""] {
            assert!(parse_duration(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn defaults_match_the_documentation() {
        let config = Config::parse_from(["signal-server"]);
        assert_eq!(config.listen, "127.0.0.1:8080".parse().expect("address"));
        assert_eq!(config.max_message_size.get(), 64 * 1024);
        assert_eq!(config.max_peers_per_room.get(), 8);
        assert_eq!(config.max_groups_per_room.get(), 3);
        assert_eq!(config.max_connections_per_ip.get(), 32);
        assert_eq!(config.max_connections_per_ipv4_24.get(), 64);
        assert_eq!(config.max_connections_per_ipv6_56.get(), 64);
        assert_eq!(config.max_connections_per_ipv6_48.get(), 128);
        assert_eq!(config.max_joins_per_minute_per_ip.get(), 30);
        assert_eq!(config.max_joins_per_minute_per_network.get(), 120);
        assert_eq!(config.send_queue_bytes.get(), 256 * 1024);
        assert_eq!(config.send_budget_bytes.get(), 64 * 1024 * 1024);
        assert_eq!(config.max_messages_per_second.get(), 50);
        assert_eq!(config.max_message_burst.get(), 200);
        assert!(config.allowed_origin.is_empty());
        assert!(config.trusted_proxy.is_empty());
        assert_eq!(config.turn_credential_ttl, Duration::from_secs(600));
        assert_eq!(config.max_connections.get(), 10_000);
        assert_eq!(config.join_timeout, Duration::from_secs(10));
        assert_eq!(config.idle_timeout, Duration::from_secs(60));
        assert!(!config.relay_only);
        assert!(config.turn_secret.is_none());
    }

    #[test]
    fn tls_needs_both_files_or_the_self_signed_switch() {
        let files = Config::parse_from(["stube", "--tls-cert", "c.pem", "--tls-key", "k.pem"]);
        assert!(matches!(
            files.certificate_source(),
            Some(CertificateSource::Files { .. })
        ));
        let trial = Config::parse_from(["stube", "--tls-self-signed"]);
        assert!(matches!(
            trial.certificate_source(),
            Some(CertificateSource::SelfSigned)
        ));
        assert!(Config::parse_from(["stube"]).certificate_source().is_none());
        assert!(Config::try_parse_from(["stube", "--tls-cert", "c.pem"]).is_err());
        assert!(
            Config::try_parse_from([
                "stube",
                "--tls-cert",
                "c.pem",
                "--tls-key",
                "k.pem",
                "--tls-self-signed"
            ])
            .is_err()
        );
    }

    #[test]
    fn relay_only_is_a_switch() {
        assert!(Config::parse_from(["signal-server", "--relay-only"]).relay_only);
    }

    #[test]
    fn a_turn_credential_ttl_over_ten_minutes_is_a_clear_error() {
        for long in ["11m", "601s", "1h", "12h"] {
            let error = Config::try_parse_from(["signal-server", "--turn-credential-ttl", long])
                .expect_err(long)
                .to_string();
            assert!(
                error.contains("--turn-credential-ttl") && error.contains("at most 10m"),
                "{long}: {error}"
            );
        }
        for ok in ["10m", "600s", "30s"] {
            let config = Config::try_parse_from(["signal-server", "--turn-credential-ttl", ok]);
            assert!(config.is_ok(), "{ok}");
        }
    }

    #[test]
    fn allowed_origins_repeat_and_invalid_ones_are_refused() {
        let config = Config::parse_from([
            "signal-server",
            "--allowed-origin",
            "https://meet.example.org",
            "--allowed-origin",
            "http://localhost:8080/",
        ]);
        let origins: Vec<String> = config
            .allowed_origin
            .iter()
            .map(|o| o.to_string())
            .collect();
        assert_eq!(
            origins,
            ["https://meet.example.org", "http://localhost:8080"]
        );
        let error =
            Config::try_parse_from(["signal-server", "--allowed-origin", "meet.example.org"])
                .expect_err("no scheme")
                .to_string();
        assert!(error.contains("not an origin"), "{error}");
    }

    #[test]
    fn the_turn_secret_never_shows_in_debug_output() {
        let config = Config::parse_from(["signal-server", "--turn-secret", "hunter2"]);
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
