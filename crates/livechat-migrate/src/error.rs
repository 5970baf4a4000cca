//! The errors of the migrator: why a plan cannot be built or applied.
//!
//! Every variant has a stable `livechat::migrate::*` code. Messages name paths
//! relative to the data directory and never quote file contents, so no secret can
//! leak through an error.

use std::path::PathBuf;

/// Why a migration could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MigrateError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(livechat::migrate::read))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    #[diagnostic(
        code(livechat::migrate::write),
        help(
            "nothing is half-done: each file is either old or new; fix the cause, then run the same command again to finish, or `livechat-data migrate restore {backup}` to undo"
        )
    )]
    Write {
        path: String,
        backup: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} changed since the plan was made (expected sha256 {expected})")]
    #[diagnostic(
        code(livechat::migrate::conflict),
        help(
            "something else modified the data directory during the migration; stop PeerTube and Prosody, then restore the backup {backup}"
        )
    )]
    Conflict {
        path: String,
        expected: String,
        backup: String,
    },
    #[error("the plan has {count} error(s); nothing was changed")]
    #[diagnostic(code(livechat::migrate::plan_errors))]
    PlanHasErrors { count: usize },
    #[error("prosody is running (pid {pid} in prosody/prosody.pid)")]
    #[diagnostic(
        code(livechat::migrate::prosody_running),
        help("stop PeerTube and Prosody first, or pass --force if the pid file is stale")
    )]
    ProsodyRunning { pid: u32 },
    #[error("{} is not a data directory", path.display())]
    #[diagnostic(code(livechat::migrate::not_a_dir))]
    NotADir { path: PathBuf },
    #[error("invalid host {host:?}: {why}")]
    #[diagnostic(
        code(livechat::migrate::bad_host),
        help("give a lower-case host name without scheme or port, such as peertube.example.com")
    )]
    BadHost { host: String, why: String },
    #[error("the backup folder {} is unusable: {why}", path.display())]
    #[diagnostic(code(livechat::migrate::backup))]
    Backup { path: PathBuf, why: String },
    #[error("an unfinished {command} migration of this data directory is journaled in {}", path.display())]
    #[diagnostic(
        code(livechat::migrate::unfinished),
        help(
            "run that migration again to finish it, or `livechat-data migrate restore {}` to undo it", path.display()
        )
    )]
    Unfinished { command: String, path: PathBuf },
    #[error("cannot read the inventory: {why}")]
    #[diagnostic(code(livechat::migrate::inventory))]
    Inventory { why: String },
    #[error("cannot query PeerTube's database: {why}")]
    #[diagnostic(
        code(livechat::migrate::database),
        help(
            "check the connection URL (postgres://user:password@host:port/dbname) and that PeerTube's tables exist"
        )
    )]
    Database { why: String },
    #[error("cannot read PeerTube's configuration {}: {why}", path.display())]
    #[diagnostic(code(livechat::migrate::peertube_config))]
    PeertubeConfig { path: PathBuf, why: String },
}

/// Results of this crate.
pub type Result<T, E = MigrateError> = std::result::Result<T, E>;
