//! The reader on what Prosody writes, on what it refuses, and Prosody's escaping.
use super::*;
use crate::lua::write::{escape, serialize_true_map};

fn check(kind: FileKind, text: &str) -> Result<Summary, String> {
    scan(text.as_bytes(), kind, &mut NoVisitor, None).map_err(|e| e.to_string())
}

#[test]
fn what_prosody_writes_parses() {
    let dat = "return {\n\t[\"_jid\"] = \"r@room.x.org\";\n\t[\"_data\"] = {\n\t\t[\"name\"] = \"Caf\\195\\169 \\\"x\\\"\";\n\t\t[\"history_length\"] = 20;\n\t\t[\"locked\"] = (1/0);\n\t};\n\t[\"a@x.org\"] = \"owner\";\n};\n";
    assert_eq!(check(FileKind::Keyval, dat).map(|s| s.records), Ok(1));
    let list = "item({\n\t[\"key\"] = \"abc\";\n\t[\"when\"] = 1733000000.5;\n\t{\n\t\t[\"name\"] = \"body\";\n\t\t[\"attr\"] = {};\n\t\t\"hi\";\n\t};\n});\nitem({[\"when\"] = -1.5e+09, 3, true, nil});\n";
    assert_eq!(check(FileKind::List, list).map(|s| s.records), Ok(2));
    assert_eq!(check(FileKind::List, "").map(|s| s.records), Ok(0));
}

#[test]
fn errors_say_where() {
    assert_eq!(
        check(FileKind::Keyval, "return {\n\t[\"a\"] = os.exit();\n};\n"),
        Err("line 2, column 10 (byte 18): expected a value, found the name `os`".into())
    );
    assert!(
        check(FileKind::List, "item({});\nitem({[\"k\"] = \"ab")
            .unwrap_err()
            .contains("unfinished string")
    );
    assert!(
        check(FileKind::Keyval, "return {} -- hi")
            .unwrap_err()
            .contains("end of the file")
    );
    assert!(
        check(FileKind::Keyval, "return {[\"a\"]=\"\\q\"}")
            .unwrap_err()
            .contains("invalid escape")
    );
    assert!(
        check(FileKind::Keyval, "return (1/2)")
            .unwrap_err()
            .contains("expressions")
    );
    assert!(
        check(FileKind::Keyval, "return 1e")
            .unwrap_err()
            .contains("malformed number")
    );
    let deep = format!("return {}{}", "{".repeat(200), "}".repeat(200));
    assert!(
        check(FileKind::Keyval, &deep)
            .unwrap_err()
            .contains("nested deeper")
    );
}

#[test]
fn escapes_decode_as_lua() {
    struct Grab(Vec<Vec<u8>>);
    impl Visitor for Grab {
        fn watch(&mut self, _: &Key, _: usize) -> bool {
            true
        }
        fn string(&mut self, _: Slot<'_>, _: usize, c: &[u8]) -> Vec<Edit> {
            self.0.push(c.to_vec());
            Vec::new()
        }
    }
    let mut g = Grab(Vec::new());
    let text = "return {'\\65\\066\\x43\\u{e9}\\z   d\\\ne', \"\\u{10FFFF}\"}";
    scan(text.as_bytes(), FileKind::Keyval, &mut g, None)
        .map_err(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(g.0[0], b"ABC\xc3\xa9d\ne".to_vec());
    assert_eq!(g.0[1], "\u{10FFFF}".as_bytes().to_vec());
}

#[test]
fn prosody_escaping() {
    assert_eq!(
        escape("a\"b'\\\n\té\u{1}".as_bytes()),
        b"a\\\"b\\'\\\\\\n\\t\\195\\169\\001".to_vec()
    );
    assert_eq!(
        serialize_true_map([b"a@room.x".as_slice(), b"b@room.x".as_slice()]),
        b"return {\n\t[\"a@room.x\"] = true;\n\t[\"b@room.x\"] = true;\n};\n".to_vec()
    );
    assert_eq!(
        serialize_true_map(std::iter::empty()),
        b"return {};\n".to_vec()
    );
}
