//! The span locator lands exactly on every value of every fixture file, which
//! includes the inputs the fuzzers once crashed on (`fixtures/fuzz/<target>/`).

use std::path::Path;

use livechat_validate::engine::locate::{line_col, locate};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn pointers(value: &Value, here: String, out: &mut Vec<(String, Value)>) {
    out.push((here.clone(), value.clone()));
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let seg = k.replace('~', "~0").replace('/', "~1");
                pointers(v, format!("{here}/{seg}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Checks every pointer of `text`: the span parses back to the value, and the line
/// and column are those of the span's first character.
fn check_text(text: &str, what: &str) -> usize {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        // The engine never locates in text that did not parse, but the locator must
        // not panic on it either (the fuzz target's other half).
        let _ = locate(text, "/a/0/b");
        let _ = line_col(text, text.len() / 2);
        return 0;
    };
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    for (pointer, expected) in &all {
        let found = locate(text, pointer);
        assert!(found.exact, "{what}#{pointer}: not found");
        let slice = &text[found.span.offset..found.span.end()];
        let parsed: Value = serde_json::from_str(slice)
            .unwrap_or_else(|e| panic!("{what}#{pointer}: {slice:?} is not a value: {e}"));
        assert_eq!(&parsed, expected, "{what}#{pointer}: lands on {slice:?}");
        let (line, column) = line_col(text, found.span.offset);
        let before = &text[..found.span.offset];
        let want_line = before.matches('\n').count() as u64 + 1;
        let want_col = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
        assert_eq!((line, column), (want_line, want_col), "{what}#{pointer}");
    }
    all.len()
}

#[test]
fn every_value_of_every_fixture_is_located_exactly() {
    let pattern = root().join("fixtures/**/*");
    let mut values = 0;
    for path in glob::glob(pattern.to_str().unwrap()).unwrap() {
        let path = path.unwrap();
        if !path.is_file() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        values += check_text(&text, &path.display().to_string());
    }
    assert!(values > 5_000, "only {values} values located");
}

#[test]
fn escapes_unicode_and_duplicate_keys() {
    let text = "{\n  \"a\\/b\": [1, {\"\\u00e9t\\u00e9\": \"ok\"}],\n  \"😀\": {\"x\": true}, \"d\": 1, \"d\": [2]\n}";
    check_text(text, "handmade");
    // serde_json keeps the last of duplicate keys, and so does the locator.
    let found = locate(text, "/d");
    assert_eq!(&text[found.span.offset..found.span.end()], "[2]");
    // Multi-byte characters count as one column.
    let found = locate(text, "/😀/x");
    assert_eq!(line_col(text, found.span.offset), (3, 14));
}
