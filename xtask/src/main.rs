//! Development tasks of the workspace (`cargo xtask <task>`): `codegen` writes the
//! generated files (`schemas/`, `schemas/ts/`, `docs/diagnostics.md`) and
//! `codegen --check` fails when they drift; `ts-check` type-checks `schemas/ts/`;
//! `crossval` checks the exported schemas against Python's `jsonschema` and Node's
//! `ajv`; `bench` measures `livechat-data` against other validators and `cp -a`;
//! `bot-check` asks the moderation bot for a second opinion on room files;
//! `sarif-check` asks Microsoft's SARIF multitool about the `sarif` format; `fuzz`
//! runs the cargo-fuzz targets; `prosody-check` proves both migrations on a real
//! Prosody; `man` writes the man pages; `dist` builds the release artifacts and
//! `dist-check` installs and runs them.
//!
//! xtask may print, install tools into `target/` and exit; it is never a dependency
//! of the product crates.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "xtask is a command-line tool: printing is its job"
)]

mod bench;
mod bench_migrate;
mod botcheck;
mod codegen;
mod crossval;
mod dist;
mod docs;
mod fuzz;
mod gen_data;
mod man;
mod prosody_check;
mod sarif_check;
mod tools;
mod ts;
mod ts_check;

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
    /// Writes `schemas/` from the models (with their TypeScript declarations in
    /// `schemas/ts/`, generated with Node.js) and `docs/diagnostics.md` from the codes'
    /// definitions and pages; `--check` only compares.
    Codegen {
        /// Fail with a diff instead of writing when the files differ.
        #[arg(long)]
        check: bool,
        /// Leave `schemas/ts/` alone (it needs Node.js and npm).
        #[arg(long)]
        no_ts: bool,
    },
    /// Type-checks `schemas/ts/` with `tsc --strict`: the declarations, every fixture
    /// as a typed literal (valid ones must pass, invalid ones fail unless listed in
    /// `fixtures/files/TYPESCRIPT.md`), a project importing them from a package laid
    /// out like the npm package, and the examples of `docs/schemas.md`.
    TsCheck,
    /// Validates every fixture with our schemas in Rust, serde, Python's jsonschema
    /// and ajv, and fails when any verdict differs.
    Crossval,
    /// Generates a large data dir under `target/bench/` and measures `livechat-data`
    /// against jsonschema-cli, check-jsonschema and `cp -a`.
    Bench(bench::BenchArgs),
    /// Asks the moderation bot (xmppjs-chat-bot 0.7.0, from npm) what it makes of every
    /// bot room file of the fixtures and of mutated copies, and fails where it rejects a
    /// file or drops a handler that the validator reports no error for.
    BotCheck,
    /// Runs the cargo-fuzz targets (classifier, locator, per-file validator) with a
    /// corpus seeded from `fixtures/`; crashing inputs are kept in `fixtures/fuzz/`.
    Fuzz(fuzz::FuzzArgs),
    /// Runs both migrations on the data of a real Prosody (Debian's 0.12, installed when
    /// missing) and checks through XMPP (slixmpp) that rooms, settings, affiliations,
    /// accounts and history survive a rename and a restore, and that prune removes
    /// exactly what Prosody's own room destroy removes.
    ProsodyCheck(prosody_check::Args),
    /// Runs Microsoft's SARIF multitool (5.7.0, from npm) on `validate --format sarif`
    /// of every fixture data dir, with the SARIF and the GitHub rules, and fails on
    /// any error or warning.
    SarifCheck,
    /// Builds the release artifacts into `target/dist/`: a portable Linux x86_64
    /// binary (glibc 2.31) in a tarball, a .deb and npm packages, each with a .sha256.
    Dist(dist::DistArgs),
    /// Installs each artifact of `target/dist/` into a temporary prefix and runs it.
    DistCheck,
    /// Writes the man pages of `livechat-data` (clap_mangen), to `target/man/` by default.
    Man {
        /// Where to write the pages.
        out_dir: Option<std::path::PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Codegen { check, no_ts } => codegen::run(check, !no_ts),
        Task::TsCheck => ts_check::run(),
        Task::Crossval => crossval::run(),
        Task::Bench(args) => bench::run(args),
        Task::Man { out_dir } => man::run(out_dir),
        Task::Dist(args) => dist::run(args),
        Task::DistCheck => dist::check::run(),
        Task::BotCheck => botcheck::run(),
        Task::Fuzz(args) => fuzz::run(args),
        Task::ProsodyCheck(args) => prosody_check::run(args),
        Task::SarifCheck => sarif_check::run(),
    }
}
