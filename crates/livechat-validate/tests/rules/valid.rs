//! The valid single-file fixtures and the sample data dir yield no error.

use livechat_schema::Kind;

use crate::expected::context;
use crate::support::{check_dir, options, render, repo, verdict};

#[test]
fn valid_fixture_files_have_no_error() {
    let root = repo().join("fixtures/files");
    let mut bad = Vec::new();
    for kind in Kind::DATA_DIR {
        let dir = root.join(kind.id()).join("valid");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let value: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let (params, rel) = context(*kind);
            let v = verdict(*kind, &params, &rel, &value, &options());
            if v.rejects() {
                bad.push(format!("{}: {:#?}", path.display(), v.errors()));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn sample_data_dir_has_no_error() {
    let findings = check_dir(&repo().join("fixtures/sample"), &options());
    if std::env::var_os("RULES_DUMP").is_some() {
        eprintln!("{}", render(&findings));
    }
    let errors: Vec<_> = findings
        .iter()
        .filter(|(_, f)| f.severity == livechat_validate::Severity::Error)
        .cloned()
        .collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}
