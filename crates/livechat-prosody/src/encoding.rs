//! Prosody's datamanager name encoding (`util/datamanager.lua`, 0.12): how a host,
//! a user and a store name become one file or folder name.
//!
//! - hosts and users (`encode`): every byte that is not an ASCII letter or digit
//!   (Lua's `%W` in the C locale) becomes `%xx`, lower-case hex;
//! - store names (`store_encode`): the same, but `_` is kept ("all currently known
//!   stores use a-z and underscore");
//! - decoding (`decode`) turns every `%xx` (either case, Lua's `%x%x`) back into its
//!   byte, and leaves anything else as it is.
//!
//! A name is *canonical* when encoding its decoded form gives it back: Prosody only
//! ever opens canonical names (`getpath` encodes), so a file whose name is not
//! canonical is never read. Pure functions, no I/O.

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Encodes a host or a user name as datamanager's `encode` does.
pub fn encode(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            push_hex(&mut out, b);
        }
    }
    out
}

/// Encodes a store name as datamanager's `store_encode` does (`_` kept).
pub fn store_encode(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s {
        if b.is_ascii_alphanumeric() || b == b'_' {
            out.push(char::from(b));
        } else {
            push_hex(&mut out, b);
        }
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes a file name as datamanager's `decode` does: every `%xx` becomes its byte.
pub fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Decodes a host or user file name when it is canonical (the name Prosody itself
/// would open), as UTF-8; `None` otherwise.
pub fn decode_canonical(s: &str) -> Option<String> {
    let d = decode(s);
    (encode(&d) == s)
        .then(|| String::from_utf8(d).ok())
        .flatten()
}

/// Decodes a store folder or file name when it is canonical for a store name.
pub fn decode_store_canonical(s: &str) -> Option<String> {
    let d = decode(s);
    (store_encode(&d) == s)
        .then(|| String::from_utf8(d).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_datamanager_does() {
        assert_eq!(encode(b"room.a-b.com"), "room%2ea%2db%2ecom");
        assert_eq!(encode(b"a_b@c"), "a%5fb%40c");
        assert_eq!(encode("é".as_bytes()), "%c3%a9");
        assert_eq!(store_encode(b"livechat-mep"), "livechat%2dmep");
        assert_eq!(store_encode(b"muc_log"), "muc_log");
        assert_eq!(
            store_encode(b"livechat_mep_livechat-tasks"),
            "livechat_mep_livechat%2dtasks"
        );
        assert_eq!(decode("room%2Ea%2db"), b"room.a-b");
        assert_eq!(decode("100%"), b"100%");
        assert_eq!(decode("%zz%2"), b"%zz%2");
    }

    #[test]
    fn canonical_names() {
        assert_eq!(
            decode_canonical("8df24108%2d6e70").as_deref(),
            Some("8df24108-6e70")
        );
        // Upper-case hex decodes, but Prosody never opens that name.
        assert_eq!(decode_canonical("a%2Eb"), None);
        // A raw dot is not how Prosody writes a host folder.
        assert_eq!(decode_canonical("room.example.com"), None);
        assert_eq!(
            decode_store_canonical("muc_log").as_deref(),
            Some("muc_log")
        );
        assert_eq!(decode_store_canonical("muc%5flog"), None);
    }
}
