//! Writing what Prosody writes: its string escaping, and a host-level map store of
//! `true` values serialised byte for byte as datamanager stores it. No I/O.

/// Escapes bytes as Prosody's serializer does in a string literal (`\n`, `\"`,
/// `\ddd` for the other control bytes, `'`, `\` and bytes 127-255), without quotes.
pub fn escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        match b {
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            10 => out.extend_from_slice(b"\\n"),
            13 => out.extend_from_slice(b"\\r"),
            9 => out.extend_from_slice(b"\\t"),
            11 => out.extend_from_slice(b"\\v"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\'' => out.extend_from_slice(b"\\'"),
            0..=31 | 127..=255 => out.extend_from_slice(format!("\\{b:03}").as_bytes()),
            _ => out.push(b),
        }
    }
    out
}

/// Serialises a map of string keys to `true` exactly as datamanager stores it
/// (`return {` + one `\n\t["key"] = true;` per entry, the last one ending in
/// `;\n`, + `};\n`): the shape of a host-level map store such as `persistent.dat`.
pub fn serialize_true_map<'a>(keys: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = b"return {".to_vec();
    let mut any = false;
    for k in keys {
        any = true;
        out.extend_from_slice(b"\n\t[\"");
        out.extend_from_slice(&escape(k));
        out.extend_from_slice(b"\"] = true;");
    }
    if any {
        out.push(b'\n');
    }
    out.extend_from_slice(b"};\n");
    out
}
