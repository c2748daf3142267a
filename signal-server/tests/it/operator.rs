//! `/operator.json`: the operator's details and the TURN facts the app's privacy notice and
//! imprint show, from a real server's configuration.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};

use clap::Parser as _;
use signal_server::Config;
use tokio::time::timeout;

use crate::support::{PATIENCE, TestServer};

/// A plain HTTP/1.1 GET: the response's head (lowercased) and body.
async fn get(addr: SocketAddr, path: &'static str) -> (String, String) {
    let read = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        response
    });
    let response = timeout(PATIENCE, read)
        .await
        .expect("an answer in time")
        .expect("reader");
    let (head, body) = response.split_once("\r\n\r\n").expect("head and body");
    (head.to_ascii_lowercase(), body.to_owned())
}

#[tokio::test]
async fn operator_json_states_the_configured_operator_and_turn_hosts() {
    let flags = Config::parse_from([
        "signal-server",
        "--operator-name",
        "Verein Beispiel e. V.",
        "--operator-address",
        "Hauptstraße 1\\n12345 Musterstadt",
        "--operator-contact",
        "kontakt@example.org",
        "--ice-server",
        "stun:stun.example.org:3478",
        "--ice-server",
        "turns:turn.example.org:5349",
        "--turn-secret",
        "hunter2",
        "--relay-only",
    ]);
    let server = TestServer::with(|config| {
        config.operator = flags.operator;
        config.ice_server = flags.ice_server;
        config.turn_secret = flags.turn_secret;
        config.relay_only = flags.relay_only;
    })
    .await;
    let (head, body) = get(server.addr, "/operator.json").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("cache-control: no-cache"), "{head}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({
            "name": "Verein Beispiel e. V.",
            "address": "Hauptstraße 1\n12345 Musterstadt",
            "contact": "kontakt@example.org",
            "privacy_officer": null,
            "turn": ["turn.example.org"],
            "relay_only": true,
        })
    );
    assert!(!body.contains("hunter2"), "a secret in {body}");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn an_unconfigured_operator_is_null_not_invented() {
    let server = TestServer::start().await;
    let (head, body) = get(server.addr, "/operator.json").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    for field in ["name", "address", "contact", "privacy_officer"] {
        assert_eq!(json[field], serde_json::Value::Null, "{field} in {body}");
    }
    assert_eq!(json["turn"], serde_json::json!([]));
    assert_eq!(json["relay_only"], false);
    server.stop().await.expect("clean stop");
}
