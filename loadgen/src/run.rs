//! The whole run: a server with raised limits for memory, latency, throughput and churn (the idle
//! crowd held open throughout), then a server with the default limits for the abuse cases. Each
//! scenario prints its table as soon as it ends; the checks and goals come last.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use protocol::CloseCode;
use tokio::task::JoinSet;

use crate::abuse;
use crate::addresses::Role;
use crate::churn;
use crate::client::{describe, room};
use crate::idle::{self, Crowd};
use crate::plan::{PAYLOAD, Plan};
use crate::procfs;
use crate::report::{Checks, goal, heading, mib, micros};
use crate::server::{Limits, Server};
use crate::traffic::{Pair, PingPong, Tally, one_way, ping_pong, stop_after};

/// Room namespace of the pairs.
const PAIR_ROOMS: u8 = 2;

/// Goals of issue #12.
const GOAL_BYTES_PER_CONNECTION: u64 = 4 * 1024;
const GOAL_IDLE_KIB: u64 = 8 * 1024;
const GOAL_P99: Duration = Duration::from_millis(1);
const GOAL_MESSAGES_PER_SECOND: f64 = 100_000.0;

/// Hands out pair addresses and rooms, so that no two pairs share either.
#[derive(Default)]
struct Pairs {
    opened: usize,
}

impl Pairs {
    async fn open(&mut self, server: &Server) -> Result<Pair> {
        let n = self.opened;
        self.opened += 1;
        Pair::open(server.addr, Role::Pairs, 2 * n, room(PAIR_ROOMS, n)?).await
    }
}

/// What the goals are judged on.
#[derive(Default)]
struct Figures {
    idle_kib: Option<u64>,
    bytes_per_connection: Option<(usize, u64)>,
    p99: Vec<(String, Option<Duration>)>,
    messages_per_second: Option<f64>,
}

pub async fn run(binary: &Path, plan: &Plan) -> Result<Checks> {
    let epoch = Instant::now();
    let mut checks = Checks::default();
    let mut figures = Figures::default();
    println!(
        "machine: {}; open-files limit {}",
        procfs::machine(),
        rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(0, |(soft, _)| soft)
    );
    let mut server = Server::start(
        binary,
        Limits::Raised {
            connections: plan.connections(),
        },
        plan.join_timeout,
        &plan.server_args,
    )?;

    heading("Idle cost: server resident memory (VmRSS)");
    println!(
        "{:>12} | {:>10} | {:>15}",
        "connections", "VmRSS", "per connection"
    );
    let base = settled_kib(&server).await?;
    println!("{:>12} | {:>10} | {:>15}", 0, mib(base), "");
    figures.idle_kib = Some(base);
    let mut crowd = Crowd::default();
    for &step in &plan.idle_steps {
        crowd.grow(server.addr, step).await?;
        let kib = settled_kib(&server).await?;
        let per = kib.saturating_sub(base) * 1024 / step.max(1) as u64;
        println!("{:>12} | {:>10} | {:>9} bytes", crowd.len(), mib(kib), per);
        figures.bytes_per_connection = Some((step, per));
    }
    println!(
        "({} per room; each client's kernel socket buffers are not in the server's RSS)",
        idle::PER_ROOM
    );

    let mut pairs = Pairs::default();
    let single = PingPong {
        window: 1,
        payload: PAYLOAD,
        pace: None,
    };
    heading(&format!(
        "Relay latency, one way, {PAYLOAD}-byte payload, {} idle connections open",
        crowd.len()
    ));
    println!(
        "{:<40} | {:>8} | {:>26}",
        "load", "samples", "p50 / p99 / p99.9"
    );
    let pair = pairs.open(&server).await?;
    let mut unloaded = ping_pong(pair, single, stop_after(plan.latency_for), epoch).await;
    checks.delivery("latency pair, unloaded", &unloaded);
    println!(
        "{:<40} | {:>8} | {:>26}",
        "none (ping-pong, one message in flight)",
        unloaded.latencies.len(),
        unloaded.latencies.summary()
    );
    figures.p99.push((
        "p99 latency, unloaded".to_owned(),
        unloaded.latencies.percentile(99.0),
    ));

    let mut background = JoinSet::new();
    let per_pair = plan.background_rate / plan.background_pairs.max(1) as f64;
    for _ in 0..plan.background_pairs {
        let pair = pairs.open(&server).await?;
        background.spawn(one_way(
            pair,
            per_pair,
            PAYLOAD,
            stop_after(plan.latency_for),
            epoch,
        ));
    }
    let background_start = Instant::now();
    let pair = pairs.open(&server).await?;
    let mut loaded = ping_pong(pair, single, stop_after(plan.latency_for), epoch).await;
    let mut load = Tally::default();
    while let Some(tally) = background.join_next().await {
        load.add(tally?);
    }
    let achieved = load.relayed as f64 / background_start.elapsed().as_secs_f64();
    checks.delivery("latency pair, loaded", &loaded);
    checks.delivery("background pairs", &load);
    println!(
        "{:<40} | {:>8} | {:>26}",
        format!(
            "{:.0} msg/s over {} other rooms",
            plan.background_rate, plan.background_pairs
        ),
        loaded.latencies.len(),
        loaded.latencies.summary()
    );
    println!(
        "(background achieved {achieved:.0} msg/s; its own latency {})",
        load.latencies.summary()
    );
    figures.p99.push((
        format!("p99 latency, {:.0} msg/s load", plan.background_rate),
        loaded.latencies.percentile(99.0),
    ));

    heading(&format!(
        "Throughput at saturation, {PAYLOAD}-byte payload, {} idle connections open",
        crowd.len()
    ));
    let mut running = JoinSet::new();
    let mut opened = Vec::new();
    for _ in 0..plan.throughput_pairs {
        opened.push(pairs.open(&server).await?);
    }
    let window = PingPong {
        window: plan.throughput_window,
        ..single
    };
    let ticks = server.cpu_ticks()?;
    let start = Instant::now();
    for pair in opened {
        running.spawn(ping_pong(
            pair,
            window,
            stop_after(plan.throughput_for),
            epoch,
        ));
    }
    let mut saturated = Tally::default();
    while let Some(tally) = running.join_next().await {
        saturated.add(tally?);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = (server.cpu_ticks()? - ticks) as f64 / procfs::ticks_per_second() as f64;
    let rate = saturated.relayed as f64 / elapsed;
    checks.delivery("throughput pairs", &saturated);
    println!(
        "{} pairs (ping-pong, {} in flight each way), {:.1} s: {:.0} relayed msg/s; server CPU {:.0} % of one core, \
         so {:.0} msg per second of server CPU; latency {}",
        plan.throughput_pairs,
        plan.throughput_window,
        elapsed,
        rate,
        100.0 * cpu / elapsed,
        saturated.relayed as f64 / cpu.max(0.01),
        saturated.latencies.summary()
    );
    println!("(the load generator runs on the same two cores)");
    figures.messages_per_second = Some(rate);

    heading(&format!(
        "Churn: {} joins/s for {} s, each member staying {} ms, {} idle connections open",
        plan.churn.joins_per_second,
        plan.churn.duration.as_secs(),
        plan.churn.stay.as_millis(),
        crowd.len()
    ));
    let before = settled_kib(&server).await?;
    let churned = churn::run(server.addr, plan.churn).await?;
    let after = settled_kib(&server).await?;
    println!(
        "{} joined and left, {} failed{}; VmRSS {} before, {} after ({:+} KiB) over {:.0} s",
        churned.joined,
        churned.failed,
        churned
            .first_failure
            .map(|failure| format!(" (first: {failure})"))
            .unwrap_or_default(),
        mib(before),
        mib(after),
        after as i64 - before as i64,
        churned.elapsed.as_secs_f64()
    );
    println!("idle connections lost during the run: {}", crowd.lost());
    checks.expect(
        server.healthy(),
        "measurement server answers /healthz at the end",
    );
    drop(crowd);
    drop(server);

    heading("Abuse, against a server with the default limits (join timeout shortened)");
    let mut defaults = Server::start(binary, Limits::Defaults, plan.join_timeout, &[])?;
    let (outcomes, mut normal) = abuse::run(defaults.addr, plan.abuse, epoch).await?;
    println!(
        "{:<40} | {:>8} | {:>14} | what happened",
        "case", "expected", "got"
    );
    for outcome in &outcomes {
        println!(
            "{:<40} | {:>8} | {:>14} | {}",
            outcome.case,
            outcome.expected,
            describe(outcome.got),
            outcome.detail
        );
        let required =
            plan.expect_flood_close || outcome.expected != CloseCode::TooManyMessages.code();
        checks.expect(
            outcome.ok() || !required,
            format!(
                "{}: expected close code {}, got {} ({})",
                outcome.case,
                outcome.expected,
                describe(outcome.got),
                outcome.detail
            ),
        );
    }
    checks.delivery("normal pair beside the abuse", &normal);
    println!(
        "normal pair meanwhile ({:.0} round trips/s): {} samples, {}",
        1.0 / abuse::NORMAL_PACE.as_secs_f64(),
        normal.latencies.len(),
        normal.latencies.summary()
    );
    figures.p99.push((
        "p99 latency beside the abuse".to_owned(),
        normal.latencies.percentile(99.0),
    ));
    checks.expect(
        defaults.healthy(),
        "abuse server answers /healthz at the end",
    );

    heading("Goals");
    if plan.quick {
        println!("(a quick run: its figures are too small to judge the goals by)");
    } else {
        print_goals(&figures);
    }
    Ok(checks)
}

/// VmRSS once it has settled: two readings 100 ms apart within 0.5 %, or the last of 30.
async fn settled_kib(server: &Server) -> Result<u64> {
    let mut last = server.resident_kib()?;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = server.resident_kib()?;
        if now.abs_diff(last) * 200 <= last {
            return Ok(now);
        }
        last = now;
    }
    Ok(last)
}

fn print_goals(figures: &Figures) {
    if let Some(kib) = figures.idle_kib {
        goal("idle RSS ≤ 8 MiB", mib(kib), Some(kib <= GOAL_IDLE_KIB));
    }
    if let Some((connections, bytes)) = figures.bytes_per_connection {
        goal(
            &format!("≤ 4 KiB per idle connection (at {connections})"),
            format!("{bytes} bytes"),
            Some(bytes <= GOAL_BYTES_PER_CONNECTION),
        );
    }
    for (name, p99) in &figures.p99 {
        goal(
            &format!("{name} < 1 ms"),
            micros(*p99),
            p99.map(|p99| p99 < GOAL_P99),
        );
    }
    if let Some(rate) = figures.messages_per_second {
        goal(
            "≥ 100,000 relayed msg/s",
            format!("{rate:.0}"),
            Some(rate >= GOAL_MESSAGES_PER_SECOND),
        );
    }
}
