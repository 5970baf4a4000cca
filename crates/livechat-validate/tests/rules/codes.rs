//! Every code is documented, one line each, in `docs/diagnostics.md`, and the
//! documentation lists no code that does not exist.

use livechat_validate::Severity;
use livechat_validate::codes::ALL;

use crate::support::repo;

#[test]
fn docs_and_codes_agree() {
    let doc = std::fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    let documented: Vec<(String, String)> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_owned(), cells[2].to_owned())
        })
        .collect();
    for c in ALL {
        let sev = match c.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        assert!(
            documented
                .iter()
                .any(|(code, s)| code == c.code && s == sev),
            "`{}` ({sev}) is not documented in docs/diagnostics.md",
            c.code
        );
    }
    for (code, _) in &documented {
        assert!(
            ALL.iter().any(|c| c.code == code),
            "docs/diagnostics.md lists unknown code `{code}`"
        );
    }
}

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
