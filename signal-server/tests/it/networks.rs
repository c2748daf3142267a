//! Connections are limited per network besides per address, so that one network cannot take the
//! server's connections or rooms. Loopback addresses stand in for networks: 127.0.0.x is one IPv4
//! /24, 127.0.1.x another. (IPv6 prefixes are unit-tested with synthetic addresses.)

use std::net::IpAddr;

use protocol::{CloseCode, ServerMessage};
use tokio::time::timeout;

use crate::limits::nonzero;
use crate::support::{
    Client, PATIENCE, TestServer, admission, expected, join_message, loopback, room,
};

/// Connects from `source` until the server stops refusing with 4003 (a slot is released only when
/// the server notices that a client went away).
async fn connect_eventually(server: &TestServer, source: IpAddr) -> Client {
    let attempts = async {
        loop {
            let mut client = server.client_from(source).await;
            client.send(&protocol::ClientMessage::Ping).await;
            match client.closed_or_message().await {
                Ok(ServerMessage::Pong) => return client,
                Ok(other) => panic!("expected a pong, got {other:?}"),
                Err(code) => assert_eq!(code, CloseCode::TooManyConnections.code()),
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    timeout(PATIENCE, attempts)
        .await
        .expect("the slot was released in time")
}

#[tokio::test]
async fn connections_per_ipv4_24_are_limited_across_its_addresses() {
    let server = TestServer::with(|config| {
        config.max_connections_per_ip = nonzero(2);
        config.max_connections_per_ipv4_24 = nonzero(3);
    })
    .await;
    let mut a = server.client_from(loopback(0, 2)).await;
    let mut b = server.client_from(loopback(0, 2)).await;
    let mut c = server.client_from(loopback(0, 3)).await;
    // A fourth from the same /24, from an address that has none yet.
    let mut d = server.client_from(loopback(0, 4)).await;
    assert_eq!(
        d.closed().await.code_and_reason(),
        expected(CloseCode::TooManyConnections)
    );
    // Another /24 is not affected.
    let mut e = server.client_from(loopback(1, 2)).await;
    e.join(&room(1)).await;
    for client in [&mut a, &mut b, &mut c] {
        client.expect_nothing_queued().await;
    }
    drop(c);
    connect_eventually(&server, loopback(0, 4)).await;
}

#[tokio::test]
async fn a_flood_from_one_network_does_not_stop_another_network_from_joining() {
    let server = TestServer::with(|config| {
        config.max_connections = nonzero(12);
        config.max_rooms = nonzero(10);
        config.max_connections_per_ipv4_24 = nonzero(8);
    })
    .await;
    // Thirty addresses of one /24 each open a connection and a room of their own.
    let mut flood = Vec::new();
    let mut refused = 0;
    for n in 0..30u8 {
        let mut client = server.client_from(loopback(0, 2 + n)).await;
        client.send(&join_message(&room(n), &admission(n))).await;
        match client.closed_or_message().await {
            Ok(ServerMessage::Welcome { .. }) => flood.push(client),
            Ok(other) => panic!("expected a welcome, got {other:?}"),
            Err(code) => {
                assert_eq!(code, CloseCode::TooManyConnections.code());
                refused += 1;
            }
        }
    }
    assert_eq!(
        (flood.len(), refused),
        (8, 22),
        "the /24 holds 8 connections"
    );
    // Two people from other networks still meet, in a room of their own.
    let mut alice = server.client_from(loopback(1, 2)).await;
    let (alice_id, _) = alice.join(&room(100)).await;
    let mut bob = server.client_from(loopback(2, 2)).await;
    let (_, peers) = bob.join(&room(100)).await;
    assert_eq!(peers, [alice_id]);
    for client in &mut flood {
        client.expect_nothing_queued().await;
    }
}
