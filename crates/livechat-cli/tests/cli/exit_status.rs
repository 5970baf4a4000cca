//! One test per exit status: 0 (no error), 1 (errors; warnings with
//! `--deny-warnings`), 2 (could not run).

use super::{INSTANCE, repo, run_in, temp_copy};

#[test]
fn status_0_when_there_is_no_error() {
    let tmp = temp_copy(&repo().join("fixtures/validate/legacy-shape"));
    // Warnings only: still 0 without --deny-warnings.
    let run = run_in(
        tmp.path(),
        &["validate", "data", "--instance-url", INSTANCE],
    );
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(run.stdout.contains("0 errors"), "{}", run.stdout);
}

#[test]
fn status_1_when_there_are_errors() {
    let tmp = temp_copy(&repo().join("fixtures/validate/out-of-range"));
    let run = run_in(
        tmp.path(),
        &["validate", "data", "--instance-url", INSTANCE],
    );
    assert_eq!(run.status, 1, "{}", run.stdout);
}

#[test]
fn status_1_for_warnings_with_deny_warnings() {
    let tmp = temp_copy(&repo().join("fixtures/validate/legacy-shape"));
    let run = run_in(
        tmp.path(),
        &[
            "validate",
            "data",
            "--instance-url",
            INSTANCE,
            "--deny-warnings",
        ],
    );
    assert_eq!(run.status, 1, "{}", run.stdout);
}

#[test]
fn status_2_when_the_dir_is_missing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["validate", "no-such-dir"]);
    assert_eq!(run.status, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("the data directory no-such-dir does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn status_2_when_the_dir_is_a_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("file"), "").expect("write");
    let run = run_in(tmp.path(), &["validate", "file"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("file is not a directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn status_2_on_bad_arguments() {
    let tmp = temp_copy(&repo().join("fixtures/validate/ok-minimal"));
    for args in [
        &["validate", "data", "--format", "xml"][..],
        &["validate", "data", "--room-type", "room"],
        &["validate", "data", "--instance-url", "ftp://x.example"],
        &[
            "validate",
            "data",
            "--instance-url",
            "https://peertube.example.com/path",
        ],
        &["validate", "data", "--peertube-config", "missing.yaml"],
        &[
            "validate",
            "data",
            "--instance-url",
            INSTANCE,
            "--peertube-config",
            "x.yaml",
        ],
    ] {
        let run = run_in(tmp.path(), args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn the_default_dir_is_the_plugins() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_in(tmp.path(), &["validate", "--help"]);
    assert!(
        run.stdout
            .contains("/var/www/peertube/storage/plugins/data/peertube-plugin-livechat"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_instance_from_peertube_config_and_inference() {
    let tmp = temp_copy(&repo().join("fixtures/validate/ok-minimal"));
    std::fs::copy(
        repo().join("fixtures/peertube/production.yaml"),
        tmp.path().join("production.yaml"),
    )
    .expect("copy");
    let run = run_in(
        tmp.path(),
        &["validate", "data", "--peertube-config", "production.yaml"],
    );
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("instance peertube.example.com (--peertube-config production.yaml)"),
        "{}",
        run.stdout
    );
    // Without either: inferred from the data dir, and the report says so.
    let run = run_in(tmp.path(), &["validate", "data"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "instance peertube.example.com (inferred from bot/room.peertube.example.com/"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn an_instance_that_cannot_be_inferred_is_a_warning() {
    let tmp = temp_copy(&repo().join("fixtures/validate/other-muc-domain"));
    let run = run_in(tmp.path(), &["validate", "data", "--format", "json"]);
    let codes = super::codes_of(&run.stdout);
    assert!(
        codes.contains(&("instance-unknown".to_owned(), String::new())),
        "{codes:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(report["instance_host"], serde_json::Value::Null);
    // The checks needing the instance are skipped: no other-muc-domain finding.
    assert!(
        !codes.iter().any(|(c, _)| c == "other-muc-domain"),
        "{codes:?}"
    );
}
