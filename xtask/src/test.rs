//! `cargo xtask test`: formatting, lints for both targets, every Rust test, the independent
//! cross-check of the crypto vectors, the wasm tests in headless Chromium, and the end-to-end
//! browser tests inside a private network namespace.

use crate::cmd::{self, run};
use crate::{build, crosscheck, netns, tools};
use anyhow::Result;

/// Crates that compile to wasm32 and are linted and tested there.
const WASM_CRATES: [&str; 3] = ["app", "crypto", "protocol"];
/// Crates with wasm-bindgen tests that run in headless Chromium.
const WASM_TESTED_CRATES: [&str; 1] = ["crypto"];

pub fn all() -> Result<()> {
    run(cmd::cargo().args(["fmt", "--all", "--check"]))?;
    run(cmd::cargo().args([
        "clippy",
        "--locked",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cmd::cargo()
        .args([
            "clippy",
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
        ])
        .args(package_args(&WASM_CRATES))
        .args(["--", "-D", "warnings"]))?;
    run(cmd::cargo().args(["test", "--locked", "--workspace", "--exclude", "tests"]))?;
    crosscheck::vectors()?;
    run(cmd::cargo()
        .args(["test", "--locked", "--target", "wasm32-unknown-unknown"])
        .args(package_args(&WASM_TESTED_CRATES))
        .env("CHROMEDRIVER", tools::CHROMEDRIVER))?;
    end_to_end()
}

/// Builds the app and the release server, then runs the `tests` crate's binaries isolated.
fn end_to_end() -> Result<()> {
    build::app()?;
    let server = build::server_binary()?;
    let axe = tools::ensure_axe()?;
    for binary in cmd::built_executables(&["test", "--no-run", "--package", "tests"], true)? {
        // One test at a time: each starts several Chromiums, and this machine may have two cores.
        run(
            netns::isolated(&binary, &["--include-ignored", "--test-threads=1"])
                .env("STUBE_SERVER_BIN", &server)
                .env("STUBE_DIST", cmd::root().join(build::DIST))
                .env("STUBE_CHROMIUM", tools::CHROMIUM)
                .env("STUBE_NFT", tools::NFT)
                .env("STUBE_AXE", &axe),
        )?;
    }
    Ok(())
}

fn package_args<'a>(crates: &[&'a str]) -> Vec<&'a str> {
    crates.iter().flat_map(|name| ["--package", name]).collect()
}
