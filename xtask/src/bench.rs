//! `cargo xtask bench`: the benchmarks behind BENCHMARKS.md.

use anyhow::Result;

pub fn all() -> Result<()> {
    anyhow::bail!("benchmarks are added with the crates they measure")
}
