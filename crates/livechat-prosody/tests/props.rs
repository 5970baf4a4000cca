//! Properties of the reader and the rewriter: a copy keeps every byte, a rewrite
//! changes only the domains of old-host JIDs (undoing it gives the input back), user
//! text never changes, and no input makes them panic.

use livechat_prosody::lua::{self, FileKind, NoVisitor};
use livechat_prosody::rewrite::{HostMap, rewrite};
use proptest::prelude::*;

/// A Lua value as Prosody stores it.
#[derive(Debug, Clone)]
enum V {
    Str(Vec<u8>),
    Int(i64),
    Bool(bool),
    Table(Vec<(Option<Vec<u8>>, V)>),
}

const OLD: &str = "old.test";
const NEW: &str = "brand-new.example";

fn text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"u@old.test".to_vec()),
        Just(b"r@room.old.test/Nick old.test".to_vec()),
        Just(b"anon.old.test".to_vec()),
        Just(b"x@room.other.test".to_vec()),
        Just("héllo \"w\" 'q'\n\t\\".as_bytes().to_vec()),
        Just(b"message<groupchat".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ]
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"from".to_vec()),
        Just(b"to".to_vec()),
        Just(b"with".to_vec()),
        Just(b"jid".to_vec()),
        Just(b"name".to_vec()),
        Just(b"body".to_vec()),
        Just(b"u@old.test".to_vec()),
        Just(b"v@anon.old.test".to_vec()),
        text(),
    ]
}

fn value() -> impl Strategy<Value = V> {
    let leaf = prop_oneof![
        text().prop_map(V::Str),
        any::<i64>().prop_map(V::Int),
        any::<bool>().prop_map(V::Bool),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        proptest::collection::vec((proptest::option::of(key()), inner), 0..6).prop_map(V::Table)
    })
}

/// Writes a value the way `util/serialization.lua` does (tabs, `["k"] = `, `;`).
fn ser(v: &V, depth: usize, out: &mut Vec<u8>) {
    match v {
        V::Str(s) => {
            out.push(b'"');
            out.extend(lua::escape(s));
            out.push(b'"');
        }
        V::Int(i) => out.extend(i.to_string().as_bytes()),
        V::Bool(b) => out.extend(if *b { &b"true"[..] } else { &b"false"[..] }),
        V::Table(fields) => {
            out.push(b'{');
            for (k, v) in fields {
                out.push(b'\n');
                out.extend(std::iter::repeat_n(b'\t', depth + 1));
                if let Some(k) = k {
                    out.extend(b"[\"");
                    out.extend(lua::escape(k));
                    out.extend(b"\"] = ");
                }
                ser(v, depth + 1, out);
                out.push(b';');
            }
            if !fields.is_empty() {
                out.push(b'\n');
                out.extend(std::iter::repeat_n(b'\t', depth));
            }
            out.push(b'}');
        }
    }
}

fn list(records: &[V]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend(b"item(");
        ser(r, 0, &mut out);
        out.extend(b");\n");
    }
    out
}

fn copy(kind: FileKind, input: &[u8]) -> Result<Vec<u8>, TestCaseError> {
    let mut out = Vec::new();
    lua::scan(input, kind, &mut NoVisitor, Some(&mut out))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok(out)
}

fn rw(input: &[u8], from: &str, to: &str) -> Result<(Vec<u8>, u64), TestCaseError> {
    let mut out = Vec::new();
    let stats = rewrite(
        input,
        FileKind::List,
        &HostMap::for_instance(from, to),
        Some(&mut out),
    )
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok((out, stats.strings_changed))
}

/// Every string of positional (user-text) position, in order.
fn texts(v: &V, keyed: bool, out: &mut Vec<Vec<u8>>) {
    match v {
        V::Str(s) if !keyed => out.push(s.clone()),
        V::Table(fields) => {
            for (k, v) in fields {
                texts(v, k.is_some(), out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_copy_keeps_every_byte(records in proptest::collection::vec(value(), 0..5)) {
        let input = list(&records);
        prop_assert_eq!(copy(FileKind::List, &input)?, input);
    }

    #[test]
    fn a_rewrite_is_undone_by_the_reverse_rewrite(records in proptest::collection::vec(value(), 0..5)) {
        let input = list(&records);
        let (out, changed) = rw(&input, OLD, NEW)?;
        let (back, changed_back) = rw(&out, NEW, OLD)?;
        prop_assert_eq!(changed, changed_back);
        prop_assert_eq!(&back, &input);
        if changed == 0 {
            prop_assert_eq!(&out, &input);
        }
        // User text (positional strings) never changes.
        let mut before = Vec::new();
        records.iter().for_each(|r| texts(r, true, &mut before));
        let mut after_all = Vec::new();
        let mut grab = Grab(&mut after_all);
        lua::scan(out.as_slice(), FileKind::List, &mut grab, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let after: Vec<Vec<u8>> = after_all;
        prop_assert_eq!(before, after);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = copy(FileKind::List, &bytes);
        let _ = copy(FileKind::Keyval, &bytes);
        let _ = rw(&bytes, OLD, NEW);
    }

    #[test]
    fn truncated_records_are_errors(records in proptest::collection::vec(value(), 1..4), cut in any::<prop::sample::Index>()) {
        let input = list(&records);
        let last = list(&records[..records.len() - 1]).len();
        // Anywhere inside the last record, before its closing `)`.
        let at = last + 1 + cut.index(input.len() - 3 - last - 1);
        prop_assert!(copy(FileKind::List, &input[..at]).is_err());
    }
}

/// Collects positional strings as the reader sees them.
struct Grab<'a>(&'a mut Vec<Vec<u8>>);

impl lua::Visitor for Grab<'_> {
    fn watch(&mut self, key: &lua::Key, _: usize) -> bool {
        matches!(key, lua::Key::Index(_))
    }
    fn string(&mut self, slot: lua::Slot<'_>, _: usize, c: &[u8]) -> Vec<lua::Edit> {
        if matches!(slot, lua::Slot::Value(lua::Key::Index(_))) {
            self.0.push(c.to_vec());
        }
        Vec::new()
    }
}

#[test]
fn huge_strings_and_records_stream_in_bounded_memory() {
    // A 16 MiB body in one record: the copy is identical and nothing holds it whole
    // (the watched-literal buffer stops at 4096 bytes; the body is never watched).
    let body = "x".repeat(16 << 20);
    let input = format!(
        "item({{[\"with\"] = \"{body}\";\n\t{{[\"name\"] = \"body\"; \"{body}\"}};\n\t[\"attr\"] = {{[\"from\"] = \"r@room.old.test/a\"}};}});\n"
    );
    let (out, changed) = rw(input.as_bytes(), OLD, NEW).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed, 1);
    assert_eq!(out.len(), input.len() + NEW.len() - OLD.len());
}
