//! A streaming reader of the Lua-serialised subset Prosody 0.12 writes in its
//! internal storage, with an optional byte-exact copy of its input in which chosen
//! string literals are edited.
//!
//! What it reads (`util/serialization.lua` as `util/datamanager.lua` uses it):
//! - a keyval store (`.dat`): `return <value>;` then the end of the file;
//! - an archive store (`.list`): a sequence of `item(<value>);` records.
//!
//! A value is a string literal (either quote, every escape of Lua 5.4: `\n`, `\ddd`,
//! `\xXX`, `\z`, `\u{XXX}`, an escaped newline), a number (with a unary minus), one
//! of `(1/0)`, `(-1/0)`, `(0/0)`, `true`, `false`, `nil`, or a table of fields
//! (`[key] = value`, `name = value` or a positional value, separated by `,` or `;`).
//! Comments, long strings, expressions and anything else are refused with an error
//! at the line and column where they start: Prosody never writes them.
//!
//! It never executes anything, and its memory is bounded whatever the input: records
//! are read one at a time, nesting is limited to [`MAX_DEPTH`] tables (Prosody's
//! serializer refuses more than 127), and a string literal's content is kept only
//! when the visitor asks for it and only up to [`MAX_WATCHED`] bytes (a longer one
//! cannot be a JID, so it is passed through unseen). The copy is written as the
//! input is read, holding back only the literal being watched.

use std::io::{self, BufRead, Write};
use std::ops::Range;

mod scanner;
mod strings;
#[cfg(test)]
mod tests;
mod write;

pub use scanner::Scanner;
pub use write::{escape, serialize_true_map};

/// How deep tables may nest.
pub const MAX_DEPTH: usize = 128;

/// How many decoded bytes of a watched string literal are kept. A JID is at most
/// 3 × 1023 bytes (node, domain and resource of 1023 bytes each, RFC 7622); a longer
/// string is never shown to the visitor.
pub const MAX_WATCHED: usize = 4096;

/// The two file kinds of datamanager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.dat`: `return <value>;`.
    Keyval,
    /// `.list`: `item(<value>);` records.
    List,
}

/// A syntax error, at a byte offset (0-based) and a line and column (1-based, the
/// column counted in bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column} (byte {offset}): {message}")]
pub struct ParseError {
    pub offset: u64,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Why a scan stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The key of the field a value belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A string key (`["k"] = ` or `k = `), decoded.
    Str(Vec<u8>),
    /// A string key longer than [`MAX_WATCHED`].
    LongStr,
    /// A positional value, or an integer key.
    Index(u64),
    /// Any other key (a boolean, a float, a table), or the top of a record.
    Other,
}

/// Where a string literal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot<'a> {
    /// It is the key of a field.
    Key,
    /// It is the value of a field with this key.
    Value(&'a Key),
}

/// What a value was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Str,
    Number,
    True,
    False,
    Nil,
    Table,
}

/// An edit of a watched string literal: the bytes of its decoded content in `range`
/// are replaced by `raw`, which is written into the literal as it is (the visitor
/// escapes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub raw: Vec<u8>,
}

/// What a scan reports to its owner. Every method has a default that sees nothing.
pub trait Visitor {
    /// Whether to see the content of the value string literal about to be read.
    /// Keys are always shown (when not longer than [`MAX_WATCHED`]).
    fn watch(&mut self, _key: &Key, _depth: usize) -> bool {
        false
    }
    /// The decoded content of a watched literal; returns edits sorted by range,
    /// not overlapping (applied only when the scan writes a copy).
    fn string(&mut self, _slot: Slot<'_>, _depth: usize, _content: &[u8]) -> Vec<Edit> {
        Vec::new()
    }
    /// A value has been read (`depth` is the number of tables around it).
    fn value(&mut self, _key: &Key, _depth: usize, _kind: ValueKind) {}
    /// A record (the value of `return` or of one `item(...)`) starts.
    fn record_start(&mut self) {}
    /// A record ends.
    fn record_end(&mut self) {}
}

/// A visitor that sees nothing: a syntax check.
#[derive(Debug, Default)]
pub struct NoVisitor;
impl Visitor for NoVisitor {}

/// What a completed scan saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Records read (1 for a keyval file).
    pub records: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// Reads `input` as a file of `kind`, reporting to `visitor`, and writes a copy of
/// it to `out` (when given) with the visitor's edits applied. On an error, what was
/// written to `out` is incomplete and must be thrown away.
pub fn scan<R: BufRead>(
    input: R,
    kind: FileKind,
    visitor: &mut dyn Visitor,
    out: Option<&mut dyn Write>,
) -> Result<Summary, ScanError> {
    let mut s = Scanner {
        input,
        out,
        pending: Vec::new(),
        hold: None,
        offset: 0,
        line: 1,
        column: 1,
    };
    let records = s.file(kind, visitor)?;
    s.flush(true)?;
    Ok(Summary {
        records,
        bytes: s.offset,
    })
}
