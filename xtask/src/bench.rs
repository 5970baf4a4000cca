//! `cargo xtask bench` (placeholder until the measurement lands).

use anyhow::Result;

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {}

pub fn run(_args: BenchArgs) -> Result<()> {
    anyhow::bail!("bench is not available yet")
}
