//! Running a command inside a private network namespace that has only loopback, so browser tests
//! can reach nothing but the local server (and prove the app needs nothing from outside).

use crate::tools::is_root;
use std::process::Command;

/// `program args…` wrapped in `unshare` with a fresh network namespace whose loopback is up.
/// As root a plain network namespace; otherwise an unprivileged user namespace as well.
pub fn isolated(program: &std::path::Path, args: &[&str]) -> Command {
    let mut command = crate::cmd::command("unshare");
    command.arg("--net");
    if !is_root() {
        command.arg("--map-root-user");
    }
    command
        .args(["sh", "-c", r#"ip link set lo up && exec "$@""#, "sh"])
        .arg(program)
        .args(args);
    command
}
