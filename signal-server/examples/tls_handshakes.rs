//! Benchmark client: `count` full TLS handshakes, one after the other, with a running `stube
//! --tls-self-signed`, trusting the certificate in `cert.pem` (what the server printed). Prints
//! the mean wall time per handshake; the caller reads the server's CPU time around it.
//!
//! ```text
//! cargo run --release -p signal-server --example tls_handshakes -- 127.0.0.1:8443 cert.pem 1000
//! ```

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let address = args.next().context("address")?;
    let pem = args.next().context("certificate file")?;
    let count: u32 = args.next().context("count")?.parse().context("count")?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(&pem).context("certificate")?)?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from("localhost")?;
    let started = Instant::now();
    let mut group = String::new();
    for _ in 0..count {
        let tcp = TcpStream::connect(&address).await?;
        let mut tls = connector.connect(name.clone(), tcp).await?;
        if group.is_empty() {
            group = format!(
                "{:?}",
                tls.get_ref()
                    .1
                    .negotiated_key_exchange_group()
                    .map(|g| g.name())
            );
        }
        tls.shutdown().await?;
    }
    let per = started.elapsed() / count;
    println!(
        "handshakes: {count}, mean {per:?} each (client and server on this machine), key exchange {group}"
    );
    Ok(())
}
