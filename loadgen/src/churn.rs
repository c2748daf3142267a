//! Churn: members join and leave at a steady rate, each staying a fixed time (two to a room),
//! while the idle crowd stays; the server's memory before and after.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::task::JoinSet;
use tokio::time::{MissedTickBehavior, interval, sleep, timeout};

use crate::addresses::{PER_ADDRESS, Role, source};
use crate::client::{PATIENCE, close_code, connect, join, room};

/// Room namespace of the churn.
const ROOMS: u8 = 3;
/// Source addresses the churn cycles through.
const ADDRESSES: usize = 64;

/// How the churn runs.
#[derive(Debug, Clone, Copy)]
pub struct Churn {
    pub joins_per_second: u32,
    pub duration: Duration,
    /// How long each member stays.
    pub stay: Duration,
}

/// What the churn came to.
#[derive(Debug, Default)]
pub struct Outcome {
    pub joined: u64,
    pub failed: u64,
    pub first_failure: Option<String>,
    pub elapsed: Duration,
}

/// Runs the churn to its end and waits for every member to have left.
pub async fn run(server: SocketAddr, churn: Churn) -> Result<Outcome> {
    let concurrent = (f64::from(churn.joins_per_second) * churn.stay.as_secs_f64()).ceil() as usize;
    let rooms = (concurrent / 2).max(1);
    let mut ticker = interval(Duration::from_secs_f64(
        1.0 / f64::from(churn.joins_per_second.max(1)),
    ));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut members = JoinSet::new();
    let start = Instant::now();
    let mut n = 0_usize;
    while start.elapsed() < churn.duration {
        ticker.tick().await;
        let address = source(Role::Churn, (n % ADDRESSES) * PER_ADDRESS);
        let room = room(ROOMS, n % rooms)?;
        members.spawn(async move {
            let mut ws = connect(server, address, None).await?;
            join(&mut ws, room).await?;
            // The member's stay is the workload, not a wait for an event.
            sleep(churn.stay).await;
            ws.close(None).await?;
            timeout(PATIENCE, close_code(&mut ws)).await?;
            anyhow::Ok(())
        });
        n += 1;
    }
    let mut outcome = Outcome::default();
    while let Some(member) = members.join_next().await {
        match member {
            Ok(Ok(())) => outcome.joined += 1,
            Ok(Err(error)) => {
                outcome.failed += 1;
                outcome.first_failure.get_or_insert(format!("{error:#}"));
            }
            Err(error) => {
                outcome.failed += 1;
                outcome.first_failure.get_or_insert(error.to_string());
            }
        }
    }
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}
