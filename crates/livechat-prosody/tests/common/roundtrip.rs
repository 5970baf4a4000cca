//! The properties the `prosody_lua` fuzz target checks on any input, shared with the
//! test that replays the inputs it once failed on (`fixtures/fuzz/prosody_lua/`) and
//! the store files of `fixtures/prosody/`.
//!
//! The first byte picks the file kind (even: `.dat`, odd: `.list`); the rest is the
//! file. For any input:
//! - scanning never panics, and a copy made with no edit is the input, byte for byte;
//! - a rewrite never panics; when it succeeds, its output scans again, and rewriting
//!   the new hosts back gives the input again (when the input does not already name
//!   the new hosts), so a rename changes nothing but the hosts. The one exception: a
//!   host spelled with escapes (`\111ld.example`, which Prosody's serialiser never
//!   writes in a JID) comes back spelled plainly, so a file with a backslash may differ.

use livechat_prosody::lua::{FileKind, NoVisitor, scan};
use livechat_prosody::{HostMap, rewrite};

pub const OLD: &str = "old.example";
const NEW: &str = "fuzz-new.invalid";

/// What [`check`] saw of an input that kept every property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The file scanned.
    pub scanned: bool,
    /// Renaming there and back gave the input again, byte for byte (`None` when it
    /// was not tried).
    pub identity: Option<bool>,
}

/// Checks every property on `data`; panics on a violation.
pub fn check(data: &[u8]) -> Seen {
    let Some((&selector, file)) = data.split_first() else {
        return Seen {
            scanned: false,
            identity: None,
        };
    };
    let kind = if selector % 2 == 0 {
        FileKind::Keyval
    } else {
        FileKind::List
    };

    let mut copy = Vec::new();
    let scanned = scan(file, kind, &mut NoVisitor, Some(&mut copy));
    if scanned.is_ok() {
        assert_eq!(copy, file, "a copy with no edit changed the file");
    }

    let forward = HostMap::for_instance(OLD, NEW);
    let mut renamed = Vec::new();
    let Ok(stats) = rewrite(file, kind, &forward, Some(&mut renamed)) else {
        return Seen {
            scanned: scanned.is_ok(),
            identity: None,
        };
    };
    assert!(
        scanned.is_ok(),
        "the rewriter accepted what the reader refused"
    );
    if !stats.changed() {
        assert_eq!(
            renamed, file,
            "a rewrite with nothing to change changed bytes"
        );
    }
    scan(&renamed[..], kind, &mut NoVisitor, None).expect("a rewritten file scans again");

    let names_new = file
        .windows(NEW.len())
        .any(|w| w.eq_ignore_ascii_case(NEW.as_bytes()));
    if names_new {
        return Seen {
            scanned: true,
            identity: None,
        };
    }
    let back = HostMap::for_instance(NEW, OLD);
    let mut restored = Vec::new();
    let back_stats =
        rewrite(&renamed[..], kind, &back, Some(&mut restored)).expect("the way back scans");
    assert_eq!(back_stats.strings_changed, stats.strings_changed);
    let identity = restored == file;
    assert!(
        identity || file.contains(&b'\\'),
        "renaming there and back is not the identity"
    );
    Seen {
        scanned: true,
        identity: Some(identity),
    }
}
