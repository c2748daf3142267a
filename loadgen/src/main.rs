//! `loadgen`: a load generator for `signal-server`, run by `cargo xtask bench server` (the full
//! bench, a few minutes) and `cargo xtask test` (`--quick`, a few seconds).
//!
//! A crate of its own rather than an example of `signal-server`: it starts the server as a
//! separate process (the release binary, as operators run it), so its figures are the server's
//! alone, read from `/proc`, and it needs none of the server's code, only the wire protocol.
//!
//! It measures, with loopback clients bound to many source addresses (`addresses`):
//! - the idle cost: VmRSS with 0, 1,000 and 10,000 joined idle connections (`idle`);
//! - the one-way relay latency of a 1 KiB message between two members of a room, unloaded and
//!   beside a background load in other rooms (`traffic`);
//! - the throughput at saturation and the server's CPU meanwhile;
//! - churn: joins and leaves at a steady rate, VmRSS before and after (`churn`);
//! - abuse: a flood, an oversize frame, a member that never reads, one connection past the
//!   per-address cap and one that never joins, each checked for its close code while a normal
//!   pair goes on, against a second server with the default limits (`abuse`).
//!
//! It checks, in every run, only what load cannot excuse: every relayed message delivered exactly
//! once and in order, each abuse case closed with its code, and both servers still answering
//! `/healthz`. It exits non-zero when a check fails. Everything is bounded in count and time and
//! stays on 127.0.0.0/8.

mod abuse;
mod addresses;
mod churn;
mod client;
mod idle;
mod plan;
mod procfs;
mod report;
mod run;
mod server;
mod stats;
mod traffic;

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use clap::Parser;

/// Descriptors kept free beyond the idle connections (pairs, churn, abuse, the server's files).
const SPARE_FILES: u64 = 1000;

/// Load generator for signal-server: idle cost, relay latency, throughput, churn and abuse.
#[derive(Debug, Parser)]
#[command(about)]
struct Args {
    /// The signal-server binary to start (`cargo xtask bench server` passes the release build).
    #[arg(long)]
    server: PathBuf,
    /// A few seconds instead of a few minutes, with small counts: for `cargo xtask test`.
    #[arg(long)]
    quick: bool,
    /// Idle connections held at the last memory step and through the later scenarios
    /// (default 10000; quick: 200).
    #[arg(long)]
    idle: Option<usize>,
    /// How long the churn runs, in seconds (default 90; quick: 2).
    #[arg(long)]
    churn_seconds: Option<u64>,
    /// Do not require the flooder to be closed with 4009 (for a server from before the
    /// per-sender rate limit); what happened is printed either way.
    #[arg(long)]
    flood_close_optional: bool,
    /// An extra argument for the measurement server (not the abuse server); repeat for several,
    /// e.g. `--server-arg=--send-queue-bytes --server-arg=524288`.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut plan = if args.quick {
        plan::Plan::quick()
    } else {
        plan::Plan::full()
    };
    if let Some(idle) = args.idle {
        plan.idle_steps.retain(|&step| step < idle);
        plan.idle_steps.push(idle);
    }
    if let Some(seconds) = args.churn_seconds {
        plan.churn.duration = std::time::Duration::from_secs(seconds);
    }
    plan.expect_flood_close = !args.flood_close_optional;
    plan.server_args = args.server_args;
    raise_open_files(&mut plan);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let checks = runtime.block_on(run::run(&args.server, &plan))?;
    checks.print();
    if checks.failed() {
        bail!("some checks failed (see above)");
    }
    Ok(())
}

/// Raises this process's open-files limit (which the server inherits) to its hard limit; where
/// that is too low, says so and holds fewer idle connections.
fn raise_open_files(plan: &mut plan::Plan) {
    let needed = plan.idle() as u64 + SPARE_FILES;
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            println!("could not raise the open-files limit: {error}");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(0, |(soft, _)| soft)
        }
    };
    if limit < needed {
        let most = usize::try_from(limit.saturating_sub(SPARE_FILES)).unwrap_or(0);
        println!(
            "OPEN-FILES LIMIT {limit} is below the {needed} this run needs: holding at most {most} \
             idle connections (raise the hard limit, `ulimit -Hn`, for the full figure)"
        );
        plan.cap_idle(most);
    }
}
