//! Redaction of a file's text before it is attached to a report, so that no code
//! frame ever shows a secret (the bot password, token ciphertexts).
//!
//! Every byte inside a secret string literal becomes `*`: the text keeps its length,
//! so spans stay valid, and stays UTF-8 (whole characters are replaced). Two passes:
//! an exact one by JSON pointer for documents that parsed, and a lenient one by key
//! name that also works on truncated or otherwise broken text. This module never
//! decides what is secret: `livechat_schema::secret` does.

use livechat_schema::Kind;
use livechat_schema::secret::{secret_locations, secret_pointers};
use serde_json::Value;

use super::locate::{self, Span, decode_string, skip_string, skip_value, skip_ws, strings_in};

/// Returns the text of a file of `kind`, with its secrets masked. `value` is the
/// parsed document when it parsed.
pub fn redact_text(text: String, kind: Kind, value: Option<&Value>) -> String {
    if secret_pointers(kind).is_empty() {
        return text;
    }
    let mut bytes = text.into_bytes();
    if let Some(value) = value {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let pointers = secret_locations(kind, value);
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        for located in locate::locate_all(&text, &pointers) {
            if located.exact {
                let spans = strings_in(text.as_bytes(), located.span);
                mask_strings(&mut bytes, &spans);
            }
        }
    }
    mask_by_key(&mut bytes, kind);
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Replaces the secret values of a document wherever they occur in a message: one
/// automaton for all of a file's secrets (a token file may hold thousands), so
/// masking a message costs its length, not its length times the secrets.
#[derive(Debug)]
pub struct Masker(Option<aho_corasick::AhoCorasick>);

impl Masker {
    pub fn new(secrets: &[String]) -> Self {
        let secrets: Vec<&str> = secrets
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        if secrets.is_empty() {
            return Masker(None);
        }
        Masker(
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&secrets)
                .ok(),
        )
    }

    pub fn mask(&self, message: &str) -> String {
        match &self.0 {
            Some(ac) => ac.replace_all(message, &vec!["<redacted>"; ac.patterns_len()]),
            None => message.to_owned(),
        }
    }
}

/// Replaces every secret value of the document that occurs in `message`.
pub fn mask_message(message: &str, secrets: &[String]) -> String {
    Masker::new(secrets).mask(message)
}

/// Masks the inside of each string literal span (quotes kept).
fn mask_strings(bytes: &mut [u8], spans: &[Span]) {
    for span in spans {
        let start = (span.offset + 1).min(bytes.len());
        let mut end = span.end().min(bytes.len());
        // Keep the closing quote of a terminated literal.
        if end > start && bytes[end - 1] == b'"' && span.len >= 2 {
            end -= 1;
        }
        for b in &mut bytes[start..end] {
            *b = b'*';
        }
    }
}

/// The lenient pass: masks the value of every member whose key is the last segment
/// of a secret pointer (`password`, `encryptedPassword`), wherever it sits, even in
/// text that is not valid JSON (an unterminated string is masked to the end).
fn mask_by_key(bytes: &mut [u8], kind: Kind) {
    let names: Vec<&str> = secret_pointers(kind)
        .iter()
        .filter_map(|p| p.rsplit('/').next())
        .collect();
    let mut j = 0;
    let mut spans = Vec::new();
    while j < bytes.len() {
        let Some(k) = memchr::memchr(b'"', &bytes[j..]) else {
            break;
        };
        let start = j + k;
        let (name, after) = decode_string(bytes, start);
        j = after;
        let colon = skip_ws(bytes, after);
        if bytes.get(colon) != Some(&b':') || !names.contains(&name.as_str()) {
            continue;
        }
        let value_start = skip_ws(bytes, colon + 1);
        let value_end = match bytes.get(value_start) {
            Some(b'"') => skip_string(bytes, value_start),
            Some(b'{' | b'[') => skip_value(bytes, value_start),
            _ => continue,
        };
        spans.extend(strings_in(
            bytes,
            Span {
                offset: value_start,
                len: value_end - value_start,
            },
        ));
        j = value_end;
    }
    mask_strings(bytes, &spans);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_documents_keep_their_length() {
        let text = r#"{"connection":{"username":"bot","password":"s3cr\u00e9t-é"},"x":1}"#;
        let value: Value = serde_json::from_str(text).expect("valid");
        let out = redact_text(text.to_owned(), Kind::BotModeration, Some(&value));
        assert_eq!(out.len(), text.len());
        assert!(!out.contains("s3cr"));
        assert!(out.contains(r#""username":"bot""#));
        assert!(out.contains(r#""password":"*"#));
    }

    #[test]
    fn token_ciphertexts_and_nested_structures() {
        let text = r#"{"tokens":[{"encryptedPassword":"aa:bb","label":"l"},{"encryptedPassword":{"x":"cc"}}]}"#;
        let value: Value = serde_json::from_str(text).expect("valid");
        let out = redact_text(text.to_owned(), Kind::Tokens, Some(&value));
        assert!(!out.contains("aa:bb") && !out.contains("\"cc\""));
        assert!(out.contains(r#""label":"l""#));
    }

    #[test]
    fn broken_text_is_masked_by_key() {
        let text = "{\"connection\":{\"password\":\"hunter2-and-more";
        let out = redact_text(text.to_owned(), Kind::BotModeration, None);
        assert!(!out.contains("hunter2"));
        assert_eq!(out.len(), text.len());
        let text = "{\"tokens\":[{\"encryptedPassword\" : \"abc\", \"x\":";
        let out = redact_text(text.to_owned(), Kind::Tokens, None);
        assert!(!out.contains("abc"));
    }

    #[test]
    fn other_kinds_are_untouched() {
        let text = r#"{"password":"visible"}"#;
        assert_eq!(redact_text(text.to_owned(), Kind::BotRoom, None), text);
    }

    #[test]
    fn messages() {
        assert_eq!(
            mask_message("got s3cret here", &["s3cret".to_owned()]),
            "got <redacted> here"
        );
    }
}
