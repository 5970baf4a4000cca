//! The JavaScript emulations the rules depend on.

use livechat_validate::rules::js::{self, RegexpVerdict};
use serde_json::json;

#[test]
fn parse_int_and_trunc() {
    let cases = [
        (json!("42abc"), Some(42.0)),
        (json!([5]), Some(5.0)),
        (json!("1e3"), Some(1.0)),
        (json!(true), None),
        (json!(null), None),
        (json!("abc"), None),
        (json!(2.9), Some(2.0)),
        (json!(-0.5), Some(-0.0)),
        (json!(" \u{a0}12"), Some(12.0)),
        (json!("0x10"), Some(16.0)),
        (json!("-3.7"), Some(-3.0)),
        (json!([[7, 8]]), Some(7.0)),
        (json!([null, 1]), None),
        (json!({"a": 1}), None),
        (json!(""), None),
    ];
    for (v, want) in cases {
        assert_eq!(js::read_integer(&v), want, "{v}");
    }
    assert_eq!(js::show_integer(-0.0), "0");
}

#[test]
fn string_of_values() {
    assert_eq!(js::to_js_string(&json!([1, "a", null, [2, 3]])), "1,a,,2,3");
    assert_eq!(js::to_js_string(&json!({})), "[object Object]");
    assert_eq!(js::to_js_string(&json!(1e21)), "1e+21");
    assert_eq!(js::to_js_string(&json!(0.0000001)), "1e-7");
    assert_eq!(js::to_js_string(&json!(1.5)), "1.5");
}

#[test]
fn utf16_lengths() {
    assert_eq!(js::utf16_len("abc"), 3);
    assert_eq!(js::utf16_len("😀"), 2);
    assert_eq!(js::utf16_len("é"), 1);
    let terms = format!("{}!", "😀".repeat(200));
    assert_eq!(terms.chars().count(), 201);
    assert_eq!(js::utf16_len(&terms), 401);
}

#[test]
fn truthiness() {
    for v in [json!(0), json!(""), json!(null), json!(false), json!(-0.0)] {
        assert!(!js::truthy(&v), "{v}");
    }
    for v in [json!("0"), json!([]), json!({}), json!(1), json!("false")] {
        assert!(js::truthy(&v), "{v}");
    }
    assert!(js::typeof_object(&json!(null)));
    assert_eq!(js::has_key(&json!("abc"), "x"), None);
    assert_eq!(js::has_key(&json!([1]), "0"), Some(true));
}

#[test]
fn control_characters_and_nickname() {
    assert_eq!(js::read_simple_input("Bot!!", true, false), "Bot!");
    assert_eq!(js::read_simple_input("Bo\u{7}t\u{9f}", true, false), "Bot");
    assert_eq!(js::read_simple_input("Sépia 2", true, false), "Sépia 2");
    assert_eq!(js::read_simple_input("my help", false, true), "myhelp");
    assert!(js::is_multiline_control('\u{1b}'));
    assert!(!js::is_multiline_control('\n'));
    assert!(!js::is_multiline_control('\u{1a}'));
    assert!(js::is_blank(" \u{3000}\t"));
    assert!(!js::is_blank("\u{85}"));
}

#[test]
fn regexp_joins() {
    assert_eq!(js::join_regexp_entries(&["a", "b+"]), "(?:a)|(?:b+)");
    assert_eq!(
        js::join_word_entries(&["spam", "c++", "$money", "😀"]),
        r"(?:\bspam\b)|(?:\bc\+\+)|(?:\$money\b)|(?:😀)"
    );
    assert_eq!(js::join_word_entries(&["a-b[c]"]), r"(?:\ba\-b\[c\])");
}

#[test]
fn regexps_compile_with_ecmascript_semantics() {
    assert_eq!(js::check_regexp("(?:a|b)", ""), RegexpVerdict::Ok);
    assert!(matches!(
        js::check_regexp("(?:unclosed", ""),
        RegexpVerdict::Invalid(_)
    ));
    assert!(matches!(
        js::check_regexp("x", "uz"),
        RegexpVerdict::Invalid(_)
    ));
    assert!(matches!(
        js::check_regexp("x", "ii"),
        RegexpVerdict::Invalid(_)
    ));
    assert!(matches!(
        js::check_regexp("x", "uv"),
        RegexpVerdict::Invalid(_)
    ));
    // Annex B: `]` and `{` are literals without `u`, errors with it.
    assert_eq!(js::check_regexp("a]{", ""), RegexpVerdict::Ok);
    assert!(matches!(
        js::check_regexp("a]", "u"),
        RegexpVerdict::Invalid(_)
    ));
    // Look-behind and back-references are ECMAScript, not `regex` crate, features.
    assert_eq!(js::check_regexp(r"(?<=a)b(c)\1", "i"), RegexpVerdict::Ok);
    // Duplicate named groups: each part compiles, the join throws on Node.js 20
    // and 22 (V8 before 12.5), which PeerTube runs the plugin on.
    assert_eq!(js::check_regexp("(?<w>a)", ""), RegexpVerdict::Ok);
    let joined = js::join_regexp_entries(&["(?<w>a)", "(?<w>b)"]);
    assert!(matches!(
        js::check_regexp(&joined, "i"),
        RegexpVerdict::Invalid(_)
    ));
    // A named back-reference is a literal alone, an error once a named group joins.
    assert_eq!(js::check_regexp(r"\k<x>", ""), RegexpVerdict::Ok);
    let joined = js::join_regexp_entries(&[r"\k<x>", "(?<y>b)"]);
    assert!(matches!(
        js::check_regexp(&joined, "i"),
        RegexpVerdict::Invalid(_)
    ));
    // V8 refuses a quantified word boundary; regress does not.
    assert!(matches!(
        js::check_regexp(r"\b+", ""),
        RegexpVerdict::Invalid(_)
    ));
    assert!(matches!(
        js::check_regexp(r"a\B{2}", "i"),
        RegexpVerdict::Invalid(_)
    ));
    assert_eq!(js::check_regexp(r"\b{", ""), RegexpVerdict::Ok);
    // Under `v`, the `u` mode's strictness applies (Annex B is off).
    assert!(matches!(
        js::check_regexp(r"\-", "v"),
        RegexpVerdict::Invalid(_)
    ));
    assert!(matches!(
        js::check_regexp("a{", "v"),
        RegexpVerdict::Invalid(_)
    ));
    assert_eq!(
        js::check_regexp(r"[\p{L}--[a-z]]", "v"),
        RegexpVerdict::Unverifiable(
            "it uses the `v` flag's set syntax, which cannot be checked exactly here".to_owned()
        )
    );
    // Modifier groups are Node.js 23+ only: Node.js 20 and 22 throw.
    assert!(matches!(
        js::check_regexp("(?i:a)", ""),
        RegexpVerdict::Invalid(_)
    ));
    // The plugin's special-characters class compiles with `us`.
    assert_eq!(
        js::check_regexp(&js::special_chars_regexp(3), "us"),
        RegexpVerdict::Ok
    );
}

#[test]
fn node_hex_and_hosts() {
    assert_eq!(js::node_hex_len("00ff"), 2);
    assert_eq!(js::node_hex_len("00f"), 1);
    assert_eq!(js::node_hex_len("zz00"), 0);
    assert_eq!(js::node_hex_len("AbCd"), 2);
    assert_eq!(
        js::validate_host("Example.COM").as_deref(),
        Some("example.com")
    );
    assert_eq!(
        js::validate_host("bücher.example").as_deref(),
        Some("xn--bcher-kva.example")
    );
    assert_eq!(js::validate_host("a/b"), None);
    assert_eq!(js::validate_host(""), None);
    assert_eq!(js::validate_host("host:8080").as_deref(), Some("host"));
    assert!(js::valid_url("wss://a.b/x", js::UrlProtocol::Ws).is_ok());
    assert!(js::valid_url("https://a.b/x", js::UrlProtocol::Ws).is_err());
    assert!(js::valid_url("https://a.b/x?y=1", js::UrlProtocol::Http).is_err());
    assert!(js::valid_url("https://a.b/x?", js::UrlProtocol::Http).is_ok());
}
