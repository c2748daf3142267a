//! Configurations that cannot work are refused at startup, with a message saying why.

use std::time::Duration;

use clap::Parser as _;
use signal_server::{Config, IceConfigError, MAX_TURN_CREDENTIAL_TTL, ServeError, serve};
use tokio::net::TcpListener;
use tokio::time::timeout;

use crate::support::{PATIENCE, config};

#[tokio::test]
async fn relay_only_without_a_turn_server_refuses_to_start() {
    for ice_server in [vec![], vec!["stun:turn.example.org:3478".to_owned()]] {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let config = config(|config| {
            config.relay_only = true;
            config.ice_server = ice_server;
            config.turn_secret = Some("secret".parse().expect("secret"));
        });
        let served = timeout(
            PATIENCE,
            serve(config, listener, None, std::future::pending()),
        )
        .await
        .expect("serve returns at once");
        let Err(ServeError::Ice(error)) = served else {
            panic!("expected an ICE configuration error, got {served:?}")
        };
        assert!(matches!(error, IceConfigError::RelayOnlyWithoutTurn));
        let message = error.to_string();
        assert!(
            message.contains("--relay-only") && message.contains("turn:"),
            "unclear message: {message}"
        );
    }
}

#[tokio::test]
async fn turn_credentials_valid_for_more_than_ten_minutes_are_refused() {
    // On the command line (or in the environment), with a message naming the flag and the bound.
    let error = Config::try_parse_from(["signal-server", "--turn-credential-ttl", "12h"])
        .expect_err("12h is refused")
        .to_string();
    assert!(
        error.contains("--turn-credential-ttl") && error.contains("at most 10m"),
        "unclear message: {error}"
    );
    // And by `serve`, for a configuration built in code.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let config = config(|config| {
        config.ice_server = vec!["turn:turn.example.org:3478".to_owned()];
        config.turn_secret = Some("secret".parse().expect("secret"));
        config.turn_credential_ttl = MAX_TURN_CREDENTIAL_TTL + Duration::from_secs(1);
    });
    let served = timeout(
        PATIENCE,
        serve(config, listener, None, std::future::pending()),
    )
    .await
    .expect("serve returns at once");
    assert!(
        matches!(served, Err(ServeError::Ice(IceConfigError::TurnTtlTooLong))),
        "{served:?}"
    );
}

#[tokio::test]
async fn a_short_nats_secret_or_an_unreachable_nats_server_refuses_to_start() {
    let unreachable = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    for (secret, nats) in [
        ("short", "nats://127.0.0.1:4222".to_owned()),
        (
            "a secret of thirty-two characters",
            format!("nats://{unreachable}"),
        ),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let config = config(|config| {
            config.nats = vec![nats];
            config.nats_secret = Some(secret.parse().expect("secret"));
        });
        let served = timeout(
            PATIENCE,
            serve(config, listener, None, std::future::pending()),
        )
        .await
        .expect("serve returns in time");
        let message = match served {
            Err(error @ (ServeError::WeakNatsSecret | ServeError::Bus(_))) => error.to_string(),
            other => panic!("expected a NATS configuration error, got {other:?}"),
        };
        assert!(message.contains("NATS"), "unclear message: {message}");
    }
}
