//! Starting the release `stube` binary on a free loopback port and stopping it on drop; what it
//! prints is kept (and passed on to the test's own output).

use anyhow::{Context, Result, bail};
use std::io::{BufRead as _, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A running server process; killed when dropped.
pub struct Server {
    process: Child,
    address: SocketAddr,
    launch: Launch,
    output: Arc<Mutex<String>>,
}

/// How the process is started.
#[derive(Clone)]
struct Launch {
    binary: PathBuf,
    args: Vec<String>,
    directory: Option<PathBuf>,
    /// Serves https with a certificate it made and printed.
    self_signed: bool,
}

/// What a server with `--tls-self-signed` printed: the SHA-256 of its certificate's public key
/// (base64), for Chromium's `--ignore-certificate-errors-spki-list`.
const SPKI_LINE: &str = "TLS public key SHA-256 (SPKI): ";

impl Server {
    /// Starts the server from `STUBE_SERVER_BIN` serving `STUBE_DIST`, with extra `args`, and
    /// waits until `/healthz` answers.
    pub fn start(args: &[&str]) -> Result<Self> {
        let mut all = vec![
            "--static-dir".to_owned(),
            env_path("STUBE_DIST")?.display().to_string(),
        ];
        all.extend(args.iter().map(|&arg| arg.to_owned()));
        Self::launch(Launch {
            binary: env_path("STUBE_SERVER_BIN")?,
            args: all,
            directory: None,
            self_signed: args.contains(&"--tls-self-signed"),
        })
    }

    /// The public key hash a `--tls-self-signed` server printed.
    pub fn printed_spki(&self) -> Option<String> {
        self.output()
            .lines()
            .find_map(|line| line.strip_prefix(SPKI_LINE).map(str::to_owned))
    }

    /// Starts `binary` as installed: in `directory`, with only `args` (no `--static-dir`).
    pub fn start_installed(binary: &Path, directory: &Path, args: &[&str]) -> Result<Self> {
        Self::launch(Launch {
            binary: binary.to_owned(),
            args: args.iter().map(|&arg| arg.to_owned()).collect(),
            directory: Some(directory.to_owned()),
            self_signed: false,
        })
    }

    fn launch(launch: Launch) -> Result<Self> {
        let address = free_loopback_address()?;
        let output = Arc::new(Mutex::new(String::new()));
        let process = spawn(address, &launch, &output)?;
        let server = Self {
            process,
            address,
            launch,
            output,
        };
        server.wait_until_healthy()?;
        Ok(server)
    }

    /// Everything the process printed so far (standard output and error).
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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
        self.process = spawn(self.address, &self.launch, &self.output)?;
        self.wait_until_healthy()
    }

    /// `http://127.0.0.1:<port>` (`https://` with TLS), without a trailing slash.
    pub fn origin(&self) -> String {
        let scheme = if self.launch.self_signed {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    fn wait_until_healthy(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            // With TLS: it prints its certificate once it listens.
            let healthy = if self.launch.self_signed {
                self.printed_spki().is_some()
            } else {
                http_get(self.address, "/healthz")
                    .is_ok_and(|response| response.starts_with("HTTP/1.1 200"))
            };
            if healthy {
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

fn spawn(address: SocketAddr, launch: &Launch, output: &Arc<Mutex<String>>) -> Result<Child> {
    let mut command = Command::new(&launch.binary);
    command
        .arg("--listen")
        .arg(address.to_string())
        .args(&launch.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(directory) = &launch.directory {
        command.current_dir(directory);
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("could not start {}", launch.binary.display()))?;
    if let Some(stdout) = child.stdout.take() {
        keep_lines(stdout, output.clone());
    }
    if let Some(stderr) = child.stderr.take() {
        keep_lines(stderr, output.clone());
    }
    Ok(child)
}

/// Appends every line `from` prints to `output` and echoes it to this test's standard error.
fn keep_lines(from: impl Read + Send + 'static, output: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            eprintln!("{line}");
            let mut kept = output.lock().unwrap_or_else(PoisonError::into_inner);
            kept.push_str(&line);
            kept.push('\n');
        }
    });
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
    let (head, body) = http_get_with(address, path, &[])?;
    Ok(head + &String::from_utf8_lossy(&body))
}

/// A minimal HTTP/1.1 GET with extra request headers; returns the status line and headers (up
/// to the blank line) and the body bytes.
pub fn http_get_with(
    address: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(String, Vec<u8>)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{extra}Connection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .context("no end of the response headers")?;
    let body = response.split_off(split + 4);
    Ok((String::from_utf8_lossy(&response).into_owned(), body))
}
