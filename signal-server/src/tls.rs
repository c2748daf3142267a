//! TLS built in (rustls with aws-lc-rs, TLS 1.2 and 1.3, post-quantum hybrid key exchange preferred): a certificate from PEM files, reloaded when the files
//! change or on SIGHUP, or a self-signed one made at start for a trial on a LAN.
//!
//! [`TlsListener`] accepts TCP connections and runs each handshake in a task of its own, with a
//! deadline and a cap on handshakes in flight, so a slow or silent client never holds up the
//! next; finished handshakes are handed to `axum::serve`. Each handshake asks [`CurrentCert`] for
//! the certificate, so a reload applies to new connections and leaves open ones alone.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use sha2::{Digest as _, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Time a client gets to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes in flight at once; further connections wait in the kernel's accept queue.
const MAX_HANDSHAKES: usize = 256;
/// How often the certificate files are checked for a change.
const RELOAD_CHECK: Duration = Duration::from_secs(30);

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the certificate chain {}", .0.display())]
    Certificates(PathBuf, #[source] rustls::pki_types::pem::Error),
    #[error("{} holds no certificate", .0.display())]
    NoCertificate(PathBuf),
    #[error("cannot read the private key {}", .0.display())]
    Key(PathBuf, #[source] rustls::pki_types::pem::Error),
    #[error("the private key is not usable by TLS")]
    UnusableKey(#[source] rustls::Error),
    #[error("cannot make a self-signed certificate")]
    SelfSigned(#[from] rcgen::Error),
}

/// Where the certificate comes from.
#[derive(Debug, Clone)]
pub enum CertificateSource {
    /// A PEM certificate chain and its PEM private key, read again when they change.
    Files { cert: PathBuf, key: PathBuf },
    /// Made at start for `localhost` and the listen address.
    SelfSigned,
}

/// A self-signed certificate's public facts, for the operator to trust it.
#[derive(Debug, Clone)]
pub struct SelfSignedCertificate {
    pub pem: String,
    /// SHA-256 of the certificate, as colon-separated hex (what browsers show).
    pub fingerprint: String,
    /// SHA-256 of its public key info, base64 (what `--ignore-certificate-errors-spki-list` takes).
    pub spki_sha256: String,
}

/// TLS for the server: the acceptor and, for a self-signed certificate, its facts.
#[derive(Clone)]
pub struct Tls {
    acceptor: TlsAcceptor,
    current: Arc<CurrentCert>,
    source: CertificateSource,
    pub self_signed: Option<SelfSignedCertificate>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("source", &self.source).finish()
    }
}

impl Tls {
    /// Loads or makes the certificate; `listen` names the address a self-signed one is for.
    pub fn new(source: CertificateSource, listen: SocketAddr) -> Result<Self, TlsError> {
        let (key, self_signed) = match &source {
            CertificateSource::Files { cert, key } => (load(cert, key)?, None),
            CertificateSource::SelfSigned => {
                let (key, facts) = self_signed(listen.ip())?;
                (key, Some(facts))
            }
        };
        let current = Arc::new(CurrentCert(RwLock::new(Arc::new(key))));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::UnusableKey)?
            .with_no_client_auth()
            .with_cert_resolver(current.clone());
        // HTTP/1.1 only: the WebSocket upgrade on `/ws` is an HTTP/1.1 mechanism.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            current,
            source,
            self_signed,
        })
    }

    /// Reads the certificate files again; on failure the current certificate stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        if let CertificateSource::Files { cert, key } = &self.source {
            let fresh = load(cert, key)?;
            *self
                .current
                .0
                .write()
                .unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
        }
        Ok(())
    }

    /// Reloads the certificate files on SIGHUP and whenever their modification times change,
    /// until the returned task is aborted.
    pub fn watch(&self) -> tokio::task::JoinHandle<()> {
        let tls = self.clone();
        tokio::spawn(async move {
            let CertificateSource::Files { cert, key } = &tls.source else {
                return;
            };
            let mut seen = modified(cert, key);
            let mut hangup = hangup_signals();
            let mut check = tokio::time::interval(RELOAD_CHECK);
            loop {
                tokio::select! {
                    _ = check.tick() => {
                        let now = modified(cert, key);
                        if now == seen {
                            continue;
                        }
                        seen = now;
                    }
                    () = next_hangup(&mut hangup) => {}
                }
                match tls.reload() {
                    Ok(()) => tracing::info!("reloaded the TLS certificate"),
                    Err(error) => tracing::warn!(
                        error = %error_chain(&error),
                        "cannot reload the TLS certificate; keeping the current one"
                    ),
                }
            }
        })
    }

    /// A listener that hands out connections whose TLS handshake is done.
    pub fn listen(&self, tcp: TcpListener) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (done, accepted) = mpsc::channel(MAX_HANDSHAKES);
        tokio::spawn(accept_loop(tcp, self.acceptor.clone(), done));
        Ok(TlsListener { accepted, local })
    }
}

/// The certificate every new handshake gets.
#[derive(Debug)]
struct CurrentCert(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for CurrentCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.0
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }
}

/// Connections past their handshake, for `axum::serve`.
#[derive(Debug)]
pub struct TlsListener {
    accepted: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(connection) => connection,
            // The accept loop only ends when the socket is unusable: accept nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Accepts TCP connections and runs their handshakes until the listener is dropped.
async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    done: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(slot) = handshakes.clone().acquire_owned().await else {
            return;
        };
        let (stream, client) = tokio::select! {
            () = done.closed() => return,
            accepted = tcp.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, typically: wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let acceptor = acceptor.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
            drop(slot);
            match handshake {
                Ok(Ok(stream)) => {
                    let _ = done.send((stream, client)).await;
                }
                Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        });
    }
}

fn load(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|error| TlsError::Certificates(cert.to_owned(), error))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(cert.to_owned()));
    }
    let private =
        PrivateKeyDer::from_pem_file(key).map_err(|error| TlsError::Key(key.to_owned(), error))?;
    certified(chain, &private)
}

fn certified(
    chain: Vec<CertificateDer<'static>>,
    key: &PrivateKeyDer<'_>,
) -> Result<CertifiedKey, TlsError> {
    let signing =
        rustls::crypto::aws_lc_rs::sign::any_supported_type(key).map_err(TlsError::UnusableKey)?;
    Ok(CertifiedKey::new(chain, signing))
}

/// A certificate for `localhost` (and `ip` unless it is unspecified) made now.
fn self_signed(ip: IpAddr) -> Result<(CertifiedKey, SelfSignedCertificate), TlsError> {
    use rcgen::PublicKeyData as _;
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !ip.is_unspecified() && !ip.is_loopback() {
        names.push(ip.to_string());
    }
    let made = rcgen::generate_simple_self_signed(names)?;
    let facts = SelfSignedCertificate {
        pem: made.cert.pem(),
        fingerprint: Sha256::digest(made.cert.der())
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
        spki_sha256: BASE64.encode(Sha256::digest(made.signing_key.subject_public_key_info())),
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    Ok((certified(vec![made.cert.der().clone()], &key)?, facts))
}

fn modified(cert: &Path, key: &Path) -> (Option<SystemTime>, Option<SystemTime>) {
    let time = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    (time(cert), time(key))
}

#[cfg(unix)]
fn hangup_signals() -> Option<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}

#[cfg(not(unix))]
fn hangup_signals() -> Option<()> {
    None
}

#[cfg(unix)]
async fn next_hangup(signals: &mut Option<tokio::signal::unix::Signal>) {
    let received = match signals {
        Some(signals) => signals.recv().await.is_some(),
        None => false,
    };
    if !received {
        std::future::pending::<()>().await;
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Option<()>) {
    std::future::pending().await
}

/// An error and its sources on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn a_self_signed_certificate_names_its_hashes() {
        let tls = Tls::new(
            CertificateSource::SelfSigned,
            "127.0.0.1:0".parse().expect("addr"),
        )
        .expect("made");
        let facts = tls.self_signed.expect("facts");
        assert!(facts.pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(facts.fingerprint.len(), 32 * 3 - 1);
        assert_eq!(BASE64.decode(&facts.spki_sha256).expect("base64").len(), 32);
    }

    #[test]
    fn files_load_and_reload_and_a_bad_file_keeps_the_old_certificate() {
        let dir = tempfile::tempdir().expect("dir");
        let first = rcgen::generate_simple_self_signed(vec!["a.example".to_owned()]).expect("a");
        let cert = write(dir.path(), "cert.pem", &first.cert.pem());
        let key = write(dir.path(), "key.pem", &first.signing_key.serialize_pem());
        let source = CertificateSource::Files {
            cert: cert.clone(),
            key: key.clone(),
        };
        let tls = Tls::new(source, "127.0.0.1:0".parse().expect("addr")).expect("loads");
        let served = || tls.current.0.read().expect("lock").cert[0].clone();
        assert_eq!(&served(), first.cert.der());

        let second = rcgen::generate_simple_self_signed(vec!["b.example".to_owned()]).expect("b");
        write(dir.path(), "cert.pem", &second.cert.pem());
        write(dir.path(), "key.pem", &second.signing_key.serialize_pem());
        tls.reload().expect("reloads");
        assert_eq!(&served(), second.cert.der());

        write(dir.path(), "cert.pem", "not a certificate");
        assert!(matches!(tls.reload(), Err(TlsError::NoCertificate(_))));
        assert_eq!(&served(), second.cert.der(), "the old certificate stays");
    }

    #[test]
    fn a_missing_key_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("dir");
        let made = rcgen::generate_simple_self_signed(vec!["a.example".to_owned()]).expect("a");
        let cert = write(dir.path(), "cert.pem", &made.cert.pem());
        let source = CertificateSource::Files {
            cert,
            key: dir.path().join("missing.pem"),
        };
        let error = Tls::new(source, "127.0.0.1:0".parse().expect("addr")).expect_err("no key");
        assert!(error.to_string().contains("missing.pem"), "{error}");
    }
}
