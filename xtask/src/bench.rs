//! `cargo xtask bench`: the benchmarks behind BENCHMARKS.md, each printing its own table.
//!
//! 1. The crypto crate natively (`crypto/examples/bench.rs`) and as wasm in headless Chromium
//!    (`crypto/tests/wasm_bench.rs`).
//! 2. The first load's transfer, call setup time, steady calls of 2, 4 and 6 (CPU, received frame
//!    rate and resolution) and media stalls across a server restart and a
//!    network cut (`tests/examples/call_bench.rs`), with the built
//!    app and the release server, inside a private network namespace like the end-to-end tests.
//! 3. The signalling server under load (`loadgen/`, also alone as `cargo xtask bench server`):
//!    memory per idle connection up to 10,000, relay latency, throughput, churn and abuse, on
//!    loopback. Last, since it fails where an abuse case is not closed with its code.
//!
//! The load average is printed with every figure: the machine may be busy with something else.

use crate::cmd::{self, run};
use crate::{build, netns, tools};
use anyhow::{Context, Result};
use std::path::PathBuf;

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
    let calls = cmd::built_executable(&["--package", "tests", "--example", "call_bench"])?;
    run(netns::isolated(&calls, &[])
        .env("STUBE_SERVER_BIN", &server)
        .env("STUBE_DIST", cmd::root().join(build::DIST))
        .env("STUBE_CHROMIUM", tools::CHROMIUM)
        .env("STUBE_NFT", tools::NFT))?;
    self::server(&[])
}

fn print_load_average() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average: {}", load.trim());
}

/// `cargo xtask bench server`: the load generator (`loadgen/`) against the release server,
/// the full run (a few minutes); `args` pass through (`--idle`, `--churn-seconds`, …).
pub fn server(args: &[String]) -> Result<()> {
    print_load_average();
    let (server, loadgen) = server_and_loadgen()?;
    run(cmd::command(&loadgen.to_string_lossy())
        .arg("--server")
        .arg(&server)
        .args(args))
}

/// The quick load check `cargo xtask test` runs: a few seconds, asserting only exactly-once
/// delivery, the abuse cases' close codes and a server that still answers.
pub fn server_quick() -> Result<()> {
    let (server, loadgen) = server_and_loadgen()?;
    run(cmd::command(&loadgen.to_string_lossy())
        .arg("--server")
        .arg(&server)
        .arg("--quick"))
}

/// Builds the release server and the load generator; returns their paths.
fn server_and_loadgen() -> Result<(PathBuf, PathBuf)> {
    let server = build::server_binary()?;
    let loadgen = cmd::built_executable(&["--release", "--package", "loadgen", "--bin", "loadgen"])
        .context("building loadgen")?;
    Ok((server, loadgen))
}
