//! Development tasks of the workspace (`cargo xtask <task>`): `codegen` writes the
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "xtask is a command-line tool: printing is its job")]
//! generated files (`schemas/`) and `codegen --check` fails when they drift.
//!
//! xtask may print and exit; it is never a dependency of the product crates.

mod codegen;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "xtask", about = "Development tasks of livechat-data")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Writes `schemas/` from the models; `--check` only compares.
    Codegen {
        /// Fail with a diff instead of writing when the files differ.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Codegen { check } => codegen::run(check),
    }
}
