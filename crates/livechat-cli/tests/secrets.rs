//! Secrets never leak: every command, in every output format, runs over a copy of the
//! sample whose secrets (the bot password, every token ciphertext) are unique marker
//! strings, and no marker may appear in stdout, stderr, a plan, a backup's manifest
//! or journal. The committed snapshots must not hold the sample's real secrets either.
//!
//! (A backup's `files/` and `new/` folders are byte copies of the data dir, secrets
//! included, by design: they are what `migrate restore` puts back. The backup folder
//! is mode 0700.)

#![allow(clippy::unwrap_used, reason = "test helpers stop at the first failure")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livechat-data"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Every secret of the sample: the bot password and the token ciphertexts.
fn sample_secrets(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for path in glob::glob(dir.join("**/*.json").to_str().unwrap()).unwrap() {
        let path = path.unwrap();
        let rel = path
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if let livechat_schema::Entry::Document { kind, .. } = livechat_schema::classify(&rel) {
            if let Ok(value) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) {
                out.extend(livechat_schema::secret::secret_values(kind, &value));
            }
        }
    }
    out
}

/// Replaces every secret of the copy with a unique marker of the same shape (20
/// lower-case characters for the password, hex for the ciphertexts, so the files
/// stay valid) and returns the markers, with the parts a message could quote alone.
fn plant_markers(dir: &Path) -> Vec<String> {
    let mut markers = Vec::new();
    let mut n = 0u32;
    for path in glob::glob(dir.join("**/*.json").to_str().unwrap()).unwrap() {
        let path = path.unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        let rel = path
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let livechat_schema::Entry::Document { kind, .. } = livechat_schema::classify(&rel) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for secret in livechat_schema::secret::secret_values(kind, &value) {
            n += 1;
            let marker = if secret.contains(':') {
                // IV and ciphertext, both recognisable.
                let iv = format!("{:08x}{}", 0x5ec0_0000 + n, "5ec7e75ec7e75ec7e75ec7e7");
                let body = format!("{:08x}{}", 0x5ec1_0000 + n, "5ec7e7".repeat(9))
                    .chars()
                    .take(64)
                    .collect::<String>();
                markers.push(iv.clone());
                markers.push(body.clone());
                format!("{iv}:{body}")
            } else {
                format!("zzsecretmarker{n:04}zz")
            };
            markers.push(marker.clone());
            text = text.replace(&secret, &marker);
        }
        std::fs::write(&path, text).unwrap();
    }
    assert!(
        markers.len() >= 4,
        "the sample should hold a password and tokens"
    );
    markers
}

fn assert_clean(what: &str, text: &str, markers: &[String]) {
    for marker in markers {
        assert!(
            !text.contains(marker.as_str()),
            "{what} shows the secret {marker}:\n{text}"
        );
    }
}

fn output_text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn no_command_and_no_format_shows_a_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_tree(&repo().join("fixtures/sample"), &data);
    let markers = plant_markers(&data);
    std::fs::copy(
        repo().join("fixtures/sample-inventory.json"),
        tmp.path().join("inventory.json"),
    )
    .unwrap();
    let cwd = tmp.path();

    // The validator, in every format; also with a broken moderation.json and token
    // file, whose messages and code frames must still mask the secrets.
    for format in ["human", "json", "github", "sarif", "junit"] {
        let out = run(cwd, &["validate", "data", "--format", format]);
        assert_clean(
            &format!("validate --format {format}"),
            &output_text(&out),
            &markers,
        );
    }
    let moderation = data.join("bot/room.peertube.example.com/moderation.json");
    let original = std::fs::read_to_string(&moderation).unwrap();
    let broken = original
        .replace("\"type\":\"client\"", "\"type\":\"klient\"")
        .replace("\"domain\":\"bot.", "\"domain\":\"x.");
    std::fs::write(&moderation, format!("{broken} trailing")).unwrap();
    let token = glob::glob(data.join("tokens/*.json").to_str().unwrap())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let token_text = std::fs::read_to_string(&token).unwrap();
    std::fs::write(&token, token_text.replace(":", ":zz")).unwrap();
    for format in ["human", "json", "github", "sarif", "junit"] {
        let out = run(cwd, &["validate", "data", "--format", format]);
        let text = output_text(&out);
        // The broken files were seen and reported on, so there was something to leak.
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            text.contains("moderation.json") && text.contains("tokens/"),
            "{text}"
        );
        assert_clean(
            &format!("validate (broken files) --format {format}"),
            &text,
            &markers,
        );
    }
    std::fs::write(&moderation, &original).unwrap();
    std::fs::write(&token, &token_text).unwrap();

    // Other read-only commands.
    for args in [
        vec!["explain", "token-undecryptable"],
        vec!["schema", "list", "--format", "json"],
    ] {
        assert_clean(&args.join(" "), &output_text(&run(cwd, &args)), &markers);
    }

    // Migrations: plans in both formats, then applied with a backup, then restored.
    let rename = [
        "migrate",
        "rename-domain",
        "--from",
        "peertube.example.com",
        "--to",
        "video.example.org",
        "data",
    ];
    for format in ["human", "json"] {
        let mut args = rename.to_vec();
        args.extend(["--format", format]);
        assert_clean(
            &format!("rename-domain plan ({format})"),
            &output_text(&run(cwd, &args)),
            &markers,
        );
    }
    let mut args = rename.to_vec();
    args.extend(["--apply", "--backup-dir", "backup-rename"]);
    let out = run(cwd, &args);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        output_text(&out)
    );
    assert_clean("rename-domain --apply", &output_text(&out), &markers);
    let out = run(cwd, &["migrate", "restore", "backup-rename", "data"]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_clean("migrate restore", &output_text(&out), &markers);

    let prune = ["migrate", "prune", "data", "--inventory", "inventory.json"];
    for format in ["human", "json"] {
        let mut args = prune.to_vec();
        args.extend(["--format", format]);
        assert_clean(
            &format!("prune plan ({format})"),
            &output_text(&run(cwd, &args)),
            &markers,
        );
    }
    let mut args = prune.to_vec();
    args.extend(["--apply", "--backup-dir", "backup-prune"]);
    let out = run(cwd, &args);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        output_text(&out)
    );
    assert_clean("prune --apply", &output_text(&out), &markers);

    // What a backup keeps besides the byte copies: manifest, journal, anything else.
    let mut checked = 0;
    for backup in ["backup-rename", "backup-prune"] {
        let root = cwd.join(backup);
        for path in glob::glob(root.join("**/*").to_str().unwrap()).unwrap() {
            let path = path.unwrap();
            let rel = path.strip_prefix(&root).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .into_owned();
            if path.is_file() && top != "files" && top != "new" {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                assert_clean(&format!("{backup}/{}", rel.display()), &text, &markers);
                checked += 1;
            }
        }
    }
    assert!(checked >= 2, "no manifest or journal found in the backups");
}

#[test]
fn no_snapshot_holds_a_secret_of_the_fixtures() {
    let mut secrets = sample_secrets(&repo().join("fixtures/sample"));
    for dir in ["fixtures/files", "fixtures/validate", "fixtures/migrate"] {
        secrets.extend(sample_secrets(&repo().join(dir)));
    }
    secrets.retain(|s| s.len() >= 8);
    assert!(secrets.len() >= 4);
    let mut snapshots = 0;
    for path in glob::glob(repo().join("**/snapshots/*.snap").to_str().unwrap()).unwrap() {
        let path = path.unwrap();
        if path.components().any(|c| c.as_os_str() == "target") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_clean(&path.display().to_string(), &text, &secrets);
        snapshots += 1;
    }
    assert!(snapshots > 100, "only {snapshots} snapshots found");
}
