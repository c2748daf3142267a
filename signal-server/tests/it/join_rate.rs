//! Joins are rate-limited per address and per network; one more is closed with 4007, which clients
//! retry later.

use std::net::IpAddr;

use protocol::CloseCode;

use crate::support::{TestServer, admission, expected, join_message, loopback, room};

fn per_minute(n: u32) -> std::num::NonZeroU32 {
    n.try_into().expect("nonzero")
}

/// Joins from `source`, then leaves.
async fn join_and_leave(server: &TestServer, source: IpAddr, n: u8) {
    let mut client = server.client_from(source).await;
    client.join(&room(n)).await;
}

async fn expect_too_many_joins(server: &TestServer, source: IpAddr) {
    let mut client = server.client_from(source).await;
    client.send(&join_message(&room(99), &admission(1))).await;
    assert_eq!(
        client.closed().await.code_and_reason(),
        expected(CloseCode::TooManyJoins)
    );
}

#[tokio::test]
async fn joins_per_address_are_rate_limited() {
    let server =
        TestServer::with(|config| config.max_joins_per_minute_per_ip = per_minute(3)).await;
    // Reconnecting does not reset the count.
    for n in 0..3 {
        join_and_leave(&server, loopback(0, 2), n).await;
    }
    expect_too_many_joins(&server, loopback(0, 2)).await;
    expect_too_many_joins(&server, loopback(0, 2)).await;
    // Another address of the same network still joins.
    join_and_leave(&server, loopback(0, 3), 1).await;
}

#[tokio::test]
async fn joins_per_network_are_rate_limited() {
    let server =
        TestServer::with(|config| config.max_joins_per_minute_per_network = per_minute(3)).await;
    for host in 2..5 {
        join_and_leave(&server, loopback(0, host), host).await;
    }
    expect_too_many_joins(&server, loopback(0, 5)).await;
    // Another network still joins.
    join_and_leave(&server, loopback(1, 2), 1).await;
}
