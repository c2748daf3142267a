//! `cargo xtask bench`: the benchmarks behind BENCHMARKS.md, each printing its own table.
//!
//! 1. The crypto crate natively (`crypto/examples/bench.rs`) and as wasm in headless Chromium
//!    (`crypto/tests/wasm_bench.rs`).
//! 2. The one binary from `cargo xtask dist`: sizes, idle memory with TLS, CPU per TLS handshake
//!    (`crate::dist_bench`).
//! 3. The first load's transfer, call setup time, steady calls of 2, 4 and 6 (CPU, received frame
//!    rate and resolution) and media stalls across a server restart and a
//!    network cut (`tests/examples/call_bench.rs`), with the built
//!    app and the release server, inside a private network namespace like the end-to-end tests.
//! 4. The signalling server under load (`loadgen/`, also alone as `cargo xtask bench server`):
//!    memory per idle connection up to 10,000, relay latency, throughput, churn and abuse, on
//!    loopback. Last, since it fails where an abuse case is not closed with its code.
//!
//! The load average is printed with every figure: the machine may be busy with something else.

use crate::cmd::{self, run};
use crate::{build, netns, tools};
use anyhow::{Context, Result};
use std::path::Path;
use std::process::Child;

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
    crate::dist_bench::run_all()?;

    let calls = cmd::built_executable(&["--package", "tests", "--example", "call_bench"])?;
    run(netns::isolated(&calls, &[])
        .env("STUBE_SERVER_BIN", &server)
        .env("STUBE_DIST", cmd::root().join(build::DIST))
        .env("STUBE_CHROMIUM", tools::CHROMIUM)
        .env("STUBE_NFT", tools::NFT))?;
    print_load_average();
    loadgen(&server, &[])
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

pub fn resident_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

/// `cargo xtask bench server`: the load generator (`loadgen/`) against the release server (with
/// the app inside, as operators run it), the full run (a few minutes); `args` pass through
/// (`--idle`, `--churn-seconds`, …).
pub fn server(args: &[String]) -> Result<()> {
    print_load_average();
    build::app()?;
    loadgen(&build::server_binary()?, args)
}

/// The quick load check `cargo xtask test` runs against `server`: a few seconds, asserting only
/// exactly-once delivery, the abuse cases' close codes and a server that still answers.
pub fn server_quick(server: &Path) -> Result<()> {
    loadgen(server, &["--quick".to_owned()])
}

/// Builds the load generator and runs it against `server`.
fn loadgen(server: &Path, args: &[String]) -> Result<()> {
    let loadgen = cmd::built_executable(&["--release", "--package", "loadgen", "--bin", "loadgen"])
        .context("building loadgen")?;
    run(cmd::command(&loadgen.to_string_lossy())
        .arg("--server")
        .arg(server)
        .args(args))
}
