//! The one binary's figures: its size and the package's, its resident memory idle with TLS on,
//! and the server's CPU time per TLS handshake (`signal-server/examples/tls_handshakes.rs` as
//! the client, on loopback).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};

use crate::bench::{Running, resident_kib};
use crate::cmd::run;
use crate::{build, dist};

/// Handshakes timed; a few seconds on this machine.
const HANDSHAKES: u32 = 1000;

pub fn run_all() -> Result<()> {
    let artifacts = dist::all()?;
    let client = build::server_example("tls_handshakes")?;
    let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut server = Running(
        Command::new(&artifacts.binary)
            .args(["--tls-self-signed", "--listen", &address.to_string()])
            .env("STUBE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("could not start stube")?,
    );
    let pid = server.0.id();
    let stdout = server.0.stdout.take().context("no stdout")?;
    let mut pem = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if line.starts_with("-----BEGIN") || !pem.is_empty() {
            pem.push_str(&line);
            pem.push('\n');
        }
        if line.starts_with("-----END") {
            break;
        }
    }
    ensure!(!pem.is_empty(), "stube printed no certificate");
    let cert = std::env::temp_dir().join(format!("stube-bench-{}.pem", std::process::id()));
    std::fs::write(&cert, pem)?;
    // Settled: the app's files are mapped, nothing else happens.
    std::thread::sleep(Duration::from_secs(1));
    let idle_kib = resident_kib(pid)?;
    let before = cpu_ticks(pid)?;
    let started = Instant::now();
    run(Command::new(&client)
        .arg(address.to_string())
        .arg(&cert)
        .arg(HANDSHAKES.to_string()))?;
    let wall = started.elapsed();
    let server_ticks = cpu_ticks(pid)? - before;
    let _ = std::fs::remove_file(&cert);
    drop(server);

    let ticks_per_second = 100.0; // USER_HZ on Linux
    let server_ms = server_ticks as f64 / ticks_per_second * 1000.0 / f64::from(HANDSHAKES);
    let size = |path: &std::path::Path| -> Result<f64> {
        Ok(std::fs::metadata(path)?.len() as f64 / (1024.0 * 1024.0))
    };
    println!("\nthe one binary (target/dist)\n");
    println!("{:<44} | {:>10}", "figure", "value");
    println!(
        "{:<44} | {:>6.1} MiB",
        "stube binary (app inside)",
        size(&artifacts.binary)?
    );
    println!(
        "{:<44} | {:>6.1} MiB",
        "Debian package",
        size(&artifacts.package)?
    );
    println!(
        "{:<44} | {:>6.1} MiB",
        "idle RSS with TLS on",
        idle_kib as f64 / 1024.0
    );
    println!(
        "{:<44} | {:>6.2} ms",
        format!("server CPU per TLS handshake ({HANDSHAKES})"),
        server_ms
    );
    println!(
        "{:<44} | {:>6.2} ms",
        "wall time per handshake, client included",
        wall.as_secs_f64() * 1000.0 / f64::from(HANDSHAKES)
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average: {}", load.trim());
    Ok(())
}

/// utime + stime of the process, in clock ticks.
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = stat.rsplit_once(')').context("no ) in stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5), counted from the state (field 3) at index 0.
    let utime: u64 = fields.get(11).context("utime")?.parse()?;
    let stime: u64 = fields.get(12).context("stime")?.parse()?;
    Ok(utime + stime)
}
