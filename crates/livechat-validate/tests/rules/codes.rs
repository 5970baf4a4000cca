//! The codes' definitions are well formed: unique kebab-case ids, summaries without a
//! trailing period, rule names derived from the ids. (Their pages are checked in
//! `pages`; `docs/diagnostics.md` is generated from them by `cargo xtask codegen`.)

use livechat_validate::codes::ALL;

#[test]
fn codes_are_unique_kebab_case() {
    for (i, c) in ALL.iter().enumerate() {
        assert!(
            c.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}",
            c.code
        );
        assert!(
            !ALL[..i].iter().any(|o| o.code == c.code),
            "duplicate {}",
            c.code
        );
        assert!(!c.summary.ends_with('.'), "{}", c.code);
    }
}

/// The rule name (SARIF's `name`) is the id in PascalCase: `legacy-shape` is
/// `LegacyShape`. Declared next to the id, so this keeps the two in step.
#[test]
fn rule_names_are_the_ids_in_pascal_case() {
    for c in ALL {
        let derived: String = c
            .code
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        assert_eq!(c.name, derived, "{}", c.code);
    }
}
