//! Cutting the media path between the browsers for a while, as a network change would: an
//! nftables table inside the test's own network namespace drops every UDP packet (WebRTC's
//! media and ICE checks) while TCP (the signalling socket, the DevTools connection) goes on.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::process::{Command, Stdio};

const TABLE: &str = "stube_blackout";

/// While this lives, UDP on every interface of the namespace is dropped.
pub struct Blackout {
    nft: String,
}

impl Blackout {
    /// Starts dropping UDP (`nft` from `STUBE_NFT`, set by `cargo xtask test`).
    pub fn start() -> Result<Self> {
        let nft =
            std::env::var("STUBE_NFT").context("STUBE_NFT is not set (run `cargo xtask test`)")?;
        let rules = format!(
            "table inet {TABLE} {{\n\
               chain input {{ type filter hook input priority 0; meta l4proto udp drop; }}\n\
               chain output {{ type filter hook output priority 0; meta l4proto udp drop; }}\n\
             }}\n"
        );
        run(&nft, &["-f", "-"], Some(&rules))?;
        Ok(Self { nft })
    }

    /// Lets UDP through again.
    pub fn end(self) -> Result<()> {
        run(&self.nft, &["delete", "table", "inet", TABLE], None)
    }
}

impl Drop for Blackout {
    fn drop(&mut self) {
        // After `end` the table is gone and this fails quietly; after a panic it lifts the cut.
        let _ = Command::new(&self.nft)
            .args(["delete", "table", "inet", TABLE])
            .stderr(Stdio::null())
            .status();
    }
}

fn run(nft: &str, args: &[&str], input: Option<&str>) -> Result<()> {
    let mut child = Command::new(nft)
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not run {nft}"))?;
    if let Some(input) = input {
        child
            .stdin
            .take()
            .context("nft's stdin")?
            .write_all(input.as_bytes())?;
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("{nft} {} failed: {status}", args.join(" "));
    }
    Ok(())
}
