//! What a migration will do: a [`Plan`] of operations, with warnings and errors.
//!
//! A plan is produced by a planner ([`crate::rename_domain`], [`crate::prune`]) that
//! only reads, and consumed by [`crate::execute`]. Paths are relative to the data
//! directory with `/` separators; a folder's path ends with `/`.
//!
//! A plan never holds the new content of a large folder's files: a rewrite carries a
//! [`NewContent`] recipe, either small bytes computed by the planner or a shared
//! [`ContentTransform`] that the executor streams the original file through at apply
//! time. Contents are never rendered (they may hold a secret). Operations are stored
//! compactly (interned folders and reasons, one arena for file names), so that a plan
//! of a million operations stays small; [`Plan::operations`] gives views of them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::sync::Arc;

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

/// Produces a file's new content from its original, at apply time.
///
/// One transform is shared (through an [`Arc`]) by every operation of its kind, so a
/// plan holds the rule once, never the contents. The executor feeds it the whole
/// original and streams its output to a temporary file, hashing both on the way.
pub trait ContentTransform: Send + Sync + std::fmt::Debug {
    /// Reads the whole original and writes the new bytes. Deterministic: the same
    /// input gives the same output (resume and the manifest's hashes rely on it).
    /// An input it cannot transform (it changed since the plan was made) is an
    /// [`io::ErrorKind::InvalidData`] error saying why, without quoting the content.
    fn transform(&self, input: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<()>;
}

/// The new content of a rewrite, a disable, or a rename that changes the content.
#[derive(Debug, Clone)]
pub enum NewContent {
    /// Small bytes computed by the planner (a merged JSON file). A planner must not
    /// create one per file of a large folder: that is what transforms are for.
    Bytes(Box<[u8]>),
    /// Produced at apply time by streaming the original file (at the operation's
    /// `path`) through a deterministic transform; the plan holds only the transform.
    Transform(Arc<dyn ContentTransform>),
}

impl NewContent {
    /// Writes the new content, reading the original from `original` when needed.
    pub fn produce(&self, original: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<()> {
        match self {
            NewContent::Bytes(b) => output.write_all(b),
            NewContent::Transform(t) => t.transform(original, output),
        }
    }

    /// Whether the content is computed from the original (else it is known already).
    pub fn reads_original(&self) -> bool {
        matches!(self, NewContent::Transform(_))
    }
}

/// One operation, as a planner builds it before [`Plan::push`] stores it compactly.
#[derive(Debug, Clone)]
pub struct Operation {
    pub op: OpKind,
    /// The file or folder operated on, relative to the data directory.
    pub path: String,
    /// The destination of a rename.
    pub to: Option<String>,
    /// Why, in words (a static string or one shared by many operations costs nothing
    /// per operation: the plan interns reasons).
    pub reason: Cow<'static, str>,
    /// The new content of a rewrite, a disable, or a rename that changes the content.
    pub content: Option<NewContent>,
    /// The size in bytes of the file operated on, as the planner saw it (for the
    /// plan's summary; 0 for folders).
    pub size: u64,
}

impl Operation {
    pub fn new(op: OpKind, path: impl Into<String>, reason: impl Into<Cow<'static, str>>) -> Self {
        Operation {
            op,
            path: path.into(),
            to: None,
            reason: reason.into(),
            content: None,
            size: 0,
        }
    }

    pub fn to(mut self, to: impl Into<String>) -> Self {
        self.to = Some(to.into());
        self
    }

    /// New bytes computed by the planner (small files only).
    pub fn bytes(mut self, content: Vec<u8>) -> Self {
        self.content = Some(NewContent::Bytes(content.into_boxed_slice()));
        self
    }

    /// New content produced at apply time by a shared transform of the original.
    pub fn transform(mut self, t: &Arc<dyn ContentTransform>) -> Self {
        self.content = Some(NewContent::Transform(Arc::clone(t)));
        self
    }

    /// The size of the file operated on.
    pub fn size(mut self, size: u64) -> Self {
        self.size = size;
        self
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

const NONE: u32 = u32::MAX;

/// A path stored in a plan: an interned folder and a file name in the name arena.
#[derive(Debug, Clone, Copy)]
struct PathRef {
    dir: u32,
    name_start: u32,
    name_len: u16,
    is_dir: bool,
}

/// One stored operation: about 48 bytes plus its file name (shared with `to` when
/// the name does not change).
#[derive(Debug, Clone, Copy)]
struct OpRec {
    size: u64,
    path: PathRef,
    /// `dir == NONE`: no destination.
    to: PathRef,
    reason: u32,
    /// Index in `contents`, or `NONE`.
    content: u32,
    kind: OpKind,
}

/// Strings stored once and referred to by index.
#[derive(Debug, Clone, Default)]
struct Interner {
    list: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(NONE - 1);
        self.list.push(s.into());
        self.index.insert(s.into(), i);
        i
    }

    fn get(&self, i: u32) -> &str {
        self.list.get(i as usize).map_or("", |s| s)
    }
}

/// A path of a plan, relative to the data directory; displays as `dir/name`, with a
/// trailing `/` for a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelPath<'a> {
    dir: &'a str,
    name: &'a str,
    is_dir: bool,
}

impl<'a> RelPath<'a> {
    /// The folder holding the entry (`""` at the top of the data directory).
    pub fn parent(&self) -> &'a str {
        self.dir
    }
    /// The entry's own name.
    pub fn name(&self) -> &'a str {
        self.name
    }
    /// Whether the path names a folder.
    pub fn is_dir(&self) -> bool {
        self.is_dir
    }
    /// The path without the trailing `/` of a folder.
    pub fn file_path(&self) -> String {
        if self.dir.is_empty() {
            self.name.to_owned()
        } else {
            format!("{}/{}", self.dir, self.name)
        }
    }
}

impl std::fmt::Display for RelPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.dir.is_empty() {
            write!(f, "{}/", self.dir)?;
        }
        f.write_str(self.name)?;
        if self.is_dir {
            f.write_str("/")?;
        }
        Ok(())
    }
}

/// A view of one operation of a plan.
#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    plan: &'a Plan,
    rec: &'a OpRec,
}

impl<'a> Op<'a> {
    pub fn kind(&self) -> OpKind {
        self.rec.kind
    }
    /// The file or folder operated on.
    pub fn path(&self) -> RelPath<'a> {
        self.plan.rel(self.rec.path)
    }
    /// The destination of a rename.
    pub fn to(&self) -> Option<RelPath<'a>> {
        (self.rec.to.dir != NONE).then(|| self.plan.rel(self.rec.to))
    }
    pub fn reason(&self) -> &'a str {
        self.plan.reasons.get(self.rec.reason)
    }
    pub fn content(&self) -> Option<&'a NewContent> {
        self.plan.contents.get(self.rec.content as usize)
    }
    /// Whether the operation removes a folder (rather than a file).
    pub fn is_dir(&self) -> bool {
        self.rec.path.is_dir
    }
    /// The size of the file as the planner saw it.
    pub fn size(&self) -> u64 {
        self.rec.size
    }
}

/// What a plan amounts to, computed from its operations without any content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub operations: usize,
    pub rename: usize,
    pub rewrite: usize,
    pub delete: usize,
    pub disable: usize,
    /// Files operated on (folders left out).
    pub files: usize,
    /// Files whose content changes (rewrites, disables, renames with new content).
    pub files_changed: usize,
    /// Bytes of the files operated on, as the planner saw them.
    pub bytes: u64,
    /// Bytes of the files deleted.
    pub bytes_freed: u64,
}

/// A migration plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub command: Command,
    ops: Vec<OpRec>,
    dirs: Interner,
    reasons: Interner,
    names: String,
    contents: Vec<NewContent>,
    pub warnings: Vec<String>,
    /// Facts about the plan as a whole (what changes in Prosody's data, bytes freed).
    pub notes: Vec<String>,
    /// Problems that forbid applying the plan.
    pub errors: Vec<String>,
}

/// The JSON shape of one operation in `--format json`.
#[derive(Debug, Serialize)]
struct JsonOp<'a> {
    op: &'static str,
    path: String,
    to: Option<String>,
    reason: &'a str,
}

/// The JSON shape of a plan in `--format json`.
#[derive(Debug, Serialize)]
struct JsonPlan<'a> {
    command: &'a Command,
    operations: Vec<JsonOp<'a>>,
    summary: Summary,
    warnings: &'a [String],
    notes: &'a [String],
    errors: &'a [String],
    applied: bool,
}

impl Plan {
    pub fn new(command: Command) -> Self {
        Plan {
            command,
            ops: Vec::new(),
            dirs: Interner::default(),
            reasons: Interner::default(),
            names: String::new(),
            contents: Vec::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn rel(&self, p: PathRef) -> RelPath<'_> {
        let start = p.name_start as usize;
        RelPath {
            dir: self.dirs.get(p.dir),
            name: self
                .names
                .get(start..start + usize::from(p.name_len))
                .unwrap_or(""),
            is_dir: p.is_dir,
        }
    }

    fn store_path(&mut self, path: &str, same_name_as: Option<PathRef>) -> PathRef {
        let is_dir = path.ends_with('/');
        let trimmed = path.trim_end_matches('/');
        let (dir, name) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
        let dir = self.dirs.intern(dir);
        if let Some(other) = same_name_as {
            if self.rel(other).name == name {
                return PathRef {
                    dir,
                    is_dir,
                    ..other
                };
            }
        }
        let name_start = u32::try_from(self.names.len()).unwrap_or(NONE);
        // Names are single path components (at most 255 bytes once checked); a longer
        // one is kept whole in the arena and only its length saturates, so it shows
        // truncated and the executor refuses it as an unsafe path.
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        self.names.push_str(name);
        PathRef {
            dir,
            name_start,
            name_len,
            is_dir,
        }
    }

    pub fn push(&mut self, op: Operation) {
        let path = self.store_path(&op.path, None);
        let to = match &op.to {
            Some(t) => self.store_path(t, Some(path)),
            None => PathRef {
                dir: NONE,
                name_start: 0,
                name_len: 0,
                is_dir: false,
            },
        };
        let reason = self.reasons.intern(&op.reason);
        let content = match op.content {
            Some(c) => {
                self.contents.push(c);
                u32::try_from(self.contents.len() - 1).unwrap_or(NONE)
            }
            None => NONE,
        };
        self.ops.push(OpRec {
            size: op.size,
            path,
            to,
            reason,
            content,
            kind: op.op,
        });
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }

    pub fn note(&mut self, n: impl Into<String>) {
        self.notes.push(n.into());
    }

    pub fn error(&mut self, e: impl Into<String>) {
        self.errors.push(e.into());
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// The operations, in order.
    pub fn operations(&self) -> impl ExactSizeIterator<Item = Op<'_>> + '_ {
        self.ops.iter().map(move |rec| Op { plan: self, rec })
    }

    /// The operation at `i`.
    pub fn operation(&self, i: usize) -> Option<Op<'_>> {
        self.ops.get(i).map(|rec| Op { plan: self, rec })
    }

    /// Bytes the plan holds per operation, contents included (a regression guard:
    /// it must not grow with the number or the size of the files).
    pub fn heap_bytes(&self) -> usize {
        let interned = |i: &Interner| i.list.iter().map(|s| 2 * s.len() + 48).sum::<usize>();
        let contents: usize = self
            .contents
            .iter()
            .map(|c| match c {
                NewContent::Bytes(b) => b.len(),
                NewContent::Transform(_) => 0,
            })
            .sum();
        self.ops.capacity() * std::mem::size_of::<OpRec>()
            + self.contents.capacity() * std::mem::size_of::<NewContent>()
            + self.names.capacity()
            + interned(&self.dirs)
            + interned(&self.reasons)
            + contents
    }

    /// Counts and sizes of the plan's operations.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            operations: self.ops.len(),
            ..Summary::default()
        };
        for o in &self.ops {
            match o.kind {
                OpKind::Rename => s.rename += 1,
                OpKind::Rewrite => s.rewrite += 1,
                OpKind::Delete => s.delete += 1,
                OpKind::Disable => s.disable += 1,
            }
            if o.path.is_dir {
                continue;
            }
            s.files += 1;
            s.bytes += o.size;
            if o.content != NONE {
                s.files_changed += 1;
            }
            if o.kind == OpKind::Delete {
                s.bytes_freed += o.size;
            }
        }
        s
    }

    /// The plan as the JSON value `--format json` prints. Contents are left out.
    pub fn to_json(&self, applied: bool) -> serde_json::Value {
        let plan = JsonPlan {
            command: &self.command,
            operations: self
                .operations()
                .map(|o| JsonOp {
                    op: o.kind().as_str(),
                    path: o.path().to_string(),
                    to: o.to().map(|t| t.to_string()),
                    reason: o.reason(),
                })
                .collect(),
            summary: self.summary(),
            warnings: &self.warnings,
            notes: &self.notes,
            errors: &self.errors,
            applied,
        };
        serde_json::to_value(plan).unwrap_or(serde_json::Value::Null)
    }

    /// Writes the plan as the JSON object `--format json` prints, one operation per
    /// line, without its closing brace: the caller may add fields (after an apply),
    /// then closes it with `}`. Streamed, so that a large plan is never one value in
    /// memory; [`Plan::to_json`] is the same object as a value.
    pub fn write_json_head(&self, out: &mut dyn Write, applied: bool) -> io::Result<()> {
        let json = |v: &dyn erased::Ser| v.to_json();
        writeln!(out, "{{\n  \"command\": {},", json(&self.command)?)?;
        write!(out, "  \"operations\": [")?;
        for (i, o) in self.operations().enumerate() {
            let op = JsonOp {
                op: o.kind().as_str(),
                path: o.path().to_string(),
                to: o.to().map(|t| t.to_string()),
                reason: o.reason(),
            };
            write!(out, "{}\n    {}", if i == 0 { "" } else { "," }, json(&op)?)?;
        }
        writeln!(out, "{}],", if self.ops.is_empty() { "" } else { "\n  " })?;
        writeln!(out, "  \"summary\": {},", json(&self.summary())?)?;
        writeln!(out, "  \"warnings\": {},", json(&self.warnings)?)?;
        writeln!(out, "  \"notes\": {},", json(&self.notes)?)?;
        writeln!(out, "  \"errors\": {},", json(&self.errors)?)?;
        write!(out, "  \"applied\": {applied}")
    }

    /// Writes the plan as human-readable lines (no colour, no trailing spaces),
    /// operation by operation, so that a large plan is never one string in memory.
    pub fn write_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "plan: {}", self.command)?;
        for o in self.operations() {
            match o.to() {
                Some(to) => writeln!(
                    out,
                    "  {:<8}{} -> {}\n          {}",
                    o.kind().as_str(),
                    o.path(),
                    to,
                    o.reason()
                )?,
                None => writeln!(
                    out,
                    "  {:<8}{}\n          {}",
                    o.kind().as_str(),
                    o.path(),
                    o.reason()
                )?,
            }
        }
        for w in &self.warnings {
            writeln!(out, "warning: {w}")?;
        }
        for n in &self.notes {
            writeln!(out, "note: {n}")?;
        }
        for e in &self.errors {
            writeln!(out, "error: {e}")?;
        }
        let s = self.summary();
        writeln!(
            out,
            "{} operation(s): {} rename, {} rewrite, {} delete, {} disable; {} file(s) of {} byte(s), {} changed, {} byte(s) freed; {} warning(s), {} error(s)",
            s.operations,
            s.rename,
            s.rewrite,
            s.delete,
            s.disable,
            s.files,
            s.bytes,
            s.files_changed,
            s.bytes_freed,
            self.warnings.len(),
            self.errors.len()
        )
    }

    /// The plan as human-readable text.
    pub fn to_human(&self) -> String {
        let mut out = Vec::new();
        let _ = self.write_human(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}

mod erased {
    /// Serialises any serde value to compact JSON (object-safe, for the streamed
    /// writers above).
    pub trait Ser {
        fn to_json(&self) -> std::io::Result<String>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> std::io::Result<String> {
            serde_json::to_string(self).map_err(std::io::Error::other)
        }
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
