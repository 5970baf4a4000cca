//! Bad input: each gets a clear diagnostic, none makes the validator panic, and the
//! validator never writes into the data dir.

use std::path::Path;

use super::{INSTANCE, codes_of, is_root, run_in, validate_data};

/// Validates `data/` in `tmp` as json; returns (status, [(code, path)]).
fn check(tmp: &Path) -> (i32, Vec<(String, String)>) {
    let run = validate_data(tmp, "json");
    let human = run_in(tmp, &["validate", "data", "--instance-url", INSTANCE]);
    assert_eq!(human.status, run.status);
    (run.status, codes_of(&run.stdout))
}

fn data_dir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(tmp.path().join("data/channelConfigurationOptions")).expect("mkdir");
    tmp
}

fn pair(code: &str, path: &str) -> (String, String) {
    (code.to_owned(), path.to_owned())
}

#[test]
fn truncated_json() {
    let tmp = data_dir();
    std::fs::write(
        tmp.path().join("data/channelConfigurationOptions/1.json"),
        r#"{"bot":{"enabled":tr"#,
    )
    .expect("write");
    let (status, codes) = check(tmp.path());
    assert_eq!(status, 1);
    assert!(
        codes.contains(&pair("json-syntax", "channelConfigurationOptions/1.json")),
        "{codes:?}"
    );
}

#[test]
fn not_utf8() {
    // Inside a string: Node's decoder reads U+FFFD, the file still parses (a warning,
    // and the checks go on).
    let tmp = data_dir();
    std::fs::write(
        tmp.path().join("data/channelConfigurationOptions/1.json"),
        b"{\"bot\":{\"nickname\":\"\xff\xfe\"}}",
    )
    .expect("write");
    let run = validate_data(tmp.path(), "json");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let first = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "not-utf8")
        .expect("a not-utf8 finding");
    assert_eq!(first["severity"], "warning", "{report:#}");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(1), Some(21))
    );
    assert!(codes_of(&run.stdout).len() > 1, "the checks went on");
    // Outside a string: unparsable.
    std::fs::write(
        tmp.path().join("data/channelConfigurationOptions/1.json"),
        b"{\xff:1}",
    )
    .expect("write");
    let run = validate_data(tmp.path(), "json");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(report["diagnostics"][0]["code"], "not-utf8", "{report:#}");
    assert_eq!(report["diagnostics"][0]["severity"], "error", "{report:#}");
    assert_eq!(run.status, 1);
    let human = run_in(
        tmp.path(),
        &["validate", "data", "--instance-url", INSTANCE],
    );
    assert!(human.stdout.contains("not UTF-8"), "{}", human.stdout);
}

#[test]
fn empty_file() {
    let tmp = data_dir();
    std::fs::write(
        tmp.path().join("data/channelConfigurationOptions/1.json"),
        "",
    )
    .expect("write");
    let (status, codes) = check(tmp.path());
    assert_eq!(status, 1);
    assert!(
        codes.contains(&pair("empty-file", "channelConfigurationOptions/1.json")),
        "{codes:?}"
    );
}

#[test]
fn a_directory_where_a_file_belongs() {
    let tmp = data_dir();
    std::fs::create_dir_all(tmp.path().join("data/channelConfigurationOptions/1.json/x"))
        .expect("mkdir");
    let (status, codes) = check(tmp.path());
    assert_eq!(status, 1);
    assert!(
        codes.contains(&pair("not-a-file", "channelConfigurationOptions/1.json")),
        "{codes:?}"
    );
}

#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = data_dir();
    let file = tmp.path().join("data/channelConfigurationOptions/1.json");
    std::fs::write(&file, "{}").expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let (status, codes) = check(tmp.path());
    if is_root() {
        // Root reads a mode-000 file anyway: it is checked like any other.
        assert!(!codes.iter().any(|(c, _)| c == "unreadable"), "{codes:?}");
    } else {
        assert_eq!(status, 1);
        assert!(
            codes.contains(&pair("unreadable", "channelConfigurationOptions/1.json")),
            "{codes:?}"
        );
    }
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
}

#[test]
fn a_file_that_cannot_be_opened_even_by_root() {
    // A link to itself fails to open with ELOOP, whoever runs the validator.
    let tmp = data_dir();
    std::os::unix::fs::symlink(
        "2.json",
        tmp.path().join("data/channelConfigurationOptions/2.json"),
    )
    .expect("symlink");
    let (status, codes) = check(tmp.path());
    assert_eq!(status, 1);
    assert!(
        codes.contains(&pair("unreadable", "channelConfigurationOptions/2.json")),
        "{codes:?}"
    );
}

#[test]
fn a_symlink_pointing_outside() {
    let tmp = data_dir();
    std::fs::write(tmp.path().join("outside.json"), r#"{"secret":"x"}"#).expect("write");
    std::os::unix::fs::symlink(
        "../../outside.json",
        tmp.path().join("data/channelConfigurationOptions/1.json"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink("/etc", tmp.path().join("data/etc")).expect("symlink");
    let (status, codes) = check(tmp.path());
    assert_eq!(status, 1);
    assert!(
        codes.contains(&pair(
            "symlink-outside",
            "channelConfigurationOptions/1.json"
        )),
        "{codes:?}"
    );
    assert!(codes.contains(&pair("symlink-outside", "etc")), "{codes:?}");
}

#[test]
fn a_symlink_inside_is_followed() {
    let tmp = data_dir();
    std::fs::write(
        tmp.path().join("data/real.json"),
        r#"{"bot":{"enabled":"yes"}}"#,
    )
    .expect("write");
    std::os::unix::fs::symlink(
        "../real.json",
        tmp.path().join("data/channelConfigurationOptions/1.json"),
    )
    .expect("symlink");
    let (_, codes) = check(tmp.path());
    // The target is checked under the link's name (and as itself: an unknown file).
    assert!(
        codes
            .iter()
            .any(|(_, p)| p == "channelConfigurationOptions/1.json"),
        "{codes:?}"
    );
    assert!(
        codes.contains(&pair("unknown-file", "real.json")),
        "{codes:?}"
    );
    assert!(
        !codes.iter().any(|(c, _)| c == "symlink-outside"),
        "{codes:?}"
    );
}

#[test]
fn a_50_mb_file() {
    let tmp = data_dir();
    let file = tmp.path().join("data/channelConfigurationOptions/1.json");
    let mut text = String::with_capacity(50 * 1024 * 1024 + 16);
    text.push_str("{\"x\":\"");
    text.push_str(&"a".repeat(50 * 1024 * 1024));
    text.push_str("\"}");
    std::fs::write(&file, text).expect("write");
    let (status, codes) = check(tmp.path());
    assert_eq!(status, 1);
    assert!(
        codes.contains(&pair(
            "file-too-large",
            "channelConfigurationOptions/1.json"
        )),
        "{codes:?}"
    );
}

#[test]
fn prosody_folders_are_not_entered_and_nothing_is_written() {
    let tmp = data_dir();
    std::fs::create_dir_all(tmp.path().join("data/prosody/data")).expect("mkdir");
    std::fs::write(tmp.path().join("data/prosody/data/x.json"), "not json").expect("write");
    std::fs::create_dir_all(tmp.path().join("data/prosodyAppImage")).expect("mkdir");
    std::fs::write(
        tmp.path().join("data/channelConfigurationOptions/1.json"),
        "{",
    )
    .expect("write");
    let before = listing(&tmp.path().join("data"));
    let (_, codes) = check(tmp.path());
    assert!(
        !codes.iter().any(|(_, p)| p.starts_with("prosody")),
        "{codes:?}"
    );
    assert_eq!(listing(&tmp.path().join("data")), before);
}

fn listing(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let e = e.expect("entry");
            let m = e.metadata().expect("metadata");
            if m.is_dir() {
                stack.push(e.path());
            }
            out.push((
                e.path().display().to_string(),
                m.len(),
                m.modified().expect("mtime"),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn duplicate_keys() {
    let tmp = data_dir();
    std::fs::write(
        tmp.path().join("data/channelConfigurationOptions/1.json"),
        r#"{"bot":{"enabled":false,"enabled":true}}"#,
    )
    .expect("write");
    let (_, codes) = check(tmp.path());
    assert!(
        codes.contains(&pair("duplicate-key", "channelConfigurationOptions/1.json")),
        "{codes:?}"
    );
}

#[test]
fn links_to_directories_are_not_followed() {
    let tmp = data_dir();
    // A loop: following it would never end.
    std::os::unix::fs::symlink(
        ".",
        tmp.path().join("data/channelConfigurationOptions/loop"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(
        "../..",
        tmp.path().join("data/channelConfigurationOptions/up"),
    )
    .expect("symlink");
    let (status, codes) = check(tmp.path());
    assert_eq!(status, 1);
    assert!(
        codes.contains(&pair("not-a-file", "channelConfigurationOptions/loop")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&pair("symlink-outside", "channelConfigurationOptions/up")),
        "{codes:?}"
    );
}
