//! A recording TCP proxy between the browsers and the server: it forwards every byte both ways
//! and keeps a copy of what the server sent on signalling sockets (`GET /ws`). Server-to-client
//! WebSocket frames are not masked, so every payload the server relayed appears in the copy as
//! sent. New connections may be sent to another server ([`RecordingProxy::redirect`]), as a load
//! balancer does when a server dies.

use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct RecordingProxy {
    address: SocketAddr,
    upstream: Arc<Mutex<SocketAddr>>,
    recorded: Arc<Mutex<Vec<u8>>>,
    accept_loop: JoinHandle<()>,
}

impl RecordingProxy {
    /// Listens on a free loopback port and forwards every connection to `server`.
    pub async fn start(server: SocketAddr) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("could not bind the proxy")?;
        let address = listener.local_addr()?;
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let upstream = Arc::new(Mutex::new(server));
        let sink = recorded.clone();
        let target = upstream.clone();
        let accept_loop = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = target.lock().map(|server| *server) else {
                    return;
                };
                tokio::spawn(forward(client, server, sink.clone()));
            }
        });
        Ok(Self {
            address,
            upstream,
            recorded,
            accept_loop,
        })
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Sends new connections to `server` from now on; open ones stay where they are.
    pub fn redirect(&self, server: SocketAddr) {
        if let Ok(mut upstream) = self.upstream.lock() {
            *upstream = server;
        }
    }

    /// Everything the server has sent on signalling sockets so far.
    pub fn recorded(&self) -> Vec<u8> {
        self.recorded
            .lock()
            .map(|bytes| bytes.clone())
            .unwrap_or_default()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn forward(mut client: TcpStream, server: SocketAddr, sink: Arc<Mutex<Vec<u8>>>) {
    let Ok(mut upstream) = TcpStream::connect(server).await else {
        return;
    };
    let mut first = vec![0; 16 * 1024];
    let Ok(read) = client.read(&mut first).await else {
        return;
    };
    let is_signalling = first[..read].starts_with(b"GET /ws");
    if upstream.write_all(&first[..read]).await.is_err() {
        return;
    }
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let to_server = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut upstream_write).await;
        let _ = upstream_write.shutdown().await;
    });
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(read) = upstream_read.read(&mut buffer).await {
        if read == 0 || client_write.write_all(&buffer[..read]).await.is_err() {
            break;
        }
        if let (true, Ok(mut recorded)) = (is_signalling, sink.lock()) {
            recorded.extend_from_slice(&buffer[..read]);
        }
    }
    let _ = client_write.shutdown().await;
    to_server.abort();
}
