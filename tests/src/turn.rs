//! A real TURN server for the tests: Debian's coturn (`turnserver`, `STUBE_TURNSERVER`), on
//! loopback inside the test's network namespace, with coturn's REST shared secret
//! (`use-auth-secret`), the scheme signal-server mints credentials for. Stopped on drop.

use anyhow::{Context, Result, bail};
use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running coturn; killed when dropped.
pub struct TurnServer {
    process: Child,
    port: u16,
    directory: tempfile::TempDir,
}

impl TurnServer {
    /// Starts coturn on `127.0.0.1:<free port>` (UDP and TCP, no TLS) relaying on 127.0.0.1,
    /// accepting credentials made with `secret`, and waits until it answers a STUN request.
    pub fn start(secret: &str) -> Result<Self> {
        let binary = std::env::var_os("STUBE_TURNSERVER")
            .map_or_else(|| PathBuf::from("/usr/bin/turnserver"), PathBuf::from);
        let directory = tempfile::tempdir().context("could not create coturn's directory")?;
        let port = free_udp_port()?;
        let log = std::fs::File::create(directory.path().join("turnserver.log"))
            .context("could not create coturn's log")?;
        let process = Command::new(&binary)
            .arg("-n") // no configuration file: everything is on this command line
            .args(["--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1"])
            .args(["--listening-port", &port.to_string()])
            .args(["--use-auth-secret", "--static-auth-secret", secret])
            .args(["--realm", "stube.test"])
            .args(["--no-tls", "--no-dtls", "--no-cli"])
            // The browsers' addresses are loopback addresses too.
            .arg("--allow-loopback-peers")
            .args(["--log-file", "stdout", "--simple-log"])
            .arg("--pidfile")
            .arg(directory.path().join("turnserver.pid"))
            .arg("--db")
            .arg(directory.path().join("turndb"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", binary.display()))?;
        let server = Self {
            process,
            port,
            directory,
        };
        server.wait_until_answering()?;
        Ok(server)
    }

    /// The URL for `--ice-server`: `turn:127.0.0.1:<port>?transport=udp`.
    pub fn url(&self) -> String {
        format!("turn:127.0.0.1:{}?transport=udp", self.port)
    }

    /// What coturn logged so far, for a failing test to show.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.directory.path().join("turnserver.log")).unwrap_or_default()
    }

    /// Sends STUN binding requests until one is answered (coturn answers them without
    /// credentials), for at most 10 s.
    fn wait_until_answering(&self) -> Result<()> {
        let socket = UdpSocket::bind("127.0.0.1:0").context("could not bind a UDP socket")?;
        socket.set_read_timeout(Some(Duration::from_millis(200)))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        // A binding request: type 0x0001, length 0, the magic cookie, a transaction id.
        let mut request = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        request.extend_from_slice(b"stube-probe!");
        let mut answer = [0u8; 512];
        while Instant::now() < deadline {
            socket.send_to(&request, ("127.0.0.1", self.port))?;
            if let Ok((length, _)) = socket.recv_from(&mut answer) {
                // A binding success response (0x0101) echoing our transaction id.
                if length >= 20 && answer[..2] == [0x01, 0x01] && answer[8..20] == request[8..20] {
                    return Ok(());
                }
            }
        }
        bail!(
            "coturn did not answer a STUN request on 127.0.0.1:{} within 10 s; it logged:\n{}",
            self.port,
            self.log()
        )
    }
}

impl Drop for TurnServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A loopback UDP port nobody uses right now (inside the test's own network namespace).
fn free_udp_port() -> Result<u16> {
    let socket = UdpSocket::bind("127.0.0.1:0").context("could not bind a loopback UDP port")?;
    Ok(socket.local_addr()?.port())
}
