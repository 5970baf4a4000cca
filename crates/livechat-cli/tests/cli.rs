//! CLI tests: the built `livechat-data` binary, run in a temp dir with relative
//! paths. Topic modules share the helpers here.

#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/exit_status.rs"]
mod exit_status;
#[path = "cli/explain.rs"]
mod explain;
#[path = "cli/formats.rs"]
mod formats;
#[path = "cli/schema_list.rs"]
mod schema_list;
#[path = "cli/snapshots.rs"]
mod snapshots;
#[path = "cli/version.rs"]
mod version;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The output of one run.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `livechat-data args...` in `cwd`.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_livechat-data"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let run = Run {
        status: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "the binary panicked: {}",
        run.stderr
    );
    run
}

/// A temp dir holding a copy of `src` as `data/`.
pub fn temp_copy(src: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temp dir");
    copy_dir(src, &tmp.path().join("data"));
    tmp
}

/// Copies a directory tree (links are recreated as links).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create dir");
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .expect("read dir")
        .map(|e| e.expect("entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let ty = entry.file_type().expect("file type");
        let to = dst.join(entry.file_name());
        if ty.is_dir() {
            copy_dir(&entry.path(), &to);
        } else if ty.is_symlink() {
            let target = std::fs::read_link(entry.path()).expect("link");
            std::os::unix::fs::symlink(target, &to).expect("symlink");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
}

/// Replaces what varies between runs (the time) in human and junit output.
pub fn stable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("checked ") {
            // "checked N files in 0.01s: ..." -> "in [TIME]: ..."
            if let (Some(a), Some(b)) = (rest.find(" in "), rest.find("s: ")) {
                out.push_str("checked ");
                out.push_str(&rest[..a]);
                out.push_str(" in [TIME]");
                out.push_str(&rest[b + 1..]);
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// `text` with the build's commit (recorded by `build.rs`) replaced by `[commit]`.
pub fn without_commit(text: &str) -> String {
    let commit = env!("LIVECHAT_DATA_COMMIT");
    if commit.is_empty() {
        return text.to_owned();
    }
    text.replace(commit, "[commit]")
        .replace(&commit[..12], "[commit]")
}

/// The (code, path) pairs of a `--format json` report.
pub fn codes_of(json: &str) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_str(json).expect("a json report");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code").to_owned(),
                d["path"].as_str().expect("path").to_owned(),
            )
        })
        .collect()
}

/// Whether the process runs as root (where `chmod 000` does not stop reading).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The instance of every fixture data dir.
pub const INSTANCE: &str = "https://peertube.example.com";

/// `livechat-data validate data --instance-url INSTANCE --format FORMAT`, run in `cwd`.
pub fn validate_data(cwd: &Path, format: &str) -> Run {
    run_in(
        cwd,
        &[
            "validate",
            "data",
            "--instance-url",
            INSTANCE,
            "--format",
            format,
        ],
    )
}
