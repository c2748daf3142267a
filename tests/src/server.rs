//! Starting the release `signal-server` binary on a free loopback port and stopping it on drop.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server process; killed when dropped.
pub struct Server {
    process: Child,
    address: SocketAddr,
    args: Vec<String>,
}

impl Server {
    /// Starts the server from `STUBE_SERVER_BIN` serving `STUBE_DIST`, with extra `args`, and
    /// waits until `/healthz` answers.
    pub fn start(args: &[&str]) -> Result<Self> {
        let address = free_loopback_address()?;
        let args: Vec<String> = args.iter().map(|&arg| arg.to_owned()).collect();
        let process = spawn(address, &args)?;
        let server = Self {
            process,
            address,
            args,
        };
        server.wait_until_healthy()?;
        Ok(server)
    }

    /// Kills the process, as a crash or an update would; [`Server::start_again`] brings it back.
    pub fn kill(&mut self) -> Result<()> {
        self.process.kill()?;
        self.process.wait()?;
        Ok(())
    }

    /// Starts the server again on the same address with the same arguments (after
    /// [`Server::kill`]): a fresh process that remembers nothing.
    pub fn start_again(&mut self) -> Result<()> {
        self.process = spawn(self.address, &self.args)?;
        self.wait_until_healthy()
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    fn wait_until_healthy(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if http_get(self.address, "/healthz")
                .is_ok_and(|response| response.starts_with("HTTP/1.1 200"))
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "the server did not answer /healthz on {} within 10 s",
            self.address
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn spawn(address: SocketAddr, args: &[String]) -> Result<Child> {
    let binary = env_path("STUBE_SERVER_BIN")?;
    let dist = env_path("STUBE_DIST")?;
    Command::new(&binary)
        .arg("--listen")
        .arg(address.to_string())
        .arg("--static-dir")
        .arg(&dist)
        .args(args)
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {}", binary.display()))
}

fn env_path(name: &str) -> Result<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .with_context(|| format!("{name} is not set (run `cargo xtask test`)"))
}

/// A loopback port nobody listens on right now (inside the test's own network namespace).
fn free_loopback_address() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("could not bind a loopback port")?;
    Ok(listener.local_addr()?)
}

/// A minimal HTTP/1.1 GET returning the raw response.
fn http_get(address: SocketAddr, path: &str) -> Result<String> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}
