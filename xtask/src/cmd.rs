//! Running child processes with the workspace root as working directory and a PATH that finds
//! the tools `tools` installed.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Where `tools` installs npm packages (wasm-opt from `binaryen`) and geckodriver (in `bin/`).
pub fn node_tools_dir() -> PathBuf {
    root().join(".tools")
}

/// A command run from the workspace root, with the npm tool binaries and `.tools/bin` (cargo-deb,
/// geckodriver) first on PATH and the cargo install directory on PATH (a fresh shell may not have it yet).
pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root()).env("PATH", tool_path());
    command
}

fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![
        node_tools_dir().join("node_modules/.bin"),
        node_tools_dir().join("bin"),
    ];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(default_cargo_home)
    {
        dirs.push(home.join("bin"));
    }
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap_or_default()
}

fn default_cargo_home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo"))
}

/// `cargo` with the workspace root as working directory.
pub fn cargo() -> Command {
    command(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// Runs `command` to completion with inherited stdio; fails unless it exits successfully.
pub fn run(command: &mut Command) -> Result<()> {
    eprintln!("xtask: {}", describe(command));
    let status = command
        .status()
        .with_context(|| format!("could not start {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(command));
    }
    Ok(())
}

/// Runs `command` and returns its standard output, or `None` if it could not start or failed.
pub fn output_of(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn describe(command: &Command) -> String {
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!(
        "`{} {}`",
        command.get_program().to_string_lossy(),
        args.join(" ")
    )
}

/// Runs `cargo <args> --message-format=json` (a build, or `test --no-run`) and returns the
/// executables it reports, wherever `CARGO_TARGET_DIR` puts them; with `tests_only`, only test
/// harnesses (not examples or binaries built along the way).
pub fn built_executables(args: &[&str], tests_only: bool) -> Result<Vec<PathBuf>> {
    built_executables_from(cargo().args(args), tests_only)
}

fn built_executables_from(command: &mut Command, tests_only: bool) -> Result<Vec<PathBuf>> {
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let output = command
        .args(["--locked", "--message-format=json"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("could not run cargo {args:?}"))?;
    if !output.status.success() {
        bail!("cargo {args:?} failed");
    }
    let executables = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| !tests_only || message["profile"]["test"] == true)
        .filter_map(|message| message["executable"].as_str().map(PathBuf::from))
        .collect();
    Ok(executables)
}

/// Builds one executable target (`cargo build <args>`) and returns its path.
pub fn built_executable(args: &[&str]) -> Result<PathBuf> {
    let build: Vec<&str> = ["build"].into_iter().chain(args.iter().copied()).collect();
    built_executables(&build, false)?
        .pop()
        .with_context(|| format!("cargo build {args:?} built no executable"))
}

/// [`built_executable`] with one environment variable set for the build.
pub fn built_executable_with_env(args: &[&str], (name, value): (&str, &Path)) -> Result<PathBuf> {
    built_executables_from(cargo().arg("build").args(args).env(name, value), false)?
        .pop()
        .with_context(|| format!("cargo build {args:?} built no executable"))
}
