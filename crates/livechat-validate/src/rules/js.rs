//! JavaScript semantics the plugin's readers rely on, emulated exactly: `parseInt`,
//! `Math.trunc`, `String(v)`, truthiness, `String.prototype.length` (UTF-16 code
//! units), the control-character stripping of `sanitize.ts`, JS `\s` and `\w`,
//! regular expressions (compiled with `regress`, which has ECMAScript syntax), the
//! patterns the plugin joins for the bot, Node's hex decoding and WHATWG URLs.
//!
//! Pure functions only; nothing here knows about files or findings.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use serde_json::Value;

/// JavaScript truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `typeof v === 'object'` (true for `null` and arrays).
pub fn typeof_object(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Array(_) | Value::Object(_))
}

/// The `typeof` of a JSON value, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short, safe rendering of a (non-secret) value for messages.
pub fn show(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(37).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Properties every array has through `Array.prototype` (`'entries' in []` is true).
pub const ARRAY_PROTOTYPE: &[&str] = &[
    "length",
    "at",
    "concat",
    "copyWithin",
    "entries",
    "every",
    "fill",
    "filter",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flat",
    "flatMap",
    "forEach",
    "includes",
    "indexOf",
    "join",
    "keys",
    "lastIndexOf",
    "map",
    "pop",
    "push",
    "reduce",
    "reduceRight",
    "reverse",
    "shift",
    "slice",
    "some",
    "sort",
    "splice",
    "toLocaleString",
    "toReversed",
    "toSorted",
    "toSpliced",
    "toString",
    "unshift",
    "values",
    "with",
    "constructor",
];

/// `'key' in v` for a JSON value: arrays answer for their indices and the
/// properties of `Array.prototype`, objects for their keys. Primitives make
/// JavaScript throw: `None`.
pub fn has_key(v: &Value, key: &str) -> Option<bool> {
    match v {
        Value::Object(m) => Some(m.contains_key(key)),
        Value::Array(a) => Some(
            ARRAY_PROTOTYPE.contains(&key)
                || key
                    .parse::<usize>()
                    .is_ok_and(|i| i < a.len() && i.to_string() == key),
        ),
        _ => None,
    }
}

/// `v[key]` for a JSON value (`undefined` is `None`).
pub fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m.get(key),
        Value::Array(a) => key
            .parse::<usize>()
            .ok()
            .filter(|i| i.to_string() == key)
            .and_then(|i| a.get(i)),
        _ => None,
    }
}

/// JavaScript's `Number.prototype.toString()` for a finite number.
pub fn number_to_string(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned();
    }
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let abs = f.abs();
    if (1e-6..1e21).contains(&abs) {
        let s = format!("{f}");
        return s;
    }
    // Exponent form: Rust's `{:e}` gives the shortest mantissa, as JS does.
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        Some((mantissa, exp)) => format!("{mantissa}e{exp}"),
        None => s,
    }
}

/// `String(v)` for a JSON value.
pub fn to_js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) if i.unsigned_abs() < 1_000_000_000_000_000_000 => i.to_string(),
            (_, Some(u)) if u < 1_000_000_000_000_000_000 => u.to_string(),
            _ => number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => s.clone(),
        // Array.prototype.toString joins the elements, null and undefined as "".
        Value::Array(a) => a
            .iter()
            .map(|e| match e {
                Value::Null => String::new(),
                other => to_js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// JS `\s` (WhiteSpace and LineTerminator), also what `parseInt` skips.
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// JS `\w` without the `u` flag: ASCII letters, digits and `_`.
pub fn is_js_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `parseInt(s)` (no radix): leading whitespace, a sign, `0x` for hexadecimal, then
/// as many digits as there are. `None` is NaN.
pub fn parse_int(s: &str) -> Option<f64> {
    let s = s.trim_start_matches(is_js_space);
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, s) = if s.len() >= 2 && (s.starts_with("0x") || s.starts_with("0X")) {
        (16, &s[2..])
    } else {
        (10, s)
    };
    let mut value = 0.0f64;
    let mut digits = 0;
    for c in s.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        value = value * f64::from(radix) + f64::from(d);
        digits += 1;
    }
    if digits == 0 {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// What `_readInteger` computes before its range checks:
/// `typeof v === 'number' ? Math.trunc(v) : parseInt(v)`. `None` is NaN.
pub fn read_integer(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().map(f64::trunc),
        other => parse_int(&to_js_string(other)),
    }
}

/// Whether a JSON value is already a canonical integer (what the plugin writes).
pub fn is_json_integer(v: &Value) -> bool {
    matches!(v, Value::Number(n) if n.is_i64() || n.is_u64())
}

/// Renders an integer the plugin computed (`-0` is written as `0`).
pub fn show_integer(f: f64) -> String {
    if f == 0.0 {
        "0".to_owned()
    } else {
        number_to_string(f)
    }
}

/// `String.prototype.length`: UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The control characters `_readSimpleInput` strips: U+0000-U+001F, U+007F-U+009F.
pub fn is_simple_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}

/// The control characters `_readMultiLineString` strips: U+0000-U+0009,
/// U+001B-U+001F, U+007F-U+009F (it keeps `\n`, `\v`, `\f`, `\r` and U+001A).
pub fn is_multiline_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{9}' | '\u{1B}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}

static STRICT_TRAILING: LazyLock<Option<regress::Regex>> =
    LazyLock::new(|| regress::Regex::with_flags(r"[^\p{L}\p{N}\p{Z}_-]$", "u").ok());

/// `_readSimpleInput(..., strict)`: strips control characters, then one trailing
/// character outside `[\p{L}\p{N}\p{Z}_-]` (the regexp is anchored at `$`).
pub fn read_simple_input(s: &str, strict: bool, no_space: bool) -> String {
    let mut out: String = s.chars().filter(|c| !is_simple_control(*c)).collect();
    if strict {
        if let Some(re) = STRICT_TRAILING.as_ref() {
            if let Some(m) = re.find(&out) {
                let start = m.start();
                out.truncate(start);
            }
        }
    }
    if no_space {
        out.retain(|c| !is_js_space(c));
    }
    out
}

/// `/^\s+$/.test(v) || v === ''`: the entries `_readStringArray` drops.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_js_space)
}

/// How a regular expression fares in JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegexpVerdict {
    Ok,
    /// `new RegExp` throws: the message says why.
    Invalid(String),
    /// The verdict cannot be computed exactly here (`v`-mode set syntax).
    Unverifiable(String),
}

/// Checks flags as `new RegExp(p, flags)` does: each of `dgimsuvy` at most once, and
/// not both `u` and `v`.
pub fn check_flags(flags: &str) -> Result<(), String> {
    let mut seen = String::new();
    for c in flags.chars() {
        if !"dgimsuvy".contains(c) {
            return Err(format!("invalid flag `{c}`"));
        }
        if seen.contains(c) {
            return Err(format!("flag `{c}` given twice"));
        }
        seen.push(c);
    }
    if seen.contains('u') && seen.contains('v') {
        return Err("flags `u` and `v` cannot be combined".to_owned());
    }
    Ok(())
}

/// Verdicts already computed: the same patterns (the plugin's special-characters
/// class, common word lists) recur in thousands of room files, and compiling a
/// Unicode-property class is not cheap.
static VERDICTS: LazyLock<Mutex<HashMap<(String, String), RegexpVerdict>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Compiles `pattern` with `flags` as `new RegExp(pattern, flags)` would.
pub fn check_regexp(pattern: &str, flags: &str) -> RegexpVerdict {
    let key = (pattern.to_owned(), flags.to_owned());
    if let Some(v) = VERDICTS.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return v;
    }
    let verdict = check_regexp_uncached(pattern, flags);
    if let Ok(mut m) = VERDICTS.lock() {
        if m.len() >= 4096 {
            m.clear();
        }
        m.insert(key, verdict.clone());
    }
    verdict
}

fn check_regexp_uncached(pattern: &str, flags: &str) -> RegexpVerdict {
    if let Err(why) = check_flags(flags) {
        return RegexpVerdict::Invalid(why);
    }
    let syntax_flags: String = flags.chars().filter(|c| "imsuv".contains(*c)).collect();
    if let Err(err) = regress::Regex::with_flags(pattern, syntax_flags.as_str()) {
        return RegexpVerdict::Invalid(err.to_string().to_lowercase());
    }
    if quantified_word_boundary(pattern) {
        return RegexpVerdict::Invalid(
            "nothing to repeat (a quantified `\\b` or `\\B`)".to_owned(),
        );
    }
    if flags.contains('v') {
        // regress does not apply the `u` mode's strictness under `v`, which V8
        // does: check that too, unless the pattern uses `v`-only syntax.
        let as_u = syntax_flags.replace('v', "u");
        if let Err(err) = regress::Regex::with_flags(pattern, as_u.as_str()) {
            if uses_v_only_syntax(pattern) {
                return RegexpVerdict::Unverifiable(
                    "it uses the `v` flag's set syntax, which cannot be checked exactly here"
                        .to_owned(),
                );
            }
            return RegexpVerdict::Invalid(err.to_string().to_lowercase());
        }
    }
    let unicode = flags.contains('u') || flags.contains('v');
    // V8 accepts these two only from 12.5 (Node.js 24). PeerTube runs the plugin on
    // Node.js 20 or 22, which throw: judge them as those do.
    if let Some(name) = duplicate_group_name(pattern, unicode) {
        return RegexpVerdict::Invalid(format!(
            "the named group `{name}` appears twice, which Node.js 22 and older refuse (duplicate capture group name)"
        ));
    }
    if has_modifier_group(pattern) {
        return RegexpVerdict::Invalid(
            "it uses a `(?ims-ims:...)` modifier group, which Node.js 22 and older refuse (invalid group)"
                .to_owned(),
        );
    }
    RegexpVerdict::Ok
}

/// `\b+`, `\B*`, `\b{2}`: V8 refuses a quantified word boundary ("Nothing to
/// repeat"), regress accepts it.
fn quantified_word_boundary(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if !in_class && matches!(b.get(i + 1), Some(b'b' | b'B')) {
                    match b.get(i + 2) {
                        Some(b'*' | b'+' | b'?') => return true,
                        Some(b'{') => {
                            let rest = &pattern[i + 3..];
                            let body: String = rest.chars().take_while(|c| *c != '}').collect();
                            let closed = rest.len() > body.len();
                            let (lo, hi) = body.split_once(',').unwrap_or((body.as_str(), "0"));
                            if closed
                                && !lo.is_empty()
                                && lo.bytes().all(|c| c.is_ascii_digit())
                                && hi.bytes().all(|c| c.is_ascii_digit())
                            {
                                return true;
                            }
                        }
                        _ => {}
                    }
                }
                i += 2;
            }
            b'[' if !in_class => {
                in_class = true;
                i += 1;
            }
            b']' if in_class => {
                in_class = false;
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}

/// Syntax that only the `v` flag has: class set operations, nested classes,
/// `\q{...}`, properties of strings.
fn uses_v_only_syntax(pattern: &str) -> bool {
    pattern.contains("--")
        || pattern.contains("&&")
        || pattern.contains("\\q{")
        || pattern.contains("\\p{RGI_")
        || pattern.contains("\\p{Basic_Emoji")
        || pattern.contains("\\p{Emoji_Keycap_Sequence")
        || pattern.contains("[[")
}

/// The group names of a pattern, in order (`(?<name>`), skipping escapes and classes.
fn group_names(pattern: &str, unicode: bool) -> Vec<&str> {
    let _ = unicode;
    let bytes = pattern.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'[' if !in_class => {
                in_class = true;
                i += 1;
            }
            b']' if in_class => {
                in_class = false;
                i += 1;
            }
            b'(' if !in_class && pattern[i..].starts_with("(?<") => {
                let rest = &pattern[i + 3..];
                if rest.starts_with('=') || rest.starts_with('!') {
                    i += 4;
                    continue;
                }
                if let Some(end) = rest.find('>') {
                    names.push(&rest[..end]);
                    i += 3 + end + 1;
                } else {
                    i += 3;
                }
            }
            _ => i += 1,
        }
    }
    names
}

fn duplicate_group_name(pattern: &str, unicode: bool) -> Option<String> {
    let names = group_names(pattern, unicode);
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .find(|n| !seen.insert(*n))
        .map(str::to_owned)
}

fn has_modifier_group(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'[' if !in_class => {
                in_class = true;
                i += 1;
            }
            b']' if in_class => {
                in_class = false;
                i += 1;
            }
            b'(' if !in_class && pattern[i..].starts_with("(?") => {
                let next = bytes.get(i + 2).copied().unwrap_or(0);
                if matches!(next, b'i' | b'm' | b's' | b'-') {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// The regexp the plugin builds for a regexp forbidden-words line: `(?:a)|(?:b)`.
pub fn join_regexp_entries<S: AsRef<str>>(entries: &[S]) -> String {
    let parts: Vec<&str> = entries.iter().map(AsRef::as_ref).collect();
    format!("(?:{})", parts.join(")|(?:"))
}

/// The regexp the plugin builds for a word forbidden-words line: each entry escaped
/// (`- [ ] / { } ( ) * + ? . \ ^ $ |`), with `\b` on a side that starts or ends with
/// a `\w` character, joined as `(?:a)|(?:b)`.
pub fn join_word_entries<S: AsRef<str>>(entries: &[S]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|e| {
            let mut s = String::new();
            for c in e.as_ref().chars() {
                if "-[]/{}()*+?.\\^$|".contains(c) {
                    s.push('\\');
                }
                s.push(c);
            }
            if s.chars().next().is_some_and(is_js_word) {
                s.insert_str(0, "\\b");
            }
            if s.chars().last().is_some_and(is_js_word) {
                s.push_str("\\b");
            }
            s
        })
        .collect();
    format!("(?:{})", parts.join(")|(?:"))
}

/// The special-characters class of `forbid_special_chars`, repeated `tolerance + 1`
/// times and joined with `.*` when the tolerance is positive.
pub fn special_chars_regexp(tolerance: u32) -> String {
    let class = r"[^\s\p{Letter}\p{Number}\p{Punctuation}\p{Currency_Symbol}\p{Emoji}\p{Emoji_Component}\p{Emoji_Modifier}]";
    if tolerance == 0 {
        return class.to_owned();
    }
    vec![class; tolerance as usize + 1].join(".*")
}

/// Node's `Buffer.from(s, 'hex')`: decodes pairs of hex digits until the first pair
/// that is not one (so odd lengths and junk are truncated, never an error).
pub fn node_hex_len(s: &str) -> usize {
    s.as_bytes()
        .chunks(2)
        .take_while(|pair| pair.len() == 2 && pair.iter().all(u8::is_ascii_hexdigit))
        .count()
}

/// `new URL('http://' + s).hostname` after the plugin's `_validateHost` checks (a
/// string without `/`). `None` where the plugin returns false.
pub fn validate_host(s: &str) -> Option<String> {
    if s.contains('/') {
        return None;
    }
    let url = url::Url::parse(&format!("http://{s}")).ok()?;
    let host = url.host_str()?.to_owned();
    if host.is_empty() { None } else { Some(host) }
}

/// The protocols `_validUrl` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProtocol {
    Http,
    Ws,
}

/// `_validUrl(s, {protocol, noSearchParams: true})`.
pub fn valid_url(s: &str, protocol: UrlProtocol) -> Result<url::Url, &'static str> {
    if s.is_empty() {
        return Err("it is empty");
    }
    let url = url::Url::parse(s).map_err(|_| "it is not a URL")?;
    let ok = match protocol {
        UrlProtocol::Http => matches!(url.scheme(), "http" | "https"),
        UrlProtocol::Ws => matches!(url.scheme(), "ws" | "wss"),
    };
    if !ok {
        return Err(match protocol {
            UrlProtocol::Http => "its scheme is not http: or https:",
            UrlProtocol::Ws => "its scheme is not ws: or wss:",
        });
    }
    if url.query().is_some_and(|q| !q.is_empty()) {
        return Err("it has a query string");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_int_like_js() {
        assert_eq!(read_integer(&json!("42abc")), Some(42.0));
        assert_eq!(read_integer(&json!([5])), Some(5.0));
        assert_eq!(read_integer(&json!("1e3")), Some(1.0));
        assert_eq!(read_integer(&json!(true)), None);
        assert_eq!(read_integer(&json!(null)), None);
        assert_eq!(read_integer(&json!("0x1A")), Some(26.0));
        assert_eq!(read_integer(&json!("  -7")), Some(-7.0));
        assert_eq!(read_integer(&json!(2.9)), Some(2.0));
        assert_eq!(read_integer(&json!([1, 2])), Some(1.0));
        assert_eq!(read_integer(&json!({})), None);
    }
}
