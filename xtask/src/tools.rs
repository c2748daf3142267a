//! Installs the tools Stube needs when they are missing, at pinned versions, from the registries
//! this project may use (crates.io, npm, Debian). A second run finds them and installs nothing.

use crate::cmd::{self, output_of, run};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Trunk's version; 0.22 needs a newer rustc than the one we build with.
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// geckodriver's version, from crates.io; drives Firefox ESR for the wasm and end-to-end tests.
const GECKODRIVER_VERSION: &str = "0.37.1";

/// The wasm32 target, wasm-bindgen-cli (the exact version in Cargo.lock), Trunk, wasm-opt, and
/// every crate in Cargo.lock (Trunk then builds offline).
pub fn ensure_build_tools() -> Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()?;
    ensure_wasm_opt()?;
    run(cmd::cargo().args(["fetch", "--locked"]))
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output_of(cmd::command("rustup").args(["target", "list", "--installed"]));
    if installed.is_some_and(|list| list.lines().any(|line| line.trim() == WASM_TARGET)) {
        return Ok(());
    }
    run(cmd::command("rustup").args(["target", "add", WASM_TARGET]))
}

fn ensure_wasm_bindgen() -> Result<()> {
    let wanted = locked_version("wasm-bindgen")?;
    let installed = output_of(cmd::command("wasm-bindgen").arg("--version"));
    if installed.is_some_and(|v| v.split_whitespace().nth(1) == Some(wanted.as_str())) {
        return Ok(());
    }
    // Without --locked: the CLI's own lockfile names a webpki-roots release crates.io no longer serves.
    run(cmd::cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &format!("={wanted}"),
    ]))
}

fn ensure_trunk() -> Result<()> {
    let installed = output_of(cmd::command("trunk").arg("--version"));
    if installed.is_some_and(|v| v.split_whitespace().nth(1) == Some(TRUNK_VERSION)) {
        return Ok(());
    }
    run(cmd::cargo().args([
        "install",
        "trunk",
        "--locked",
        "--version",
        &format!("={TRUNK_VERSION}"),
    ]))
}

/// wasm-opt from the npm package `binaryen`, at the major version Trunk.toml pins (Debian's
/// binaryen produces modules Chromium refuses to load).
fn ensure_wasm_opt() -> Result<()> {
    let major = pinned_wasm_opt_major()?;
    let wasm_opt = cmd::node_tools_dir().join("node_modules/.bin/wasm-opt");
    let installed = output_of(std::process::Command::new(&wasm_opt).arg("--version"));
    if installed.is_some_and(|v| v.contains(&format!("version {major}"))) {
        return Ok(());
    }
    let prefix = cmd::node_tools_dir();
    std::fs::create_dir_all(&prefix).context("could not create .tools")?;
    let package = format!("binaryen@{major}");
    run(cmd::command("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&prefix)
        .args(["--no-save", "--no-fund"])
        .arg(package))
}

/// The accessibility checker the browser tests inject into pages: npm `axe-core`, pinned.
const AXE_CORE: &str = "axe-core@4.11.0";

/// `axe.min.js` from npm `axe-core` in `.tools/`, installed when missing; returns its path.
pub fn ensure_axe() -> Result<std::path::PathBuf> {
    // A prefix of its own: npm prunes what a prefix's manifest does not list (binaryen's).
    let prefix = cmd::node_tools_dir().join("axe");
    let script = prefix.join("node_modules/axe-core/axe.min.js");
    let version = AXE_CORE.trim_start_matches("axe-core@");
    let installed = std::fs::read_to_string(prefix.join("node_modules/axe-core/package.json"))
        .is_ok_and(|manifest| manifest.contains(&format!("\"version\": \"{version}\"")));
    if !installed || !script.exists() {
        std::fs::create_dir_all(&prefix).context("could not create .tools")?;
        run(cmd::command("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&prefix)
            .args(["--no-save", "--no-fund", AXE_CORE]))?;
    }
    Ok(script)
}

/// Where Debian's nftables puts `nft`, which the network-change test uses inside its private
/// network namespace to cut the connection between two browsers for a while.
pub const NFT: &str = "/usr/sbin/nft";

/// Where Debian's coturn puts its TURN server, which the end-to-end tests of relayed calls start
/// on loopback inside their namespace.
pub const TURNSERVER: &str = "/usr/bin/turnserver";

/// Where Debian's nats-server puts its NATS server, which the end-to-end tests of several
/// instances start on loopback inside their namespace.
pub const NATS_SERVER: &str = "/usr/sbin/nats-server";

/// Debian's chromium, chromium-driver and firefox-esr, for the wasm tests and the end-to-end
/// tests, nftables for the end-to-end test of a network change, coturn for the relayed calls and
/// nats-server for several instances sharing rooms.
pub fn ensure_browser() -> Result<()> {
    if [
        CHROMIUM,
        CHROMEDRIVER,
        FIREFOX,
        NFT,
        TURNSERVER,
        NATS_SERVER,
    ]
    .iter()
    .all(|path| Path::new(path).exists())
    {
        return Ok(());
    }
    // coturn's and nats-server's packages may start their own services: the tests start theirs,
    // so those are stopped and disabled again (best effort: a container has no service manager).
    let install = "apt-get update \
        && apt-get install -y chromium chromium-driver firefox-esr nftables coturn nats-server \
        && { systemctl disable --now coturn nats-server \
             || { service coturn stop; service nats-server stop; } || true; } 2>/dev/null";
    if !is_root() {
        bail!(
            "Chromium, Firefox ESR, nftables, coturn or nats-server is missing. Install them as root, then run this again:\n  sudo sh -c '{install}'"
        );
    }
    run(cmd::command("sh")
        .args(["-c", install])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// cargo-deb's version, from crates.io; packages the server for Debian (`cargo xtask dist`).
const CARGO_DEB_VERSION: &str = "3.8.0";

/// cargo-deb from crates.io in `.tools/bin`, installed when missing (`cargo deb` finds it there
/// through [`cmd::command`]'s PATH).
pub fn ensure_cargo_deb() -> Result<()> {
    let prefix = cmd::node_tools_dir();
    let installed =
        output_of(std::process::Command::new(prefix.join("bin/cargo-deb")).arg("--version"));
    if installed.is_some_and(|v| v.contains(CARGO_DEB_VERSION)) {
        return Ok(());
    }
    run(cmd::cargo()
        .args(["install", "cargo-deb", "--locked", "--version"])
        .arg(format!("={CARGO_DEB_VERSION}"))
        .arg("--root")
        .arg(&prefix))
}

/// geckodriver from crates.io in `.tools/bin`, installed when missing; returns its path.
pub fn ensure_geckodriver() -> Result<std::path::PathBuf> {
    let prefix = cmd::node_tools_dir();
    let geckodriver = prefix.join("bin/geckodriver");
    let installed = output_of(std::process::Command::new(&geckodriver).arg("--version"));
    if installed.is_some_and(|v| v.split_whitespace().nth(1) == Some(GECKODRIVER_VERSION)) {
        return Ok(geckodriver);
    }
    run(cmd::cargo()
        .args(["install", "geckodriver", "--locked", "--version"])
        .arg(format!("={GECKODRIVER_VERSION}"))
        .arg("--root")
        .arg(&prefix))?;
    Ok(geckodriver)
}

pub fn is_root() -> bool {
    output_of(cmd::command("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}

/// The version of `package` that Cargo.lock resolved.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .context("could not read Cargo.lock")?;
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        let version = (line == name_line).then(|| lines.next()).flatten();
        if let Some(version) = version.and_then(|l| l.strip_prefix("version = \"")) {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no package {package}")
}

/// The `N` of `wasm_opt = "version_N"` in Trunk.toml.
fn pinned_wasm_opt_major() -> Result<String> {
    let trunk_toml = std::fs::read_to_string(cmd::root().join("Trunk.toml"))
        .context("could not read Trunk.toml")?;
    trunk_toml
        .lines()
        .find_map(|line| line.trim().strip_prefix("wasm_opt = \"version_"))
        .map(|rest| rest.trim_end_matches('"').to_owned())
        .context("Trunk.toml must pin wasm_opt = \"version_N\"")
}
