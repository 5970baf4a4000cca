//! Cross-file rules: room-channel against bot room files against channel
//! configurations, emoji definitions against their files, other MUC domains, token
//! files of another domain, local videoInfos against the instance and room type.
//!
//! The engine indexes every path it saw ([`IndexedFile`]); [`check`] works only on
//! that index and the digests of [`crate::rules`], never on the file system.

use livechat_schema::Entry;

use crate::rules::Digest;
use crate::{Finding, ValidateOptions};

/// One path of the data directory, as the engine saw it.
#[derive(Debug, Clone)]
pub struct IndexedFile {
    /// Relative to the data directory, `/` separators.
    pub rel_path: String,
    /// What the registry says the path is.
    pub entry: Entry,
    /// The file's size in bytes.
    pub size: u64,
    /// Whether the file parsed as JSON (always false for non-JSON entries).
    pub parsed: bool,
    /// The rules' digest of the file, if any.
    pub digest: Option<Digest>,
}

/// Runs every cross-file rule. Returns findings with the path of the file each one is
/// about (its pointer is located in that file by the engine).
pub fn check(files: &[IndexedFile], options: &ValidateOptions) -> Vec<(String, Finding)> {
    let _ = (files, options);
    Vec::new()
}
