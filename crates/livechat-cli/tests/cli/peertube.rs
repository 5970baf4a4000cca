//! The instance, the data dir and the plugin's settings read from PeerTube itself:
//! its database (a real PostgreSQL, one database per test) and its layered
//! configuration.

use std::path::Path;

use super::pg::TestDb;
use super::{repo, run_in, temp_copy};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn inventory_and_prune_need_only_the_database() {
    let db = TestDb::sample("inv_prune");
    let tmp = temp_copy(&repo().join("fixtures/sample"));
    let run = run_in(
        tmp.path(),
        &["inventory", "--peertube-db", &db.url, "-o", "inv.json"],
    );
    assert_eq!(run.status, 0, "{run:?}");
    // Where the host came from: the local application actor, not the remote one.
    assert!(
        run.stderr.contains(
            "instance peertube.example.com (PeerTube's database: the local application actor https://peertube.example.com/accounts/peertube)"
        ),
        "{}",
        run.stderr
    );
    let got: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("inv.json")).expect("inv.json"))
            .expect("json");
    let want: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo().join("fixtures/sample-inventory.json")).expect("inventory"),
    )
    .expect("json");
    assert_eq!(got["instance_host"], "peertube.example.com");
    assert_eq!(got["channels"], want["channels"]);

    let run = run_in(
        tmp.path(),
        &[
            "migrate",
            "prune",
            "data",
            "--peertube-db",
            &db.url,
            "--format",
            "json",
        ],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("a json plan");
    let deleted: Vec<&str> = plan["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .filter(|o| o["op"] == "delete")
        .filter_map(|o| o["path"].as_str())
        .collect();
    assert!(
        deleted.contains(&"channelConfigurationOptions/7.json"),
        "{deleted:?}"
    );
}

#[test]
fn prune_infers_the_host_from_dir_without_an_application_actor() {
    let db = TestDb::sample("prune_infer");
    db.client()
        .batch_execute("DELETE FROM actor WHERE type = 'Application'")
        .expect("delete");
    let tmp = temp_copy(&repo().join("fixtures/sample"));
    let run = run_in(
        tmp.path(),
        &["migrate", "prune", "data", "--peertube-db", &db.url],
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stderr.contains(
            "instance peertube.example.com (inferred from bot/room.peertube.example.com/"
        ),
        "{}",
        run.stderr
    );
    // inventory has no DIR to infer from: it says what to give.
    let run = run_in(tmp.path(), &["inventory", "--peertube-db", &db.url]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.stderr.contains("the instance host is unknown"),
        "{}",
        run.stderr
    );
}

const REMOTE: &str = "videoInfos/remote/tube.other.net/8a477ac1-6e1d-4cb6-8e24-6f2b77b99efc.json";

/// The sample with an unreadable remote videoInfos file and a broken token file.
fn broken_sample() -> tempfile::TempDir {
    let tmp = temp_copy(&repo().join("fixtures/sample"));
    let data = tmp.path().join("data");
    write(&data.join(REMOTE), "{\"type\":");
    write(&data.join("tokens/zed@peertube.example.com.json"), "[");
    tmp
}

fn json_report(run: &super::Run) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("a json report");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().expect("severity").to_owned(),
                d["code"].as_str().expect("code").to_owned(),
                d["path"].as_str().expect("path").to_owned(),
            )
        })
        .collect()
}

#[test]
fn validate_applies_the_plugins_settings_from_the_database() {
    let tmp = broken_sample();
    // Without the database: both broken files are errors.
    let run = run_in(
        tmp.path(),
        &[
            "validate",
            "data",
            "--instance-url",
            "https://peertube.example.com",
            "--format",
            "json",
        ],
    );
    let plain = json_report(&run);
    let severity_of = |report: &[(String, String, String)], prefix: &str| -> Vec<String> {
        report
            .iter()
            .filter(|(_, _, p)| p.starts_with(prefix))
            .map(|(s, _, _)| s.clone())
            .collect()
    };
    assert_eq!(severity_of(&plain, REMOTE), ["error"]);
    assert_eq!(severity_of(&plain, "tokens/zed"), ["error"]);

    // The plugin does not use remote chats nor tokens: nothing reads those files.
    let db = TestDb::sample("settings");
    db.plugin(
        "14.0.4",
        true,
        Some(r#"{"federation-no-remote-chat":true,"livechat-token-disabled":true,"enable-users-regexp":true}"#),
    );
    let run = run_in(
        tmp.path(),
        &[
            "validate",
            "data",
            "--peertube-db",
            &db.url,
            "--format",
            "json",
        ],
    );
    let with = json_report(&run);
    assert_eq!(severity_of(&with, REMOTE), ["warning"]);
    assert_eq!(severity_of(&with, "tokens/zed"), ["warning"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["instance_host"], "peertube.example.com");

    // The human summary names the version, the settings and where the instance came from.
    let run = run_in(tmp.path(), &["validate", "data", "--peertube-db", &db.url]);
    let summary: String = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("checked "))
        .map(|l| format!("{l}\n"))
        .collect();
    let summary = super::stable(&summary);
    insta::assert_snapshot!("validate_with_plugin_row", summary);
}

#[test]
fn the_databases_room_type_beats_room_type_and_an_old_version_is_explained() {
    let tmp = temp_copy(&repo().join("fixtures/sample"));
    let db = TestDb::sample("room_type");
    db.plugin("13.0.0", true, Some(r#"{"prosody-room-type":"channel"}"#));
    let run = run_in(
        tmp.path(),
        &[
            "validate",
            "data",
            "--peertube-db",
            &db.url,
            "--room-type",
            "video",
        ],
    );
    assert!(
        run.stderr.contains("--room-type is ignored"),
        "{}",
        run.stderr
    );
    // The sample's rooms are video rooms: with channel rooms, the plugin drops them.
    assert!(run.stdout.contains("room-type-mismatch"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("an upgrade to v14 will read this data differently"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("fix-v14-regexp"), "{}", run.stdout);
    // No settings saved: the defaults, and the summary says so.
    let db = TestDb::sample("no_settings");
    db.plugin("14.0.4", false, None);
    let run = run_in(tmp.path(), &["validate", "data", "--peertube-db", &db.url]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout.contains("never saved: the defaults"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("disabled or uninstalled"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("upgrade"), "{}", run.stdout);
}

#[test]
fn peertube_config_is_layered_as_peertube_layers_it() {
    let db = TestDb::sample("layers");
    db.plugin(
        "14.0.4",
        true,
        Some(r#"{"federation-no-remote-chat":true}"#),
    );
    let tmp = broken_sample();
    let root = tmp.path();
    // production.yaml names another host and no data dir; local-production.json (the
    // admin UI's overrides) fixes the host; the database comes from production.yaml.
    write(
        &root.join("config/production.yaml"),
        &format!(
            "webserver:\n  https: true\n  hostname: 'old.example.com'\n  port: 443\ndatabase:\n  hostname: '127.0.0.1'\n  port: 5432\n  name: '{}'\n  username: 'postgres'\n  password: ''\nstorage:\n  plugins: '{}/plugins/'\n",
            db.name,
            root.display()
        ),
    );
    write(
        &root.join("config/local-production.json"),
        r#"{"webserver":{"hostname":"peertube.example.com"}}"#,
    );
    std::fs::create_dir_all(root.join("plugins/data")).expect("mkdir");
    std::fs::rename(
        root.join("data"),
        root.join("plugins/data/peertube-plugin-livechat"),
    )
    .expect("move");
    // No DIR: the configuration's storage.plugins gives it.
    let run = run_in(
        root,
        &[
            "validate",
            "--peertube-config",
            "config/production.yaml",
            "--format",
            "json",
        ],
    );
    assert!(run.status == 0 || run.status == 1, "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["instance_host"], "peertube.example.com");
    assert!(
        v["data_dir"]
            .as_str()
            .expect("data_dir")
            .ends_with("plugins/data/peertube-plugin-livechat")
    );
    let remote: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| {
            d["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("videoInfos/remote/"))
        })
        .collect();
    assert!(!remote.is_empty());
    assert!(
        remote.iter().all(|d| d["severity"] == "warning"),
        "{remote:?}"
    );

    // PeerTube's Docker image: custom-environment-variables.yaml maps PEERTUBE_*
    // variables, applied last.
    write(
        &root.join("config/custom-environment-variables.yaml"),
        "webserver:\n  hostname: \"PEERTUBE_WEBSERVER_HOSTNAME\"\n  port:\n    __name: \"PEERTUBE_WEBSERVER_PORT\"\n    __format: \"json\"\ndatabase:\n  name: \"PEERTUBE_DB_NAME\"\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livechat-data"))
        .args(["inventory", "--peertube-config", "config/production.yaml"])
        .current_dir(root)
        .env("PEERTUBE_WEBSERVER_HOSTNAME", "tube.example.org")
        .env("PEERTUBE_WEBSERVER_PORT", "9000")
        .env("PEERTUBE_DB_NAME", &db.name)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(inv["instance_host"], "tube.example.org");
    assert!(stderr.contains("$PEERTUBE_WEBSERVER_HOSTNAME"), "{stderr}");
    // The database disagrees with the configuration: said, and the configuration wins.
    assert!(stderr.contains("the configuration wins"), "{stderr}");
}
