//! `/ws` refuses pages of other origins with 403 before upgrading; the serving host, listed
//! origins and clients that send no `Origin` (not browsers) are allowed.

use std::net::SocketAddr;

use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::support::{Client, TestServer};

/// Opens `/ws` with this `Origin` header (or none); on success, checks that the socket answers a
/// ping. `Err` is the HTTP status of a refused upgrade.
async fn open_with_origin(addr: SocketAddr, origin: Option<&str>) -> Result<(), u16> {
    open_path_with_origin(addr, "/ws", origin).await
}

/// Opens `path` with this `Origin` header (or none), as [`open_with_origin`] does `/ws`.
pub async fn open_path_with_origin(
    addr: SocketAddr,
    path: &str,
    origin: Option<&str>,
) -> Result<(), u16> {
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .expect("request");
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).expect("header"));
    }
    Client::open(addr, request)
        .await?
        .expect_nothing_queued()
        .await;
    Ok(())
}

#[tokio::test]
async fn a_page_of_another_origin_is_refused_with_403() {
    let server = TestServer::start().await;
    let port = server.addr.port();
    for origin in [
        "https://evil.example".to_owned(),
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{}", port + 1),
        format!("https://127.0.0.1.evil.example:{port}"),
        "null".to_owned(),
    ] {
        assert_eq!(
            open_with_origin(server.addr, Some(&origin)).await,
            Err(403),
            "{origin}"
        );
    }
}

#[tokio::test]
async fn a_page_served_by_this_host_connects() {
    let server = TestServer::start().await;
    let origin = format!("http://{}", server.addr);
    assert_eq!(open_with_origin(server.addr, Some(&origin)).await, Ok(()));
    let upper = format!("HTTP://{}", server.addr);
    assert_eq!(open_with_origin(server.addr, Some(&upper)).await, Ok(()));
}

#[tokio::test]
async fn listed_origins_connect_and_others_still_do_not() {
    let server = TestServer::with(|config| {
        config.allowed_origin = vec![
            "https://meet.example.org".parse().expect("origin"),
            "http://localhost:3000".parse().expect("origin"),
        ];
    })
    .await;
    for origin in ["https://meet.example.org", "http://localhost:3000"] {
        assert_eq!(
            open_with_origin(server.addr, Some(origin)).await,
            Ok(()),
            "{origin}"
        );
    }
    let own = format!("http://{}", server.addr);
    assert_eq!(open_with_origin(server.addr, Some(&own)).await, Ok(()));
    assert_eq!(
        open_with_origin(server.addr, Some("https://evil.example")).await,
        Err(403)
    );
}

#[tokio::test]
async fn a_client_without_origin_connects() {
    let server = TestServer::start().await;
    assert_eq!(open_with_origin(server.addr, None).await, Ok(()));
}

#[tokio::test]
async fn refused_upgrades_take_no_connection_slot() {
    let server =
        TestServer::with(|config| config.max_connections = 1.try_into().expect("nonzero")).await;
    for _ in 0..5 {
        assert_eq!(
            open_with_origin(server.addr, Some("https://evil.example")).await,
            Err(403)
        );
    }
    assert_eq!(open_with_origin(server.addr, None).await, Ok(()));
}
