//! Migrations of a livechat data directory: MUC-domain renames and pruning of what
//! belongs to deleted videos and channels, planned purely and applied safely.
//!
//! Layout: [`plan`] (what a plan is), [`rename_domain`] and [`prune`] (planners that
//! only read; [`prosody`] plans their part in Prosody's data), [`execute`] (backup, manifest, journal, atomic steps, resume,
//! restore), [`inventory`] (what exists in PeerTube's database), [`peertube`] (PeerTube's
//! layered configuration, its instance host and the plugin's row), [`hosts`] and
//! [`fsutil`] (helpers). This crate never prints: progress goes through
//! [`execute::Progress`], results are returned.

pub mod error;
pub mod execute;
pub mod fsutil;
pub mod hosts;
pub mod inventory;
pub mod peertube;
pub mod plan;
pub mod prosody;
pub mod prune;
pub mod rename_domain;
pub mod transforms;
pub mod tree;

pub use error::{MigrateError, Result};
pub use execute::{ApplyOptions, ApplyReport, NoProgress, Progress, RestoreReport, apply, restore};
pub use plan::{
    Command, ContentTransform, NewContent, Op, OpKind, Operation, Plan, RelPath, Summary,
};
pub use prune::{plan_prune, plan_prune_with};
pub use rename_domain::plan_rename_domain;
