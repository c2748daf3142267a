//! `cargo xtask test`: formatting, lints for both targets, every Rust test, a few seconds of the
//! load generator against the release server (`loadgen --quick`), the independent cross-check of
//! the crypto vectors, the wasm tests in headless Chromium and Firefox ESR, and the end-to-end
//! browser tests (and the checks of `cargo xtask dist`'s binary and package) inside a private
//! network namespace.

use crate::cmd::{self, run};
use crate::{bench, build, crosscheck, dist, netns, tools};
use anyhow::Result;

/// Crates that compile to wasm32 and are linted and tested there.
const WASM_CRATES: [&str; 3] = ["app", "crypto", "protocol"];
/// Crates with wasm-bindgen tests that run in headless Chromium and Firefox.
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
    // The release binary with the app inside, built once for the load check and the browser tests.
    let dist = dist::all()?;
    bench::server_quick(&build::server_binary()?)?;
    crosscheck::vectors()?;
    let geckodriver = tools::ensure_geckodriver()?;
    // wasm-bindgen-test-runner takes the first driver its environment names, geckodriver first.
    run(wasm_tests().env("CHROMEDRIVER", tools::CHROMEDRIVER))?;
    run(wasm_tests()
        .env("GECKODRIVER", &geckodriver)
        .env("GECKODRIVER_ARGS", format!("--binary={}", tools::FIREFOX)))?;
    end_to_end(&geckodriver, &dist)
}

/// The wasm tests, with no browser driver chosen yet.
fn wasm_tests() -> std::process::Command {
    let mut command = cmd::cargo();
    command
        .args(["test", "--locked", "--target", "wasm32-unknown-unknown"])
        .args(package_args(&WASM_TESTED_CRATES));
    for driver in [
        "GECKODRIVER",
        "CHROMEDRIVER",
        "SAFARIDRIVER",
        "MSEDGEDRIVER",
    ] {
        command
            .env_remove(driver)
            .env_remove(format!("{driver}_REMOTE"));
    }
    command
}

/// Runs the `tests` crate's binaries isolated, with the release server (the app inside) and the
/// Debian package that `dist` built.
fn end_to_end(geckodriver: &std::path::Path, dist: &dist::Artifacts) -> Result<()> {
    let server = build::server_binary()?;
    let axe = tools::ensure_axe()?;
    for binary in cmd::built_executables(&["test", "--no-run", "--package", "tests"], true)? {
        // One test at a time: each starts several browsers, and this machine may have two cores.
        run(
            netns::isolated(&binary, &["--include-ignored", "--test-threads=1"])
                .env("STUBE_SERVER_BIN", &server)
                .env("STUBE_DIST", cmd::root().join(build::DIST))
                .env("STUBE_CHROMIUM", tools::CHROMIUM)
                .env("STUBE_NFT", tools::NFT)
                .env("STUBE_TURNSERVER", tools::TURNSERVER)
                .env("STUBE_NATS_SERVER", tools::NATS_SERVER)
                .env("STUBE_FIREFOX", tools::FIREFOX)
                .env("STUBE_GECKODRIVER", geckodriver)
                .env("STUBE_AXE", &axe)
                .env("STUBE_DIST_BINARY", &dist.binary)
                .env("STUBE_DEB", &dist.package),
        )?;
    }
    Ok(())
}

fn package_args<'a>(crates: &[&'a str]) -> Vec<&'a str> {
    crates.iter().flat_map(|name| ["--package", name]).collect()
}
