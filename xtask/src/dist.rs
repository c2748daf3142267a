//! `cargo xtask dist`: what an operator installs, in `target/dist/`: the release `stube` binary
//! with the app built in, and a Debian package of it (cargo-deb) with the systemd unit and the
//! commented configuration from `signal-server/debian/`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::cmd::{self, run};
use crate::{build, tools};

/// Where the binary and the package go, relative to the workspace root.
pub const DIST_DIR: &str = "target/dist";

/// What `dist` made.
pub struct Artifacts {
    pub binary: PathBuf,
    pub package: PathBuf,
}

/// Builds the app, the binary with the app inside, and the Debian package.
pub fn all() -> Result<Artifacts> {
    build::app()?;
    let built = build::server_binary()?;
    let out = cmd::root().join(DIST_DIR);
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("cannot empty {}", out.display()))?;
    }
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let binary = out.join("stube");
    std::fs::copy(&built, &binary)
        .with_context(|| format!("cannot copy {} to {}", built.display(), binary.display()))?;
    tools::ensure_cargo_deb()?;
    // The package's metadata takes `target/release/stube`, the binary just built with the app
    // inside; --no-build keeps cargo-deb from building one without it.
    run(cmd::cargo()
        .args([
            "deb",
            "--no-build",
            "--locked",
            "--package",
            "signal-server",
        ])
        .arg("--output")
        .arg(&out))?;
    let package = only_package_in(&out)?;
    println!("\n{}\n{}", binary.display(), package.display());
    Ok(Artifacts { binary, package })
}

fn only_package_in(dir: &std::path::Path) -> Result<PathBuf> {
    let packages: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .collect();
    match packages.as_slice() {
        [package] => Ok(package.clone()),
        other => bail!("expected one .deb in {}, found {other:?}", dir.display()),
    }
}
