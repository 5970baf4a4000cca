//! Names that become parts of paths: hosts, UUIDs, channel ids, room local parts, users.
//!
//! Every value taken from a file (a room listed in `room-channel`, a channel key, a
//! host) goes through [`safe_component`] before it is joined to a path, and the
//! stricter predicates here say whether the plugin itself could have produced the
//! name. Pure functions, no I/O.

/// Why a string cannot be used as one path component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsafeComponent {
    Empty,
    DotOrDotDot,
    ContainsSeparator,
    ContainsNul,
    ContainsDotDot,
    TooLong,
}

impl std::fmt::Display for UnsafeComponent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UnsafeComponent::Empty => "it is empty",
            UnsafeComponent::DotOrDotDot => "it is `.` or `..`",
            UnsafeComponent::ContainsSeparator => "it contains a path separator",
            UnsafeComponent::ContainsNul => "it contains a NUL character",
            UnsafeComponent::ContainsDotDot => "it contains `..`",
            UnsafeComponent::TooLong => "it is longer than 255 bytes",
        })
    }
}

impl std::error::Error for UnsafeComponent {}

/// Checks that `s` can be used as exactly one path component below a directory:
/// not empty, not `.`/`..`, no `/` or `\`, no NUL, no `..` anywhere (the plugin
/// refuses hosts containing `..` too), at most 255 bytes.
pub fn safe_component(s: &str) -> Result<&str, UnsafeComponent> {
    if s.is_empty() {
        return Err(UnsafeComponent::Empty);
    }
    if s == "." || s == ".." {
        return Err(UnsafeComponent::DotOrDotDot);
    }
    if s.contains(['/', '\\']) {
        return Err(UnsafeComponent::ContainsSeparator);
    }
    if s.contains('\0') {
        return Err(UnsafeComponent::ContainsNul);
    }
    if s.contains("..") {
        return Err(UnsafeComponent::ContainsDotDot);
    }
    if s.len() > 255 {
        return Err(UnsafeComponent::TooLong);
    }
    Ok(s)
}

/// A canonical PeerTube video UUID: lower-case, 36 characters with dashes.
pub fn is_canonical_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// What the plugin accepts as a video UUID before using it in a path: `^(\w|-)+$`.
pub fn is_plugin_uuid(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// A canonical channel id as the plugin writes it: `String(parseInt(id))` of a
/// positive integer, so decimal digits without a leading zero.
pub fn is_canonical_channel_id(s: &str) -> bool {
    !s.is_empty() && !s.starts_with('0') && s.len() <= 15 && s.bytes().all(|c| c.is_ascii_digit())
}

/// Parses a canonical channel id.
pub fn parse_channel_id(s: &str) -> Option<u64> {
    if is_canonical_channel_id(s) {
        s.parse().ok()
    } else {
        None
    }
}

/// A host as Node's WHATWG URL parser normalises it and the plugin uses it as a
/// folder name: lower-case LDH labels (punycode allowed) joined by dots, at least
/// two labels, no port.
pub fn is_normalized_host(s: &str) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    let mut labels = 0;
    for label in s.split('.') {
        labels += 1;
        let b = label.as_bytes();
        let ok = !b.is_empty()
            && b.len() <= 63
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && b.iter()
                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        if !ok {
            return false;
        }
    }
    labels >= 2
}

/// The room local part conventions: a video UUID (`video` room type) or
/// `channel.<id>` (`channel` room type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomLocal<'a> {
    Video(&'a str),
    Channel(u64),
    Other(&'a str),
}

/// Classifies a room local part the way the plugin does (`^channel\.(\d+)$`, else
/// a video id), with canonical UUIDs recognised as videos.
pub fn classify_room_local(s: &str) -> RoomLocal<'_> {
    if let Some(id) = s.strip_prefix("channel.") {
        if !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit()) {
            if let Ok(n) = id.parse() {
                return RoomLocal::Channel(n);
            }
        }
        return RoomLocal::Other(s);
    }
    if is_canonical_uuid(s) {
        RoomLocal::Video(s)
    } else {
        RoomLocal::Other(s)
    }
}

/// The MUC domain of an instance host: `room.<host>`.
pub fn muc_domain(host: &str) -> String {
    format!("room.{host}")
}

/// The bot domain of an instance host: `bot.<host>`.
pub fn bot_domain(host: &str) -> String {
    format!("bot.{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_components_are_refused() {
        for bad in [
            "", ".", "..", "../etc", "a/b", "a\\b", "a\0b", "a..b", "/etc",
        ] {
            assert!(safe_component(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(safe_component("room.example.com"), Ok("room.example.com"));
        assert_eq!(
            safe_component(&"a".repeat(256)),
            Err(UnsafeComponent::TooLong)
        );
    }

    #[test]
    fn uuids() {
        assert!(is_canonical_uuid("8df24108-6e70-4fc8-b1cc-f2db7fcdd535"));
        assert!(!is_canonical_uuid("8DF24108-6e70-4fc8-b1cc-f2db7fcdd535"));
        assert!(!is_canonical_uuid("8df24108-6e70-4fc8-b1cc-f2db7fcdd53"));
        assert!(is_plugin_uuid("Abc_9-x"));
        assert!(!is_plugin_uuid("a.b"));
        assert!(!is_plugin_uuid(""));
    }

    #[test]
    fn channel_ids() {
        assert_eq!(parse_channel_id("12"), Some(12));
        assert_eq!(parse_channel_id("012"), None);
        assert_eq!(parse_channel_id("0"), None);
        assert_eq!(parse_channel_id("1a"), None);
        assert_eq!(parse_channel_id(""), None);
    }

    #[test]
    fn hosts() {
        assert!(is_normalized_host("peertube.example.com"));
        assert!(is_normalized_host("xn--bcher-kva.example"));
        for bad in [
            "localhost",
            "Example.com",
            "a..b",
            "exa_mple.com",
            "host.com:8080",
            "[::1]",
            "-a.com",
            "",
        ] {
            assert!(!is_normalized_host(bad), "{bad:?}");
        }
    }

    #[test]
    fn room_locals() {
        assert_eq!(classify_room_local("channel.5"), RoomLocal::Channel(5));
        assert_eq!(
            classify_room_local("8df24108-6e70-4fc8-b1cc-f2db7fcdd535"),
            RoomLocal::Video("8df24108-6e70-4fc8-b1cc-f2db7fcdd535")
        );
        assert_eq!(
            classify_room_local("channel."),
            RoomLocal::Other("channel.")
        );
        assert_eq!(classify_room_local("../x"), RoomLocal::Other("../x"));
    }
}
