//! Version metadata: `--version` and `-V`, the json report's `tool` and SARIF's
//! `tool.driver` name the same version, commit and plugin version.

use super::{repo, run_in, temp_copy, validate_data};

/// The commit `build.rs` recorded (empty when unknown).
const COMMIT: &str = env!("LIVECHAT_DATA_COMMIT");
const VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn long_version_names_version_commit_and_plugin() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let run = run_in(tmp.path(), &["--version"]);
    assert_eq!(run.status, 0);
    let commit = if COMMIT.is_empty() {
        "unknown (built outside a git checkout)"
    } else {
        COMMIT
    };
    assert_eq!(
        run.stdout,
        format!(
            "livechat-data {VERSION}\ncommit: {commit}\nimplements: peertube-plugin-livechat 14.0.4\n"
        )
    );
    // Subcommands print the same.
    let run = run_in(tmp.path(), &["validate", "--version"]);
    assert!(
        run.stdout
            .starts_with(&format!("livechat-validate {VERSION}\ncommit: "))
            || run
                .stdout
                .starts_with(&format!("livechat-data-validate {VERSION}\ncommit: ")),
        "{}",
        run.stdout
    );
}

#[test]
fn short_version_is_one_line() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let run = run_in(tmp.path(), &["-V"]);
    assert_eq!(run.status, 0);
    let expected = if COMMIT.is_empty() {
        format!("livechat-data {VERSION} (peertube-plugin-livechat 14.0.4)\n")
    } else {
        format!(
            "livechat-data {VERSION} (commit {}, peertube-plugin-livechat 14.0.4)\n",
            &COMMIT[..12]
        )
    };
    assert_eq!(run.stdout, expected);
}

/// Built in this repository's checkout, the binary carries its HEAD: `build.rs` runs
/// again whenever HEAD moves.
#[test]
fn commit_is_the_checkout_head() {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--verify", "HEAD"])
        .current_dir(repo())
        .output();
    let Ok(out) = out else { return };
    if !out.status.success() {
        // Not a git checkout (a source tarball): the commit is unknown.
        assert_eq!(COMMIT, "");
        return;
    }
    assert_eq!(COMMIT, String::from_utf8_lossy(&out.stdout).trim());
}

#[test]
fn json_report_and_sarif_carry_the_same() {
    let tmp = temp_copy(&repo().join("fixtures/validate/ok-minimal"));
    let commit = (!COMMIT.is_empty()).then_some(COMMIT);

    let run = validate_data(tmp.path(), "json");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let mut tool = serde_json::json!({
        "name": "livechat-data",
        "version": VERSION,
        "plugin_version": "14.0.4",
    });
    if let Some(commit) = commit {
        tool["commit"] = commit.into();
    }
    assert_eq!(report["tool"], tool);

    let run = validate_data(tmp.path(), "sarif");
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).expect("sarif");
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "livechat-data");
    assert_eq!(driver["version"], VERSION);
    assert_eq!(driver["semanticVersion"], VERSION);
    assert_eq!(driver["properties"]["commit"], serde_json::json!(commit));
    assert_eq!(driver["properties"]["pluginVersion"], "14.0.4");
}
