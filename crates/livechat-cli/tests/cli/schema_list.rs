//! `schema list` and `explain`.

use super::run_in;

#[test]
fn schema_list_human() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["schema", "list"]);
    assert_eq!(run.status, 0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn schema_list_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["schema", "list", "--format", "json"]);
    assert_eq!(run.status, 0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    insta::assert_json_snapshot!(value);
}

#[test]
fn explain_prints_every_code() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for info in livechat_validate::codes::ALL {
        let run = run_in(tmp.path(), &["explain", info.code]);
        assert_eq!(run.status, 0, "{}", info.code);
        assert!(run.stdout.starts_with(info.code), "{}", run.stdout);
        assert!(run.stdout.contains(info.summary), "{}", run.stdout);
    }
    let run = run_in(tmp.path(), &["explain", "schema"]);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_unknown_code_exits_2() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["explain", "no-such-code"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr
            .contains("unknown diagnostic code `no-such-code`"),
        "{}",
        run.stderr
    );
}
