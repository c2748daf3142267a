//! A real NATS server for the tests: Debian's `nats-server` (`STUBE_NATS_SERVER`) on a free
//! loopback port inside the test's network namespace, killed on drop; and a tap that keeps
//! every message published on it, to show what the broker sees.

use anyhow::{Context, Result, bail};
use futures_util::StreamExt as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// A running `nats-server`; killed when dropped.
pub struct NatsServer {
    process: Child,
    address: SocketAddr,
}

impl NatsServer {
    /// Starts `nats-server` on `127.0.0.1:<free port>` (core NATS, nothing stored) and waits
    /// until it accepts connections.
    pub fn start() -> Result<Self> {
        let binary = std::env::var_os("STUBE_NATS_SERVER")
            .map_or_else(|| PathBuf::from("/usr/sbin/nats-server"), PathBuf::from);
        let address = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("could not find a free port for NATS")?;
        let process = Command::new(&binary)
            .args(["--addr", "127.0.0.1", "--port", &address.port().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", binary.display()))?;
        let server = Self { process, address };
        server.wait_until_listening()?;
        Ok(server)
    }

    /// `nats://127.0.0.1:<port>`, for `--nats`.
    pub fn url(&self) -> String {
        format!("nats://{}", self.address)
    }

    fn wait_until_listening(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(self.address).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("nats-server did not listen on {} within 10 s", self.address)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A subscriber to every subject, keeping each message's subject and payload.
pub struct NatsTap {
    recorded: Arc<Mutex<Vec<u8>>>,
    task: JoinHandle<()>,
}

impl NatsTap {
    /// Subscribes to `>` on the server at `url` (and has the subscription confirmed).
    pub async fn start(url: &str) -> Result<Self> {
        let client = async_nats::connect(url)
            .await
            .context("the tap could not connect to NATS")?;
        let mut messages = client.subscribe(">").await?;
        client.flush().await?;
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let sink = recorded.clone();
        let task = tokio::spawn(async move {
            let _client = client; // the subscription lives as long as its client
            while let Some(message) = messages.next().await {
                let mut kept = sink.lock().unwrap_or_else(PoisonError::into_inner);
                kept.extend_from_slice(message.subject.as_bytes());
                kept.push(b' ');
                kept.extend_from_slice(&message.payload);
                kept.push(b'\n');
            }
        });
        Ok(Self { recorded, task })
    }

    /// Every subject and payload seen so far, one message per line.
    pub fn recorded(&self) -> Vec<u8> {
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for NatsTap {
    fn drop(&mut self) {
        self.task.abort();
    }
}
