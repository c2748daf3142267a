//! `cargo xtask bench`: the benchmarks behind BENCHMARKS.md, each printing its own table.
//!
//! 1. The crypto crate natively (`crypto/examples/bench.rs`) and as wasm in headless Chromium
//!    (`crypto/tests/wasm_bench.rs`).
//! 2. The release server's resident memory, idle and holding 1,000 idle WebSocket connections
//!    opened by `signal-server/examples/idle_connections.rs` (on loopback).
//! 3. The first load's transfer, call setup time, steady calls of 2, 4 and 6 (CPU, received frame
//!    rate and resolution) and media stalls across a server restart and a
//!    network cut (`tests/examples/call_bench.rs`), with the built
//!    app and the release server, inside a private network namespace like the end-to-end tests.
//!
//! 4. The one binary from `cargo xtask dist`: sizes, idle memory with TLS, CPU per TLS handshake
//!    (`crate::dist_bench`).
//!
//! The load average is printed with every figure: the machine may be busy with something else.

use crate::cmd::{self, run};
use crate::{build, netns, tools};
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Idle WebSocket connections held open while the server's memory is measured.
const CONNECTIONS: usize = 1000;

pub fn all() -> Result<()> {
    print_load_average();
    run(cmd::cargo().args([
        "run",
        "--release",
        "--locked",
        "--package",
        "crypto",
        "--example",
        "bench",
    ]))?;
    print_load_average();
    run(cmd::cargo()
        .args([
            "test",
            "--release",
            "--locked",
            "--package",
            "crypto",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "wasm_bench",
            "--",
            "--nocapture",
        ])
        .env("CHROMEDRIVER", tools::CHROMEDRIVER))?;

    build::app()?;
    let server = build::server_binary()?;
    server_memory(&server)?;
    crate::dist_bench::run_all()?;

    let calls = cmd::built_executable(&["--package", "tests", "--example", "call_bench"])?;
    run(netns::isolated(&calls, &[])
        .env("STUBE_SERVER_BIN", &server)
        .env("STUBE_DIST", cmd::root().join(build::DIST))
        .env("STUBE_CHROMIUM", tools::CHROMIUM)
        .env("STUBE_NFT", tools::NFT))
}

fn print_load_average() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average: {}", load.trim());
}

/// A child process killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `program args…` with a raised open-files limit (one descriptor per connection).
fn with_many_files(program: &Path, args: &[&str]) -> Command {
    let mut command = cmd::command("sh");
    command
        .args(["-c", r#"ulimit -n 8192 && exec "$@""#, "sh"])
        .arg(program)
        .args(args)
        .stdin(Stdio::null());
    command
}

pub fn resident_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

/// Starts the server (serving the built app) on a free loopback port, measures it idle, then
/// with idle connections.
fn server_memory(server: &Path) -> Result<()> {
    let tool = cmd::built_executable(&[
        "--release",
        "--package",
        "signal-server",
        "--example",
        "idle_connections",
    ])?;
    let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let address = address.to_string();
    // Every connection comes from 127.0.0.1: lift the per-address and per-network limits.
    let limit = (CONNECTIONS * 5).to_string();
    let process = with_many_files(
        server,
        &[
            "--listen",
            &address,
            "--static-dir",
            build::DIST,
            "--max-connections-per-ip",
            &limit,
            "--max-connections-per-ipv4-24",
            &limit,
            "--max-joins-per-minute-per-ip",
            &limit,
            "--max-joins-per-minute-per-network",
            &limit,
        ],
    )
    .env("STUBE_LOG", "warn")
    .spawn()
    .context("could not start the server")?;
    let server = Running(process);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(&address).is_err() {
        anyhow::ensure!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(1));
    let idle = resident_kib(server.0.id())?;

    let mut clients = Running(
        with_many_files(&tool, &[&address, &CONNECTIONS.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .context("could not start idle_connections")?,
    );
    let stdout = clients.0.stdout.take().context("no stdout")?;
    let opened = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("connections open"));
    anyhow::ensure!(
        opened,
        "idle_connections ended before opening its connections"
    );
    std::thread::sleep(Duration::from_secs(2));
    let loaded = resident_kib(server.0.id())?;
    drop(clients);

    let mib = |kib: u64| kib as f64 / 1024.0;
    println!("\nsignal-server resident memory (VmRSS)\n");
    println!("{:<28} | {:>9}", "state", "VmRSS");
    println!("{:<28} | {:>6.1} MiB", "idle", mib(idle));
    println!(
        "{:<28} | {:>6.1} MiB",
        format!("{CONNECTIONS} idle WebSockets"),
        mib(loaded)
    );
    println!(
        "per connection: {:.1} KiB",
        (loaded.saturating_sub(idle)) as f64 / CONNECTIONS as f64
    );
    print_load_average();
    Ok(())
}
