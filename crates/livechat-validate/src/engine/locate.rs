//! The span-aware locator: JSON pointer → byte span of the value → line and column.
//!
//! serde_json keeps no positions, so this is a second, minimal pass over the text of
//! a document that already parsed. It decodes keys (escapes, `\u` surrogate pairs)
//! to compare them with the pointer's unescaped segments, and, like serde_json,
//! takes the last of duplicate keys. It never allocates for values it skips. It must
//! not be used on text that did not parse: it assumes well-formed JSON and stops
//! (without panicking) at anything else. [`locate_all`] and [`line_cols`] (in
//! `many.rs`) do the same for many findings of one file in one pass.

use std::borrow::Cow;

mod many;

pub use many::{line_cols, locate_all};

/// A byte range of a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

impl Span {
    pub fn end(self) -> usize {
        self.offset + self.len
    }
}

/// Where a pointer lands in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The span of the value at the pointer, or of its deepest existing ancestor.
    pub span: Span,
    /// Whether the whole pointer exists (false when the span is an ancestor's).
    pub exact: bool,
}

/// Splits a JSON pointer into unescaped segments (`~1` → `/`, `~0` → `~`).
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Finds the value at `pointer` in `text` (a JSON document that parsed). When a
/// segment does not exist, the span is that of the deepest existing value.
pub fn locate(text: &str, pointer: &str) -> Located {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    let mut exact = true;
    for seg in pointer_segments(pointer) {
        match b.get(pos) {
            Some(b'{') => match find_member(b, pos, &seg) {
                Some(p) => pos = p,
                None => {
                    exact = false;
                    break;
                }
            },
            Some(b'[') => match seg.parse::<usize>().ok().and_then(|i| find_item(b, pos, i)) {
                Some(p) => pos = p,
                None => {
                    exact = false;
                    break;
                }
            },
            _ => {
                exact = false;
                break;
            }
        }
    }
    let end = skip_value(b, pos);
    Located {
        span: Span {
            offset: pos.min(b.len()),
            len: end.saturating_sub(pos),
        },
        exact,
    }
}

/// The 1-based line and column (in characters) of a byte offset. An offset inside a
/// character counts as that character.
pub fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    // Count characters as UTF-8 lead bytes, so a split character still counts once.
    let col = before[line_start..]
        .iter()
        .filter(|&&c| (c & 0xC0) != 0x80)
        .count()
        + 1;
    (line as u64, col as u64)
}

pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Skips the string starting at `i` (on its opening quote); returns the index after
/// the closing quote.
pub(crate) fn skip_string(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match memchr::memchr2(b'"', b'\\', &b[j..]) {
            Some(k) => {
                j += k;
                if b[j] == b'\\' {
                    j += 2;
                } else {
                    return j + 1;
                }
            }
            None => return b.len(),
        }
    }
    b.len()
}

/// Skips the value starting at `i`; returns the index after it.
pub(crate) fn skip_value(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        None => b.len(),
        Some(b'"') => skip_string(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        Some(_) => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            j
        }
    }
}

/// Decodes the JSON string at `i` (on its opening quote). Returns the decoded text
/// and the index after the closing quote.
pub(crate) fn decode_string(b: &[u8], i: usize) -> (String, usize) {
    let end = skip_string(b, i);
    let raw = &b[(i + 1).min(end)..end.saturating_sub(1).max(i + 1).min(b.len())];
    if memchr::memchr(b'\\', raw).is_none() {
        return (String::from_utf8_lossy(raw).into_owned(), end);
    }
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut k = 0;
    while k < raw.len() {
        if raw[k] != b'\\' {
            out.push(raw[k]);
            k += 1;
            continue;
        }
        let Some(&esc) = raw.get(k + 1) else { break };
        k += 2;
        let simple = match esc {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        // `\uXXXX`, possibly a surrogate pair.
        let Some(hi) = hex4(raw, k) else { break };
        k += 4;
        let code = if (0xD800..0xDC00).contains(&hi)
            && raw.get(k) == Some(&b'\\')
            && raw.get(k + 1) == Some(&b'u')
        {
            match hex4(raw, k + 2) {
                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                    k += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                }
                _ => hi,
            }
        } else {
            hi
        };
        let ch = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    (String::from_utf8_lossy(&out).into_owned(), end)
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 4)?;
    let s = std::str::from_utf8(s).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// In the object at `i`, the start of the value of the last member named `key`.
fn find_member(b: &[u8], i: usize, key: &str) -> Option<usize> {
    let mut j = skip_ws(b, i + 1);
    let mut found = None;
    while let Some(&c) = b.get(j) {
        crate::work::tick(1);
        if c != b'"' {
            break;
        }
        let name_matches = {
            let end = skip_string(b, j);
            let raw = &b[j + 1..end.saturating_sub(1).max(j + 1)];
            if memchr::memchr(b'\\', raw).is_none() {
                (raw == key.as_bytes(), end)
            } else {
                let (name, end) = decode_string(b, j);
                (name == key, end)
            }
        };
        let (matches, after_key) = name_matches;
        j = skip_ws(b, after_key);
        if b.get(j) != Some(&b':') {
            break;
        }
        j = skip_ws(b, j + 1);
        if matches {
            found = Some(j);
        }
        j = skip_ws(b, skip_value(b, j));
        if b.get(j) == Some(&b',') {
            j = skip_ws(b, j + 1);
        } else {
            break;
        }
    }
    found
}

/// In the array at `i`, the start of item `index`.
fn find_item(b: &[u8], i: usize, index: usize) -> Option<usize> {
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return None;
    }
    let mut n = 0;
    while j < b.len() {
        crate::work::tick(1);
        if n == index {
            return Some(j);
        }
        j = skip_ws(b, skip_value(b, j));
        if b.get(j) == Some(&b',') {
            j = skip_ws(b, j + 1);
            n += 1;
        } else {
            return None;
        }
    }
    None
}

/// A key that appears more than once in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The pointer of the member (JSON.parse and serde_json keep its last value).
    pub pointer: String,
    /// The span of an earlier, overridden occurrence's value.
    pub overridden: Span,
}

/// Every duplicate key of a document that parsed, in text order. One linear pass;
/// keys are compared as raw bytes and decoded only when they hold an escape, and a
/// pointer is built only for a duplicate.
pub fn duplicate_keys(text: &str) -> Vec<DuplicateKey> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let start = skip_ws(b, 0);
    let mut path = Vec::new();
    let mut keys = Vec::new();
    scan(b, start, &mut path, &mut keys, &mut out, 0);
    out
}

/// A pointer segment while scanning.
enum Seg<'a> {
    Key(Cow<'a, [u8]>),
    Index(usize),
}

fn pointer_of(path: &[Seg<'_>]) -> String {
    let mut pointer = String::new();
    for seg in path {
        pointer.push('/');
        match seg {
            Seg::Key(k) => {
                pointer.push_str(
                    &String::from_utf8_lossy(k)
                        .replace('~', "~0")
                        .replace('/', "~1"),
                );
            }
            Seg::Index(i) => pointer.push_str(&i.to_string()),
        }
    }
    pointer
}

/// Scans the value at `i`; returns the index after it. `path` is the value's pointer.
fn scan<'a>(
    b: &'a [u8],
    i: usize,
    path: &mut Vec<Seg<'a>>,
    keys: &mut Vec<(Cow<'a, [u8]>, usize)>,
    out: &mut Vec<DuplicateKey>,
    depth: usize,
) -> usize {
    crate::work::tick(1);
    // serde_json refuses nesting deeper than 128: a parsed document never gets here.
    if depth > 128 {
        return skip_value(b, i);
    }
    match b.get(i) {
        Some(b'{') => {
            // `keys[base..]` holds (key, start of its value) of this object's members
            // seen so far: one buffer for the whole document. Objects with many keys
            // (a room-channel file has one per channel) also get a hash index.
            let base = keys.len();
            let mut index: Option<std::collections::HashMap<Cow<'a, [u8]>, usize>> = None;
            let mut j = skip_ws(b, i + 1);
            while b.get(j) == Some(&b'"') {
                let end = skip_string(b, j);
                let raw = &b[j + 1..end.saturating_sub(1).max(j + 1)];
                let key: Cow<'a, [u8]> = if memchr::memchr(b'\\', raw).is_some() {
                    Cow::Owned(decode_string(b, j).0.into_bytes())
                } else {
                    Cow::Borrowed(raw)
                };
                j = skip_ws(b, end);
                if b.get(j) != Some(&b':') {
                    return skip_value(b, i);
                }
                let value = skip_ws(b, j + 1);
                let earlier = match &index {
                    Some(index) => index.get(&key).copied(),
                    None => keys[base..]
                        .iter()
                        .rev()
                        .find(|(k, _)| *k == key)
                        .map(|(_, v)| *v),
                };
                if let Some(earlier) = earlier {
                    path.push(Seg::Key(key.clone()));
                    out.push(DuplicateKey {
                        pointer: pointer_of(path),
                        overridden: Span {
                            offset: earlier,
                            len: skip_value(b, earlier) - earlier,
                        },
                    });
                    path.pop();
                }
                path.push(Seg::Key(key.clone()));
                let after = scan(b, value, path, keys, out, depth + 1);
                path.pop();
                match &mut index {
                    Some(index) => {
                        index.insert(key, value);
                    }
                    None => {
                        keys.push((key, value));
                        if keys.len() - base > 32 {
                            index = Some(keys.drain(base..).collect());
                        }
                    }
                }
                j = skip_ws(b, after);
                if b.get(j) == Some(&b',') {
                    j = skip_ws(b, j + 1);
                } else {
                    break;
                }
            }
            keys.truncate(base);
            skip_ws(b, j) + 1
        }
        Some(b'[') => {
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b']') {
                return j + 1;
            }
            let mut n = 0usize;
            while j < b.len() {
                path.push(Seg::Index(n));
                let after = scan(b, j, path, keys, out, depth + 1);
                path.pop();
                j = skip_ws(b, after);
                if b.get(j) == Some(&b',') {
                    j = skip_ws(b, j + 1);
                    n += 1;
                } else {
                    break;
                }
            }
            j + 1
        }
        _ => skip_value(b, i),
    }
}

/// The spans of every string literal (quotes included) inside `span`.
pub(crate) fn strings_in(b: &[u8], span: Span) -> Vec<Span> {
    let end = span.end().min(b.len());
    let mut out = Vec::new();
    let mut j = span.offset;
    while j < end {
        match memchr::memchr(b'"', &b[j..end]) {
            Some(k) => {
                let start = j + k;
                let stop = skip_string(b, start).min(end);
                out.push(Span {
                    offset: start,
                    len: stop - start,
                });
                j = stop;
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, pointer: &str) -> &'a str {
        let l = locate(text, pointer);
        assert!(l.exact, "{pointer} not found");
        &text[l.span.offset..l.span.end()]
    }

    #[test]
    fn values_objects_arrays() {
        let t = r#"{"a":1,"b":[true,{"c":"x\"y"},null],"d":{"e":-2.5e3}}"#;
        assert_eq!(at(t, ""), t);
        assert_eq!(at(t, "/a"), "1");
        assert_eq!(at(t, "/b"), r#"[true,{"c":"x\"y"},null]"#);
        assert_eq!(at(t, "/b/0"), "true");
        assert_eq!(at(t, "/b/1/c"), r#""x\"y""#);
        assert_eq!(at(t, "/b/2"), "null");
        assert_eq!(at(t, "/d/e"), "-2.5e3");
    }

    #[test]
    fn whitespace_and_pretty_text() {
        let t = "{\n  \"a\" : [ 1 ,\n 2 ] ,\n  \"b\"\t:\r\n {}\n}\n";
        assert_eq!(at(t, "/a/1"), "2");
        assert_eq!(at(t, "/b"), "{}");
        let l = locate(t, "/a/1");
        assert_eq!(line_col(t, l.span.offset), (3, 2));
    }

    #[test]
    fn escaped_and_unicode_keys() {
        let t = r#"{"a/b":1,"m~n":2,"\u00e9t\u00e9":3,"\ud83d\ude00":4,"q\"":5,"été":6}"#;
        assert_eq!(at(t, "/a~1b"), "1");
        assert_eq!(at(t, "/m~0n"), "2");
        assert_eq!(at(t, "/\u{e9}t\u{e9}"), "6");
        assert_eq!(at(t, "/\u{1F600}"), "4");
        assert_eq!(at(t, "/q\""), "5");
    }

    #[test]
    fn duplicate_keys_are_found() {
        let t = r#"{"a":1,"b":{"x":[{"k":1,"k":2}],"x":3},"a":4,"\u0061":5}"#;
        let dups = duplicate_keys(t);
        let got: Vec<(&str, &str)> = dups
            .iter()
            .map(|d| {
                (
                    d.pointer.as_str(),
                    &t[d.overridden.offset..d.overridden.end()],
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("/b/x/0/k", "1"),
                ("/b/x", r#"[{"k":1,"k":2}]"#),
                ("/a", "1"),
                ("/a", "4"),
            ]
        );
        assert!(duplicate_keys(r#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#).is_empty());
        // A large object (hash index), with its duplicate at the end.
        let mut big: String = (0..100).map(|i| format!("\"k{i}\":{i},")).collect();
        big = format!("{{{big}\"k7\":0}}");
        let dups = duplicate_keys(&big);
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].pointer, "/k7");
        assert_eq!(
            &big[dups[0].overridden.offset..dups[0].overridden.end()],
            "7"
        );
    }

    #[test]
    fn duplicate_keys_take_the_last() {
        let t = r#"{"a":1,"a":2}"#;
        assert_eq!(at(t, "/a"), "2");
    }

    #[test]
    fn missing_segments_fall_back_to_the_ancestor() {
        let t = r#"{"a":{"b":[1]}}"#;
        let l = locate(t, "/a/x/y");
        assert!(!l.exact);
        assert_eq!(&t[l.span.offset..l.span.end()], r#"{"b":[1]}"#);
        let l = locate(t, "/a/b/3");
        assert!(!l.exact);
        assert_eq!(&t[l.span.offset..l.span.end()], "[1]");
        let l = locate(t, "/a/b/0/z");
        assert!(!l.exact);
        assert_eq!(&t[l.span.offset..l.span.end()], "1");
        let l = locate("[]", "/0");
        assert!(!l.exact);
    }

    #[test]
    fn columns_count_characters() {
        let t = "{\"é😀\":\"ü\",\"x\":1}";
        let l = locate(t, "/x");
        // `{"é😀":"ü","x":` is 14 characters, so the value is in column 15.
        assert_eq!(line_col(t, l.span.offset), (1, 15));
    }

    #[test]
    fn agrees_with_serde_json_on_every_value() {
        let t = r#"{"a":[{"b":"\\","c":[[],{}]},"\u0041"],"e":{"":0,"f g":[1,2,[3]]}}"#;
        let v: serde_json::Value = serde_json::from_str(t).expect("valid");
        fn walk(v: &serde_json::Value, p: String, out: &mut Vec<(String, serde_json::Value)>) {
            out.push((p.clone(), v.clone()));
            match v {
                serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| {
                    walk(
                        v,
                        format!("{p}/{}", k.replace('~', "~0").replace('/', "~1")),
                        out,
                    )
                }),
                serde_json::Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .for_each(|(i, v)| walk(v, format!("{p}/{i}"), out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        walk(&v, String::new(), &mut all);
        for (p, want) in all {
            let got: serde_json::Value = serde_json::from_str(at(t, &p)).expect("a value");
            assert_eq!(got, want, "{p}");
        }
    }
}
