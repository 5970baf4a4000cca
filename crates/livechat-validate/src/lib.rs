//! Validation of a whole livechat data directory: every file against its kind's
//! schema and the plugin's own reading rules, then the cross-file rules.
//!
//! Data flows one way: [`livechat_schema`] describes the files; this crate reads a
//! data directory (never writing to it, never following a link out of it, never
//! descending into Prosody's folders) and returns findings. It renders nothing:
//! findings carry their spans and sources, and the CLI turns them into reports.
//!
//! Layout: [`finding`] (what a finding is), [`codes`] (the stable codes), [`context`]
//! (the instance and settings checks depend on), [`rules`] (per-kind plugin
//! semantics), [`cross`] (cross-file rules), [`engine`] (walk, parse, schema, span
//! location, orchestration).

pub mod codes;
pub mod context;
pub mod cross;
pub mod engine;
pub mod finding;
pub mod rules;
#[cfg(test)]
mod scaling;
mod work;

pub use context::{Instance, RoomType, ValidateOptions};
pub use finding::{Finding, Severity};
