//! `livechat-data migrate ...` and `livechat-data inventory`.

use std::process::ExitCode;

/// The migrations.
#[derive(Debug, clap::Subcommand)]
pub enum MigrateCommand {}

/// Arguments of `inventory`.
#[derive(Debug, clap::Args)]
pub struct InventoryArgs {}

pub fn run(cmd: MigrateCommand) -> miette::Result<ExitCode> {
    match cmd {}
}

pub fn inventory(_args: InventoryArgs) -> miette::Result<ExitCode> {
    Err(miette::miette!("inventory is not available yet"))
}
