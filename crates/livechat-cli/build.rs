//! Records the git commit the binary is built from, as the compile-time variable
//! `LIVECHAT_DATA_COMMIT` (40 hex digits, or empty when unknown), for `--version`,
//! the JSON report and SARIF.
//!
//! The commit comes from `LIVECHAT_DATA_COMMIT` in the build's environment when set
//! (a packager building from a source tarball knows it), else from `git rev-parse
//! HEAD`, but only when the git checkout is this workspace (a crate unpacked inside
//! some other repository must not take that repository's commit). Without either it
//! is empty, and the binary says "unknown". Whether the work tree has uncommitted
//! changes is not recorded: tracking it would rebuild the crate on every edit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=LIVECHAT_DATA_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = match std::env::var("LIVECHAT_DATA_COMMIT") {
        Ok(commit) if !commit.is_empty() => Some(commit),
        _ => git_commit(&manifest_dir),
    };
    let commit = commit.filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()));
    println!(
        "cargo:rustc-env=LIVECHAT_DATA_COMMIT={}",
        commit.unwrap_or_default().to_ascii_lowercase()
    );
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

fn git_commit(manifest_dir: &Path) -> Option<String> {
    // Only this workspace's own checkout: its top level holds crates/livechat-cli.
    let top = PathBuf::from(git(manifest_dir, &["rev-parse", "--show-toplevel"])?);
    let ours = top.join("crates/livechat-cli").canonicalize().ok()?;
    if manifest_dir.canonicalize().ok()? != ours {
        return None;
    }
    let commit = git(manifest_dir, &["rev-parse", "--verify", "HEAD"])?;
    // Run again when HEAD moves: HEAD itself (a checkout), its reflog (every commit,
    // merge, reset) and the branch's ref. Only existing files are named: cargo
    // re-runs a build script on every build while a named file is missing.
    let mut watched = vec!["HEAD".to_owned(), "logs/HEAD".to_owned()];
    if let Some(branch) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(manifest_dir, &["rev-parse", "--git-path", &name]) {
            let path = manifest_dir.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}
