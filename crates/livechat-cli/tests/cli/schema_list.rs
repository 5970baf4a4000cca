//! `schema list`.

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
