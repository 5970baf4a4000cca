//! What a migration will do: a [`Plan`] of [`Operation`]s, with warnings and errors.
//!
//! A plan is produced by a planner ([`crate::rename_domain`], [`crate::prune`]) that
//! only reads, and consumed by [`crate::execute`]. Paths are relative to the data
//! directory with `/` separators; a folder's path ends with `/`. The new content of a
//! rewritten file is carried in the plan but never rendered (it may hold a secret).

use serde::{Deserialize, Serialize};

/// The kind of an operation, as the plan shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    /// The file moves to `to` (with new content when the plan carries one: a merge, or a
    /// domain rewritten on the way).
    Rename,
    /// The file's content is replaced.
    Rewrite,
    /// The file (or the folder, emptied by earlier operations) is removed.
    Delete,
    /// A bot room file is rewritten with `"enabled": false`.
    Disable,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Rename => "rename",
            OpKind::Rewrite => "rewrite",
            OpKind::Delete => "delete",
            OpKind::Disable => "disable",
        }
    }
}

/// One operation of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub op: OpKind,
    /// The file or folder operated on, relative to the data directory.
    pub path: String,
    /// The destination of a rename.
    pub to: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// The new bytes of a rewrite, a disable, or a rename that changes the content.
    pub content: Option<Vec<u8>>,
}

impl Operation {
    pub fn new(op: OpKind, path: impl Into<String>, reason: impl Into<String>) -> Self {
        Operation {
            op,
            path: path.into(),
            to: None,
            reason: reason.into(),
            content: None,
        }
    }

    pub fn to(mut self, to: impl Into<String>) -> Self {
        self.to = Some(to.into());
        self
    }

    pub fn content(mut self, content: Vec<u8>) -> Self {
        self.content = Some(content);
        self
    }

    /// Whether the operation removes a folder (rather than a file).
    pub fn is_dir(&self) -> bool {
        self.path.ends_with('/')
    }
}

/// Which migration a plan belongs to: what the journal records to recognise "the
/// same command" when it is run again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum Command {
    RenameDomain { from: String, to: String },
    Prune { instance_host: String },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::RenameDomain { .. } => "rename-domain",
            Command::Prune { .. } => "prune",
        }
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::RenameDomain { from, to } => write!(f, "rename-domain {from} -> {to}"),
            Command::Prune { instance_host } => write!(f, "prune (instance {instance_host})"),
        }
    }
}

/// A migration plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub command: Command,
    pub operations: Vec<Operation>,
    pub warnings: Vec<String>,
    /// Problems that forbid applying the plan.
    pub errors: Vec<String>,
}

/// The JSON shape of one operation in `--format json`.
#[derive(Debug, Serialize)]
struct JsonOp<'a> {
    op: &'static str,
    path: &'a str,
    to: Option<&'a str>,
    reason: &'a str,
}

/// The JSON shape of a plan in `--format json`.
#[derive(Debug, Serialize)]
struct JsonPlan<'a> {
    command: &'a Command,
    operations: Vec<JsonOp<'a>>,
    warnings: &'a [String],
    errors: &'a [String],
    applied: bool,
}

impl Plan {
    pub fn new(command: Command) -> Self {
        Plan {
            command,
            operations: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn push(&mut self, op: Operation) {
        self.operations.push(op);
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }

    pub fn error(&mut self, e: impl Into<String>) {
        self.errors.push(e.into());
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The plan as the JSON value `--format json` prints. Contents are left out.
    pub fn to_json(&self, applied: bool) -> serde_json::Value {
        let plan = JsonPlan {
            command: &self.command,
            operations: self
                .operations
                .iter()
                .map(|o| JsonOp {
                    op: o.op.as_str(),
                    path: &o.path,
                    to: o.to.as_deref(),
                    reason: &o.reason,
                })
                .collect(),
            warnings: &self.warnings,
            errors: &self.errors,
            applied,
        };
        serde_json::to_value(plan).unwrap_or(serde_json::Value::Null)
    }

    /// The plan as human-readable lines (no colour, no trailing spaces).
    pub fn to_human(&self) -> String {
        let mut out = format!("plan: {}\n", self.command);
        for o in &self.operations {
            match &o.to {
                Some(to) => out.push_str(&format!(
                    "  {:<8}{} -> {}\n          {}\n",
                    o.op.as_str(),
                    o.path,
                    to,
                    o.reason
                )),
                None => out.push_str(&format!(
                    "  {:<8}{}\n          {}\n",
                    o.op.as_str(),
                    o.path,
                    o.reason
                )),
            }
        }
        for w in &self.warnings {
            out.push_str(&format!("warning: {w}\n"));
        }
        for e in &self.errors {
            out.push_str(&format!("error: {e}\n"));
        }
        let count = |k: OpKind| self.operations.iter().filter(|o| o.op == k).count();
        out.push_str(&format!(
            "{} operation(s): {} rename, {} rewrite, {} delete, {} disable; {} warning(s), {} error(s)\n",
            self.operations.len(),
            count(OpKind::Rename),
            count(OpKind::Rewrite),
            count(OpKind::Delete),
            count(OpKind::Disable),
            self.warnings.len(),
            self.errors.len()
        ));
        out
    }
}

/// Serialises a JSON value as the plugin does (`JSON.stringify`): compact, keys in
/// their order, no trailing newline.
pub fn plugin_json(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Orders the keys of a JSON object as a JavaScript object would hold them:
/// keys that are array indices (canonical integers below 2^32 - 1) first, in
/// ascending numeric order, then the others in insertion order. `JSON.stringify`
/// of the plugin's room-channel map follows this order.
pub fn js_key_order(
    map: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    let is_index = |k: &str| {
        (k == "0"
            || (!k.starts_with('0') && !k.is_empty() && k.bytes().all(|c| c.is_ascii_digit())))
            && k.parse::<u64>().is_ok_and(|n| n < u64::from(u32::MAX))
    };
    let mut idx: Vec<(u64, String, serde_json::Value)> = Vec::new();
    let mut rest = Vec::new();
    for (k, v) in map {
        if is_index(&k) {
            idx.push((k.parse().unwrap_or(0), k, v));
        } else {
            rest.push((k, v));
        }
    }
    idx.sort_by_key(|e| e.0);
    let mut out = serde_json::Map::new();
    for (_, k, v) in idx {
        out.insert(k, v);
    }
    for (k, v) in rest {
        out.insert(k, v);
    }
    out
}
