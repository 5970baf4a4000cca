//! `cargo xtask sarif-check`: a real SARIF consumer's verdict on `--format sarif`.
//!
//! The schema test (`crates/livechat-cli/tests/cli/formats.rs`) only proves the
//! shape. This task runs Microsoft's SARIF multitool (`@microsoft/sarif-multitool`
//! 5.7.0 from npm, pinned in `xtask/node-sarif/package-lock.json`), `validate
//! --rule-kind Sarif` (the specification's rules) and again with `--rule-kind Gh`
//! (GitHub code scanning's ingestion rules), on the SARIF of every fixture data dir,
//! each given both ways a workflow gives it: as an absolute path outside the current
//! folder (URIs under the `DATADIR` base) and as a relative path inside it (URIs
//! under `%SRCROOT%`), plus a dir whose instance is unknown (a finding on the
//! directory itself). It fails on any error or warning of the multitool; its notes
//! are counted per rule only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::codegen::root;
use crate::tools;

pub fn run() -> Result<()> {
    let root = root();
    let bin = tools::build_cli(false)?;
    let node_dir = tools::node_modules_in("xtask/node-sarif")?;
    // The platform package's own binary, not the npm wrapper: the wrapper runs it
    // through a shell, which would split `--level "Error;Warning;Note"` at `;`.
    let multitool = node_dir.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !multitool.exists() {
        bail!(
            "{} is missing: the multitool's npm package ships a binary for linux-x64 here",
            multitool.display()
        );
    }
    let work = tools::work_dir().join("sarif-check");
    if work.exists() {
        fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    let logs = work.join("logs");
    let inside = work.join("cwd");
    fs::create_dir_all(&logs)?;
    fs::create_dir_all(&inside)?;

    let mut dirs: Vec<(String, PathBuf)> = vec![("sample".into(), root.join("fixtures/sample"))];
    let mut cases: Vec<PathBuf> = fs::read_dir(root.join("fixtures/validate"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        dirs.push((name, case));
    }
    let mut count = 0;
    let mut results = 0;
    for (name, dir) in &dirs {
        // As an absolute path outside the current folder (`work` is not above it).
        let doc = validate(
            &bin,
            &work,
            dir,
            &["--instance-url", "https://peertube.example.com"],
        )?;
        results += write_log(&logs.join(format!("{name}.absolute.sarif")), &doc)?;
        // As a relative path inside the current folder.
        let copy = inside.join(name);
        copy_dir(dir, &copy)?;
        let rel = PathBuf::from(name);
        let doc = validate(
            &bin,
            &inside,
            &rel,
            &["--instance-url", "https://peertube.example.com"],
        )?;
        results += write_log(&logs.join(format!("{name}.relative.sarif")), &doc)?;
        count += 2;
    }
    // No instance given and none to infer: a finding on the directory itself.
    let empty = inside.join("no-instance");
    fs::create_dir_all(&empty)?;
    let doc = validate(&bin, &inside, Path::new("no-instance"), &[])?;
    results += write_log(&logs.join("no-instance.relative.sarif"), &doc)?;
    let doc = validate(&bin, &work, &empty, &[])?;
    results += write_log(&logs.join("no-instance.absolute.sarif"), &doc)?;
    count += 2;
    if results == 0 {
        bail!("the SARIF logs hold no result: nothing was checked");
    }
    eprintln!(
        "sarif-check: {count} logs with {results} results in {}",
        logs.display()
    );

    let mut failures = Vec::new();
    for kind in ["Sarif", "Gh"] {
        let out = work.join(format!("multitool-{kind}.sarif"));
        // The files first: an option taking a list would swallow what follows it.
        let status = Command::new(&multitool)
            .arg("validate")
            .arg(logs.join("*.sarif"))
            .args(["--rule-kind", kind, "--level", "Error;Warning;Note"])
            .arg("--output")
            .arg(&out)
            .args(["--log", "ForceOverwrite"])
            .current_dir(&node_dir)
            // The multitool is a self-contained .NET program: no ICU needed.
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .status()
            .with_context(|| format!("running {}", multitool.display()))?;
        let text = fs::read_to_string(&out)
            .with_context(|| format!("the multitool wrote no {} ({status})", out.display()))?;
        let verdict: Value = serde_json::from_str(&text).context("the multitool's own log")?;
        let mut notes = 0;
        // Notes are advice (network checks of URIs, message ids): counted per rule.
        let mut note_rules: std::collections::BTreeMap<String, usize> = Default::default();
        for run in verdict["runs"].as_array().into_iter().flatten() {
            for result in run["results"].as_array().into_iter().flatten() {
                let level = result["level"].as_str().unwrap_or("warning");
                let line = describe(result);
                if level == "note" || level == "none" {
                    notes += 1;
                    let rule = result["ruleId"].as_str().unwrap_or("?").to_owned();
                    *note_rules.entry(rule).or_insert(0) += 1;
                } else {
                    failures.push(format!("{level} ({kind}): {line}"));
                }
            }
            // A tool failure (a file it could not read) is a notification.
            for invocation in run["invocations"].as_array().into_iter().flatten() {
                if invocation["executionSuccessful"] == Value::Bool(false) {
                    failures.push(format!("the multitool failed ({kind}): {invocation}"));
                }
            }
        }
        eprintln!(
            "sarif-check: multitool --rule-kind {kind}: {} error(s) or warning(s), {notes} note(s) {note_rules:?}",
            failures.len()
        );
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}");
        }
        bail!("the SARIF multitool found {} problem(s)", failures.len());
    }
    println!(
        "sarif-check: {count} SARIF logs, 0 errors and 0 warnings from the multitool (Sarif and Gh rules)"
    );
    Ok(())
}

/// `livechat-data validate DIR --format sarif ARGS...` run in `cwd`.
fn validate(bin: &Path, cwd: &Path, dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(bin)
        .arg("validate")
        .arg(dir)
        .args(["--format", "sarif"])
        .args(args)
        .current_dir(cwd)
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    // 0 or 1 (findings); 2 is a failure to run.
    if !matches!(out.status.code(), Some(0 | 1)) {
        bail!(
            "livechat-data validate {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8(out.stdout).context("the SARIF is not UTF-8")
}

/// Writes a log and returns its number of results.
fn write_log(path: &Path, doc: &str) -> Result<usize> {
    let value: Value = serde_json::from_str(doc).context("the SARIF is not JSON")?;
    fs::write(path, doc)?;
    Ok(value["runs"][0]["results"].as_array().map_or(0, Vec::len))
}

/// `file(line,col): RULE: message` of one of the multitool's results.
fn describe(result: &Value) -> String {
    let location = &result["locations"][0]["physicalLocation"];
    let file = location["artifactLocation"]["uri"].as_str().unwrap_or("?");
    let line = location["region"]["startLine"].as_u64().unwrap_or(0);
    let message = result["message"]["text"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            result["message"]["arguments"].as_array().map(|a| {
                a.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        })
        .unwrap_or_default();
    format!(
        "{file}({line}): {}: {message}",
        result["ruleId"].as_str().unwrap_or("?")
    )
}

fn copy_dir(src: &Path, dst: &Path) -> Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let to = dst.join(entry.file_name());
        let ty = entry.file_type()?;
        if ty.is_dir() {
            copy_dir(&entry.path(), &to)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &to)?;
        } else {
            fs::copy(entry.path(), &to)?;
        }
    }
    Ok(())
}
