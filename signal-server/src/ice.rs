//! The ICE servers handed to browsers in every welcome, with time-limited TURN credentials, and
//! whether browsers must relay all media through TURN.
//!
//! TURN credentials follow coturn's REST shared-secret scheme (`use-auth-secret`): the username is
//! `<expiry unix time>:stube-<random>` and the credential is `base64(HMAC-SHA1(secret, username))`,
//! so the TURN server can check them without talking to this server, and they stop working on their
//! own, [`MAX_TURN_CREDENTIAL_TTL`] after the welcome at the latest. Every welcome (so every join,
//! and every reconnect) mints its own: the random part makes them differ even within one second.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use protocol::IceServer;
use rand::Rng as _;
use sha1::Sha1;

use crate::config::Secret;

/// A configured ICE server list that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum IceConfigError {
    #[error("ICE server `{0}` is not a stun:, stuns:, turn: or turns: URL")]
    UnknownScheme(String),
    #[error("TURN server `{0}` needs --turn-secret (browsers refuse TURN without credentials)")]
    TurnWithoutSecret(String),
    #[error(
        "--relay-only needs a turn: or turns: URL in --ice-server (without a TURN server to relay \
         through, browsers could never connect)"
    )]
    RelayOnlyWithoutTurn,
    #[error("--turn-credential-ttl is at most 10m (anyone who opens a socket gets credentials)")]
    TurnTtlTooLong,
}

/// The longest validity of the TURN credentials in a welcome. Anyone who can open a socket gets
/// credentials, so they must not outlive a reconnect for long; a browser gets fresh ones with
/// every welcome.
pub const MAX_TURN_CREDENTIAL_TTL: Duration = Duration::from_secs(10 * 60);

/// What a welcome says about ICE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IcePolicy {
    /// The browser's `iceServers`.
    pub servers: Vec<IceServer>,
    /// Whether the browser must use relay candidates only (`iceTransportPolicy: "relay"`).
    pub relay_only: bool,
}

/// STUN and TURN URLs from the configuration, grouped for the browser's `RTCIceServer` list.
#[derive(Debug, Clone)]
pub struct IceServers {
    stun: Vec<String>,
    turn: Vec<String>,
    secret: Option<Secret>,
    ttl: Duration,
    relay_only: bool,
}

/// The name in the username part of TURN credentials, before the random part.
const TURN_USER: &str = "stube";

impl IceServers {
    pub fn new(
        urls: &[String],
        secret: Option<Secret>,
        ttl: Duration,
        relay_only: bool,
    ) -> Result<Self, IceConfigError> {
        let (mut stun, mut turn) = (Vec::new(), Vec::new());
        for url in urls
            .iter()
            .map(|url| url.trim())
            .filter(|url| !url.is_empty())
        {
            if url.starts_with("stun:") || url.starts_with("stuns:") {
                stun.push(url.to_owned());
            } else if url.starts_with("turn:") || url.starts_with("turns:") {
                if secret.is_none() {
                    return Err(IceConfigError::TurnWithoutSecret(url.to_owned()));
                }
                turn.push(url.to_owned());
            } else {
                return Err(IceConfigError::UnknownScheme(url.to_owned()));
            }
        }
        if relay_only && turn.is_empty() {
            return Err(IceConfigError::RelayOnlyWithoutTurn);
        }
        if ttl > MAX_TURN_CREDENTIAL_TTL {
            return Err(IceConfigError::TurnTtlTooLong);
        }
        Ok(Self {
            stun,
            turn,
            secret,
            ttl,
            relay_only,
        })
    }

    /// The policy for one welcome, with TURN credentials of its own that expire `ttl` after `now`.
    pub fn for_welcome(&self, now: SystemTime) -> IcePolicy {
        let mut servers = Vec::with_capacity(2);
        if !self.stun.is_empty() {
            servers.push(IceServer {
                urls: self.stun.clone(),
                username: None,
                credential: None,
            });
        }
        if let (false, Some(secret)) = (self.turn.is_empty(), &self.secret) {
            let expiry = now.checked_add(self.ttl).unwrap_or(now);
            let user = format!("{TURN_USER}-{:016x}", rand::rng().random::<u64>());
            let (username, credential) = turn_credentials(secret.expose(), expiry, &user);
            servers.push(IceServer {
                urls: self.turn.clone(),
                username: Some(username),
                credential: Some(credential),
            });
        }
        IcePolicy {
            servers,
            relay_only: self.relay_only,
        }
    }
}

/// coturn REST credentials for `user` valid until `expiry`:
/// `("<unix>:<user>", base64(HMAC-SHA1(secret, username)))`.
pub fn turn_credentials(secret: &str, expiry: SystemTime, user: &str) -> (String, String) {
    let unix = expiry
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let username = format!("{unix}:{user}");
    // HMAC accepts keys of any length, so this never takes the error branch.
    let credential = match Hmac::<Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(username.as_bytes());
            BASE64.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    (username, credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_credentials_match_coturns_scheme() {
        // Computed independently: printf '1700000000:stube' | openssl dgst -sha1 -hmac secret -binary | base64
        let expiry = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let (user, credential) = turn_credentials("secret", expiry, "stube");
        assert_eq!(user, "1700000000:stube");
        assert_eq!(credential, TURN_VECTOR);
    }

    const TURN_VECTOR: &str = "XEuZopiH698l/S95kSWcvogPxuA=";

    #[test]
    fn stun_and_turn_are_grouped_and_only_turn_gets_credentials() {
        let urls = [
            "stun:a.example:3478".to_owned(),
            "turn:a.example:3478".to_owned(),
        ];
        let ice = IceServers::new(
            &urls,
            Some("s".parse().expect("secret")),
            Duration::from_secs(60),
            false,
        )
        .expect("valid");
        let IcePolicy {
            servers,
            relay_only,
        } = ice.for_welcome(UNIX_EPOCH);
        assert!(!relay_only);
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].username, None);
        let username = servers[1].username.as_deref().expect("a username");
        assert!(username.starts_with("60:stube-"), "{username}");
        assert!(servers[1].credential.is_some());
    }

    #[test]
    fn every_welcome_mints_its_own_credentials() {
        let ice = IceServers::new(
            &["turn:a.example:3478".to_owned()],
            Some("s".parse().expect("secret")),
            MAX_TURN_CREDENTIAL_TTL,
            false,
        )
        .expect("valid");
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let first = ice.for_welcome(now).servers;
        let second = ice.for_welcome(now).servers;
        assert_ne!(first[0].username, second[0].username);
        assert_ne!(first[0].credential, second[0].credential);
        for servers in [first, second] {
            let username = servers[0].username.as_deref().expect("a username");
            assert!(username.starts_with("1700000600:stube-"), "{username}");
            // The credential is coturn's for exactly this username.
            let user = username.split_once(':').map(|(_, user)| user).expect(":");
            let expected = turn_credentials("s", now + MAX_TURN_CREDENTIAL_TTL, user);
            assert_eq!(servers[0].credential.as_deref(), Some(expected.1.as_str()));
        }
    }

    #[test]
    fn a_ttl_over_ten_minutes_is_refused() {
        let secret = || Some("s".parse().expect("secret"));
        let urls = ["turn:x".to_owned()];
        let too_long = MAX_TURN_CREDENTIAL_TTL + Duration::from_secs(1);
        assert!(matches!(
            IceServers::new(&urls, secret(), too_long, false),
            Err(IceConfigError::TurnTtlTooLong)
        ));
        assert!(IceServers::new(&urls, secret(), MAX_TURN_CREDENTIAL_TTL, false).is_ok());
    }

    #[test]
    fn turn_without_a_secret_and_unknown_schemes_are_refused() {
        let ttl = Duration::from_secs(60);
        assert!(matches!(
            IceServers::new(&["turn:x".to_owned()], None, ttl, false),
            Err(IceConfigError::TurnWithoutSecret(_))
        ));
        assert!(matches!(
            IceServers::new(&["http://x".to_owned()], None, ttl, false),
            Err(IceConfigError::UnknownScheme(_))
        ));
    }

    #[test]
    fn relay_only_needs_a_turn_server() {
        let ttl = Duration::from_secs(60);
        let secret = || Some("s".parse().expect("secret"));
        for urls in [vec![], vec!["stun:x".to_owned()]] {
            assert!(matches!(
                IceServers::new(&urls, secret(), ttl, true),
                Err(IceConfigError::RelayOnlyWithoutTurn)
            ));
        }
        let ice = IceServers::new(&["turns:x".to_owned()], secret(), ttl, true).expect("valid");
        assert!(ice.for_welcome(UNIX_EPOCH).relay_only);
    }
}
