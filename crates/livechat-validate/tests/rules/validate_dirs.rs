//! Each `fixtures/validate/<case>/` breaks the rule it is named after (`CODE` or
//! `CODE--VARIANT`): the finding with that code is reported, and `ok-minimal` yields
//! nothing.

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
        // `CODE--VARIANT` is one more case of `CODE`.
        let code = name.split("--").next().unwrap_or(&name);
        if !findings.iter().any(|(_, f)| f.code == code) {
            bad.push(format!(
                "{name}: no `{name}` finding:\n{}",
                render(&findings)
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
}

#[test]
fn checks_needing_the_instance_are_skipped_without_it() {
    let options = livechat_validate::ValidateOptions::default();
    let needing = livechat_validate::cross::checks_needing_instance();
    for case in [
        "other-muc-domain",
        "bot-domain-mismatch",
        "token-other-domain",
        "video-infos-jid-mismatch",
    ] {
        assert!(needing.contains(&case), "{case}");
        let findings = check_dir(&repo().join("fixtures/validate").join(case), &options);
        assert!(
            !findings.iter().any(|(_, f)| f.code == case),
            "{case} without the instance:\n{}",
            render(&findings)
        );
    }
    // The rules that do not need it still run.
    let findings = check_dir(&repo().join("fixtures/validate/room-not-linked"), &options);
    assert!(findings.iter().any(|(_, f)| f.code == "room-not-linked"));
}

#[test]
fn leftover_domains_are_never_errors() {
    // A broken room file under an old MUC domain is read by nobody.
    let dir = tempfile::tempdir().unwrap();
    let rooms = dir.path().join("bot/room.old.example.com/rooms");
    std::fs::create_dir_all(&rooms).unwrap();
    std::fs::write(
        rooms.join("x.json"),
        r#"{"local":"x","domain":"room.old.example.com","enabled":true,"handlers":{}}"#,
    )
    .unwrap();
    let findings = check_dir(dir.path(), &options());
    assert!(
        findings
            .iter()
            .all(|(_, f)| f.severity == livechat_validate::Severity::Warning),
        "{}",
        render(&findings)
    );
    assert!(findings.iter().any(|(_, f)| f.code == "other-muc-domain"));
    assert!(findings.iter().any(|(_, f)| f.code == "sync-crash"));
}
