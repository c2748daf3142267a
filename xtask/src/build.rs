//! Building the browser app with Trunk (release, offline) and starting the server that serves it.

use crate::cmd::{self, run};
use anyhow::Result;

/// Where Trunk writes the built app, relative to the workspace root (see Trunk.toml).
pub const DIST: &str = "dist";

/// Names the directory whose app `signal-server/build.rs` builds into the binary.
const EMBED_ENV: &str = "STUBE_EMBED_DIR";

/// `trunk build --release`, fully offline, with the size-optimised `wasm-release` profile, then
/// brotli and gzip copies of the assets.
pub fn app() -> Result<()> {
    run(cmd::command("trunk").args([
        "build",
        "--release",
        "--offline",
        "--locked",
        "--cargo-profile",
        "wasm-release",
    ]))?;
    crate::precompress::assets(&cmd::root().join(DIST))
}

/// The release server with the built app inside; `server_args` pass through.
pub fn run_server(server_args: &[String]) -> Result<()> {
    run(cmd::cargo()
        .env(EMBED_ENV, cmd::root().join(DIST))
        .args([
            "run",
            "--release",
            "--locked",
            "--package",
            "signal-server",
            "--bin",
            "stube",
            "--",
        ])
        .args(server_args))
}

/// Builds one of the server crate's examples in release, with the same build of the server
/// library as [`server_binary`] (so neither rebuilds the other).
pub fn server_example(name: &str) -> Result<std::path::PathBuf> {
    cmd::built_executable_with_env(
        &["--release", "--package", "signal-server", "--example", name],
        (EMBED_ENV, &cmd::root().join(DIST)),
    )
}

/// Builds the release server binary with the built app inside (build [`app`] first) and returns
/// its path.
pub fn server_binary() -> Result<std::path::PathBuf> {
    cmd::built_executable_with_env(
        &["--release", "--package", "signal-server", "--bin", "stube"],
        (EMBED_ENV, &cmd::root().join(DIST)),
    )
}
