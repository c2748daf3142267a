//! Graceful shutdown closes every socket with GoingAway and returns.

use protocol::CloseCode;

use crate::support::{TestServer, expected, room};

#[tokio::test]
async fn shutdown_closes_every_socket_with_going_away() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    let mut b = server.client().await;
    a.join(&room(1)).await;
    b.expect_nothing_queued().await; // connected, not joined
    let stopped = tokio::spawn(server.stop());
    assert_eq!(
        a.closed().await.code_and_reason(),
        expected(CloseCode::GoingAway)
    );
    assert_eq!(
        b.closed().await.code_and_reason(),
        expected(CloseCode::GoingAway)
    );
    stopped.await.expect("stop task").expect("serve returns Ok");
}
