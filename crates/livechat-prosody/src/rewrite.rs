//! Rewriting the JIDs of old hosts in a store file, keeping every other byte.
//!
//! Which strings are JIDs (read from Prosody 0.12 and the plugin's Lua modules):
//! - every string **key** that parses as a JID (`util/jid.lua`'s `split`): room
//!   affiliations (`["user@host"] = "owner"` at the top of `config/<room>.dat`,
//!   `_affiliation_data`), the persistent room list (`persistent.dat`), occupants
//!   and sessions in `state/<room>.dat`, rosters, pubsub `subscribers` and
//!   `affiliations`, poll votes;
//! - string **values** of the fields in [`JID_FIELDS`]: stanza attributes (`from`,
//!   `to`, `jid`, `by`, pubsub `publisher`), archive records' `with`, the room's
//!   `_jid` (and `jid` of the old format), `_data.subject_from` and `newjid`,
//!   occupants' `bare_jid`, the plugin's poll `occupant_bare_jid` and `occupant_nick`;
//! - a `uri` attribute holding an `xmpp:` URI (XEP-0372 mentions) names a JID too.
//!
//! Only the domain of such a JID changes, and only when it is exactly one of the old
//! hosts: the node and resource (a nickname) are user text. Everything else is user
//! text or an identifier and never changes: message bodies and other text nodes are
//! positional strings inside stanza tables, room names, descriptions and subjects
//! sit under other keys; a body that is exactly a JID stays as it is.

use std::io::{BufRead, Write};
use std::ops::Range;

use crate::lua::{self, Edit, FileKind, Key, ScanError, Slot, Visitor};

/// Fields whose string value is a JID.
pub const JID_FIELDS: &[&str] = &[
    "from",
    "to",
    "jid",
    "by",
    "with",
    "_jid",
    "bare_jid",
    "subject_from",
    "newjid",
    "publisher",
    "occupant_bare_jid",
    "occupant_nick",
];

/// Old hosts and their new names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostMap {
    pairs: Vec<(String, String)>,
}

/// The labels the plugin puts in front of its instance host.
pub const HOST_PREFIXES: [&str; 5] = ["", "room.", "anon.", "external.", "bot."];

impl HostMap {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        HostMap { pairs }
    }

    /// The five hosts of an instance (`D`, `room.D`, `anon.D`, `external.D`,
    /// `bot.D`) mapped to those of the new instance host.
    pub fn for_instance(old: &str, new: &str) -> Self {
        HostMap {
            pairs: HOST_PREFIXES
                .iter()
                .map(|p| (format!("{p}{old}"), format!("{p}{new}")))
                .collect(),
        }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The new name of `host`, when it is an old host.
    pub fn get(&self, host: &[u8]) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(o, _)| o.as_bytes() == host)
            .map(|(_, n)| n.as_str())
    }
}

/// Where the domain of a JID is, as Prosody's `jid.split` reads it: an optional
/// node (`[^@/]+@`), a domain (`[^@/]+`), then the end or `/` and a non-empty
/// resource. `None` when the string is not a JID.
pub fn jid_domain(s: &[u8]) -> Option<Range<usize>> {
    let stop = |b: &u8| *b == b'@' || *b == b'/';
    let first = s.iter().position(stop);
    let start = match first {
        Some(i) if s[i] == b'@' => {
            if i == 0 {
                return None;
            }
            i + 1
        }
        _ => 0,
    };
    let len = s[start..].iter().position(stop).unwrap_or(s.len() - start);
    if len == 0 {
        return None;
    }
    let end = start + len;
    match s.get(end) {
        None => Some(start..end),
        Some(b'/') if end + 1 < s.len() => Some(start..end),
        _ => None,
    }
}

/// The edit that renames the domain of the JID `s` (starting at `offset` in the
/// string), when it is an old host.
fn jid_edit(s: &[u8], offset: usize, map: &HostMap) -> Option<Edit> {
    let d = jid_domain(s)?;
    let new = map.get(&s[d.clone()])?;
    Some(Edit {
        range: offset + d.start..offset + d.end,
        raw: lua::escape(new.as_bytes()),
    })
}

/// The edit of a string at `slot`, if it names an old host.
pub fn edit_for(slot: Slot<'_>, content: &[u8], map: &HostMap) -> Option<Edit> {
    match slot {
        Slot::Key => jid_edit(content, 0, map),
        Slot::Value(Key::Str(k)) if k == b"uri" => {
            let rest = content.strip_prefix(b"xmpp:")?;
            let end = rest.iter().position(|&b| b == b'?').unwrap_or(rest.len());
            jid_edit(&rest[..end], 5, map)
        }
        Slot::Value(Key::Str(k)) if is_jid_field(k) => jid_edit(content, 0, map),
        Slot::Value(_) => None,
    }
}

fn is_jid_field(k: &[u8]) -> bool {
    JID_FIELDS.iter().any(|f| f.as_bytes() == k)
}

/// What a rewrite changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RewriteStats {
    /// Records read (archive items; 1 for a keyval file).
    pub records: u64,
    /// Records with at least one JID changed.
    pub records_changed: u64,
    /// String literals changed.
    pub strings_changed: u64,
}

impl RewriteStats {
    pub fn changed(&self) -> bool {
        self.strings_changed > 0
    }
}

struct JidRewriter<'a> {
    map: &'a HostMap,
    stats: RewriteStats,
    record_changed: bool,
}

impl Visitor for JidRewriter<'_> {
    fn watch(&mut self, key: &Key, _depth: usize) -> bool {
        matches!(key, Key::Str(k) if k == b"uri" || is_jid_field(k))
    }

    fn string(&mut self, slot: Slot<'_>, _depth: usize, content: &[u8]) -> Vec<Edit> {
        match edit_for(slot, content, self.map) {
            Some(e) => {
                self.stats.strings_changed += 1;
                self.record_changed = true;
                vec![e]
            }
            None => Vec::new(),
        }
    }

    fn record_start(&mut self) {
        self.record_changed = false;
    }

    fn record_end(&mut self) {
        self.stats.records += 1;
        if self.record_changed {
            self.stats.records_changed += 1;
        }
    }
}

/// Rewrites the JIDs of the old hosts of `map` in a store file of `kind`, read from
/// `input`, into `out` (when given; without it, only counts what would change).
/// Every byte but the renamed domains is copied as it is.
pub fn rewrite<R: BufRead>(
    input: R,
    kind: FileKind,
    map: &HostMap,
    out: Option<&mut dyn Write>,
) -> Result<RewriteStats, ScanError> {
    let mut v = JidRewriter {
        map,
        stats: RewriteStats::default(),
        record_changed: false,
    };
    lua::scan(input, kind, &mut v, out)?;
    Ok(v.stats)
}

/// The string keys at the top of a keyval file (`persistent.dat`'s rooms), and
/// whether every value there is `true`.
pub fn top_level_keys<R: BufRead>(input: R) -> Result<(Vec<Vec<u8>>, bool), ScanError> {
    #[derive(Default)]
    struct Keys {
        keys: Vec<Vec<u8>>,
        all_true: bool,
        pending: Option<Vec<u8>>,
    }
    impl Visitor for Keys {
        fn string(&mut self, slot: Slot<'_>, depth: usize, c: &[u8]) -> Vec<Edit> {
            if slot == Slot::Key && depth == 1 {
                self.pending = Some(c.to_vec());
            }
            Vec::new()
        }
        fn value(&mut self, key: &Key, depth: usize, kind: lua::ValueKind) {
            if depth == 1 {
                match (key, self.pending.take()) {
                    (Key::Str(_), Some(k)) => {
                        self.keys.push(k);
                        self.all_true &= kind == lua::ValueKind::True;
                    }
                    _ => self.all_true = false,
                }
            } else if depth == 0 && kind != lua::ValueKind::Table {
                self.all_true = false;
            }
        }
    }
    let mut k = Keys {
        all_true: true,
        ..Keys::default()
    };
    lua::scan(input, FileKind::Keyval, &mut k, None)?;
    Ok((k.keys, k.all_true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(kind: FileKind, text: &str) -> (String, RewriteStats) {
        let map = HostMap::for_instance("old.example", "new.example.org");
        let mut out = Vec::new();
        let stats = rewrite(text.as_bytes(), kind, &map, Some(&mut out)).unwrap_or_default();
        (String::from_utf8_lossy(&out).into_owned(), stats)
    }

    #[test]
    fn jid_split_as_prosody() {
        assert_eq!(jid_domain(b"a@b/c"), Some(2..3));
        assert_eq!(jid_domain(b"b"), Some(0..1));
        assert_eq!(jid_domain(b"b/c@d"), Some(0..1));
        assert_eq!(jid_domain(b"a@b@c"), None);
        assert_eq!(jid_domain(b"@b"), None);
        assert_eq!(jid_domain(b"a@"), None);
        assert_eq!(jid_domain(b"a@b/"), None);
        assert_eq!(jid_domain(b""), None);
    }

    #[test]
    fn keys_and_jid_fields_change_text_does_not() {
        let config = "return {\n\t[\"_jid\"] = \"r@room.old.example\";\n\t[\"_data\"] = {\n\t\t[\"name\"] = \"r@room.old.example\";\n\t\t[\"subject_from\"] = \"r@room.old.example/old.example\";\n\t};\n\t[\"u@old.example\"] = \"owner\";\n\t[\"anon.old.example\"] = \"outcast\";\n\t[\"x@sub.old.example\"] = \"member\";\n};\n";
        let (out, stats) = rw(FileKind::Keyval, config);
        assert_eq!(
            out,
            "return {\n\t[\"_jid\"] = \"r@room.new.example.org\";\n\t[\"_data\"] = {\n\t\t[\"name\"] = \"r@room.old.example\";\n\t\t[\"subject_from\"] = \"r@room.new.example.org/old.example\";\n\t};\n\t[\"u@new.example.org\"] = \"owner\";\n\t[\"anon.new.example.org\"] = \"outcast\";\n\t[\"x@sub.old.example\"] = \"member\";\n};\n"
        );
        assert_eq!(stats.strings_changed, 4);
        let list = "item({\n\t[\"with\"] = \"message<groupchat\";\n\t{\n\t\t[\"name\"] = \"body\";\n\t\t[\"attr\"] = {};\n\t\t\"u@old.example\";\n\t};\n\t[\"attr\"] = {\n\t\t[\"from\"] = \"r@room.old.example/N\\195\\169\";\n\t};\n});\nitem({[\"attr\"] = {[\"from\"] = \"r@room.other\"}});\n";
        let (out, stats) = rw(FileKind::List, list);
        assert_eq!(
            out,
            list.replace("r@room.old.example/", "r@room.new.example.org/")
        );
        assert_eq!(
            (stats.records, stats.records_changed, stats.strings_changed),
            (2, 1, 1)
        );
    }

    #[test]
    fn escaped_sources_are_edited_in_place() {
        // `\064` is `@`, `\101` is `e`: the domain's own bytes are replaced,
        // the escape before it stays.
        let (out, _) = rw(
            FileKind::Keyval,
            "return {[\"to\"] = \"a\\064old.\\101xample/x\"};",
        );
        assert_eq!(out, "return {[\"to\"] = \"a\\064new.example.org/x\"};");
        let (out, _) = rw(
            FileKind::Keyval,
            "return {[\"uri\"] = \"xmpp:r@room.old.example?join\"};",
        );
        assert_eq!(
            out,
            "return {[\"uri\"] = \"xmpp:r@room.new.example.org?join\"};"
        );
    }

    #[test]
    fn persistent_keys() {
        let (keys, all_true) = top_level_keys(
            "return {\n\t[\"a@room.x\"] = true;\n\t[\"b@room.x\"] = true;\n};\n".as_bytes(),
        )
        .unwrap_or_default();
        assert_eq!(keys, vec![b"a@room.x".to_vec(), b"b@room.x".to_vec()]);
        assert!(all_true);
        let (_, all_true) = top_level_keys("return {[\"a\"] = {}};".as_bytes()).unwrap_or_default();
        assert!(!all_true);
    }
}
