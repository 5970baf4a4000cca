//! Per-kind rules: what the plugin (and the bot) do when they read a file, as
//! findings with the plugin's severity, plus the digest the cross-file rules need.
//!
//! The engine hands every parsed document to [`check_document`] together with the
//! JSON Schema errors it found. The rules decide what the plugin makes of the
//! file. Every schema error whose instance pointer is at or below one of
//! [`DocumentCheck::covered`] is considered explained by a finding here and is not
//! reported again; any other schema error is reported by the engine as an error
//! (code `schema`). So a deviation the plugin tolerates must be covered here, with a
//! warning that says what the plugin actually reads.

use livechat_schema::{Kind, PathParams};
use serde_json::Value;

use crate::{Finding, Severity, ValidateOptions};

/// Where a document sits, and the run's options.
#[derive(Debug, Clone, Copy)]
pub struct FileContext<'a> {
    /// The path relative to the data directory, `/` separators.
    pub rel_path: &'a str,
    pub kind: Kind,
    pub params: &'a PathParams,
    pub options: &'a ValidateOptions,
}

/// One schema error, owned (converted at the boundary from `jsonschema`'s error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// The JSON pointer of the failing value.
    pub pointer: String,
    /// The failing keyword (`type`, `required`, `pattern`, ...).
    pub keyword: String,
    /// The validator's message; it may quote the value, so never show it for a secret.
    pub message: String,
}

/// What the rules make of one parsed document.
#[derive(Debug, Clone, Default)]
pub struct DocumentCheck {
    pub findings: Vec<Finding>,
    /// Pointers whose schema errors the findings already explain.
    pub covered: Vec<String>,
    /// The compact facts the cross-file rules need (None when the kind needs none or
    /// the plugin would not read the file).
    pub digest: Option<Digest>,
}

/// The facts about one file that cross-file rules use. Kept small: the engine holds
/// one per file for the whole run.
#[derive(Debug, Clone, PartialEq)]
pub enum Digest {}

/// Checks one parsed document. `schema_errors` are all the schema errors of the
/// document (empty when it matches its schema).
pub fn check_document(
    value: &Value,
    schema_errors: &[SchemaError],
    ctx: &FileContext<'_>,
) -> DocumentCheck {
    let _ = (value, schema_errors, ctx);
    DocumentCheck::default()
}

/// The severity of a file of `kind` that is not JSON at all (empty, truncated, not
/// UTF-8): what the plugin does when its `JSON.parse` fails.
pub fn unparsable_severity(kind: Kind) -> Severity {
    let _ = kind;
    Severity::Error
}
