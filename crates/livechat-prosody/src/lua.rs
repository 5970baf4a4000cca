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

/// How deep tables may nest.
pub const MAX_DEPTH: usize = 128;

/// How many decoded bytes of a watched string literal are kept. A JID is at most
/// 3 × 1023 bytes (node, domain and resource of 1023 bytes each, RFC 7622); a longer
/// string is never shown to the visitor.
pub const MAX_WATCHED: usize = 4096;

/// How much of the copy is held before it is written out.
const FLUSH_AT: usize = 64 * 1024;

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

/// The reader. See the module documentation.
pub struct Scanner<'o, R> {
    input: R,
    out: Option<&'o mut dyn Write>,
    /// The copy not yet written out.
    pending: Vec<u8>,
    /// Where a watched literal starts in `pending` (the copy is held from there).
    hold: Option<usize>,
    offset: u64,
    line: u64,
    column: u64,
}

impl<R> std::fmt::Debug for Scanner<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("offset", &self.offset)
            .field("line", &self.line)
            .field("column", &self.column)
            .finish_non_exhaustive()
    }
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

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<R: BufRead> Scanner<'_, R> {
    fn err(&self, message: impl Into<String>) -> ScanError {
        ScanError::Parse(ParseError {
            offset: self.offset,
            line: self.line,
            column: self.column,
            message: message.into(),
        })
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.input.fill_buf() {
                Ok(b) => return Ok(b.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Consumes the byte `peek` returned.
    fn bump(&mut self, b: u8) {
        self.input.consume(1);
        self.offset += 1;
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        if self.out.is_some() {
            self.pending.push(b);
        }
    }

    fn next(&mut self) -> Result<Option<u8>, ScanError> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.bump(b);
        }
        Ok(b)
    }

    fn flush(&mut self, force: bool) -> io::Result<()> {
        if self.hold.is_some() || (!force && self.pending.len() < FLUSH_AT) {
            return Ok(());
        }
        if let Some(out) = self.out.as_mut() {
            out.write_all(&self.pending)?;
            self.pending.clear();
            if force {
                out.flush()?;
            }
        }
        Ok(())
    }

    fn skip_ws(&mut self) -> Result<(), ScanError> {
        while let Some(b) = self.peek()? {
            if !is_space(b) {
                break;
            }
            self.bump(b);
        }
        self.flush(false)?;
        Ok(())
    }

    fn expect(&mut self, want: u8, what: &str) -> Result<(), ScanError> {
        match self.peek()? {
            Some(b) if b == want => {
                self.bump(b);
                Ok(())
            }
            Some(b'-') => Err(self.err(format!(
                "expected {what}, found `-` (comments are not part of what Prosody writes)"
            ))),
            Some(b) => Err(self.err(format!("expected {what}, found {}", show(b)))),
            None => Err(self.err(format!("expected {what}, found the end of the file"))),
        }
    }

    /// Reads a name (`return`, `item`, `true`, a field name).
    fn name(&mut self) -> Result<Vec<u8>, ScanError> {
        let mut n = Vec::new();
        while let Some(b) = self.peek()? {
            if !is_name_char(b) {
                break;
            }
            if n.len() > MAX_WATCHED {
                return Err(self.err("a name longer than 4096 bytes"));
            }
            n.push(b);
            self.bump(b);
        }
        Ok(n)
    }

    fn file(&mut self, kind: FileKind, v: &mut dyn Visitor) -> Result<u64, ScanError> {
        let mut records = 0;
        self.skip_ws()?;
        match kind {
            FileKind::Keyval => {
                let at = (self.offset, self.line, self.column);
                if self.name()? != b"return" {
                    return Err(ScanError::Parse(ParseError {
                        offset: at.0,
                        line: at.1,
                        column: at.2,
                        message: "expected `return` at the start of a keyval store".into(),
                    }));
                }
                self.skip_ws()?;
                v.record_start();
                self.value(&Key::Other, 0, v)?;
                v.record_end();
                records = 1;
                self.skip_ws()?;
                if self.peek()? == Some(b';') {
                    self.bump(b';');
                    self.skip_ws()?;
                }
                if let Some(b) = self.peek()? {
                    return Err(self.err(format!(
                        "expected the end of the file after the returned value, found {}",
                        show(b)
                    )));
                }
            }
            FileKind::List => {
                while let Some(b) = self.peek()? {
                    if !is_name_start(b) {
                        return Err(self.err(format!("expected `item(`, found {}", show(b))));
                    }
                    let at = (self.offset, self.line, self.column);
                    if self.name()? != b"item" {
                        return Err(ScanError::Parse(ParseError {
                            offset: at.0,
                            line: at.1,
                            column: at.2,
                            message: "expected `item(`".into(),
                        }));
                    }
                    self.skip_ws()?;
                    self.expect(b'(', "`(` after `item`")?;
                    self.skip_ws()?;
                    v.record_start();
                    self.value(&Key::Other, 0, v)?;
                    self.skip_ws()?;
                    self.expect(b')', "`)` closing the record")?;
                    v.record_end();
                    records += 1;
                    self.skip_ws()?;
                    if self.peek()? == Some(b';') {
                        self.bump(b';');
                        self.skip_ws()?;
                    }
                }
            }
        }
        Ok(records)
    }

    /// Reads one value whose key is `key`, `depth` tables deep.
    fn value(&mut self, key: &Key, depth: usize, v: &mut dyn Visitor) -> Result<(), ScanError> {
        let kind = match self.peek()? {
            None => return Err(self.err("expected a value, found the end of the file")),
            Some(q @ (b'"' | b'\'')) => {
                let watch = v.watch(key, depth);
                self.string(q, watch.then_some(Slot::Value(key)), depth, v)?;
                ValueKind::Str
            }
            Some(b'{') => {
                self.table(depth + 1, v)?;
                ValueKind::Table
            }
            Some(b'(') => {
                self.special()?;
                ValueKind::Number
            }
            Some(b'-') => {
                self.bump(b'-');
                match self.peek()? {
                    Some(b) if b.is_ascii_digit() || b == b'.' => self.number()?,
                    _ => {
                        return Err(self.err(
                            "expected a number after `-` (comments and expressions are not part of what Prosody writes)",
                        ));
                    }
                }
                ValueKind::Number
            }
            Some(b) if b.is_ascii_digit() || b == b'.' => {
                self.number()?;
                ValueKind::Number
            }
            Some(b) if is_name_start(b) => {
                let (o, l, c) = (self.offset, self.line, self.column);
                match self.name()?.as_slice() {
                    b"true" => ValueKind::True,
                    b"false" => ValueKind::False,
                    b"nil" => ValueKind::Nil,
                    n => {
                        return Err(ScanError::Parse(ParseError {
                            offset: o,
                            line: l,
                            column: c,
                            message: format!(
                                "expected a value, found the name `{}`",
                                String::from_utf8_lossy(n)
                            ),
                        }));
                    }
                }
            }
            Some(b) => return Err(self.err(format!("expected a value, found {}", show(b)))),
        };
        v.value(key, depth, kind);
        Ok(())
    }

    /// `(1/0)`, `(-1/0)` or `(0/0)`: how Prosody writes infinities and NaN.
    fn special(&mut self) -> Result<(), ScanError> {
        let (o, l, c) = (self.offset, self.line, self.column);
        let mut text = Vec::new();
        while let Some(b) = self.next()? {
            text.push(b);
            if b == b')' || text.len() > 8 {
                break;
            }
        }
        if matches!(text.as_slice(), b"(1/0)" | b"(-1/0)" | b"(0/0)") {
            Ok(())
        } else {
            Err(ScanError::Parse(ParseError {
                offset: o,
                line: l,
                column: c,
                message: "expected `(1/0)`, `(-1/0)` or `(0/0)` (expressions are not part of what Prosody writes)".into(),
            }))
        }
    }

    /// A numeral, as Lua's lexer reads it (a digit or a dot, then digits, letters,
    /// dots, and a sign right after an exponent mark), checked for its shape.
    fn number(&mut self) -> Result<(), ScanError> {
        let (o, l, c) = (self.offset, self.line, self.column);
        let mut text = Vec::new();
        while let Some(b) = self.peek()? {
            let sign = (b == b'+' || b == b'-')
                && text.last().is_some_and(|&p: &u8| {
                    let hex = text.starts_with(b"0x") || text.starts_with(b"0X");
                    if hex {
                        p == b'p' || p == b'P'
                    } else {
                        p == b'e' || p == b'E'
                    }
                });
            if !(b.is_ascii_alphanumeric() || b == b'.' || sign) {
                break;
            }
            if text.len() > 64 {
                return Err(self.err("a numeral longer than 64 bytes"));
            }
            text.push(b);
            self.bump(b);
        }
        if numeral_ok(&text) {
            Ok(())
        } else {
            Err(ScanError::Parse(ParseError {
                offset: o,
                line: l,
                column: c,
                message: format!("malformed number `{}`", String::from_utf8_lossy(&text)),
            }))
        }
    }

    fn table(&mut self, depth: usize, v: &mut dyn Visitor) -> Result<(), ScanError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!(
                "tables nested deeper than {MAX_DEPTH} levels (Prosody's serializer stops at 127)"
            )));
        }
        self.expect(b'{', "`{`")?;
        let mut index: u64 = 1;
        loop {
            self.skip_ws()?;
            let key = match self.peek()? {
                None => return Err(self.err("unclosed table: the file ends inside it")),
                Some(b'}') => {
                    self.bump(b'}');
                    return Ok(());
                }
                Some(b'[') => {
                    self.bump(b'[');
                    self.skip_ws()?;
                    let key = self.key(depth, v)?;
                    self.skip_ws()?;
                    self.expect(b']', "`]` closing a key")?;
                    self.skip_ws()?;
                    self.expect(b'=', "`=` after a key")?;
                    self.skip_ws()?;
                    Some(key)
                }
                Some(b) if is_name_start(b) => {
                    // `name = value`, or the positional values `true`, `false`, `nil`.
                    let (o, l, c) = (self.offset, self.line, self.column);
                    let n = self.name()?;
                    self.skip_ws()?;
                    if self.peek()? == Some(b'=') {
                        self.bump(b'=');
                        self.skip_ws()?;
                        Some(Key::Str(n))
                    } else {
                        let kind = match n.as_slice() {
                            b"true" => ValueKind::True,
                            b"false" => ValueKind::False,
                            b"nil" => ValueKind::Nil,
                            _ => {
                                return Err(ScanError::Parse(ParseError {
                                    offset: o,
                                    line: l,
                                    column: c,
                                    message: format!(
                                        "expected a field, found the name `{}` without `=`",
                                        String::from_utf8_lossy(&n)
                                    ),
                                }));
                            }
                        };
                        v.value(&Key::Index(index), depth, kind);
                        index += 1;
                        None
                    }
                }
                Some(_) => {
                    let key = Key::Index(index);
                    index += 1;
                    self.value(&key, depth, v)?;
                    None
                }
            };
            if let Some(key) = key {
                self.value(&key, depth, v)?;
            }
            self.skip_ws()?;
            match self.peek()? {
                Some(b @ (b',' | b';')) => self.bump(b),
                Some(b'}') => {}
                Some(b) => {
                    return Err(self.err(format!(
                        "expected `;`, `,` or `}}` after a field, found {}",
                        show(b)
                    )));
                }
                None => return Err(self.err("unclosed table: the file ends inside it")),
            }
        }
    }

    /// The key inside `[...]`.
    fn key(&mut self, depth: usize, v: &mut dyn Visitor) -> Result<Key, ScanError> {
        match self.peek()? {
            Some(q @ (b'"' | b'\'')) => Ok(match self.string(q, Some(Slot::Key), depth, v)? {
                Some(s) => Key::Str(s),
                None => Key::LongStr,
            }),
            Some(b) if b.is_ascii_digit() => {
                let (o, l, c) = (self.offset, self.line, self.column);
                let mut text = Vec::new();
                while let Some(b) = self.peek()? {
                    if !(b.is_ascii_alphanumeric() || b == b'.' || b == b'+' || b == b'-') {
                        break;
                    }
                    if text.len() > 64 {
                        return Err(self.err("a numeral longer than 64 bytes"));
                    }
                    text.push(b);
                    self.bump(b);
                }
                if !numeral_ok(&text) {
                    return Err(ScanError::Parse(ParseError {
                        offset: o,
                        line: l,
                        column: c,
                        message: format!("malformed number `{}`", String::from_utf8_lossy(&text)),
                    }));
                }
                Ok(std::str::from_utf8(&text)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .map_or(Key::Other, Key::Index))
            }
            _ => {
                self.value(&Key::Other, depth, v)?;
                Ok(Key::Other)
            }
        }
    }

    /// Reads a string literal opened by `quote`. When `watch` is given, its decoded
    /// content (up to [`MAX_WATCHED`] bytes) is shown to the visitor, which may edit
    /// it, and returned.
    fn string(
        &mut self,
        quote: u8,
        watch: Option<Slot<'_>>,
        depth: usize,
        v: &mut dyn Visitor,
    ) -> Result<Option<Vec<u8>>, ScanError> {
        let start = (self.offset, self.line, self.column);
        let unfinished = |s: &Self| {
            ScanError::Parse(ParseError {
                offset: start.0,
                line: start.1,
                column: start.2,
                message: format!("unfinished string (it starts here, line {})", s.line),
            })
        };
        self.flush(false)?;
        let mut watching = watch.is_some();
        if watching && self.out.is_some() {
            self.hold = Some(self.pending.len());
        }
        self.bump(quote);
        let mut content: Vec<u8> = Vec::new();
        // For each decoded byte, where its source starts in `pending` after `hold`.
        let mut map: Vec<usize> = Vec::new();
        loop {
            let raw_at = self.hold.map_or(0, |h| self.pending.len() - h);
            let Some(b) = self.next()? else {
                return Err(unfinished(self));
            };
            let decoded: Option<u32> = match b {
                b'\n' | b'\r' => return Err(unfinished(self)),
                _ if b == quote => break,
                b'\\' => self.escape()?,
                _ => Some(u32::from(b)),
            };
            if let Some(c) = decoded {
                if watching {
                    let mut buf = [0u8; 8];
                    let bytes = utf8_ext(c, &mut buf);
                    if content.len() + bytes.len() > MAX_WATCHED {
                        // Too long to be a JID: stop watching, release the copy.
                        watching = false;
                        content = Vec::new();
                        map = Vec::new();
                        self.hold = None;
                    } else {
                        for &x in bytes {
                            content.push(x);
                            map.push(raw_at);
                        }
                    }
                }
            }
            if !watching {
                self.flush(false)?;
            }
        }
        if !watching {
            return Ok(None);
        }
        let slot = watch.unwrap_or(Slot::Key);
        let edits = v.string(slot, depth, &content);
        if let Some(h) = self.hold.take() {
            // The raw position of the closing quote ends the last decoded byte.
            let close = self.pending.len() - 1 - h;
            let at = |i: usize| if i < map.len() { map[i] } else { close };
            let mut last = usize::MAX;
            for e in edits.iter().rev() {
                if e.range.start > e.range.end || e.range.end > content.len() || e.range.end > last
                {
                    continue;
                }
                last = e.range.start;
                let (a, b) = (h + at(e.range.start), h + at(e.range.end));
                self.pending.splice(a..b, e.raw.iter().copied());
            }
        }
        Ok(Some(content))
    }

    /// Reads what follows a backslash in a string; `None` when it stands for nothing
    /// (`\z` and the whitespace it skips). Code points of `\u{...}` are returned as
    /// they are (above 255) and encoded by the caller.
    fn escape(&mut self) -> Result<Option<u32>, ScanError> {
        let Some(b) = self.next()? else {
            return Err(self.err("unfinished escape sequence"));
        };
        Ok(Some(match b {
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'n' => 10,
            b'r' => 13,
            b't' => 9,
            b'v' => 11,
            b'\\' => u32::from(b'\\'),
            b'"' => u32::from(b'"'),
            b'\'' => u32::from(b'\''),
            b'\n' | b'\r' => {
                // An escaped line break (`\r\n` and `\n\r` count as one).
                if let Some(n) = self.peek()? {
                    if (n == b'\n' || n == b'\r') && n != b {
                        self.bump(n);
                    }
                }
                10
            }
            b'x' => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match self.next()? {
                        Some(h) if h.is_ascii_hexdigit() => {
                            v = v * 16 + u32::from(hex_digit(h));
                        }
                        _ => return Err(self.err("`\\x` needs two hexadecimal digits")),
                    }
                }
                v
            }
            b'z' => {
                while let Some(n) = self.peek()? {
                    if !is_space(n) {
                        break;
                    }
                    self.bump(n);
                }
                return Ok(None);
            }
            b'u' => {
                self.expect(b'{', "`{` after `\\u`")?;
                let mut v: u64 = 0;
                let mut digits = 0;
                loop {
                    match self.next()? {
                        Some(b'}') if digits > 0 => break,
                        Some(h) if h.is_ascii_hexdigit() => {
                            v = v * 16 + u64::from(hex_digit(h));
                            digits += 1;
                            if v > 0x7FFF_FFFF {
                                return Err(self.err("`\\u{...}` escape too large"));
                            }
                        }
                        _ => return Err(self.err("malformed `\\u{...}` escape")),
                    }
                }
                u32::try_from(v).unwrap_or(0) | 0x8000_0000
            }
            d if d.is_ascii_digit() => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    match self.peek()? {
                        Some(n) if n.is_ascii_digit() => {
                            self.bump(n);
                            v = v * 10 + u32::from(n - b'0');
                        }
                        _ => break,
                    }
                }
                if v > 255 {
                    return Err(self.err("decimal escape too large (above 255)"));
                }
                v
            }
            other => {
                return Err(self.err(format!("invalid escape sequence `\\{}`", show_raw(other))));
            }
        }))
    }
}

fn hex_digit(h: u8) -> u8 {
    match h {
        b'0'..=b'9' => h - b'0',
        b'a'..=b'f' => h - b'a' + 10,
        _ => h - b'A' + 10,
    }
}

/// The bytes of a decoded character: a byte (below 256), or the UTF-8 encoding
/// (Lua's extended form, up to 6 bytes) of a `\u{...}` code point (flagged by the
/// top bit).
fn utf8_ext(c: u32, buf: &mut [u8; 8]) -> &[u8] {
    let x = c & 0x7FFF_FFFF;
    if c & 0x8000_0000 == 0 || x < 0x80 {
        buf[0] = (x & 0xff) as u8;
        return &buf[..1];
    }
    // Lua's `luaO_utf8esc`: continuation bytes from the end, then the first byte.
    let mut tmp = [0u8; 8];
    let mut n = 1;
    let mut x = x;
    let mut mfb: u32 = 0x3f;
    loop {
        tmp[8 - n] = (0x80 | (x & 0x3f)) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    tmp[8 - n] = (((!mfb) << 1 | x) & 0xff) as u8;
    buf[..n].copy_from_slice(&tmp[8 - n..]);
    &buf[..n]
}

/// Whether a numeral has a shape Lua reads: decimal (digits, one optional dot, an
/// optional exponent) or hexadecimal (`0x`, hex digits, one optional dot, an
/// optional `p` exponent).
fn numeral_ok(t: &[u8]) -> bool {
    let (hex, body) = match t {
        [b'0', b'x' | b'X', rest @ ..] => (true, rest),
        _ => (false, t),
    };
    let is_digit = |b: u8| {
        if hex {
            b.is_ascii_hexdigit()
        } else {
            b.is_ascii_digit()
        }
    };
    let exp_mark = |b: u8| {
        if hex {
            b == b'p' || b == b'P'
        } else {
            b == b'e' || b == b'E'
        }
    };
    let mut i = 0;
    let mut digits = 0;
    while i < body.len() && is_digit(body[i]) {
        i += 1;
        digits += 1;
    }
    if i < body.len() && body[i] == b'.' {
        i += 1;
        while i < body.len() && is_digit(body[i]) {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    if i < body.len() && exp_mark(body[i]) {
        i += 1;
        if i < body.len() && (body[i] == b'+' || body[i] == b'-') {
            i += 1;
        }
        let s = i;
        while i < body.len() && body[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == body.len()
}

fn show(b: u8) -> String {
    format!("`{}`", show_raw(b))
}

fn show_raw(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        char::from(b).to_string()
    } else {
        format!("\\x{b:02x}")
    }
}

/// Escapes bytes as Prosody's serializer does in a string literal (`\n`, `\"`,
/// `\ddd` for the other control bytes, `'`, `\` and bytes 127-255), without quotes.
pub fn escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        match b {
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            10 => out.extend_from_slice(b"\\n"),
            13 => out.extend_from_slice(b"\\r"),
            9 => out.extend_from_slice(b"\\t"),
            11 => out.extend_from_slice(b"\\v"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\'' => out.extend_from_slice(b"\\'"),
            0..=31 | 127..=255 => out.extend_from_slice(format!("\\{b:03}").as_bytes()),
            _ => out.push(b),
        }
    }
    out
}

/// Serialises a map of string keys to `true` exactly as datamanager stores it
/// (`return {` + one `\n\t["key"] = true;` per entry, the last one ending in
/// `;\n`, + `};\n`): the shape of a host-level map store such as `persistent.dat`.
pub fn serialize_true_map<'a>(keys: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = b"return {".to_vec();
    let mut any = false;
    for k in keys {
        any = true;
        out.extend_from_slice(b"\n\t[\"");
        out.extend_from_slice(&escape(k));
        out.extend_from_slice(b"\"] = true;");
    }
    if any {
        out.push(b'\n');
    }
    out.extend_from_slice(b"};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: FileKind, text: &str) -> Result<Summary, String> {
        scan(text.as_bytes(), kind, &mut NoVisitor, None).map_err(|e| e.to_string())
    }

    #[test]
    fn what_prosody_writes_parses() {
        let dat = "return {\n\t[\"_jid\"] = \"r@room.x.org\";\n\t[\"_data\"] = {\n\t\t[\"name\"] = \"Caf\\195\\169 \\\"x\\\"\";\n\t\t[\"history_length\"] = 20;\n\t\t[\"locked\"] = (1/0);\n\t};\n\t[\"a@x.org\"] = \"owner\";\n};\n";
        assert_eq!(check(FileKind::Keyval, dat).map(|s| s.records), Ok(1));
        let list = "item({\n\t[\"key\"] = \"abc\";\n\t[\"when\"] = 1733000000.5;\n\t{\n\t\t[\"name\"] = \"body\";\n\t\t[\"attr\"] = {};\n\t\t\"hi\";\n\t};\n});\nitem({[\"when\"] = -1.5e+09, 3, true, nil});\n";
        assert_eq!(check(FileKind::List, list).map(|s| s.records), Ok(2));
        assert_eq!(check(FileKind::List, "").map(|s| s.records), Ok(0));
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            check(FileKind::Keyval, "return {\n\t[\"a\"] = os.exit();\n};\n"),
            Err("line 2, column 10 (byte 18): expected a value, found the name `os`".into())
        );
        assert!(
            check(FileKind::List, "item({});\nitem({[\"k\"] = \"ab")
                .unwrap_err()
                .contains("unfinished string")
        );
        assert!(
            check(FileKind::Keyval, "return {} -- hi")
                .unwrap_err()
                .contains("end of the file")
        );
        assert!(
            check(FileKind::Keyval, "return {[\"a\"]=\"\\q\"}")
                .unwrap_err()
                .contains("invalid escape")
        );
        assert!(
            check(FileKind::Keyval, "return (1/2)")
                .unwrap_err()
                .contains("expressions")
        );
        assert!(
            check(FileKind::Keyval, "return 1e")
                .unwrap_err()
                .contains("malformed number")
        );
        let deep = format!("return {}{}", "{".repeat(200), "}".repeat(200));
        assert!(
            check(FileKind::Keyval, &deep)
                .unwrap_err()
                .contains("nested deeper")
        );
    }

    #[test]
    fn escapes_decode_as_lua() {
        struct Grab(Vec<Vec<u8>>);
        impl Visitor for Grab {
            fn watch(&mut self, _: &Key, _: usize) -> bool {
                true
            }
            fn string(&mut self, _: Slot<'_>, _: usize, c: &[u8]) -> Vec<Edit> {
                self.0.push(c.to_vec());
                Vec::new()
            }
        }
        let mut g = Grab(Vec::new());
        let text = "return {'\\65\\066\\x43\\u{e9}\\z   d\\\ne', \"\\u{10FFFF}\"}";
        scan(text.as_bytes(), FileKind::Keyval, &mut g, None)
            .map_err(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(g.0[0], b"ABC\xc3\xa9d\ne".to_vec());
        assert_eq!(g.0[1], "\u{10FFFF}".as_bytes().to_vec());
    }

    #[test]
    fn prosody_escaping() {
        assert_eq!(
            escape("a\"b'\\\n\té\u{1}".as_bytes()),
            b"a\\\"b\\'\\\\\\n\\t\\195\\169\\001".to_vec()
        );
        assert_eq!(
            serialize_true_map([b"a@room.x".as_slice(), b"b@room.x".as_slice()]),
            b"return {\n\t[\"a@room.x\"] = true;\n\t[\"b@room.x\"] = true;\n};\n".to_vec()
        );
        assert_eq!(
            serialize_true_map(std::iter::empty()),
            b"return {};\n".to_vec()
        );
    }
}
