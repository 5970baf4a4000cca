//! One snapshot per fixture data dir (`fixtures/validate/*`, `fixtures/sample`), in
//! the human and json formats. New case dirs are picked up by the glob.

use std::path::Path;

use super::{INSTANCE, run_in, stable, temp_copy, validate_data};

fn validate(case: &Path, format: &str) -> String {
    let tmp = temp_copy(case);
    let run = validate_data(tmp.path(), format);
    assert!(
        run.status == 0 || run.status == 1,
        "status {}: {}",
        run.status,
        run.stderr
    );
    format!(
        "status: {}\n{}{}",
        run.status,
        stable(&without_tool(&run.stdout)),
        stable(&run.stderr)
    )
}

/// A json report without its `tool` block (the version and the commit change with
/// every build; `version.rs` checks the block): these snapshots are about findings.
fn without_tool(text: &str) -> String {
    let Some(start) = text.find("\n  \"tool\": {\n") else {
        return text.to_owned();
    };
    let end = text[start..]
        .find("\n  },")
        .map(|i| start + i + "\n  },".len())
        .expect("the tool block ends");
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn validate_cases() {
    insta::glob!("../../../../fixtures/validate", "*", |path| {
        // The glob also matches the base folder itself, and the README.
        if !path.is_dir() || path.ends_with("fixtures/validate") {
            return;
        }
        insta::assert_snapshot!("human", validate(path, "human"));
        insta::assert_snapshot!("json", validate(path, "json"));
    });
}

#[test]
fn validate_sample() {
    let sample = super::repo().join("fixtures/sample");
    insta::assert_snapshot!("sample_human", validate(&sample, "human"));
    insta::assert_snapshot!("sample_json", validate(&sample, "json"));
}

#[test]
fn ok_minimal_has_no_finding() {
    let case = super::repo().join("fixtures/validate/ok-minimal");
    let tmp = temp_copy(&case);
    let run = run_in(
        tmp.path(),
        &[
            "validate",
            "data",
            "--instance-url",
            INSTANCE,
            "--format",
            "json",
            "--deny-warnings",
        ],
    );
    assert_eq!(super::codes_of(&run.stdout), vec![]);
    assert_eq!(run.status, 0);
}

#[test]
fn every_case_reports_its_code() {
    let base = super::repo().join("fixtures/validate");
    let mut cases: Vec<_> = std::fs::read_dir(&base)
        .expect("fixtures/validate")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut missing = Vec::new();
    for case in cases {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if name == "ok-minimal" {
            continue;
        }
        let tmp = temp_copy(&case);
        let run = validate_data(tmp.path(), "json");
        // `CODE--VARIANT` is one more case of `CODE`.
        let code = name.split("--").next().unwrap_or(&name);
        if !super::codes_of(&run.stdout).iter().any(|(c, _)| *c == code) {
            missing.push(name);
        }
    }
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "cases that do not report their code"
    );
}
