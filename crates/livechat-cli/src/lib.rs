//! The `livechat-data` command: validate, migrate and document the data directory
//! of the PeerTube livechat plugin.
//!
//! The binary (`main.rs`) only calls [`main`]; the library exists so that xtask can
//! build the man page from the same clap definition ([`command`]). Only this crate
//! renders diagnostics and prints. Exit status: 0 when all is well,
//! 1 when the data has errors (or, with `--deny-warnings`, warnings), 2 when the
//! command could not run.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the binary is where output is rendered"
)]

mod cmd_completions;
mod cmd_explain;
mod cmd_migrate;
mod cmd_schema;
mod cmd_validate;
pub mod version;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// The default data directory of the plugin.
pub const DEFAULT_DATA_DIR: &str =
    "/var/www/peertube/storage/plugins/data/peertube-plugin-livechat";

/// Validate, migrate and document the data directory of the PeerTube livechat plugin.
#[derive(Debug, Parser)]
#[command(
    name = "livechat-data",
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  \
livechat-data validate /var/www/peertube/storage/plugins/data/peertube-plugin-livechat --peertube-config /var/www/peertube/config/production.yaml\n  \
livechat-data explain room-not-linked\n  \
livechat-data migrate prune DIR --inventory inventory.json"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List and export the JSON Schemas of the data directory's files.
    #[command(
        subcommand,
        after_help = "Example:\n  livechat-data schema export ./schemas"
    )]
    Schema(cmd_schema::SchemaCommand),
    /// Check a whole data directory: every file, every cross-file rule.
    Validate(cmd_validate::ValidateArgs),
    /// Explain a diagnostic code: what the plugin does, an example, why it matters,
    /// how to fix it.
    Explain(cmd_explain::ExplainArgs),
    /// Plan or apply a migration of the data directory.
    #[command(
        subcommand,
        after_help = "Example:\n  livechat-data migrate rename-domain --from old.example.com --to new.example.com DIR"
    )]
    Migrate(cmd_migrate::MigrateCommand),
    /// Write the inventory of existing channels and videos, from PeerTube's database.
    Inventory(cmd_migrate::InventoryArgs),
    /// Print a shell completion script.
    Completions(cmd_completions::CompletionsArgs),
}

/// The clap definition of the whole command line (for the man page and completions),
/// with the build's version: `-V` prints [`version::short`], `--version`
/// [`version::long`].
pub fn command() -> clap::Command {
    Cli::command()
        .version(version::short())
        .long_version(version::long())
}

/// Runs the command line and returns the exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let result = match cli.command {
        Command::Schema(cmd) => cmd_schema::run(cmd),
        Command::Validate(args) => cmd_validate::run(args),
        Command::Explain(args) => cmd_explain::run(args),
        Command::Migrate(cmd) => cmd_migrate::run(cmd),
        Command::Inventory(args) => cmd_migrate::inventory(args),
        Command::Completions(args) => cmd_completions::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{err:?}");
            ExitCode::from(2)
        }
    }
}
