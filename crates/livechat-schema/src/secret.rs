//! Which fields hold secrets, so that no output, log or snapshot ever shows them.
//!
//! The models mark each secret field with the schema annotations `writeOnly: true`
//! and `x-livechat-secret: true`; this module is the same list for code, as JSON
//! pointer patterns in which `*` stands for any one array index or key. A test
//! checks the two agree.

use serde_json::Value;

use crate::Kind;

/// The secret fields of a kind, as JSON pointer patterns (`*` = any one segment).
pub const fn secret_pointers(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::BotModeration => &["/connection/password"],
        Kind::Tokens => &["/tokens/*/encryptedPassword"],
        _ => &[],
    }
}

/// Whether `pointer` (a JSON pointer into a file of `kind`) is a secret field or lies
/// inside one.
pub fn is_secret_pointer(kind: Kind, pointer: &str) -> bool {
    secret_pointers(kind)
        .iter()
        .any(|pattern| pointer_matches(pattern, pointer))
}

fn pointer_matches(pattern: &str, pointer: &str) -> bool {
    let mut want = pattern.split('/').skip(1);
    let mut have = pointer.split('/').skip(1);
    loop {
        match (want.next(), have.next()) {
            // The pattern is exhausted: the pointer is the secret or inside it.
            (None, _) => return true,
            (Some(_), None) => return false,
            (Some(w), Some(h)) if w == "*" || w == h => continue,
            (Some(_), Some(_)) => return false,
        }
    }
}

/// Every secret string value found in `value` (a parsed file of `kind`). Output code
/// uses it to mask any accidental echo of a secret, whatever the message.
pub fn secret_values(kind: Kind, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in secret_pointers(kind) {
        collect(
            value,
            pattern.split('/').skip(1).collect::<Vec<_>>().as_slice(),
            &mut out,
        );
    }
    out
}

fn collect(value: &Value, segments: &[&str], out: &mut Vec<String>) {
    let Some((head, rest)) = segments.split_first() else {
        match value {
            Value::String(s) if !s.is_empty() => out.push(s.clone()),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
            // A secret field holding a structure: every string inside it is secret.
            Value::Array(items) => items.iter().for_each(|v| collect(v, &[], out)),
            Value::Object(map) => map.values().for_each(|v| collect(v, &[], out)),
        }
        return;
    };
    match value {
        Value::Object(map) if *head == "*" => map.values().for_each(|v| collect(v, rest, out)),
        Value::Object(map) => {
            if let Some(v) = map.get(*head) {
                collect(v, rest, out);
            }
        }
        Value::Array(items) if *head == "*" => items.iter().for_each(|v| collect(v, rest, out)),
        Value::Array(items) => {
            if let Some(v) = head.parse::<usize>().ok().and_then(|i| items.get(i)) {
                collect(v, rest, out);
            }
        }
        _ => {}
    }
}

/// Replaces every secret value in `value` with `"<redacted>"`.
pub fn redact(kind: Kind, value: &mut Value) {
    for pattern in secret_pointers(kind) {
        redact_at(
            value,
            pattern.split('/').skip(1).collect::<Vec<_>>().as_slice(),
        );
    }
}

fn redact_at(value: &mut Value, segments: &[&str]) {
    let Some((head, rest)) = segments.split_first() else {
        *value = Value::String("<redacted>".to_owned());
        return;
    };
    match value {
        Value::Object(map) if *head == "*" => map.values_mut().for_each(|v| redact_at(v, rest)),
        Value::Object(map) => {
            if let Some(v) = map.get_mut(*head) {
                redact_at(v, rest);
            }
        }
        Value::Array(items) if *head == "*" => items.iter_mut().for_each(|v| redact_at(v, rest)),
        Value::Array(items) => {
            if let Some(v) = head.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                redact_at(v, rest);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers() {
        assert!(is_secret_pointer(
            Kind::BotModeration,
            "/connection/password"
        ));
        assert!(!is_secret_pointer(Kind::BotModeration, "/connection"));
        assert!(is_secret_pointer(
            Kind::Tokens,
            "/tokens/3/encryptedPassword"
        ));
        assert!(!is_secret_pointer(Kind::Tokens, "/tokens/3/label"));
        assert!(!is_secret_pointer(Kind::BotRoom, "/connection/password"));
    }

    #[test]
    fn values_and_redaction() {
        let mut v = json!({"userId": 1, "tokens": [
            {"encryptedPassword": "aa:bb", "label": "x"},
            {"encryptedPassword": {"nested": "cc"}}
        ]});
        assert_eq!(secret_values(Kind::Tokens, &v), vec!["aa:bb", "cc"]);
        redact(Kind::Tokens, &mut v);
        assert_eq!(v["tokens"][0]["encryptedPassword"], "<redacted>");
        assert_eq!(v["tokens"][1]["encryptedPassword"], "<redacted>");
        assert_eq!(v["tokens"][0]["label"], "x");
    }
}
