//! The scanner itself: bytes to tokens to the structure of a store file, with the
//! copy held back only around a watched string literal. Everything here is private to
//! [`crate::lua`]; its types are documented there.

use std::io::{self, BufRead, Write};

use super::{
    FileKind, Key, MAX_DEPTH, MAX_WATCHED, ParseError, ScanError, Slot, ValueKind, Visitor,
};

/// How much of the copy is held before it is written out.
const FLUSH_AT: usize = 64 * 1024;

/// The reader. See the module documentation.
pub struct Scanner<'o, R> {
    pub(super) input: R,
    pub(super) out: Option<&'o mut dyn Write>,
    /// The copy not yet written out.
    pub(super) pending: Vec<u8>,
    /// Where a watched literal starts in `pending` (the copy is held from there).
    pub(super) hold: Option<usize>,
    pub(super) offset: u64,
    pub(super) line: u64,
    pub(super) column: u64,
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

/// A parse error at a position saved earlier (offset, line, column).
pub(super) fn err_at(at: (u64, u64, u64), message: impl Into<String>) -> ScanError {
    ScanError::Parse(ParseError {
        offset: at.0,
        line: at.1,
        column: at.2,
        message: message.into(),
    })
}

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<R: BufRead> Scanner<'_, R> {
    pub(super) fn err(&self, message: impl Into<String>) -> ScanError {
        ScanError::Parse(ParseError {
            offset: self.offset,
            line: self.line,
            column: self.column,
            message: message.into(),
        })
    }

    pub(super) fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.input.fill_buf() {
                Ok(b) => return Ok(b.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Consumes the byte `peek` returned.
    pub(super) fn bump(&mut self, b: u8) {
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

    pub(super) fn next(&mut self) -> Result<Option<u8>, ScanError> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.bump(b);
        }
        Ok(b)
    }

    pub(super) fn flush(&mut self, force: bool) -> io::Result<()> {
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

    pub(super) fn expect(&mut self, want: u8, what: &str) -> Result<(), ScanError> {
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

    pub(super) fn file(&mut self, kind: FileKind, v: &mut dyn Visitor) -> Result<u64, ScanError> {
        let mut records = 0;
        self.skip_ws()?;
        match kind {
            FileKind::Keyval => {
                let at = (self.offset, self.line, self.column);
                if self.name()? != b"return" {
                    return Err(err_at(
                        (at.0, at.1, at.2),
                        "expected `return` at the start of a keyval store",
                    ));
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
                        return Err(err_at(at, "expected `item(`"));
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
                        return Err(err_at(
                            (o, l, c),
                            format!(
                                "expected a value, found the name `{}`",
                                String::from_utf8_lossy(n)
                            ),
                        ));
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
            Err(err_at(
                (o, l, c),
                "expected `(1/0)`, `(-1/0)` or `(0/0)` (expressions are not part of what Prosody writes)",
            ))
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
            Err(err_at(
                (o, l, c),
                format!("malformed number `{}`", String::from_utf8_lossy(&text)),
            ))
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
                                return Err(err_at(
                                    (o, l, c),
                                    format!(
                                        "expected a field, found the name `{}` without `=`",
                                        String::from_utf8_lossy(&n)
                                    ),
                                ));
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
                    return Err(err_at(
                        (o, l, c),
                        format!("malformed number `{}`", String::from_utf8_lossy(&text)),
                    ));
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

pub(super) fn show_raw(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        char::from(b).to_string()
    } else {
        format!("\\x{b:02x}")
    }
}
