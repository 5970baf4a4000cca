//! Host names in values: replacing an instance host as a whole host token (Prosody's
//! folder names are `livechat_prosody::encoding`'s business).
//!
//! Pure string functions, no I/O.

/// The labels the plugin puts in front of the instance host: `room.D`, `anon.D`,
/// `external.D`, `bot.D`.
const PREFIXES: [&str; 4] = ["room.", "anon.", "external.", "bot."];

fn is_host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_'
}

/// Replaces every occurrence of the host `old` in `s` by `new` where it stands as a
/// whole host: either alone (`//OLD/`, `@OLD`, `OLD:443`, the whole string) or
/// behind one of the plugin's own labels (`room.OLD`, `anon.OLD`, `external.OLD`,
/// `bot.OLD`). `OLD` inside another host (`xOLD`, `sub.OLD`, `OLD.evil.net`) is kept.
pub fn replace_host(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() || !s.contains(old) {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(pos) = s[from..].find(old) {
        let start = from + pos;
        let end = start + old.len();
        let after_ok =
            end == b.len() || !is_host_char(b[end]) || (b[end] == b'.' && end + 1 == b.len());
        let before_ok = start == 0
            || !is_host_char(b[start - 1])
            || PREFIXES.iter().any(|p| {
                start >= p.len()
                    && &s[start - p.len()..start] == *p
                    && (start == p.len() || !is_host_char(b[start - p.len() - 1]))
            });
        if before_ok && after_ok {
            out.push_str(&s[last..start]);
            out.push_str(new);
            last = end;
        }
        from = end;
    }
    out.push_str(&s[last..]);
    out
}

/// Replaces the host in every string of a JSON value (keys are kept); returns
/// whether anything changed.
pub fn replace_host_in_value(v: &mut serde_json::Value, old: &str, new: &str) -> bool {
    match v {
        serde_json::Value::String(s) => {
            let r = replace_host(s, old, new);
            let changed = r != *s;
            if changed {
                *s = r;
            }
            changed
        }
        // Every element is visited (no short circuit): each one may need the rewrite.
        serde_json::Value::Array(a) => {
            let mut changed = false;
            for x in a.iter_mut() {
                changed |= replace_host_in_value(x, old, new);
            }
            changed
        }
        serde_json::Value::Object(o) => {
            let mut changed = false;
            for x in o.values_mut() {
                changed |= replace_host_in_value(x, old, new);
            }
            changed
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_host_tokens_only() {
        let old = "example.com";
        let new = "new.example.org";
        for (input, want) in [
            ("example.com", "new.example.org"),
            ("room.example.com", "room.new.example.org"),
            ("anon.example.com", "anon.new.example.org"),
            ("external.example.com", "external.new.example.org"),
            ("bot.example.com", "bot.new.example.org"),
            ("u@room.example.com", "u@room.new.example.org"),
            ("https://example.com/x", "https://new.example.org/x"),
            ("wss://example.com:8443/ws", "wss://new.example.org:8443/ws"),
            ("peertube.example.com", "peertube.example.com"),
            ("myexample.com", "myexample.com"),
            ("example.com.evil.net", "example.com.evil.net"),
            ("a.room.example.com", "a.room.example.com"),
            ("https://x/example.com/", "https://x/new.example.org/"),
            ("example.community", "example.community"),
            ("example.com example.com", "new.example.org new.example.org"),
        ] {
            assert_eq!(replace_host(input, old, new), want, "{input}");
        }
    }
}
