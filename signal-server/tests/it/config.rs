//! Configurations that cannot work are refused at startup, with a message saying why.

use signal_server::{IceConfigError, ServeError, serve};
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
        let served = timeout(PATIENCE, serve(config, listener, std::future::pending()))
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
