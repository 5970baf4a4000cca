//! Typed models, JSON Schemas and the path registry of the `peertube-plugin-livechat`
//! data directory (plugin v14.0.4).
//!
//! This crate owns the description of every file: [`Kind`] lists the file kinds,
//! [`registry::classify`] maps a path to its kind, [`models`] holds one serde +
//! schemars type per kind, and [`schema::schema_for`] builds the exported JSON
//! Schema (draft 2020-12). It does no I/O and has no opinion on severity: what the
//! plugin tolerates is the validator's business.

pub mod kind;
pub mod models;
pub mod names;
pub mod registry;
pub mod schema;
pub mod secret;
#[cfg(feature = "proptest")]
pub mod strategies;

/// The version of `peertube-plugin-livechat` whose files and reading rules this
/// workspace describes.
pub const PLUGIN_VERSION: &str = "14.0.4";

pub use kind::Kind;
pub use registry::{Entry, PathParams, classify};

/// The Rust example of `docs/schemas.md`, run as a doctest (rustdoc runs only its
/// `rust` blocks; `cargo xtask ts-check` runs the TypeScript and Python ones).
#[cfg(doctest)]
#[doc = include_str!("../../../docs/schemas.md")]
pub struct SchemasDoc;
