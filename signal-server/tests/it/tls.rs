//! TLS built in: the real binary started with `--tls-self-signed` prints its certificate, and a
//! client trusting exactly that certificate fetches the app over https (with HSTS) and joins a room
//! over wss.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::support::{Client, room};

/// The server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `stube --tls-self-signed` on a free loopback port; returns it, its address and the
/// certificate it printed.
fn start_self_signed() -> (Server, std::net::SocketAddr, CertificateDer<'static>) {
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stube"))
        .args(["--tls-self-signed", "--listen", &address.to_string()])
        .args(["--static-dir", "/nonexistent"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut pem = String::new();
    let mut spki = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(hash) = line.strip_prefix("TLS public key SHA-256 (SPKI): ") {
            spki = Some(hash.to_owned());
        }
        if line.starts_with("-----BEGIN") || !pem.is_empty() {
            pem.push_str(&line);
            pem.push('\n');
        }
        if line.starts_with("-----END CERTIFICATE") {
            break;
        }
    }
    assert!(
        spki.is_some_and(|hash| hash.len() == 44),
        "the SPKI hash is printed"
    );
    let certificate =
        CertificateDer::from_pem_slice(pem.as_bytes()).expect("a printed certificate");
    (server, address, certificate)
}

/// A TLS connection to `address` that trusts only `certificate`, once the server listens.
async fn connect(
    address: std::net::SocketAddr,
    certificate: &CertificateDer<'static>,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(certificate.clone())
        .expect("a usable certificate");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    // The server prints its certificate after it bound its port: it listens by now.
    let tcp = TcpStream::connect(address).await.expect("connect");
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .expect("the handshake succeeds with the printed certificate")
}

#[tokio::test]
async fn the_self_signed_server_serves_https_with_hsts_and_wss() {
    let (_server, address, certificate) = tokio::task::spawn_blocking(start_self_signed)
        .await
        .expect("started");

    let mut https = connect(address, &certificate).await;
    https
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("request");
    let mut response = String::new();
    https.read_to_string(&mut response).await.expect("response");
    let lower = response.to_ascii_lowercase();
    assert!(lower.starts_with("http/1.1 200"), "{response}");
    assert!(
        lower.contains("strict-transport-security: max-age=31536000"),
        "{response}"
    );

    let wss = connect(address, &certificate).await;
    let (ws, _) =
        tokio_tungstenite::client_async(format!("wss://localhost:{}/ws", address.port()), wss)
            .await
            .expect("the WebSocket upgrade over TLS");
    let mut client = Client::from_stream(ws);
    let (_, peers) = client.join(&room(1)).await;
    assert!(peers.is_empty());
    client.expect_nothing_queued().await;
}
