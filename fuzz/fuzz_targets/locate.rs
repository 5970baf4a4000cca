//! Fuzzes the span locator: for any JSON text, every pointer of the parsed value
//! lands on a span whose text parses back to exactly that value; and any text, JSON
//! or not, with any pointer, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livechat_validate::engine::locate::{line_col, locate};
use serde_json::Value;

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

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        // Not JSON: the locator is never used on such text, but must not panic.
        let _ = locate(text, "/a/0/b");
        let _ = line_col(text, text.len() / 2);
        return;
    };
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    for (pointer, expected) in all {
        let found = locate(text, &pointer);
        assert!(found.exact, "{pointer} not found");
        let slice = &text[found.span.offset..found.span.end()];
        let parsed: Value = serde_json::from_str(slice).expect("the span is a JSON value");
        assert_eq!(parsed, expected, "{pointer} lands on {slice:?}");
        let _ = line_col(text, found.span.offset);
    }
});
