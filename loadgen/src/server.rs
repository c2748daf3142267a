//! The signal-server under test: the release binary started as a child process on a free
//! loopback port, watched through `/proc` and `/healthz`, and killed when dropped.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use crate::procfs;

/// How the server is configured for a run.
#[derive(Debug, Clone, Copy)]
pub enum Limits {
    /// Raised for measurement: `connections` in total, no per-network, join-rate or per-sender
    /// message-rate limit in the way; the per-address cap stays at [`PER_ADDRESS_CAP`].
    Raised { connections: usize },
    /// The defaults, as an operator would run it (only the join timeout is shortened).
    Defaults,
}

/// Connections one address may hold on a server with [`Limits::Raised`].
pub const PER_ADDRESS_CAP: usize = 64;

/// A running server; killed on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `binary` with `limits` and waits until it answers `/healthz`.
    pub fn start(
        binary: &Path,
        limits: Limits,
        join_timeout: Duration,
        extra: &[String],
    ) -> Result<Self> {
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("finding a free port")?;
        let mut command = Command::new(binary);
        command
            .arg("--listen")
            .arg(addr.to_string())
            // No app to serve: the server then answers 503 for pages, and /ws works as always.
            .arg("--static-dir")
            .arg(std::env::temp_dir().join("loadgen-serves-no-app"))
            .arg("--join-timeout")
            .arg(format!("{}ms", join_timeout.as_millis()));
        if let Limits::Raised { connections } = limits {
            let many = "1000000";
            let connections = connections.to_string();
            command.args([
                "--max-connections",
                &connections,
                "--max-rooms",
                &connections,
                "--max-connections-per-ip",
                &PER_ADDRESS_CAP.to_string(),
                "--max-connections-per-ipv4-24",
                many,
                "--max-joins-per-minute-per-ip",
                many,
                "--max-joins-per-minute-per-network",
                many,
                // Throughput pairs send far above a browser's 50 messages a second.
                "--max-messages-per-second",
                many,
                "--max-message-burst",
                many,
            ]);
        }
        command
            .args(extra)
            .env("STUBE_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut server = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.healthy() {
            if Instant::now() > deadline {
                bail!("the server did not answer /healthz within 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn resident_kib(&self) -> Result<u64> {
        procfs::resident_kib(self.pid())
    }

    pub fn cpu_ticks(&self) -> Result<u64> {
        procfs::cpu_ticks(self.pid())
    }

    /// Still running, and `/healthz` answers 200 `ok`.
    pub fn healthy(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None)) && healthz(self.addr).unwrap_or(false)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `GET /healthz` over a fresh connection.
fn healthz(addr: SocketAddr) -> Result<bool> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"))
}
