//! `cargo xtask`: everything beyond `cargo build`. Installs the tools Stube needs, builds the app
//! with Trunk (offline), runs the server, runs every test, and runs the benchmarks.

mod bench;
mod build;
mod cmd;
mod crosscheck;
mod dist;
mod dist_bench;
mod netns;
mod precompress;
mod test;
mod tools;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Stube's development tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what is missing, build the app in release mode and start the server on
    /// http://127.0.0.1:8080. Arguments after `--` go to the server (`cargo xtask run -- --help`).
    Run {
        #[arg(last = true)]
        server_args: Vec<String>,
    },
    /// Install what is missing (including Chromium, Firefox ESR and geckodriver), then run
    /// formatting and lint checks, every Rust test, the wasm tests in headless Chromium and
    /// Firefox, and the end-to-end browser tests.
    Test,
    /// Run the benchmarks and print their figures (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        only: Option<Bench>,
    },
    /// Build what an operator installs into target/dist/: the `stube` binary with the app
    /// inside, and a Debian package with a systemd unit and /etc/stube/stube.toml.
    Dist,
}

#[derive(Subcommand)]
enum Bench {
    /// Only the signalling server under load (`loadgen/`): idle cost, relay latency, throughput,
    /// churn and abuse, a few minutes on loopback. Arguments after `--` go to the load generator
    /// (`cargo xtask bench server -- --help`).
    Server {
        #[arg(last = true)]
        loadgen_args: Vec<String>,
    },
    /// Only the one binary from `cargo xtask dist`: its size, the package's, idle memory with
    /// TLS on, and the server's CPU time per TLS handshake.
    Dist,
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Run { server_args } => {
            tools::ensure_build_tools()?;
            build::app()?;
            build::run_server(&server_args)
        }
        Task::Test => {
            tools::ensure_build_tools()?;
            tools::ensure_browser()?;
            test::all()
        }
        Task::Dist => {
            tools::ensure_build_tools()?;
            dist::all().map(drop)
        }
        Task::Bench { only: None } => {
            tools::ensure_build_tools()?;
            tools::ensure_browser()?;
            bench::all()
        }
        Task::Bench {
            only: Some(Bench::Server { loadgen_args }),
        } => {
            tools::ensure_build_tools()?;
            bench::server(&loadgen_args)
        }
        Task::Bench {
            only: Some(Bench::Dist),
        } => {
            tools::ensure_build_tools()?;
            dist_bench::run_all()
        }
    }
}
