//! `explain`: a page for every code, the list, JSON, and unknown codes.

use livechat_validate::codes::{ALL, PAGE_SECTIONS};

use super::run_in;

#[test]
fn every_code_has_a_page() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for info in ALL {
        let run = run_in(tmp.path(), &["explain", info.code]);
        assert_eq!(run.status, 0, "{}", info.code);
        // The title may wrap: compare words.
        let words = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.starts_with(&format!("{}: {}", info.code, info.summary)),
            "{}",
            run.stdout
        );
        for heading in PAGE_SECTIONS {
            assert!(
                run.stdout.contains(&heading.to_uppercase()),
                "{}: no {heading}",
                info.code
            );
        }
        // Not a terminal: wrapped at 80 columns, except code blocks (file contents
        // and findings, shown as they are, indented by four spaces) and a word too
        // long for a line (a path).
        for line in run.stdout.lines() {
            let words = line.trim_start_matches([' ', '-']).split(' ').count();
            assert!(
                line.chars().count() <= 80 || line.starts_with("    ") || words == 1,
                "{}: {line}",
                info.code
            );
        }
    }
}

/// The pages of a few codes of each family, as a terminal shows them.
#[test]
fn explain_pages() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for code in [
        "json-syntax",
        "legacy-shape",
        "room-not-linked",
        "emoji-file-missing",
    ] {
        let run = run_in(tmp.path(), &["explain", code]);
        assert_eq!(run.status, 0, "{code}");
        insta::assert_snapshot!(format!("explain_{code}"), run.stdout);
    }
}

#[test]
fn explain_list() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["explain", "--list"]);
    assert_eq!(run.status, 0);
    assert_eq!(run.stdout.lines().count(), ALL.len());
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["explain", "legacy-shape", "--format", "json"]);
    assert_eq!(run.status, 0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let info = livechat_validate::codes::info("legacy-shape").expect("a code");
    assert_eq!(value["code"], "legacy-shape");
    assert_eq!(value["name"], "LegacyShape");
    assert_eq!(value["summary"], info.summary);
    assert_eq!(value["fix"]["applicability"], info.fix.as_str());
    assert_eq!(value["page"], info.page);

    let run = run_in(tmp.path(), &["explain", "--list", "--format", "json"]);
    assert_eq!(run.status, 0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let list = value.as_array().expect("an array");
    assert_eq!(list.len(), ALL.len());
    for (entry, info) in list.iter().zip(ALL) {
        assert_eq!(entry["code"], info.code);
        assert!(entry.get("page").is_none(), "the list has no pages");
    }
}

#[test]
fn unknown_code_exits_2_and_suggests_the_nearest() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["explain", "room-not-linekd"]);
    assert_eq!(run.status, 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("unknown diagnostic code `room-not-linekd`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `room-not-linked`"),
        "{}",
        run.stderr
    );
    insta::assert_snapshot!(run.stderr);

    // A part of a code names the codes that contain it.
    let run = run_in(tmp.path(), &["explain", "regexp"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("`regexp-"), "{}", run.stderr);

    // Nothing close: the list is where to look.
    let run = run_in(tmp.path(), &["explain", "zzzzzzzzzzzz"]);
    assert_eq!(run.status, 2);
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
    assert!(run.stderr.contains("explain --list"), "{}", run.stderr);

    // Neither a code nor --list: clap refuses the command line.
    let run = run_in(tmp.path(), &["explain"]);
    assert_eq!(run.status, 2);
}
