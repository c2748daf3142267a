//! What `cargo xtask dist` made: the `stube` binary serves the app built into it from a directory
//! that has no `dist/`, and the Debian package unpacks to the binary, the systemd unit and the
//! configuration file, which the binary accepts as it is shipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use tests::{Server, http_get_with};

fn env_path(name: &str) -> Result<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .with_context(|| format!("{name} is not set (run `cargo xtask test`)"))
}

/// The header's value in a response head, lowercase name match.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Checks that `server` serves the app: index.html with its CSP, and the wasm file it names in
/// brotli.
fn serves_the_app(server: &Server) -> Result<()> {
    let (head, body) = http_get_with(server.address(), "/", &[])?;
    ensure!(head.starts_with("HTTP/1.1 200"), "index: {head}");
    let csp = header(&head, "content-security-policy").context("no CSP")?;
    ensure!(
        csp.contains("'sha256-"),
        "the CSP names no inline script hash: {csp}"
    );
    let html = String::from_utf8(body)?;
    let wasm = html
        .split('"')
        .find(|part| part.ends_with("_bg.wasm"))
        .context("index.html names no wasm file")?;
    let (head, body) = http_get_with(server.address(), wasm, &[("Accept-Encoding", "br")])?;
    ensure!(head.starts_with("HTTP/1.1 200"), "{wasm}: {head}");
    ensure!(header(&head, "content-encoding") == Some("br"), "{head}");
    ensure!(
        header(&head, "content-type") == Some("application/wasm"),
        "{head}"
    );
    ensure!(body.len() > 10_000, "a {}-byte wasm file", body.len());
    Ok(())
}

#[test]
fn the_binary_serves_the_app_built_into_it() -> Result<()> {
    let binary = env_path("STUBE_DIST_BINARY")?;
    let empty = tempfile::tempdir()?;
    let copy = empty.path().join("stube");
    std::fs::copy(&binary, &copy)?;
    ensure!(!empty.path().join("dist").exists());
    let server = Server::start_installed(&copy, empty.path(), &[])?;
    serves_the_app(&server)
}

#[test]
fn the_package_unpacks_to_the_binary_the_unit_and_a_configuration_it_accepts() -> Result<()> {
    let package = env_path("STUBE_DEB")?;
    let root = tempfile::tempdir()?;
    let unpacked = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&package)
        .arg(root.path())
        .status()?;
    ensure!(unpacked.success(), "dpkg-deb -x failed");
    let binary = root.path().join("usr/bin/stube");
    let config = root.path().join("etc/stube/stube.toml");
    let unit = [
        "lib/systemd/system/stube.service",
        "usr/lib/systemd/system/stube.service",
    ]
    .iter()
    .map(|path| root.path().join(path))
    .find(|path| path.is_file())
    .context("no systemd unit in the package")?;
    let unit_text = std::fs::read_to_string(&unit)?;
    for line in [
        "ExecStart=/usr/bin/stube --config /etc/stube/stube.toml",
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "CapabilityBoundingSet=\n",
    ] {
        ensure!(unit_text.contains(line), "the unit lacks {line:?}");
    }
    let control = Command::new("dpkg-deb")
        .arg("--ctrl-tarfile")
        .arg(&package)
        .output()?;
    ensure!(
        String::from_utf8_lossy(&control.stdout).contains("/etc/stube/stube.toml"),
        "stube.toml is not a conffile"
    );
    let server = Server::start_installed(
        &binary,
        root.path(),
        &["--config", &config.display().to_string()],
    )?;
    serves_the_app(&server)?;
    ensure!(
        Path::new(&binary).metadata()?.len() > 1_000_000,
        "a suspiciously small binary"
    );
    Ok(())
}
