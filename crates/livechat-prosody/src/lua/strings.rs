//! String literals: Lua 5.4's escapes decoded, and a watched literal's content shown
//! to the visitor, whose edits are spliced into the held copy. Private to
//! [`crate::lua`].

use std::io::BufRead;

use super::scanner::{Scanner, is_space, show_raw};
use super::{MAX_WATCHED, ParseError, ScanError, Slot, Visitor};

impl<R: BufRead> Scanner<'_, R> {
    /// Reads a string literal opened by `quote`. When `watch` is given, its decoded
    /// content (up to [`MAX_WATCHED`] bytes) is shown to the visitor, which may edit
    /// it, and returned.
    pub(super) fn string(
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
            // `\z` can skip any amount of whitespace: the held copy is bounded too.
            if watching
                && self
                    .hold
                    .is_some_and(|h| self.pending.len() - h > 8 * MAX_WATCHED)
            {
                watching = false;
                content = Vec::new();
                map = Vec::new();
                self.hold = None;
            }
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
