//! The independent cross-check of Stube's frozen crypto vectors: a Python implementation
//! (`crypto/tests/vectors/stube_v2_crosscheck.py`, on argon2-cffi and pyca/cryptography) recomputes
//! every value in `crypto/src/vectors.rs` and fails unless all agree. Its packages live in a
//! virtual environment under `.tools/`, installed from PyPI with pip at pinned versions; a second
//! run finds them and installs nothing.

use crate::cmd::{self, run};
use anyhow::{Context, Result};
use std::path::Path;

const SCRIPT: &str = "crypto/tests/vectors/stube_v2_crosscheck.py";
/// The script's PyPI packages, pinned.
const PACKAGES: [&str; 2] = ["argon2-cffi==25.1.0", "cryptography==50.0.2"];

pub fn vectors() -> Result<()> {
    let python = ensure_venv()?;
    run(cmd::command(&python).arg(SCRIPT))
}

/// `.tools/python`, a virtual environment with [`PACKAGES`]; returns its interpreter.
fn ensure_venv() -> Result<String> {
    let dir = cmd::node_tools_dir().join("python");
    let python = dir.join("bin").join("python3");
    let marker = dir.join("stube-packages.txt");
    let wanted = PACKAGES.join("\n");
    let python_path = path_str(&python)?;
    if python.exists() && std::fs::read_to_string(&marker).ok().as_deref() == Some(&wanted) {
        return Ok(python_path);
    }
    run(cmd::command("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&dir))
    .context("could not create a Python virtual environment (is python3 with venv installed?)")?;
    run(cmd::command(&python_path)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PACKAGES))?;
    std::fs::write(&marker, wanted).context("could not write .tools/python")?;
    Ok(python_path)
}

fn path_str(path: &Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .context("the workspace path is not UTF-8")
}
