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

/// The concrete JSON pointers of the secret fields present in `value` (a parsed file
/// of `kind`): the patterns of [`secret_pointers`] expanded against the document.
pub fn secret_locations(kind: Kind, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in secret_pointers(kind) {
        let segments: Vec<&str> = pattern.split('/').skip(1).collect();
        expand(value, &segments, String::new(), &mut out);
    }
    out
}

fn expand(value: &Value, segments: &[&str], prefix: String, out: &mut Vec<String>) {
    let Some((head, rest)) = segments.split_first() else {
        out.push(prefix);
        return;
    };
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match value {
        Value::Object(map) if *head == "*" => {
            for (k, v) in map {
                expand(v, rest, format!("{prefix}/{}", escape(k)), out);
            }
        }
        Value::Object(map) => {
            if let Some(v) = map.get(*head) {
                expand(v, rest, format!("{prefix}/{}", escape(head)), out);
            }
        }
        Value::Array(items) if *head == "*" => {
            for (i, v) in items.iter().enumerate() {
                expand(v, rest, format!("{prefix}/{i}"), out);
            }
        }
        Value::Array(items) => {
            if let Some(v) = head.parse::<usize>().ok().and_then(|i| items.get(i)) {
                expand(v, rest, format!("{prefix}/{head}"), out);
            }
        }
        _ => {}
    }
}

/// Every secret string value found in `value` (a parsed file of `kind`). Output code
/// uses it to mask any accidental echo of a secret, whatever the message.
pub fn secret_values(kind: Kind, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for pointer in secret_locations(kind, value) {
        if let Some(secret) = value.pointer(&pointer) {
            strings(secret, &mut out);
        }
    }
    out
}

/// The non-empty strings of a secret field (every string inside, when it holds a
/// structure).
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Replaces every secret value in `value` with `"<redacted>"`.
pub fn redact(kind: Kind, value: &mut Value) {
    for pointer in secret_locations(kind, value) {
        if let Some(secret) = value.pointer_mut(&pointer) {
            *secret = Value::String("<redacted>".to_owned());
        }
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

    #[test]
    fn locations_skip_absent_fields() {
        let v = json!({"userId": 1, "tokens": [{"label": "x"}, {"encryptedPassword": "aa:bb"}]});
        assert_eq!(
            secret_locations(Kind::Tokens, &v),
            vec!["/tokens/1/encryptedPassword"]
        );
        assert_eq!(secret_values(Kind::Tokens, &v), vec!["aa:bb"]);
        let m = json!({"connection": {"username": "moderator"}});
        assert!(secret_locations(Kind::BotModeration, &m).is_empty());
        assert!(secret_values(Kind::BotModeration, &m).is_empty());
        assert!(secret_locations(Kind::BotRoom, &m).is_empty());
    }
}
