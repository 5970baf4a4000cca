//! Each `fixtures/validate/<case>/` breaks the rule it is named after: the finding
//! with that code is reported, and `ok-minimal` yields nothing.

use crate::support::{check_dir, options, render, repo};

#[test]
fn each_case_reports_its_rule() {
    let root = repo().join("fixtures/validate");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    let mut cases: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut bad = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let findings = check_dir(&case, &options());
        if std::env::var_os("RULES_DUMP").is_some() {
            eprintln!("== {name}\n{}", render(&findings));
        }
        if name == "ok-minimal" {
            if !findings.is_empty() {
                bad.push(format!("{name}: {}", render(&findings)));
            }
            continue;
        }
        if !findings.iter().any(|(_, f)| f.code == name) {
            bad.push(format!(
                "{name}: no `{name}` finding:\n{}",
                render(&findings)
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
}
