//! Parsing a document as `JSON.parse` does: every text it accepts is accepted here,
//! so that a file the plugin reads is judged by its values, never reported as a
//! syntax error.
//!
//! serde_json refuses two things `JSON.parse` accepts: numbers beyond a double's
//! range (`1e400`, which `JSON.parse` reads as `Infinity`) and escaped lone
//! surrogates (`"\ud800"`, kept in the JavaScript string). When serde_json refuses a
//! text, a copy is made in which each such number becomes the largest finite double
//! with its sign (which every rule compares, truncates and tests as it would
//! `Infinity`; [`crate::rules::js`] renders it as `Infinity`) and each lone surrogate
//! escape becomes `\ufffd` (what Node writes for it in UTF-8), then parsed again.
//! Both replacements keep the other bytes where they are. Owns no I/O.

use serde_json::Value;

use super::locate::Span;

/// The stand-in for `Infinity`: `f64::MAX` written so that serde_json reads it back
/// exactly.
const HUGE: &str = "1.7976931348623157e308";

/// A number `JSON.parse` reads as `Infinity` or `-Infinity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    /// The number's text in the file.
    pub span: Span,
    pub negative: bool,
}

/// A parsed document and the numbers that overflowed.
#[derive(Debug)]
pub struct Parsed {
    pub value: Value,
    pub overflows: Vec<Overflow>,
}

/// Parses `text` as `JSON.parse` would; the error is serde_json's on the original
/// text when `JSON.parse` refuses it too.
pub fn parse(text: &str) -> Result<Parsed, serde_json::Error> {
    let err = match serde_json::from_str(text) {
        Ok(value) => {
            return Ok(Parsed {
                value,
                overflows: Vec::new(),
            });
        }
        Err(err) => err,
    };
    let (copy, overflows, changed) = rewrite(text);
    if !changed {
        return Err(err);
    }
    match serde_json::from_str(&copy) {
        Ok(value) => Ok(Parsed { value, overflows }),
        Err(_) => Err(err),
    }
}

/// The copy with overflowing numbers and lone surrogate escapes replaced, the
/// overflows, and whether anything changed.
fn rewrite(text: &str) -> (String, Vec<Overflow>, bool) {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut overflows = Vec::new();
    let mut changed = false;
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && b.get(i + 1) == Some(&b'u') {
                        if let Some(unit) = hex4(b, i + 2) {
                            let lone = match unit {
                                0xD800..=0xDBFF => {
                                    !(b.get(i + 6) == Some(&b'\\')
                                        && b.get(i + 7) == Some(&b'u')
                                        && hex4(b, i + 8)
                                            .is_some_and(|n| (0xDC00..=0xDFFF).contains(&n)))
                                }
                                0xDC00..=0xDFFF => true,
                                _ => false,
                            };
                            if lone {
                                out.push_str(&text[copied..i]);
                                out.push_str("\\ufffd");
                                copied = i + 6;
                                changed = true;
                                i += 6;
                                continue;
                            }
                            // A valid pair: skip both escapes.
                            i += if (0xD800..=0xDBFF).contains(&unit) {
                                12
                            } else {
                                6
                            };
                            continue;
                        }
                    }
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &text[start..i];
                if token.parse::<f64>().is_ok_and(f64::is_infinite) {
                    out.push_str(&text[copied..start]);
                    let negative = token.starts_with('-');
                    if negative {
                        out.push('-');
                    }
                    out.push_str(HUGE);
                    copied = i;
                    changed = true;
                    overflows.push(Overflow {
                        span: Span {
                            offset: start,
                            len: i - start,
                        },
                        negative,
                    });
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    (out, overflows, changed)
}

/// The value of four hexadecimal digits at `i`.
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let digits = b.get(i..i + 4)?;
    let s = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflowing_numbers_are_read_as_infinity() {
        let p = parse(r#"{"a":1e400,"b":[-1E+999],"c":"1e400","d":1e-400}"#)
            .expect("JSON.parse accepts it");
        assert_eq!(p.value["a"].as_f64(), Some(f64::MAX));
        assert_eq!(p.value["b"][0].as_f64(), Some(-f64::MAX));
        assert_eq!(p.value["c"], "1e400");
        assert_eq!(p.value["d"].as_f64(), Some(0.0));
        assert_eq!(p.overflows.len(), 2);
        assert_eq!(p.overflows[0].span, Span { offset: 5, len: 5 });
        assert!(p.overflows[1].negative);
    }

    #[test]
    fn lone_surrogates_are_accepted() {
        let p = parse(r#"["\ud800","\udc00x","\ud83d\ude00"]"#).expect("JSON.parse accepts it");
        assert_eq!(p.value[0], "\u{fffd}");
        assert_eq!(p.value[1], "\u{fffd}x");
        assert_eq!(p.value[2], "\u{1f600}");
    }

    #[test]
    fn what_json_parse_refuses_stays_an_error() {
        assert!(parse("{\"a\":1e400,}").is_err());
        assert!(parse("[01]").is_err());
        assert!(parse("[1e400").is_err());
    }
}
