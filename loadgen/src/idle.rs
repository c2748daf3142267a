//! The idle crowd: members that join a room, four to a room, and then only read (which answers
//! the server's pings), held open while the other scenarios run. Replaces the old
//! `signal-server/examples/idle_connections.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, Result};
use futures_util::StreamExt as _;
use tokio::task::JoinSet;

use crate::addresses::{Role, source};
use crate::client::{close_code, connect, join, room};

/// Members per room.
pub const PER_ROOM: usize = 4;
/// Connections opened at once while the crowd grows.
const OPENING_AT_ONCE: usize = 64;
/// Room namespace of the idle crowd.
const ROOMS: u8 = 1;

/// Idle members; dropping the crowd closes them.
#[derive(Default)]
pub struct Crowd {
    members: JoinSet<()>,
    opened: usize,
    /// Members whose connection ended while held.
    lost: Arc<AtomicUsize>,
}

impl Crowd {
    pub fn len(&self) -> usize {
        self.opened
    }

    pub fn lost(&self) -> usize {
        self.lost.load(Ordering::Relaxed)
    }

    /// Opens members until there are `count`, each joined (its welcome received).
    pub async fn grow(&mut self, server: SocketAddr, count: usize) -> Result<()> {
        let mut opening = futures_util::stream::iter(self.opened..count)
            .map(|n| async move {
                let mut ws = connect(server, source(Role::Idle, n), None).await?;
                join(&mut ws, room(ROOMS, n / PER_ROOM)?).await?;
                anyhow::Ok(ws)
            })
            .buffer_unordered(OPENING_AT_ONCE);
        while let Some(opened) = opening.next().await {
            let mut ws = opened.with_context(|| {
                format!("opening idle connection {} of {count}", self.opened + 1)
            })?;
            let lost = Arc::clone(&self.lost);
            self.members.spawn(async move {
                close_code(&mut ws).await;
                lost.fetch_add(1, Ordering::Relaxed);
            });
            self.opened += 1;
        }
        Ok(())
    }
}
